// 一企一档: one enterprise — its facts, the parcels it uses, its figures by year (or "无权查看"),
// its evaluation in every year, the findings on its parcels and its history. Its own town's officer
// (and the city) may correct or add a year's figures here.

import { aborted, api } from './api.js';
import { Charts } from './charts.js';
import {
  card, clear, empty, facts, h, loading, notice, table, toast,
} from './dom.js';
import { attributeList, dossierHead, historyCard, metricsBlock, sectionLinks } from './dossier.js';
import { findingList } from './findings.js';
import { classBadge, coded, figure, mu, num, percent } from './format.js';
import { fieldLabel, t } from './i18n.js';

export async function render(root, { args: [uscc], signal }) {
  root.append(loading());
  const charts = new Charts();
  // Drawn again after an edit, with ``saved`` (the year) saying so in the figures' card.
  const show = async (saved) => {
    const d = await api.get(`/api/enterprises/${encodeURIComponent(uscc)}`, null, { signal, quiet: true });
    if (signal.aborted) return;
    charts.dispose();
    await draw(root, d, charts, { saved, reload: show });
  };
  await show(null);
  return () => charts.dispose();
}

async function draw(root, d, charts, { saved, reload }) {
  const e = d.enterprise;
  const evaluations = [...(d.evaluations || [])].sort((a, b) => a.year - b.year);
  const latest = evaluations[evaluations.length - 1];
  const landMu = (d.parcels || []).filter((p) => !p.end_date).reduce((sum, p) => sum + (Number(p.area_mu) || 0) * (p.land_share ?? 1), 0);
  const scoreChart = h('div', { class: 'chart chart-sm', testid: 'enterprise-score-chart' });
  const editor = h('div', { class: 'metrics-editor', testid: 'metrics-editor' });
  const openForm = (year) => {
    clear(editor).append(metricsForm(d, year, {
      close: () => clear(editor),
      done: (row) => reload(row.year).catch((err) => {
        if (!aborted(err)) toast(err.detail || err.message);
      }),
    }));
    editor.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    editor.querySelector('input')?.focus({ preventScroll: true });
  };
  const edit = d.may_edit && !d.restricted ? { onEdit: openForm, onAdd: () => openForm(null) } : null;

  clear(root).append(
    h('div', { class: 'breadcrumb' }, h('a', { href: '#/tables/enterprises' }, t('tables.enterprises')), ' / ', t('ent.title')),
    dossierHead(t('ent.title'), e.name || e.uscc, [
      [fieldLabel('uscc'), h('span', { class: 'code' }, e.uscc)],
      [fieldLabel('town_name'), e.town_name || e.division_code || '—'],
      [fieldLabel('scale'), coded('scale', e.scale) || '—'],
      latest ? [`${fieldLabel('class')}（${latest.year}）`, classBadge(latest.class)] : null,
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
    card(t('ent.metrics'), 'enterprise-metrics',
      saved != null ? h('div', { class: 'notice notice-ok', testid: 'metrics-saved', role: 'status' }, t('metric.saved', { year: saved })) : null,
      metricsBlock(d.metrics, {
        restricted: d.restricted, charts, testid: 'enterprise-metrics', labels: d.metric_labels || {}, edit,
      }),
      editor,
      d.restricted ? null : h('p', { class: 'note' },
        h('a', { href: `#/tables/metrics?uscc=${encodeURIComponent(e.uscc)}`, testid: 'enterprise-metrics-list' }, `${t('ent.allMetrics')} →`))),
    card(t('ent.evaluations'), 'enterprise-evaluations', evaluations.length
      ? h('div', null, evaluationsTable(evaluations, d.restricted), evaluations.length > 1 && !d.restricted ? scoreChart : null)
      : empty(t('ent.noEvaluations'))),
    card(t('ent.findings'), 'findings', findingList(d.findings, { withParcel: true })),
    historyCard(d.history),
  );
  if (saved != null) root.querySelector('[data-testid="metrics-saved"]')?.scrollIntoView({ block: 'center' });

  if (evaluations.length > 1 && !d.restricted) {
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
}

const NOT_EDITED = new Set(['uscc', 'year']);

/**
 * The form for one year's figures (``year`` null: a new year): a number per figure, saved with
 * PUT /api/enterprises/{uscc}/metrics/{year}. An edit sends the figures changed (an emptied one as
 * null), a new year those filled in. The server's refusal (403, 422) is shown under the form.
 */
function metricsForm(d, year, { close, done }) {
  const labels = d.metric_labels || {};
  const names = [...new Set([...Object.keys(labels), ...(d.metrics || []).flatMap((r) => Object.keys(r))])]
    .filter((n) => !NOT_EDITED.has(n));
  const before = (d.metrics || []).find((r) => r.year === year) || {};
  const adding = year == null;
  const thisYear = new Date().getFullYear();
  const years = new Set((d.metrics || []).map((r) => r.year));
  const error = h('p', { class: 'form-error', testid: 'metrics-error', role: 'alert', hidden: true });
  const fail = (text) => {
    error.textContent = text;
    error.hidden = false;
  };
  const yearInput = adding ? h('input', {
    type: 'number', name: 'year', min: 1990, max: thisYear, step: 1, required: true, testid: 'metric-year',
    value: years.has(thisYear - 1) ? '' : thisYear - 1,
  }) : null;
  const exists = h('small', { class: 'muted', hidden: true });
  yearInput?.addEventListener('input', () => {
    const y = Number(yearInput.value);
    exists.hidden = !years.has(y);
    exists.textContent = t('metric.exists', { year: y });
  });
  const inputs = new Map(names.map((name) => [name, h('input', {
    type: 'number', name, step: 'any', inputmode: 'decimal', testid: `metric-input-${name}`,
    value: before[name] == null ? '' : String(before[name]),
  })]));
  // A correction says why (kept in the audit log); a negative tax is confirmed before it is sent.
  const reason = h('textarea', {
    name: 'reason', rows: 2, maxlength: 500, testid: 'metrics-reason', placeholder: t('metric.reasonHint'),
  });
  const confirmNegative = h('input', { type: 'checkbox', name: 'confirm_negative', testid: 'metrics-confirm-negative' });
  const negativeBox = h('label', { class: 'confirm-negative', testid: 'metrics-negative', hidden: true },
    confirmNegative, ' ', t('metric.confirmNegative'));
  const taxInput = inputs.get('tax_wan');
  taxInput?.addEventListener('input', () => {
    negativeBox.hidden = !(Number(taxInput.value) < 0);
    if (negativeBox.hidden) confirmNegative.checked = false;
  });
  const save = h('button', { type: 'submit', class: 'btn-primary', testid: 'metrics-save' }, t('common.save'));
  const form = h('form', { class: 'metrics-form', testid: 'metrics-form', novalidate: true },
    h('h3', { class: 'form-title' }, adding ? t('metric.addTitle') : t('metric.editTitle', { year })),
    h('div', { class: 'form-grid' },
      adding ? h('label', { class: 'field' }, h('span', null, t('metric.year')), yearInput, exists) : null,
      names.map((name) => h('label', { class: 'field' }, h('span', null, fieldLabel(name, labels)), inputs.get(name)))),
    h('label', { class: 'field field-wide' },
      h('span', null, adding ? t('metric.reasonOptional') : t('metric.reason')), reason),
    negativeBox,
    error,
    h('div', { class: 'actions-row' },
      save,
      h('button', { type: 'button', class: 'btn', testid: 'metrics-cancel', onclick: close }, t('common.cancel'))),
    h('p', { class: 'note', testid: 'metrics-note' }, t('metric.note')));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const target = adding ? Number(yearInput.value) : year;
    if (!Number.isInteger(target) || target < 1990 || target > thisYear) {
      fail(t('metric.badYear'));
      return;
    }
    const body = {};
    for (const [name, input] of inputs) {
      const text = input.value.trim();
      const value = text === '' ? null : Number(text);
      // a field the browser could not read as a number comes back as '' with badInput set
      if (input.validity.badInput || (value != null && !Number.isFinite(value))) {
        fail(t('metric.badNumber', { field: fieldLabel(name, labels) }));
        input.focus();
        return;
      }
      if (adding ? value != null : value !== (before[name] ?? null)) body[name] = value;
    }
    if (!Object.keys(body).length) {
      fail(t(adding ? 'metric.emptyNew' : 'metric.unchanged'));
      return;
    }
    const correcting = !adding || years.has(target);
    if (correcting && !reason.value.trim()) {
      fail(t('metric.reasonNeeded'));
      reason.focus();
      return;
    }
    if (Number(body.tax_wan) < 0 && !confirmNegative.checked) {
      negativeBox.hidden = false;
      fail(t('metric.negativeNeeded'));
      confirmNegative.focus();
      return;
    }
    if (reason.value.trim()) body.reason = reason.value.trim();
    if (confirmNegative.checked) body.confirm_negative = true;
    save.disabled = true;
    save.textContent = t('common.saving');
    try {
      const row = await api.put(`/api/enterprises/${encodeURIComponent(d.enterprise.uscc)}/metrics/${target}`, body, { quiet: true });
      toast(t('metric.saved', { year: row.year }), 'ok');
      done(row);
    } catch (err) {
      if (aborted(err)) return;
      fail(err.detail || err.message);
      save.disabled = false;
      save.textContent = t('common.save');
    }
  });
  return form;
}

function parcelsTable(rows) {
  if (!rows.length) return empty(t('ent.noParcels'));
  return table([
    { key: 'parcel_code', label: fieldLabel('parcel_code'), kind: 'code',
      render: (r) => h('a', { href: `#/parcel/${encodeURIComponent(r.parcel_code)}` }, r.parcel_code) },
    { key: 'town_name', label: fieldLabel('town_name') },
    { key: 'area_mu', label: fieldLabel('area_mu'), kind: 'number', render: (r) => mu(r.area_mu) },
    { key: 'class', label: fieldLabel('class'), render: (r) => classBadge(r.class) },
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
