// The one way pages talk to the API: JSON in and out, the session's token,
// a time limit, errors as ApiError (chosen by code, shown in Vietnamese),
// and retries that never do a thing twice.
//
// Every POST carries an Idempotency-Key. The key belongs to the user's
// action (the same method, path and body): it is kept in localStorage until
// the server has answered, so a retry after a lost answer (here, or after
// the person presses again, even after a reload) sends the same key and the
// server replays its first answer instead of placing a second order.
import {errorText} from './vi.js';

/** An answer that is not a success; `status` 0 when the server was not reached. */
export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const b = body || {};
    super(b.message || ''); // the server's English, for the console only
    this.status = status;
    this.code = b.code || (status ? 'internal' : 'network');
    this.field = b.field || null;
    // `params`, and the members some codes carried before it (`available`)
    const legacy = {...b};
    for (const k of ['code', 'message', 'field', 'params']) delete legacy[k];
    this.params = {...legacy, ...(b.params || {})};
    this.retryAfter = retryAfter || null;
  }

  /** What to tell the person, in Vietnamese. */
  get text() { return errorText(this); }
}

/** A refusal the page makes itself before asking the server, worded like the server's. */
export const pageError = (code, field, params) => new ApiError(422, {code, field, params});

const KEYS = 'nongsan.pending-keys';
const KEEP_MS = 23 * 3600 * 1000; // the server keeps a key 24 hours

function pendingKeys() {
  try {
    const all = JSON.parse(localStorage.getItem(KEYS)) || {};
    const now = Date.now();
    for (const k in all) if (!(all[k] && now - all[k].at < KEEP_MS)) delete all[k];
    return all;
  } catch (e) { return {}; }
}
function savePendingKeys(all) {
  try { localStorage.setItem(KEYS, JSON.stringify(all)); } catch (e) { /* private mode: kept for this page only */ }
}
const memoryKeys = {};

function newKey() {
  if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
  return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
}

/** What makes two presses the same action. */
function actionOf(method, path, body) {
  let text;
  if (body instanceof FormData) {
    text = [...body.entries()].map(([name, v]) => name + '=' + (v instanceof File ? [v.name, v.size, v.lastModified].join(':') : v)).join('&');
  } else {
    text = JSON.stringify(body === undefined ? null : body);
  }
  return method + ' ' + path + ' ' + text;
}

/** The key of this action: the one still waiting for an answer, or a new one. */
function keyFor(action) {
  const all = pendingKeys();
  const held = all[action] || memoryKeys[action];
  if (held) return held.key;
  const entry = {key: newKey(), at: Date.now()};
  all[action] = memoryKeys[action] = entry;
  savePendingKeys(all);
  return entry.key;
}
function answered(action) {
  const all = pendingKeys();
  delete all[action];
  delete memoryKeys[action];
  savePendingKeys(all);
}

const sleep = ms => new Promise(r => setTimeout(r, ms));
// a pause before each retry; a request the server may not have seen is tried three times in all
const RETRY_WAITS = [1000, 3000];
const RETRY_STATUS = new Set([502, 503, 504]);

/**
 * A client. `token()` gives the session's bearer token (or nothing);
 * `signedOut(error)` is told when the server no longer accepts it.
 * The client: `api(method, path, body, {timeout, signal})` → the JSON
 * answer, or throws ApiError. `body` is JSON, or FormData for a file.
 */
export function client({token = () => null, signedOut = () => {}} = {}) {
  return async function api(method, path, body, options = {}) {
    const form = body instanceof FormData;
    const headers = {Accept: 'application/json'};
    if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
    const bearer = token();
    if (bearer) headers.Authorization = 'Bearer ' + bearer;
    // signing in and out are not actions to replay (a stored answer would hold a token)
    const action = method === 'POST' && !path.startsWith('/api/v1/auth/log') ? actionOf(method, path, body) : null;
    if (action) headers['Idempotency-Key'] = keyFor(action);
    const repeatable = action || method === 'GET' || method === 'HEAD';
    const timeout = options.timeout || (form ? 180000 : 30000);

    for (let attempt = 0; ; attempt++) {
      const stop = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; stop.abort(); }, timeout);
      const cancel = () => stop.abort();
      if (options.signal) options.signal.addEventListener('abort', cancel);
      let answer = null;
      let text = '';
      let failure = null;
      try {
        answer = await fetch(path, {method, headers, cache: 'no-store', credentials: 'same-origin', signal: stop.signal,
          body: body === undefined ? undefined : form ? body : JSON.stringify(body)});
        // the whole answer, or it was lost on the way like any other
        text = await answer.text();
      } catch (e) {
        failure = options.signal && options.signal.aborted ? 'aborted' : timedOut ? 'timeout' : 'network';
      } finally {
        clearTimeout(timer);
        if (options.signal) options.signal.removeEventListener('abort', cancel);
      }
      if (failure === 'aborted') throw new ApiError(0, {code: 'aborted'});
      const again = repeatable && attempt < RETRY_WAITS.length &&
        (failure || RETRY_STATUS.has(answer.status));
      if (again) { await sleep(RETRY_WAITS[attempt]); continue; }
      if (failure) throw new ApiError(0, {code: 'network'});

      // answered: the next press is a new action (a 5xx kept nothing, so its key may be reused)
      if (action && answer.status < 500) answered(action);
      let data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
      if (answer.ok) return data;
      const error = new ApiError(answer.status, data && data.error, answer.headers.get('Retry-After'));
      if (answer.status === 401 && bearer) signedOut(error);
      throw error;
    }
  };
}
