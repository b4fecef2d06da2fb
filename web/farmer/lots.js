// Harvests: the farmer's lots, a new lot, one lot's page (its diary of events, a form per
// event type, its QR label to share or print). Lots and events written offline show at once,
// marked "chờ gửi"; an event of a lot not yet sent waits for the lot's answer (`after`).
import {$, h, fill} from '/shared/dom.js';
import {grams, vnDate, vnTime, vietnamNow} from '/shared/format.js';
import {EVENT, EVENT_DETAIL, LOT} from '/shared/statuses.js';
import {keepDraft} from './drafts.js';
import {
  state, api, enc, today, goTo, showError, clearErrors, errorBox, refuse, flash, onSubmit, write, waitingOf, facts, badge,
  waitBadge, unitName, qty, decimalText, dateHint, mics, fillForm,
} from './common.js';

const form = $('lot-form');
let lots = [], draft = null;

export function listsLoaded() {
  const sel = $('lot-unit'), keep = sel.value || 'kg';
  if (state.units.length) fill(sel, state.units.map(u => h('option', {value: u.code, text: u.name_vi})));
  sel.value = keep;
}

const dateHintUpdate = dateHint($('lot-date'), $('lot-date-hint'));
function formDefaults() {
  const me = state.me || {};
  $('lot-date').max = today();
  if (!$('lot-date').value) $('lot-date').value = today();
  if (!$('lot-farm').value && me.farm_name) $('lot-farm').value = me.farm_name;
  $('lot-commune').textContent = me.commune_name ? `${me.commune_name}, ${me.province_name}` : '';
  dateHintUpdate();
}

export async function enter() {
  draft ||= keepDraft(form, 'lot.' + state.user?.id);
  formDefaults();
  render();
  $('lots-note').textContent = 'Đang tải…';
  try {
    lots = (await api('GET', '/api/v1/lots')).items || [];
    lots.sort((a, b) => a.created_at < b.created_at ? 1 : -1);
    render();
  } catch (e) {
    $('lots-note').textContent = e.text;
  }
}

function render() {
  const mine = waitingOf('lot');
  $('lots-note').textContent = lots.length + mine.length ? '' : 'Chưa có lô nào. Bấm «Ghi thu hoạch mới» ở trên.';
  fill($('lots'), mine.reverse().map(r => card({...r.body, id: 'p-' + r.id, wait: true})), lots.map(card));
}

function card(l) {
  const recalled = l.status === 'recalled';
  return h('li', {class: 'card' + (l.wait ? ' wait' : ''), 'data-lot-id': l.id},
    h('div', 'name', l.product_name + ' ', l.wait ? waitBadge() : badge(LOT[l.status] || l.status, recalled && 'bad')),
    facts(l.lot_code && ['Mã lô', l.lot_code], ['Số lượng', qty(l.quantity, l.unit)], ['Thu hoạch', vnDate(l.harvested_on)],
      !l.wait && ['Nhật ký', l.event_count + ' lần ghi']),
    h('div', 'actions', h('a', {class: 'button primary', href: '#lo/' + enc(l.id)}, '📖 Xem lô, ghi nhật ký, tem')));
}

onSubmit(form, () => {
  const product = $('lot-product').value.trim(), q = decimalText($('lot-qty').value), date = $('lot-date').value;
  if (!product) throw refuse('required', 'product_name');
  if (!q) throw refuse('invalid_format', 'quantity', 'Ví dụ: 12,5');
  if (!date) throw refuse('required', 'harvested_on');
  if (date > today()) throw refuse('out_of_range', 'harvested_on');
  const body = {product_name: product, quantity: q, unit: $('lot-unit').value || 'kg', harvested_on: date, commune_code: state.me?.commune_code};
  const farm = $('lot-farm').value.trim();
  if (farm) body.farm_name = farm;
  return body;
}, async body => {
  const r = await write({label: `Lô thu hoạch: ${body.product_name}, ${qty(body.quantity, body.unit)}`, method: 'POST', path: '/api/v1/lots', body},
    {kind: 'lot'}, form.dataset.fix);
  delete form.dataset.fix;
  form.reset();
  draft.clear();
  formDefaults();
  if (r.sent && r.result) {
    flash(`Đã lưu lô ${r.result.lot_code}. Có thể ghi nhật ký và in tem.`);
    goTo('#lo/' + enc(r.result.id));
  } else {
    if (r.sent) flash('Đã gửi xong.');
    enter();
  }
});

/** A refused action, back in its form to be fixed. */
export function fix(a, rec) {
  if (rec.kind === 'lot') {
    goTo('#lo-hang');
    fillForm(form, rec.body);
    form.dataset.fix = a.id;
    showError(form.querySelector('.error'), a.error, form);
  } else {
    fixing = {a, rec};
    goTo('#lo/' + enc(rec.lotId));
  }
}
let fixing = null;

/* ---------- one lot ---------- */

let shown = null; // the lot on screen, and its event form (kept while the same lot is shown)

export async function open(id) {
  const box = $('lot-detail');
  if (shown?.id !== id) { shown = {id}; fill(box, h('p', 'hint', 'Đang tải…')); }
  if (id.startsWith('p-')) {
    const r = waitingOf('lot').find(x => 'p-' + x.id === id);
    // sent meanwhile: its page is in the list now
    return r ? show({...r.body, id, wait: true, action: r.id}) : goTo('#lo-hang');
  }
  // what the list showed, at once; then the server's newest
  const seen = lots.find(l => l.id === id);
  if (seen) show(seen);
  try {
    lots = (await api('GET', '/api/v1/lots')).items || lots;
  } catch (e) {
    if (!seen && shown?.id === id) fill(box, h('p', 'error', e.text));
    return;
  }
  const lot = lots.find(l => l.id === id);
  if (shown?.id !== id) return;
  if (!lot) return fill(box, h('p', 'error', 'Không tìm thấy lô này.'));
  show(lot);
}

function show(lot) {
  const box = $('lot-detail'), id = lot.id;
  shown.lot = lot;
  const recalled = lot.status === 'recalled';
  // a recalled lot takes no more events
  shown.form = recalled ? null : shown.form || eventForm(lot);
  shown.events ||= h('ol', {class: 'tl', id: 'lot-events'});
  fill(box,
    h('h1', 0, lot.product_name + ' ', lot.wait ? waitBadge() : badge(LOT[lot.status] || lot.status, recalled && 'bad')),
    recalled && h('div', {class: 'recalled', role: 'alert'}, '⚠ Lô này đã bị THU HỒI. Không bán, không ghi nhật ký nữa.'),
    facts(lot.lot_code && ['Mã lô', lot.lot_code], ['Số lượng', qty(lot.quantity, lot.unit)], ['Thu hoạch', vnDate(lot.harvested_on)],
      ['Nơi trồng', lot.commune_name ? `${lot.commune_name}, ${lot.province_name}` : state.me?.commune_name], lot.farm_name && ['Vườn', lot.farm_name]),
    !lot.wait && !recalled && h('div', 'actions', h('button', {class: 'primary big', 'data-act': 'list-lot', onclick: () => {
      state.pendingLot = lot;
      goTo('#hang-ban');
    }}, '🛒 Đăng bán từ lô này')),
    // a recalled lot has no label to print any more
    lot.wait ? h('p', 'hint', 'Tem QR có sau khi lô được gửi lên máy chủ.') : !recalled && label(lot),
    h('h2', 0, 'Nhật ký lô hàng'),
    h('p', {class: 'hint', id: 'lot-events-note'}),
    shown.events,
    shown.form && [h('h2', 0, '✍️ Ghi nhật ký'), shown.form]);
  if (fixing && fixing.rec.lotId === id && shown.form) {
    const {a, rec} = fixing;
    fixing = null;
    const d = rec.body.details || {};
    fillForm(shown.form, {type: rec.body.type, occurred_at: rec.body.occurred_at.slice(0, 16), ...d,
      quantity_g: d.quantity_g != null ? String(d.quantity_g / 1000).replace('.', ',') : null});
    shown.form.dataset.fix = a.id;
    showFields(shown.form);
    showError(shown.form.querySelector('.error'), a.error, shown.form);
  }
  loadEvents(lot);
}

async function loadEvents(lot) {
  // what is known at once (the events last read, the ones waiting), then the server's
  const draw = (items, said) => {
    if (shown?.id !== lot.id) return;
    const mine = waitingOf('event').filter(r => r.lotId === lot.id).map(r => ({...r.body, wait: true}));
    const all = [...items.sort((a, b) => a.seq - b.seq), ...mine];
    $('lot-events-note').textContent = said || (all.length ? '' : 'Chưa ghi gì. Ghi lại mỗi lần bón phân, phun thuốc, thu hái, đóng gói, gửi hàng.');
    fill(shown.events, all.map(eventItem));
  };
  const last = shown.read?.id === lot.id ? shown.read.items : [];
  draw(last);
  if (lot.wait) return;
  try {
    const items = (await api('GET', `/api/v1/lots/${enc(lot.id)}/events`)).items || [];
    if (shown?.id === lot.id) shown.read = {id: lot.id, items};
    draw(items);
  } catch (e) {
    draw(last, e.text);
  }
}

function detailText(key, v) {
  if (key === 'quantity_g') return grams(Number(v));
  if (key === 'temperature_c') return v + ' °C';
  if (key === 'pre_harvest_interval_days') return v + ' ngày';
  return String(v);
}

function eventItem(e) {
  const d = e.details || {};
  const rows = EVENT_DETAIL.filter(([k]) => d[k] != null && d[k] !== '').map(([k, name]) => [name, detailText(k, d[k])]);
  return h('li', {class: e.wait ? 'wait' : null},
    h('div', 0, h('span', {class: 'type', text: EVENT[e.type] || e.type}), ' · ' + vnTime(e.occurred_at), e.wait && [' ', waitBadge()]),
    rows.length > 0 && facts(...rows));
}

/* ---------- the label: share (Zalo…) or print ---------- */

function label(lot) {
  const src = `/api/v1/lots/${enc(lot.id)}/label.png`, err = errorBox();
  const name = `tem-${lot.lot_code}.png`;
  const share = h('button', {'data-act': 'share', onclick: async () => {
    err.hidden = true;
    try {
      const blob = await (await fetch(src)).blob();
      const file = new File([blob], name, {type: 'image/png'});
      if (navigator.canShare?.({files: [file]})) {
        await navigator.share({files: [file], title: `Tem ${lot.product_name} — lô ${lot.lot_code}`}).catch(() => {});
      } else {
        // no share sheet (a computer): the PNG is saved instead
        const a = h('a', {href: URL.createObjectURL(blob), download: name});
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 30000);
      }
    } catch {
      showError(err, {code: 'network'});
    }
  }}, '📤 Chia sẻ tem');
  return [h('h2', 0, 'Tem QR'),
    h('div', {id: 'lot-label'}, h('img', {src, alt: `Tem QR lô ${lot.lot_code} — ${lot.product_name}`, width: 827, height: 413})),
    h('div', 'actions', share, h('button', {'data-act': 'print', onclick: () => print()}, '🖨 In tem'),
      h('a', {class: 'button', href: src, download: name}, '⬇ Tải tem')),
    err];
}

/* ---------- the diary: one form, its fields by event type ---------- */

// [name, label, types, kind]: req = required for its types, kg = kilograms sent as grams,
// int = whole number, note = a longer text with speech
const FIELDS = [
  ['product', 'Tên phân bón / thuốc', 'input_application', 'req'],
  ['dose', 'Liều lượng (ví dụ: 2 kg/sào)', 'input_application', 'req'],
  ['pre_harvest_interval_days', 'Số ngày cách ly trước khi hái', 'input_application', 'int'],
  ['to', 'Gửi đến (người / nơi nhận)', 'shipping', 'req'],
  ['from', 'Nhận từ (người / nơi gửi)', 'receiving', 'req'],
  ['process', 'Việc chế biến (ví dụ: sao chè)', 'processing', 'req'],
  ['package', 'Đóng gói thế nào (ví dụ: túi 500 g)', 'packing', 'req'],
  ['quantity_g', 'Khối lượng (kg)', 'harvest packing cooling shipping receiving processing', 'kg'],
  ['temperature_c', 'Nhiệt độ (°C)', 'cooling', 'int'],
  ['variety', 'Giống cây', 'planting harvest'],
  ['field', 'Thửa ruộng / khu vườn', 'planting input_application harvest'],
  ['reference_document', 'Số giấy tờ (vận đơn, hoá đơn)', 'shipping receiving'],
  ['location', 'Địa điểm', 'planting harvest packing cooling shipping receiving processing'],
  ['note', 'Ghi chú', 'planting input_application harvest packing cooling shipping receiving processing', 'note'],
];

function showFields(f) {
  const type = f.elements.type.value;
  for (const div of f.querySelectorAll('.fld')) div.hidden = !type || !div.dataset.types.split(' ').includes(type);
}

function eventForm(lot) {
  const when = h('input', {id: 'ev-when', name: 'occurred_at', 'data-field': 'occurred_at', type: 'datetime-local', value: vietnamNow(), max: vietnamNow()});
  const whenHint = h('p', 'hint');
  const f = h('form', {id: 'event-form', novalidate: true, autocomplete: 'off'},
    h('label', {for: 'ev-type', text: 'Việc gì?'}),
    h('select', {id: 'ev-type', name: 'type', 'data-field': 'type', onchange: () => { clearErrors(f); showFields(f); }},
      h('option', {value: '', text: '— Chọn việc —'}),
      Object.entries(EVENT).filter(([k]) => k !== 'recall').map(([value, text]) => h('option', {value, text}))),
    h('label', {for: 'ev-when', text: 'Lúc nào?'}), when, whenHint,
    FIELDS.map(([name, text, types, kind]) => h('div', {class: 'fld', 'data-types': types, hidden: true},
      h('label', {for: 'ev-' + name}, text, kind === 'req' && h('span', {class: 'req', text: ' *'})),
      h(kind === 'note' ? 'textarea' : 'input', {id: 'ev-' + name, name, 'data-field': name, 'data-kind': kind, maxlength: 500,
        'data-mic': kind === 'note' || null, inputmode: kind === 'kg' ? 'decimal' : kind === 'int' ? 'numeric' : null}))),
    errorBox(),
    h('button', {type: 'submit', class: 'primary big'}, 'Lưu nhật ký'));
  const hint = dateHint(when, whenHint);
  mics(f);
  const evDraft = keepDraft(f, 'event.' + lot.id);
  showFields(f);
  hint();
  onSubmit(f, () => {
    const type = f.elements.type.value, at = when.value;
    if (!type) throw refuse('required', 'type');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(at)) throw refuse('required', 'occurred_at', 'Hãy chọn ngày và giờ.');
    if (at.slice(0, 16) > vietnamNow()) throw refuse('out_of_range', 'occurred_at');
    const details = {};
    for (const input of f.querySelectorAll('.fld:not([hidden]) [name]')) {
      const raw = input.value.trim(), key = input.name, kind = input.dataset.kind;
      if (!raw) { if (kind === 'req') throw refuse('required', key); continue; }
      if (kind === 'kg') {
        const kg = decimalText(raw, 9);
        if (!kg) throw refuse('invalid_format', key, 'Hãy nhập số kg, ví dụ 12,5.');
        const [whole, frac = ''] = kg.split('.');
        details[key] = Number(whole) * 1000 + Number(frac.padEnd(3, '0'));
      } else if (kind === 'int') {
        if (!/^-?\d+$/.test(raw)) throw refuse('invalid_format', key, 'Hãy nhập số nguyên.');
        details[key] = parseInt(raw, 10);
      } else details[key] = raw;
    }
    // the time as the farmer read it, in Vietnam
    return {type, occurred_at: at.slice(0, 16) + ':00+07:00', details};
  }, async body => {
    const action = {label: `Nhật ký «${EVENT[body.type]}» — ${lot.product_name}`, method: 'POST', body,
      path: lot.wait ? '/api/v1/lots/{after}/events' : `/api/v1/lots/${enc(lot.id)}/events`, after: lot.wait ? lot.action : undefined};
    const r = await write(action, {kind: 'event', lotId: lot.id}, f.dataset.fix);
    delete f.dataset.fix;
    f.reset();
    evDraft.clear();
    when.value = vietnamNow();
    showFields(f);
    hint();
    if (r.sent) flash(`Đã lưu nhật ký «${EVENT[body.type]}».`);
    loadEvents(shown.lot);
  });
  return f;
}
