// Tab 1: a new seller registered at the counter, and the activation code
// the farmer takes home to set a password.
import {$} from '/shared/dom.js';
import {fold, vnTime} from '/shared/format.js';
import {state, api, clearErrors, refuse, onSubmit, picker, openLotsFor} from './common.js';

const TERMS = '2025-07';
// what to do about a refusal whose text alone leaves the counter guessing
const HINTS = {
  'national_id invalid_input': '3 số đầu của số CCCD là mã tỉnh (001 đến 096): xem lại thẻ CCCD.',
  'phone already_taken': 'Có thể bà con đã được đăng ký: tìm ở «2. Danh sách người bán».',
  'national_id already_taken': 'Tìm người này ở «2. Danh sách người bán».',
};
const form = $('onboard-form');
const commune = picker($('ob-commune'));
let lastOnboarded = null;

export function enter() {}

export function reset() {
  form.reset();
  clearErrors(form);
  commune.set(null, false, true);
  $('ob-terms').value = TERMS;
  done(false);
  $('done-code').textContent = '';
  lastOnboarded = null;
}

const done = on => { $('onboard-done').hidden = !on; form.hidden = on; };

// A hint, never a value: staff type the name as the bank card shows it (a
// name filled in by itself was saved unchecked, or twice when typed over).
$('ob-account-name').addEventListener('focus', ev => {
  const name = $('ob-name').value.trim();
  ev.target.placeholder = name ? 'VD: ' + fold(name).toUpperCase() : '';
});
$('ob-account-name').addEventListener('change', ev => { ev.target.value = fold(ev.target.value).toUpperCase(); });

const v = id => $(id).value.trim();

function check() {
  const cccd = v('ob-cccd').replace(/[\s.-]/g, ''), place = commune.get();
  const consent = form.querySelector('input[name=consent]:checked');
  if (!v('ob-name')) throw refuse('required', 'full_name');
  if (!v('ob-phone')) throw refuse('required', 'phone');
  if (!/^\d{12}$/.test(cccd)) throw refuse('invalid_format', 'national_id', `Đang có ${cccd.replace(/\D/g, '').length} chữ số.`);
  if (!place) throw refuse('required', 'commune_code', 'Gõ tên xã rồi chọn trong danh sách hiện ra.');
  for (const [id, field] of [['ob-address', 'address'], ['ob-bank', 'bank.bin'], ['ob-account', 'bank.account_number'],
    ['ob-account-name', 'bank.account_name']]) {
    if (!v(id)) throw refuse('required', field);
  }
  if (!consent) throw refuse('required', 'consent.method', 'Chọn cách bà con đồng ý điều khoản.');
  if (!v('ob-terms')) throw refuse('required', 'consent.terms_version');
  const body = {
    full_name: v('ob-name'), phone: v('ob-phone'), national_id: cccd, commune_code: place.code, address: v('ob-address'),
    bank: {bin: v('ob-bank'), account_number: v('ob-account').replace(/\s/g, ''), account_name: fold(v('ob-account-name')).toUpperCase()},
    consent: {terms_version: v('ob-terms'), method: consent.value},
  };
  if (v('ob-farm')) body.farm_name = v('ob-farm');
  return body;
}

onSubmit(form, check, async body => {
  const d = await api('POST', '/api/v1/sellers', body);
  state.sellers = null;
  lastOnboarded = d.id;
  $('done-name').textContent = body.full_name;
  $('done-phone').textContent = body.phone;
  $('done-cccd').textContent = '*********' + body.national_id.slice(-3);
  $('done-code').textContent = d.activation_code;
  $('done-expires').textContent = vnTime(d.activation_expires_at);
  // fetched only now: most visits to the console onboard nobody
  $('done-app-qr').src = '/farmer/qr.png';
  $('done-app-url').textContent = location.origin + '/farmer';
  form.reset();
  commune.set(null);
  $('ob-terms').value = TERMS;
  done(true);
  $('onboard-done').scrollIntoView({block: 'start'});
  // the server's own masking, once it is saved
  api('GET', '/api/v1/sellers/' + encodeURIComponent(d.id))
    .then(s => { if (s?.national_id_masked) $('done-cccd').textContent = s.national_id_masked; }, () => {});
}, {label: 'Đang đăng ký…', hint: e => HINTS[e.field + ' ' + e.code]});

$('done-new').addEventListener('click', () => {
  $('done-code').textContent = '';
  done(false);
  $('ob-name').focus();
});
$('done-print').addEventListener('click', () => window.print());
$('done-lot').addEventListener('click', () => openLotsFor(lastOnboarded));
