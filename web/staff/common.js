// What the tabs share: state, the API client, errors, the toast, the commune picker, sellers.
import {client, ApiError, pageError} from '/shared/api.js';
import {$, h, fill, busy} from '/shared/dom.js';
import {fold, vnd} from '/shared/format.js';
import {errorText} from '/shared/vi.js';

export const state = {
  token: null, user: null, banks: [], units: [], categories: [], sellers: null, sellerId: '',
  lotId: '', pendingLot: null, orders: [], communes: {},
};

// main.js says what to do when the server no longer takes the token
export const session = {expired: () => {}};

export const api = client({token: () => state.token, signedOut: () => session.expired()});

export const isAdmin = () => state.user?.role === 'admin';

/** A file the API gives only with the token (a label, the bank's CSV), as a blob. */
export async function fetchBlob(path) {
  let answer;
  try {
    answer = await fetch(path, {headers: {Authorization: 'Bearer ' + state.token}, cache: 'no-store'});
  } catch {
    throw new ApiError(0, {code: 'network'});
  }
  if (answer.ok) return answer.blob();
  const body = await answer.json().catch(() => null);
  if (answer.status === 401) session.expired();
  throw new ApiError(answer.status, body?.error);
}

/** Go to a tab; when already there, enter it again (reload what it shows). */
export function goTo(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** Work on one seller on the lots or listings tab (both remember the same farmer). */
export function rememberSeller(id) {
  state.sellerId = id || '';
  sessionStorage.setItem('nongsan.staff.seller', state.sellerId);
}
export function openLotsFor(sellerId) {
  rememberSeller(sellerId);
  state.lotId = '';
  goTo('#lo-hang');
}
export function openListingsFor(sellerId, lot) {
  rememberSeller(sellerId);
  state.pendingLot = lot || null;
  goTo('#hang-ban');
}

/* ---------- errors and the toast ---------- */

export function clearErrors(form) {
  const box = form.querySelector('.error');
  if (box) { box.hidden = true; fill(box); }
  for (const n of form.querySelectorAll('[aria-invalid]')) n.removeAttribute('aria-invalid');
}

/** A refusal of the page's own, worded as the server's would be, with what to do. */
export const refuse = (code, field, hint, params) => Object.assign(pageError(code, field, params), {hint});

/** An error in `box`: its text by code (never the server's English), a hint, the focus on its field in `scope`. */
export function showError(box, e, scope, hint = e?.hint) {
  if (e?.code === 'aborted') return;
  if (!(e instanceof ApiError)) console.error(e); // a bug of the page, not an answer
  const text = e instanceof ApiError ? e.text : errorText({code: 'internal'});
  fill(box, h('strong', {text}), hint && h('div', {text: hint}));
  box.hidden = false;
  let target = e?.field && scope ? scope.querySelector(`[data-field="${e.field}"]`) : null;
  if (!target) { box.scrollIntoView({block: 'nearest'}); return; }
  // the commune picker hides its input once a commune is picked: its button changes it
  if (target.offsetParent === null && target.closest('.picker')) {
    target = target.closest('.picker').querySelector('.picked button') || target;
  }
  const details = target.closest('details');
  if (details) details.open = true;
  target.setAttribute('aria-invalid', 'true');
  target.focus();
}

export const errorBox = () => h('div', {class: 'error', role: 'alert', hidden: true});

/** What a press of `btn` asks the server, the button busy meanwhile; a refusal shown in `box`. */
export async function send(btn, box, scope, work, {label = 'Đang lưu…', hint} = {}) {
  box.hidden = true;
  busy(btn, true, label);
  try {
    await work();
  } catch (e) {
    showError(box, e, scope, hint?.(e) ?? e.hint);
  } finally {
    busy(btn, false);
  }
}

/** A form: `check()` gives what to send (or throws a refusal; null: not now), `work(it)` sends it. */
export function onSubmit(form, check, work, options = {}) {
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    clearErrors(form);
    const box = options.box || form.querySelector('.error');
    let it;
    try {
      it = check();
    } catch (e) {
      return showError(box, e, form);
    }
    if (it != null) send(form.querySelector('[type=submit]'), box, form, () => work(it), options);
  });
}

export function flash(text, kind) {
  fill($('flash'), h('div', kind === 'error' ? 'error' : 'ok', text));
  flash.at = Date.now();
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => fill($('flash')), 8000);
}

/* ---------- small things several tabs show ---------- */

/** Facts as a <dl>: rows [term, text, nodes or a <dd>]; a falsy row is left out. */
export const facts = (...rows) => h('dl', 0, rows.filter(Boolean).map(([term, value]) =>
  [h('dt', {text: term}), value?.tagName === 'DD' ? value : h('dd', 0, value)]));

export const tabLink = (href, text, cls) => h('a', {href, class: cls, target: '_blank', rel: 'noopener noreferrer'}, text);

export const safeUrl = u => /^https?:\/\//i.test(String(u || '')) ? String(u) : null;

export const unitName = code => state.units.find(u => u.code === code)?.name_vi || code;

export const telLink = phone => h('a', {href: 'tel:' + String(phone).replace(/[^\d+]/g, ''), text: phone});

export const statusBadge = (text, status) =>
  h('span', {class: 'badge' + (status === 'cancelled' ? ' recalled' : status === 'delivered' ? '' : ' paused'), text});

/** "180.000", "180 000", "180000đ" → 180000; a fraction or letters → null */
export function wholeNumber(raw, maxDigits) {
  const t = String(raw || '').replace(/[\s.]/g, '').replace(/(đồng|₫|đ)$/i, '');
  return new RegExp(`^\\d{1,${maxDigits}}$`).test(t) ? Number(t) : null;
}

/** Adds the commune and province of `code` to an address shown in `dd`. */
export async function communeName(code, dd) {
  state.communes[code] ??= api('GET', '/api/v1/communes/' + encodeURIComponent(code)).catch(() => null);
  const c = await state.communes[code];
  if (!c) return;
  const has = fold(dd.textContent).toLowerCase().includes(fold(c.name).toLowerCase());
  dd.textContent += (has ? '' : ', ' + c.name) + ', ' + c.province_name;
}

/** Organisation id → {name, kind}, from the public trust list. */
export function orgs() {
  orgs.list ??= api('GET', '/api/v1/trust-list').then(d => {
    const m = {};
    for (const i of d.items || []) m[i.organisation_id] = {name: i.organisation_name, kind: i.organisation_kind};
    return m;
  }).catch(() => { orgs.list = null; return {}; });
  return orgs.list;
}

/* ---------- the commune picker ---------- */

/** A search box offering communes as one types; `onChange(commune)` when one is picked or dropped. */
export function picker(root, onChange) {
  const q = root.querySelector('input[type=search]'), list = root.querySelector('.results');
  const picked = root.querySelector('.picked'), label = picked.querySelector('span');
  let searching = null, timer = null, value = null;

  function render(items) {
    if (!items.length) return fill(list, h('li', {class: 'muted', text: 'Không thấy xã / phường nào. Thử gõ ít chữ hơn.'}));
    fill(list, items.map(c => h('li', 0, h('button', {class: 'pick', onclick: () => set(c, true)},
      h('span', 0, h('strong', {text: c.name}), ` — ${c.province_name} `, h('small', {class: 'muted', text: `(mã ${c.code})`}))))));
  }
  async function search() {
    const text = q.value.trim();
    searching?.abort();
    if (text.length < 2) { list.hidden = true; fill(list); return; }
    const mine = searching = new AbortController();
    list.hidden = false;
    fill(list, h('li', {class: 'muted', text: 'Đang tìm…'}));
    try {
      const d = await api('GET', '/api/v1/communes?limit=20&q=' + encodeURIComponent(text), undefined, {signal: mine.signal});
      render(d.items || []);
    } catch (e) {
      if (e.code !== 'aborted') fill(list, h('li', {class: 'muted', text: 'Không tìm được: ' + e.text}));
    }
  }
  function set(c, byUser, silent) {
    value = c || null;
    q.removeAttribute('aria-invalid');
    if (value) {
      label.textContent = `${value.name}, ${value.province_name} (mã ${value.code})`;
      picked.hidden = false; q.hidden = true; list.hidden = true;
      if (byUser) picked.querySelector('button').focus();
    } else {
      picked.hidden = true; q.hidden = false; q.value = ''; list.hidden = true; fill(list);
    }
    if (onChange && !silent) onChange(value);
  }
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 250); });
  q.addEventListener('keydown', ev => {
    const first = list.querySelector('button.pick');
    if (ev.key === 'Enter') { ev.preventDefault(); first?.click(); }
    else if (ev.key === 'ArrowDown' && first) { ev.preventDefault(); first.focus(); }
  });
  list.addEventListener('keydown', ev => {
    const li = ev.target.closest('li');
    if (!li) return;
    if (ev.key === 'ArrowDown' && li.nextElementSibling) { ev.preventDefault(); li.nextElementSibling.querySelector('button').focus(); }
    if (ev.key === 'ArrowUp') { ev.preventDefault(); (li.previousElementSibling?.querySelector('button') || q).focus(); }
  });
  picked.querySelector('button').addEventListener('click', () => { set(null); q.focus(); });
  return {get: () => value, set};
}

/* ---------- the post office's sellers ---------- */

export async function fetchSellers(commune) {
  const d = await api('GET', '/api/v1/sellers' + (commune ? '?commune=' + encodeURIComponent(commune) : ''));
  return d.items || [];
}
export async function sellersReady() {
  state.sellers ??= await fetchSellers();
  return state.sellers;
}
export const sellerById = id => (state.sellers || []).find(s => s.id === id) || null;
export const sellerName = id => sellerById(id)?.full_name || 'người bán ' + id.slice(0, 8);
export const sellerLine = s =>
  `${s.full_name} · ${s.phone} · ${s.farm_name ? s.farm_name + ' · ' : ''}${s.commune_name}, ${s.province_name}`;
export const byName = (a, b) => a.full_name.localeCompare(b.full_name, 'vi');

/** Fills the seller select of the lots or listings tab, then `then()`. */
export async function withSellers(select, errBox, then) {
  if (!state.sellerId) state.sellerId = sessionStorage.getItem('nongsan.staff.seller') || '';
  let items;
  try { items = await sellersReady(); } catch (e) { showError(errBox, e); return; }
  fill(select, h('option', {value: '', text: '— Chọn người bán —'}),
    [...items].sort(byName).map(s => h('option', {value: s.id, text: `${s.full_name} — ${s.phone} — ${s.commune_name}`})));
  if (!sellerById(state.sellerId)) state.sellerId = '';
  select.value = state.sellerId;
  then();
}

/* ---------- money ---------- */

/** +360.000 ₫, −7.200 ₫ */
export const signed = n => (n > 0 ? '+' : n < 0 ? '−' : '') + vnd(Math.abs(n));

/** Totals: [[label, đồng, key], …] */
export const sumBox = (box, rows) =>
  fill(box, rows.map(([label, n, key]) => h('div', 0, h('dt', {text: label}), h('dd', {'data-k': key, text: vnd(n)}))));

