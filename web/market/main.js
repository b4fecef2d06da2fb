// The buyer's market: one page, no framework. State lives in the URL hash
// (#/?q=…, #/sp/ID, #/gio, #/dat-hang, #/don, #/don/ID) so Back works and
// links can be shared; the cart and the session live in localStorage.
// Talking to the API, building the DOM, writing money, weights and times,
// and the Vietnamese of every status and error come from /shared/.
import {client, pageError} from '/shared/api.js';
import {$, h, fill} from '/shared/dom.js';
import {vnd, grams, vnTime, vnDate} from '/shared/format.js';
import {ORDER, PART, PAYMENT_METHOD, ZONE, TRACKING_STEP, LOT} from '/shared/statuses.js';
import {ERRORS} from '/shared/vi.js';

const enc = encodeURIComponent;
const PAGE = 20;
const dl = (...rows) => h('dl', 0, rows.map(r => r && [h('dt', 0, r[0]), h('dd', 0, r.slice(1))]));
const store = {
  get(k, d) { try { const v = JSON.parse(localStorage.getItem('nongsan.' + k)); return v == null ? d : v; } catch (e) { return d; } },
  set(k, v) { try { if (v == null) localStorage.removeItem('nongsan.' + k); else localStorage.setItem('nongsan.' + k, JSON.stringify(v)); } catch (e) { /* private mode */ } },
};
const heading = t => h('h1', {tabindex: -1}, t);
const bad = (...t) => h('p', {class: 'err', role: 'alert'}, t);
const empty = t => [heading(t), h('p', 0, 'Giỏ hàng đang trống.'), h('a', {class: 'btn', href: '#/'}, 'Đi chợ')];
const flash = t => fill($('flash'), t && h('div', 'ok', t));

const forget = () => { store.set('token', null); store.set('user', null); };
let authNote = null; // why the user was logged out, shown above the login form
// Idempotency-Keys, retries and ApiError (`.text` in Vietnamese) are the client's.
const api = client({token: () => store.get('token'), signedOut: e => { forget(); authNote = e; }});
const metaCache = {};
const meta = name => metaCache[name] || (metaCache[name] = api('GET', '/api/v1/' + name).then(j => j.items, e => { delete metaCache[name]; throw e; }));
// A Vietnamese lead, then the error in Vietnamese by its code (never the
// API's English message), then what the user can do.
function errBox(e, lead, ...extra) {
  const said = e.text || ERRORS.internal;
  return h('div', {class: 'err', role: 'alert'}, h('b', 0, lead || said), lead && lead !== said && h('small', 0, said), extra);
}
const retry = f => h('button', {onclick: f}, 'Thử lại');
function field(id, label, a, value) {
  const i = h('input', {id, ...a});
  if (value != null) i.value = value;
  return h('div', 0, h('label', {for: id}, label), i);
}
// A whole-number quantity from 1 to max; onchange(n or null, whether it was lowered to max)
function qtyBox(id, value, max, label, onchange) {
  const i = h('input', {id, type: 'number', inputmode: 'numeric', min: 1, max, step: 1, 'aria-label': label});
  i.value = value;
  const fix = () => {
    const n = Number(i.value.trim());
    const ok = Number.isInteger(n) && n >= 1;
    i.setAttribute('aria-invalid', !ok);
    if (ok && n > max) i.value = max;
    onchange(ok ? Math.min(n, max) : null, ok && n > max);
  };
  const step = d => () => { i.value = Math.max(1, Math.min(max, (parseInt(i.value, 10) || 0) + d)); fix(); };
  i.addEventListener('change', fix);
  return h('div', 'qty', h('button', {'aria-label': 'Bớt 1', onclick: step(-1)}, '−'), i, h('button', {'aria-label': 'Thêm 1', onclick: step(1)}, '+'));
}
function copyBtn(text, what) {
  const b = h('button', {'aria-label': 'Sao chép ' + what}, 'Sao chép');
  b.onclick = async () => {
    let ok = false;
    try { await navigator.clipboard.writeText(text); ok = true; } catch (e) {
      const t = h('textarea', {readonly: true, style: 'position:fixed;top:0;opacity:0'});
      t.value = text; document.body.append(t); t.select();
      try { ok = document.execCommand('copy'); } catch (e2) { /* old browser */ }
      t.remove();
    }
    b.textContent = ok ? 'Đã chép ✓' : 'Hãy chép tay';
    setTimeout(() => { b.textContent = 'Sao chép'; }, 2500);
  };
  return b;
}

// ---- cart: [{id, title, price, unit, stock, seller, sid, qty}]
function cart() {
  const c = store.get('cart', []);
  return Array.isArray(c) ? c.filter(i => i && typeof i.id === 'string' && Number.isInteger(i.qty) && i.qty > 0) : [];
}
function saveCart(c) { store.set('cart', c); count(); }
const cartTotal = c => vnd(c.reduce((s, i) => s + i.price * i.qty, 0));

// ---- postage: what the cart costs delivered to a commune, one parcel per seller
let quoting = 0; // the latest quote asked; older answers are dropped
async function quote(box, c, commune, pay, brief) {
  const me = ++quoting;
  if (!commune) return fill(box, !brief && h('p', 'mu', 'Chọn xã, phường nhận hàng để tính phí vận chuyển.'));
  if (!brief) fill(box, h('p', 'mu', 'Đang tính phí vận chuyển…'));
  let q;
  try {
    q = await api('POST', '/api/v1/postage/quote', {items: c.map(i => ({listing_id: i.id, quantity: i.qty})), commune_code: commune.code, payment_method: pay});
  } catch (x) {
    if (me === quoting) fill(box, brief ? h('p', 'mu', 'Chưa tính được phí vận chuyển: ' + x.text) : quoteError(x));
    return;
  }
  if (me !== quoting) return;
  box.dataset.total = q.total_vnd;
  if (brief) {
    return fill(box, h('p', 'mu', 'Phí vận chuyển đến ' + commune.name + ' (' + PAYMENT_METHOD[pay].toLowerCase() + '): ', h('b', {id: 'cart-postage'}, vnd(q.postage_vnd)),
      ' · Tổng cộng: ', h('b', 0, vnd(q.total_vnd))));
  }
  fill(box, h('h2', 0, 'Phí vận chuyển đến ' + commune.name),
    q.parcels.map(p => h('div', {class: 'parcel', 'data-seller': p.seller_id},
      h('b', 0, 'Gói hàng của ' + p.seller_name),
      h('div', 'mu', 'Nặng ' + grams(p.weight_g) + ' (cả bao bì) · ' + (ZONE[p.zone] || p.zone)),
      h('div', 0, 'Tiền hàng ' + vnd(p.goods_vnd) + ' · Phí vận chuyển ', h('b', 'pp', vnd(p.postage_vnd)),
        p.cod_vnd > 0 && h('small', 'mu', ' (cước ' + vnd(p.carriage_vnd) + ' + phí thu hộ ' + vnd(p.cod_vnd) + ')')))),
    dl(['Tiền hàng', h('b', {id: 'q-goods'}, vnd(q.goods_vnd))], ['Phí vận chuyển', h('b', {id: 'q-postage'}, vnd(q.postage_vnd))]),
    h('p', {class: 'total', id: 'q-total'}, 'Tổng cộng: ' + vnd(q.total_vnd)));
}
// a parcel over the limit names its seller and weight; a 409 offers a fix
function quoteError(x) {
  if (x.code !== 'parcel_too_heavy') return x.status === 409 ? orderError(x) : errBox(x);
  const i = cart().find(y => y.sid && y.sid === x.params.seller_id);
  const max = x.params.max || 30000;
  return errBox(x, 'Kiện hàng quá nặng (tối đa ' + grams(max) + '), hãy chia thành nhiều đơn.',
    h('p', 0, (i ? 'Hàng của ' + i.seller : 'Gói hàng') + ' nặng ' + grams(x.params.weight_g || 0) + ' khi đóng gói. Hãy bớt số lượng, phần còn lại đặt ở đơn sau.'),
    h('a', {class: 'btn', href: '#/gio'}, 'Sửa số lượng trong giỏ'));
}

// ---- routing
let gen = 0; // bumped on every view change; late answers for an old view are dropped
let lastView = '';
function show(v, title) {
  for (const n of document.querySelectorAll('main > section')) {
    n.hidden = n.id !== 'v-' + v;
    if (n.hidden && n.id !== 'v-market') fill(n);
  }
  document.title = title + ' — nongsan';
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.v.split(' ').includes(v)) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  if (lastView && v !== lastView) { scrollTo(0, 0); $('v-' + v).focus({preventScroll: true}); }
  lastView = v;
  return ++gen;
}
function route() {
  if (!$('v-market').hidden) mk.y = scrollY;
  const [path, qs] = (location.hash.slice(1) || '/').split('?');
  const [a, b] = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (a !== 'don' || !b) flash('');
  if (!a) market(new URLSearchParams(qs));
  else if (a === 'sp' && b) item(b);
  else if (a === 'gio') cartView();
  else if (a === 'dat-hang') checkout();
  else if (a === 'don') { if (b) orderView(b); else orders(); }
  else location.replace('#/');
}

// ---- market: search, filters, results
// Search as you type: 300 ms after the last key, one request; the typed
// query goes in the URL (the first keystrokes add a Back step, the next
// ones replace it). An older answer never replaces a newer one: a new query
// aborts the request of the one before, and `gen` drops what still comes.
const FIELDS = ['q', 'province', 'commune', 'category', 'min_price', 'max_price', 'sort'];
let mk = {key: null, items: []};
let cat = '', typer = 0, typed = '', soft = false, ctl = null;
function chips() { for (const b of $('chips').children) b.setAttribute('aria-pressed', b.dataset.c === cat); }
const price = id => /^\d+$/.test($(id).value.trim()) ? String(+$(id).value.trim()) : '';
// A price that is not a whole number, or "from" above "to": said at once, in
// the words of the API's refusal (by its code), the field marked; nothing asked.
function priceError() {
  let err = null;
  for (const [id, k] of [['min', 'min_price'], ['max', 'max_price']]) {
    const n = $(id), v = n.value.trim(), bad = n.validity.badInput || (v !== '' && !/^\d+$/.test(v));
    n.setAttribute('aria-invalid', bad);
    if (bad && !err) err = pageError('invalid_format', k);
  }
  if (err) return err;
  const lo = price('min'), hi = price('max'), wrong = !!(lo && hi && +lo > +hi);
  for (const id of ['min', 'max']) $(id).setAttribute('aria-invalid', wrong);
  return wrong && pageError('invalid_input', 'min_price');
}
function search(typing) {
  clearTimeout(typer);
  const wrong = priceError();
  if (wrong) {
    $('results').setAttribute('aria-busy', 'true');
    return fill($('count'), errBox(wrong));
  }
  if (typing && $('q').value.trim().length === 1) return; // one letter finds too much: wait for the next
  const fcc = fc.get();
  const v = {q: $('q').value.trim(), province: $('province').value, commune: fcc && fcc.code, category: cat,
    min_price: price('min'), max_price: price('max'), sort: $('sort').value};
  const p = new URLSearchParams();
  for (const k of FIELDS) if (v[k] && v[k] !== 'relevance') p.set(k, v[k]);
  const s = '#/' + (String(p) ? '?' + p : '');
  // the same search again: asked again only when the last try failed (Enter after the answer costs nothing)
  if ((location.hash || '#/') === s) { if (!typing && mk.key === null) route(); return; }
  soft = typing;
  if (typing && typed === location.hash) { history.replaceState(null, '', s); typed = s; route(); } else { typed = typing ? s : ''; location.hash = s; }
}
// the commune filter: found by typing its name, within the province chosen
const fc = communePicker(null, c => {
  if (c && c.province_code !== $('province').value) $('province').value = c.province_code;
  search();
}, 'f', 'Xã, phường nơi bán', () => $('province').value, 'Bỏ lọc');
$('f-commune').append(fc.el);
function communeFromUrl(code) {
  const now = fc.get();
  if ((now ? now.code : '') === code) return;
  fc.set(code ? {code, name: 'Xã, phường'} : null);
  if (code) api('GET', '/api/v1/communes/' + enc(code)).then(c => { const n = fc.get(); if (n && n.code === c.code) fc.set(c); }, () => {});
}
async function loadFilters() {
  try {
    const [cats, provs] = await Promise.all([meta('categories'), meta('provinces')]);
    $('chips').append(...cats.map(c => h('button', {'data-c': c.code}, c.name_vi)));
    $('province').append(...provs.map(p => h('option', {value: p.code}, p.name)));
    $('province').value = mk.p && mk.p.get('province') || '';
    chips();
  } catch (e) { /* the filters stay basic; search still works */ }
}
// a photo in the width the screen needs: the 320 px thumbnail or the 1280 px one
const srcset = p => p.thumbnail_url + ' ' + p.thumbnail_width + 'w' + (p.width > p.thumbnail_width ? ', ' + p.url + ' ' + p.width + 'w' : '');
function card(l) {
  const ph = l.photos[0];
  return h('li', 'card', h('a', {class: 'cl', href: '#/sp/' + enc(l.id)},
    h('span', 'th', ph ? h('img', {src: ph.thumbnail_url, srcset: srcset(ph), sizes: '88px', alt: '', loading: 'lazy', decoding: 'async', width: 88, height: 88})
      : h('span', {'aria-hidden': 'true'}, l.category_name)),
    h('span', 'ci', h('b', 0, l.title), h('span', 'pr', vnd(l.price_vnd) + ' / ' + l.unit_name),
      l.lot && h('span', 'badge', '✓ có nguồn gốc'),
      h('span', 'mu', l.commune_name + ', ' + l.province_name), h('span', 'mu', 'Người bán: ' + l.seller_name))));
}
async function market(p) {
  const g = show('market', 'Chợ nông sản');
  const keep = soft;
  soft = false;
  if (!keep) $('q').value = p.get('q') || '';
  $('sort').value = p.get('sort') || 'relevance';
  $('province').value = p.get('province') || '';
  for (const [id, k] of [['min', 'min_price'], ['max', 'max_price']]) {
    if (!keep || price(id) !== (p.get(k) || '')) $(id).value = p.get(k) || ''; // typing: what is typed stays as typed
    $(id).removeAttribute('aria-invalid');
  }
  communeFromUrl(p.get('commune') || '');
  const nf = ['commune', 'min_price', 'max_price'].filter(k => p.get(k)).length;
  $('nf').textContent = nf ? ' (' + nf + ')' : '';
  if (nf) $('filters').open = true;
  cat = p.get('category') || '';
  chips();
  const key = FIELDS.map(f => p.get(f)).join('|');
  if (key === mk.key && mk.items.length) { requestAnimationFrame(() => scrollTo(0, mk.y)); return; }
  if (ctl) ctl.abort();
  ctl = new AbortController();
  mk = {key, items: [], total: 0, y: 0, p, signal: ctl.signal};
  // typing: the results of the query before stay, dimmed, until the answer
  if (keep) $('results').setAttribute('aria-busy', 'true'); else fill($('results'));
  $('more').hidden = true;
  $('count').textContent = 'Đang tìm…';
  await more(g, Math.min(5, parseInt(p.get('n'), 10) || 1) * PAGE);
}
async function more(g, limit) {
  const q = new URLSearchParams();
  for (const f of FIELDS) if (mk.p.get(f)) q.set(f, mk.p.get(f));
  q.set('limit', limit);
  q.set('offset', mk.items.length);
  const btn = $('more');
  btn.disabled = true;
  let j;
  try { j = await api('GET', '/api/v1/listings?' + q, undefined, {signal: mk.signal}); } catch (e) {
    if (g === gen) {
      mk.key = null;
      if (!mk.items.length) fill($('results')).removeAttribute('aria-busy');
      if (/^m(in|ax)_price$/.test(e.field)) { $('filters').open = true; for (const id of ['min', 'max']) $(id).setAttribute('aria-invalid', true); }
      // trying again helps when the network or the server failed, not when the search was refused
      fill($('count'), errBox(e, null, (!e.status || e.status >= 500 || e.status === 408 || e.status === 429) && retry(route)));
    }
    return;
  } finally { btn.disabled = false; }
  if (g !== gen) return;
  if (!mk.items.length) fill($('results')).removeAttribute('aria-busy');
  mk.items = mk.items.concat(j.items);
  $('results').append(...j.items.map(card));
  const w = mk.p.get('q') ? ' cho “' + mk.p.get('q') + '”' : '';
  // past 1.000 matches the server stops counting: "Hơn 1.000 sản phẩm"
  const many = j.total_is_lower_bound, n = j.total.toLocaleString('vi-VN');
  $('count').textContent = j.total ? (many ? 'Hơn ' + n : n) + ' sản phẩm' + w : 'Không tìm thấy sản phẩm nào' + w + '. Thử ít từ hơn, bỏ bớt bộ lọc hoặc chọn “Tất cả”.';
  const left = j.total - mk.items.length;
  btn.hidden = (!many && left <= 0) || !j.items.length;
  btn.textContent = many ? 'Xem thêm' : 'Xem thêm (còn ' + left + ')';
  const pages = Math.ceil(mk.items.length / PAGE);
  if (pages > 1) { const s = new URLSearchParams(mk.p); s.set('n', pages); history.replaceState(null, '', '#/?' + s); }
}
$('search-form').addEventListener('submit', e => { e.preventDefault(); $('q').blur(); search(); });
$('search-form').addEventListener('input', e => {
  if (!['q', 'min', 'max'].includes(e.target.id)) return;
  clearTimeout(typer);
  typer = setTimeout(() => search(true), e.target.id === 'q' ? 300 : 600);
});
$('chips').addEventListener('click', e => { const b = e.target.closest('button'); if (b) { cat = b.dataset.c; chips(); search(); } });
$('province').addEventListener('change', () => {
  const c = fc.get();
  if (c && c.province_code !== $('province').value) fc.set(null); // "Cả nước" or another province: the commune goes
  search();
});
$('sort').addEventListener('change', () => search());
$('more').addEventListener('click', () => more(gen, PAGE));

// ---- one listing
async function item(id) {
  const fromMarket = lastView === 'market';
  const back = () => h('a', {href: '#/', onclick: e => { if (fromMarket) { e.preventDefault(); history.back(); } }}, '← Về chợ');
  const g = show('item', 'Sản phẩm');
  const v = $('v-item');
  fill(v, back(), heading('Sản phẩm'), h('p', 'mu', 'Đang tải…'));
  let l;
  try { l = await api('GET', '/api/v1/listings/' + enc(id)); } catch (e) {
    if (g === gen) fill(v, back(), heading('Sản phẩm'), errBox(e, e.status === 404 && 'Không tìm thấy sản phẩm này.', retry(() => item(id))));
    return;
  }
  if (g !== gen) return;
  document.title = l.title + ' — nongsan';
  const lot = l.lot;
  const u = l.unit_name;
  const msg = h('div', {'aria-live': 'polite'});
  let n = 1;
  const add = () => {
    if (!n) return;
    const c = cart();
    const ex = c.find(i => i.id === l.id);
    const want = (ex ? ex.qty : 0) + n;
    const line = {id: l.id, title: l.title, price: l.price_vnd, unit: u, stock: l.quantity, seller: l.seller_name, sid: l.seller_id, qty: Math.min(l.quantity, want)};
    if (ex) Object.assign(ex, line); else c.push(line);
    saveCart(c);
    fill(msg, h('p', 'ok', 'Đã có ' + line.qty + ' ' + u + ' trong giỏ' + (line.qty < want ? ' (chỉ còn ' + l.quantity + ')' : '') + '. ',
      h('a', {href: '#/gio'}, 'Xem giỏ hàng →')));
  };
  fill(v, back(), heading(l.title),
    l.photos.length > 0 && h('div', 'photos', l.photos.map((p, i) =>
      h('img', {src: p.url, srcset: srcset(p), sizes: '(max-width: 720px) calc(100vw - 40px), 680px', width: p.width, height: p.height,
        alt: l.title + ' — ảnh ' + (i + 1), loading: i ? 'lazy' : null, decoding: 'async'}))),
    h('p', 'pr', vnd(l.price_vnd) + ' / ' + u),
    lot && lot.status === 'recalled' && h('p', {class: 'alert', role: 'alert'}, '⚠ Lô hàng này ĐÃ BỊ THU HỒI. Không mua, không dùng sản phẩm của lô này.'),
    l.available ? [h('p', 0, 'Còn ' + l.quantity + ' ' + u), h('div', 'box',
      h('label', {for: 'qty'}, 'Số lượng (' + u + ')'),
      qtyBox('qty', 1, l.quantity, 'Số lượng', (q, capped) => {
        n = q;
        fill(msg, q == null ? bad('Nhập số nguyên từ 1 đến ' + l.quantity + '.') : capped && h('p', 'mu', 'Chỉ còn ' + l.quantity + ' ' + u + '.'));
      }),
      msg, h('button', {id: 'add', class: 'primary big', onclick: add}, 'Thêm vào giỏ'))]
      : h('p', 'alert', 'Sản phẩm này hiện không bán.'),
    dl(['Nơi bán', l.commune_name + ', ' + l.province_name], ['Người bán', l.seller_name], ['Loại', l.category_name],
      ['Cân nặng', l.unit_weight_g ? grams(l.unit_weight_g) + ' / ' + u + ' (cả bao bì)' : 'Quá nặng, không gửi bưu điện được']),
    l.description && h('p', 0, l.description),
    lot && h('div', 'box', h('h2', 0, 'Nguồn gốc'),
      lot.verified === true && h('p', {class: 'badge', id: 'verified'}, '✓ Bản ghi nguồn gốc có chữ ký số hợp lệ'),
      lot.verified === false && h('p', {class: 'alert', id: 'verified'}, '✗ Không xác minh được chữ ký của bản ghi nguồn gốc. Hãy thận trọng.'),
      dl(['Sản phẩm', lot.product_name], ['Ngày thu hoạch', vnDate(lot.harvested_on)], ['Mã lô', lot.lot_code],
        ['Tình trạng', LOT[lot.status] || lot.status]),
      h('a', {id: 'scan-link', class: 'btn', href: lot.digital_link}, 'Xem trang truy xuất nguồn gốc →')));
}

// ---- cart
function cartView() {
  show('cart', 'Giỏ hàng');
  const v = $('v-cart');
  const c = cart();
  if (!c.length) return fill(v, empty('Giỏ hàng'));
  const total = h('p', {class: 'total', id: 'cart-total'}, 'Tiền hàng: ' + cartTotal(c));
  const ship = store.get('ship', {});
  const est = h('div', {id: 'cart-quote', 'aria-live': 'polite'}, !ship.commune && h('p', 'mu', 'Phí vận chuyển tính khi đặt hàng, theo xã nhận hàng và cân nặng.'));
  let timer = 0;
  const requote = () => { clearTimeout(timer); timer = setTimeout(() => quote(est, cart(), ship.commune, ship.pay || 'cod', true), 400); };
  requote();
  fill(v, heading('Giỏ hàng'),
    h('ul', {class: 'lines', id: 'cart-list'}, c.map(i => {
      const sum = h('b', 0, vnd(i.price * i.qty));
      const note = h('p', {class: 'mu', 'aria-live': 'polite'});
      return h('li', {'data-id': i.id},
        h('a', {href: '#/sp/' + enc(i.id)}, h('b', 0, i.title)),
        h('div', 'mu', vnd(i.price) + ' / ' + i.unit + ' · ' + i.seller),
        h('div', 'row',
          qtyBox('qty-' + i.id, i.qty, i.stock, 'Số lượng ' + i.title, (q, capped) => {
            note.textContent = q == null ? 'Nhập số nguyên từ 1 đến ' + i.stock : capped ? 'Chỉ còn ' + i.stock + ' ' + i.unit : '';
            if (q == null) return;
            const cc = cart();
            const x = cc.find(y => y.id === i.id);
            if (x) { x.qty = q; saveCart(cc); }
            sum.textContent = vnd(i.price * q);
            total.textContent = 'Tiền hàng: ' + cartTotal(cc);
            requote();
          }),
          sum, h('button', {class: 'danger', onclick: () => { saveCart(cart().filter(y => y.id !== i.id)); cartView(); }}, 'Xoá')),
        note);
    })),
    total, est, h('a', {id: 'to-checkout', class: 'btn primary big', href: '#/dat-hang'}, 'Đặt hàng'));
}

// ---- log in or register (buyers, and farmers who also buy)
function authBox(done) {
  const box = h('div', 'box');
  const note = authNote;
  authNote = null;
  const draw = reg => {
    const phone = $('auth-phone') ? $('auth-phone').value : store.get('phone', '');
    const err = h('div');
    const f = h('form', {id: 'auth-form', novalidate: true},
      h('div', 'seg', h('button', {'aria-pressed': String(!reg), onclick: () => draw(false)}, 'Đăng nhập'),
        h('button', {'aria-pressed': String(reg), onclick: () => draw(true)}, 'Tạo tài khoản')),
      reg && field('auth-name', 'Họ và tên', {autocomplete: 'name'}),
      field('auth-phone', 'Số điện thoại', {type: 'tel', autocomplete: 'tel'}, phone),
      field('auth-password', reg ? 'Mật khẩu (ít nhất 8 ký tự)' : 'Mật khẩu', {type: 'password', autocomplete: reg ? 'new-password' : 'current-password'}),
      err, h('button', {type: 'submit', class: 'primary big'}, reg ? 'Tạo tài khoản' : 'Đăng nhập'));
    f.onsubmit = async e => {
      e.preventDefault();
      const body = {phone: $('auth-phone').value.trim(), password: $('auth-password').value};
      if (reg) body.name = $('auth-name').value.trim();
      const miss = [reg && 'auth-name', 'auth-phone', 'auth-password'].find(id => id && !$(id).value.trim());
      if (miss) { fill(err, bad('Hãy điền đủ các ô.')); $(miss).focus(); return; }
      const b = f.querySelector('[type=submit]');
      b.disabled = true;
      try {
        const r = await api('POST', '/api/v1/auth/' + (reg ? 'register' : 'login'), body);
        // a farmer buys too (not their own produce); staff and officers do not
        if (r.user.role !== 'buyer' && r.user.role !== 'farmer') {
          client({token: () => r.token})('POST', '/api/v1/auth/logout').catch(() => {});
          fill(err, bad('Tài khoản này không dùng để mua hàng. Hãy dùng tài khoản người mua hoặc tạo tài khoản mới.'));
          return;
        }
        store.set('token', r.token); store.set('user', r.user); store.set('phone', body.phone);
        done();
      } catch (x) { fill(err, errBox(x)); } finally { b.disabled = false; }
    };
    fill(box, note && errBox(note, ERRORS.unauthenticated), f);
  };
  draw(false);
  return box;
}
// the view's content when logged in, else the login form that comes back to it
function needLogin(g, title, text, again) {
  if (store.get('token')) return false;
  fill($('v-' + lastView), heading(title), h('p', 0, text), authBox(() => { if (g === gen) again(); }));
  return true;
}
function whoAmI(after) {
  const u = store.get('user');
  return u && h('p', 'mu', 'Đang đăng nhập: ' + u.name + ' · ', h('button', {id: 'logout', onclick: async () => {
    try { await api('POST', '/api/v1/auth/logout'); } catch (e) { /* the token is dropped anyway */ }
    forget(); after();
  }}, 'Đăng xuất'));
}

// ---- checkout
// found by typing its name without marks; `id` names its elements, `province()` narrows the search
function communePicker(picked, onpick, id = 'ship', label = 'Xã, phường nhận hàng', province = () => '', change = 'Đổi') {
  const wrap = h('div');
  const list = h('ul', {class: 'pick', id: id + '-communes', 'aria-label': 'Xã, phường tìm thấy'});
  let timer = 0, asked = 0;
  const draw = () => {
    if (picked) {
      return fill(wrap, h('div', {class: 'picked', id: id + '-commune-picked'},
        h('span', 0, picked.name + (picked.province_name ? ', ' + picked.province_name : '') + ' (mã ' + picked.code + ')'),
        h('button', {onclick: () => { picked = null; draw(); onpick(); $(id + '-commune-q').focus(); }}, change)));
    }
    const q = h('input', {id: id + '-commune-q', type: 'search', autocomplete: 'off', placeholder: 'Gõ tên, ví dụ: hoan kiem'});
    q.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const t = q.value.trim();
        const me = ++asked;
        if (t.length < 2) return fill(list);
        try {
          const j = await api('GET', '/api/v1/communes?limit=8&q=' + enc(t) + (province() ? '&province=' + province() : ''));
          if (me === asked) {
            fill(list, j.items.length ? j.items.map(c => h('li', 0, h('button', {onclick: () => { picked = c; draw(); onpick(c); }}, h('b', 0, c.name), ' — ' + c.province_name)))
              : h('li', 'mu', 'Không thấy xã, phường nào. Thử gõ ít chữ hơn.'));
          }
        } catch (e) { if (me === asked) fill(list, h('li', 0, errBox(e))); }
      }, 300);
    });
    fill(wrap, q, list);
  };
  draw();
  return {el: h('div', 0, h('label', {for: id + '-commune-q'}, label), wrap), get: () => picked, set: c => { picked = c; draw(); }};
}
let placed = null; // the order just placed, shown without asking again
function checkout() {
  const g = show('checkout', 'Đặt hàng');
  const v = $('v-checkout');
  const c = cart();
  if (!c.length) return fill(v, empty('Đặt hàng'));
  if (needLogin(g, 'Đặt hàng', 'Đăng nhập hoặc tạo tài khoản để đặt hàng. Giỏ hàng vẫn được giữ.', checkout)) return;
  const u = store.get('user') || {};
  const d = store.get('ship', {});
  const err = h('div', {id: 'checkout-error'});
  const qbox = h('div', {class: 'box', id: 'quote', 'aria-live': 'polite'});
  const requote = () => quote(qbox, cart(), cp.get(), f.querySelector('input[name=pay]:checked').value);
  const cp = communePicker(d.commune && d.commune.code ? d.commune : null, () => { fill(err); requote(); });
  const f = h('form', {id: 'checkout-form', novalidate: true},
    h('h2', 0, 'Người nhận'),
    field('ship-name', 'Họ và tên', {autocomplete: 'name'}, d.name || u.name),
    field('ship-phone', 'Số điện thoại', {type: 'tel', autocomplete: 'tel'}, d.phone || store.get('phone')),
    field('ship-address', 'Địa chỉ (số nhà, thôn, xóm, đường)', {autocomplete: 'street-address'}, d.address),
    cp.el,
    h('h2', 0, 'Cách trả tiền'),
    ['cod', 'vietqr'].map(m => h('label', 'radio', h('input', {type: 'radio', name: 'pay', value: m, checked: m === (d.pay || 'cod')}),
      h('span', 0, PAYMENT_METHOD[m], h('br'), h('small', 'mu', m === 'cod' ? 'Trả cho bưu điện khi nhận hàng' : 'Số tài khoản và nội dung chuyển khoản hiện ngay sau khi đặt')))),
    h('h2', 0, 'Đơn hàng'),
    h('ul', 'lines', c.map(i => h('li', 0, i.title + ' — ' + i.qty + ' ' + i.unit + ' × ' + vnd(i.price) + ' = ', h('b', 0, vnd(i.price * i.qty))))),
    qbox, err, h('button', {type: 'submit', class: 'primary big'}, 'Đặt hàng'));
  f.addEventListener('change', e => { if (e.target.name === 'pay') requote(); });
  requote();
  fill(v, heading('Đặt hàng'), whoAmI(checkout), f);
  const val = id => $(id).value.trim();
  f.onsubmit = async e => {
    e.preventDefault();
    const s = {name: val('ship-name'), phone: val('ship-phone'), address: val('ship-address'), commune: cp.get(),
      pay: f.querySelector('input[name=pay]:checked').value};
    store.set('ship', s); // kept for next time, and across a new login
    const miss = [['ship-name', 'họ tên'], ['ship-phone', 'số điện thoại'], ['ship-address', 'địa chỉ']];
    for (const [id] of miss) $(id).removeAttribute('aria-invalid');
    const m = miss.find(([id]) => !val(id));
    if (m) { $(m[0]).setAttribute('aria-invalid', true); $(m[0]).focus(); return fill(err, bad('Hãy điền ' + m[1] + ' người nhận.')); }
    if (!s.commune) { $('ship-commune-q').focus(); return fill(err, bad('Hãy tìm và chọn xã, phường nhận hàng.')); }
    const items = cart();
    const b = f.querySelector('[type=submit]');
    b.disabled = true;
    fill(err, h('p', 'mu', 'Đang gửi đơn…'));
    const body = {items: items.map(i => ({listing_id: i.id, quantity: i.qty})),
      shipping: {name: s.name, phone: s.phone, address: s.address, commune_code: s.commune.code}, payment_method: s.pay};
    try {
      // pressed again after a lost answer: the same key, the first order
      const o = await api('POST', '/api/v1/orders', body);
      saveCart(cart().filter(i => !items.some(x => x.id === i.id)));
      placed = o;
      location.hash = '#/don/' + enc(o.id);
      flash('Đặt hàng thành công! Mã đơn: ' + o.code);
    } catch (x) {
      b.disabled = false;
      if (x.status === 401) return checkout();
      fill(err, x.code === 'parcel_too_heavy' ? quoteError(x) : orderError(x));
      err.scrollIntoView({block: 'center'});
    }
  };
}
// 409s name the listing: offer to lower the quantity to what is left, or to drop it
function orderError(x) {
  const m = /`([^`]+)`/.exec(x.message);
  const id = x.params.listing_id || (m && m[1]);
  const i = cart().find(y => y.id === id);
  if (!i || !/insufficient_stock|listing_unavailable/.test(x.code)) return errBox(x);
  const a = x.code === 'insufficient_stock' ? x.params.available : 0;
  const fix = h('button', {class: 'primary', onclick: () => {
    const c = cart();
    const y = c.find(z => z.id === id);
    if (a > 0) Object.assign(y, {qty: a, stock: a}); else c.splice(c.indexOf(y), 1);
    saveCart(c);
    checkout();
  }}, a > 0 ? 'Giảm còn ' + a + ' ' + i.unit : 'Bỏ khỏi giỏ');
  return errBox(x, x.code === 'insufficient_stock' ? 'Không đủ hàng: “' + i.title + '” chỉ còn ' + a + ' ' + i.unit + '.'
    : '“' + i.title + '” hiện không bán.', fix);
}

// ---- my orders
const badge = (s, id) => h('span', {class: 'badge st-' + s, id}, ORDER[s] || s);
async function orders() {
  const g = show('orders', 'Đơn của tôi');
  if (needLogin(g, 'Đơn của tôi', 'Đăng nhập để xem đơn hàng.', orders)) return;
  fill($('v-orders'), heading('Đơn của tôi'), whoAmI(orders), h('p', 'mu', 'Đang tải…'));
  let j;
  try { j = await api('GET', '/api/v1/orders?as=buyer&limit=50'); } catch (e) {
    if (g === gen) { if (e.status === 401) orders(); else fill($('v-orders'), heading('Đơn của tôi'), errBox(e, null, retry(orders))); }
    return;
  }
  if (g !== gen) return;
  fill($('v-orders'), heading('Đơn của tôi'), whoAmI(orders), j.items.length ? h('ul', {class: 'lines', id: 'orders-list'}, j.items.map(o =>
    h('li', {'data-id': o.id}, h('a', {href: '#/don/' + enc(o.id)}, h('b', 0, 'Đơn ' + o.code)), ' ', badge(shown(o)),
      recalled(o).length > 0 && [' ', h('span', 'badge bad recalled', RECALL_TAG), h('div', 'alert rs',
        h('b', 0, 'Hàng thuộc lô bị thu hồi: ' + recalled(o).flatMap(p => p.items.map(i => i.title)).join(', ')),
        h('p', 'why', 'Lý do thu hồi: ' + [...new Set(recalled(o).map(p => p.recall.reason))].join('; ')),
        h('p', 'do', recallShort(o)), h('a', {href: '#/don/' + enc(o.id)}, 'Xem cần làm gì →'))],
      h('div', 'mu', vnTime(o.created_at) + ' · ' + PAYMENT_METHOD[o.payment_method]),
      h('div', 0, o.parts.flatMap(p => p.items).map(i => i.title + ' × ' + i.quantity).join('; ')),
      h('div', 0, 'Tổng: ', h('b', 0, vnd(o.total_vnd)), o.paid_vnd > 0 && [' · Đã trả: ', h('b', 'paid', vnd(o.paid_vnd))]),
      refunds(o))))
    : h('p', 0, 'Bạn chưa có đơn hàng nào.'));
}
// A recall that reached a part (p.recall: lot_id, reason, recalled_at, outcome):
// what happened to the parcel and the money, and what the buyer must do.
const RECALL_TAG = '⚠ Lô bị thu hồi';
const recalled = o => o.parts.filter(p => p.recall);
// a parcel being stopped: with the postman, never to be delivered
const stopping = p => p.recall && p.recall.outcome === 'returning';
// every live part is being stopped: the order is not "on its way" any more
const shown = o => o.status === 'handed_over' && o.parts.every(p => p.status === 'cancelled' || stopping(p)) ? 'returning' : o.status;
function recallMoney(o, p) {
  if (o.payment_method !== 'vietqr') return 'Bạn không phải trả đồng nào cho phần hàng này.';
  if (!(o.paid_vnd > 0)) return 'Bạn không phải chuyển khoản cho phần hàng này.';
  return 'Tiền bạn đã chuyển cho phần hàng này' + (o.paid_vnd >= o.total_vnd ? ' (' + vnd(p.subtotal_vnd + (p.postage_vnd || 0)) + ')' : '') + ' sẽ được trả lại đủ.';
}
function recallNote(o, p) {
  const r = p.recall, cod = o.payment_method !== 'vietqr';
  const says = {
    delivered: ['Bạn đã nhận hàng này trước khi lô bị thu hồi. ĐỪNG ĂN, ĐỪNG DÙNG hàng này.',
      'Hãy để riêng, không cho ai dùng. Bưu điện sẽ gọi điện cho bạn để hướng dẫn.'],
    returning: ['Hàng KHÔNG được giao đến bạn: bưu điện đang chặn bưu kiện lại và mang về.',
      cod ? 'Nếu bưu tá vẫn mang đến: đừng nhận hàng, đừng trả tiền.'
        : 'Nếu bưu tá vẫn mang đến: đừng nhận hàng. Khi bưu kiện về đến bưu điện, tiền bạn đã chuyển cho phần hàng này sẽ được trả lại.'],
    returned: ['Bưu kiện đã được mang về bưu điện. Hàng sẽ không giao đến bạn nữa.', recallMoney(o, p)],
    cancelled: ['Người bán chưa gửi hàng này đi: phần hàng này đã được huỷ, sẽ không giao đến bạn.', recallMoney(o, p)],
  }[r.outcome] || ['Đừng ăn, đừng dùng hàng của lô này.', ''];
  return h('div', {class: 'alert recall', role: 'alert', 'data-outcome': r.outcome},
    h('b', 0, '⚠ Lô hàng bị thu hồi: ' + p.items.map(i => i.title).join(', ')),
    h('p', 0, 'Thu hồi lúc ' + vnTime(r.recalled_at) + '. Lý do: ' + r.reason),
    h('p', 'do', says[0]), says[1] && h('p', 0, says[1]));
}
// one line for the list of orders: the most urgent thing to do
function recallShort(o) {
  const out = recalled(o).map(p => p.recall.outcome);
  if (out.includes('delivered')) return 'Đừng ăn, đừng dùng hàng này. Hãy để riêng; bưu điện sẽ gọi điện cho bạn.';
  if (out.includes('returning')) return o.payment_method === 'vietqr' ? 'Hàng sẽ không được giao. Đừng nhận hàng.' : 'Hàng sẽ không được giao. Đừng trả tiền cho bưu tá.';
  return 'Đã huỷ. ' + (o.payment_method === 'vietqr' && o.paid_vnd > 0 ? 'Bạn sẽ được trả lại tiền.' : 'Bạn không phải trả tiền.');
}
// The QR needs the bearer token, so it comes as a blob shown through an object URL.
let qrUrl = '';
async function qrImage(id, img) {
  try {
    const r = await fetch('/api/v1/orders/' + enc(id) + '/vietqr.png', {headers: {Authorization: 'Bearer ' + store.get('token')}});
    if (!r.ok) throw r;
    const u = URL.createObjectURL(await r.blob());
    URL.revokeObjectURL(qrUrl);
    img.src = qrUrl = u;
  } catch (e) { img.replaceWith(h('p', 'mu', 'Không tải được mã QR: hãy chuyển khoản theo thông tin dưới đây.')); }
}
function transfer(o) {
  const q = o.payment.vietqr;
  const img = h('img', {id: 'pay-qr', class: 'qr', width: 240, height: 240, alt: 'Mã VietQR: ' + vnd(q.amount_vnd) + ', nội dung ' + q.purpose});
  qrImage(o.id, img);
  const bank = h('span', 0, 'Mã ngân hàng ' + q.bank_bin);
  meta('banks').then(bs => { const b = bs.find(x => x.bin === q.bank_bin); if (b) bank.textContent = b.short_name + ' — ' + b.name; }, () => {});
  return h('div', {class: 'box pay', id: 'transfer'},
    h('h2', 0, 'Chuyển khoản để hoàn tất đơn'),
    h('p', 0, 'Mở ứng dụng ngân hàng và quét mã QR (hoặc chụp màn hình rồi chọn ảnh trong ứng dụng), hay chuyển đúng số tiền và ghi đúng nội dung dưới đây.'),
    img,
    dl(['Ngân hàng', bank],
      ['Số tài khoản', h('b', {id: 'pay-account'}, q.account_number), copyBtn(q.account_number, 'số tài khoản')],
      ['Chủ tài khoản', q.account_name],
      [o.paid_vnd > 0 ? 'Còn phải trả' : 'Số tiền', h('b', {id: 'pay-amount'}, vnd(q.amount_vnd)), copyBtn(String(q.amount_vnd), 'số tiền')],
      ['Nội dung', h('b', {id: 'pay-purpose'}, q.purpose), copyBtn(q.purpose, 'nội dung chuyển khoản')]),
    h('p', {id: 'pay-note'}, 'Khi ngân hàng báo tiền đã đến, đơn chuyển sang «Đã thanh toán». Trang này tự cập nhật, không cần tải lại.'),
    o.payment_due_at && h('p', 'mu', 'Hãy chuyển trước ' + vnTime(o.payment_due_at) + '; quá hạn, đơn sẽ tự huỷ.'));
}
// While a bank-transfer order waits for its money, ask every 5 s (only while
// the page is visible and the order on screen); stop once it is paid.
let watching = null, poll = 0;
function watch(o, g) {
  clearTimeout(poll);
  watching = o.status === 'placed' && o.payment_method === 'vietqr' ? {o, g} : null;
  if (watching) poll = setTimeout(tick, 5000); else { URL.revokeObjectURL(qrUrl); qrUrl = ''; }
}
async function tick() {
  const w = watching;
  if (!w || w.g !== gen || document.hidden) return;
  let n;
  try { n = await api('GET', '/api/v1/orders/' + enc(w.o.id)); } catch (e) {
    if (e.status === 401) return orderView(w.o.id);
    if (watching === w) poll = setTimeout(tick, 15000);
    return;
  }
  if (watching !== w || w.g !== gen) return;
  if (n.status === w.o.status && n.paid_vnd === w.o.paid_vnd && n.amount_due_vnd === w.o.amount_due_vnd) { poll = setTimeout(tick, 5000); return; }
  drawOrder(n, w.g);
  if (n.status === 'paid') flash('Đã nhận tiền: đơn ' + n.code + ' đã thanh toán.');
}
addEventListener('visibilitychange', () => { if (!document.hidden && watching) { clearTimeout(poll); tick(); } });
// What was paid, what is owed back to the buyer and what was refunded.
const REFUND = [['refund_due_vnd', 'Chờ hoàn lại'], ['refunded_vnd', 'Đã hoàn lại']];
function refunds(o, rows) {
  const n = h(rows ? 'dl' : 'div', rows && {id: 'order-money'});
  if (o.payment_method === 'vietqr' && (o.status !== 'placed' || o.paid_vnd)) refundsOf(o, n, rows);
  return n;
}
async function refundsOf(o, n, rows) {
  try {
    const p = await api('GET', '/api/v1/orders/' + enc(o.id) + '/payments');
    n.append(...REFUND.filter(([k]) => p[k] > 0).flatMap(([k, t]) => rows ? [h('dt', 0, t), h('dd', {class: k}, vnd(p[k]))] : h('div', k, t + ': ', h('b', 0, vnd(p[k])))));
  } catch (e) { /* only extra detail */ }
}
async function orderView(id) {
  const g = show('order', 'Đơn hàng');
  if (needLogin(g, 'Đơn hàng', 'Đăng nhập để xem đơn hàng.', () => orderView(id))) return;
  let o = placed && placed.id === id ? placed : null;
  placed = null;
  if (!o) {
    fill($('v-order'), heading('Đơn hàng'), h('p', 'mu', 'Đang tải…'));
    try { o = await api('GET', '/api/v1/orders/' + enc(id)); } catch (e) {
      if (g === gen) { if (e.status === 401) orderView(id); else fill($('v-order'), heading('Đơn hàng'), errBox(e, null, retry(() => orderView(id)))); }
      return;
    }
    if (g !== gen) return;
  }
  drawOrder(o, g);
}
// where the parcel is: the carrier's number and each step with its time
function track(p) {
  const t = p.tracking || {};
  const steps = t.steps || [];
  return (t.number || steps.length > 0) && h('div', 'track',
    t.number && h('p', 0, 'Số hiệu bưu gửi: ', h('b', 'tn', t.number)),
    steps.length > 0 && h('ol', 'steps', steps.map(s => h('li', {'data-step': s.step}, h('b', 0, TRACKING_STEP[s.step] || s.step), ' lúc ' + vnTime(s.at)))));
}
function drawOrder(o, g) {
  document.title = 'Đơn ' + o.code + ' — nongsan';
  const err = h('div', {id: 'order-error'});
  const place = h('span', 0, 'mã xã ' + o.shipping.commune_code);
  api('GET', '/api/v1/communes/' + o.shipping.commune_code).then(c => { place.textContent = c.name + ', ' + c.province_name; }, () => {});
  const units = [];
  meta('units').then(us => { for (const [n, code] of units) n.textContent = (us.find(u => u.code === code) || {}).name_vi || code; }, () => {});
  const unit = code => { const n = h('span', 0, code); units.push([n, code]); return n; };
  // still in amount_due_vnd but not to pay: cash on delivery already handed
  // to the postman (a parcel stopped by a recall is already left out)
  const done = p => o.payment_method === 'cod' && p.status === 'delivered';
  const due = o.amount_due_vnd - o.parts.filter(done).reduce((s, p) => s + p.subtotal_vnd + (p.postage_vnd || 0), 0) - o.paid_vnd;
  watch(o, g);
  const cancel = async e => {
    if (!confirm('Huỷ đơn ' + o.code + '?')) return;
    e.target.disabled = true;
    try {
      const n = await api('POST', '/api/v1/orders/' + enc(o.id) + '/cancel');
      if (g === gen) { drawOrder(n, g); flash('Đã huỷ đơn ' + n.code + '.'); }
    } catch (x) {
      e.target.disabled = false;
      if (x.status === 401) orderView(o.id);
      else fill(err, errBox(x, (x.status === 409 || x.status === 403) && 'Không huỷ được đơn này: người bán có thể đã xác nhận.'));
    }
  };
  fill($('v-order'), h('a', {href: '#/don'}, '← Đơn của tôi'), heading('Đơn ' + o.code),
    h('p', 0, 'Trạng thái: ', badge(shown(o), 'order-status'), recalled(o).length > 0 && [' ', h('span', 'badge bad recalled', RECALL_TAG)]),
    recalled(o).map(p => recallNote(o, p)),
    o.status === 'placed' && o.payment && o.payment.vietqr && transfer(o),
    dl(['Ngày đặt', vnTime(o.created_at)], ['Trả tiền', PAYMENT_METHOD[o.payment_method] || o.payment_method],
      ['Tiền hàng', h('span', {id: 'order-goods'}, vnd(o.goods_vnd))], ['Phí vận chuyển', h('span', {id: 'order-postage'}, vnd(o.postage_vnd))],
      ['Tổng cộng', h('b', {id: 'order-total'}, vnd(o.total_vnd))],
      o.paid_vnd > 0 && ['Đã trả', h('b', {id: 'order-paid'}, vnd(o.paid_vnd))],
      o.status !== 'cancelled' && due > 0 && ['Còn phải trả', vnd(due)],
      ['Giao đến', o.shipping.name + ' · ' + o.shipping.phone, h('br'), o.shipping.address + ', ', place]),
    refunds(o, true),
    o.parts.map(p => h('div', {class: 'box', 'data-part': p.id}, h('h3', 0, p.seller_name),
      stopping(p) ? h('span', 'badge bad', ORDER.returning) : h('span', 'badge' + (p.status === 'cancelled' ? ' bad' : ''), PART[p.status] || p.status),
      p.recall && [' ', h('span', 'badge recalled', RECALL_TAG)],
      h('ul', 0, p.items.map(i => h('li', 0, i.title + ' — ' + i.quantity + ' ', unit(i.unit), ' × ' + vnd(i.unit_price_vnd) + ' = ' + vnd(i.line_total_vnd)))),
      h('p', 'mu', 'Bưu kiện ' + p.code + (p.weight_g ? ' · nặng ' + grams(p.weight_g) : '') + (p.zone ? ' · ' + (ZONE[p.zone] || p.zone) : '') + ' · phí vận chuyển ' + vnd(p.postage_vnd || 0)),
      track(p),
      p.cancel_reason && !p.recall && h('p', 'mu', 'Lý do huỷ: ' + p.cancel_reason))),
    err,
    ['placed', 'paid', 'cod'].includes(o.status) && h('button', {id: 'cancel', class: 'danger big', onclick: cancel}, 'Huỷ đơn'));
}

addEventListener('hashchange', route);
const count = () => { $('cart-count').textContent = cart().length; };
addEventListener('storage', count);
count();
route();
loadFilters();
