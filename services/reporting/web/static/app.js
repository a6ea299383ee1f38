// The national dashboard: headline figures, provinces with drill-down to
// their regencies, monthly trends, hot spots and freshness. Every figure
// comes from the JSON gateway with the viewer's NATIONAL_VIEWER token; the
// page computes nothing but display formats.
'use strict';
const HEADLINE = ['cases_registered', 'cases_active', 'cases_completed',
                  'completion_rate', 'credited_hours', 'prison_days_averted',
                  'fines_replaced_rupiah', 'cases_at_risk', 'cases_overdue',
                  'active_placements', 'capacity', 'sites_active', 'utilisation',
                  'pk_assignments_active', 'guidance_sessions', 'referrals_made',
                  'warnings_issued'];
// Headline keys read from the summary's site figures, not its totals.
const SITE_KEYS = ['active_placements', 'capacity', 'sites_active', 'utilisation'];
// Headline keys that are ratios (shown as percentages).
const RATIO_KEYS = ['completion_rate', 'utilisation'];
const TABLE = ['region_name', 'cases_active', 'cases_completed', 'cases_at_risk',
               'cases_overdue', 'completion_rate', 'prison_days_averted',
               'as_of_time'];
const TREND_METRICS = ['METRIC_CASES_REGISTERED', 'METRIC_CASES_COMPLETED',
                       'METRIC_CASES_BREACHED', 'METRIC_PRISON_DAYS_AVERTED'];
const state = { province: '', summary: null, rows: [], series: [], hot: [],
                silent: [], upstreams: null, error: '' };
let chart = null;

// Headline value of one key, raw (as the API sent it) for data-value.
function headlineValue(s, key) {
  const t = s.totals || {};
  if (key === 'credited_hours') return String(Math.floor(Number(t.credited_minutes || 0) / 60));
  if (SITE_KEYS.includes(key)) return String((s.sites || {})[key] ?? 0);
  return String(t[key] ?? 0);
}
function display(key, raw) {
  return RATIO_KEYS.includes(key) ? ks.pct(raw) : ks.num(raw);
}
function dateStr(d) { return d.toISOString().slice(0, 10); }
function trendRange() {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  return `range.start_date=${dateStr(start)}&range.end_date=${dateStr(now)}`;
}
function scope() { return state.province ? 'provinces/' + state.province : 'nation'; }
function trendQuery() {
  return `metrics=${TREND_METRICS.join(',')}&granularity=MONTH&${trendRange()}`;
}

async function load() {
  state.error = '';
  const p = state.province;
  const jobs = [
    ks.api(p ? `/api/v1/provinces/${p}/summary` : '/api/v1/nation/summary')
        .then(s => { state.summary = s; }),
    (p ? ks.api(`/api/v1/regencySummaries?parent=provinces/${p}&page_size=600`)
       : ks.api('/api/v1/provinceSummaries?page_size=100'))
        .then(r => { state.rows = r.summaries || []; }),
    ks.api(`/api/v1/${scope()}/timeSeries?${trendQuery()}`)
        .then(r => { state.series = r.series || []; }),
    ks.api('/api/v1/regencySummaries?page_size=600' + (p ? `&parent=provinces/${p}` : ''))
        .then(r => { state.hot = r.summaries || []; }),
  ];
  const since = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  jobs.push(ks.api(`/api/v1/rankScopes?level=REGENCY&metric=CASES_REGISTERED&${trendRange()}` +
                   `&silent_since=${since}&page_size=50` + (p ? `&within=provinces/${p}` : ''))
      .then(r => { state.silent = r.ranked || []; })
      .catch(e => { state.silent = []; state.error = e.message; }));
  jobs.push(ks.api('/api/v1/upstreams?page_size=100')
      .then(r => { state.upstreams = r.upstreams || []; })
      .catch(() => { state.upstreams = null; }));
  const results = await Promise.allSettled(jobs);
  const failed = results.find(r => r.status === 'rejected');
  if (failed) {
    if (failed.reason.status === 401) { signOut(); return; }
    state.error = failed.reason.message;
  }
  document.body.dataset.loaded = 'true';
  render();
}

function renderHeadline() {
  const s = state.summary || {};
  const code = ks.codeOf(s.name);
  document.getElementById('scope-name').textContent = ks.regionName(code);
  const items = HEADLINE.map(key => {
    const div = document.createElement('div');
    const dt = document.createElement('dt');
    dt.textContent = ks.t(key);
    const dd = document.createElement('dd');
    const raw = headlineValue(s, key);
    dd.id = 'headline-' + key;
    dd.dataset.value = raw;
    dd.textContent = display(key, raw);
    div.append(dt, dd);
    return div;
  });
  document.getElementById('headline').replaceChildren(...items);
}

function renderTable() {
  const table = document.getElementById('regions');
  document.getElementById('table-title').textContent =
      ks.t(state.province ? 'ui.regencies' : 'ui.provinces');
  document.getElementById('back').hidden = !state.province;
  ks.header(table, TABLE);
  const rows = state.rows.map(s => {
    const code = ks.codeOf(s.name);
    const tr = document.createElement('tr');
    tr.dataset.code = code;
    if (s.stale) tr.classList.add('stale');
    ks.cell(tr, ks.regionName(code));
    for (const key of TABLE.slice(1)) {
      if (key === 'as_of_time') { ks.cell(tr, ks.time(s.as_of_time)); continue; }
      const raw = String((s.totals || {})[key] ?? 0);
      ks.cell(tr, display(key, raw), 'num', raw).dataset.key = key;
    }
    if (!state.province) {
      tr.classList.add('drill');
      tr.onclick = () => { location.hash = 'province=' + code; };
    }
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
}

function renderTrend() {
  const labels = (state.series[0]?.points || []).map(p =>
      `${p.start_date.year}-${String(p.start_date.month).padStart(2, '0')}`);
  const colors = ['#1f77b4', '#2ca02c', '#d62728', '#ff7f0e'];
  const datasets = state.series.map((s, i) => ({
    label: ks.t(s.metric), data: s.points.map(p => Number(p.value)),
    borderColor: colors[i % colors.length], backgroundColor: colors[i % colors.length],
  }));
  if (chart) chart.destroy();
  chart = new Chart(document.getElementById('trend'), {
    type: 'line', data: { labels, datasets },
    options: { animation: false, responsive: true },
  });
}

function renderHotSpots() {
  for (const [key, id] of [['cases_at_risk', 'hot-at-risk'], ['cases_overdue', 'hot-overdue']]) {
    const top = state.hot
        .filter(s => Number((s.totals || {})[key] || 0) > 0)
        .sort((a, b) => Number(b.totals[key]) - Number(a.totals[key]))
        .slice(0, 10)
        .map(s => {
          const li = document.createElement('li');
          const v = s.totals[key];
          li.dataset.value = v;
          li.textContent = `${ks.regionName(ks.codeOf(s.name))}: ${ks.num(v)}`;
          return li;
        });
    document.getElementById(id).replaceChildren(...top);
  }
}

function renderFreshness() {
  const table = document.getElementById('freshness');
  ks.header(table, ['region_name', 'last_event_time']);
  const rows = state.silent.map(r => {
    const tr = document.createElement('tr');
    ks.cell(tr, ks.regionName(ks.codeOf(r.scope)));
    ks.cell(tr, ks.time(r.last_event_time));
    return tr;
  });
  if (state.upstreams) {
    for (const u of state.upstreams) {
      const tr = document.createElement('tr');
      tr.className = u.state === 'UPSTREAM_STATE_LIVE' ? '' : 'stale';
      ks.cell(tr, `${u.display_name || u.name} — ${ks.t(u.state)}`);
      ks.cell(tr, ks.time(u.last_event_time));
      rows.push(tr);
    }
  }
  table.tBodies[0].replaceChildren(...rows);
  document.getElementById('upstreams-note').textContent =
      state.upstreams ? '' : ks.t('ui.no_access');
}

function render() {
  ks.applyLabels();
  document.getElementById('status').textContent =
      state.error ? ks.t('ui.error') + ': ' + state.error : '';
  renderHeadline();
  renderTable();
  renderTrend();
  renderHotSpots();
  renderFreshness();
}

function signOut() {
  ks.setToken('');
  document.getElementById('dashboard').hidden = true;
  document.getElementById('signin').hidden = false;
  ks.applyLabels();
}

async function route() {
  const h = ks.readHash();
  if (!ks.token) { signOut(); return; }
  document.getElementById('signin').hidden = true;
  document.getElementById('dashboard').hidden = false;
  state.province = /^[0-9]{2}$/.test(h.get('province') || '') ? h.get('province') : '';
  await load();
}

async function main() {
  await ks.init();
  document.getElementById('lang-switch').onclick = () => {
    ks.setLang(ks.lang === 'id' ? 'en' : 'id');
    ks.token ? render() : ks.applyLabels();
  };
  document.getElementById('signin').onsubmit = e => {
    e.preventDefault();
    ks.setToken(document.getElementById('token').value.trim());
    route();
  };
  document.getElementById('signout').onclick = signOut;
  document.getElementById('back').onclick = () => { location.hash = ''; };
  document.getElementById('table-csv').onclick = () => ks.download(
      state.province ? `/v1/provinces/${state.province}/regencySummaries.csv`
                     : '/v1/provinceSummaries.csv', 'ringkasan.csv');
  document.getElementById('trend-csv').onclick = () => ks.download(
      `/v1/${scope()}/timeSeries.csv?${trendQuery()}`, 'tren.csv');
  window.addEventListener('hashchange', route);
  await route();
}
main();
