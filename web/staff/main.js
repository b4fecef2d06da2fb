// The post-office console: the session (in sessionStorage: a shared counter machine forgets
// it with the tab), logging in and out, the tabs (by the address's hash), reference lists.
import {$, h, fill, busy} from '/shared/dom.js';
import {pageError} from '/shared/api.js';
import {ORDER} from '/shared/statuses.js';
import {state, session, api, showError, clearErrors, flash} from './common.js';
import * as onboard from './onboard.js';

// The first screen after logging in (onboarding) comes with the page; every other tab's module
// is loaded the first time its tab is opened (the cold load stays small: see staff_console.py).
const TABS = {
  '#dang-ky': ['v-onboard', async () => onboard], '#nguoi-ban': ['v-sellers', () => import('./sellers.js')],
  '#lo-hang': ['v-lots', () => import('./lots.js')], '#hang-ban': ['v-listings', () => import('./listings.js')],
  '#don-hang': ['v-orders', () => import('./orders.js')], '#thanh-toan': ['v-payments', () => import('./payments.js')],
  '#chi-tra': ['v-payouts', () => import('./payouts.js')], '#tep': ['v-files', () => import('./files.js')],
};
// the tab modules loaded so far: a new one is told of the lists loaded before it
const loaded = new Set();
async function tabModule(hash) {
  const m = await TABS[hash][1]();
  if (!loaded.has(m)) {
    loaded.add(m);
    // imported by another tab before someone logged out: what it showed was theirs
    if (wipe.n) m.reset();
    m.unitsLoaded?.();
  }
  return m;
}
const KEY = 'nongsan.staff.';

function show(viewId) {
  for (const v of document.querySelectorAll('main > section.view')) v.hidden = v.id !== viewId;
  for (const a of document.querySelectorAll('nav.tabs a')) {
    if (a.dataset.view !== viewId) { a.removeAttribute('aria-current'); continue; }
    a.setAttribute('aria-current', 'page');
    // on a phone the tabs are one scrolling row: keep the current one in sight
    const nav = a.parentElement;
    if (a.offsetLeft < nav.scrollLeft || a.offsetLeft + a.offsetWidth > nav.scrollLeft + nav.clientWidth) {
      nav.scrollLeft = a.offsetLeft - 16;
    }
  }
}

function route() {
  const signedIn = !!state.token;
  $('tabs').hidden = !signedIn;
  $('who').hidden = !signedIn;
  if (!signedIn) { show('v-login'); $('login-phone').focus(); return; }
  loadReference();
  const hash = TABS[location.hash] ? location.hash : '#dang-ky';
  // a message said just before (e.g. "Xin chào") stays; an older one goes
  if (Date.now() - (flash.at || 0) > 1500) fill($('flash'));
  show(TABS[hash][0]);
  const mine = ++route.n;
  tabModule(hash).then(m => { if (mine === route.n && state.token) m.enter(); }, e => {
    // the tab's module could not be loaded (the network dropped): say so, the next click tries again
    console.error(e);
    flash(pageError('network').text, 'error');
  });
}
route.n = 0;

function setSession(token, user) {
  state.token = token;
  state.user = user;
  if (!token) {
    for (const k of ['token', 'user', 'seller']) sessionStorage.removeItem(KEY + k);
    return;
  }
  sessionStorage.setItem(KEY + 'token', token);
  sessionStorage.setItem(KEY + 'user', JSON.stringify(user));
  $('who-name').textContent = user.name;
  $('who-role').textContent = user.role === 'admin' ? '(quản trị)' : '(nhân viên)';
  $('tab-payouts').hidden = user.role !== 'admin';
}

/** Forget everything the last person saw: the next one starts clean. */
function wipe() {
  Object.assign(state, {sellers: null, sellerId: '', lotId: '', pendingLot: null, orders: []});
  wipe.n = (wipe.n || 0) + 1;
  for (const tab of loaded) tab.reset();
}

session.expired = () => {
  setSession(null, null);
  wipe();
  route();
  const box = $('login-form').querySelector('.error');
  fill(box, h('strong', {text: pageError('unauthenticated').text}));
  box.hidden = false;
};

$('login-show').addEventListener('change', ev => { $('login-password').type = ev.target.checked ? 'text' : 'password'; });

$('login-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const form = ev.target, btn = form.querySelector('button[type=submit]'), box = form.querySelector('.error');
  clearErrors(form);
  const phone = $('login-phone').value.trim(), password = $('login-password').value;
  if (!phone) return showError(box, pageError('required', 'phone'), form);
  if (!password) return showError(box, pageError('required', 'password'), form);
  busy(btn, true, 'Đang đăng nhập…');
  try {
    const d = await api('POST', '/api/v1/auth/login', {phone, password});
    if (d?.user?.role !== 'staff' && d?.user?.role !== 'admin') {
      // a farmer's or a buyer's account: sign that session out again at once
      state.token = d?.token;
      api('POST', '/api/v1/auth/logout', {}).catch(() => {});
      state.token = null;
      showError(box, pageError('forbidden'), form, 'Đây không phải tài khoản nhân viên bưu điện. Hãy đăng nhập bằng tài khoản của quầy.');
      return;
    }
    $('login-password').value = '';
    setSession(d.token, d.user);
    if (!TABS[location.hash]) location.hash = '#dang-ky'; else route();
    flash(`Xin chào ${d.user.name}!`);
  } catch (e) {
    showError(box, e, form, e.code === 'wrong_credentials' ? 'Kiểm tra lại số điện thoại, rồi gõ lại mật khẩu (bấm «Hiện mật khẩu» để xem).' : null);
  } finally {
    busy(btn, false);
  }
});

$('logout').addEventListener('click', () => {
  if (state.token) api('POST', '/api/v1/auth/logout', {}).catch(() => {});
  setSession(null, null);
  wipe();
  $('login-form').reset();
  clearErrors($('login-form'));
  route();
  flash('Đã đăng xuất.');
});

window.addEventListener('hashchange', route);
$('flash').addEventListener('click', ev => fill(ev.currentTarget));
// typing in a field marked wrong takes the mark off
document.addEventListener('input', ev => ev.target.removeAttribute?.('aria-invalid'));

/* ---------- the lists every tab uses: banks, units, categories ---------- */

const options = (select, items, value, text, first) =>
  fill(select, first && h('option', {value: '', text: first}), items.map(i => h('option', {value: i[value], text: text(i)})));

async function loadList(what, path, use) {
  if (state[what].length || loadList[what]) return;
  loadList[what] = true;
  try {
    state[what] = (await api('GET', path)).items || [];
    use(state[what]);
  } catch (e) {
    flash('Không tải được danh sách ' + {banks: 'ngân hàng', units: 'đơn vị', categories: 'loại hàng'}[what] + ': ' + e.text, 'error');
  } finally {
    loadList[what] = false;
  }
}

function loadReference() {
  loadList('banks', '/api/v1/banks', banks => options($('ob-bank'), banks, 'bin', b => `${b.short_name} — ${b.name}`, '— Chọn ngân hàng —'));
  loadList('units', '/api/v1/units', units => {
    for (const id of ['lot-unit', 'ls-unit']) {
      options($(id), units, 'code', u => u.name_vi);
      $(id).value = 'kg';
    }
    for (const tab of loaded) tab.unitsLoaded?.();
  });
  loadList('categories', '/api/v1/categories', cats => options($('ls-category'), cats, 'code', c => c.name_vi, '— Chọn loại —'));
}

/* ---------- start ---------- */

// the order filter says each status as every page does
fill($('or-status'), h('option', {value: '', text: 'Tất cả đơn hàng'}),
  Object.entries(ORDER).filter(([k]) => k !== 'returning').map(([value, text]) => h('option', {value, text})));

const saved = sessionStorage.getItem(KEY + 'token');
if (saved) {
  let user = null;
  try { user = JSON.parse(sessionStorage.getItem(KEY + 'user') || 'null'); } catch { user = null; }
  setSession(saved, user || {name: '', role: 'staff'});
  route();
  api('GET', '/api/v1/auth/me').then(me => setSession(saved, me), () => {});
} else {
  route();
}
