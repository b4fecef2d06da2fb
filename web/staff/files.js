// Tab «Nhập tệp, xuất FSMA» (loaded when first opened): many sellers onboarded from a CSV file
// (a dry run first, every row's problems in Vietnamese, then the import and the activation codes
// to print), and the FSMA 204 spreadsheet of the post office's lots for a date range.
import {$, h, fill, busy} from '/shared/dom.js';
import {ApiError} from '/shared/api.js';
import {vnTime, vnDate, vietnamNow, digits} from '/shared/format.js';
import {FIELDS, ROW_PROBLEMS, errorText} from '/shared/vi.js';
import {state, session, showError, clearErrors, refuse, onSubmit, flash, fetchBlob} from './common.js';

export function enter() {
  const today = vietnamNow().slice(0, 10);
  for (const id of ['fs-from', 'fs-to']) $(id).max = today;
  if (!$('fs-to').value) $('fs-to').value = today;
  if (!$('fs-from').value) $('fs-from').value = today.slice(0, 8) + '01';
  rangeHint();
}

/** The range chosen, written the Vietnamese way (the browser's own date box may be in English). */
function rangeHint() {
  const from = $('fs-from').value, to = $('fs-to').value;
  $('fs-range').textContent = from && to ? `Đã chọn: từ ngày ${vnDate(from)} đến hết ngày ${vnDate(to)}.` : '';
}
for (const id of ['fs-from', 'fs-to']) for (const type of ['input', 'change']) $(id).addEventListener(type, rangeHint);

export function reset() {
  for (const id of ['im-form', 'fs-form']) { $(id).reset(); clearErrors($(id)); }
  checked = null;
  show({});
  $('fs-done').textContent = '';
  rangeHint();
}

/* ---------- sellers from a CSV file ---------- */

// what was checked: the file and its text (the import sends exactly what the dry run passed)
let checked = null;

/** The file's columns as the JSON of single onboarding names them (for FIELDS and BY_FIELD). */
const COLUMN = {
  bank_bin: 'bank.bin', bank_account_number: 'bank.account_number', bank_account_name: 'bank.account_name',
  consent_terms_version: 'consent.terms_version', consent_method: 'consent.method',
};

/** The kind of a row problem that ROW_PROBLEMS words, by what its `params` add to its code. */
function rowKind(p, params) {
  if (params.excel) return params.excel;
  if (params.same_as_row != null) return 'same_as_row';
  if (!p.field && params.column != null) return 'column';
  return p.code;
}

/** The Vietnamese text of one row problem `{row, field, code, params}` of an `invalid_rows` answer:
 * chosen by its code, column and params (vi.js), never read from the server's English `message`. */
export function rowProblem(p) {
  const field = p.field ? COLUMN[p.field] || p.field : null, params = p.params || {};
  const kind = rowKind(p, params);
  const template = ROW_PROBLEMS[kind === p.code ? field + ' ' + kind : kind] || ROW_PROBLEMS[kind];
  if (!template) return errorText({code: p.code, field, params});
  const name = field ? FIELDS[field] || field : 'Dòng này';
  return template.replace(/\{(\w+)\}/g, (_, k) => k === 'field' ? name
    : params[k] == null ? '…' : typeof params[k] === 'number' ? digits(params[k]) : String(params[k]));
}

function show({summary = '', problems = [], done = null}) {
  $('im-summary').textContent = summary;
  // one card per row, its problems in the order of the columns
  const rows = new Map();
  for (const p of problems) {
    if (!rows.has(p.row)) rows.set(p.row, []);
    rows.get(p.row).push(p);
  }
  fill($('im-problems'), [...rows].map(([row, list]) => h('li', {class: 'card stop', 'data-row': row},
    h('div', {class: 'name', text: `Dòng ${row}`}),
    // the column as the file's first row names it, so the clerk finds the cell in Excel
    h('ul', 0, list.map(p => h('li', {'data-field': p.field || '', 'data-code': p.code || ''},
      rowProblem(p), p.field && h('span', {class: 'col', text: ' (cột ' + p.field + ')'})))))));
  $('im-done').hidden = !done;
  if (done) {
    $('im-done-title').textContent = `Đã đăng ký ${done.imported} người bán.`;
    $('im-app-url').textContent = location.origin + '/farmer';
    // on a phone each seller's cells stack, each with its column's name
    const cell = (label, text, cls) => h('td', {class: cls, 'data-label': label, text});
    fill($('im-codes').tBodies[0], done.sellers.map(s => h('tr', 0,
      cell('Dòng', String(s.row)), cell('Họ tên', s.full_name), cell('Điện thoại', s.phone),
      cell('Mã kích hoạt', s.activation_code, 'code'), cell('Hết hạn', vnTime(s.activation_expires_at)))));
  }
}

/** The file sent as it is (text/csv); the answer, or an ApiError whose `params.rows` lists the problems. */
async function upload(text, dryRun) {
  let answer;
  try {
    answer = await fetch('/api/v1/sellers/import' + (dryRun ? '?dry_run=true' : ''), {
      method: 'POST', cache: 'no-store', body: text,
      headers: {Authorization: 'Bearer ' + state.token, 'Content-Type': 'text/csv; charset=utf-8', Accept: 'application/json'},
    });
  } catch {
    throw new ApiError(0, {code: 'network'});
  }
  const body = await answer.json().catch(() => null);
  if (answer.ok) return body;
  if (answer.status === 401) session.expired();
  throw new ApiError(answer.status, body?.error);
}

$('im-file').addEventListener('change', () => { checked = null; $('im-import').hidden = true; show({}); });

onSubmit($('im-form'), () => {
  const file = $('im-file').files[0];
  if (!file) throw refuse('required', 'file', 'Bấm «Chọn tệp» rồi chọn tệp CSV đã lưu từ Excel.');
  if (file.size > 2 * 1024 * 1024) throw refuse('payload_too_large', 'file', 'Chia danh sách thành nhiều tệp nhỏ hơn.', {limit: 2 * 1024 * 1024});
  return file;
}, async file => {
  checked = null;
  $('im-import').hidden = true;
  show({summary: 'Đang kiểm tra…'});
  const text = await file.text();
  try {
    const d = await upload(text, true);
    checked = {file, text, rows: d.rows};
    $('im-import').hidden = false;
    $('im-import').textContent = `2. Đăng ký cả ${digits(d.rows)} người`;
    show({summary: `Tệp đúng hết: ${digits(d.rows)} người bán sẵn sàng đăng ký. Chưa có gì được lưu — bấm «Đăng ký» để lưu.`});
  } catch (e) {
    const rows = e.params?.rows;
    if (e.code !== 'invalid_rows' || !Array.isArray(rows)) { show({}); throw e; }
    const bad = new Set(rows.map(r => r.row)).size;
    show({summary: `${bad} dòng có lỗi (${rows.length} lỗi). Chưa ai được đăng ký: sửa các dòng dưới đây trong Excel, lưu lại rồi chọn tệp và kiểm tra lại.`, problems: rows});
  }
}, {label: 'Đang kiểm tra…', hint: e => e.code === 'invalid_file'
  ? 'Dòng đầu phải có đúng các tên cột ở trên; tệp phải là CSV UTF-8 và có ít nhất một người.'
  : e.code === 'unsupported_media_type' ? 'Đây không phải tệp CSV. Trong Excel, chọn Lưu thành › CSV UTF-8.' : null});

$('im-import').addEventListener('click', async () => {
  const form = $('im-form'), box = form.querySelector('.error'), btn = $('im-import');
  if (!checked) return;
  box.hidden = true;
  busy(btn, true, 'Đang đăng ký…');
  try {
    const d = await upload(checked.text, false);
    checked = null;
    btn.hidden = true;
    show({summary: '', done: d});
    state.sellers = null; // the other tabs load the list again
    flash(`Đã đăng ký ${d.imported} người bán. In danh sách mã kích hoạt để đưa cho bà con.`);
  } catch (e) {
    const rows = e.params?.rows;
    // someone registered a phone meanwhile: the file must be checked again
    if (Array.isArray(rows)) { checked = null; btn.hidden = true; show({summary: 'Có dòng không đăng ký được; chưa ai được đăng ký.', problems: rows}); }
    // a phone or CCCD of row `params.row` was registered elsewhere between the check and the import
    const row = e.code === 'conflict' && e.params?.row;
    if (row) { checked = null; btn.hidden = true; }
    showError(box, e, form, row ? `Dòng ${row}: số điện thoại hoặc số CCCD vừa được đăng ký ở nơi khác. Chưa ai được đăng ký — bấm «Kiểm tra tệp» để xem lại.` : null);
  } finally {
    busy(btn, false);
  }
});

$('im-print').addEventListener('click', () => window.print());

/* ---------- the FSMA 204 spreadsheet ---------- */

onSubmit($('fs-form'), () => {
  const from = $('fs-from').value, to = $('fs-to').value, today = vietnamNow().slice(0, 10);
  if (!from) throw refuse('required', 'date_from', 'Hãy chọn ngày bắt đầu.');
  if (!to) throw refuse('required', 'date_to', 'Hãy chọn ngày kết thúc.');
  if (from > to) throw refuse('invalid_input', 'date_from', 'Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.');
  if (to > today) throw refuse('invalid_input', 'date_to', 'Ngày kết thúc không được sau hôm nay.');
  return {from, to};
}, async ({from, to}) => {
  $('fs-done').textContent = '';
  const blob = await fetchBlob(`/api/v1/exports/fsma204.csv?from=${from}&to=${to}`);
  const name = `nongsan-fsma204-${from}-${to}.csv`;
  const a = h('a', {href: URL.createObjectURL(blob), download: name, hidden: true});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  const lines = (await blob.text()).split('\n').filter(l => l.trim()).length;
  $('fs-done').textContent = `Đã tải ${name}: ${digits(Math.max(0, lines - 1))} sự kiện từ ${vnDate(from)} đến ${vnDate(to)}.`;
}, {label: 'Đang tải…'});
