// Building the page: a tiny element helper, cards, tables, toasts.

import { t } from './i18n.js';

const PROPERTIES = new Set(['value', 'checked', 'selected', 'disabled', 'multiple', 'required', 'hidden']);

/**
 * An element: ``h('a', {href, class, testid, onclick}, child, …)``. Children may be nodes, text,
 * arrays or null (skipped). ``testid`` becomes ``data-testid``.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  const later = [];
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'testid') el.dataset.testid = value;
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (PROPERTIES.has(key)) later.push([key, value]);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  for (const [key, value] of later) el[key] = value;
  return el;
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** A titled card: a page section. */
export function card(title, testid, ...body) {
  return h('section', { class: 'card', testid },
    title ? h('h2', { class: 'card-title' }, title) : null,
    h('div', { class: 'card-body' }, ...body));
}

export function empty(text) {
  return h('p', { class: 'empty' }, text || t('common.empty'));
}

export function loading() {
  return h('div', { class: 'loading' }, h('span', { class: 'spinner' }), t('common.loading'));
}

/** A page-level message (not found, forbidden, failed to load). */
export function notice(text, kind = 'info') {
  return h('div', { class: `notice notice-${kind}` }, text);
}

/**
 * A table: ``columns`` = [{key, label, kind: 'number'|'code'|'text', render(row) → node|text, sortable}].
 * Options: testid, rowTestid, onRow(row) (clickable rows), sort {key, order}, onSort(key), compact (text wraps).
 */
export function table(columns, rows, options = {}) {
  const head = h('tr', null, columns.map((col) => {
    const sorted = options.sort && options.sort.key === col.key;
    const th = h('th', {
      class: [col.kind === 'number' ? 'num' : '', col.sortable ? 'sortable' : '', sorted ? `sorted ${options.sort.order}` : '']
        .join(' ').trim() || null,
      scope: 'col',
      'aria-sort': sorted ? (options.sort.order === 'desc' ? 'descending' : 'ascending') : null,
      'data-key': col.key,
    }, col.label);
    if (col.sortable && options.onSort) {
      th.tabIndex = 0;
      th.addEventListener('click', () => options.onSort(col.key));
      th.addEventListener('keydown', (e) => { if (e.key === 'Enter') options.onSort(col.key); });
    }
    return th;
  }));
  const body = h('tbody', null, rows.map((row) => {
    const tr = h('tr', { testid: options.rowTestid || null },
      columns.map((col) => {
        const shown = col.render ? col.render(row) : row[col.key];
        return h('td', { class: col.kind === 'number' ? 'num' : col.kind === 'code' ? 'code' : null },
          shown == null || shown === '' ? h('span', { class: 'muted' }, '—') : shown);
      }));
    if (options.onRow) {
      tr.classList.add('clickable');
      tr.tabIndex = 0;
      tr.addEventListener('click', (e) => { if (!e.target.closest('a,button')) options.onRow(row); });
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') options.onRow(row); });
    }
    return tr;
  }));
  return h('div', { class: 'table-wrap' },
    h('table', { class: `data ${options.compact ? 'compact' : ''}`.trim(), testid: options.testid || null }, h('thead', null, head), body));
}

/** Label/value pairs as a two-column definition grid. */
export function facts(pairs, testid) {
  return h('dl', { class: 'facts', testid },
    pairs.filter(Boolean).map(([label, value]) => [
      h('dt', null, label),
      h('dd', null, value == null || value === '' ? h('span', { class: 'muted' }, '—') : value),
    ]));
}

let toastBox;

/** A short message in the corner; errors stay longer. */
export function toast(message, kind = 'error') {
  toastBox = toastBox || document.getElementById('toasts');
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status', testid: 'toast' },
    h('span', null, message),
    h('button', { class: 'toast-close', type: 'button', 'aria-label': t('common.close'), onclick: () => el.remove() }, '×'));
  toastBox.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/** Waits ``ms`` after the last call before calling ``fn``. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
