// Today: what needs the farmer now, each a card with the button to the screen where it is done.
import {$, h, fill} from '/shared/dom.js';
import {digits, vnd} from '/shared/format.js';
import * as outbox from './outbox.js';
import {state, api, enc, unitName} from './common.js';
import {myParts} from './orders.js';
import {statement} from './money.js';

const card = (icon, title, text, href, button, warn) => h('li', {class: 'card todo' + (warn ? ' warn' : '')},
  h('div', 'name', icon + ' ' + title), text && h('p', 'hint', text),
  href && h('div', 'actions', h('a', {class: 'button primary', href}, button)));

export async function enter() {
  $('today-note').textContent = 'Đang tải…';
  const parts = status => api('GET', '/api/v1/orders?limit=50&part_status=' + status)
    .then(d => (d.items || []).flatMap(o => myParts(o).filter(p => p.status === status).map(p => ({o, p}))));
  const [pending, confirmed, money, listings] = await Promise.all([parts('pending'), parts('confirmed'), statement(),
    api('GET', `/api/v1/sellers/${enc(state.me.id)}/listings`).then(d => d.items || [])].map(p => p.catch(e => ({error: e}))));
  const cards = [];
  const refused = outbox.actions().filter(a => a.state === 'refused').length;
  if (refused) cards.push(card('⚠', `${refused} việc máy chủ không nhận`, 'Bấm vào dải vàng ở trên để sửa hoặc bỏ.', null, null, true));
  if (Array.isArray(pending)) {
    const payLater = pending.filter(x => x.o.status === 'placed').length, now = pending.length - payLater;
    // who ordered what: the farmer knows the order by it
    const said = pending.filter(x => x.o.status !== 'placed')
      .map(x => `${x.o.shipping?.name}: ` + (x.p.items || []).map(i => `${i.title} ${digits(i.quantity)} ${unitName(i.unit)}`).join(', '));
    if (now) cards.push(card('🛎', `${now} đơn chờ bà con xác nhận`, said.join(' · ') + '. Có hàng thì bấm «Nhận đơn» rồi đóng gói.', '#don-hang', 'Xem đơn cần nhận'));
    if (payLater) cards.push(card('⏳', `${payLater} đơn chờ người mua chuyển khoản`, 'Chưa nhận đơn được cho đến khi tiền về.', null));
  }
  if (Array.isArray(confirmed) && confirmed.length) {
    cards.push(card('📦', `${confirmed.length} bưu kiện cần mang ra bưu điện`, 'Mã bưu kiện: ' + confirmed.map(x => x.p.code).join(', '), '#don-hang', 'Xem đơn cần gửi'));
  }
  if (money && !money.error) {
    cards.push(card('💰', 'nongsan đang giữ cho bà con: ' + vnd(money.owed_vnd),
      `Đã chuyển vào tài khoản: ${vnd(money.paid)}. Tiền hàng đã giao: ${vnd(money.delivered)}.`, '#tien', 'Xem tiền'));
  }
  if (Array.isArray(listings)) {
    const out = listings.filter(l => l.status === 'active' && l.quantity <= 0);
    if (out.length) cards.push(card('🛒', `${out.length} mặt hàng đã hết`, out.map(l => l.title).join(', ') + '. Còn hàng thì ghi thêm số lượng.', '#hang-ban', 'Ghi thêm hàng', true));
  }
  const failed = [pending, confirmed, money, listings].find(x => x?.error);
  $('today-note').textContent = failed ? failed.error.text : '';
  if (!cards.length && !failed) cards.push(card('✅', 'Không có việc gì cần làm ngay', 'Thu hoạch xong thì bấm «Thu hoạch» ở dưới để ghi lại.', '#lo-hang', '🌾 Ghi thu hoạch'));
  fill($('today'), cards);
}
