// Shared by the dashboard and the public page: labels in two languages
// (fetched from /api/v1/labels, the same table the CSV uses), number
// formatting, and fetch with the viewer's bearer token.
'use strict';
const ks = {
  labels: {},
  regions: { provinces: [], regencies: [] },
  lang: sessionStorage.getItem('ks.lang') || 'id',
  token: sessionStorage.getItem('ks.token') || '',

  t(key) {
    const l = ks.labels[key];
    return l ? l[ks.lang] : key;
  },
  num(v) {
    return new Intl.NumberFormat(ks.lang === 'en' ? 'en-US' : 'id-ID').format(Number(v || 0));
  },
  pct(v) {
    return new Intl.NumberFormat(ks.lang === 'en' ? 'en-US' : 'id-ID',
        { style: 'percent', maximumFractionDigits: 1 }).format(Number(v || 0));
  },
  time(v) {
    return v ? new Date(v).toLocaleString(ks.lang === 'en' ? 'en-GB' : 'id-ID', { timeZone: 'UTC' }) + ' UTC' : '—';
  },
  regionName(code) {
    if (!code) return ks.t('nation');
    const list = code.includes('.') ? ks.regions.regencies : ks.regions.provinces;
    const r = list.find(x => x.code === code);
    return r ? r.name : code;
  },
  // Code of a resource name: "provinces/64/summary" -> "64".
  codeOf(name) {
    const parts = (name || '').split('/');
    return parts[0] === 'provinces' || parts[0] === 'regencies' ? parts[1] : '';
  },
  applyLabels() {
    document.documentElement.lang = ks.lang;
    for (const el of document.querySelectorAll('[data-label]')) {
      el.textContent = ks.t(el.dataset.label);
    }
  },
  // The hash carries the page state (token once, language, drill-down), so a
  // link or a test can open any view.
  readHash() {
    const h = new URLSearchParams(location.hash.slice(1));
    if (h.has('token')) {
      ks.setToken(h.get('token'));
      h.delete('token');
      history.replaceState(null, '', '#' + h.toString());
    }
    if (h.has('lang')) ks.setLang(h.get('lang'));
    return h;
  },
  setToken(t) {
    ks.token = t;
    if (t) sessionStorage.setItem('ks.token', t); else sessionStorage.removeItem('ks.token');
  },
  setLang(l) {
    ks.lang = l === 'en' ? 'en' : 'id';
    sessionStorage.setItem('ks.lang', ks.lang);
  },
  async api(path) {
    const headers = ks.token ? { Authorization: 'Bearer ' + ks.token } : {};
    const res = await fetch(path, { headers });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error(body.message || res.statusText);
      err.status = res.status;
      throw err;
    }
    return body;
  },
  // Downloads a CSV route with the token (a plain link cannot send it).
  async download(path, filename) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await fetch(path + sep + 'lang=' + ks.lang,
        { headers: ks.token ? { Authorization: 'Bearer ' + ks.token } : {} });
    if (!res.ok) throw new Error(res.statusText);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(await res.blob());
    a.download = filename;
    a.click();
  },
  async init() {
    [ks.labels, ks.regions] = await Promise.all([
      fetch('/api/v1/labels').then(r => r.json()),
      fetch('/api/v1/regions').then(r => r.json()),
    ]);
  },
  cell(tr, text, cls, value) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    if (value !== undefined) td.dataset.value = value;
    tr.appendChild(td);
    return td;
  },
  header(table, keys) {
    const tr = document.createElement('tr');
    for (const k of keys) {
      const th = document.createElement('th');
      th.textContent = ks.t(k);
      tr.appendChild(th);
    }
    table.tHead.replaceChildren(tr);
  },
};
