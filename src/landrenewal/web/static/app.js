// The one-page app: who is logged in, the top bar, the login form and the hash router.

import { aborted, api, ApiError, setCsrf } from './api.js';
import { forget, legend, mayAdminister, mayImport, session } from './context.js';
import { clear, h, notice } from './dom.js';
import {
  lang, roleLabel, setLang, t, useDomainLabels,
} from './i18n.js';
import * as audit from './audit.js';
import * as dashboard from './dashboard.js';
import * as enterprise from './dossier-enterprise.js';
import * as parcel from './dossier-parcel.js';
import * as projects from './projects.js';
import * as zone from './dossier-zone.js';
import * as importer from './import.js';
import * as map from './map.js';
import * as tables from './tables.js';
import * as users from './users.js';

const ROUTES = [
  { pattern: /^map$/, page: map, nav: 'map' },
  { pattern: /^parcel\/(.+)$/, page: parcel, nav: 'map' },
  { pattern: /^enterprise\/(.+)$/, page: enterprise, nav: 'tables' },
  { pattern: /^zone\/(\d+)$/, page: zone, nav: 'tables' },
  { pattern: /^tables\/(evaluation|findings|zones|parcels|buildings|enterprises|metrics)$/, page: tables, nav: 'tables' },
  { pattern: /^projects$/, page: { render: projects.renderList }, nav: 'projects' },
  { pattern: /^project\/(.+)$/, page: projects, nav: 'projects' },
  { pattern: /^dashboard$/, page: dashboard, nav: 'dashboard' },
  { pattern: /^import$/, page: importer, nav: 'import' },
  { pattern: /^users$/, page: users, nav: 'users' },
  { pattern: /^audit$/, page: audit, nav: 'audit' },
];

const REDIRECTS = { '': 'map', tables: 'tables/evaluation' };

const topbar = document.getElementById('topbar');
const view = document.getElementById('view');
const loginBox = document.getElementById('login');

let cleanup = null;
let controller = null;
// the domain's names (GET /api/labels), asked for at boot: every start waits for them
let labelsLoaded = Promise.resolve();

/** ``#/tables/parcels?town=…`` → {path: 'tables/parcels', query: URLSearchParams}. */
export function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const at = raw.indexOf('?');
  const path = at < 0 ? raw : raw.slice(0, at);
  return { path: path.replace(/\/+$/, ''), query: new URLSearchParams(at < 0 ? '' : raw.slice(at + 1)) };
}

function leave() {
  if (controller) controller.abort();
  controller = null;
  if (cleanup) {
    try {
      cleanup();
    } catch (e) {
      console.error(e);
    }
  }
  cleanup = null;
}

async function route() {
  if (!session.user) return;
  const { path, query } = parseHash();
  if (path in REDIRECTS) {
    location.replace(`#/${REDIRECTS[path]}`);
    return;
  }
  leave();
  controller = new AbortController();
  const { signal } = controller;
  const found = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
  markNav(found?.r.nav);
  clear(view);
  const root = h('div', { class: 'page' });
  view.append(root);
  view.classList.toggle('view-full', found?.r.page === map);
  window.scrollTo(0, 0);
  if (!found) {
    root.append(notice(t('common.notFound'), 'warn'));
    return;
  }
  const args = found.m.slice(1).map((x) => decodeURIComponent(x));
  try {
    await legend();
    const done = await found.r.page.render(root, { args, query, signal });
    if (signal.aborted) {
      if (typeof done === 'function') done();
    } else {
      cleanup = typeof done === 'function' ? done : null;
    }
  } catch (e) {
    if (aborted(e) || signal.aborted) return;
    if (!(e instanceof ApiError)) console.error(e);
    if (e.status === 401) return;
    clear(root).append(notice(e.detail || e.message || t('common.error'), e.status === 404 ? 'warn' : 'error'));
  }
}

function markNav(name) {
  for (const a of topbar.querySelectorAll('nav a')) {
    a.classList.toggle('active', a.dataset.nav === name);
    if (a.dataset.nav === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function renderTopbar() {
  const user = session.user;
  const links = [
    ['map', '#/map', t('nav.map')],
    ['tables', '#/tables/evaluation', t('nav.tables')],
    ['projects', '#/projects', t('nav.projects')],
    ['dashboard', '#/dashboard', t('nav.dashboard')],
    mayImport() ? ['import', '#/import', t('nav.import')] : null,
    mayAdminister() ? ['users', '#/users', t('nav.users')] : null,
    mayAdminister() ? ['audit', '#/audit', t('nav.audit')] : null,
  ].filter(Boolean);
  clear(topbar).append(
    h('a', { class: 'brand', href: '#/map', testid: 'brand' },
      h('span', { class: 'emblem', 'aria-hidden': 'true' }),
      h('span', { class: 'brand-text' },
        h('strong', null, t('app.title')),
        h('small', null, t('app.subtitle')))),
    h('nav', { class: 'nav', 'aria-label': 'main' },
      links.map(([name, href, text]) => h('a', { href, 'data-nav': name, testid: `nav-${name}` }, text))),
    h('div', { class: 'userbox' },
      h('span', { class: 'user', testid: 'user-info', title: user.username },
        h('strong', { testid: 'user-name' }, user.display_name || user.username),
        h('span', { class: 'role', testid: 'user-role' }, roleLabel(user.role)),
        h('span', { class: 'division', testid: 'user-division' }, user.division_name || (user.division_code ?? t('scope.city')))),
      h('button', { type: 'button', class: 'btn-ghost', testid: 'lang-switch', onclick: switchLanguage }, t('nav.lang')),
      h('button', { type: 'button', class: 'btn-ghost', testid: 'logout', onclick: logOut }, t('nav.logout'))),
  );
  topbar.hidden = false;
  markNav(ROUTES.find((r) => r.pattern.test(parseHash().path))?.nav);
}

function switchLanguage() {
  setLang(lang() === 'en' ? 'zh' : 'en');
  document.title = t('app.title');
  if (session.user) {
    renderTopbar();
    route();
  } else {
    showLogin(loginBox.dataset.message || '');
  }
}

async function logOut() {
  try {
    await api.del('/api/session', { quiet: true });
  } catch {
    // logged out already: fine
  }
  leave();
  forget();
  setCsrf(null);
  showLogin('');
}

function started(answer) {
  session.user = answer.user;
  setCsrf(answer.csrf);
  loginBox.hidden = true;
  clear(loginBox);
  document.getElementById('app').hidden = false;
  if (location.pathname === '/login') history.replaceState(null, '', `/${location.hash || '#/map'}`);
  renderTopbar();
  if (!location.hash || location.hash === '#' || location.hash === '#/') location.replace('#/map');
  else route();
}

function showLogin(message) {
  leave();
  session.user = null;
  document.getElementById('app').hidden = true;
  topbar.hidden = true;
  clear(view);
  loginBox.dataset.message = message || '';
  const error = h('p', { class: 'login-error', testid: 'login-error', role: 'alert', hidden: !message }, message || '');
  const username = h('input', {
    id: 'login-username', name: 'username', autocomplete: 'username', required: true, testid: 'login-username',
  });
  const password = h('input', {
    id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true,
    testid: 'login-password',
  });
  const submit = h('button', { type: 'submit', class: 'btn-primary', testid: 'login-submit' }, t('login.submit'));
  const form = h('form', { class: 'login-form', testid: 'login-form', novalidate: true },
    h('label', { for: 'login-username' }, t('login.username')), username,
    h('label', { for: 'login-password' }, t('login.password')), password,
    error, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!username.value.trim() || !password.value) {
      error.textContent = t('login.required');
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    submit.textContent = t('login.busy');
    error.hidden = true;
    try {
      const answer = await api.post('/api/session', { username: username.value.trim(), password: password.value },
        { auth: true, quiet: true });
      await labelsLoaded;
      started(answer);
    } catch (err) {
      error.textContent = err.detail || err.message;
      error.dataset.reason = err.reason || '';
      error.hidden = false;
      password.select();
    } finally {
      submit.disabled = false;
      submit.textContent = t('login.submit');
    }
  });
  clear(loginBox).append(
    h('div', { class: 'login-card' },
      h('div', { class: 'login-head' },
        h('span', { class: 'emblem emblem-lg', 'aria-hidden': 'true' }),
        h('div', null, h('h1', null, t('app.title')), h('p', null, t('app.subtitle')))),
      h('h2', null, t('login.title')),
      form,
      h('p', { class: 'login-note' }, t('login.note')),
      h('button', { type: 'button', class: 'btn-link', testid: 'lang-switch', onclick: switchLanguage }, t('nav.lang'))),
  );
  loginBox.hidden = false;
  (username.value ? password : username).focus();
}

async function boot() {
  document.title = t('app.title');
  window.addEventListener('lr:unauthenticated', () => {
    if (session.user) {
      forget();
      showLogin(t('login.expired'));
    }
  });
  window.addEventListener('hashchange', route);
  // the domain's names, before any page draws; a page still reads (with bare names) if they fail
  labelsLoaded = api.get('/api/labels', null, { quiet: true }).then(useDomainLabels, () => {});
  try {
    const answer = await api.get('/api/session', null, { auth: true, quiet: true });
    await labelsLoaded;
    started(answer);
  } catch (e) {
    if (e.status === 401) showLogin('');
    else {
      showLogin(e.detail || t('common.network'));
    }
  }
}

boot();
