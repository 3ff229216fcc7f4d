// One audit row's change in words: each changed field as before → after, or a new record's fields.
// Shared by the audit log and the dossiers' history.

import { h } from './dom.js';
import { num, policyNamed } from './format.js';
import {
  fieldLabel, knownField, selectionLabel, t, valueLabel,
} from './i18n.js';

// Shown in a new record's summary first, when it has them.
const INLINE = 6;
const SKIPPED = new Set(['password_changed', 'reason']);

export function actionLabel(action) {
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
const PLAIN = new Set(['year', 'id', 'run_id', 'zone_no', 'import_id', 'evaluation_run_id', 'crs_epsg']);

// Values that are codes with names: shown by their name, the code as a tooltip.
const NAMED = { role: 'role' };
const DIGEST_SHOWN = 12;

function shown(value, key) {
  if (value == null || value === '') return h('span', { class: 'muted' }, '∅');
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  if (typeof value === 'number') return PLAIN.has(key) ? String(value) : num(value);
  if (key === 'policy') return policyNamed(value);
  if (key === 'selection') {
    const words = selectionLabel(value);
    return words === value ? String(value) : h('span', { title: value }, words);
  }
  if (key === 'sha256') return h('code', { title: value }, `${String(value).slice(0, DIGEST_SHOWN)}…`);
  if (NAMED[key]) {
    const name = valueLabel(NAMED[key], value);
    return name === value ? String(value) : h('span', { title: value }, name);
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The change of one row: "field: before → after" for each changed field, or a new record's fields;
 * ``key`` names a single value that changed (a setting). Only a ``*.create`` action is flagged as a
 * new record: a log-in or an import records its circumstances, not a record it made.
 */
export function change(rawBefore, rawAfter, key = '', action = '') {
  const before = parsed(rawBefore);
  const after = parsed(rawAfter);
  if (before == null && after == null) return null;
  const isObject = (x) => x && typeof x === 'object' && !Array.isArray(x);
  if (!isObject(before) && !isObject(after)) {
    return h('span', { class: 'diff' }, shown(before, key), ' → ', shown(after, key));
  }
  const items = [];
  if (isObject(after) && after.password_changed) items.push(h('li', { class: 'diff-flag' }, t('audit.passwordReset')));
  if (isObject(after) && after.reason) {
    items.push(h('li', { class: 'diff-reason', testid: 'audit-reason' }, `${t('audit.reason')}：${after.reason}`));
  }
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
  const flagged = isObject(after) ? action.endsWith('.create') : action.endsWith('.delete');
  const kind = flagged ? (isObject(after) ? t('audit.created') : t('audit.removed')) : null;
  const entries = Object.entries(record).filter(([k, v]) => !SKIPPED.has(k) && v != null && v !== '');
  const line = ([k, v]) => h('li', { testid: 'audit-diff', 'data-key': k },
    h('span', { class: 'k', title: k }, label(k)), ' ', isObject(after) ? h('ins', null, shown(v, k)) : h('del', null, shown(v, k)));
  return h('div', null,
    h('ul', { class: 'diff' }, kind ? h('li', { class: 'diff-flag' }, kind) : null, ...items, entries.slice(0, INLINE).map(line)),
    entries.length > INLINE ? h('details', { class: 'more' },
      h('summary', null, t('audit.more', { n: entries.length - INLINE })),
      h('ul', { class: 'diff' }, entries.slice(INLINE).map(line))) : null);
}
