// The public page (/publik): national and province figures, small cells
// suppressed by reporting (GetPublicSummary), no login.
'use strict';
const CELLS = ['cases_completed', 'cases_in_progress', 'credited_hours',
               'prison_days_averted', 'active_sites', 'fines_replaced_rupiah'];
let figures = [];

function render() {
  ks.applyLabels();
  const table = document.getElementById('public');
  ks.header(table, ['region_name', ...CELLS]);
  const rows = figures.map(p => {
    const code = ks.codeOf(p.name);
    const tr = document.createElement('tr');
    tr.dataset.name = p.name;
    ks.cell(tr, ks.regionName(code));
    for (const c of CELLS) {
      const cell = p[c] || {};
      if (cell.suppressed) {
        const td = ks.cell(tr, '▒', 'num suppressed');
        td.dataset.cell = c;
        td.dataset.suppressed = 'true';
        td.title = ks.t('suppressed');
      } else {
        ks.cell(tr, ks.num(cell.value), 'num', String(cell.value)).dataset.cell = c;
      }
    }
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
  document.getElementById('public-csv').href = '/v1/publik.csv?lang=' + ks.lang;
}

async function main() {
  await ks.init();
  ks.readHash();
  document.getElementById('lang-switch').onclick = () => {
    ks.setLang(ks.lang === 'id' ? 'en' : 'id');
    render();
  };
  try {
    figures = (await ks.api('/api/v1/publik')).summaries || [];
    document.body.dataset.loaded = 'true';
  } catch (e) {
    document.getElementById('status').textContent = ks.t('ui.error') + ': ' + e.message;
  }
  render();
}
main();
