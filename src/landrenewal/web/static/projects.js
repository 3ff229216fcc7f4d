// 整治项目: the list (stage, next deadline, overdue) and a project's dossier — the stage bar with
// entry dates, the clocks, the actions open to the reader (each refused one says why), the timeline
// with its documents, consent by area and by persons, votes. Every write sends the last event the
// page showed, so that two officers acting at once are told to reload rather than both winning.

import { api, download } from './api.js';
import {
  card, clear, empty, facts, h, loading, notice, table, toast,
} from './dom.js';
import { dossierHead, sectionLinks } from './dossier.js';
import { mu, num } from './format.js';
import { t } from './i18n.js';

const projectHref = (code) => `#/project/${encodeURIComponent(code)}`;
const parcelHref = (code) => `#/parcel/${encodeURIComponent(code)}`;

/** Today in Beijing, as the city's day (YYYY-MM-DD). */
function today() {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

function statusChip(overdue) {
  return overdue ? h('span', { class: 'chip chip-warn', testid: 'overdue' }, t('proj.overdue')) : null;
}

// ---- the list -------------------------------------------------------------------------------

export async function renderList(root, { query, signal }) {
  const state = {
    kind: query.get('kind') || '', overdue: query.get('overdue') || '', due_within: query.get('due_within') || '',
  };
  const body = h('div', null, loading());
  const go = () => {
    const params = new URLSearchParams(Object.entries(state).filter(([, v]) => v));
    location.hash = `#/projects${params.toString() ? `?${params}` : ''}`;
  };
  const select = (key, options, label) => h('label', { class: 'field' }, h('span', null, label),
    h('select', { testid: `projects-filter-${key}`, onchange: (e) => { state[key] = e.target.value; go(); } },
      options.map(([value, text]) => h('option', { value, selected: state[key] === value }, text))));
  clear(root).append(
    h('div', { class: 'page-head' }, h('h1', null, t('proj.title'))),
    card(null, 'projects',
      h('div', { class: 'filters' },
        select('kind', [['', t('common.all')], ['disposal', t('proj.kind.disposal')], ['renewal', t('proj.kind.renewal')]], t('proj.kind')),
        select('overdue', [['', t('common.all')], ['true', t('proj.overdueOnly')]], t('proj.deadlines')),
        select('due_within', [['', t('common.all')], ['30', t('proj.dueWithin', { n: 30 })], ['90', t('proj.dueWithin', { n: 90 })]], t('proj.nextDue'))),
      body),
  );
  const data = await api.get('/api/projects', Object.fromEntries(Object.entries(state).filter(([, v]) => v)), { signal });
  if (signal.aborted) return;
  clear(body).append(
    data.items.length ? table([
      { key: 'code', label: t('proj.code'), kind: 'code', render: (r) => h('a', { href: projectHref(r.code) }, r.code) },
      { key: 'name', label: t('proj.name') },
      { key: 'kind_name', label: t('proj.kind') },
      { key: 'stage_name', label: t('proj.stage'), render: (r) => h('span', { class: 'chip', testid: 'project-stage' }, r.stage_name) },
      { key: 'since', label: t('proj.since') },
      { key: 'next_due', label: t('proj.nextDue'), render: (r) => [r.next_due || '', ' ', statusChip(r.overdue)] },
      { key: 'parcel_count', label: t('proj.parcels'), kind: 'number' },
    ], data.items, { testid: 'projects-table', rowTestid: 'project-row', onRow: (r) => { location.hash = projectHref(r.code); } })
      : empty(t('proj.none')),
    h('p', { class: 'muted' }, t('proj.count', { n: num(data.total), day: data.as_of })),
  );
}

// ---- the dossier ----------------------------------------------------------------------------

export async function render(root, { args: [code], signal }) {
  root.append(loading());
  const d = await api.get(`/api/projects/${encodeURIComponent(code)}`, null, { signal, quiet: true });
  if (signal.aborted) return;
  const p = d.project;
  const reload = () => { location.hash = `${projectHref(code)}?at=${Date.now()}`; };
  clear(root).append(
    h('div', { class: 'breadcrumb' }, h('a', { href: '#/projects' }, t('proj.title')), ' / ', p.code),
    dossierHead(d.workflow_name, p.name, [
      [t('proj.code'), p.code], [t('proj.kind'), p.kind_name], [t('proj.stage'), p.stage_name],
      [t('proj.since'), p.since || '—'], d.suspended ? [t('proj.suspended'), t('common.yes')] : null,
    ], [], 'project-dossier'),
    sectionLinks([
      [t('proj.stages'), 'project-stages'], [t('proj.actions'), 'project-actions'], [t('proj.timeline'), 'project-timeline'],
      [t('proj.consent'), 'project-consent'],
    ]),
    card(t('proj.stages'), 'project-stages', stageBar(d.stages), clocks(d.clocks, d.bans)),
    card(t('proj.actions'), 'project-actions', actions(d, code, reload), d.may_act ? records(d, code, reload) : null),
    card(t('proj.facts'), 'project-facts', facts([
      [t('proj.unit'), d.responsible_unit], [t('proj.person'), d.responsible_person],
      [t('proj.plannedArea'), d.planned_area_mu == null ? null : mu(d.planned_area_mu)],
      [t('proj.investment'), d.planned_investment_wan == null ? null : num(d.planned_investment_wan)],
      [t('proj.industries'), d.target_industries],
      [t('proj.parcels'), h('span', null, d.parcels.map((c, i) => [i ? '、' : '', h('a', { href: parcelHref(c), class: 'code' }, c)]))],
    ])),
    card(t('proj.consent'), 'project-consent', consent(d)),
    card(t('proj.timeline'), 'project-timeline', timeline(d.events, code)),
  );
}

function stageBar(stages) {
  return h('ol', { class: 'stage-bar', testid: 'stage-bar' }, stages.map((s) => h('li', {
    class: [s.current ? 'current' : '', s.entered ? 'done' : ''].join(' ').trim() || null,
    testid: 'stage', 'aria-current': s.current ? 'step' : null,
  }, h('b', null, s.name), h('small', null, s.entered || ''))));
}

function clocks(rows, bans) {
  if (!rows.length && !bans.length) return h('p', { class: 'muted' }, t('proj.noClocks'));
  return h('div', null,
    rows.length ? table([
      { key: 'name', label: t('proj.deadline') },
      { key: 'started', label: t('proj.started') },
      { key: 'due', label: t('proj.due'), render: (r) => [r.due, r.suspended_days ? ` (+${r.suspended_days} ${t('proj.daysSuspended')})` : '', r.extended_days ? ` (+${r.extended_days} ${t('proj.daysExtended')})` : ''] },
      { key: 'status_name', label: t('proj.status'), render: (r) => h('span', { class: `chip ${r.status === 'overdue' ? 'chip-warn' : ''}`, testid: 'clock-status' }, r.status_name) },
    ], rows, { testid: 'project-clocks', compact: true }) : null,
    bans.map((b) => notice(t('proj.ban', { name: b.name, until: b.until }), 'warn')));
}

function actions(d, code, reload) {
  if (!d.actions.length) return h('p', { class: 'muted' }, t('proj.noActions'));
  const form = h('div', { testid: 'action-form' });
  const buttons = h('div', { class: 'action-buttons' }, d.actions.map((a) => h('div', { class: 'action' },
    h('button', {
      type: 'button', class: a.allowed ? 'btn-primary' : 'btn', disabled: !d.may_act, testid: `action-${a.action}`,
      onclick: () => { clear(form).append(actionForm(d, a, code, reload)); },
    }, a.name),
    a.refusals.length ? h('ul', { class: 'refusals', testid: `refusals-${a.action}` }, a.refusals.map((r) => h('li', null, r))) : null)));
  return h('div', null, buttons, form);
}

function actionForm(d, a, code, reload) {
  const inputs = new Map();
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true, testid: 'action-error' });
  const day = h('input', { type: 'date', value: today(), testid: 'action-day' });
  const reason = h('textarea', { rows: 2, testid: 'action-reason' });
  const files = new Map();
  const field = (label, control) => h('label', { class: 'field' }, h('span', null, label), control);
  for (const f of a.fields) {
    const control = f.kind === 'choice'
      ? h('select', { testid: `action-field-${f.id}` }, h('option', { value: '' }, '—'),
        Object.entries(f.choices).map(([value, text]) => h('option', { value }, text)))
      : h('input', { type: f.kind === 'number' ? 'number' : f.kind === 'date' ? 'date' : 'text', step: 'any', testid: `action-field-${f.id}` });
    inputs.set(f.id, [f, control]);
  }
  for (const [kind, name] of Object.entries(a.documents)) {
    files.set(kind, h('input', { type: 'file', testid: `action-doc-${kind}`, accept: '.pdf,.ofd,.png,.jpg,.jpeg,.tif,.tiff,.doc,.docx,.xls,.xlsx,.ppt,.pptx', 'aria-label': name }));
  }
  const submit = h('button', { type: 'submit', class: 'btn-primary', testid: 'action-submit' }, t('proj.take', { name: a.name }));
  const form = h('form', { class: 'action-form', novalidate: true },
    h('h3', null, a.name),
    h('div', { class: 'form-grid' },
      field(t('proj.day'), day),
      [...inputs.values()].map(([f, control]) => field(f.unit ? `${f.name}（${f.unit}）` : f.name, control)),
      [...files.entries()].map(([kind, input]) => field(a.documents[kind], input))),
    field(t('proj.reason'), reason), error,
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      let seen = d.last_seq;
      for (const [kind, input] of files) {
        const file = input.files?.[0];
        if (!file) continue;
        const body = new FormData();
        body.append('kind', kind);
        body.append('day', day.value);
        body.append('seen_seq', String(seen));
        body.append('file', file);
        seen = (await api.upload(`/api/projects/${encodeURIComponent(code)}/documents`, body, { quiet: true })).seq;
      }
      const values = {};
      for (const [id, [f, control]] of inputs) {
        if (control.value === '') continue;
        values[id] = f.kind === 'number' ? Number(control.value) : control.value;
      }
      await api.post(`/api/projects/${encodeURIComponent(code)}/actions`, {
        action: a.action, day: day.value, reason: reason.value || null, values, seen_seq: seen,
      }, { quiet: true });
      toast(t('proj.done', { name: a.name }), 'ok');
      reload();
    } catch (err) {
      error.textContent = err.detail || err.message;
      error.hidden = false;
      submit.disabled = false;
    }
  });
  return form;
}

/**
 * What is recorded beside the workflow: a suspension (政府原因、不可抗力、必要的前期工作) and its end, an
 * extension of one deadline, a void of a wrong entry, a note. Each needs its reason, kept in the record.
 */
function records(d, code, reload) {
  const kinds = d.suspended ? ['resume', 'void', 'note'] : ['suspend', 'extend', 'void', 'note'];
  const kind = h('select', { testid: 'record-kind' }, kinds.map((k) => h('option', { value: k }, t(`proj.record.${k}`))));
  const day = h('input', { type: 'date', value: today(), testid: 'record-day' });
  const reason = h('input', { type: 'text', testid: 'record-reason', placeholder: t('proj.reasonHint') });
  const seq = h('select', { testid: 'record-seq' }, d.events.filter((e) => !e.voided && !['void', 'created'].includes(e.kind))
    .map((e) => h('option', { value: String(e.seq) }, `#${e.seq} ${e.action_name || e.kind_name}（${e.day}）`)));
  const deadline = h('select', { testid: 'record-deadline' }, d.clocks.map((c) => h('option', { value: c.deadline }, c.name)));
  const days = h('input', { type: 'number', min: 1, step: 1, value: 30, testid: 'record-days' });
  const field = (label, control, shown) => h('label', { class: 'field', hidden: !shown }, h('span', null, label), control);
  const seqField = field(t('proj.record.target'), seq, false);
  const deadlineField = field(t('proj.deadline'), deadline, false);
  const daysField = field(t('proj.record.days'), days, false);
  const show = () => {
    seqField.hidden = kind.value !== 'void';
    deadlineField.hidden = kind.value !== 'extend';
    daysField.hidden = kind.value !== 'extend';
  };
  kind.addEventListener('change', show);
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true, testid: 'record-error' });
  const submit = h('button', { type: 'submit', class: 'btn', testid: 'record-submit' }, t('proj.record.submit'));
  const form = h('form', { class: 'action-form', novalidate: true, testid: 'record-form' },
    h('h3', null, t('proj.record.title')),
    h('div', { class: 'form-grid' }, field(t('proj.record.kind'), kind, true), field(t('proj.day'), day, true),
      seqField, deadlineField, daysField, field(t('proj.reason'), reason, true)),
    error, h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      await api.post(`/api/projects/${encodeURIComponent(code)}/records`, {
        kind: kind.value, day: day.value, reason: reason.value || null, seen_seq: d.last_seq,
        target_seq: kind.value === 'void' ? Number(seq.value) : null,
        deadline: kind.value === 'extend' ? deadline.value : null,
        days: kind.value === 'extend' ? Number(days.value) : null,
      }, { quiet: true });
      toast(t('proj.record.done'), 'ok');
      reload();
    } catch (err) {
      error.textContent = err.detail || err.message;
      error.hidden = false;
      submit.disabled = false;
    }
  });
  return h('div', { style: { marginTop: '14px' } }, form);
}

function timeline(events, code) {
  if (!events.length) return empty(t('proj.noEvents'));
  return h('ol', { class: 'event-list', testid: 'project-timeline-list' }, events.slice().reverse().map((e) => h('li', {
    class: e.voided ? 'voided' : null, testid: 'project-event',
  },
  h('div', { class: 'when' }, e.day, h('small', null, ` #${e.seq}`)),
  h('div', { class: 'what' },
    h('b', null, e.action_name || e.kind_name),
    e.voids ? ` ${t('proj.voids', { n: e.voids })}` : '',
    e.voided ? h('span', { class: 'chip chip-warn' }, t('proj.voided')) : null,
    e.holder_key ? ` · ${t('proj.holder')} ${e.holder_key}` : '',
    Object.keys(e.values || {}).length ? h('div', { class: 'muted' }, Object.entries(e.values).map(([k, v]) => `${k}：${v}`).join('；')) : null,
    e.reason ? h('div', { class: 'muted' }, e.reason) : null,
    e.documents.map((doc) => h('div', null, h('button', {
      type: 'button', class: 'btn-link', testid: 'project-document',
      onclick: () => download(`/api/projects/${encodeURIComponent(code)}/documents/${doc.sha256}`, null, doc.name),
    }, `${doc.kind_name}：${doc.name}`)))),
  h('div', { class: 'who muted' }, e.user))));
}

/** A share as a percentage to 0.1, cut like the gates cut it (79.96 % reads 79.9 %, never 80.0 %). */
function cut(value) {
  return `${(Math.floor(value * 1000 + 1e-9) / 10).toFixed(1)} %`;
}

function consent(d) {
  const c = d.consent;
  const votes = d.votes.map((v) => notice(`${v.name}：${v.passed ? t('proj.votePassed') : t('proj.voteFailed')}（${v.checks.join('；')}）`, v.passed ? 'info' : 'warn'));
  if (!c) return h('div', null, h('p', { class: 'muted' }, t('proj.noHolders')), votes);
  const ratio = (value) => (value == null ? '—' : cut(value));
  return h('div', null,
    facts([
      [t('proj.holders'), num(c.holders)], [t('proj.persons'), num(c.persons)], [t('proj.area'), mu(c.area_m2 / (10000 / 15))],
      [t('proj.areaConsent'), ratio(c.consented_area_ratio)], [t('proj.personsConsent'), ratio(c.consented_persons_ratio)],
      [t('proj.areaSigned'), ratio(c.signed_area_ratio)], [t('proj.personsSigned'), ratio(c.signed_persons_ratio)],
    ], 'consent-figures'),
    d.holders ? table([
      { key: 'holder_key', label: t('proj.holderNo'), kind: 'code' },
      { key: 'name', label: t('proj.holderName') },
      { key: 'id_masked', label: t('proj.idMasked'), kind: 'code' },
      { key: 'parcel_code', label: t('proj.parcel'), kind: 'code' },
      { key: 'area_m2', label: t('proj.holderArea'), kind: 'number', render: (r) => mu(r.area_m2 / (10000 / 15)) },
      { key: 'persons', label: t('proj.persons'), kind: 'number' },
      { key: 'state', label: t('proj.holderState'), render: (r) => t(`proj.state.${r.state}`) },
    ], d.holders, { testid: 'project-holders', compact: true }) : h('p', { class: 'muted' }, t('proj.holdersHidden')),
    votes);
}
