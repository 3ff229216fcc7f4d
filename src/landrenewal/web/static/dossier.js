// What the two dossiers (一地一档, 一企一档) share: the head, section links, the figures by year, history.

import { actionLabel, change } from './changes.js';
import { card, empty, h, table } from './dom.js';
import { localTime, num } from './format.js';
import { fieldLabel, t, valueLabel } from './i18n.js';

/** The head of a dossier: kind, title, facts in a row, actions on the right. */
export function dossierHead(kind, title, meta, actions, testid) {
  return h('header', { class: 'dossier-head', testid },
    h('div', null,
      h('div', { class: 'kicker' }, kind),
      h('h1', { testid: 'dossier-title' }, title)),
    h('div', { class: 'meta' }, meta.filter(Boolean).map(([label, value]) => h('span', null, `${label} `, h('b', null, value)))),
    h('div', { class: 'actions' }, actions));
}

/** Links that scroll to the sections (the hash is the router's, so these are buttons). */
export function sectionLinks(sections) {
  return h('nav', { class: 'toc', 'aria-label': 'sections' }, sections.map(([label, testid]) =>
    h('button', {
      type: 'button', class: 'btn-link',
      onclick: () => document.querySelector(`[data-testid="${testid}"]`)?.scrollIntoView({ behavior: 'smooth', block: 'start' }),
    }, label)));
}

/** A field/value grid of ``record`` (its ``labels`` give the Chinese names), skipping ``skip``. */
export function attributeList(record, render = {}, skip = []) {
  const labels = record.labels || {};
  const names = [...new Set([...Object.keys(labels), ...Object.keys(record)])]
    .filter((n) => n !== 'labels' && n !== 'restricted' && !skip.includes(n) && n in record);
  return names.map((name) => {
    const raw = record[name];
    const shown = render[name] ? render[name](raw, record)
      : typeof raw === 'number' ? num(raw) : raw;
    return [fieldLabel(name, labels), shown];
  });
}

const NOT_FIGURES = new Set(['uscc', 'year', 'name', 'parcel_code', 'restricted']);

/**
 * The enterprise figures by year: a chart of one chosen figure (a line per enterprise) and the table.
 * ``rows`` = [{uscc?, year, tax_wan, …}]; ``names`` maps uscc → name; restricted → the notice only.
 * ``edit`` = {onEdit(year), onAdd()} adds an 编辑 button per year and a 新增年度 button.
 */
export function metricsBlock(rows, {
  restricted, names = new Map(), labels = {}, charts, testid, edit = null,
}) {
  if (restricted || rows == null) {
    return h('div', { class: 'restricted-box', testid: 'metrics-restricted' }, t('restricted.notice'));
  }
  const add = edit ? h('button', { type: 'button', class: 'btn', testid: 'metrics-add', onclick: () => edit.onAdd() }, `＋ ${t('metric.add')}`) : null;
  if (!rows.length) return h('div', null, add ? h('div', { class: 'toolbar' }, add) : null, empty());
  const figures = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => !NOT_FIGURES.has(k));
  const perEnterprise = new Set(rows.map((r) => r.uscc).filter(Boolean)).size > 1;
  const chartEl = h('div', { class: 'chart', testid: `${testid}-chart` });
  const select = h('select', { testid: `${testid}-figure` },
    figures.map((f) => h('option', { value: f, selected: f === 'tax_wan' }, fieldLabel(f, labels))));
  let remove = null;
  const draw = async () => {
    const figure = select.value;
    const years = [...new Set(rows.map((r) => r.year))].sort();
    const groups = perEnterprise ? [...new Set(rows.map((r) => r.uscc))] : [null];
    const series = groups.map((uscc) => {
      const mine = rows.filter((r) => uscc == null || r.uscc === uscc);
      return {
        name: uscc ? names.get(uscc) || uscc : fieldLabel(figure, labels),
        type: perEnterprise ? 'line' : 'bar',
        barMaxWidth: 42,
        symbolSize: 7,
        data: years.map((y) => mine.find((r) => r.year === y)?.[figure] ?? null),
        itemStyle: perEnterprise ? undefined : { color: '#1a5fb4' },
      };
    });
    if (remove) remove();
    remove = await charts.draw(chartEl, {
      xAxis: { type: 'category', data: years.map(String) },
      yAxis: { type: 'value', name: fieldLabel(figure, labels), nameTextStyle: { align: 'left' } },
      series,
      legend: { show: perEnterprise, top: 4, type: 'scroll' },
      tooltip: { trigger: 'axis', valueFormatter: (v) => num(v) },
    });
  };
  select.addEventListener('change', draw);
  setTimeout(draw, 0);
  const columns = [
    perEnterprise ? { key: 'uscc', label: fieldLabel('name'), render: (r) => names.get(r.uscc) || r.uscc } : null,
    { key: 'year', label: t('common.year') },
    edit ? {
      key: 'edit', label: '',
      render: (r) => h('button', {
        type: 'button', class: 'btn btn-sm', testid: 'metrics-edit', 'data-year': r.year, onclick: () => edit.onEdit(r.year),
      }, t('metric.edit')),
    } : null,
    ...figures.map((f) => ({ key: f, label: fieldLabel(f, labels), kind: 'number', render: (r) => num(r[f]) })),
  ].filter(Boolean);
  const sorted = [...rows].sort((a, b) => String(a.uscc).localeCompare(String(b.uscc)) || a.year - b.year);
  return h('div', null,
    h('div', { class: 'toolbar' }, h('label', null, t('metric.choose')), select, add ? h('span', { class: 'spacer' }) : null, add),
    chartEl,
    table(columns, sorted, { testid: `${testid}-table` }));
}

/** The change history: who changed what, when, and how (a restricted row only that it changed). */
export function historyCard(rows, testid = 'history') {
  const columns = [
    { key: 'at', label: t('history.at'), render: (r) => localTime(r.at) },
    { key: 'username', label: t('history.who'), kind: 'code' },
    { key: 'action', label: t('history.action'), render: (r) => actionLabel(r.action) },
    { key: 'key', label: t('history.source'), render: (r) => `${valueLabel('entity', r.entity)} ${r.key}` },
    { key: 'change', label: t('audit.change'), render: (r) => change(r.before, r.after, '', r.action) },
  ];
  return card(t('parcel.history'), testid,
    rows?.length ? table(columns, rows) : empty(t('parcel.noHistory')));
}
