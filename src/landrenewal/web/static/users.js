// 用户管理 (admin): the users, a form for a new one, changing one (name, role, town, password,
// on or off), and switching one on or off.

import { aborted, api } from './api.js';
import { mayAdminister, session, towns as getTowns } from './context.js';
import { card, clear, h, loading, notice, table, toast } from './dom.js';
import { roleLabel, t } from './i18n.js';

const ROLES = ['admin', 'city', 'town', 'viewer'];

export async function render(root, { signal }) {
  if (!mayAdminister()) {
    root.append(notice(t('users.forbidden'), 'warn'));
    return;
  }
  const towns = await getTowns();
  const townName = new Map(towns.map((d) => [d.division_code, d.name]));
  const list = h('div', null, loading());
  const editor = h('div', { testid: 'user-editor' });

  const load = async () => {
    const users = await api.get('/api/users', null, { signal });
    if (signal.aborted) return;
    clear(list).append(table([
      { key: 'username', label: t('users.username'), kind: 'code' },
      { key: 'display_name', label: t('users.display_name') },
      { key: 'role', label: t('users.role'), render: (u) => roleLabel(u.role) },
      { key: 'division_code', label: t('users.division'), render: (u) => (u.division_code ? townName.get(u.division_code) || u.division_code : t('scope.city')) },
      { key: 'active', label: t('users.active'), render: (u) => (u.active === false ? t('common.no') : t('common.yes')) },
      {
        key: 'actions', label: '',
        render: (u) => h('span', { class: 'row-actions' },
          h('button', {
            type: 'button', class: 'btn', testid: 'user-edit', 'data-username': u.username,
            onclick: () => {
              clear(editor).append(card(t('users.editTitle', { name: u.username }), 'user-edit-card', editForm(u, towns, {
                close: () => clear(editor),
                done: () => {
                  clear(editor);
                  load();
                },
              })));
              editor.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
            },
          }, t('users.edit')),
          u.username === session.user?.username ? null : h('button', {
            type: 'button', class: 'btn', testid: 'user-toggle',
            onclick: async () => {
              await api.patch(`/api/users/${encodeURIComponent(u.username)}`, { active: u.active === false });
              toast(t('users.updated', { name: u.username }), 'ok');
              load();
            },
          }, u.active === false ? t('users.enable') : t('users.disable'))),
      },
    ], users, { testid: 'users-table', rowTestid: 'user-row' }));
  };

  const input = (name, attrs = {}) => h('input', { name, testid: `new-user-${name}`, required: true, ...attrs });
  const role = h('select', { name: 'role', testid: 'new-user-role' }, ROLES.map((r) => h('option', { value: r, selected: r === 'viewer' }, roleLabel(r))));
  const division = h('select', { name: 'division_code', testid: 'new-user-division' },
    h('option', { value: '' }, t('scope.city')), towns.map((d) => h('option', { value: d.division_code }, d.name)));
  const field = (label, control) => h('label', { class: 'field' }, h('span', null, label), control);
  const form = h('form', { class: 'user-form', testid: 'new-user-form' },
    field(t('users.username'), input('username', { autocomplete: 'off' })),
    field(t('users.display_name'), input('display_name', { required: false })),
    field(t('users.role'), role),
    field(t('users.division'), division),
    field(t('users.password'), input('password', { type: 'password', minlength: 8, autocomplete: 'new-password' })),
    h('span'),
    h('button', { type: 'submit', class: 'btn-primary', testid: 'new-user-create' }, t('users.create')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = Object.fromEntries(new FormData(form));
    body.division_code = body.division_code || null;
    body.display_name = body.display_name || null;
    try {
      await api.post('/api/users', body);
      toast(t('users.created', { name: body.username }), 'ok');
      form.reset();
      load();
    } catch {
      // the toast has said why
    }
  });

  root.append(
    h('div', { class: 'page-head' }, h('h1', null, t('users.title'))),
    card(t('users.new'), 'user-new', form),
    editor,
    card(t('users.title'), 'users', list),
  );
  await load();
  return undefined;
}

/**
 * The form changing one user; PATCH /api/users/{username} with only the fields changed. A town user
 * needs a town; one's own role and switch stay as they are. The server's refusal is shown under it.
 */
function editForm(user, towns, { close, done }) {
  const self = user.username === session.user?.username;
  const field = (label, control) => h('label', { class: 'field' }, h('span', null, label), control);
  const name = h('input', { name: 'display_name', value: user.display_name || '', testid: 'edit-user-display_name', autocomplete: 'off' });
  const role = h('select', { name: 'role', testid: 'edit-user-role', disabled: self },
    ROLES.map((r) => h('option', { value: r, selected: r === user.role }, roleLabel(r))));
  const division = h('select', { name: 'division_code', testid: 'edit-user-division' },
    h('option', { value: '' }, '—'),
    towns.map((d) => h('option', { value: d.division_code, selected: d.division_code === user.division_code }, d.name)));
  const password = h('input', {
    name: 'password', type: 'password', minlength: 8, autocomplete: 'new-password', testid: 'edit-user-password',
  });
  const active = h('input', { type: 'checkbox', name: 'active', checked: user.active !== false, disabled: self, testid: 'edit-user-active' });
  const error = h('p', { class: 'form-error', testid: 'edit-user-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn-primary', testid: 'edit-user-save' }, t('common.save'));
  const townOnly = () => {
    division.disabled = role.value !== 'town';
    if (division.disabled) division.value = '';
  };
  role.addEventListener('change', townOnly);
  townOnly();
  const form = h('form', { class: 'user-form', testid: 'edit-user-form', novalidate: true },
    field(t('users.display_name'), name),
    field(t('users.role'), role),
    field(t('users.division'), division),
    field(t('users.newPassword'), password),
    h('label', { class: 'field check' }, h('span', null, t('users.active')), h('span', null, active)),
    h('span', { class: 'actions-inline' },
      save,
      h('button', { type: 'button', class: 'btn', testid: 'edit-user-cancel', onclick: close }, t('common.cancel'))),
    error,
    self ? h('p', { class: 'note' }, t('users.self')) : null);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const fail = (text) => {
      error.textContent = text;
      error.hidden = false;
    };
    error.hidden = true;
    const changes = {};
    if (name.value.trim() !== (user.display_name || '')) changes.display_name = name.value.trim();
    if (!self && role.value !== user.role) changes.role = role.value;
    if (role.value === 'town') {
      if (!division.value) {
        fail(t('users.divisionNeeded'));
        return;
      }
      if (division.value !== (user.division_code || '')) changes.division_code = division.value;
    }
    if (password.value) changes.password = password.value;
    if (!self && active.checked !== (user.active !== false)) changes.active = active.checked;
    if (!Object.keys(changes).length) {
      fail(t('users.unchanged'));
      return;
    }
    save.disabled = true;
    try {
      const after = await api.patch(`/api/users/${encodeURIComponent(user.username)}`, changes, { quiet: true });
      if (self && after?.display_name != null) {
        session.user.display_name = after.display_name;
        const shown = document.querySelector('[data-testid="user-name"]');
        if (shown) shown.textContent = after.display_name || user.username;
      }
      toast(t('users.updated', { name: user.username }), 'ok');
      done();
    } catch (err) {
      if (aborted(err)) return;
      fail(err.detail || err.message);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
