// Listings: the farmer's produce for sale; a new one (from a lot in under a minute: title
// from the product, photos from the camera shrunk on the phone); pause, resume, price and
// stock. A change carries the If-Match of the listing as last read, so a sale made meanwhile
// is never overwritten: the server refuses (412) and the farmer sees the new stock.
import {$, h, fill, busy} from '/shared/dom.js';
import {digits, vnd, vnDate} from '/shared/format.js';
import {LISTING} from '/shared/statuses.js';
import {SOLD_MEANWHILE} from '/shared/vi.js';
import {keepDraft} from './drafts.js';
import {shrink} from './photo.js';
import * as outbox from './outbox.js';
import {
  state, api, getTagged, enc, goTo, showError, errorBox, refuse, flash, onSubmit, write, waitingOf, facts, badge, waitBadge,
  unitName, wholeNumber, fillForm,
} from './common.js';

const MAX_PHOTOS = 8;
// units weighed by mass need no packed weight per unit; any other unit must say what one weighs
const BY_MASS = {kg: 1, g: 1, tan: 1};
const form = $('listing-form');
let listings = [], photos = [], draft = null, fixing = null, shrinking = Promise.resolve();
const tags = {}; // listing id → {etag, data}: the version a change is made against

const options = (sel, items, first) => {
  const keep = sel.value;
  fill(sel, first && h('option', {value: '', text: first}), items.map(i => h('option', {value: i.code, text: i.name_vi})));
  sel.value = keep;
};
export function listsLoaded() {
  if (state.units.length) options($('ls-unit'), state.units);
  if (state.categories.length) options($('ls-category'), state.categories, '— Chọn loại —');
  if (!$('ls-unit').value) $('ls-unit').value = 'kg';
  hints();
}

function hints() {
  const unit = $('ls-unit').value || 'kg', name = unitName(unit), p = wholeNumber($('ls-price').value, 10);
  $('ls-price-hint').textContent = p ? `Giá bán: ${vnd(p)} cho 1 ${name}` : 'Chỉ nhập số đồng, ví dụ 180.000';
  $('ls-weight-req').hidden = !!BY_MASS[unit];
  $('ls-weight').placeholder = BY_MASS[unit] ? 'Không bắt buộc' : 'Ví dụ: 230';
  $('ls-weight-hint').textContent = unit === 'tan' ? 'Hàng tính theo tấn quá nặng để gửi bưu điện: để trống.'
    : (BY_MASS[unit] ? '' : `Cân 1 ${name} đã đóng gói (cả túi, hộp, chai). `) + 'Dùng để tính phí gửi bưu điện (1 bưu kiện tối đa 30 kg).';
}
for (const id of ['ls-price', 'ls-unit']) $(id).addEventListener('input', hints);
$('ls-unit').addEventListener('change', hints);

export async function enter() {
  draft ||= keepDraft(form, 'listing.' + state.user?.id);
  hints();
  const lot = state.pendingLot;
  state.pendingLot = null;
  if (lot) {
    // «Đăng bán từ lô này»: that lot, its product as the title, its unit
    $('listing-box').open = true;
    fill($('ls-lot'), h('option', {value: lot.id, text: `${lot.product_name} — lô ${lot.lot_code}`}));
    $('ls-lot').value = lot.id;
    $('ls-title').value = lot.product_name;
    if (state.units.some(u => u.code === lot.unit)) $('ls-unit').value = lot.unit;
    hints();
    $('ls-category').focus();
  }
  loadLots(lot?.id);
  render();
  $('listings-note').textContent = 'Đang tải…';
  try {
    listings = (await api('GET', `/api/v1/sellers/${enc(state.me.id)}/listings`)).items || [];
    render();
    // the version of each, so a change made offline is still checked against a sale
    for (const l of listings) tagOf(l.id, true).catch(() => {});
    if (fixing) applyFix();
  } catch (e) {
    $('listings-note').textContent = e.text;
  }
}

async function loadLots(keep) {
  try {
    const items = ((await api('GET', '/api/v1/lots')).items || []).filter(l => l.status !== 'recalled');
    const was = keep || $('ls-lot').value;
    fill($('ls-lot'), h('option', {value: '', text: '— Không gắn lô —'}),
      items.map(l => h('option', {value: l.id, text: `${l.product_name} — lô ${l.lot_code} (${vnDate(l.harvested_on)})`})));
    $('ls-lot').value = was;
  } catch { /* offline: the lot picked stays */ }
}

async function tagOf(id, fresh) {
  if (!tags[id] || fresh) tags[id] = await getTagged('/api/v1/listings/' + enc(id));
  return tags[id];
}

function render() {
  const mine = waitingOf('listing');
  $('listings-note').textContent = listings.length + mine.length ? '' : 'Chưa bán gì. Bấm «Đăng bán hàng mới» ở trên.';
  fill($('listings'), mine.reverse().map(r => card({...r.body, id: 'p-' + r.id, photos: [], status: 'active', wait: r.photos})), listings.map(card));
}

function stateBadge(l) {
  if (l.lot?.status === 'recalled') return badge('Lô đã thu hồi — không bán được', 'bad');
  if (l.status === 'paused') return badge(LISTING.paused, 'paused');
  if (l.quantity <= 0) return badge('Hết hàng', 'bad');
  return badge(LISTING.active);
}

function card(l) {
  const unit = l.unit_name || unitName(l.unit);
  const li = h('li', {class: 'card' + (l.wait != null ? ' wait' : ''), 'data-listing-id': l.id});
  const waitingChange = waitingOf('change').filter(r => r.listingId === l.id);
  const wanted = Object.assign({}, ...waitingChange.map(r => r.body));
  const shownL = {...l, ...wanted};
  const head = [h('div', 'name', l.title + ' ', l.wait != null || waitingChange.length ? waitBadge() : null, l.wait == null && stateBadge(shownL)),
    h('div', {class: 'price', text: `${vnd(shownL.price_vnd)} / ${unit}`}),
    facts(['Còn', h('dd', {class: 'stock', text: `${digits(shownL.quantity)} ${unit}`})], l.lot && ['Lô', `${l.lot.product_name} — ${l.lot.lot_code}`])];
  if (l.wait != null) {
    return fill(li, head, h('p', 'hint', 'Chưa gửi lên máy chủ' + (l.wait ? ` (kèm ${l.wait} ảnh)` : '') + '. Sửa giá, thêm ảnh sau khi đã gửi.'));
  }
  const err = errorBox(), note = h('p', {class: 'hint', 'aria-live': 'polite'});
  const price = h('input', {id: 'lp-' + l.id, name: 'price_vnd', 'data-field': 'price_vnd', inputmode: 'numeric', value: digits(shownL.price_vnd), 'aria-label': 'Giá (đồng)'});
  const stock = h('input', {id: 'lq-' + l.id, name: 'quantity', 'data-field': 'quantity', inputmode: 'numeric', value: shownL.quantity, 'aria-label': 'Còn'});
  const paused = shownL.status === 'paused';

  async function change(body, btn, label) {
    err.hidden = true;
    busy(btn, true);
    const fix = li.dataset.fix;
    try {
      // two changes while offline: one action, made against the version first seen
      const prev = !fix && waitingOf('change').find(r => r.listingId === l.id && outbox.actions().find(a => a.id === r.id)?.state === 'waiting');
      const headers = prev ? prev.headers : {'If-Match': (await tagOf(l.id, !!fix)).etag};
      if (prev) { await outbox.discard(prev.id); body = {...prev.body, ...body}; }
      const r = await write({label: `«${l.title}»: ${label}`, method: 'PATCH', path: '/api/v1/listings/' + enc(l.id), body, headers},
        {kind: 'change', listingId: l.id}, fix);
      if (r.sent) {
        // the next change is made against the version this one made
        delete tags[l.id];
        flash(`Đã lưu «${l.title}»: ${label}.`);
        if (r.result) listings = listings.map(x => x.id === l.id ? r.result : x);
        else listings = listings.map(x => x.id === l.id ? {...x, ...body} : x);
      }
      li.replaceWith(card(listings.find(x => x.id === l.id)));
      if (r.sent) tagOf(l.id).catch(() => {});
    } catch (e) {
      busy(btn, false);
      if (e.code !== 'precondition_failed') return showError(err, e, li);
      // a sale (or another change) came first: the new version, and the farmer decides again
      const fresh = await tagOf(l.id, true).catch(() => null);
      if (fresh) {
        listings = listings.map(x => x.id === l.id ? fresh.data : x);
        const again = card(fresh.data);
        if (fix) again.dataset.fix = fix;
        li.replaceWith(again);
        const box = again.querySelector('.error');
        fill(box, h('strong', {text: SOLD_MEANWHILE.replace('{quantity}', `${digits(fresh.data.quantity)} ${unit}`)}));
        box.hidden = false;
        again.querySelector('[name=price_vnd]').value = price.value;
        again.scrollIntoView({block: 'nearest'});
      } else showError(err, e, li);
    }
  }

  const toggle = h('button', {'data-act': paused ? 'resume' : 'pause', onclick: () =>
    change({status: paused ? 'active' : 'paused'}, toggle, paused ? 'bán lại' : 'tạm dừng bán')}, paused ? '▶️ Bán lại' : '⏸ Tạm dừng bán');
  const save = h('button', {class: 'primary', 'data-act': 'save', onclick: () => {
    const p = wholeNumber(price.value, 10), q = wholeNumber(stock.value, 7);
    if (!p) return showError(err, refuse('invalid_format', 'price_vnd', 'Chỉ nhập số đồng, ví dụ 180.000.'), li);
    if (q === null) return showError(err, refuse('invalid_input', 'quantity', 'Hãy nhập số nguyên, ví dụ 25 (0 là hết hàng).'), li);
    change({price_vnd: p, quantity: q}, save, `giá ${vnd(p)}, còn ${digits(q)} ${unit}`);
  }}, '💾 Lưu giá và số lượng');
  const camera = h('input', {type: 'file', accept: 'image/*', capture: 'environment', multiple: true, onchange: async ev => {
    const files = [...ev.target.files];
    ev.target.value = '';
    if (!files.length) return;
    err.hidden = true;
    note.textContent = 'Đang thu nhỏ ảnh…';
    try {
      const blobs = await Promise.all(files.slice(0, MAX_PHOTOS).map(f => shrink(f)));
      note.textContent = `Đang gửi ${blobs.length} ảnh…`;
      const r = await write({label: `${blobs.length} ảnh cho «${l.title}»`, method: 'POST', path: `/api/v1/listings/${enc(l.id)}/photos`, photos: blobs});
      note.textContent = r.sent ? '' : `${blobs.length} ảnh chờ gửi.`;
      if (r.sent && r.result) { listings = listings.map(x => x.id === l.id ? r.result : x); li.replaceWith(card(r.result)); }
    } catch (e) {
      note.textContent = '';
      showError(err, e);
    }
  }});
  fill(li, head,
    (l.photos || []).length > 0 && h('div', 'thumbs', l.photos.map((p, i) =>
      h('img', {src: p.thumbnail_url || p.url, alt: `Ảnh ${i + 1}: ${l.title}`, loading: 'lazy'}))),
    h('div', 'row', h('div', 0, h('label', {for: price.id, text: `Giá (đồng / ${unit})`}), price), h('div', 0, h('label', {for: stock.id, text: `Còn (${unit})`}), stock)),
    h('div', 'actions', save, toggle, h('label', 'button file', '📷 Thêm ảnh', camera)),
    note, err);
  return li;
}

/* ---------- the new listing ---------- */

$('ls-photos').addEventListener('change', async ev => {
  const files = [...ev.target.files];
  ev.target.value = '';
  const room = MAX_PHOTOS - photos.length;
  const box = form.querySelector('.error');
  box.hidden = true;
  if (files.length > room) showError(box, refuse('too_many_photos', 'photo', null, {max: MAX_PHOTOS}));
  // shrunk here: a 12-megapixel photo goes as a few hundred KB, not 5 MB over 3G
  // a press of «Đăng bán» meanwhile waits for these
  const done = (async () => {
    for (const f of files.slice(0, Math.max(room, 0))) photos.push(await shrink(f));
  })().catch(e => showError(box, e));
  shrinking = shrinking.then(() => done);
  await done;
  thumbs();
});
function thumbs() {
  fill($('ls-thumbs'), photos.map((p, i) => {
    const url = URL.createObjectURL(p);
    return h('div', {class: 'file'}, h('img', {src: url, alt: `Ảnh ${i + 1}`, onload: () => URL.revokeObjectURL(url)}),
      h('button', {class: 'danger', 'aria-label': `Bỏ ảnh ${i + 1}`, onclick: () => { photos.splice(i, 1); thumbs(); }}, '✕'));
  }));
}

onSubmit(form, () => {
  const f = form.elements, title = f.title.value.trim(), unit = f.unit.value || 'kg';
  const price = wholeNumber(f.price_vnd.value, 10), q = wholeNumber(f.quantity.value, 7);
  const rawWeight = f.unit_weight_g.value.trim(), weight = wholeNumber(rawWeight, 6);
  if (!title) throw refuse('required', 'title');
  if (!f.category.value) throw refuse('required', 'category', 'Chọn loại hàng trong danh sách.');
  if (!price) throw refuse('invalid_format', 'price_vnd', 'Chỉ nhập số đồng, ví dụ 180.000 (không có phần lẻ).');
  if (q === null) throw refuse('invalid_input', 'quantity', 'Hãy nhập số nguyên, ví dụ 25.');
  if (!rawWeight && !BY_MASS[unit]) throw refuse('required', 'unit_weight_g');
  if (rawWeight && !weight) throw refuse('invalid_input', 'unit_weight_g', 'Hãy nhập số gam là số nguyên, ví dụ 230.');
  const body = {title, category: f.category.value, unit, price_vnd: price, quantity: q};
  if (weight) body.unit_weight_g = weight;
  if (f.description.value.trim()) body.description = f.description.value.trim();
  if (f.lot_id.value) body.lot_id = f.lot_id.value;
  return body;
}, async body => {
  await shrinking;
  const n = photos.length;
  const r = await write({label: `Đăng bán «${body.title}» — ${vnd(body.price_vnd)} / ${unitName(body.unit)}`, method: 'POST', path: '/api/v1/listings', body},
    {kind: 'listing', photos: n}, form.dataset.fix);
  delete form.dataset.fix;
  if (n) {
    // the photos wait for the listing's answer: its id goes in their path
    await write({label: `${n} ảnh cho «${body.title}»`, method: 'POST', path: '/api/v1/listings/{after}/photos', photos, after: r.id})
      .catch(e => flash(e.text || String(e), 'error'));
  }
  photos = [];
  thumbs();
  form.reset();
  draft.clear();
  $('listing-box').open = false;
  listsLoaded();
  if (r.sent) flash(`Đã đăng bán «${body.title}».`);
  enter();
});

/** A refused action, back where it is fixed. */
export function fix(a, rec) {
  if (rec.kind === 'listing') {
    goTo('#hang-ban');
    $('listing-box').open = true;
    fillForm(form, {...rec.body, price_vnd: digits(rec.body.price_vnd)});
    form.dataset.fix = a.id;
    showError(form.querySelector('.error'), a.error, form);
    return;
  }
  fixing = {a, rec};
  goTo('#hang-ban');
}

// the listing as it is now, and what the farmer wanted, to decide again
function applyFix() {
  const {a, rec} = fixing;
  fixing = null;
  tagOf(rec.listingId, true).then(t => {
    listings = listings.map(x => x.id === t.data.id ? t.data : x);
    const li = document.querySelector(`#listings > li[data-listing-id="${rec.listingId}"]`), fresh = card(t.data);
    fresh.dataset.fix = a.id;
    li?.replaceWith(fresh);
    if (rec.body.price_vnd) fresh.querySelector('[name=price_vnd]').value = digits(rec.body.price_vnd);
    const box = fresh.querySelector('.error');
    fill(box, h('strong', {text: a.error.code === 'precondition_failed'
      ? SOLD_MEANWHILE.replace('{quantity}', `${digits(t.data.quantity)} ${t.data.unit_name}`) : a.error.text}));
    box.hidden = false;
    fresh.scrollIntoView({block: 'center'});
  }, e => flash(e.text, 'error'));
}
