// Talking to the server: JSON in and out, the CSRF token on every write, errors as toasts.

import { toast } from './dom.js';
import { lang, t } from './i18n.js';

let csrf = null;

export function setCsrf(token) {
  csrf = token || null;
}

export class ApiError extends Error {
  constructor(status, reason, detail) {
    super(detail);
    this.status = status;
    this.reason = reason;
    this.detail = detail;
  }
}

/** ``path`` with the non-empty ``query`` values as a query string. */
export function url(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value != null && value !== '') params.set(key, value);
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function failure(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  let detail = body?.detail ?? `${response.status} ${response.statusText}`;
  if (typeof detail !== 'string') detail = JSON.stringify(detail);
  return new ApiError(response.status, body?.reason ?? 'http_error', detail);
}

/**
 * One request. Options: query, json (a body sent as JSON), form (FormData), signal, quiet (no toast),
 * raw (return the Response). A 401 tells the app to show the login form (unless ``auth`` is set: the
 * login form's own calls).
 */
export async function request(method, path, options = {}) {
  // the server writes its messages in the language the page shows
  const headers = { Accept: 'application/json', 'Accept-Language': lang() === 'en' ? 'en' : 'zh-CN' };
  let body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  let response;
  try {
    response = await fetch(url(path, options.query), {
      method, headers, body, signal: options.signal, credentials: 'same-origin',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    if (!options.quiet) toast(t('common.network'));
    throw new ApiError(0, 'network', t('common.network'));
  }
  if (!response.ok) {
    const error = await failure(response);
    if (response.status === 401 && !options.auth) {
      window.dispatchEvent(new CustomEvent('lr:unauthenticated', { detail: error }));
    } else if (!options.quiet) {
      toast(error.detail);
    }
    throw error;
  }
  if (options.raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

export const api = {
  get: (path, query, options = {}) => request('GET', path, { ...options, query }),
  post: (path, json, options = {}) => request('POST', path, { ...options, json }),
  put: (path, json, options = {}) => request('PUT', path, { ...options, json }),
  patch: (path, json, options = {}) => request('PATCH', path, { ...options, json }),
  del: (path, options = {}) => request('DELETE', path, options),
  upload: (path, form, options = {}) => request('POST', path, { ...options, form }),
};

/** The file name a download response names (RFC 6266 ``filename*`` first). */
function filenameOf(response, fallback) {
  const header = response.headers.get('Content-Disposition') || '';
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header);
  return plain ? plain[1] : fallback;
}

/** Fetches a file and hands it to the browser as a download; returns its name. */
export async function download(path, query, fallback = 'download') {
  const response = await request('GET', path, { query, raw: true });
  const blob = await response.blob();
  const name = filenameOf(response, fallback);
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return name;
}

/** True for the error a cancelled request throws (the page was left before it came back). */
export function aborted(error) {
  return error?.name === 'AbortError';
}

/**
 * Requests of which only the latest counts (a list re-read as its filters change): ``next()``
 * cancels the one before and gives the new one's signal, also cancelled when ``page`` is (the
 * page was left); ``cancel()`` cancels the one in flight.
 */
export function latestOnly(page) {
  let asked = null;
  return {
    next() {
      if (asked) asked.abort();
      asked = new AbortController();
      const mine = asked;
      page.addEventListener('abort', () => mine.abort(), { once: true });
      return mine.signal;
    },
    cancel() {
      if (asked) asked.abort();
    },
  };
}
