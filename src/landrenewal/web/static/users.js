// 用户管理 (admin): the users, a form for a new one, and switching one on or off.

import { api } from './api.js';
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
        render: (u) => (u.username === session.user?.username ? null : h('button', {
          type: 'button', class: 'btn', testid: 'user-toggle',
          onclick: async () => {
            await api.patch(`/api/users/${encodeURIComponent(u.username)}`, { active: u.active === false });
            toast(t('users.updated', { name: u.username }), 'ok');
            load();
          },
        }, u.active === false ? t('users.enable') : t('users.disable'))),
      },
    ], users, { testid: 'users-table' }));
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
    card(t('users.title'), 'users', list),
  );
  await load();
  return undefined;
}
