// Showing values: numbers, dates, classes, categories, and the private figures a user may not see.

import { h } from './dom.js';
import {
  isPrivateName, lang, locale, policyLabel, t, valueLabel,
} from './i18n.js';

// Private enterprise figures and everything derived from them, as the server names them
// (GET /api/labels → private). A restricted row shows "无权查看" here, never a number.
export function isPrivate(name) {
  return isPrivateName(name);
}

export function restrictedMark() {
  return h('span', { class: 'restricted', testid: 'restricted', title: t('restricted.title') }, t('restricted'));
}

/** A number with a sensible precision: whole numbers as they are, large ones with one decimal, else two. */
export function num(value, digits) {
  if (value == null || value === '' || Number.isNaN(Number(value))) return '—';
  const n = Number(value);
  const d = digits ?? (Number.isInteger(n) ? 0 : Math.abs(n) >= 1000 ? 1 : Math.abs(n) >= 1 ? 2 : 4);
  return n.toLocaleString(locale(), { maximumFractionDigits: d, minimumFractionDigits: 0 });
}

export function mu(value) {
  return num(value, 2);
}

export function percent(value, digits = 1) {
  if (value == null || Number.isNaN(Number(value))) return '—';
  return `${(Number(value) * 100).toFixed(digits)}%`;
}

export function date(value) {
  if (!value) return '';
  return String(value).replace('T', ' ').slice(0, 19);
}

// The city's clock: every time the app shows is Beijing time, whatever the browser's own zone.
export const TIME_ZONE = 'Asia/Shanghai';
const CLOCK = new Intl.DateTimeFormat('sv-SE', {
  timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/**
 * A stored time (ISO; UTC when it names no zone, as SQLite keeps it) in Beijing time with the
 * zone: ``2026-11-02 14:03:05 UTC+8``.
 */
export function localTime(value) {
  if (!value) return '';
  const text = String(value);
  const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text.replace(' ', 'T')}Z`;
  const at = new Date(zoned);
  if (Number.isNaN(at.getTime())) return date(value);
  return h('time', { datetime: at.toISOString(), title: t('audit.zone') }, `${CLOCK.format(at)} UTC+8`);
}

/** A figure, or "无权查看" when the row is restricted and the figure private. */
export function figure(row, name, digits) {
  if (isPrivate(name) && row.restricted && row[name] == null) return restrictedMark();
  return num(row[name], digits);
}

let legend = { classes: [], categories: [], none_color: '#d9d9d9' };

export function useLegend(value) {
  if (value) legend = value;
}

export function classColor(code) {
  return legend.classes.find((c) => c.code === code)?.color || legend.none_color;
}

export function classLabel(code) {
  const found = legend.classes.find((c) => c.code === code);
  if (!found) return code || t('map.unrated');
  return lang() === 'en' ? found.label_en || found.label_zh : found.label_zh;
}

export function categoryColor(name) {
  return legend.categories.find((c) => c.name === name)?.color || legend.none_color;
}

/** A coloured badge for a class A/B/C/D (or "未评价"). */
export function classBadge(code) {
  if (!code) return h('span', { class: 'badge badge-none' }, t('map.unrated'));
  const color = classColor(code);
  return h('span', {
    class: 'badge', title: classLabel(code),
    style: { background: color, color: textOn(color) },
  }, code);
}

/** Categories (a list, or a "|"-joined string) as chips. */
export function categoryChips(value) {
  const names = Array.isArray(value) ? value : String(value || '').split('|').filter(Boolean);
  if (!names.length) return null;
  return h('span', { class: 'chips' }, names.map((name) =>
    h('span', { class: 'chip' }, h('i', { class: 'dot', style: { background: categoryColor(name) } }), name)));
}

/** A coded value in words, with the code kept as a tooltip. */
export function coded(field, value) {
  if (value == null || value === '') return null;
  const shown = valueLabel(field, value);
  return shown === value ? String(value) : h('span', { title: value }, shown);
}

/** A policy by its name, the reference (its version) as a tooltip. */
export function policyNamed(reference) {
  if (reference == null || reference === '') return null;
  const shown = policyLabel(reference);
  return shown === reference ? String(reference) : h('span', { title: reference }, shown);
}

/** Black or white text, whichever reads better on ``hex``. */
export function textOn(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(hex || '');
  if (!m) return '#fff';
  const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#1f2a37' : '#fff';
}
