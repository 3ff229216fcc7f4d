// 统计看板: totals, land by class and town, low-efficiency land by type and town, the evaluation
// trend over the years, and the best and worst units — for the city or one town, and for the
// newest evaluation run or one chosen (评价批次).

import { api } from './api.js';
import { Charts } from './charts.js';
import { legend as getLegend, session, towns as getTowns } from './context.js';
import {
  append, card, clear, empty, h, loading, table,
} from './dom.js';
import { classBadge, figure, mu, num, percent } from './format.js';
import { fieldLabel, t, valueLabel } from './i18n.js';

// The address's ``town`` for the whole city, where a town officer's dashboard would open on its town.
const CITY = 'all';


export async function render(root, { query, signal }) {
  const [towns, legend] = await Promise.all([getTowns(), getLegend()]);
  const charts = new Charts();
  // A town officer's dashboard opens on its own town; anyone may then choose another scope.
  const home = session.user?.role === 'town' ? session.user.division_code || '' : '';
  const asked = query.get('town');
  let town = asked == null ? home : asked === CITY ? '' : asked;
  let run = query.get('run') ?? '';
  const body = h('div', { class: 'dashboard-body' });
  const remember = () => {
    const shown = town === home ? '' : town || CITY;
    const qs = new URLSearchParams(Object.entries({ town: shown, run }).filter(([, v]) => v));
    const text = qs.toString();
    history.replaceState(null, '', `#/dashboard${text ? `?${text}` : ''}`);
  };
  const townSelect = h('select', {
    testid: 'dashboard-town',
    value: town,
    onchange: () => {
      town = townSelect.value;
      remember();
      load();
    },
  }, h('option', { value: '' }, t('scope.city')),
  towns.map((d) => h('option', { value: d.division_code, selected: d.division_code === town }, d.name)));
  // Filled from the answer's ``runs``; the newest first, the one shown selected.
  const runSelect = h('select', {
    testid: 'dashboard-run', disabled: true,
    onchange: () => {
      run = runSelect.value;
      remember();
      load();
    },
  });
  const runNote = h('span', { class: 'sub', testid: 'dashboard-run-shown' });
  const pick = (label, control) => h('label', { class: 'toolbar', style: { margin: 0 } }, h('span', null, label), control);

  root.append(
    h('div', { class: 'page-head', testid: 'dashboard' },
      h('h1', null, t('dash.title')),
      h('span', { class: 'sub' }, session.user?.division_name || ''),
      runNote,
      h('div', { class: 'actions' }, pick(t('dash.run'), runSelect), pick(t('dash.town'), townSelect))),
    body,
  );

  const drawRuns = (d) => {
    const runs = [...(d.runs || [])].sort((a, b) => b.id - a.id);
    const shown = d.run?.id ?? null;
    append(clear(runSelect), runs.length
      ? runs.map((r) => h('option', { value: r.id, selected: r.id === shown }, t('dash.ofRun', { year: r.year, id: r.id })))
      : h('option', { value: '' }, t('dash.noRun')));
    runSelect.disabled = runs.length < 2;
    runNote.textContent = d.run ? t('dash.ofRun', { year: d.run.year, id: d.run.id }) : '';
    root.querySelector('[data-testid="dashboard"]').dataset.run = shown ?? '';
  };

  async function load() {
    clear(body).append(loading());
    runSelect.disabled = true;
    let d;
    try {
      d = await api.get('/api/dashboard', { town, run }, { signal, quiet: Boolean(run) });
    } catch (e) {
      // a run that is gone (an old link): the newest one instead
      if (run && e.status === 404 && !signal.aborted) {
        run = '';
        remember();
        return load();
      }
      throw e;
    }
    if (signal.aborted) return undefined;
    drawRuns(d);
    charts.dispose();
    const byTown = h('div', { class: 'chart', testid: 'chart-classes-by-town' });
    const byCategory = h('div', { class: 'chart', testid: 'chart-low-by-category' });
    const trend = h('div', { class: 'chart', testid: 'chart-trend' });
    clear(body).append(
      totals(d.totals || {}),
      h('div', { class: 'grid-3' },
        card(t('dash.classesByTown'), 'dash-classes', byTown),
        card(t('dash.lowByCategory'), 'dash-low', byCategory, h('p', { class: 'note' }, t('dash.lowNote'))),
        card(t('dash.trend'), 'dash-trend', trend)),
      ranked(d.ranked || []),
    );
    await Promise.all([
      drawClasses(charts, byTown, d.classes_by_town || [], legend),
      drawCategories(charts, byCategory, d.low_efficiency_by_category_town || [], legend),
      drawTrend(charts, trend, d.trend || [], legend),
    ]);
    return undefined;
  }

  await load();
  return () => charts.dispose();
}

/** "A类" / "Class A": the legend of a narrow chart. */
function shortClass(code) {
  return t('dash.class', { code });
}

function totals(x) {
  const share = x.mu ? percent((x.finding_mu || 0) / x.mu) : null;
  const item = (label, value, testid, kind = '', note = null) => h('div', { class: `total ${kind}`, testid },
    h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), note ? h('div', { class: 'note' }, note) : null);
  return h('div', { class: 'totals', testid: 'totals' },
    item(t('dash.parcels'), num(x.parcels), 'total-parcels'),
    item(t('dash.mu'), num(x.mu, 1), 'total-mu'),
    item(t('dash.findingParcels'), num(x.finding_parcels), 'total-finding-parcels', 'warn'),
    item(t('dash.findingMu'), num(x.finding_mu, 1), 'total-finding-mu', 'warn', share ? t('dash.share', { p: share }) : null),
    item(t('dash.zones'), num(x.zones), 'total-zones', 'zone'),
    x.enterprises != null ? item(t('dash.enterprises'), num(x.enterprises), 'total-enterprises') : null);
}

/** A category axis that names every town (ECharts would skip names it finds crowded), slanted when many. */
function townAxis(names) {
  return {
    type: 'category',
    data: names,
    axisLabel: { interval: 0, rotate: names.length > 6 ? 40 : 0, hideOverlap: false },
  };
}

function drawClasses(charts, el, rows, legend) {
  if (!rows.length) return el.replaceWith(empty());
  const keys = [...legend.classes.map((c) => c.code), 'unrated'];
  return charts.draw(el, {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => `${mu(v)} ${t('common.mu')}` },
    xAxis: townAxis(rows.map((r) => r.town_name || r.town_code)),
    yAxis: { type: 'value', name: t('common.mu') },
    series: keys.map((k) => ({
      name: k === 'unrated' ? t('map.unrated') : shortClass(k),
      type: 'bar', stack: 'mu', barMaxWidth: 56,
      itemStyle: { color: k === 'unrated' ? legend.none_color : legend.classes.find((c) => c.code === k)?.color },
      data: rows.map((r) => r[k] ?? 0),
    })),
  });
}

function drawCategories(charts, el, rows, legend) {
  if (!rows.length) return el.replaceWith(empty());
  const towns = [...new Map(rows.map((r) => [r.town_code, r.town_name || r.town_code])).entries()];
  const names = [...new Set([...legend.categories.map((c) => c.name), ...rows.map((r) => r.category)])]
    .filter((n) => rows.some((r) => r.category === n));
  return charts.draw(el, {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => `${mu(v)} ${t('common.mu')}` },
    legend: { top: 4, type: 'plain', itemGap: 8 },
    grid: { left: 16, right: 24, top: 40 + 22 * Math.ceil(names.length / 2), bottom: 12, containLabel: true },
    xAxis: townAxis(towns.map(([, name]) => name)),
    yAxis: { type: 'value', name: t('common.mu') },
    series: names.map((name) => ({
      name, type: 'bar', barMaxWidth: 22,
      itemStyle: { color: legend.categories.find((c) => c.name === name)?.color || legend.none_color },
      data: towns.map(([code]) => rows.find((r) => r.town_code === code && r.category === name)?.mu ?? 0),
    })),
  });
}

function drawTrend(charts, el, rows, legend) {
  if (!rows.length) return el.replaceWith(empty());
  const median = rows.some((r) => r.tax_per_mu_median != null);
  return charts.draw(el, {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', data: rows.map((r) => String(r.year)) },
    yAxis: [
      { type: 'value', name: t('dash.units') },
      median ? { type: 'value', name: t('dash.median'), splitLine: { show: false } } : null,
    ].filter(Boolean),
    series: [
      ...legend.classes.map((c) => c.code).map((k) => ({
        name: shortClass(k), type: 'bar', stack: 'n', barMaxWidth: 56,
        itemStyle: { color: legend.classes.find((c) => c.code === k)?.color },
        data: rows.map((r) => r[k] ?? 0),
      })),
      median ? {
        name: t('dash.median'), type: 'line', yAxisIndex: 1, symbolSize: 8,
        itemStyle: { color: '#0f3b73' }, data: rows.map((r) => r.tax_per_mu_median),
      } : null,
    ].filter(Boolean),
  });
}

/** Per evaluation list (规上, 规下 …): its best and worst units, side by side. */
function ranked(lists) {
  if (!lists.length) return card(t('dash.best'), 'best', empty(t('dash.noRun')));
  return h('div', { class: 'stack', testid: 'ranked' }, lists.map((l) => h('div', {
    class: 'grid-2 even', testid: 'ranked-list', 'data-list': l.list,
  },
  card(t('dash.bestOf', { list: valueLabel('list', l.list) }), `best-${l.list}`, unitTable(l.best, 'best-table')),
  card(t('dash.worstOf', { list: valueLabel('list', l.list) }), `worst-${l.list}`, unitTable(l.worst, 'worst-table')))));
}

function unitTable(rows, testid) {
  if (!rows?.length) return empty();
  return table([
    { key: 'n', label: t('dash.rank'), kind: 'number', render: (r) => rows.indexOf(r) + 1 },
    { key: 'name', label: fieldLabel('name'), render: (r) => (r.uscc
      ? h('a', { href: `#/enterprise/${encodeURIComponent(r.uscc)}` }, r.name || r.uscc) : r.name || r.unit_key) },
    { key: 'town_name', label: fieldLabel('town_name') },
    { key: 'class', label: fieldLabel('class'), render: (r) => classBadge(r.class) },
    { key: 'score', label: fieldLabel('score'), kind: 'number', render: (r) => num(r.score, 2) },
    { key: 'land_mu', label: fieldLabel('land_mu'), kind: 'number', render: (r) => mu(r.land_mu) },
    { key: 'tax_per_mu', label: fieldLabel('tax_per_mu'), kind: 'number', render: (r) => figure(r, 'tax_per_mu') },
  ], rows, { testid, compact: true, onRow: (r) => { if (r.uscc) location.hash = `#/enterprise/${encodeURIComponent(r.uscc)}`; } });
}
