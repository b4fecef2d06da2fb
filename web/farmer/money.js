// Money: what nongsan holds for the farmer and what reached the bank, and each movement in
// words: "Đơn NS7K2M9QXB: Đã giao — tiền hàng  +180.000 ₫".
import {$, h, fill} from '/shared/dom.js';
import {vnd, vnTime} from '/shared/format.js';
import {STATEMENT_LINE} from '/shared/statuses.js';
import {state, api, enc} from './common.js';

/** The statement and its sums by kind (fees and payouts are negative lines). */
export async function statement() {
  const s = await api('GET', `/api/v1/sellers/${enc(state.me.id)}/statement`);
  const sum = kind => (s.lines || []).filter(l => l.kind === kind).reduce((t, l) => t + l.amount_vnd, 0);
  return {...s, delivered: sum('goods_delivered'), fee: -sum('platform_fee'), paid: -sum('payout_paid')};
}

const signed = n => (n > 0 ? '+' : n < 0 ? '−' : '') + vnd(Math.abs(n));

export async function enter() {
  const me = state.me || {};
  $('money-bank').textContent = me.bank_name ? `Tiền được chuyển vào tài khoản ${me.bank_name} số ${me.bank_account_number}.` : '';
  $('money-note').textContent = 'Đang tải…';
  try {
    const s = await statement();
    fill($('money-sum'), [
      ['Tiền hàng đã giao', s.delivered, 'delivered'], ['Phí sàn', s.fee, 'fee'],
      ['Đã chuyển vào tài khoản', s.paid, 'paid'], ['nongsan đang giữ cho bà con', s.owed_vnd, 'owed'],
    ].map(([t, n, k]) => h('div', {class: k}, h('dt', {text: t}), h('dd', {'data-k': k, text: vnd(n)}))));
    if (s.in_payout_vnd) $('money-sum').append(h('div', {class: 'owed'}, h('dt', {text: 'Trong đó đang chuyển về tài khoản'}), h('dd', {text: vnd(s.in_payout_vnd)})));
    const lines = [...(s.lines || [])].reverse();
    $('money-note').textContent = lines.length ? 'Mới nhất ở trên. Tiền hàng được ghi khi người mua đã nhận hàng.' : 'Chưa có khoản tiền nào: tiền hàng được ghi khi đơn đã giao.';
    fill($('statement'), lines.map(l => h('li', {'data-kind': l.kind},
      h('span', 0, (l.order_code ? `Đơn ${l.order_code}: ` : '') + (STATEMENT_LINE[l.kind] || STATEMENT_LINE.other)),
      h('span', {class: 'amt' + (l.amount_vnd < 0 ? ' neg' : ''), text: signed(l.amount_vnd)}),
      h('small', {text: `${vnTime(l.at)} · còn giữ ${vnd(l.balance_vnd)}`}))));
  } catch (e) {
    $('money-note').textContent = e.text;
  }
}
