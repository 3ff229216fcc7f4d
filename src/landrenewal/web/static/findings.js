// A finding explained: the rule, its low-efficiency type, the evidence values, the threshold and the clause.

import { h } from './dom.js';
import { categoryChips, num, restrictedMark } from './format.js';
import {
  fieldLabel, knownField, lang, ruleLabel, t,
} from './i18n.js';

const RESTRICTED_TEXT = /^无权查看/;
const INLINE_KEYS = 8;

function value(v) {
  if (v == null || v === '') return h('span', { class: 'muted' }, '—');
  if (typeof v === 'string' && RESTRICTED_TEXT.test(v)) return restrictedMark();
  if (typeof v === 'number') return num(v);
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
  if (Array.isArray(v)) return v.join('、');
  if (typeof v === 'object') return keyValues(v);
  return String(v);
}

// Units that say what kind of value it is rather than what to read after the number.
const UNITLESS = new Set(['比例', '类型', '方法', '分', '指标列表', '各指标单位']);

/**
 * A policy parameter's description in the UI's language. Results stored before the files gave the
 * English apart hold "中文 (English)" in one text: each language takes its part of it.
 */
function described(term) {
  const text = term?.description || '';
  if (lang() === 'en' && term?.description_en) return term.description_en;
  const m = /^(.*?)\s*\(([^()]*[A-Za-z][^()]*)\)\s*$/.exec(text);
  if (!m) return text;
  return lang() === 'en' ? m[2] : m[1];
}

// A threshold by its short name, its policy description on hover; a name nobody gave shows as it is.
function termLabel(k, terms) {
  const term = terms?.[k];
  const about = term?.description ? described(term) : undefined;
  if (knownField(k)) return h('span', { title: about }, fieldLabel(k));
  return about ? h('span', null, about) : h('code', null, k);
}

function withUnit(v, k, terms) {
  const unit = !knownField(k) && terms?.[k]?.unit; // a domain name carries its unit
  return unit && !UNITLESS.has(unit) && typeof v === 'number' ? [value(v), ' ', h('small', null, unit)] : value(v);
}

/**
 * {key: value} as "label value" pairs; a long table (e.g. FAR minimum per industry) folds away.
 * ``terms`` names policy parameters (threshold keys) by their description and unit.
 */
export function keyValues(data, terms = null) {
  if (data == null || data === '') return h('span', { class: 'muted' }, '—');
  if (typeof data !== 'object') return String(data);
  const entries = Object.entries(data);
  if (!entries.length) return h('span', { class: 'muted' }, '—');
  const pairs = entries.map(([k, v]) => {
    const nested = v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > INLINE_KEYS;
    if (nested) {
      return h('details', { class: 'more' },
        h('summary', null, termLabel(k, terms), `（${t('common.items', { n: Object.keys(v).length })}）`),
        h('div', { class: 'kv' }, Object.entries(v).map(([kk, vv]) =>
          h('span', null, h('span', { class: 'k' }, kk), ' ', h('b', null, value(vv))))));
    }
    return h('span', { title: k }, h('span', { class: 'k' }, termLabel(k, terms)), ' ', h('b', null, withUnit(v, k, terms)));
  });
  return h('div', { class: 'kv' }, pairs);
}

/** The findings as cards; ``withParcel`` adds the parcel code (an enterprise's findings span parcels). */
export function findingList(findings, { withParcel = false } = {}) {
  if (!findings?.length) return h('p', { class: 'empty', testid: 'no-findings' }, t('parcel.noFindings'));
  return h('div', { class: 'finding-list' }, findings.map((f) => h('article', { class: 'finding', testid: 'finding' },
    h('div', { class: 'finding-head' },
      h('strong', { title: f.rule_id }, ruleLabel(f.rule_id, f.rule_name)),
      categoryChips([f.category].filter(Boolean)),
      withParcel && f.parcel_code
        ? h('a', { href: `#/parcel/${encodeURIComponent(f.parcel_code)}`, class: 'code' }, f.parcel_code) : null),
    h('dl', null,
      h('dt', null, t('finding.evidence')), h('dd', { testid: 'finding-evidence' }, keyValues(f.evidence)),
      h('dt', null, t('finding.threshold')), h('dd', { testid: 'finding-threshold' }, keyValues(f.threshold, f.threshold_terms)),
      h('dt', null, t('finding.clause')), h('dd', { testid: 'finding-clause' }, f.clause || '—'),
      f.milestone ? [h('dt', null, t('finding.milestone')), h('dd', null, f.milestone)] : null))));
}
