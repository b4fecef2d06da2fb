// The commune officers' dashboard: sign in (officer or admin), pick a
// province or a commune (typed without marks), and read per month the
// sellers onboarded, listings, orders, delivered value, recalls and how
// orders were paid, as charts with their tables and CSV files; what the
// digital-transformation programmes report; the communes side by side.
// It reads only: nothing here changes anything on the server.
import {client, pageError} from '/shared/api.js';
import {$, h, fill, busy} from '/shared/dom.js';
import {vnd, digits} from '/shared/format.js';
import {barChart, table, csv, download, slug, monthLabel} from './chart.js';

const KEY = 'nongsan.officer.';
const state = {token: sessionStorage.getItem(KEY + 'token'), user: null, provinces: [], commune: null, locked: null, asked: 0};
try { state.user = JSON.parse(sessionStorage.getItem(KEY + 'user') || 'null'); } catch { state.user = null; }
const api = client({token: () => state.token, signedOut: () => expired()});
const enc = encodeURIComponent;
const pct = x => x == null ? '—' : digits(x) + ' %';

function flash(text) {
  fill($('flash'), h('div', {class: 'error', style: 'background:#e6f2dc;border-color:#2e6b2e;color:#1b2a1b'}, text));
  setTimeout(() => fill($('flash')), 2500);
}
function showError(box, e, extra) {
  fill(box, h('strong', 0, extra || e.text));
  box.hidden = false;
}

// ---- the session ----------------------------------------------------------
function setSession(token, user) {
  state.token = token;
  state.user = user;
  if (token) {
    sessionStorage.setItem(KEY + 'token', token);
    sessionStorage.setItem(KEY + 'user', JSON.stringify(user));
  } else {
    sessionStorage.removeItem(KEY + 'token');
    sessionStorage.removeItem(KEY + 'user');
  }
}
function show() {
  const on = !!state.token;
  $('v-login').hidden = on;
  $('v-dash').hidden = !on;
  $('who').hidden = !on;
  $('who-name').textContent = on && state.user ? state.user.name : '';
  if (on) start(); else $('login-phone').focus();
}
function expired() {
  setSession(null, null);
  show();
  showError($('login-form').querySelector('.error'), pageError('unauthenticated'));
}

$('login-show').addEventListener('change', ev => { $('login-password').type = ev.target.checked ? 'text' : 'password'; });
$('login-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const box = ev.target.querySelector('.error'), btn = ev.target.querySelector('button[type=submit]');
  box.hidden = true;
  const phone = $('login-phone').value.trim(), password = $('login-password').value;
  if (!phone) return showError(box, pageError('required', 'phone'));
  if (!password) return showError(box, pageError('required', 'password'));
  busy(btn, true, 'Đang đăng nhập…');
  try {
    const d = await api('POST', '/api/v1/auth/login', {phone, password});
    const role = d && d.user && d.user.role;
    if (role !== 'officer' && role !== 'admin') {
      // someone else's kind of account: sign that session out again at once
      state.token = d && d.token;
      api('POST', '/api/v1/auth/logout', {}).catch(() => {});
      state.token = null;
      return showError(box, pageError('forbidden'), 'Đây không phải tài khoản cán bộ xã, phường. Hãy đăng nhập bằng tài khoản cán bộ được cấp.');
    }
    $('login-password').value = '';
    setSession(d.token, d.user);
    show();
    flash('Xin chào ' + d.user.name + '!');
  } catch (e) {
    showError(box, e);
  } finally {
    busy(btn, false);
  }
});
$('logout').addEventListener('click', () => {
  if (state.token) api('POST', '/api/v1/auth/logout', {}).catch(() => {});
  setSession(null, null);
  state.started = false;
  $('login-form').reset();
  show();
});

// ---- the area and months asked ----------------------------------------------
const thisMonth = () => new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 7);
function addMonths(m, k) {
  const [y, mo] = m.split('-').map(Number);
  const i = y * 12 + mo - 1 + k;
  return Math.floor(i / 12) + '-' + String(i % 12 + 1).padStart(2, '0');
}
function months() {
  const to = $('to').value || thisMonth();
  return {from: addMonths(to, 1 - Number($('span').value)), to};
}
function areaQuery() {
  if (state.commune) return 'commune=' + enc(state.commune.code);
  return $('province').value ? 'province=' + enc($('province').value) : '';
}
function remember() {
  const p = new URLSearchParams();
  if (state.commune) p.set('commune', state.commune.code);
  else if ($('province').value) p.set('province', $('province').value);
  p.set('months', $('span').value);
  if ($('to').value !== thisMonth()) p.set('to', $('to').value);
  history.replaceState(null, '', '#' + p);
}

function drawCommune() {
  const box = $('commune-box');
  if (state.commune) {
    return fill(box, h('div', {class: 'picked', id: 'commune-picked'}, h('span', 0, state.commune.name),
      h('button', {id: 'commune-clear', onclick: () => { state.commune = null; drawCommune(); load(); $('commune-q').focus(); }}, 'Xem cả tỉnh')));
  }
  const list = h('ul', {class: 'pick', id: 'commune-list', 'aria-label': 'Xã, phường tìm thấy'});
  const q = h('input', {id: 'commune-q', type: 'search', autocomplete: 'off', placeholder: 'Gõ tên xã, không cần dấu: tu le'});
  let timer = 0, asked = 0;
  q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const t = q.value.trim(), me = ++asked;
      if (t.length < 2) return fill(list);
      try {
        const p = $('province').value;
        const j = await api('GET', '/api/v1/communes?limit=8&q=' + enc(t) + (p ? '&province=' + p : ''));
        if (me !== asked) return;
        fill(list, j.items.length ? j.items.map(c => h('li', 0, h('button', {onclick: () => pick(c)}, h('b', 0, c.name), ' — ' + c.province_name)))
          : h('li', 'muted', 'Không thấy xã, phường nào. Thử gõ ít chữ hơn.'));
      } catch (e) { if (me === asked) fill(list, h('li', 'error', e.text)); }
    }, 250);
  });
  fill(box, q, list);
}
function pick(c) {
  state.commune = c;
  if (c.province_code && $('province').value !== c.province_code && !state.locked) $('province').value = c.province_code;
  drawCommune();
  load();
}

async function start() {
  if (state.started) return load();
  state.started = true;
  const to = $('to');
  fill(to, Array.from({length: 36}, (_, i) => addMonths(thisMonth(), -i)).map(m => h('option', {value: m}, monthLabel(m))));
  const saved = new URLSearchParams(location.hash.slice(1));
  if (saved.get('months') && [...$('span').options].some(o => o.value === saved.get('months'))) $('span').value = saved.get('months');
  if (saved.get('to') && [...to.options].some(o => o.value === saved.get('to'))) to.value = saved.get('to');
  try {
    state.provinces = (await api('GET', '/api/v1/provinces')).items;
  } catch (e) {
    return showError($('dash-error'), e);
  }
  // what this account may read: an officer of a commune reads its province
  let first = null;
  try {
    const m = months();
    first = await api('GET', `/api/v1/stats?from=${m.from}&to=${m.to}`);
  } catch (e) {
    if (e.status !== 401) showError($('dash-error'), e);
    return;
  }
  state.locked = state.user && state.user.role === 'officer' && first.area === 'province' ? first.province_code : null;
  const provinces = state.locked ? state.provinces.filter(p => p.code === state.locked) : state.provinces;
  fill($('province'), !state.locked && h('option', {value: ''}, 'Cả nước'), provinces.map(p => h('option', {value: p.code}, p.name)));
  $('province').value = saved.get('province') || state.locked || '';
  if (saved.get('commune')) {
    try { state.commune = await api('GET', '/api/v1/communes/' + enc(saved.get('commune'))); } catch { state.commune = null; }
  }
  drawCommune();
  load();
}
$('province').addEventListener('change', () => { state.commune = null; drawCommune(); load(); });
$('span').addEventListener('change', () => load());
$('to').addEventListener('change', () => load());

// ---- the report -----------------------------------------------------------------
const CHARTS = [
  {key: 'sellers_onboarded', title: 'Người bán mới đăng ký', unit: 'người', color: '#2e6b2e'},
  {key: 'listings_created', title: 'Sản phẩm mới đăng bán', unit: 'sản phẩm', color: '#3f7fbf'},
  {key: 'orders_placed', title: 'Đơn hàng', unit: 'đơn', color: '#8a5a00'},
  {key: 'revenue_vnd', title: 'Giá trị hàng đã giao', unit: 'đồng', color: '#1f7a6b', money: true},
  {key: 'lots_recalled', title: 'Lô hàng bị thu hồi', unit: 'lô', color: '#b00020'},
];

async function load() {
  const me = ++state.asked;
  remember();
  $('dash-error').hidden = true;
  $('report').classList.add('loading');
  const m = months(), q = areaQuery();
  const range = `from=${m.from}&to=${m.to}`;
  try {
    const [stats, ranking] = await Promise.all([
      api('GET', `/api/v1/stats?${q}${q ? '&' : ''}${range}`),
      api('GET', `/api/v1/stats/communes?${q}${q ? '&' : ''}${range}`),
    ]);
    if (me !== state.asked) return;
    state.shown = [stats, ranking, m];
    render(stats, ranking, m);
  } catch (e) {
    if (me !== state.asked || e.status === 401) return;
    showError($('dash-error'), e, e.code === 'forbidden' ? 'Tài khoản của anh/chị chỉ xem được số liệu của tỉnh mình. Hãy chọn một xã, phường trong tỉnh.' : null);
  } finally {
    if (me === state.asked) $('report').classList.remove('loading');
  }
}

// the charts are drawn for a phone's width or a PC's: turning a tablet redraws them
let narrow = innerWidth < 600;
addEventListener('resize', () => {
  if ((innerWidth < 600) === narrow) return;
  narrow = innerWidth < 600;
  if (state.shown) render(...state.shown);
});

function areaName(s) {
  if (s.area === 'commune') return (s.commune_name || 'Xã mã ' + s.commune_code) + (s.province_name ? ', ' + s.province_name : '');
  if (s.area === 'province') return s.province_name || 'Tỉnh mã ' + s.province_code;
  return 'Cả nước';
}

function tile(id, label, big, note, share) {
  return h('div', {class: 'tile', id},
    h('span', 0, label), h('b', 0, big),
    share != null && h('div', {class: 'bar', role: 'img', 'aria-label': pct(share)}, h('i', {style: 'width:' + share + '%'})),
    note && h('span', 'muted', note));
}

function render(s, r, m) {
  const name = areaName(s), period = monthLabel(m.from) + ' – ' + monthLabel(m.to);
  const file = what => `nongsan-${slug(name)}-${m.from}-${m.to}-${what}.csv`;
  $('report-h').textContent = name;
  $('report-sub').textContent = 'Số liệu từ ' + period + '. Con số «hiện nay» là lúc mở trang.';
  const x = s.measures;
  fill($('measures'),
    tile('m-sellers-online', 'Người bán đang bán trực tuyến', digits(x.sellers_online) + ' / ' + digits(x.sellers),
      x.sellers ? pct(x.sellers_online_percent) + ' người bán của địa bàn có hàng đang bán' : 'Địa bàn chưa có người bán nào', x.sellers_online_percent),
    tile('m-products', 'Sản phẩm đang bán trực tuyến', digits(x.products_online), 'Sản phẩm người mua đặt được ngay'),
    tile('m-transfer', 'Đơn trả bằng chuyển khoản', pct(x.bank_transfer_percent),
      digits(x.orders_bank_transfer) + ' chuyển khoản, ' + digits(x.orders_cash) + ' tiền mặt', x.bank_transfer_percent),
    tile('m-recalled', 'Lô hàng đang bị thu hồi', digits(s.now.lots_recalled), 'trên ' + digits(s.now.lots) + ' lô đã ghi nhận'));

  const ms = s.months.map(r => r.month);
  const cards = CHARTS.map(c => {
    const values = s.months.map(r => r[c.key]);
    const format = c.money ? vnd : digits;
    const total = values.reduce((a, b) => a + b, 0);
    return chartCard(c.key, c.title, `${c.title} mỗi tháng, ${name}, ${period}: cộng ${format(total)}` + (c.money ? '' : ' ' + c.unit) + '.',
      ms, [{name: c.title, color: c.color, values}], format,
      [{name: c.title + (c.money ? ' (đồng)' : ''), values, format}],
      () => download(file(slug(c.title)), csv([['Tháng', c.title + (c.money ? ' (đồng)' : '')], ...ms.map((mo, i) => [monthLabel(mo), values[i]])])));
  });
  const bank = s.months.map(r => r.orders_bank_transfer), cash = s.months.map(r => r.orders_cash);
  const share = s.months.map(r => r.orders_bank_transfer + r.orders_cash ? Math.round(100 * r.orders_bank_transfer / (r.orders_bank_transfer + r.orders_cash)) : null);
  cards.push(chartCard('payments', 'Cách người mua trả tiền', `Đơn trả bằng chuyển khoản và bằng tiền mặt mỗi tháng, ${name}, ${period}.`,
    ms, [{name: 'Chuyển khoản', color: '#3f7fbf', values: bank}, {name: 'Tiền mặt khi nhận hàng', color: '#d49a2a', values: cash}], digits,
    [{name: 'Chuyển khoản', values: bank}, {name: 'Tiền mặt', values: cash}],
    () => download(file('cach-tra-tien'), csv([['Tháng', 'Đơn chuyển khoản', 'Đơn tiền mặt', 'Tỷ lệ chuyển khoản (%)'],
      ...ms.map((mo, i) => [monthLabel(mo), bank[i], cash[i], share[i] == null ? '' : share[i]])]))));
  fill($('charts'), cards);
  renderRanking(r, file('so-sanh-xa'), period);
}

function chartCard(key, title, desc, ms, series, format, columns, save) {
  return h('section', {class: 'card', id: 'chart-' + key, 'data-key': key},
    h('h2', 0, title),
    h('div', 'pair',
      h('figure', {style: 'margin:0'}, barChart({title, desc, months: ms, series, format}),
        series.length > 1 && h('ul', 'legend', series.map(se => h('li', 0, h('i', {style: 'background:' + se.color}), se.name)))),
      h('div', 'scroll', table({caption: 'Bảng số liệu: ' + title.toLowerCase(), months: ms, columns}))),
    h('div', 'tools', h('button', {class: 'csv', onclick: save}, '⬇ Tải bảng (CSV)')));
}

let rankingCsv = null;
function renderRanking(r, fileName, period) {
  const where = r.province_name || 'cả nước';
  $('ranking-sub').textContent = `Các xã, phường ${r.province_name ? 'của ' + where : 'có người bán'}, xếp theo số người bán đang bán trực tuyến, rồi số sản phẩm, rồi giá trị đã giao. Đơn hàng và giá trị: ${period}.` +
    (r.communes.some(c => c.own) ? ' Dòng tô vàng là xã của anh/chị.' : '');
  const head = ['Hạng', 'Xã, phường', 'Người bán', 'Đang bán trực tuyến', 'Tỷ lệ', 'Sản phẩm trực tuyến', 'Đơn hàng', 'Trả chuyển khoản', 'Giá trị đã giao'];
  if (!r.communes.length) {
    fill($('ranking'), h('p', 'muted', 'Chưa có xã, phường nào có người bán.'));
  } else {
    fill($('ranking'), h('table', {class: 'data', id: 'ranking-table'},
      h('caption', 0, 'Các xã, phường so sánh, ' + where),
      h('thead', 0, h('tr', 0, head.map((t, i) => h('th', {scope: 'col', class: i !== 1 ? 'num' : null}, t)))),
      h('tbody', 0, r.communes.map(c => {
        const cell = (i, text) => h('td', {class: 'num', 'data-label': head[i]}, text);
        return h('tr', {class: c.own ? 'own' : null, 'data-code': c.commune_code}, cell(0, digits(c.rank)),
          h('th', {scope: 'row'}, h('button', {onclick: () => { pick({code: c.commune_code, name: c.commune_name, province_code: r.province_code}); scrollTo(0, 0); }},
            c.commune_name + (c.own ? ' (xã của anh/chị)' : ''))),
          cell(2, digits(c.sellers)), cell(3, digits(c.sellers_online)), cell(4, pct(c.sellers_online_percent)),
          cell(5, digits(c.products_online)), cell(6, digits(c.orders_placed)), cell(7, pct(c.bank_transfer_percent)), cell(8, vnd(c.revenue_vnd)));
      }))));
  }
  rankingCsv = () => download(fileName, csv([
    ['Hạng', 'Mã xã', 'Xã, phường', 'Người bán', 'Đang bán trực tuyến', 'Tỷ lệ bán trực tuyến (%)', 'Sản phẩm trực tuyến',
      'Đơn hàng', 'Đơn chuyển khoản', 'Đơn tiền mặt', 'Tỷ lệ chuyển khoản (%)', 'Giá trị đã giao (đồng)'],
    ...r.communes.map(c => [c.rank, c.commune_code, c.commune_name, c.sellers, c.sellers_online, c.sellers_online_percent ?? '',
      c.products_online, c.orders_placed, c.orders_bank_transfer, c.orders_cash, c.bank_transfer_percent ?? '', c.revenue_vnd])]));
}
$('ranking-csv').addEventListener('click', () => rankingCsv && rankingCsv());

show();
