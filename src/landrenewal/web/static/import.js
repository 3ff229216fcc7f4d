// 数据导入 (city and admin): upload a file, read its validation report (nothing is written yet),
// then confirm to import the very file that was checked.

import { api, url } from './api.js';
import { mayImport } from './context.js';
import { card, clear, h, notice, table, toast } from './dom.js';
import { num } from './format.js';
import {
  entityChoices, entityLabel, fieldLabel, knownField, lang, t,
} from './i18n.js';

const ACCEPT = '.zip,.shp,.gpkg,.geojson,.json,.csv,.xlsx';
const COUNTS = ['rows_read', 'would_insert', 'would_update', 'unchanged', 'rejected', 'errors', 'warnings'];

export async function render(root) {
  if (!mayImport()) {
    root.append(notice(t('import.forbidden'), 'warn'));
    return;
  }
  const entity = h('select', { name: 'entity', testid: 'import-entity', required: true },
    entityChoices().map(([key, label]) => h('option', { value: key }, label)));
  const file = h('input', { type: 'file', name: 'file', accept: ACCEPT, testid: 'import-file', required: true });
  const submit = h('button', { type: 'submit', class: 'btn-primary', testid: 'import-submit' }, t('import.check'));
  const out = h('div', { testid: 'import-output' });
  const far = h('input', { type: 'checkbox', name: 'accept_far_places', testid: 'import-accept-far' });
  const form = h('form', { class: 'import-form', testid: 'import-form' },
    h('label', { class: 'field' }, h('span', null, t('import.entity')), entity),
    h('label', { class: 'field' }, h('span', null, t('import.file')), file),
    h('label', { class: 'check', title: t('import.acceptFarHint') }, far, ' ', t('import.acceptFar')),
    submit);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!file.files.length) {
      toast(t('import.chooseFile'));
      return;
    }
    const data = new FormData();
    data.append('entity', entity.value);
    data.append('file', file.files[0]);
    if (far.checked) data.append('accept_far_places', 'true');
    submit.disabled = true;
    submit.textContent = t('import.checking');
    clear(out);
    try {
      const report = await api.upload('/api/imports', data);
      clear(out).append(reportCard(report, false, () => {
        form.reset();
        clear(out);
      }));
    } catch {
      // the toast has said why
    } finally {
      submit.disabled = false;
      submit.textContent = t('import.check');
    }
  });

  root.append(
    h('div', { class: 'page-head' }, h('h1', null, t('import.title')), h('span', { class: 'sub' }, t('import.steps'))),
    card(null, 'import', form, h('p', { class: 'hint' }, t('import.fileHint'))),
    out,
  );
  return undefined;
}

/** The report of a check (``done`` false) or of the import itself (``done`` true). */
function reportCard(r, done, again) {
  const errors = r.errors ?? (r.problems || []).filter((p) => p.severity === 'error').length;
  const counts = h('div', { class: 'counts', testid: done ? 'import-result-counts' : 'import-counts' },
    COUNTS.filter((k) => r[k] != null || k === 'errors').map((k) => {
      const value = k === 'errors' ? errors : r[k];
      const kind = ['rejected', 'errors'].includes(k) && value > 0 ? 'bad' : ['would_insert', 'would_update'].includes(k) && value > 0 ? 'good' : '';
      return h('div', { class: `count ${kind}`, testid: `count-${k}`, 'data-value': value },
        h('div', { class: 'label' }, t(`import.${k}`)), h('div', { class: 'value' }, num(value)));
    }));
  const problems = r.problems || [];
  const problemTable = problems.length ? table([
    { key: 'severity', label: t('import.p.severity'), render: (p) => h('span', { class: `severity-${p.severity}` }, t(`import.severity.${p.severity}`)) },
    { key: 'file', label: t('import.p.file') },
    { key: 'row', label: t('import.p.row'), kind: 'number' },
    // The field as the user's file calls it (the server's label), or its name in the UI's language.
    { key: 'field', label: t('import.p.field'), render: (p) => (lang() === 'zh' && p.field_label ? p.field_label : (p.field && knownField(p.field) ? fieldLabel(p.field) : p.field)) },
    { key: 'value', label: t('import.p.value'), render: (p) => (p.value == null ? null : String(p.value)) },
    { key: 'reason', label: t('import.p.reason'), render: (p) => h('span', { class: 'wrap' }, p.reason) },
  ], problems, { testid: 'import-problems' }) : h('p', { class: 'empty', testid: 'import-no-problems' }, t('import.noProblems'));
  const notes = r.notes?.length ? h('div', null, h('h3', { class: 'note' }, t('import.notes')),
    h('ul', { class: 'notes' }, r.notes.map((n) => h('li', null, typeof n === 'string' ? n : JSON.stringify(n))))) : null;

  const actions = h('div', { class: 'actions-row' });
  if (problems.length && r.token && !done) {
    actions.append(h('a', { class: 'btn', href: url(`/api/imports/${encodeURIComponent(r.token)}/rejects.csv`), download: `${(r.filename || 'import').replace(/\.[^.]+$/, '')}-${lang() === 'zh' ? '问题行' : 'rejects'}.csv`, testid: 'import-rejects' },
      t('import.rejects')));
  }
  if (!done) {
    const confirm = h('button', { type: 'button', class: 'btn-primary', testid: 'import-confirm', disabled: errors > 0 }, t('import.confirm'));
    const run = (button, label, skipBad) => async () => {
      button.disabled = true;
      button.textContent = t('import.confirming');
      try {
        const query = skipBad ? '?skip_bad=true' : '';
        const result = await api.post(`/api/imports/${encodeURIComponent(r.token)}/confirm${query}`);
        const box = button.closest('[data-testid=import-report]');
        box.replaceWith(reportCard(result, true, again));
        toast(result.committed === false ? t('import.notDone') : t('import.done'), result.committed === false ? 'error' : 'ok');
      } catch {
        button.disabled = false;
        button.textContent = label;
      }
    };
    confirm.addEventListener('click', run(confirm, t('import.confirm'), false));
    actions.append(confirm);
    const good = (r.rows_read ?? 0) - (r.rejected ?? 0);
    if (errors > 0 && good > 0) {
      // The same check, then only the rows without errors are imported; the report says which were skipped.
      const label = t('import.skipBad', { good: num(good), bad: num(r.rejected) });
      const skip = h('button', { type: 'button', class: 'btn', testid: 'import-skip-bad' }, label);
      skip.addEventListener('click', run(skip, label, true));
      actions.append(skip);
    }
    if (errors > 0) actions.append(h('span', { class: 'severity-error', testid: 'import-blocked' }, t('import.blocked')));
  } else {
    actions.append(h('button', { type: 'button', class: 'btn', testid: 'import-again', onclick: again }, t('import.again')));
  }

  const committed = done && r.committed !== false;
  return card(done ? t('import.result') : t('import.report'), done ? 'import-result' : 'import-report',
    h('p', { class: 'muted', style: { marginTop: 0 } }, `${entityLabel(r.entity)} · ${r.filename || ''}`),
    done ? h('div', { class: `result-banner ${committed ? 'ok' : 'bad'}`, testid: 'import-result-banner' },
      committed ? t('import.done') : t('import.notDone')) : null,
    counts, notes,
    h('h3', { class: 'note' }, `${t('import.problems')}${problems.length ? `（${num(problems.length)}）` : ''}`),
    problemTable,
    actions,
  );
}
