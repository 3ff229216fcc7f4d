// 一企一档: one enterprise — its facts, the parcels it uses, its figures by year (or "无权查看"),
// its evaluation in every year, the findings on its parcels and its history.

import { api } from './api.js';
import { Charts } from './charts.js';
import { card, clear, empty, facts, h, loading, table } from './dom.js';
import { attributeList, dossierHead, historyCard, metricsBlock, sectionLinks } from './dossier.js';
import { findingList } from './findings.js';
import { classBadge, coded, figure, mu, num, percent } from './format.js';
import { fieldLabel, t } from './i18n.js';

export async function render(root, { args: [uscc], signal }) {
  root.append(loading());
  const d = await api.get(`/api/enterprises/${encodeURIComponent(uscc)}`, null, { signal, quiet: true });
  if (signal.aborted) return undefined;
  const charts = new Charts();
  const e = d.enterprise;
  const evaluations = [...(d.evaluations || [])].sort((a, b) => a.year - b.year);
  const latest = evaluations[evaluations.length - 1];
  const landMu = (d.parcels || []).filter((p) => !p.end_date).reduce((sum, p) => sum + (Number(p.area_mu) || 0) * (p.land_share ?? 1), 0);
  const scoreChart = h('div', { class: 'chart chart-sm', testid: 'enterprise-score-chart' });

  clear(root).append(
    h('div', { class: 'breadcrumb' }, h('a', { href: '#/tables/enterprises' }, t('tables.enterprises')), ' / ', t('ent.title')),
    dossierHead(t('ent.title'), e.name || e.uscc, [
      [fieldLabel('uscc'), h('span', { class: 'code' }, e.uscc)],
      [t('field.town'), e.town_name || e.division_code || '—'],
      [fieldLabel('scale'), coded('scale', e.scale) || '—'],
      latest ? [`${t('field.class')}（${latest.year}）`, classBadge(latest.class)] : null,
      landMu ? [fieldLabel('land_mu'), mu(landMu)] : null,
    ], [], 'enterprise-dossier'),
    sectionLinks([
      [t('ent.attributes'), 'enterprise-attributes'], [t('ent.parcels'), 'enterprise-parcels'],
      [t('ent.metrics'), 'enterprise-metrics'], [t('ent.evaluations'), 'enterprise-evaluations'],
      [t('ent.findings'), 'findings'], [t('parcel.history'), 'history'],
    ]),
    card(t('ent.attributes'), 'enterprise-attributes', facts(attributeList(e, {
      scale: (v) => coded('scale', v),
      uscc: (v) => h('span', { class: 'code' }, v),
    }))),
    card(t('ent.parcels'), 'enterprise-parcels', parcelsTable(d.parcels || [])),
    card(t('ent.metrics'), 'enterprise-metrics', metricsBlock(d.metrics, {
      restricted: d.restricted, charts, testid: 'enterprise-metrics', labels: d.metric_labels || {},
    })),
    card(t('ent.evaluations'), 'enterprise-evaluations', evaluations.length
      ? h('div', null, evaluationsTable(evaluations, d.restricted), evaluations.length > 1 ? scoreChart : null)
      : empty(t('ent.noEvaluations'))),
    card(t('ent.findings'), 'findings', findingList(d.findings, { withParcel: true })),
    historyCard(d.history),
  );

  if (evaluations.length > 1) {
    await charts.draw(scoreChart, {
      xAxis: { type: 'category', data: evaluations.map((r) => String(r.year)) },
      yAxis: { type: 'value', name: t('eval.score') },
      tooltip: { trigger: 'axis', valueFormatter: (v) => num(v, 2) },
      legend: { show: false },
      series: [{
        type: 'line', name: t('eval.score'), symbolSize: 9, data: evaluations.map((r) => r.score),
        label: { show: true, formatter: (p) => evaluations[p.dataIndex].class || '' },
        lineStyle: { color: '#1a5fb4' }, itemStyle: { color: '#1a5fb4' },
      }],
    });
  }
  return () => charts.dispose();
}

function parcelsTable(rows) {
  if (!rows.length) return empty(t('ent.noParcels'));
  return table([
    { key: 'parcel_code', label: fieldLabel('parcel_code'), kind: 'code',
      render: (r) => h('a', { href: `#/parcel/${encodeURIComponent(r.parcel_code)}` }, r.parcel_code) },
    { key: 'town_name', label: t('field.town') },
    { key: 'area_mu', label: t('field.area_mu'), kind: 'number', render: (r) => mu(r.area_mu) },
    { key: 'class', label: t('field.class'), render: (r) => classBadge(r.class) },
    { key: 'start_date', label: fieldLabel('start_date') },
    { key: 'end_date', label: fieldLabel('end_date'), render: (r) => r.end_date || h('span', { class: 'muted' }, t('parcel.untilNow')) },
    { key: 'land_share', label: fieldLabel('land_share'), kind: 'number', render: (r) => (r.land_share == null ? null : percent(r.land_share, 0)) },
    { key: 'tenure', label: fieldLabel('tenure'), render: (r) => coded('tenure', r.tenure) },
  ], rows, { testid: 'enterprise-parcels-table', onRow: (r) => { location.hash = `#/parcel/${encodeURIComponent(r.parcel_code)}`; } });
}

function evaluationsTable(rows, restricted) {
  const marked = rows.map((r) => ({ ...r, restricted: r.restricted ?? restricted }));
  return table([
    { key: 'year', label: t('common.year') },
    { key: 'class', label: t('eval.class'), render: (r) => classBadge(r.class) },
    { key: 'score', label: t('eval.score'), kind: 'number', render: (r) => num(r.score, 2) },
    { key: 'rank', label: t('eval.rank'), kind: 'number',
      render: (r) => (r.rank == null ? null : r.rank_size ? t('eval.rankOf', { rank: num(r.rank), size: num(r.rank_size) }) : num(r.rank)) },
    { key: 'tax_per_mu', label: fieldLabel('tax_per_mu'), kind: 'number', render: (r) => figure(r, 'tax_per_mu') },
    { key: 'value_added_per_mu', label: fieldLabel('value_added_per_mu'), kind: 'number', render: (r) => figure(r, 'value_added_per_mu') },
  ], marked, { testid: 'enterprise-evaluations-table' });
}
