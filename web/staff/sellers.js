// Tab 2: the post office's sellers by commune, name or phone; a new activation code.
import {$, h, fill} from '/shared/dom.js';
import {fold, vnTime} from '/shared/format.js';
import {
  state, api, showError, errorBox, send, facts, picker, fetchSellers, byName, openLotsFor, openListingsFor,
} from './common.js';

// the one clash here: the farmer has set a password, so only an admin may reset it
const PASSWORD_SET = 'Bà con đã tự đặt mật khẩu rồi nên không cấp lại mã ở quầy được. Nếu bà con quên mật khẩu, hãy nhờ quản trị viên đặt lại.';

const commune = picker($('sl-commune'), () => enter());
let shown = [];
let loading = 0;

export async function enter() {
  const c = commune.get(), mine = ++loading;
  $('sl-error').hidden = true;
  $('sl-count').textContent = 'Đang tải…';
  try {
    const items = await fetchSellers(c?.code);
    if (mine !== loading || !state.token) return;
    if (!c) state.sellers = items;
    shown = items;
    render();
  } catch (e) {
    $('sl-count').textContent = '';
    showError($('sl-error'), e);
  }
}

export function reset() {
  shown = [];
  fill($('sl-list'));
  commune.set(null, false, true);
  $('sl-search').value = '';
}

function render() {
  const q = fold($('sl-search').value).toLowerCase().trim();
  const items = shown.filter(s => !q || fold(s.full_name).toLowerCase().includes(q) || String(s.phone).includes(q.replace(/\s/g, '')));
  items.sort(byName);
  $('sl-count').textContent = items.length ? items.length + ' người bán' : 'Chưa có người bán nào ở đây.';
  fill($('sl-list'), items.map(card));
}
$('sl-search').addEventListener('input', render);

function card(s) {
  const codeBox = h('div', {class: 'code-box', hidden: true});
  const err = errorBox();
  const reissue = h('button', {'data-act': 'reissue', onclick: () => {
    if (!confirm(`Cấp mã kích hoạt mới cho ${s.full_name}?\nMã cũ (nếu có) sẽ không dùng được nữa.`)) return;
    codeBox.hidden = true;
    send(reissue, err, null, async () => {
      const d = await api('POST', `/api/v1/sellers/${encodeURIComponent(s.id)}/activation-code`, {});
      fill(codeBox, h('div', {text: 'Mã kích hoạt mới cho ' + s.full_name}),
        h('div', {class: 'code', text: d.activation_code}),
        h('div', 0, 'Hết hạn: ', h('strong', {text: vnTime(d.expires_at)})),
        h('p', {class: 'hint', text: `Đưa mã tận tay bà con. Bà con dùng số điện thoại ${s.phone} và mã này để tự đặt mật khẩu.`}));
      codeBox.hidden = false;
    }, {label: 'Đang cấp mã…', hint: e => e.code === 'conflict' ? PASSWORD_SET : null});
  }}, 'Cấp lại mã kích hoạt');
  return h('li', 'card',
    h('div', {class: 'name', text: s.full_name}),
    facts(['Điện thoại', s.phone], ['CCCD', s.national_id_masked],
      ['Địa chỉ', `${s.address} — ${s.commune_name}, ${s.province_name}`],
      s.farm_name && ['Vườn', s.farm_name],
      ['Ngân hàng', `${s.bank_name} · ${s.bank_account_number} · ${s.bank_account_name}`]),
    h('div', 'actions',
      h('button', {class: 'primary', 'data-act': 'lots', onclick: () => openLotsFor(s.id)}, 'Tạo lô / xem lô hàng'),
      h('button', {'data-act': 'listings', onclick: () => openListingsFor(s.id)}, 'Hàng bán'),
      reissue),
    err, codeBox);
}
