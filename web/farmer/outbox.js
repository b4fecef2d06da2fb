// The farmer's writes, kept on the phone (IndexedDB) with their
// Idempotency-Key before the network is tried, and sent one at a time in
// the order made. A lost answer is retried with the same key, so the server
// replays instead of acting twice. A refusal stays until fixed or discarded.
import {ApiError} from '../shared/api.js';

const OUT = 'outbox', ANS = 'answers';
const KEEP_MS = 7 * 864e5; // how long a sent action's id is kept for `after`

let db = null; // null: memory only, the app still works online
let opening, running, sending;
let queue = []; // in the order made
const answers = new Map(); // action id → the id the server gave it
const listeners = new Set();
const sent = new WeakMap(); // action → its answer, for submit
let token = () => null, signedOut = () => {}, user = null;

const newKey = () => crypto.randomUUID ? crypto.randomUUID() : Date.now() + '-' + Math.random().toString(36).slice(2);

// The last request's result, once committed.
function tx(stores, work) {
  if (!db) return Promise.resolve();
  return new Promise((ok, fail) => {
    const t = db.transaction(stores, 'readwrite');
    const r = work(t.objectStore.bind(t));
    t.oncomplete = () => ok(r && r.result);
    t.onerror = t.onabort = () => fail(t.error);
  });
}
// (not one discarded while it was on its way)
const save = it => it.seq == null || !queue.includes(it) ? 0 : tx(OUT, s => s(OUT).put(it));

function open() {
  return opening ||= new Promise(ok => {
    const r = indexedDB.open('nongsan-farmer', 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore(OUT, {keyPath: 'seq', autoIncrement: true});
      r.result.createObjectStore(ANS, {keyPath: 'id'});
    };
    r.onsuccess = () => ok(db = r.result);
    r.onerror = () => ok();
  }).then(async () => {
    if (!db) return;
    const old = Date.now() - KEEP_MS;
    queue = await tx(OUT, s => s(OUT).getAll());
    const known = await tx(ANS, s => s(ANS).getAll());
    for (const a of known) if (a.at > old) answers.set(a.id, a.answer);
    await tx(ANS, s => known.forEach(a => a.at > old || s(ANS).delete(a.id)));
  }).catch(e => { db = null; console.error(e); }).then(changed);
}

const find = id => queue.find(it => it.id === id);
const errorOf = it => it.error && new ApiError(it.error.status, it.error.body, it.error.retryAfter);
// built on an action the server refused (or on one itself blocked)
function blocked(it) {
  const dep = it.after && find(it.after);
  return !!dep && (dep.state === 'refused' || blocked(dep));
}
// a phone shared by a family: each one's actions are shown and sent under their own account
const mine = it => !user || !it.user || it.user === user;
const ready = it => mine(it) && it.state === 'waiting' && !blocked(it);

export const actions = () => queue.filter(mine).map(({id, label, state, createdAt, attempts}, i, q) => ({id, label, createdAt, attempts,
  state: q[i] === sending ? 'sending' : state === 'waiting' && blocked(q[i]) ? 'blocked' : state, error: errorOf(q[i])}));

export const waiting = () => queue.filter(mine).length;

export const onChange = f => (listeners.add(f), () => listeners.delete(f));

function changed() {
  const now = actions();
  for (const f of listeners) try { f(now); } catch (e) { console.error(e); }
}

export function startOutbox(o) {
  token = o.token || token;
  signedOut = o.signedOut || signedOut;
  user = o.user || null; // optional: whose actions these are
  // ask the browser not to clear the queue when space runs low
  navigator.storage?.persist?.().catch(() => {});
  addEventListener('online', () => flush());
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && flush());
  setInterval(() => queue.some(ready) && flush(), 30000);
  flush();
}

export async function submit(a) {
  await open();
  const it = {id: newKey(), key: newKey(), label: a.label, method: a.method, path: a.path, body: a.body ?? null,
    photos: a.photos?.length ? [...a.photos] : null, after: a.after || null, headers: a.headers || null, user,
    state: 'waiting', error: null, createdAt: new Date().toISOString(), attempts: 0};
  queue.push(it);
  // storage full: kept in memory, sent while the page lives
  try { it.seq = await tx(OUT, s => s(OUT).add(it)); } catch (e) { console.error(e); }
  changed();
  await flush();
  return {id: it.id, sent: sent.has(it), result: sent.has(it) ? sent.get(it) : null,
    error: it.state === 'refused' ? errorOf(it) : null};
}

export function flush() {
  return running ||= (async () => {
    try {
      await open();
      let it;
      while (navigator.onLine !== false && token() && (it = queue.find(ready)) && await send(it));
    } catch (e) {
      console.error(e);
    } finally {
      running = null;
    }
  })();
}

// One action; false when the flush must stop.
async function send(it) {
  let path = it.path;
  if (it.after) {
    const id = answers.get(it.after);
    // neither sent nor waiting: what it builds on is gone
    if (id == null) return refuse(it, 404, {code: 'not_found'});
    path = path.split('{after}').join(encodeURIComponent(id));
  }
  const headers = {Authorization: 'Bearer ' + token(), 'Idempotency-Key': it.key, ...it.headers};
  let body;
  if (it.photos) {
    body = new FormData();
    // the same names each time: the server fingerprints the retry
    it.photos.forEach((p, i) => body.append('photo', p, 'photo-' + (i + 1) + '.jpg'));
  } else if (it.body != null) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(it.body);
  }
  sending = it;
  it.attempts++;
  changed();
  const stop = new AbortController(); // (AbortSignal.timeout is too new for some phones)
  const timer = setTimeout(() => stop.abort(), it.photos ? 120000 : 30000);
  let answer, data = null;
  try {
    answer = await fetch(path, {method: it.method, headers, body, signal: stop.signal});
    const text = await answer.text();
    try { data = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
  } catch (e) {
    answer = null; // no network or too slow
  }
  clearTimeout(timer);
  sending = null;
  const s = answer?.status, error = data?.error;
  if (!s || s >= 500 || s === 408 || s === 429 || s === 401 || error?.code === 'request_in_progress') {
    await save(it);
    changed();
    if (s === 401) signedOut(new ApiError(s, error));
    return false;
  }
  if (!answer.ok) return refuse(it, s, error, answer.headers.get('Retry-After'));
  // together: a crash between them would resend, and the server replay
  const id = data?.id;
  answers.set(it.id, id);
  await tx([OUT, ANS], s => {
    if (it.seq != null) s(OUT).delete(it.seq);
    if (id != null) s(ANS).put({id: it.id, answer: id, at: Date.now()});
  });
  queue = queue.filter(x => x !== it);
  sent.set(it, data);
  changed();
  return true;
}

async function refuse(it, status, body = null, retryAfter = null) {
  Object.assign(it, {state: 'refused', error: {status, body, retryAfter}});
  await save(it);
  changed();
  return true; // later actions not built on it go on
}

export async function discard(id) {
  await open();
  const gone = new Set([id]);
  for (const it of queue) if (gone.has(it.after)) gone.add(it.id); // dependants come later
  const drop = queue.filter(it => gone.has(it.id) && it.seq != null);
  queue = queue.filter(it => !gone.has(it.id));
  await tx(OUT, s => drop.forEach(it => s(OUT).delete(it.seq)));
  changed();
}

// Changed or not, a new key: the server keeps the refusal under the old
// one and would only replay it.
export async function retry(id, {body, path, headers} = {}) {
  await open();
  const it = find(id);
  if (it && it.state === 'refused') {
    Object.assign(it, {key: newKey(), state: 'waiting', error: null},
      body !== undefined && {body}, path && {path}, headers && {headers});
    await save(it);
    changed();
  }
  await flush();
}
