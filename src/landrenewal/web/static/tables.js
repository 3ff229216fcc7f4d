// 数据表: the seven lists (evaluation results, findings, zones, parcels, buildings, enterprises and
// their yearly figures) with filters, sortable columns, pages, and exports of exactly what is
// filtered. The filters live in the hash.

import {
  aborted, api, download, latestOnly,
} from './api.js';
import { legend as getLegend, towns as getTowns } from './context.js';
import { clear, debounce, h, loading, notice, table, toast } from './dom.js';
import {
  categoryChips, classBadge, coded, isPrivate, num, restrictedMark,
} from './format.js';
import {
  columnLabel, ruleLabel, t, valueLabel,
} from './i18n.js';

const CLASSES = ['A', 'B', 'C', 'D'];
const PAGE_SIZES = [20, 50, 100, 200];
const FORMATS = ['xlsx', 'gpkg', 'geojson'];

const parcelHref = (r) => `#/parcel/${encodeURIComponent(r.parcel_code)}`;
const enterpriseHref = (r) => (r.uscc ? `#/enterprise/${encodeURIComponent(r.uscc)}` : null);
/** A zone's dossier; ``run`` (a zone run chosen in the filter) when it is not the latest. */
export const zoneHref = (no, run) => `#/zone/${encodeURIComponent(no)}${run ? `?run=${encodeURIComponent(run)}` : ''}`;
const USE_TYPES = ['production', 'warehouse', 'office', 'living', 'other'];

const LISTS = {
  evaluation: {
    path: '/api/evaluation/results', runs: '/api/evaluation/runs', filters: ['run', 'town', 'class', 'list', 'q'],
    open: enterpriseHref,
    runLabel: (r) => t('tables.run.evaluation', { year: r.year, id: r.id }),
  },
  findings: {
    path: '/api/findings', runs: '/api/identification/runs', filters: ['run', 'town', 'category', 'q'],
    open: parcelHref,
    runLabel: (r) => t('tables.run.identification', { as_of: r.as_of, id: r.id }),
  },
  zones: {
    path: '/api/zones', runs: '/api/zones/runs', filters: ['run', 'town', 'q'],
    open: (r, state) => zoneHref(r.zone_no, state.run),
    runLabel: (r) => t('tables.run.zones', { id: r.id, created: String(r.created_at || '').slice(0, 10) }),
  },
  parcels: { path: '/api/parcels', filters: ['town', 'class', 'category', 'q'], open: parcelHref },
  buildings: { path: '/api/buildings', filters: ['town', 'use_type', 'parcel', 'q'], open: parcelHref },
  enterprises: { path: '/api/enterprises', filters: ['town', 'class', 'scale', 'q'], open: enterpriseHref },
  metrics: { path: '/api/metrics', filters: ['town', 'year', 'uscc', 'q'], open: enterpriseHref },
};

const FILTER_KEYS = ['run', 'town', 'class', 'category', 'scale', 'list', 'use_type', 'parcel', 'year', 'uscc', 'q'];
// Shown in exports, left out of the screen (the town name, the rule's name say the same).
const HIDDEN_COLUMNS = new Set(['division_code', 'rule_id']);
const LONG_TEXT = new Set(['evidence', 'threshold', 'clause', 'verdict', 'rule_name', 'rights_holder']);

export async function render(root, { args: [name], query, signal }) {
  const spec = LISTS[name];
  const state = {
    sort: query.get('sort') || '', order: query.get('order') || 'asc',
    page: Math.max(1, Number(query.get('page')) || 1),
    page_size: PAGE_SIZES.includes(Number(query.get('page_size'))) ? Number(query.get('page_size')) : 50,
  };
  for (const key of FILTER_KEYS) if (spec.filters.includes(key)) state[key] = query.get(key) || '';

  const [towns, legend, runs] = await Promise.all([
    getTowns(), getLegend(),
    spec.runs ? api.get(spec.runs, null, { signal, quiet: true }).catch(() => []) : Promise.resolve(null),
  ]);
  if (signal.aborted) return undefined;

  const body = h('div', { class: 'table-area' });
  const pager = h('div', { class: 'pager', testid: 'pager' });
  const requests = latestOnly(signal);

  const params = () => Object.fromEntries(Object.entries(state).filter(([k, v]) => v !== '' && v != null && !(k === 'order' && !state.sort)));
  const filterParams = () => Object.fromEntries(FILTER_KEYS.filter((k) => state[k]).map((k) => [k, state[k]]));

  const remember = () => {
    const qs = new URLSearchParams(params());
    if (state.page === 1) qs.delete('page');
    if (state.page_size === 50) qs.delete('page_size');
    const text = qs.toString();
    history.replaceState(null, '', `#/tables/${name}${text ? `?${text}` : ''}`);
  };

  const load = async () => {
    remember();
    const mine = requests.next();
    body.classList.add('busy');
    if (!body.firstChild) body.append(loading());
    let data;
    try {
      data = await api.get(spec.path, params(), { signal: mine, quiet: true });
    } catch (e) {
      if (aborted(e) || mine.aborted) return;
      clear(body).append(notice(e.reason === 'no_run' ? t('tables.noRun') : e.detail || e.message, e.reason === 'no_run' ? 'info' : 'error'));
      clear(pager);
      return;
    } finally {
      body.classList.remove('busy');
    }
    if (mine.aborted) return;
    drawTable(data);
    drawPager(data);
  };

  const set = (changes, keepPage = false) => {
    Object.assign(state, changes);
    if (!keepPage) state.page = 1;
    load();
  };

  const drawTable = (data) => {
    const columns = data.columns.filter((col) => !HIDDEN_COLUMNS.has(col.name)).map((col) => ({
      key: col.name, label: columnLabel(col), kind: col.kind === 'number' ? 'number' : col.kind === 'code' ? 'code' : 'text',
      sortable: true, render: (row) => cell(col, row, name === 'zones' ? state.run : ''),
    }));
    const sort = { key: state.sort || null, order: state.order };
    clear(body).append(data.items.length
      ? table(columns, data.items, {
        testid: 'data-table', rowTestid: 'table-row', sort,
        onSort: (key) => set({ sort: key, order: state.sort === key && state.order === 'asc' ? 'desc' : 'asc' }),
        onRow: (row) => { const href = spec.open(row, state); if (href) location.hash = href; },
      })
      : h('div', { testid: 'data-table-empty' }, notice(t('common.empty'), 'info')));
  };

  const drawPager = (data) => {
    const pages = Math.max(1, Math.ceil(data.total / data.page_size));
    clear(pager).append(
      h('span', { class: 'pager-total', testid: 'table-total', 'data-total': data.total }, t('tables.total', { n: num(data.total) })),
      h('label', null, `${t('tables.pageSize')} `,
        h('select', { testid: 'page-size', onchange: (e) => set({ page_size: Number(e.target.value) }) },
          PAGE_SIZES.map((n) => h('option', { value: n, selected: n === state.page_size }, n)))),
      h('button', { type: 'button', class: 'btn', testid: 'pager-first', disabled: state.page <= 1, onclick: () => set({ page: 1 }, true) }, '«'),
      h('button', { type: 'button', class: 'btn', testid: 'pager-prev', disabled: state.page <= 1, onclick: () => set({ page: state.page - 1 }, true) }, t('tables.prev')),
      h('span', { testid: 'pager-info' }, t('tables.page', { page: state.page, pages })),
      h('button', { type: 'button', class: 'btn', testid: 'pager-next', disabled: state.page >= pages, onclick: () => set({ page: state.page + 1 }, true) }, t('tables.next')),
      h('button', { type: 'button', class: 'btn', testid: 'pager-last', disabled: state.page >= pages, onclick: () => set({ page: pages }, true) }, '»'),
    );
  };

  const field = (label, control) => h('label', { class: 'field' }, h('span', null, label), control);
  const select = (key, options, allLabel = t('common.all')) => h('select', {
    testid: `filter-${key}`, onchange: (e) => set({ [key]: e.target.value }),
  }, h('option', { value: '' }, allLabel), options.map(([value, label]) => h('option', { value, selected: state[key] === String(value) }, label)));

  const filters = [];
  if (spec.filters.includes('run')) {
    filters.push(field(t('tables.run'), select('run', (runs || []).map((r) => [String(r.id), spec.runLabel(r)]).reverse(), t('tables.latest'))));
  }
  if (spec.filters.includes('town')) {
    filters.push(field(t('tables.town'), select('town', towns.map((d) => [d.division_code, d.name]))));
  }
  if (spec.filters.includes('class')) {
    const chosen = new Set(state.class.split(',').filter(Boolean));
    filters.push(h('div', { class: 'field' }, h('span', null, t('tables.class')),
      h('div', { class: 'checks', testid: 'filter-class' }, CLASSES.map((c) => h('label', null,
        h('input', {
          type: 'checkbox', value: c, checked: chosen.has(c),
          onchange: (e) => {
            if (e.target.checked) chosen.add(c);
            else chosen.delete(c);
            set({ class: CLASSES.filter((x) => chosen.has(x)).join(',') });
          },
        }), classBadge(c))))));
  }
  if (spec.filters.includes('category')) {
    filters.push(field(t('tables.category'), select('category', legend.categories.map((c) => [c.name, c.name]))));
  }
  if (spec.filters.includes('scale')) {
    filters.push(field(t('tables.scale'), select('scale', ['above', 'below'].map((v) => [v, valueLabel('scale', v)]))));
  }
  if (spec.filters.includes('list')) {
    filters.push(field(t('tables.list'), select('list', ['above', 'below'].map((v) => [v, valueLabel('list', v)]))));
  }
  if (spec.filters.includes('use_type')) {
    filters.push(field(t('tables.useType'), select('use_type', USE_TYPES.map((v) => [v, valueLabel('use_type', v)]))));
  }
  const typed = (key, attrs) => {
    const input = h('input', { value: state[key], testid: `filter-${key}`, autocomplete: 'off', ...attrs });
    input.addEventListener('input', debounce(() => set({ [key]: input.value.trim() }), 350));
    return input;
  };
  if (spec.filters.includes('parcel')) {
    filters.push(field(t('tables.parcel'), typed('parcel', { type: 'search', class: 'code-input', placeholder: t('tables.parcelHint') })));
  }
  if (spec.filters.includes('year')) {
    filters.push(field(t('tables.year'), typed('year', { type: 'number', min: 1990, max: 2100, step: 1, class: 'year-input' })));
  }
  if (spec.filters.includes('uscc')) {
    filters.push(field(t('tables.uscc'), typed('uscc', { type: 'search', class: 'code-input', placeholder: t('tables.usccHint') })));
  }
  filters.push(field(t('tables.q'), typed('q', { type: 'search', placeholder: t('tables.qHint'), 'aria-label': t('tables.q') })));
  filters.push(h('button', {
    type: 'button', class: 'btn-link', testid: 'filter-reset',
    onclick: () => {
      const target = `#/tables/${name}`;
      if (location.hash !== target) location.hash = target;
    },
  }, t('tables.reset')));

  const exports = h('div', { class: 'export', testid: 'export' }, h('span', null, t('tables.export')),
    FORMATS.map((format) => {
      const button = h('button', { type: 'button', class: 'btn', testid: `export-${format}`, 'data-format': format }, format === 'xlsx' ? 'XLSX' : format === 'gpkg' ? 'GeoPackage' : 'GeoJSON');
      button.addEventListener('click', async () => {
        const text = button.textContent;
        button.disabled = true;
        button.textContent = t('tables.exporting');
        try {
          const saved = await download(`${spec.path}/export`, { ...filterParams(), sort: state.sort, order: state.sort ? state.order : '', format }, `${name}.${format}`);
          toast(t('tables.exported', { name: saved }), 'ok');
        } catch (e) {
          if (!aborted(e)) console.warn(e);
        } finally {
          button.disabled = false;
          button.textContent = text;
        }
      });
      return button;
    }));

  root.append(
    h('div', { class: 'page-head' }, h('h1', null, t('tables.title'))),
    h('nav', { class: 'tabs', testid: 'tables-tabs' }, Object.keys(LISTS).map((key) => h('a', {
      href: `#/tables/${key}${state.town ? `?town=${encodeURIComponent(state.town)}` : ''}`,
      class: key === name ? 'active' : null, testid: `tab-${key}`, 'aria-current': key === name ? 'page' : null,
    }, t(`tables.${key}`)))),
    h('section', { class: 'card', testid: `table-${name}` },
      h('div', { class: 'card-body' },
        h('div', { class: 'filters', testid: 'filters' }, filters, h('span', { class: 'spacer' }), exports),
        body, pager)),
  );
  await load();
  return () => requests.cancel();
}

/** One cell: links for codes, badges for classes, chips for categories, "无权查看" for hidden figures. */
function cell(col, row, zoneRun) {
  const value = row[col.name];
  if (isPrivate(col.name) && row.restricted && value == null) return restrictedMark();
  if (value == null || value === '') return null;
  switch (col.name) {
    case 'class': return classBadge(value);
    case 'categories': case 'category': return categoryChips(value);
    case 'parcel_code': return h('a', { href: parcelHref(row) }, value);
    case 'uscc': return h('a', { href: enterpriseHref(row) }, value);
    // a zone of the run chosen in the zones list, else of the latest run (a finding's zone)
    case 'zone_no': return h('a', { href: zoneHref(value, zoneRun) }, String(value));
    case 'year': return String(value);
    case 'rule_name': return h('span', { class: 'long', title: row.rule_id }, ruleLabel(row.rule_id, value));
    case 'rights_type': case 'scale': case 'list': case 'status': case 'use_type': return coded(col.name, value);
    default: break;
  }
  if (col.kind === 'number') return num(value);
  if (typeof value === 'object') return JSON.stringify(value);
  if (LONG_TEXT.has(col.name)) return h('span', { class: 'long', title: String(value) }, String(value));
  return String(value);
}
