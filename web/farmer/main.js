// The farmer's app: getting in (activation, login), the screens (by the address's hash),
// the strip of actions waiting on the phone, logging out, the service worker.
// The session is in localStorage: the installed app must open again with no network.
import {$, h, fill, busy} from '/shared/dom.js';
import {pageError} from '/shared/api.js';
import {vnTime} from '/shared/format.js';
import {OUTBOX} from '/shared/statuses.js';
import {NOT_A_FARMER, NOT_A_SELLER} from '/shared/vi.js';
import * as outbox from './outbox.js';
import {KEY, store, state, session, api, showError, clearErrors, flash, records, forget, mics, goTo} from './common.js';
// Each screen's module is loaded when first shown: the login screen needs none of them, so a
// first visit over 3G is usable sooner (the service worker keeps them all for offline).
const SCREENS = {
  '#hom-nay': ['v-hom-nay', () => import('./today.js')], '#lo-hang': ['v-lo-hang', () => import('./lots.js')],
  '#hang-ban': ['v-hang-ban', () => import('./listings.js')], '#don-hang': ['v-don-hang', () => import('./orders.js')],
  '#tien': ['v-tien', () => import('./money.js')],
};
// who fixes a refused action of each kind (the others can only be dropped)
const FIXERS = {lot: '#lo-hang', event: '#lo-hang', listing: '#hang-ban', change: '#hang-ban'};
const loaded = new Set();
async function screen(tab) {
  const m = await SCREENS[tab][1]();
  if (!loaded.has(m)) { loaded.add(m); m.listsLoaded?.(); }
  return m;
}

function show(viewId, tab) {
  for (const v of document.querySelectorAll('main > section.view')) v.hidden = v.id !== viewId;
  for (const a of document.querySelectorAll('#tabs a')) {
    if (a.getAttribute('href') === tab) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

function route() {
  const signedIn = !!state.token;
  $('tabs').hidden = $('logout').hidden = !signedIn;
  if (!signedIn) { show('v-vao'); renderOutbox(); return; }
  // "#lo/ID": one lot's page, under the harvests tab
  const [tab, arg] = location.hash.split('/');
  if ((tab === '#lo' || tab === '#lo-hang') && arg) {
    show('v-lot', '#lo-hang');
    return screen('#lo-hang').then(m => m.open(decodeURIComponent(arg)), failed);
  }
  const here = SCREENS[tab] ? tab : '#hom-nay';
  show(SCREENS[here][0], here);
  return screen(here).then(m => m.enter(), failed);
}
// a module that could not be loaded (offline before the app was ever kept on the phone)
const failed = e => { console.error(e); flash(pageError('network').text, 'error'); };

/* ---------- getting in ---------- */

function setSession(token, user, me) {
  Object.assign(state, {token, user, me});
  if (token) localStorage.setItem(KEY + 'token', token); else localStorage.removeItem(KEY + 'token');
  store.save('user', user);
  store.save('me', me);
  $('who').textContent = me?.full_name || user?.name || 'nongsan · Nhà nông';
}

const vaoError = text => { fill($('vao-error'), h('strong', {text})); $('vao-error').hidden = !text; };

/** After activating or logging in: only a farmer with a seller record stays. */
async function enter(d, form) {
  state.token = d.token;
  const box = form.querySelector('.error');
  const out = text => {
    api('POST', '/api/v1/auth/logout', {}).catch(() => {});
    state.token = null;
    fill(box, h('strong', {text}));
    box.hidden = false;
  };
  if (d.user?.role !== 'farmer') return out(NOT_A_FARMER);
  let me;
  try {
    me = await api('GET', '/api/v1/sellers/me');
  } catch (e) {
    if (e.status === 404 || e.status === 403) return out(NOT_A_SELLER);
    state.token = null;
    return showError(box, e, form);
  }
  setSession(d.token, d.user, me);
  form.reset();
  start();
  flash(`Xin chào ${me.full_name}!`);
  goTo('#hom-nay');
}

function authForm(form, path, check) {
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    clearErrors(form);
    vaoError('');
    const box = form.querySelector('.error'), btn = form.querySelector('[type=submit]');
    let body;
    try { body = check(); } catch (e) { return showError(box, e, form); }
    busy(btn, true, 'Đang vào…');
    try { await enter(await api('POST', path, body), form); } catch (e) {
      showError(box, e, form, e.code === 'wrong_credentials' ? 'Chưa có mật khẩu? Bấm «Lần đầu dùng: kích hoạt tài khoản». Quên mật khẩu? Xem ở dưới.' : null);
    } finally { busy(btn, false); }
  });
}

const phoneOf = form => form.elements.phone.value.replace(/[\s.]/g, '');
authForm($('activate-form'), '/api/v1/auth/activate', () => {
  const f = $('activate-form').elements, phone = phoneOf($('activate-form'));
  const code = f.activation_code.value.trim().toUpperCase(), password = f.password.value;
  if (!phone) throw pageError('required', 'phone');
  if (!code) throw pageError('required', 'activation_code');
  // said before sending: the server would refuse it anyway
  if (password.length < 8) throw pageError('too_short', 'password', {min: 8});
  return {phone, activation_code: code, password};
});
authForm($('login-form'), '/api/v1/auth/login', () => {
  const phone = phoneOf($('login-form')), password = $('login-password').value;
  if (!phone) throw pageError('required', 'phone');
  if (!password) throw pageError('required', 'password');
  return {phone, password};
});
for (const box of document.querySelectorAll('[data-show]')) {
  box.addEventListener('change', () => { $(box.dataset.show).type = box.checked ? 'text' : 'password'; });
}

function signOut(text) {
  setSession(null, null, null);
  if (text) sessionStorage.setItem(KEY + 'said', text);
  // the data the service worker kept for offline is this farmer's: not for whoever comes next
  const wipe = self.caches ? Promise.all(['farmer-data', 'farmer-media'].map(k => caches.delete(k))) : Promise.resolve();
  // a clean page; the waiting actions stay in the phone's outbox
  wipe.catch(() => {}).finally(() => { location.hash = '#vao'; location.reload(); });
}
session.expired = () => signOut(pageError('unauthenticated').text);

$('logout').addEventListener('click', () => {
  const n = outbox.waiting();
  if (n && !confirm(`Còn ${n} việc chưa gửi lên máy chủ.\nĐăng xuất thì các việc này vẫn được giữ trên máy và chỉ gửi khi bà con đăng nhập lại.\nVẫn đăng xuất?`)) return;
  api('POST', '/api/v1/auth/logout', {}).catch(() => {}).finally(() => signOut('Đã đăng xuất.'));
});

/* ---------- the actions waiting on the phone ---------- */

function renderOutbox() {
  const all = state.token ? outbox.actions() : [];
  const refused = all.filter(a => a.state === 'refused').length;
  $('outbox-bar').hidden = !all.length;
  $('outbox-bar').classList.toggle('bad', refused > 0);
  $('outbox-count').textContent = `⏳ ${all.length} việc chờ gửi` + (refused ? ` · ⚠ ${refused} việc bị từ chối — bấm để xem` : ' — bấm để xem');
  if (!all.length) panel(false);
  const recs = records();
  fill($('outbox-list'), all.map(a => {
    const rec = recs[a.id], fixer = rec && FIXERS[rec.kind];
    const fixable = a.state === 'refused' && fixer && !['lot_recalled', 'not_found', 'forbidden', 'invalid_transition'].includes(a.error?.code);
    return h('li', {'data-state': a.state, 'data-action-id': a.id},
      h('div', 0, h('strong', {text: a.label})),
      h('div', 'state', OUTBOX[a.state] || a.state),
      a.state === 'refused' && a.error && h('div', {class: 'error', text: a.error.text}),
      h('div', {class: 'hint', text: 'Ghi lúc ' + vnTime(a.createdAt) + (a.attempts ? ` · đã thử gửi ${a.attempts} lần` : '')}),
      (a.state === 'refused' || a.state === 'blocked') && h('div', 'row',
        fixable && h('button', {class: 'primary', 'data-act': 'fix', onclick: () => {
          panel(false);
          screen(fixer).then(m => m.fix(a, rec), failed);
        }}, '✏️ Sửa'),
        h('button', {class: 'danger', 'data-act': 'discard', onclick: async () => {
          if (!confirm(`Bỏ việc «${a.label}»?\nViệc này sẽ không được gửi lên máy chủ.`)) return;
          await outbox.discard(a.id);
          forget(a.id);
        }}, '🗑 Bỏ')));
  }));
}

// the ids of the actions last seen: one gone means the server has it (or it was dropped)
let known = null;
function outboxChanged() {
  renderOutbox();
  const live = new Set(outbox.actions().map(a => a.id));
  // the first answer is the queue kept on the phone (after a reload): show it in the lists
  let again = known === null && live.size > 0;
  // (only one the lists showed as waiting: a write sent at once was shown by its screen already)
  const recs = records();
  for (const id of known || []) if (!live.has(id) && recs[id]) { forget(id); again = true; }
  known = live;
  if (again && state.token) refresh();
}
// one reload for a burst of sent actions
let refreshTimer;
function refresh() { clearTimeout(refreshTimer); refreshTimer = setTimeout(route, 400); }

function panel(open) {
  $('outbox-panel').hidden = !open;
  $('outbox-bar').setAttribute('aria-expanded', String(open));
}
$('outbox-bar').addEventListener('click', () => { panel(true); $('outbox-panel').scrollIntoView({block: 'nearest'}); });
$('outbox-close').addEventListener('click', () => panel(false));
$('outbox-send').addEventListener('click', () => { outbox.flush(); flash(navigator.onLine === false ? 'Máy đang mất mạng: sẽ tự gửi khi có mạng.' : 'Đang gửi…'); });

let started = false;
function start() {
  if (started) return;
  started = true;
  // `user`: whose queue this is (a phone may be shared by a family)
  outbox.startOutbox({token: () => state.token, signedOut: () => session.expired(), user: state.user?.id, phone: state.me?.phone});
  outbox.onChange(outboxChanged);
  renderOutbox();
  // the lists the forms offer; the service worker answers them offline
  loadList('units', '/api/v1/units');
  loadList('categories', '/api/v1/categories');
}

async function loadList(what, path) {
  try {
    state[what] = (await api('GET', path)).items || [];
    store.save(what, state[what]);
  } catch { /* offline with nothing cached: the lists from last time */ }
  for (const m of loaded) m.listsLoaded?.();
}

/* ---------- start ---------- */

window.addEventListener('hashchange', route);
$('flash').addEventListener('click', ev => fill(ev.currentTarget));
document.addEventListener('input', ev => ev.target.removeAttribute?.('aria-invalid'));
mics(document);

const said = sessionStorage.getItem(KEY + 'said');
if (said) { sessionStorage.removeItem(KEY + 'said'); flash(said); }
if (state.token) {
  setSession(state.token, state.user, state.me);
  // the profile may have changed at the counter; offline the saved one serves
  const me = api('GET', '/api/v1/sellers/me').then(me => { setSession(state.token, state.user, me); return me; }, () => null);
  (state.me ? Promise.resolve() : me).then(() => {
    if (!state.me) return signOut(NOT_A_SELLER);
    start();
    route();
  });
} else {
  route();
}

if ('serviceWorker' in navigator) {
  addEventListener('load', () => navigator.serviceWorker.register('/farmer/sw.js', {scope: '/farmer'}).catch(() => {}));
}
