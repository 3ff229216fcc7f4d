// 一地一档: one parcel — where it is, its facts, who used it when, their figures, its evaluation,
// the low-efficiency findings with evidence and clause, its renewal zone and its history.

import { api } from './api.js';
import { legend as getLegend } from './context.js';
import { card, clear, empty, facts, h, loading, table } from './dom.js';
import { attributeList, dossierHead, historyCard, metricsBlock, sectionLinks } from './dossier.js';
import { findingList, keyValues } from './findings.js';
import {
  categoryChips, classBadge, coded, mu, num, percent, policyNamed, restrictedMark,
} from './format.js';
import { Charts } from './charts.js';
import { fieldLabel, t } from './i18n.js';
import { zoneHref } from './tables.js';
import { dossierMap } from './maplib.js';

export async function render(root, { args: [code], signal }) {
  root.append(loading());
  const [d, setup, legend] = await Promise.all([
    api.get(`/api/parcels/${encodeURIComponent(code)}`, null, { signal, quiet: true }),
    api.get('/api/map', null, { signal, quiet: true }).catch(() => ({})),
    getLegend(),
  ]);
  if (signal.aborted) return undefined;
  const charts = new Charts();
  const p = d.parcel;
  const categories = [...new Set((d.findings || []).map((f) => f.category).filter(Boolean))];
  const mapEl = h('div', { class: 'minimap', testid: 'dossier-map' });

  clear(root).append(
    h('div', { class: 'breadcrumb' }, h('a', { href: '#/map' }, t('nav.map')), ' / ', t('parcel.title')),
    dossierHead(t('parcel.title'), p.parcel_code, [
      [fieldLabel('town_name'), [p.town_name, p.village_name].filter(Boolean).join(' ') || '—'],
      [fieldLabel('area_mu'), mu(p.area_mu)],
      [fieldLabel('class'), classBadge(p.class ?? d.evaluation?.class)],
      categories.length ? [fieldLabel('categories'), categoryChips(categories)] : null,
    ], [
      h('a', { class: 'btn', href: `#/map?parcel=${encodeURIComponent(p.parcel_code)}`, testid: 'dossier-on-map' }, t('parcel.onMap')),
    ], 'parcel-dossier'),
    sectionLinks([
      [t('parcel.attributes'), 'parcel-attributes'], [t('parcel.enterprises'), 'parcel-enterprises'],
      [t('parcel.metrics'), 'parcel-metrics'], [t('parcel.evaluation'), 'evaluation'],
      [t('parcel.findings'), 'findings'], [t('parcel.zone'), 'parcel-zone'],
      [t('parcel.buildings'), 'parcel-buildings'], [t('life.title'), 'parcel-lifecycle'],
      [t('parcel.history'), 'history'],
    ]),
    h('div', { class: 'grid-2' },
      card(t('parcel.attributes'), 'parcel-attributes', facts(attributeList(p, {
        rights_type: (v) => coded('rights_type', v),
        class: (v) => classBadge(v),
        area_mu: (v) => mu(v),
        registered_area_mu: (v) => mu(v),
      }, ['town_code']))),
      card(t('parcel.map'), 'parcel-location', mapEl)),
    h('div', { style: { height: '16px' } }),
    card(t('parcel.enterprises'), 'parcel-enterprises', enterprisesOverTime(d.enterprises || [])),
    card(t('parcel.metrics'), 'parcel-metrics', metricsBlock(d.metrics, {
      restricted: d.restricted, charts, testid: 'parcel-metrics',
      names: new Map((d.enterprises || []).map((e) => [e.uscc, e.name])),
    })),
    card(t('parcel.evaluation'), 'evaluation', evaluationBlock(d.evaluation, d.classes)),
    card(t('parcel.findings'), 'findings',
      d.identification ? h('p', { class: 'note', style: { marginTop: 0 } },
        t('finding.run', { id: d.identification.run_id, as_of: d.identification.as_of })) : null,
      findingList(d.findings)),
    card(t('parcel.zone'), 'parcel-zone', zoneBlock(d.zone)),
    card(t('parcel.buildings'), 'parcel-buildings', buildingsTable(d.buildings),
      d.buildings?.length ? h('p', { class: 'note' },
        h('a', { href: `#/tables/buildings?parcel=${encodeURIComponent(p.parcel_code)}`, testid: 'parcel-buildings-list' }, `${t('tables.buildings')} →`)) : null),
    card(t('life.title'), 'parcel-lifecycle', lifecycle(d)),
    historyCard(d.history),
  );

  const removeMap = await miniMap(mapEl, d, setup, legend, signal);
  return () => {
    charts.dispose();
    if (removeMap) removeMap();
  };
}

// The parcel's dates in the order of its life: each agreed date (a deadline) with the date that
// kept it, if any (late, or overdue when it is still missing).
const MILESTONES = [
  ['approved_date'], ['supplied_date'],
  ['agreed_start_date', 'actual_start_date'], ['actual_start_date'],
  ['agreed_completion_date', 'completion_date'], ['completion_date'],
  ['production_date'], ['stopped_date'],
];
const DAY = 86400000;

/** 全周期记录: land dates, deadlines kept or missed, who came and went, each year's class, the findings. */
function lifecycle(d) {
  const p = d.parcel;
  const today = new Date().toISOString().slice(0, 10);
  const events = [];
  for (const [field, kept] of MILESTONES) {
    const day = p[field];
    if (!day) continue;
    let note = null;
    if (kept) {
      const done = p[kept];
      if (done && done > day) note = h('span', { class: 'severity-warning' }, t('life.late', { days: num((Date.parse(done) - Date.parse(day)) / DAY) }));
      else if (!done && day < today) note = h('span', { class: 'severity-error' }, t('life.overdue', { days: num((Date.parse(today) - Date.parse(day)) / DAY) }));
    }
    events.push({ day, kind: kept ? 'deadline' : 'land', text: fieldLabel(field).replace(/日期$/, ''), note });
  }
  for (const e of d.enterprises || []) {
    const link = h('a', { href: `#/enterprise/${encodeURIComponent(e.uscc)}` }, e.name || e.uscc);
    if (e.start_date) events.push({ day: e.start_date, kind: 'enterprise', text: [link, ' ', t('life.moveIn')] });
    if (e.end_date) events.push({ day: e.end_date, kind: 'enterprise', text: [link, ' ', t('life.moveOut')] });
  }
  for (const c of d.classes || []) {
    events.push({ day: `${c.year}-12-31`, shown: t('life.year', { year: c.year }), kind: 'evaluation',
      text: [t('life.evaluated', { year: c.year }), ' ', classBadge(c.class)] });
  }
  if (d.identification) {
    const n = (d.findings || []).length;
    events.push({ day: d.identification.as_of, kind: 'finding',
      text: n ? [t('life.identified', { n }), ' ', categoryChips([...new Set(d.findings.map((f) => f.category).filter(Boolean))])] : t('life.clear') });
  }
  if (!events.length) return empty(t('life.empty'));
  events.sort((a, b) => a.day.localeCompare(b.day));
  return h('ol', { class: 'lifecycle', testid: 'lifecycle' }, events.map((e) => h('li', { class: `life-${e.kind}`, testid: 'life-event', 'data-kind': e.kind },
    h('time', { datetime: e.day }, e.shown || e.day),
    h('span', { class: 'life-dot', 'aria-hidden': 'true' }),
    h('span', { class: 'life-text' }, e.kind === 'deadline' ? h('small', { class: 'life-tag' }, t('life.deadline')) : null, e.text, e.note ? [' ', e.note] : null))));
}

function enterprisesOverTime(rows) {
  if (!rows.length) return empty(t('parcel.noEnterprises'));
  const today = new Date().toISOString().slice(0, 10);
  const columns = [
    { key: 'name', label: fieldLabel('name'), render: (r) => h('a', { href: `#/enterprise/${encodeURIComponent(r.uscc)}` }, r.name || r.uscc) },
    { key: 'uscc', label: fieldLabel('uscc'), kind: 'code' },
    { key: 'start_date', label: fieldLabel('start_date') },
    { key: 'end_date', label: fieldLabel('end_date'), render: (r) => r.end_date || h('span', { class: 'muted' }, t('parcel.untilNow')) },
    { key: 'land_share', label: fieldLabel('land_share'), kind: 'number', render: (r) => (r.land_share == null ? null : percent(r.land_share, 0)) },
    { key: 'tenure', label: fieldLabel('tenure'), render: (r) => coded('tenure', r.tenure) },
  ];
  const dated = rows.filter((r) => r.start_date);
  let timeline = null;
  if (dated.length) {
    const start = Date.parse(dated.map((r) => r.start_date).sort()[0]);
    const end = Date.parse(today);
    const span = Math.max(end - start, 1);
    const at = (value) => Math.min(100, Math.max(0, ((Date.parse(value) - start) / span) * 100));
    timeline = h('div', { class: 'timeline', testid: 'enterprise-timeline' },
      h('h3', { class: 'note' }, t('parcel.timeline')),
      dated.map((r) => {
        const left = at(r.start_date);
        const right = r.end_date ? at(r.end_date) : 100;
        return h('div', { class: 'timeline-row' },
          h('span', { class: 'name', title: r.name }, r.name || r.uscc),
          h('div', { class: 'timeline-track' },
            h('i', {
              class: r.end_date ? null : 'open',
              title: `${r.start_date} – ${r.end_date || t('parcel.untilNow')}`,
              style: { left: `${left}%`, width: `${Math.max(right - left, 0.8)}%` },
            })));
      }),
      h('div', { class: 'timeline-axis' }, h('span'),
        h('div', null, h('span', null, new Date(start).toISOString().slice(0, 10)), h('span', null, today))));
  }
  return h('div', null, table(columns, rows, { testid: 'parcel-enterprises-table' }), timeline);
}

function evaluationBlock(ev, classes) {
  if (!ev) return empty(t('parcel.noEvaluation'));
  if (ev.status === 'no_user' || (!ev.unit_key && ev.note)) {
    return h('p', { class: 'empty' }, `${ev.year ?? ''} ${ev.note || t('parcel.noEvaluation')}`);
  }
  const parts = (ev.score_breakdown || ev.indicators || []).map((x) => ({
    name: x.name ?? x.label_zh ?? x.indicator ?? x.key,
    key: x.indicator ?? x.key,
    unit: x.unit,
    value: x.value,
    benchmark: x.benchmark,
    weight: x.weight,
    points: x.points ?? x.part_score,
  }));
  const most = Math.max(1e-9, ...parts.map((x) => Number(x.points) || 0));
  const hidden = (v) => (ev.restricted && v == null ? restrictedMark() : num(v));
  const prev = ev.previous_year;
  const head = h('div', { class: 'score-head', testid: 'evaluation-summary' },
    h('div', null, h('div', { class: 'label' }, t('eval.run')), h('div', { class: 'big' }, ev.year ?? ev.run?.year ?? '—')),
    h('div', null, h('div', { class: 'label' }, t('eval.class')),
      h('div', null, classBadgeLarge(ev.class), ' ', ev.class_name || '')),
    h('div', null, h('div', { class: 'label' }, t('eval.score')), h('div', { class: 'big', testid: 'evaluation-score' }, num(ev.score, 2))),
    h('div', null, h('div', { class: 'label' }, t('eval.rank')),
      h('div', { class: 'big' }, ev.rank != null ? t('eval.rankOf', { rank: num(ev.rank), size: num(ev.rank_size) }) : '—')),
    prev ? h('div', null, h('div', { class: 'label' }, `${t('eval.previous')}（${prev.year}）`),
      h('div', null, classBadge(prev.class), ' ', num(prev.score, 2),
        prev.score_change != null ? h('span', { class: prev.score_change < 0 ? 'severity-error' : 'muted' },
          ` (${prev.score_change > 0 ? '+' : ''}${num(prev.score_change, 2)})`) : null)) : null,
  );
  const info = facts([
    [t('eval.list'), ev.list_name || ev.list],
    [t('eval.status'), ev.status_name || ev.status],
    [t('eval.unit'), ev.unit_key],
    [t('eval.rankIndustry'), ev.rank_industry != null ? t('eval.rankOf', { rank: num(ev.rank_industry), size: num(ev.rank_industry_size) }) : null],
    [fieldLabel('land_mu'), ev.land_mu != null ? mu(ev.land_mu) : null],
    [t('eval.policy'), policyNamed(ev.policy || ev.run?.policy_version)],
    ev.filled_with_list_mean?.length ? [t('eval.filled'), ev.filled_with_list_mean.map((k) => fieldLabel(k)).join('、')] : null,
    ev.enterprises?.length > 1 ? [t('eval.members'), ev.enterprises.map((e) => e.name).join('、')] : null,
  ]);
  const columns = [
    { key: 'name', label: t('eval.indicator') },
    { key: 'unit', label: t('eval.unitCol') },
    { key: 'value', label: t('eval.value'), kind: 'number', render: (r) => hidden(r.value) },
    { key: 'benchmark', label: t('eval.benchmark'), kind: 'number', render: (r) => num(r.benchmark) },
    { key: 'weight', label: t('eval.weight'), kind: 'number', render: (r) => num(r.weight) },
    { key: 'points', label: t('eval.points'), kind: 'number', render: (r) => hidden(r.points) },
    {
      key: 'bar', label: '',
      render: (r) => (r.points == null ? null
        : h('div', { class: 'bar' }, h('i', { style: { width: `${Math.min(100, (r.points / most) * 100)}%` } }))),
    },
  ];
  const history = classes?.length ? h('div', null,
    h('h3', { class: 'note' }, t('parcel.classes')),
    table([
      { key: 'year', label: t('common.year') },
      { key: 'class', label: t('eval.class'), render: (r) => classBadge(r.class) },
      { key: 'score', label: t('eval.score'), kind: 'number', render: (r) => num(r.score, 2) },
    ], classes, { testid: 'parcel-classes' })) : null;
  const sources = ev.sources && Object.keys(ev.sources).length ? h('details', { class: 'more', style: { marginTop: '10px' } },
    h('summary', null, t('eval.sources')), keyValues(ev.sources)) : null;
  return h('div', { class: 'stack' },
    head,
    ev.restricted ? h('div', { class: 'restricted-box', testid: 'evaluation-restricted' }, t('restricted.notice')) : null,
    parts.length ? table(columns, parts, { testid: 'evaluation-indicators' }) : null,
    info, history, sources);
}

function classBadgeLarge(code) {
  const badge = classBadge(code);
  badge.classList.add('badge-lg');
  return badge;
}

function zoneBlock(zone) {
  if (!zone) return empty(t('parcel.noZone'));
  return h('div', null,
    facts([
      [t('zone.no'), h('span', null,
        h('a', { href: zoneHref(zone.zone_no, zone.run_id), testid: 'zone-link' }, t('map.zoneNo', { n: zone.zone_no })),
        '　', h('a', { href: `#/map?zone=${zone.zone_no}`, testid: 'zone-map-link' }, t('parcel.onMap')))],
      [t('zone.area'), mu(zone.area_mu)],
      [t('zone.verdict'), zone.verdict],
      [t('zone.run'), zone.run_id],
    ]));
}

function buildingsTable(rows) {
  if (!rows?.length) return empty();
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((n) => n !== 'parcel_code');
  return table(names.map((n) => ({
    key: n,
    label: fieldLabel(n),
    kind: n === 'building_code' ? 'code' : typeof rows[0][n] === 'number' ? 'number' : 'text',
    render: n === 'use_type' ? (r) => coded('use_type', r.use_type) : typeof rows[0][n] === 'number' ? (r) => num(r[n]) : undefined,
  })), rows, { testid: 'parcel-buildings-table' });
}

/** A small map of the parcel over its neighbours (a click on a neighbour opens its dossier). */
function miniMap(el, d, setup, legend, signal) {
  const code = d.parcel.parcel_code;
  return dossierMap(el, {
    geometry: d.geometry, bbox: d.bbox, setup, legend, signal,
    opacity: ['case', ['==', ['get', 'code'], code], 0.9, 0.3],
    onParcel: (other) => { if (other !== code) location.hash = `#/parcel/${encodeURIComponent(other)}`; },
  });
}
