// Tab 4: a seller's listings: new (whole đồng, packed weight, a lot), photos, edits, pause,
// delete; below, the farmer's statement.
import {$, h, fill} from '/shared/dom.js';
import {digits, vnd, vnDate, vnTime} from '/shared/format.js';
import {
  state, api, showError, clearErrors, errorBox, refuse, send, onSubmit, facts, tabLink, flash, withSellers, sellerById,
  sellerLine, rememberSeller, unitName, safeUrl, wholeNumber,
} from './common.js';
import {loadStatement} from './payouts.js';

const MAX_PHOTOS = 8, MAX_PHOTO_BYTES = 10 * 1024 * 1024;
// units weighed by mass default to their own weight; any other unit must say what one weighs packed
const BY_MASS = {kg: 1, g: 1, tan: 1};
const PRICE_HINT = 'Chỉ nhập số đồng, ví dụ 180.000 (không có phần lẻ).';
const WEIGHT_HINT = 'Hãy nhập số gam là số nguyên, ví dụ 230.';
const form = $('listing-form');
let listings = [];
let listingsFor = '';

export const enter = () => withSellers($('ls-seller'), $('ls-error'), selectSeller);

export function reset() {
  form.reset();
  clearErrors(form);
  listings = [];
  listingsFor = '';
  fill($('ls-list'));
  fill($('st-sum'));
  fill($('st-table'));
  $('st-box').hidden = true;
}

export function unitsLoaded() { weightHint(); }

$('ls-seller').addEventListener('change', ev => {
  rememberSeller(ev.target.value);
  state.lotId = '';
  selectSeller();
});

function selectSeller() {
  const s = sellerById(state.sellerId);
  $('ls-error').hidden = true;
  $('ls-body').hidden = !s;
  if (!s) {
    $('ls-seller-info').textContent = 'Chọn người bán để xem và đăng hàng.';
    listingsFor = '';
    fill($('ls-list'));
    loadStatement();
    return;
  }
  $('ls-seller-info').textContent = sellerLine(s);
  if (listingsFor !== s.id) {
    form.reset();
    clearErrors(form);
    $('ls-unit').value = 'kg';
    priceHint();
    weightHint();
    fill($('ls-list'));
    listings = [];
  }
  listingsFor = s.id;
  loadListings();
  loadLots();
  loadStatement();
}

async function loadLots() {
  const sellerId = state.sellerId, select = $('ls-lot');
  try {
    const d = await api('GET', '/api/v1/lots?seller_id=' + encodeURIComponent(sellerId));
    if (sellerId !== state.sellerId) return;
    const keep = select.value, pending = state.pendingLot;
    state.pendingLot = null;
    fill(select, h('option', {value: '', text: '— Không gắn lô —'}),
      (d.items || []).filter(l => l.status !== 'recalled')
        .map(l => h('option', {value: l.id, text: `${l.lot_code} — ${l.product_name} (thu hoạch ${vnDate(l.harvested_on)})`})));
    select.value = keep;
    // «Đăng bán lô này» on the lots tab: this lot, its product as the title
    if (pending) {
      select.value = pending.id;
      if (!$('ls-title').value.trim()) $('ls-title').value = pending.product_name;
      $('ls-title').focus();
    }
  } catch (e) {
    showError($('ls-error'), e);
  }
}

async function loadListings() {
  const sellerId = state.sellerId;
  $('ls-count').textContent = 'Đang tải…';
  try {
    const d = await api('GET', `/api/v1/sellers/${encodeURIComponent(sellerId)}/listings`);
    if (sellerId !== state.sellerId) return;
    listings = d.items || [];
    render();
  } catch (e) {
    $('ls-count').textContent = '';
    showError($('ls-error'), e);
  }
}

function render() {
  $('ls-count').textContent = listings.length ? listings.length + ' mặt hàng (mới nhất ở trên)'
    : 'Người bán này chưa đăng bán gì. Đăng mặt hàng đầu tiên ở bên trái.';
  fill($('ls-list'), listings.map(card));
}

const focusIn = (card, selector) => ((selector && card.querySelector(selector)) || card).focus();

/** A changed listing replaces its card; the focus stays where the staff member was. */
function changed(v, focusSelector, message) {
  listings = listings.map(x => x.id === v.id ? v : x);
  const old = document.querySelector(`#ls-list > li[data-listing="${v.id}"]`), fresh = card(v);
  if (old) { old.replaceWith(fresh); focusIn(fresh, focusSelector); }
  if (message) flash(message);
}

function badge(l) {
  if (l.lot?.status === 'recalled') return h('span', {class: 'badge recalled', text: 'Lô đã thu hồi — không bán được'});
  if (l.status === 'paused') return h('span', {class: 'badge paused', text: 'Tạm dừng bán'});
  if (l.quantity <= 0) return h('span', {class: 'badge off', text: 'Hết hàng'});
  return h('span', {class: 'badge', text: 'Đang bán'});
}

const mediaUrl = u => /^\/(?!\/)/.test(String(u || '')) ? String(u) : safeUrl(u);

function card(l) {
  const id = encodeURIComponent(l.id), photos = l.photos || [], paused = l.status === 'paused';
  const err = errorBox();
  const li = h('li', {class: 'card', 'data-listing': l.id, tabindex: -1});
  const note = h('p', {class: 'hint', 'aria-live': 'polite'});
  const fileInputs = on => { for (const i of li.querySelectorAll('.file input')) i.disabled = !on; };

  async function upload(input) {
    const files = [...input.files || []];
    input.value = '';
    if (!files.length) return;
    err.hidden = true;
    const room = MAX_PHOTOS - photos.length;
    if (files.length > room) {
      return showError(err, refuse('too_many_photos', 'photo', room ? `Chỉ thêm được ${room} ảnh nữa.` : 'Hãy xoá bớt ảnh cũ trước.', {max: MAX_PHOTOS}));
    }
    const big = files.find(f => f.size > MAX_PHOTO_BYTES);
    if (big) {
      return showError(err, refuse('photo_too_large', 'photo', `Ảnh «${big.name}» nặng ${(big.size / 1048576).toFixed(1).replace('.', ',')} MB.`,
        {limit: MAX_PHOTO_BYTES}));
    }
    const data = new FormData();
    for (const f of files) data.append('photo', f, f.name || 'anh.jpg');
    fileInputs(false);
    note.textContent = `Đang tải ${files.length} ảnh lên… (mạng chậm có thể mất một lúc)`;
    try {
      const v = await api('POST', `/api/v1/listings/${id}/photos`, data);
      changed(v, '.file input', `Đã thêm ${files.length} ảnh cho «${v.title}».`);
    } catch (e) {
      note.textContent = '';
      fileInputs(true);
      showError(err, e, null, e.code === 'unsupported_media_type' ? 'Chỉ dùng ảnh JPEG, PNG hoặc WebP.' : null);
    }
  }
  const camera = h('input', {type: 'file', accept: 'image/*', capture: 'environment', 'aria-label': 'Chụp ảnh cho ' + l.title,
    onchange: ev => upload(ev.target)});
  const gallery = h('input', {type: 'file', accept: 'image/*', multiple: true, 'aria-label': 'Chọn ảnh có sẵn cho ' + l.title,
    onchange: ev => upload(ev.target)});

  const thumbs = photos.length ? h('ul', 'thumbs', photos.map((p, i) => {
    const remove = h('button', {class: 'danger', title: 'Xoá ảnh', 'aria-label': `Xoá ảnh ${i + 1} của ${l.title}`, onclick: () => {
      if (confirm(`Xoá ảnh ${i + 1} của «${l.title}»?`)) send(remove, err, null, async () => {
        await api('DELETE', `/api/v1/listings/${id}/photos/${encodeURIComponent(p.id)}`);
        changed(await api('GET', '/api/v1/listings/' + id), '.file input', 'Đã xoá ảnh.');
      }, {label: '…'});
    }}, '✕');
    return h('li', 0, h('img', {src: mediaUrl(p.thumbnail_url), alt: `Ảnh ${i + 1}: ${l.title}`,
      width: p.thumbnail_width, height: p.thumbnail_height, loading: 'lazy'}), remove);
  })) : h('p', {class: 'hint', text: 'Chưa có ảnh. Ảnh thật của sản phẩm giúp bà con bán được hàng.'});

  const toggle = h('button', {'data-act': 'pause', onclick: () => send(toggle, err, null, async () => {
    const v = await api('PATCH', '/api/v1/listings/' + id, {status: paused ? 'active' : 'paused'});
    changed(v, '[data-act=pause]', paused ? `«${v.title}» đã được bán lại.`
      : `Đã tạm dừng bán «${v.title}». Người mua không tìm thấy hàng này cho đến khi bán lại.`);
  })}, paused ? 'Bán lại' : 'Tạm dừng bán');

  const remove = h('button', {class: 'danger', onclick: () => {
    if (confirm(`Xoá «${l.title}» khỏi chợ?\nNgười mua sẽ không thấy hàng này nữa. Các đơn hàng cũ vẫn giữ nguyên.`)) send(remove, err, null, async () => {
      await api('DELETE', '/api/v1/listings/' + id);
      listings = listings.filter(x => x.id !== l.id);
      render();
      $('ls-count').focus();
      flash(`Đã xoá «${l.title}» khỏi chợ.`);
    }, {label: 'Đang xoá…'});
  }}, 'Xoá hàng này');
  const lotLink = l.lot && safeUrl(l.lot.digital_link);
  fill(li,
    h('div', 'name', l.title + ' ', badge(l)),
    h('div', {class: 'price', text: `${vnd(l.price_vnd)} / ${l.unit_name}`}),
    facts(['Còn', `${digits(l.quantity)} ${l.unit_name}`], ['Loại hàng', l.category_name],
      ['Đóng gói', h('dd', {class: 'weight', text: l.unit_weight_g
        ? `${digits(l.unit_weight_g)} g / ${l.unit_name} (tính phí gửi bưu điện)` : 'Quá nặng: không gửi bưu điện được'})],
      l.lot && ['Lô hàng', [`${l.lot.lot_code} — ${l.lot.product_name} `, lotLink && tabLink(lotLink, 'Trang truy xuất ↗')]],
      l.description && ['Mô tả', l.description], ['Cập nhật', vnTime(l.updated_at)]),
    thumbs,
    h('div', 'actions',
      photos.length >= MAX_PHOTOS ? h('span', {class: 'hint', text: `Đã đủ ${MAX_PHOTOS} ảnh.`})
        : [h('label', 'button file', 'Chụp ảnh', camera), h('label', 'button file', 'Chọn ảnh có sẵn', gallery)],
      toggle, remove),
    note,
    h('details', 'edit', h('summary', {text: 'Sửa giá / số lượng / khối lượng'}), editForm(l, id, err)),
    err);
  return li;
}

function editForm(l, id, err) {
  const price = h('input', {id: 'lp-' + l.id, 'data-field': 'price_vnd', inputmode: 'numeric', maxlength: 15, value: digits(l.price_vnd)});
  const qty = h('input', {id: 'lq-' + l.id, 'data-field': 'quantity', inputmode: 'numeric', maxlength: 9, value: l.quantity});
  const weight = h('input', {id: 'lw-' + l.id, 'data-field': 'unit_weight_g', inputmode: 'numeric', maxlength: 6, value: l.unit_weight_g || ''});
  const edit = h('form', {novalidate: true},
    h('div', 'row',
      h('div', 0, h('label', {for: 'lp-' + l.id, text: `Giá (đồng / ${l.unit_name})`}), price),
      h('div', 'narrow', h('label', {for: 'lq-' + l.id, text: `Còn (${l.unit_name})`}), qty),
      h('div', 'narrow', h('label', {for: 'lw-' + l.id, text: `Gam / ${l.unit_name} (đóng gói)`}), weight)),
    h('button', {type: 'submit', class: 'primary'}, 'Lưu thay đổi'));
  onSubmit(edit, () => {
    const p = wholeNumber(price.value, 10), q = wholeNumber(qty.value, 7), w = weight.value.trim(), g = wholeNumber(w, 6);
    if (!p) throw refuse('invalid_format', 'price_vnd', PRICE_HINT);
    if (q === null) throw refuse('invalid_input', 'quantity', 'Hãy nhập số nguyên, ví dụ 25 (0 là hết hàng).');
    if (w && !g) throw refuse('invalid_input', 'unit_weight_g', WEIGHT_HINT);
    const change = {price_vnd: p, quantity: q};
    if (w && g !== l.unit_weight_g) change.unit_weight_g = g;
    return change;
  }, async change => {
    const v = await api('PATCH', '/api/v1/listings/' + id, change);
    changed(v, 'details.edit summary', `Đã lưu «${v.title}»: ${vnd(v.price_vnd)} / ${v.unit_name}, còn ${digits(v.quantity)} ${v.unit_name}.`);
  }, {box: err});
  return edit;
}

/* ---------- the new listing form ---------- */

function weightHint() {
  const unit = $('ls-unit').value || 'kg', n = wholeNumber($('ls-weight').value, 6), name = unitName(unit);
  $('ls-weight-req').hidden = !!BY_MASS[unit];
  $('ls-weight').placeholder = {kg: 'Để trống: 1000', g: 'Để trống: 1'}[unit] || 'Ví dụ: 230';
  $('ls-weight-hint').textContent = unit === 'tan' ? 'Hàng tính theo tấn quá nặng để gửi bưu điện: để trống.'
    : (BY_MASS[unit] ? `Không bắt buộc với đơn vị ${name}: để trống thì tính theo khối lượng hàng. `
      : `Bắt buộc với đơn vị «${name}»: cân 1 ${name} đã đóng gói (cả túi, hộp, chai). `) +
      (n ? `Đang ghi: 1 ${name} nặng ${digits(n)} g. ` : '') + 'Dùng để tính phí gửi bưu điện (1 bưu kiện tối đa 30 kg).';
}
function priceHint() {
  const raw = $('ls-price').value, n = wholeNumber(raw, 10);
  $('ls-price-hint').textContent = n ? `Giá bán: ${vnd(n)} cho 1 ${unitName($('ls-unit').value)}` : raw.trim() ? 'Chỉ nhập số đồng, ví dụ 180.000' : '';
}
$('ls-weight').addEventListener('input', weightHint);
$('ls-unit').addEventListener('change', weightHint);
$('ls-price').addEventListener('input', priceHint);
$('ls-unit').addEventListener('change', priceHint);

/** The form's listing; a refusal for the first thing wrong. */
function newListing() {
  const title = $('ls-title').value.trim(), category = $('ls-category').value;
  const price = wholeNumber($('ls-price').value, 10), qty = wholeNumber($('ls-qty').value, 7);
  const unit = $('ls-unit').value || 'kg', rawWeight = $('ls-weight').value.trim(), weight = wholeNumber(rawWeight, 6);
  if (!title) throw refuse('required', 'title');
  if (!category) throw refuse('required', 'category', 'Chọn loại hàng trong danh sách.');
  if (!price) throw refuse('invalid_format', 'price_vnd', PRICE_HINT);
  if (qty === null) throw refuse('invalid_input', 'quantity', 'Hãy nhập số nguyên, ví dụ 25.');
  if (!rawWeight && !BY_MASS[unit]) throw refuse('required', 'unit_weight_g', `Bắt buộc với đơn vị «${unitName(unit)}», ví dụ 230.`);
  if (rawWeight && !weight) throw refuse('invalid_input', 'unit_weight_g', WEIGHT_HINT);
  const body = {seller_id: state.sellerId, title, category, unit, price_vnd: price, quantity: qty};
  if (weight) body.unit_weight_g = weight;
  const description = $('ls-desc').value.trim(), lot = $('ls-lot').value;
  if (description) body.description = description;
  if (lot) body.lot_id = lot;
  return body;
}

onSubmit(form, newListing, async body => {
  const v = await api('POST', '/api/v1/listings', body);
  flash(`Đã đăng bán «${v.title}» — ${vnd(v.price_vnd)} / ${v.unit_name}. Bây giờ hãy thêm ảnh.`);
  form.reset();
  $('ls-unit').value = 'kg';
  priceHint();
  weightHint();
  listings = [v, ...listings.filter(x => x.id !== v.id)];
  render();
  const li = document.querySelector(`#ls-list > li[data-listing="${v.id}"]`);
  if (li) { li.scrollIntoView({block: 'nearest'}); focusIn(li, '.file input'); }
}, {label: 'Đang đăng…'});
