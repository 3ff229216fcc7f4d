// 操作日志 (admin): who did what and when, newest first, a page at a time; a change shows the
// fields it changed (before → after), a new record its fields.

import { aborted, api, latestOnly } from './api.js';
import { actionLabel, change } from './changes.js';
import { mayAdminister } from './context.js';
import {
  clear, h, loading, notice, table,
} from './dom.js';
import { localTime, num } from './format.js';
import { actorLabel, t, valueLabel } from './i18n.js';

const PAGE_SIZES = [20, 50, 100, 200];
const FILTERS = ['username', 'action', 'since', 'until'];

// A setting's row names the setting (its value is the change); a log-in's, the user (shown as who).
const recordField = (r) => (r.entity === 'settings' ? r.key : '');
function recordKey(r) {
  if (r.entity === 'settings') return valueLabel('setting', r.key);
  return r.entity === 'login' ? actorLabel(r.key) : r.key;
}

export async function render(root, { query, signal }) {
  if (!mayAdminister()) {
    root.append(notice(t('audit.forbidden'), 'warn'));
    return undefined;
  }
  const state = {
    page: Math.max(1, Number(query.get('page')) || 1),
    page_size: PAGE_SIZES.includes(Number(query.get('page_size'))) ? Number(query.get('page_size')) : 50,
  };
  for (const name of FILTERS) state[name] = query.get(name) || '';
  const body = h('div', { class: 'table-area' }, loading());
  const filterBar = h('div', { class: 'filters', testid: 'audit-filters' });
  const pager = h('div', { class: 'pager', testid: 'pager' });
  const requests = latestOnly(signal);

  const remember = () => {
    const qs = new URLSearchParams();
    for (const name of FILTERS) if (state[name]) qs.set(name, state[name]);
    if (state.page !== 1) qs.set('page', state.page);
    if (state.page_size !== 50) qs.set('page_size', state.page_size);
    const text = qs.toString();
    history.replaceState(null, '', `#/audit${text ? `?${text}` : ''}`);
  };

  const load = async () => {
    remember();
    const mine = requests.next();
    body.classList.add('busy');
    let data;
    try {
      const asked = Object.fromEntries(Object.entries(state).filter(([, v]) => v !== ''));
      data = await api.get('/api/audit', asked, { signal: mine, quiet: true });
    } catch (e) {
      if (aborted(e) || mine.aborted) return;
      clear(body).append(notice(e.detail || e.message, 'error'));
      return;
    } finally {
      body.classList.remove('busy');
    }
    if (mine.aborted) return;
    drawFilters(data);
    clear(body).append(data.items.length ? table([
      { key: 'at', label: t('audit.at'), render: (r) => localTime(r.at) },
      { key: 'username', label: t('audit.who'), render: (r) => actorLabel(r.username) },
      { key: 'action', label: t('audit.action'), render: (r) => actionLabel(r.action) },
      { key: 'entity', label: t('audit.entity'), render: (r) => valueLabel('entity', r.entity) },
      { key: 'key', label: t('audit.key'), kind: 'code', render: (r) => recordKey(r) },
      { key: 'change', label: t('audit.change'), render: (r) => change(r.before, r.after, recordField(r), r.action) },
    ], data.items, { testid: 'audit-table', rowTestid: 'audit-row', compact: true }) : notice(t('common.empty'), 'info'));
    drawPager(data);
  };

  const drawFilters = (data) => {
    if (filterBar.childElementCount) return;
    const choice = (name, label, values, shown) => h('label', { class: 'field' }, h('span', null, label),
      h('select', { testid: `audit-filter-${name}`, onchange: (e) => set({ [name]: e.target.value, page: 1 }) },
        h('option', { value: '' }, t('common.all')),
        values.map((v) => h('option', { value: v, selected: v === state[name] }, shown(v)))));
    const day = (name, label) => h('label', { class: 'field' }, h('span', null, label),
      h('input', {
        type: 'date', value: state[name], testid: `audit-filter-${name}`,
        onchange: (e) => set({ [name]: e.target.value, page: 1 }),
      }));
    filterBar.append(
      choice('username', t('audit.who'), data.usernames || [], actorLabel),
      choice('action', t('audit.action'), data.actions || [], (v) => valueLabel('action', v)),
      day('since', t('audit.since')),
      day('until', t('audit.until')),
      h('button', {
        type: 'button', class: 'btn', testid: 'audit-filter-reset',
        onclick: () => {
          clear(filterBar);
          set(Object.fromEntries([...FILTERS.map((n) => [n, '']), ['page', 1]]));
        },
      }, t('tables.reset')),
      h('span', { class: 'muted' }, t('audit.zone')));
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
    h('section', { class: 'card', testid: 'audit' }, h('div', { class: 'card-body' }, filterBar, body, pager)),
  );
  await load();
  return () => requests.cancel();
}
