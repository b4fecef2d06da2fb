// What the farmer's screens share: the session (kept in localStorage so the app opens
// offline), the API client for reads, writes through the outbox, errors, the toast,
// the actions waiting on the phone, speech input.
import {client, ApiError, pageError} from '/shared/api.js';
import {$, h, fill, busy} from '/shared/dom.js';
import {decimal, vietnamNow} from '/shared/format.js';
import {errorText} from '/shared/vi.js';
import * as outbox from './outbox.js';

export const KEY = 'nongsan.farmer.';
const load = (k, fallback) => { try { return JSON.parse(localStorage.getItem(KEY + k)) ?? fallback; } catch { return fallback; } };
const save = (k, v) => { try { v == null ? localStorage.removeItem(KEY + k) : localStorage.setItem(KEY + k, JSON.stringify(v)); } catch { /* full: kept for this visit */ } };
export const store = {load, save};

export const state = {
  token: localStorage.getItem(KEY + 'token'), user: load('user', null), me: load('me', null),
  units: load('units', []), categories: load('categories', []), pendingLot: null,
};

// main.js says what to do when the server no longer takes the token
export const session = {expired: () => {}};
export const api = client({token: () => state.token, signedOut: () => session.expired()});

/** A GET with the answer's ETag (api.js gives only the JSON): {data, etag}. */
export async function getTagged(path) {
  let r;
  try {
    r = await fetch(path, {headers: {Accept: 'application/json', Authorization: 'Bearer ' + state.token}, cache: 'no-store'});
  } catch { throw new ApiError(0, {code: 'network'}); }
  const data = await r.json().catch(() => null);
  if (!r.ok) {
    if (r.status === 401) session.expired();
    throw new ApiError(r.status, data?.error);
  }
  return {data, etag: r.headers.get('ETag')};
}

export const enc = encodeURIComponent;
export const today = () => vietnamNow().slice(0, 10);

/** Go to a screen; when already there, enter it again (reload what it shows). */
export function goTo(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/* ---------- errors and the toast ---------- */

export function clearErrors(form) {
  const box = form.querySelector('.error');
  if (box) { box.hidden = true; fill(box); }
  for (const n of form.querySelectorAll('[aria-invalid]')) n.removeAttribute('aria-invalid');
}

/** A refusal of the page's own, worded as the server's would be, with what to do. */
export const refuse = (code, field, hint, params) => Object.assign(pageError(code, field, params), {hint});

/** An error in `box`: its Vietnamese text by code, a hint, the focus on its field in `scope`. */
export function showError(box, e, scope, hint = e?.hint) {
  if (e?.code === 'aborted') return;
  if (!(e instanceof ApiError)) console.error(e); // a bug of the page, not an answer
  fill(box, h('strong', {text: e instanceof ApiError ? e.text : errorText(e?.code ? e : {code: 'internal'})}), hint && h('div', {text: hint}));
  box.hidden = false;
  const target = e?.field && scope ? scope.querySelector(`[data-field="${e.field}"]`) : null;
  if (!target) return box.scrollIntoView({block: 'nearest'});
  target.closest('details')?.setAttribute('open', '');
  target.setAttribute('aria-invalid', 'true');
  target.focus();
}

export const errorBox = () => h('div', {class: 'error', role: 'alert', hidden: true});

export function flash(text, kind) {
  fill($('flash'), h('div', kind === 'error' ? 'error' : 'ok', text));
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => fill($('flash')), 7000);
}

/** A form: `check()` gives what to do (or throws a refusal), `work(it, btn, box)` does it. */
export function onSubmit(form, check, work) {
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    clearErrors(form);
    const box = form.querySelector('.error'), btn = form.querySelector('[type=submit]');
    let it;
    try { it = await check(); } catch (e) { return showError(box, e, form); }
    if (it == null) return;
    busy(btn, true, 'Đang lưu…');
    try { await work(it, box); } catch (e) { showError(box, e, form); } finally { busy(btn, false); }
  });
}

/* ---------- writes: every POST and PATCH goes through the outbox ---------- */

export const SAVED_OFFLINE = 'Đã lưu trên máy — sẽ gửi khi có mạng';

// What the phone keeps about each waiting action: what to show before the server has it
// (a lot, an event, a listing "chờ gửi") and what the farmer typed, to fix a refused one.
const RECORDS = () => 'records.' + (state.user?.id || '');
export const records = () => load(RECORDS(), {});
export function remember(id, rec) { const all = records(); all[id] = {...rec, at: Date.now()}; save(RECORDS(), all); }
export function forget(id) { const all = records(); delete all[id]; save(RECORDS(), all); }
/** The records of one kind still on their way (not refused: those are in the outbox list), oldest first. */
export function waitingOf(kind) {
  const live = new Set(outbox.actions().filter(a => a.state !== 'refused').map(a => a.id)), all = records();
  return Object.entries(all).filter(([id, r]) => r.kind === kind && live.has(id)).map(([id, r]) => ({id, ...r}))
    .sort((a, b) => a.at - b.at);
}

/**
 * Sends one write through the outbox: {sent, result} when the server took it, {sent: false}
 * when it waits on the phone (the toast says so), or throws the refusal (the action is
 * dropped: the form still holds what was typed and shows why). `rec` is remembered while
 * the action waits. `fix`: the id of a refused action this corrects (it keeps its place).
 */
export async function write(action, rec, fix) {
  let r;
  if (fix) {
    // a fixed action keeps its place in the queue (later ones may wait on its answer)
    await outbox.retry(fix, {body: action.body, path: action.path, headers: action.headers});
    const now = outbox.actions().find(a => a.id === fix);
    r = {id: fix, sent: !now, error: now?.state === 'refused' ? now.error : null};
  } else {
    r = await outbox.submit(action);
  }
  if (r.error) {
    if (!fix) await outbox.discard(r.id).catch(() => {});
    throw r.error;
  }
  if (!r.sent) {
    if (rec) remember(r.id, {...rec, method: action.method, path: action.path, body: action.body, headers: action.headers});
    flash(SAVED_OFFLINE);
  } else if (fix) forget(fix);
  return r;
}

/* ---------- small things several screens show ---------- */

export const facts = (...rows) => h('dl', 0, rows.filter(Boolean).map(([t, v]) => [h('dt', {text: t}), v?.tagName === 'DD' ? v : h('dd', 0, v)]));
export const badge = (text, cls) => h('span', {class: 'badge' + (cls ? ' ' + cls : ''), text});
export const waitBadge = () => badge('⏳ chờ gửi', 'wait');
export const unitName = code => state.units.find(u => u.code === code)?.name_vi || code;
export const qty = (n, unit) => decimal(n) + ' ' + unitName(unit);

/** "12,5" → "12.5": a positive number of at most 3 decimals, else null. */
export function decimalText(raw, maxWhole = 12) {
  const s = String(raw || '').trim().replace(/\s/g, '').replace(',', '.');
  return new RegExp(`^\\d{1,${maxWhole}}(\\.\\d{1,3})?$`).test(s) && /[1-9]/.test(s) ? s : null;
}

/** "180.000", "180 000", "180000đ" → 180000; a fraction or letters → null */
export function wholeNumber(raw, maxDigits) {
  const t = String(raw ?? '').replace(/[\s.]/g, '').replace(/(đồng|₫|đ)$/i, '');
  return new RegExp(`^\\d{1,${maxDigits}}$`).test(t) ? Number(t) : null;
}

/** "Đã chọn: ngày 02/11/2025 lúc 06:00" under a date input (the phone's own picker may be in English). */
export function dateHint(input, hint) {
  const update = () => {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?/.exec(input.value);
    hint.textContent = m ? `Đã chọn: ngày ${m[3]}/${m[2]}/${m[1]}` + (m[4] ? ' lúc ' + m[4] : '') : '';
  };
  input.addEventListener('input', update);
  input.addEventListener('change', update);
  return update;
}

/* ---------- speech: a 🎤 beside a title, description or note where the phone can listen ---------- */

const Speech = window.SpeechRecognition || window.webkitSpeechRecognition;

/** Puts a 🎤 button beside every [data-mic] field under `root` (once each). */
export function mics(root) {
  if (!Speech) return;
  for (const field of root.querySelectorAll('[data-mic]:not([data-mic-on])')) {
    field.dataset.micOn = '1';
    const btn = h('button', {title: 'Nói để nhập', 'aria-label': 'Nói để nhập chữ'}, '🎤');
    btn.addEventListener('click', () => {
      const rec = new Speech();
      rec.lang = 'vi-VN';
      rec.interimResults = false;
      rec.onresult = ev => {
        const said = ev.results[0][0].transcript;
        field.value = field.tagName === 'TEXTAREA' && field.value ? field.value + ' ' + said : said;
        field.dispatchEvent(new Event('input', {bubbles: true}));
      };
      rec.onend = () => btn.classList.remove('on');
      btn.classList.add('on');
      try { rec.start(); } catch { btn.classList.remove('on'); }
    });
    const wrap = h('div', 'mic');
    field.replaceWith(wrap);
    wrap.append(field, btn);
  }
}

/** Puts values into a form's named fields (a refused action being fixed). */
export function fillForm(form, values) {
  for (const [name, v] of Object.entries(values)) {
    const f = form.elements[name];
    if (f && v != null && f.type !== 'file') { f.value = v; f.dispatchEvent(new Event('input', {bubbles: true})); }
  }
}
