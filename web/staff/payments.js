// Tab 6: bank transfers that matched no order, cash on delivery and its remittances,
// the postage the post office earns.
import {$, h, fill} from '/shared/dom.js';
import {digits, vnd, vnTime} from '/shared/format.js';
import {REMITTANCE, TRANSFER_OUTCOME, UNMATCHED_REASON} from '/shared/statuses.js';
import {
  state, api, showError, clearErrors, errorBox, refuse, send, onSubmit, facts, flash, isAdmin, orgs, wholeNumber, sumBox,
} from './common.js';
import {linesTable} from './payouts.js';

// Why a transfer matched no order, with the order codes its text held.
const unmatchedText = t => (UNMATCHED_REASON[t.unmatched_reason] || '').replace('{orders}', (t.unmatched_orders || []).join(', '));

let loadingTransfers = 0, loadingCod = 0, loadingPostage = 0;
let postage = null;

// Staff see the transfers that name their own post office's orders; one
// that names no order could be anybody's, so only admin may give it to an order.
const TRANSFERS_HINT = {
  admin: 'Chuyển khoản ghi sai nội dung không khớp được đơn nào và nằm chờ ở đây. Hỏi người mua mã đơn (NS…) rồi gán cho đơn đó.',
  staff: 'Đây là chuyển khoản cho đơn của bưu điện mình mà chưa khớp được (ví dụ trả thiếu, hay chuyển khoản cho đơn trả tiền khi nhận hàng). ' +
    'Chuyển khoản không ghi mã đơn nào không hiện ở đây: nếu người mua báo đã chuyển mà đơn chưa nhận được tiền, ' +
    'báo quản trị viên mã đơn, số tiền và giờ chuyển.',
};

export function enter() {
  $('bt-hint').textContent = isAdmin() ? TRANSFERS_HINT.admin : TRANSFERS_HINT.staff;
  loadTransfers();
  enterCod();
}

export function reset() {
  for (const id of ['bt-list', 'cod-sum', 'rm-list', 'pe-sum', 'pe-table']) fill($(id));
  for (const id of ['remit-form', 'pe-form']) { $(id).reset(); clearErrors($(id)); $(id).hidden = true; }
  $('bt-outcome').value = 'unmatched';
  $('cod-office').value = '';
  $('cod-other').value = '';
  postage = null;
  orgs.list = null;
}

/* ---------- bank transfers ---------- */

$('bt-outcome').addEventListener('change', () => loadTransfers());
$('bt-reload').addEventListener('click', () => loadTransfers());

async function loadTransfers() {
  const outcome = $('bt-outcome').value, mine = ++loadingTransfers;
  $('bt-error').hidden = true;
  $('bt-count').textContent = 'Đang tải…';
  try {
    const d = await api('GET', '/api/v1/payments/bank-transfers?limit=100' + (outcome ? '&outcome=' + outcome : ''));
    if (mine !== loadingTransfers || !state.token) return;
    const items = d.items || [];
    $('bt-count').textContent = items.length ? items.length + ' chuyển khoản (mới nhất ở trên)'
      : outcome === 'unmatched' ? 'Không có chuyển khoản nào chờ gán.' : 'Không có chuyển khoản nào.';
    fill($('bt-list'), items.map(transferCard));
  } catch (e) {
    $('bt-count').textContent = '';
    showError($('bt-error'), e);
  }
}

function transferCard(t) {
  const err = errorBox(), id = 'as-' + t.notification_id.replace(/\W/g, '_');
  const code = h('input', {id, 'data-field': 'order_code', maxlength: 20, autocomplete: 'off', placeholder: 'Ví dụ: NS7K2M9Q4T'});
  const btn = h('button', {type: 'submit', class: 'primary'}, 'Gán cho đơn này');
  const form = t.outcome === 'unmatched' && h('form', {novalidate: true},
    h('div', 'row', h('div', 0, h('label', {for: id, text: 'Mã đơn hàng (NS…) người mua đọc cho'}), code), h('div', 'narrow', btn)));
  if (form) {
    onSubmit(form, () => {
      const c = code.value.replace(/\s/g, '').toUpperCase();
      if (!c) throw refuse('required', 'order_code', 'Hỏi người mua mã đơn (NS…) rồi nhập vào đây.');
      return confirm(`Gán ${vnd(t.amount_vnd)} (nội dung «${t.content}») cho đơn ${c}?\nKhông thể hoàn tác.`) ? c : null;
    }, async c => {
      try {
        const v = await api('POST', `/api/v1/payments/bank-transfers/${encodeURIComponent(t.notification_id)}/assign`, {order_code: c});
        flash(`Đã gán ${vnd(v.amount_vnd)} cho đơn ${v.order_code}: ${TRANSFER_OUTCOME[v.outcome] || v.outcome}.`);
        loadTransfers();
      } catch (e) {
        // the code as typed named no order: the person at the counter reads it back
        if (e.code === 'not_found') throw Object.assign(e, {field: 'order_code', hint: `Không có đơn hàng mã ${c}. Hỏi lại người mua mã đơn.`});
        throw e;
      }
    }, {box: err, label: 'Đang gán…'});
  }
  const why = unmatchedText(t) || t.note;
  return h('li', {class: 'card', 'data-transfer': t.notification_id},
    h('div', 'name', vnd(t.amount_vnd) + ' ',
      h('span', {class: 'badge' + (['unmatched', 'owed_back'].includes(t.outcome) ? ' paused' : ''), text: TRANSFER_OUTCOME[t.outcome] || t.outcome})),
    facts(['Nội dung', t.content], ['Ngân hàng', t.gateway + (t.reference_code ? ' · mã giao dịch ' + t.reference_code : '')],
      ['Chuyển lúc', vnTime(t.transaction_at)],
      t.order_code && ['Đơn hàng', `${t.order_code} · tính vào đơn ${vnd(t.applied_vnd)}` +
        (t.excess_vnd ? ` · thừa ${vnd(t.excess_vnd)} (trả lại người mua)` : '')],
      why && [t.unmatched_reason ? 'Vì sao chưa khớp' : 'Ghi chú', h('dd', {class: 'why', text: why})]),
    form, err);
}

/* ---------- cash on delivery ---------- */

/** The post office whose cash is shown: staff see their own, an admin chooses one. */
function codOffice() {
  if (!isAdmin()) return '';
  const v = $('cod-office').value;
  return v === '?' ? $('cod-other').value.trim() : v;
}

async function enterCod() {
  $('cod-pick').hidden = !isAdmin();
  if (!isAdmin()) return loadCod();
  const m = await orgs();
  const select = $('cod-office'), keep = select.value;
  fill(select, Object.keys(m).filter(k => m[k].kind === 'post_office').map(k => h('option', {value: k, text: m[k].name})),
    h('option', {value: 'none', text: 'Người bán không thuộc bưu điện nào'}),
    h('option', {value: '?', text: 'Nhập mã bưu điện khác…'}));
  if (keep) select.value = keep;
  $('cod-other-box').hidden = select.value !== '?';
  loadCod();
}
$('cod-office').addEventListener('change', ev => {
  $('cod-other-box').hidden = ev.target.value !== '?';
  if (ev.target.value === '?') $('cod-other').focus(); else loadCod();
});
$('cod-other').addEventListener('change', () => loadCod());

async function loadCod() {
  const office = codOffice(), mine = ++loadingCod;
  loadPostage();
  $('cod-error').hidden = true;
  if (isAdmin() && !office) { fill($('cod-sum')); fill($('rm-list')); $('remit-form').hidden = true; return; }
  $('rm-count').textContent = 'Đang tải…';
  try {
    const p = await api('GET', '/api/v1/cod/position' + (office ? '?post_office=' + encodeURIComponent(office) : ''));
    if (mine !== loadingCod || !state.token) return;
    orgs().then(m => {
      $('cod-office-name').textContent = 'Bưu điện: ' + (m[p.post_office]?.name || (p.post_office === 'none' ? '(không thuộc bưu điện nào)' : p.post_office));
    });
    sumBox($('cod-sum'), [['Đã thu, nongsan chưa nhận', p.owed_vnd, 'owed'], ['Đã báo nộp, đang chuyển', p.in_transit_vnd, 'in_transit'],
      ['Còn phải nộp', p.remittable_vnd, 'remittable']]);
    const form = $('remit-form');
    if (form.hidden || !$('rm-amount').value) $('rm-amount').value = p.remittable_vnd > 0 ? digits(p.remittable_vnd) : '';
    form.hidden = p.remittable_vnd <= 0;
    const rs = p.remittances || [];
    $('rm-count').textContent = rs.length ? rs.length + ' lần nộp (mới nhất ở trên)' : 'Chưa nộp lần nào.';
    fill($('rm-list'), rs.map(remittanceCard));
  } catch (e) {
    $('rm-count').textContent = '';
    showError($('cod-error'), e);
  }
}

onSubmit($('remit-form'), () => {
  const raw = $('rm-amount').value.trim(), amount = raw ? wholeNumber(raw, 12) : null, ref = $('rm-ref').value.trim();
  if (raw && !amount) throw refuse('invalid_format', 'amount_vnd', 'Hãy nhập số đồng, ví dụ 360.000 (để trống: nộp hết).');
  const body = {};
  if (amount) body.amount_vnd = amount;
  if (ref) body.reference = ref;
  if (isAdmin()) body.post_office = codOffice();
  return confirm(`Báo bưu điện đã nộp ${amount ? vnd(amount) : 'hết số tiền thu hộ'} về tài khoản nongsan?`) ? body : null;
}, async body => {
  try {
    const r = await api('POST', '/api/v1/cod/remittances', body);
    flash(`Đã báo nộp ${vnd(r.amount_vnd)}. Khi nongsan thấy tiền đến, lần nộp này chuyển sang «${REMITTANCE.received}».`);
    $('rm-amount').value = '';
    $('rm-ref').value = '';
    loadCod();
  } catch (e) {
    if (e.code === 'exceeds_remittable') e.field = 'amount_vnd';
    throw e;
  }
}, {label: 'Đang gửi…'});

function remittanceCard(r) {
  const err = errorBox();
  // the bank transfer the remittance came as, if the bank reported it (it
  // waits among the unmatched transfers): named, it is not booked twice
  const nid = h('input', {type: 'text', name: 'notification_id', placeholder: 'Mã giao dịch đang chờ (nếu có)', 'aria-label': 'Mã giao dịch ngân hàng của lần nộp'});
  const resolve = (what, btn, ask, message) => confirm(ask) && send(btn, err, null, async () => {
    const named = what === 'received' && nid.value.trim();
    await api('POST', `/api/v1/cod/remittances/${encodeURIComponent(r.id)}/${what}`, named ? {notification_id: named} : {});
    flash(message);
    loadCod();
  });
  const received = h('button', {class: 'primary', 'data-act': 'received', onclick: () => resolve('received', received,
    `Tài khoản thu của nongsan đã nhận ${vnd(r.amount_vnd)}?`, `Đã ghi nhận ${vnd(r.amount_vnd)} tiền thu hộ về tài khoản.`)}, 'Đã nhận tiền');
  const cancel = h('button', {class: 'danger', 'data-act': 'cancel', onclick: () => resolve('cancel', cancel,
    `Huỷ lần nộp ${vnd(r.amount_vnd)}? Số tiền này lại thành tiền bưu điện phải nộp.`, `Đã huỷ lần nộp ${vnd(r.amount_vnd)}.`)}, 'Tiền không đến — huỷ');
  return h('li', {class: 'card', 'data-remittance': r.id},
    h('div', 'name', vnd(r.amount_vnd) + ' ',
      h('span', {class: 'badge' + ({pending: ' paused', cancelled: ' recalled'}[r.status] || ''), text: REMITTANCE[r.status] || r.status})),
    facts(['Báo lúc', vnTime(r.created_at)], r.reference && ['Số chứng từ', r.reference],
      r.resolved_at && ['Xử lý lúc', vnTime(r.resolved_at)]),
    isAdmin() && r.status === 'pending' && h('div', 'actions', nid, received, cancel),
    err);
}

/* ---------- the post office's postage: earned, paid, owed ---------- */

async function loadPostage() {
  const office = codOffice(), mine = ++loadingPostage;
  $('pe-error').hidden = true;
  if (isAdmin() && !office) { fill($('pe-sum')); fill($('pe-table')); $('pe-form').hidden = true; return; }
  try {
    const p = await api('GET', '/api/v1/postage/earnings' + (office ? '?post_office=' + encodeURIComponent(office) : ''));
    if (mine !== loadingPostage || !state.token) return;
    postage = p;
    sumBox($('pe-sum'), [['Được hưởng (bưu kiện đã giao)', p.earned_vnd, 'earned'], ['nongsan đã trả', p.paid_vnd, 'paid'],
      ['nongsan còn nợ bưu điện', p.owed_vnd, 'owed'], ['Chờ giao xong mới được hưởng', p.awaiting_delivery_vnd, 'awaiting']]);
    const form = $('pe-form');
    form.hidden = !isAdmin() || p.owed_vnd <= 0;
    if (!form.hidden && !$('pe-amount').value) $('pe-amount').value = digits(p.owed_vnd);
    linesTable($('pe-table'), p.lines || [], 'Còn nợ bưu điện', 'Chưa có khoản nào: phí vận chuyển được ghi khi bưu kiện đã giao.');
  } catch (e) {
    fill($('pe-sum'));
    showError($('pe-error'), e);
  }
}

onSubmit($('pe-form'), () => {
  const amount = wholeNumber($('pe-amount').value, 12), ref = $('pe-ref').value.trim(), owed = postage?.owed_vnd || 0;
  if (!amount) throw refuse('invalid_format', 'amount_vnd', `Hãy nhập số đồng đã trả, ví dụ ${digits(owed || 50000)}.`);
  if (!ref) throw refuse('required', 'reference', 'Hãy ghi số chứng từ hoặc mã giao dịch ngân hàng.');
  return confirm(`Ghi nhận nongsan đã trả ${vnd(amount)} phí vận chuyển cho bưu điện (chứng từ ${ref})?`) ? {amount, ref, owed} : null;
}, async ({amount, ref, owed}) => {
  try {
    const p = await api('POST', '/api/v1/postage/earnings/payments', {post_office: codOffice(), amount_vnd: amount, reference: ref});
    flash(`Đã ghi nhận trả ${vnd(amount)} phí vận chuyển. nongsan còn nợ bưu điện ${vnd(p.owed_vnd)}.`);
    $('pe-amount').value = '';
    $('pe-ref').value = '';
    loadPostage();
  } catch (e) {
    // more than nongsan owes the post office: the amount is what to fix
    if (e.code === 'insufficient_funds') {
      Object.assign(e, {field: 'amount_vnd', hint: `nongsan chỉ còn nợ bưu điện ${vnd(owed)}, không ghi trả ${vnd(amount)} được.`});
    }
    throw e;
  }
}, {label: 'Đang gửi…'});
