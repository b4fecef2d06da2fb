// Tab 7 (admin): payout runs and the trial balance; and the lines of a farmer's statement
// (on the listings tab) and of a post office's postage.
import {$, h, fill} from '/shared/dom.js';
import {vnd, vnTime} from '/shared/format.js';
import {PAYOUT_BATCH, PAYOUT_ITEM, STATEMENT_LINE} from '/shared/statuses.js';
import {
  state, api, showError, errorBox, send, flash, isAdmin, sellersReady, sellerName, orgs, fetchBlob, sumBox, signed,
} from './common.js';

let loadingBatches = 0, loadingBalance = 0;

export function enter() {
  if (!isAdmin()) { location.hash = '#thanh-toan'; return; }
  // the sellers' names, for the payees and the accounts
  sellersReady().catch(() => []).then(() => { loadPayouts(); loadTrialBalance(); });
}

export function reset() {
  for (const id of ['po-list', 'tb-table', 'tb-badge']) fill($(id));
}

/* ---------- statement lines ---------- */

// A line in Vietnamese from its kind (never the English description): the
// code of its order first, or the bank's reference of a postage payment.
function stmtText(l) {
  const said = STATEMENT_LINE[l.kind] || STATEMENT_LINE.other;
  if (l.order_code) return 'Đơn ' + l.order_code + ': ' + said;
  if (l.reference && l.kind === 'postage_paid') return said + ' (chứng từ ' + l.reference + ')';
  return said;
}

/** Lines of money owed with the balance after each; stacked on a phone (class `stack`). */
export function linesTable(table, lines, owedHeading, empty) {
  const money = (label, text) => h('td', {class: 'n', 'data-label': label, text});
  fill(table, lines.length ? [
    h('thead', 0, h('tr', 0, h('th', {text: 'Lúc'}), h('th', {text: 'Nội dung'}),
      h('th', {class: 'n', text: 'Số tiền'}), h('th', {class: 'n', text: owedHeading}))),
    h('tbody', 0, lines.map(l => h('tr', 0, h('td', {class: 'when', text: vnTime(l.at)}), h('td', {text: stmtText(l)}),
      money('Số tiền', signed(l.amount_vnd)), money(owedHeading, vnd(l.balance_vnd))))),
  ] : h('caption', {class: 'muted', text: empty}));
}

export async function loadStatement() {
  const sid = state.sellerId;
  $('st-box').hidden = !sid;
  $('st-error').hidden = true;
  if (!sid) return;
  fill($('st-sum'));
  fill($('st-table'));
  try {
    const s = await api('GET', `/api/v1/sellers/${encodeURIComponent(sid)}/statement`);
    if (sid !== state.sellerId) return;
    sumBox($('st-sum'), [['nongsan đang nợ bà con', s.owed_vnd, 'owed'], ['Trong đó đang chuyển về tài khoản', s.in_payout_vnd, 'in_payout']]);
    linesTable($('st-table'), s.lines || [], 'Còn nợ', 'Chưa có khoản tiền nào: tiền hàng được ghi khi đơn đã giao.');
  } catch (e) {
    showError($('st-error'), e);
  }
}

/* ---------- payout runs ---------- */

$('po-create').addEventListener('click', ev => {
  if (confirm('Tạo đợt chi trả cho mọi người bán đang được nợ tiền?')) send(ev.currentTarget, $('po-error'), null, async () => {
    const b = await api('POST', '/api/v1/payouts', {});
    flash(`Đã tạo đợt chi trả ${b.item_count} người, tổng ${vnd(b.total_vnd)}. Tải tệp cho ngân hàng rồi bấm «Đã gửi ngân hàng».`);
    loadPayouts(b.id);
    loadTrialBalance();
  }, {label: 'Đang tạo…', hint: e => e.code === 'nothing_payable'
    ? 'Tiền hàng phải về tài khoản thu trước: chuyển khoản đã nhận, hoặc tiền thu hộ đã được bưu điện nộp và xác nhận.' : null});
});

async function loadPayouts(openId) {
  const mine = ++loadingBatches;
  $('po-count').textContent = 'Đang tải…';
  try {
    const d = await api('GET', '/api/v1/payouts');
    if (mine !== loadingBatches || !state.token) return;
    const items = d.items || [];
    $('po-count').textContent = items.length ? items.length + ' đợt chi trả (mới nhất ở trên)' : 'Chưa có đợt chi trả nào.';
    fill($('po-list'), items.map(b => batchCard(b, b.id === openId)));
  } catch (e) {
    $('po-count').textContent = '';
    showError($('po-error'), e);
  }
}

function batchChanged(b, message) {
  document.querySelector(`#po-list > li[data-batch="${b.id}"]`)?.replaceWith(batchCard(b, true));
  flash(message);
  loadTrialBalance();
}

/** A file the API gives only with the token, saved by the browser as `name`. */
const download = (path, name, btn, err) => send(btn, err, null, async () => {
  const url = URL.createObjectURL(await fetchBlob(path));
  const a = h('a', {href: url, download: name, hidden: true});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}, {label: 'Đang tải…'});

function batchCard(b, open) {
  const err = errorBox(), id = encodeURIComponent(b.id);
  const box = h('div', 0, h('p', {class: 'muted', text: 'Đang tải…'}));
  const items = h('details', {class: 'edit', open}, h('summary', {text: `Người nhận (${b.item_count})`}), box);
  let loaded = false;
  // the payees are fetched when the list is opened
  const load = async () => {
    if (loaded || !items.open) return;
    loaded = true;
    try {
      fill(box, itemsTable(await api('GET', '/api/v1/payouts/' + id), err));
    } catch (e) {
      loaded = false;
      fill(box);
      showError(err, e);
    }
  };
  items.addEventListener('toggle', load);
  const csv = h('button', {'data-act': 'csv', onclick: () =>
    download(`/api/v1/payouts/${id}/bank-file.csv`, `chi-tra-${b.created_at.slice(0, 10)}-${b.id.slice(0, 8)}.csv`, csv, err)},
  'Tải tệp cho ngân hàng (CSV)');
  const sent = b.status === 'created' && h('button', {class: 'primary', 'data-act': 'sent', onclick: () => {
    if (confirm(`Đã gửi tệp chi trả ${vnd(b.total_vnd)} cho ngân hàng?`)) send(sent, err, null, async () => batchChanged(
      await api('POST', `/api/v1/payouts/${id}/sent`, {}), 'Đợt chi trả đã gửi ngân hàng. Khi ngân hàng báo kết quả, bấm «Xác nhận kết quả».'));
  }}, 'Đã gửi ngân hàng');
  const when = [['created_at', 'Tạo'], ['sent_at', 'Gửi ngân hàng'], ['confirmed_at', 'Xác nhận']]
    .filter(([k]) => b[k]).map(([k, name]) => `${name}: ${vnTime(b[k])}`).join(' · ');
  if (open) setTimeout(load, 0);
  return h('li', {class: 'card', 'data-batch': b.id},
    h('div', 'name', `Đợt chi trả ${vnd(b.total_vnd)} `,
      h('span', {class: 'badge' + (b.status === 'confirmed' ? '' : ' paused'), text: PAYOUT_BATCH[b.status] || b.status})),
    h('p', {class: 'hint', text: `${b.item_count} người nhận · ${when}`}),
    h('div', 'actions', csv, sent), items, err);
}

const bankName = bin => state.banks.find(b => b.bin === bin)?.short_name || 'NH ' + bin;

function itemsTable(b, err) {
  const confirmable = b.status === 'sent', checks = [];
  const rows = (b.items || []).map(i => {
    const failed = confirmable && h('input', {type: 'checkbox', 'data-seller': i.seller_id, 'aria-label': 'Chuyển lỗi: ' + i.account_name});
    if (failed) checks.push(failed);
    return h('tr', {'data-seller': i.seller_id},
      h('td', {text: sellerName(i.seller_id)}), h('td', {text: `${bankName(i.bank_bin)} · ${i.account_number} · ${i.account_name}`}),
      h('td', {class: 'n', 'data-label': 'Số tiền', text: vnd(i.amount_vnd)}), h('td', {text: i.purpose}),
      h('td', 0, confirmable ? h('label', 'check', failed, 'Chuyển lỗi') : PAYOUT_ITEM[i.status] || i.status));
  });
  const go = confirmable && h('button', {class: 'primary', 'data-act': 'confirm', onclick: () => {
    const failed = checks.filter(c => c.checked).map(c => c.dataset.seller);
    if (confirm(`Xác nhận kết quả: ${checks.length - failed.length} người đã nhận tiền, ${failed.length} người chuyển lỗi (tiền của họ được giữ lại cho đợt sau)?`)) {
      send(go, err, null, async () => batchChanged(
        await api('POST', `/api/v1/payouts/${encodeURIComponent(b.id)}/confirm`, {failed_seller_ids: failed}),
        'Đã xác nhận đợt chi trả' + (failed.length ? `: ${failed.length} người chuyển lỗi.` : '.')));
    }
  }}, 'Xác nhận kết quả chi trả');
  const headings = ['Người bán', 'Tài khoản', 'Số tiền', 'Nội dung', confirmable ? 'Ngân hàng báo' : 'Kết quả'];
  return [h('div', 'scroll', h('table', 'stack',
    h('thead', 0, h('tr', 0, headings.map((text, k) => h('th', {class: k === 2 ? 'n' : null, text})))),
    h('tbody', 0, rows))),
  confirmable && h('p', {class: 'hint', text: 'Đánh dấu «Chuyển lỗi» những người ngân hàng báo không chuyển được (sai số tài khoản…).'}),
  go];
}

/* ---------- the trial balance ---------- */

$('tb-reload').addEventListener('click', () => loadTrialBalance());

function accountName(code, m) {
  const [kind, sub] = code.split(':'), id = code.split(':').slice(2).join(':');
  const order = () => state.orders.find(x => x.id === id)?.code || id.slice(0, 8) + '…';
  const office = () => m[id]?.name || (id === 'none' ? 'người bán không thuộc bưu điện' : id);
  if (code === 'bank:collection') return 'Tài khoản thu của nongsan (ngân hàng)';
  if (code === 'revenue:platform-fees') return 'Doanh thu phí sàn';
  if (code === 'suspense:unmatched-transfers') return 'Chuyển khoản chưa khớp đơn';
  if (kind === 'escrow') return 'Tiền giữ hộ, đơn ' + order();
  if (kind === 'refund') return 'Phải hoàn cho người mua, đơn ' + order();
  if (kind === 'payable' && sub === 'post-office') return 'Phải trả phí vận chuyển cho ' + office();
  if (kind === 'payable') return 'Phải trả ' + sellerName(id);
  if (kind === 'cod') return 'Tiền thu hộ ở ' + office();
  return code;
}

const COLUMNS = [['debits_posted_vnd', 'Nợ'], ['credits_posted_vnd', 'Có'], ['debits_pending_vnd', 'Nợ đang giữ'], ['credits_pending_vnd', 'Có đang giữ']];

async function loadTrialBalance() {
  const mine = ++loadingBalance;
  $('tb-error').hidden = true;
  fill($('tb-badge'), 'Đang tải…');
  try {
    const [t, m] = await Promise.all([api('GET', '/api/v1/ledger/trial-balance'), orgs()]);
    if (mine !== loadingBalance || !state.token) return;
    const ok = t.balanced && t.debits_posted_vnd === t.credits_posted_vnd && t.debits_pending_vnd === t.credits_pending_vnd;
    fill($('tb-badge'), h('span', {id: 'tb-state', class: 'badge ' + (ok ? 'good' : 'bad'),
      text: ok ? '✓ Cân đối: tổng Nợ bằng tổng Có' : '✗ KHÔNG CÂN ĐỐI — báo ngay cho kỹ thuật'}));
    const accounts = (t.accounts || []).sort((a, b) => a.code < b.code ? -1 : 1);
    const columns = [...COLUMNS, ['balance_vnd', 'Số dư']];
    fill($('tb-table'),
      h('thead', 0, h('tr', 0, h('th', {text: 'Tài khoản'}), columns.map(([, name]) => h('th', {class: 'n', text: name})))),
      h('tbody', 0, accounts.map(a => h('tr', {'data-code': a.code},
        h('td', 0, accountName(a.code, m), h('br'), h('small', {class: 'muted', text: a.code})),
        columns.map(([k, name]) => h('td', {class: 'n', 'data-label': name, text: vnd(a[k])}))))),
      h('tfoot', 0, h('tr', 0, h('td', {text: `Tổng (${accounts.length} tài khoản)`}),
        COLUMNS.map(([k, name]) => h('td', {class: 'n', 'data-k': k, 'data-label': name, text: vnd(t[k])})), h('td'))));
  } catch (e) {
    fill($('tb-badge'));
    showError($('tb-error'), e);
  }
}
