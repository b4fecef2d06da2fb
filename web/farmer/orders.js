// Orders: the farmer's part of each order (what to send, to whom), confirm it or cancel it
// with a reason, then follow the parcel: handed to the post office, delivered.
import {$, h, fill, busy} from '/shared/dom.js';
import {digits, grams, vnd, vnTime} from '/shared/format.js';
import {ORDER, PART, PAYMENT_METHOD, RECALL_OUTCOME, TRACKING_STEP} from '/shared/statuses.js';
import {keepDraft} from './drafts.js';
import {state, api, enc, showError, errorBox, refuse, flash, write, waitingOf, facts, badge, waitBadge, unitName, mics} from './common.js';

let orders = [];

/** The farmer's own parts of an order (the server may send only those). */
export const myParts = o => (o.parts || []).filter(p => !state.me || !p.seller_id || p.seller_id === state.me.id);

export async function enter() {
  render();
  $('orders-note').textContent = 'Đang tải…';
  try {
    orders = (await api('GET', '/api/v1/orders?limit=50')).items || [];
    render();
  } catch (e) {
    $('orders-note').textContent = e.text;
  }
}

function render() {
  $('orders-note').textContent = orders.length ? '' : 'Chưa có đơn hàng nào.';
  // what needs the farmer first: to confirm, then to take to the post office, then the rest
  const rank = o => Math.min(...myParts(o).map(p => ({pending: 0, confirmed: 1})[p.status] ?? 2));
  fill($('orders'), [...orders].sort((a, b) => rank(a) - rank(b)).map(card));
}

function card(o) {
  const sh = o.shipping || {};
  return h('li', {class: 'card', 'data-order-id': o.id},
    h('div', 'name', 'Đơn ', h('span', {text: o.code}), ' ', badge(ORDER[o.status] || o.status, o.status === 'cancelled' && 'bad')),
    facts(['Đặt lúc', vnTime(o.created_at)], ['Thanh toán', PAYMENT_METHOD[o.payment_method] || o.payment_method],
      ['Gửi cho', `${sh.name} · ${sh.phone}`], ['Địa chỉ', sh.address]),
    myParts(o).map(p => part(o, p)));
}

function part(o, p) {
  const err = errorBox();
  const queued = waitingOf('confirm').concat(waitingOf('cancel')).find(r => r.partId === p.id);
  const waitPay = p.status === 'pending' && o.status === 'placed';
  const label = queued ? (queued.kind === 'confirm' ? PART.confirmed : PART.cancelled) : waitPay ? ORDER.placed : PART[p.status] || p.status;
  const steps = p.tracking?.steps || [];
  const actions = h('div', 'actions');
  const box = h('div', {class: 'part', 'data-part-id': p.id, 'data-status': p.status},
    h('div', 0, badge(label, p.status === 'cancelled' ? 'bad' : p.status === 'pending' && 'paused'), queued && [' ', waitBadge()]),
    h('ul', 0, (p.items || []).map(i => h('li', {text: `${i.title}: ${digits(i.quantity)} ${unitName(i.unit)} × ${vnd(i.unit_price_vnd)}`}))),
    facts(['Tiền hàng', vnd(p.subtotal_vnd)], p.weight_g && ['Cân nặng', grams(p.weight_g)], ['Mã bưu kiện', p.code]),
    p.recall && h('div', {class: 'recalled', role: 'alert'}, `⚠ Lô bị thu hồi: ${p.recall.reason}. `, RECALL_OUTCOME[p.recall.outcome]?.[1] || ''),
    p.cancel_reason && h('p', 'hint', 'Lý do huỷ: ' + p.cancel_reason),
    steps.length > 0 && h('ol', 'steps', steps.map(s => h('li', 0, h('strong', {text: TRACKING_STEP[s.step] || s.step}), ' lúc ' + vnTime(s.at)))),
    !queued && what(o, p, waitPay),
    actions, err);
  if (queued) return box;
  if (p.status === 'pending' && !waitPay) {
    const btn = h('button', {class: 'primary big', 'data-act': 'confirm', onclick: () => act(o, p, 'confirm', {}, btn, err)}, '✅ Nhận đơn, sẽ gửi hàng');
    actions.append(btn);
  }
  if (p.status === 'pending' || p.status === 'confirmed') actions.append(cancelForm(o, p, err));
  return box;
}

/** What the farmer does next, in plain words. */
function what(o, p, waitPay) {
  const say = text => h('p', 'hint', text);
  if (waitPay) return say('Người mua chưa chuyển khoản: chưa nhận đơn được. Khi tiền về, đơn sẽ hiện nút «Nhận đơn».');
  if (p.status === 'pending') return say('Có hàng thì bấm «Nhận đơn», rồi đóng gói và mang ra bưu điện xã.');
  if (p.status === 'confirmed') return say('📦 Đóng gói và mang ra bưu điện xã. Nói mã bưu kiện ' + p.code + ' cho nhân viên.');
  if (p.status === 'handed_over') return say('Bưu điện đang giao cho người mua.');
  if (p.status === 'delivered') return say('Đã giao xong. Tiền hàng được ghi ở mục «Tiền».');
  return null;
}

async function act(o, p, action, body, btn, err, form) {
  err.hidden = true;
  busy(btn, true);
  try {
    const r = await write({label: `${action === 'confirm' ? 'Nhận' : 'Huỷ'} đơn ${o.code}`, method: 'POST',
      path: `/api/v1/orders/${enc(o.id)}/${action}`, body: {...body, part_id: p.id}}, {kind: action, partId: p.id});
    form?.draft.clear();
    if (r.sent) {
      flash(`Đơn ${o.code}: ` + (action === 'confirm' ? 'đã nhận đơn. Hãy đóng gói và mang ra bưu điện.' : 'đã huỷ.'));
      if (r.result?.id) orders = orders.map(x => x.id === o.id ? r.result : x);
    }
    render();
  } catch (e) {
    busy(btn, false);
    showError(err, e, form);
    // the order moved on meanwhile (the buyer cancelled, staff confirmed): show it as it is
    if (e.status === 409) enter();
  }
}

function cancelForm(o, p, err) {
  const id = 'cr-' + p.id;
  const reason = h('textarea', {id, name: 'reason', 'data-field': 'reason', maxlength: 500, 'data-mic': true});
  const btn = h('button', {type: 'submit', class: 'danger', 'data-act': 'cancel'}, 'Huỷ đơn này');
  const form = h('form', {novalidate: true, onsubmit: ev => {
    ev.preventDefault();
    const r = reason.value.trim();
    if (!r) return showError(err, refuse('required', 'reason'), form);
    if (!confirm(`Huỷ đơn ${o.code}?\nNgười mua sẽ được báo lý do. Không làm lại được.`)) return;
    act(o, p, 'cancel', {reason: r}, btn, err, form);
  }}, h('label', {for: id, text: 'Vì sao không gửi được? (người mua sẽ được báo)'}), reason, btn);
  mics(form);
  form.draft = keepDraft(form, 'cancel.' + p.id);
  const d = h('details', 'danger', h('summary', {text: 'Không gửi được hàng? Huỷ đơn…'}), form);
  if (reason.value) d.open = true;
  return d;
}
