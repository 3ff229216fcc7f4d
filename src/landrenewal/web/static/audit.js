// 操作日志 (admin): who did what and when, newest first, a page at a time; a change shows the
// fields it changed (before → after), a new record its fields.

import { aborted, api } from './api.js';
import { mayAdminister } from './context.js';
import {
  clear, h, loading, notice, table,
} from './dom.js';
import { date, num } from './format.js';
import {
  fieldLabel, knownField, t, valueLabel,
} from './i18n.js';

const PAGE_SIZES = [20, 50, 100, 200];
// Shown in a new record's summary first, when it has them.
const INLINE = 6;
const SKIPPED = new Set(['password_changed']);

export async function render(root, { query, signal }) {
  if (!mayAdminister()) {
    root.append(notice(t('audit.forbidden'), 'warn'));
    return undefined;
  }
  const state = {
    page: Math.max(1, Number(query.get('page')) || 1),
    page_size: PAGE_SIZES.includes(Number(query.get('page_size'))) ? Number(query.get('page_size')) : 50,
  };
  const body = h('div', { class: 'table-area' }, loading());
  const pager = h('div', { class: 'pager', testid: 'pager' });
  let asked = null;

  const remember = () => {
    const qs = new URLSearchParams();
    if (state.page !== 1) qs.set('page', state.page);
    if (state.page_size !== 50) qs.set('page_size', state.page_size);
    const text = qs.toString();
    history.replaceState(null, '', `#/audit${text ? `?${text}` : ''}`);
  };

  const load = async () => {
    remember();
    if (asked) asked.abort();
    asked = new AbortController();
    const mine = asked;
    signal.addEventListener('abort', () => mine.abort(), { once: true });
    body.classList.add('busy');
    let data;
    try {
      data = await api.get('/api/audit', state, { signal: mine.signal, quiet: true });
    } catch (e) {
      if (aborted(e) || mine.signal.aborted) return;
      clear(body).append(notice(e.detail || e.message, 'error'));
      return;
    } finally {
      body.classList.remove('busy');
    }
    if (mine.signal.aborted) return;
    clear(body).append(data.items.length ? table([
      { key: 'at', label: t('audit.at'), render: (r) => date(r.at) },
      { key: 'username', label: t('audit.who'), kind: 'code' },
      { key: 'action', label: t('audit.action'), render: (r) => actionLabel(r.action) },
      { key: 'entity', label: t('audit.entity'), render: (r) => valueLabel('entity', r.entity) },
      { key: 'key', label: t('audit.key'), kind: 'code' },
      { key: 'change', label: t('audit.change'), render: (r) => change(r.before, r.after) },
    ], data.items, { testid: 'audit-table', rowTestid: 'audit-row', compact: true }) : notice(t('common.empty'), 'info'));
    drawPager(data);
  };

  const set = (changes) => {
    Object.assign(state, changes);
    load();
  };

  const drawPager = (data) => {
    const total = data.total ?? data.items.length;
    const pages = Math.max(1, Math.ceil(total / data.page_size));
    clear(pager).append(
      h('span', { class: 'pager-total', testid: 'table-total', 'data-total': total }, t('tables.total', { n: num(total) })),
      h('label', null, `${t('tables.pageSize')} `,
        h('select', { testid: 'page-size', onchange: (e) => set({ page_size: Number(e.target.value), page: 1 }) },
          PAGE_SIZES.map((n) => h('option', { value: n, selected: n === state.page_size }, n)))),
      h('button', { type: 'button', class: 'btn', testid: 'pager-first', disabled: state.page <= 1, onclick: () => set({ page: 1 }) }, '«'),
      h('button', { type: 'button', class: 'btn', testid: 'pager-prev', disabled: state.page <= 1, onclick: () => set({ page: state.page - 1 }) }, t('tables.prev')),
      h('span', { testid: 'pager-info' }, t('tables.page', { page: state.page, pages })),
      h('button', { type: 'button', class: 'btn', testid: 'pager-next', disabled: state.page >= pages, onclick: () => set({ page: state.page + 1 }) }, t('tables.next')),
      h('button', { type: 'button', class: 'btn', testid: 'pager-last', disabled: state.page >= pages, onclick: () => set({ page: pages }) }, '»'),
    );
  };

  root.append(
    h('div', { class: 'page-head' }, h('h1', null, t('audit.title'))),
    h('section', { class: 'card', testid: 'audit' }, h('div', { class: 'card-body' }, body, pager)),
  );
  await load();
  return () => { if (asked) asked.abort(); };
}

function actionLabel(action) {
  const shown = valueLabel('action', action);
  return shown === action ? action : h('span', { title: action }, shown);
}

/** The store keeps before and after as JSON text; older rows may hold anything. */
function parsed(value) {
  if (value == null || typeof value === 'object') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function label(key) {
  return knownField(key) ? fieldLabel(key) : key;
}

// Numbers that are names, not amounts: no thousands separator.
const PLAIN = new Set(['year', 'id', 'run_id', 'zone_no']);

function shown(value, key) {
  if (value == null || value === '') return h('span', { class: 'muted' }, '∅');
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  if (typeof value === 'number') return PLAIN.has(key) ? String(value) : num(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The change of one row: "field: before → after" for each changed field, or a new record's fields. */
function change(rawBefore, rawAfter) {
  const before = parsed(rawBefore);
  const after = parsed(rawAfter);
  if (before == null && after == null) return null;
  const isObject = (x) => x && typeof x === 'object' && !Array.isArray(x);
  if (!isObject(before) && !isObject(after)) {
    return h('span', { class: 'diff' }, shown(before), ' → ', shown(after));
  }
  const items = [];
  if (isObject(after) && after.password_changed) items.push(h('li', { class: 'diff-flag' }, t('audit.passwordReset')));
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !SKIPPED.has(k) && !same(before[k], after[k]));
    for (const k of keys) {
      items.push(h('li', { testid: 'audit-diff', 'data-key': k },
        h('span', { class: 'k', title: k }, label(k)), ' ',
        h('del', null, shown(before[k], k)), ' → ', h('ins', null, shown(after[k], k))));
    }
    if (!items.length) items.push(h('li', { class: 'muted' }, t('audit.noChange')));
    return h('ul', { class: 'diff' }, items);
  }
  // created (only after) or removed (only before): the record's fields, the long tail folded away
  const record = isObject(after) ? after : before;
  const kind = isObject(after) ? t('audit.created') : t('audit.removed');
  const entries = Object.entries(record).filter(([k, v]) => !SKIPPED.has(k) && v != null && v !== '');
  const line = ([k, v]) => h('li', { testid: 'audit-diff', 'data-key': k },
    h('span', { class: 'k', title: k }, label(k)), ' ', isObject(after) ? h('ins', null, shown(v, k)) : h('del', null, shown(v, k)));
  return h('div', null,
    h('ul', { class: 'diff' }, h('li', { class: 'diff-flag' }, kind), ...items, entries.slice(0, INLINE).map(line)),
    entries.length > INLINE ? h('details', { class: 'more' },
      h('summary', null, t('audit.more', { n: entries.length - INLINE })),
      h('ul', { class: 'diff' }, entries.slice(INLINE).map(line))) : null);
}
