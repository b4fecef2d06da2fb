// Tab 3: a seller's lots and QR labels; one lot's events, its recall, and then the orders
// holding it (parcels to stop, buyers to call).
import {$, h, fill, busy} from '/shared/dom.js';
import {decimal, grams, vnDate, vnTime, vietnamNow, digits} from '/shared/format.js';
import {EVENT, EVENT_DETAIL, PART, PART_ACTION, RECALL_OUTCOME} from '/shared/statuses.js';
import {
  state, api, showError, clearErrors, errorBox, refuse, onSubmit, facts, tabLink, flash, picker, withSellers, sellerById,
  sellerLine, rememberSeller, unitName, safeUrl, telLink, statusBadge, communeName, openListingsFor,
} from './common.js';

const MAX_LABELS = 240; // one print run of the label sheet
const commune = picker($('lot-commune'));
let lots = [];
let printPick = {};
let loadingOrders = 0;

export const enter = () => withSellers($('lot-seller'), $('lots-error'), selectSeller);

export function reset() {
  for (const id of ['lot-form', 'event-form', 'recall-form']) { $(id).reset(); clearErrors($(id)); }
  lots = [];
  printPick = {};
  fill($('lots-list'));
  fill($('ld-orders-list'));
  $('lot-detail').hidden = true;
  $('ld-orders').hidden = true;
  commune.set(null, false, true);
}

export function unitsLoaded() { if (lots.length) renderLots(); }

$('lot-seller').addEventListener('change', ev => {
  rememberSeller(ev.target.value);
  state.lotId = '';
  selectSeller();
});

function selectSeller() {
  const s = sellerById(state.sellerId);
  $('lots-error').hidden = true;
  $('lots-body').hidden = !s;
  if (!s) {
    $('lot-detail').hidden = true;
    $('lot-seller-info').textContent = 'Chọn người bán để tạo lô và in tem.';
    return;
  }
  $('lot-seller-info').textContent = sellerLine(s);
  clearErrors($('lot-form'));
  commune.set({code: s.commune_code, name: s.commune_name, province_name: s.province_name});
  const today = vietnamNow().slice(0, 10);
  if (!$('lot-date').value) $('lot-date').value = today;
  $('lot-date').max = today;
  lotDateHint();
  loadLots();
}

async function loadLots() {
  const sellerId = state.sellerId;
  $('lots-count').textContent = 'Đang tải…';
  try {
    const d = await api('GET', '/api/v1/lots?seller_id=' + encodeURIComponent(sellerId));
    if (sellerId !== state.sellerId) return;
    lots = (d.items || []).sort((a, b) => a.created_at < b.created_at ? 1 : -1);
    printPick = {};
    renderLots();
    if (state.lotId) openLot(state.lotId, false); else $('lot-detail').hidden = true;
  } catch (e) {
    $('lots-count').textContent = '';
    showError($('lots-error'), e);
  }
}

/* ---------- the list of lots, and printing their labels ---------- */

const sheetUrl = (ids, copies) => `/api/v1/labels/sheet.html?lots=${ids.map(encodeURIComponent).join(',')}&copies=${copies}`;
const copiesOf = input => Math.min(MAX_LABELS, Math.max(1, parseInt(input.value, 10) || 1));

function updatePrintSelected() {
  const ids = Object.keys(printPick).filter(k => printPick[k]);
  $('print-selected').hidden = !ids.length;
  // the sheet takes at most 240 labels in all
  const copies = Math.max(1, Math.min(copiesOf($('print-sel-copies')), Math.floor(MAX_LABELS / (ids.length || 1))));
  $('print-sel-link').textContent = `In tem ${ids.length} lô đã chọn (${ids.length * copies} tem)`;
  $('print-sel-link').href = ids.length ? sheetUrl(ids, copies) : '#';
}
$('print-sel-copies').addEventListener('input', updatePrintSelected);

function renderLots() {
  $('lots-count').textContent = lots.length ? lots.length + ' lô hàng (mới nhất ở trên)' : 'Người bán này chưa có lô hàng nào. Tạo lô đầu tiên ở bên trái.';
  fill($('lots-list'), lots.map(lotCard));
  updatePrintSelected();
}

function lotLinks(l) {
  const scan = safeUrl(l.digital_link);
  return [scan && tabLink(scan, 'Trang người mua thấy khi quét QR ↗'), tabLink(`/api/v1/lots/${encodeURIComponent(l.id)}/record`, 'Bản ghi ký số ↗')];
}
const lotBadge = recalled => h('span', {class: 'badge' + (recalled ? ' recalled' : ''), text: recalled ? 'ĐÃ THU HỒI' : 'Đang hoạt động'});

function lotCard(l) {
  const copies = h('input', {type: 'number', min: 1, max: MAX_LABELS, value: 24, inputmode: 'numeric', 'aria-label': 'Số tem cho lô ' + l.lot_code});
  const print = tabLink(sheetUrl([l.id], 24), 'In tem', 'button primary');
  copies.addEventListener('input', () => { print.href = sheetUrl([l.id], copiesOf(copies)); });
  const pick = h('input', {type: 'checkbox', checked: !!printPick[l.id]});
  pick.addEventListener('change', () => { printPick[l.id] = pick.checked; updatePrintSelected(); });
  const recalled = l.status === 'recalled', open = l.id === state.lotId;
  return h('li', {class: 'card' + (open ? ' selected' : ''), 'data-lot': l.id},
    h('div', 'lot',
      h('img', {src: `/api/v1/lots/${encodeURIComponent(l.id)}/label.png`, alt: 'Tem QR của lô ' + l.lot_code, loading: 'lazy', width: 827, height: 413}),
      h('div', 'info',
        h('div', 'name', l.product_name + ' ', lotBadge(recalled)),
        facts(['Mã lô', l.lot_code], ['Số lượng', decimal(l.quantity) + ' ' + unitName(l.unit)], ['Thu hoạch', vnDate(l.harvested_on)],
          ['Nơi trồng', `${l.commune_name}, ${l.province_name}`], ['Sự kiện', `${l.event_count} · bản ghi số ${l.record_version}`]),
        h('div', 'links', lotLinks(l)))),
    h('div', 'actions',
      h('button', {class: open ? 'primary' : null, onclick: () => openLot(l.id, true)}, 'Sự kiện / lịch sử'),
      !recalled && h('button', {onclick: () => openListingsFor(state.sellerId, l)}, 'Đăng bán lô này'),
      h('span', 'print', copies, print),
      h('label', 'check', pick, 'Chọn để in chung')));
}

/** "12,5" → "12.5": a positive number of at most 3 decimals and `maxWhole` whole digits, else null. */
function decimalText(raw, maxWhole) {
  const s = String(raw || '').trim().replace(/\s/g, '').replace(',', '.');
  return new RegExp(`^\\d{1,${maxWhole}}(\\.\\d{1,3})?$`).test(s) && /[1-9]/.test(s) ? s : null;
}

onSubmit($('lot-form'), () => {
  const qty = decimalText($('lot-qty').value, 12), place = commune.get();
  const product = $('lot-product').value.trim(), date = $('lot-date').value;
  if (!product) throw refuse('required', 'product_name');
  if (!qty) throw refuse('invalid_format', 'quantity', 'Ví dụ: 12,5');
  if (!date) throw refuse('required', 'harvested_on');
  if (!place) throw refuse('required', 'commune_code', 'Gõ tên xã rồi chọn trong danh sách hiện ra.');
  const body = {product_name: product, quantity: qty, unit: $('lot-unit').value || 'kg', harvested_on: date,
    commune_code: place.code, seller_id: state.sellerId};
  const code = $('lot-code').value.trim(), gtin = $('lot-gtin').value.replace(/\s/g, ''), farm = $('lot-farm').value.trim();
  if (code) body.lot_code = code;
  if (gtin) body.gtin = gtin;
  if (farm) body.farm_name = farm;
  return body;
}, async body => {
  const lot = await api('POST', '/api/v1/lots', body);
  flash(`Đã tạo lô ${lot.lot_code} — ${lot.product_name}. Bây giờ có thể thêm sự kiện (ví dụ: Thu hoạch) và in tem.`);
  for (const id of ['lot-product', 'lot-qty', 'lot-code', 'lot-gtin', 'lot-farm']) $(id).value = '';
  state.lotId = lot.id;
  await loadLots();
  $('lot-detail').scrollIntoView({block: 'start'});
}, {label: 'Đang tạo lô…'});

/* ---------- one lot: its events, its recall ---------- */

const lotById = id => lots.find(l => l.id === id) || null;

function openLot(id, scroll) {
  const l = lotById(id);
  if (!l) { $('lot-detail').hidden = true; return; }
  if (state.lotId !== id) {
    for (const f of [$('event-form'), $('recall-form')]) { f.reset(); clearErrors(f); }
    $('recall-box').open = false;
    fill($('ld-orders-list'));
    fill($('ld-orders-count'));
  }
  state.lotId = id;
  for (const li of document.querySelectorAll('#lots-list > li')) li.classList.toggle('selected', li.dataset.lot === id);
  const recalled = l.status === 'recalled';
  $('ld-title').textContent = `${l.product_name} — lô ${l.lot_code}`;
  fill($('ld-status'), lotBadge(recalled),
    ` ${decimal(l.quantity)} ${unitName(l.unit)} · thu hoạch ${vnDate(l.harvested_on)} · ${l.producer_name} · GTIN ${l.gtin}`);
  fill($('ld-links'), lotLinks(l), tabLink(sheetUrl([l.id], 24), 'In một trang A4 (24 tem) ↗'));
  $('event-form').hidden = recalled;
  $('recall-box').hidden = recalled;
  $('ld-recalled').hidden = !recalled;
  if (recalled) loadLotOrders(l);
  else { loadingOrders++; $('ld-orders').hidden = true; }
  const now = vietnamNow();
  if (!$('ev-when').value) $('ev-when').value = now;
  $('ev-when').max = now;
  evWhenHint();
  showEventFields();
  $('lot-detail').hidden = false;
  loadEvents(id);
  if (scroll) $('lot-detail').scrollIntoView({block: 'start'});
}

async function loadEvents(id) {
  $('ld-events-note').textContent = 'Đang tải…';
  try {
    const d = await api('GET', `/api/v1/lots/${encodeURIComponent(id)}/events`);
    if (id !== state.lotId) return;
    const items = (d.items || []).sort((a, b) => a.seq - b.seq);
    $('ld-events-note').textContent = items.length ? 'Mỗi sự kiện được ký số và nối chuỗi: không sửa, không xoá được.' : 'Chưa có sự kiện nào.';
    fill($('ld-events'), items.map(eventItem));
  } catch (e) {
    $('ld-events-note').textContent = e.text;
  }
}

function detailText(key, value) {
  if (key === 'quantity_g') return grams(Number(value));
  if (key === 'temperature_c') return value + ' °C';
  if (key === 'pre_harvest_interval_days') return value + ' ngày';
  return String(value);
}

function eventItem(e) {
  const d = e.details || {};
  const rows = EVENT_DETAIL.filter(([key]) => d[key] != null).map(([key, name]) => [h('dt', {text: name}), h('dd', {text: detailText(key, d[key])})]);
  return h('li', {class: e.type === 'recall' ? 'recall' : null},
    h('div', 0, h('span', {class: 'when', text: vnTime(e.occurred_at)}), ' · ', h('span', {class: 'type', text: EVENT[e.type] || e.type})),
    rows.length > 0 && h('dl', 0, rows),
    h('div', {class: 'hint', text: `Ghi lúc ${vnTime(e.recorded_at)} · sự kiện số ${e.seq}`}));
}

// each event type has its own details: only those are shown, some required
function showEventFields() {
  const type = $('ev-type').value;
  for (const f of document.querySelectorAll('#event-form .fld')) {
    const on = !!type && f.dataset.types.split(' ').includes(type);
    f.hidden = !on;
    const input = f.querySelector('input,textarea');
    input.required = on && input.dataset.req === '1';
  }
}
$('ev-type').addEventListener('change', () => { clearErrors($('event-form')); showEventFields(); });

/** The details of the event form; a refusal for the first wrong one. */
function eventDetails(form) {
  const details = {};
  for (const f of form.querySelectorAll('.fld:not([hidden]) input, .fld:not([hidden]) textarea')) {
    const raw = f.value.trim(), key = f.name;
    if (!raw) {
      if (f.required) throw refuse('required', key, 'Bắt buộc với loại sự kiện này.');
      continue;
    }
    if (f.dataset.kind === 'kg') {
      const kg = decimalText(raw, 9);
      if (!kg) throw refuse('invalid_format', key, 'Hãy nhập số kg lớn hơn 0, ví dụ 12,5.');
      const [whole, frac = ''] = kg.split('.');
      details[key] = Number(whole) * 1000 + Number(frac.padEnd(3, '0'));
    } else if (f.dataset.kind === 'int') {
      if (!/^-?\d+$/.test(raw)) throw refuse('invalid_format', key, 'Hãy nhập số nguyên.');
      details[key] = parseInt(raw, 10);
    } else {
      details[key] = raw;
    }
  }
  return details;
}

onSubmit($('event-form'), () => {
  const type = $('ev-type').value, when = $('ev-when').value;
  if (!type) throw refuse('required', 'type');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(when)) throw refuse('required', 'occurred_at', 'Hãy chọn ngày và giờ.');
  if (when > vietnamNow()) throw refuse('out_of_range', 'occurred_at');
  // the time as the person read it, in Vietnam
  return {type, occurred_at: (when.length === 16 ? when + ':00' : when) + '+07:00', details: eventDetails($('event-form'))};
}, async body => {
  await api('POST', `/api/v1/lots/${encodeURIComponent(state.lotId)}/events`, body);
  flash(`Đã lưu sự kiện «${EVENT[body.type]}». Bản ghi ký số đã được cập nhật.`);
  $('event-form').reset();
  showEventFields();
  await loadLots();
});

onSubmit($('recall-form'), () => {
  const reason = $('rc-reason').value.trim(), l = lotById(state.lotId);
  if (!reason) throw refuse('required', 'reason', 'Hãy ghi lý do thu hồi.');
  return l && confirm(`Thu hồi lô ${l.lot_code} (${l.product_name})?\nNgười mua quét tem sẽ thấy lô đã bị thu hồi. Không thể hoàn tác.`) ? [l, reason] : null;
}, async ([l, reason]) => {
  await api('POST', `/api/v1/lots/${encodeURIComponent(l.id)}/recall`, {reason});
  flash(`Đã thu hồi lô ${l.lot_code}.`);
  $('recall-form').reset();
  await loadLots();
}, {label: 'Đang thu hồi…'});

/* ---------- a recalled lot: the orders holding it ---------- */

async function loadLotOrders(l) {
  const mine = ++loadingOrders;
  $('ld-orders').hidden = false;
  $('ld-orders-error').hidden = true;
  $('ld-orders-count').textContent = 'Đang tải…';
  try {
    const d = await api('GET', `/api/v1/lots/${encodeURIComponent(l.id)}/orders`);
    if (mine !== loadingOrders || l.id !== state.lotId) return false;
    // one card per order part (a part may hold the lot in several lines)
    const byPart = new Map();
    for (const r of d.items || []) {
      if (!byPart.has(r.part_id)) byPart.set(r.part_id, {row: r, lines: []});
      byPart.get(r.part_id).lines.push(`${r.title}: ${digits(r.quantity)} ${unitName(r.unit)}`);
    }
    // parcels to stop first, then buyers to call (a stable sort keeps the rest in order)
    const rank = p => ({returning: 0, delivered: 1})[p.row.recall] ?? 2;
    const parts = [...byPart.values()].sort((a, b) => rank(a) - rank(b));
    const count = outcome => parts.filter(p => p.row.recall === outcome).length;
    const stop = count('returning'), call = count('delivered');
    $('ld-orders-count').textContent = parts.length
      ? parts.length + ' đơn hàng' + (stop ? ` · ${stop} bưu kiện phải chặn lại` : '') + (call ? ` · ${call} người mua phải gọi báo` : '')
      : 'Không có đơn hàng nào có lô này.';
    fill($('ld-orders-list'), parts.map(p => lotOrderCard(p.row, p.lines, l)));
    return true;
  } catch (e) {
    if (mine === loadingOrders) { $('ld-orders-count').textContent = ''; showError($('ld-orders-error'), e); }
    return false;
  }
}

function lotOrderCard(r, lines, l) {
  const err = errorBox();
  const what = r.recall ? RECALL_OUTCOME[r.recall] : r.part_status === 'cancelled'
    ? ['Đã huỷ', 'Đã huỷ trước khi thu hồi', 'Không cần làm gì.'] : [PART[r.part_status] || r.part_status, '', ''];
  const kind = {returning: 'stop', delivered: 'call'}[r.recall] || '';
  const place = h('dd', {text: r.shipping_address});
  if (/^\d{5}$/.test(r.shipping_commune_code || '')) communeName(r.shipping_commune_code, place);
  const back = r.recall === 'returning' && h('button', {class: 'primary', 'data-act': 'return', onclick: async () => {
    if (!confirm(`Bưu kiện đơn ${r.code} đã về đến quầy?\nBấm OK: đơn được huỷ, không giao nữa; người mua đã chuyển khoản thì được trả lại tiền.`)) return;
    err.hidden = true;
    busy(back, true, 'Đang lưu…');
    try {
      await api('POST', `/api/v1/orders/${encodeURIComponent(r.order_id)}/return`, {part_id: r.part_id, reason: 'Thu hồi lô ' + l.lot_code});
      flash(`Đơn ${r.code}: đã nhận lại bưu kiện, đơn đã huỷ.`);
      await loadLotOrders(l);
    } catch (e) {
      busy(back, false);
      if (e.status !== 409) return showError(err, e);
      // another counter recorded it first: show where the parcel is now, and why nothing happened
      await loadLotOrders(l);
      const now = document.querySelector(`#ld-orders-list > li[data-part="${r.part_id}"]`);
      const box = now?.querySelector('.error') || $('ld-orders-error');
      const status = now?.dataset.status;
      showError(box, e, null, status && `Không thể ${PART_ACTION.return} khi phần hàng đang ở trạng thái «${PART[status] || status}».`);
      box.append(h('div', {text: 'Danh sách vừa được tải lại: tình trạng hiện tại ở trên.'}));
    }
  }}, 'Đã nhận lại bưu kiện');
  const sameBuyer = r.shipping_name === r.buyer_name && r.shipping_phone === r.buyer_phone;
  return h('li', {class: 'card' + (kind && ' ' + kind), 'data-part': r.part_id, 'data-order': r.order_id,
    'data-recall': r.recall || '', 'data-status': r.part_status},
    h('div', 'name', 'Đơn ', h('span', {class: 'ocode', text: r.code}), ' ', statusBadge(what[0], r.recall === 'returning' ? 'cancelled' : r.part_status)),
    what[1] && h('p', {class: 'todo' + (kind && ' ' + kind), text: what[1]}),
    what[2] && h('p', {class: 'hint', text: what[2]}),
    facts(['Hàng', lines.join('; ')], ['Người mua', [r.buyer_name + ' · ', telLink(r.buyer_phone), ' · ', smsLink(r, l)]],
      !sameBuyer && ['Người nhận', [r.shipping_name + ' · ', telLink(r.shipping_phone)]],
      ['Địa chỉ', place], ['Đặt lúc', vnTime(r.ordered_at)]),
    back && h('div', 'actions', back),
    err);
}

/** What to tell the buyer of an order holding a recalled lot, by what became of the order. */
const SMS_TODO = {
  delivered: 'Xin KHÔNG ăn, KHÔNG dùng hàng này; giữ lại và gọi bưu điện để được hướng dẫn trả lại, hoàn tiền.',
  returning: 'Bưu kiện đang được chặn lại, sẽ không giao; tiền đã chuyển khoản (nếu có) sẽ được trả lại.',
  returned: 'Đơn đã huỷ, hàng không giao; tiền đã chuyển khoản (nếu có) sẽ được trả lại.',
  cancelled: 'Đơn đã huỷ, hàng không giao; tiền đã chuyển khoản (nếu có) sẽ được trả lại.',
};
export const smsText = (r, l) => `nongsan: Lô ${l.lot_code} (${l.product_name}) trong đơn ${r.code} của bạn đã bị THU HỒI. `
  + (SMS_TODO[r.recall] || SMS_TODO.cancelled) + ' Xin lỗi vì sự bất tiện.';
/** A ready text message to the buyer (the phone's messaging app opens with it filled in). */
const smsLink = (r, l) => h('a', {href: `sms:${String(r.buyer_phone).replace(/[^\d+]/g, '')}?body=${encodeURIComponent(smsText(r, l))}`,
  'data-act': 'sms', title: smsText(r, l)}, '✉ Nhắn tin báo');

/** "Đã chọn: ngày 02/11/2025 lúc 06:00" under a date or time input (the browser's own may be in English). */
function dateHint(input, hint) {
  const update = () => {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?/.exec(input.value);
    hint.textContent = m ? `Đã chọn: ngày ${m[3]}/${m[2]}/${m[1]}` + (m[4] ? ' lúc ' + m[4] : '') : '';
  };
  input.addEventListener('input', update);
  input.addEventListener('change', update);
  return update;
}
const lotDateHint = dateHint($('lot-date'), $('lot-date-hint'));
const evWhenHint = dateHint($('ev-when'), $('ev-when-hint'));
