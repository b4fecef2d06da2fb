// Tab 5: orders, each part (one seller's parcel) confirmed, labelled, handed over with the
// carrier's number, delivered or cancelled; on top, delivering a parcel by scanning its label.
import {$, h, fill, busy} from '/shared/dom.js';
import {digits, grams, vnd, vnTime} from '/shared/format.js';
import {ORDER, PART, PART_ACTION, RECALL_OUTCOME, TRACKING_STEP, ZONE} from '/shared/statuses.js';
import {
  state, api, showError, clearErrors, errorBox, refuse, send, facts, flash, sellersReady, sellerById, unitName, telLink,
  statusBadge, communeName, fetchBlob,
} from './common.js';

const TRACKING = /^[A-Z0-9-]{6,40}$/;
let loading = 0;

export function enter() {
  loadOrders();
  $('scan-code').focus();
}

export function reset() {
  $('or-status').value = '';
  fill($('or-list'));
  $('scan-form').reset();
  clearErrors($('scan-form'));
  fill($('scan-result'));
}

$('or-status').addEventListener('change', () => loadOrders());
$('or-reload').addEventListener('click', () => loadOrders());

export async function loadOrders() {
  const status = $('or-status').value, mine = ++loading;
  $('or-error').hidden = true;
  $('or-count').textContent = 'Đang tải…';
  // the farmers' names and phones, shown with their parts
  const names = sellersReady().catch(() => []);
  try {
    const d = await api('GET', '/api/v1/orders?limit=100' + (status ? '&status=' + encodeURIComponent(status) : ''));
    await names;
    if (mine !== loading || !state.token) return false;
    state.orders = d.items || [];
    const n = state.orders.length;
    $('or-count').textContent = n ? n + ' đơn hàng (mới nhất ở trên)' + (n >= 100 ? ' — chỉ hiện 100 đơn mới nhất' : '')
      : status ? `Không có đơn hàng nào «${ORDER[status]}».` : 'Chưa có đơn hàng nào của người bán ở bưu điện này.';
    fill($('or-list'), state.orders.map(orderCard));
    return true;
  } catch (e) {
    $('or-count').textContent = '';
    showError($('or-error'), e);
    return false;
  }
}

function orderChanged(v, focusSelector, message) {
  state.orders = state.orders.map(x => x.id === v.id ? v : x);
  const old = document.querySelector(`#or-list > li[data-order="${v.id}"]`), card = orderCard(v);
  if (old) {
    old.replaceWith(card);
    (card.querySelector(focusSelector) || card).focus();
  }
  flash(message);
}

// a parcel a recall is stopping: never delivered, never paid for at the door
const stopped = p => p.recall?.outcome === 'returning';

function orderCard(o) {
  const err = errorBox();
  const card = h('li', {class: 'card', 'data-order': o.id, tabindex: -1});
  const sh = o.shipping || {}, cod = o.payment_method === 'cod';
  const place = h('dd', {text: sh.address});
  if (/^\d{5}$/.test(sh.commune_code || '')) communeName(sh.commune_code, place);
  // amount_due_vnd leaves out parcels a recall stopped
  const due = o.amount_due_vnd - o.paid_vnd;
  const open = !['delivered', 'cancelled'].includes(o.status);

  // one step of a part; a stale screen's refusal is shown after reloading it
  async function act(p, action, btn, body, message, scope) {
    err.hidden = true;
    busy(btn, true, 'Đang lưu…');
    try {
      const v = await api('POST', `/api/v1/orders/${encodeURIComponent(o.id)}/${action}`, {...body, part_id: p.id});
      orderChanged(v, `[data-part="${p.id}"] button`, `Đơn ${v.code}: ${message}`);
    } catch (e) {
      busy(btn, false);
      // a tracking number another parcel has: fix it here, nothing changed
      if (e.status !== 409 || e.code === 'already_taken') return showError(err, e, scope || card);
      // someone else changed it (another counter, the farmer): show what it is now, and why nothing happened
      await loadOrders();
      const now = document.querySelector(`#or-list > li[data-order="${o.id}"]`);
      const box = now?.querySelector('.error') || $('or-error');
      const part = state.orders.find(x => x.id === o.id)?.parts?.find(x => x.id === p.id);
      const verb = PART_ACTION[action.replace('-', '_')];
      showError(box, e, null, part && verb && `Không thể ${verb} khi phần hàng đang ở trạng thái «${PART[part.status] || part.status}».`);
      box.append(h('div', {text: 'Đơn hàng vừa được tải lại: trạng thái hiện tại ở trên.'}));
    }
  }

  function part(p) {
    const s = sellerById(p.seller_id), st = p.status;
    const label = stopped(p) ? PART.returning : st === 'pending' && o.status === 'placed' ? ORDER.placed : PART[st] || st;
    const actions = h('div', 'actions');
    if (st === 'pending' && o.status !== 'placed') {
      const confirmBtn = h('button', {class: 'primary', 'data-act': 'confirm', onclick: () =>
        act(p, 'confirm', confirmBtn, {}, 'đã xác nhận thay người bán. Khi bà con mang hàng đến quầy, bấm «Bưu điện đã nhận hàng».')},
      'Xác nhận thay người bán');
      actions.append(confirmBtn);
    } else if (st === 'pending') {
      actions.append(h('p', {class: 'hint', text: 'Chờ người mua chuyển khoản: chưa xác nhận được.'}));
    }
    // the label goes on the parcel before the post office takes it
    const labelBtn = ['confirmed', 'handed_over'].includes(st) && !stopped(p)
      && h('button', {'data-act': 'label', onclick: ev => printLabel(p.code, ev.currentTarget, err)}, 'In nhãn gửi hàng');
    if (st === 'confirmed') actions.append(...[labelBtn, handOverForm(p, err, act)].filter(Boolean));
    if (stopped(p)) {
      const back = h('button', {class: 'primary', 'data-act': 'return', onclick: () => {
        if (!confirm(`Bưu kiện đơn ${o.code} đã về đến quầy?\nBấm OK: đơn được huỷ, không giao nữa.`)) return;
        act(p, 'return', back, {reason: 'Thu hồi lô: ' + p.recall.reason}, 'đã nhận lại bưu kiện, phần hàng đã huỷ.');
      }}, 'Đã nhận lại bưu kiện');
      actions.append(back);
    } else if (st === 'handed_over') {
      const cash = cod && due > 0;
      const deliver = h('button', {class: 'primary', 'data-act': 'deliver', onclick: () => {
        if (cash && !confirm(`Đơn ${o.code}: đã giao hàng và thu đủ ${vnd(due)} tiền mặt của người mua?\n` +
          `Bấm OK sẽ ghi sổ: bưu điện đang giữ ${vnd(due)} tiền thu hộ, phải nộp về nongsan (tab «6. Thanh toán»).`)) return;
        act(p, 'deliver', deliver, {}, 'đã giao cho người mua.' +
          (cash ? ` Đã ghi sổ ${vnd(due)} tiền thu hộ bưu điện đang giữ — nộp về nongsan ở tab «6. Thanh toán».` : ''));
      }}, 'Đã giao cho người mua');
      actions.append(...[deliver, labelBtn].filter(Boolean));
    }
    const cancel = ['pending', 'confirmed', 'handed_over'].includes(st) && cancelForm(o, p, err, act);
    const times = [['confirmed_at', 'Xác nhận'], ['handed_over_at', 'Bưu điện nhận'], ['delivered_at', 'Giao'], ['cancelled_at', 'Huỷ']]
      .filter(([k]) => p[k]).map(([k, name]) => `${name}: ${vnTime(p[k])}`).join(' · ');
    return h('div', {class: 'part', 'data-part': p.id},
      h('h3', 0, 'Người bán: ' + (s ? `${s.full_name} (${p.seller_name}) · ${s.phone}` : p.seller_name) + ' ',
        statusBadge(label, stopped(p) ? 'cancelled' : st)),
      h('ul', 'items', (p.items || []).map(i =>
        h('li', {text: `${i.title}: ${digits(i.quantity)} ${unitName(i.unit)} × ${vnd(i.unit_price_vnd)} = ${vnd(i.line_total_vnd)}`}))),
      h('div', 0, 'Tiền hàng: ', h('strong', {text: vnd(p.subtotal_vnd)}), ' · Phí vận chuyển: ', h('strong', {class: 'postage', text: vnd(p.postage_vnd || 0)})),
      parcelLine(p),
      times && h('p', {class: 'hint', text: times}),
      p.recall && h('div', {class: 'recall-note', role: 'note'},
        h('strong', {text: `⚠ Lô bị thu hồi lúc ${vnTime(p.recall.recalled_at)}: ${p.recall.reason}`}),
        h('div', {text: RECALL_OUTCOME[p.recall.outcome]?.[2] || ''})),
      p.cancel_reason && !p.recall && h('p', {class: 'hint', text: 'Lý do huỷ: ' + p.cancel_reason}),
      actions, cancel);
  }

  fill(card,
    h('div', 'name', 'Đơn ', h('span', {class: 'ocode', text: o.code}), ' ', statusBadge(ORDER[o.status] || o.status, o.status)),
    facts(['Đặt lúc', vnTime(o.created_at)],
      ['Thanh toán', cod ? 'Tiền mặt khi nhận hàng (bưu điện thu hộ)' : 'Chuyển khoản VietQR · đã nhận ' + vnd(o.paid_vnd)],
      ['Tiền hàng', vnd(o.goods_vnd)], ['Phí vận chuyển', h('dd', {class: 'postage', text: vnd(o.postage_vnd)})],
      ['Tổng tiền', h('dd', {class: 'total', text: vnd(o.total_vnd)})], ['Người nhận', sh.name], ['Điện thoại', telLink(sh.phone)],
      ['Địa chỉ', place]),
    cod && open && due > 0 && h('div', 'cash', 'Thu tiền mặt khi giao: ' + vnd(due),
      h('small', {text: 'Gồm tiền hàng và phí vận chuyển. Bấm «Đã giao» là ghi sổ số tiền này: bưu điện giữ và phải nộp về nongsan.'})),
    (o.parts || []).map(part),
    err);
  return card;
}

/** Hand-over: a scanner types the carrier's number and Enter, and that is the hand-over. */
function handOverForm(p, err, act) {
  const id = 'tn-' + p.id;
  const number = h('input', {id, 'data-field': 'tracking_number', maxlength: 40, autocomplete: 'off', spellcheck: 'false',
    autocapitalize: 'characters', placeholder: 'Ví dụ: EE123456789VN'});
  const btn = h('button', {type: 'submit', class: 'primary', 'data-act': 'hand_over'}, 'Bưu điện đã nhận hàng');
  const form = h('form', {class: 'handover', novalidate: true, onsubmit: ev => {
    ev.preventDefault();
    clearErrors(form);
    err.hidden = true;
    const n = number.value.replace(/\s/g, '').toUpperCase();
    if (n && !TRACKING.test(n)) return showError(err, refuse('invalid_format', 'tracking_number', `Đang có «${n}».`), form);
    if (n && n === String(p.code).toUpperCase()) {
      return showError(err, refuse('invalid_input', 'tracking_number',
        'Đây là mã bưu kiện của nongsan trên nhãn, không phải số hiệu của hãng vận chuyển.'), form);
    }
    act(p, 'hand-over', btn, n ? {tracking_number: n} : {}, 'bưu điện đã nhận hàng' + (n ? ', số hiệu bưu gửi ' + n : '') + '.', form);
  }}, h('label', {for: id, text: 'Số hiệu bưu gửi của hãng vận chuyển (gõ hoặc quét; không bắt buộc)'}),
  h('div', 'row', h('div', 0, number), h('div', 'narrow', btn)));
  return form;
}

function cancelForm(o, p, err, act) {
  const id = 'cr-' + p.id;
  const reason = h('textarea', {id, 'data-field': 'reason', maxlength: 500, required: true});
  const btn = h('button', {type: 'submit', class: 'danger'}, 'Huỷ phần hàng này');
  const form = h('form', {novalidate: true, onsubmit: ev => {
    ev.preventDefault();
    clearErrors(form);
    err.hidden = true;
    const r = reason.value.trim();
    if (!r) return showError(err, refuse('required', 'reason'), form);
    if (!confirm(`Huỷ phần hàng của ${p.seller_name} trong đơn ${o.code}?\nKhông thể hoàn tác.`)) return;
    act(p, 'cancel', btn, {reason: r}, `đã huỷ phần hàng của ${p.seller_name}.`);
  }}, h('label', {for: id, text: 'Lý do huỷ (người mua sẽ được báo)'}), reason, btn);
  return h('details', 'danger', h('summary', {text: 'Huỷ phần hàng này…'}), form);
}

/* ---------- parcels: what the label says, printing it, delivering by scanning it ---------- */

function parcelFacts(p, withPostage) {
  return [p.weight_g && 'nặng ' + grams(p.weight_g), p.zone && (ZONE[p.zone] || p.zone),
    withPostage && 'phí vận chuyển ' + vnd(p.postage_vnd || 0)].filter(Boolean).join(' · ');
}

function trackingBits(t) {
  const steps = t?.steps || [];
  return [t?.number && h('div', 0, 'Số hiệu bưu gửi: ', h('strong', {class: 'tn', text: t.number})),
    steps.length > 0 && h('ol', 'steps', steps.map(x =>
      h('li', {'data-step': x.step}, h('strong', {text: TRACKING_STEP[x.step] || x.step}), ' lúc ' + vnTime(x.at))))];
}

const parcelLine = p => h('div', 'parcel-line',
  h('div', 0, 'Mã bưu kiện (mã vạch trên nhãn): ', h('span', {class: 'pcode', text: p.code}), ' · ' + parcelFacts(p)),
  trackingBits(p.tracking));

/** The A6 label (SVG, only with the token), in a page of its own that prints itself. */
async function printLabel(code, btn, err) {
  err.hidden = true;
  const w = window.open('', '_blank'); // opened during the click (else blocked), filled once the label is here
  busy(btn, true, 'Đang tải nhãn…');
  try {
    const svg = URL.createObjectURL(await fetchBlob(`/api/v1/parcels/${encodeURIComponent(code)}/label.svg`));
    const safe = String(code).replace(/[^A-Za-z0-9-]/g, '');
    const page = URL.createObjectURL(new Blob([`<!doctype html><html lang="vi"><meta charset="utf-8"><title>Nhãn gửi hàng ${safe}</title>` +
      '<style>@page{size:105mm 148mm;margin:0}html,body{margin:0}img{display:block;width:105mm;height:148mm}</style>' +
      `<img src="${svg}" alt="Nhãn gửi hàng ${safe}">`], {type: 'text/html'}));
    // The label page has no script of its own (the Content-Security-Policy,
    // which it inherits, runs no inline script): it is printed from here
    // once it and its image have loaded.
    const printWhenLoaded = win => {
      const started = Date.now();
      const tick = setInterval(() => {
        try {
          const img = win.document.querySelector('img');
          if (win.location.href === page && win.document.readyState === 'complete' && img?.complete) {
            clearInterval(tick);
            setTimeout(() => win.print(), 300);
          } else if (Date.now() - started > 60000) clearInterval(tick);
        } catch { clearInterval(tick); } // closed meanwhile
      }, 200);
    };
    if (w) {
      w.location.href = page;
      printWhenLoaded(w);
    } else {
      const frame = h('iframe', {src: page, title: 'Nhãn gửi hàng ' + safe, style: 'position:fixed;right:0;bottom:0;width:1px;height:1px;border:0'});
      document.body.append(frame);
      printWhenLoaded(frame.contentWindow);
      setTimeout(() => frame.remove(), 120000);
    }
    setTimeout(() => { URL.revokeObjectURL(svg); URL.revokeObjectURL(page); }, 120000);
  } catch (e) {
    w?.close();
    showError(err, e, null, `Chưa in được nhãn gửi hàng của bưu kiện ${code}.`);
  } finally {
    busy(btn, false);
  }
}

let scanning = 0;
$('scan-form').addEventListener('submit', ev => {
  ev.preventDefault();
  const form = ev.target, box = form.querySelector('.error');
  clearErrors(form);
  const code = $('scan-code').value.replace(/\s/g, '').toUpperCase();
  fill($('scan-result'));
  if (!code) return showError(box, refuse('required', 'code', 'Hãy quét mã vạch trên nhãn bưu kiện.'), form);
  if (!/^[A-Z0-9-]{1,40}$/.test(code)) return showError(box, refuse('invalid_format', 'code', `«${code}» không phải mã bưu kiện (dạng NS7K2M9QXB-1).`), form);
  lookupParcel(code);
});

async function lookupParcel(code) {
  const mine = ++scanning, form = $('scan-form'), box = form.querySelector('.error');
  fill($('scan-result'), h('p', {class: 'muted', text: `Đang tìm bưu kiện ${code}…`}));
  try {
    const v = await api('GET', '/api/v1/parcels/' + encodeURIComponent(code));
    if (mine !== scanning) return;
    fill($('scan-result'), parcelCard(v));
    $('scan-code').select();
  } catch (e) {
    if (mine !== scanning) return;
    fill($('scan-result'));
    if (e.status === 404) {
      fill(box, h('strong', {text: `Không có bưu kiện mã ${code}.`}),
        h('div', {text: 'Kiểm tra lại mã trên nhãn (dạng NS7K2M9QXB-1). Bưu kiện của người bán thuộc bưu điện khác không hiện ở đây.'}));
      box.hidden = false;
      $('scan-code').setAttribute('aria-invalid', 'true');
    } else {
      showError(box, e, form);
    }
    $('scan-code').focus();
    $('scan-code').select();
  }
}

/** Why this parcel must not be delivered now, or null. */
function refusal(v) {
  const rc = v.recall, st = v.status;
  if (rc) {
    const [, todo, why] = RECALL_OUTCOME[rc.outcome] || ['', rc.outcome, ''];
    return '⚠ LÔ HÀNG BỊ THU HỒI — ' + (rc.outcome === 'returning'
      ? 'KHÔNG GIAO, không thu tiền. Mang bưu kiện về quầy rồi bấm «Đã nhận lại bưu kiện».' : `${todo}. ${why}`);
  }
  if (st === 'delivered') {
    const done = (v.tracking?.steps || []).find(x => x.step === 'delivered');
    return 'Bưu kiện này ĐÃ GIAO' + (done ? ' lúc ' + vnTime(done.at) : '') + ': không giao lại, không thu tiền lần nữa.';
  }
  if (st === 'cancelled') return 'Bưu kiện này ĐÃ HUỶ: không giao, không thu tiền.';
  if (st !== 'handed_over') {
    return `Bưu điện CHƯA NHẬN bưu kiện này (đang «${PART[st] || st}»): chưa giao được. Hãy bấm «Bưu điện đã nhận hàng» ở đơn ${v.order_code} bên dưới trước.`;
  }
  return null;
}

function parcelCard(v) {
  const err = errorBox();
  const sh = v.shipping || {}, st = v.status, stop = stopped(v);
  const place = h('dd', {text: sh.address});
  if (/^\d{5}$/.test(sh.commune_code || '')) communeName(sh.commune_code, place);
  const why = refusal(v);
  const nothing = small => h('p', {class: 'collect none', id: 'scan-collect'}, 'Không thu tiền', small && h('small', {text: small}));
  const collect = !why ? (v.collect_vnd > 0
    ? h('p', {class: 'collect', id: 'scan-collect'}, 'Thu của người nhận: ' + vnd(v.collect_vnd),
      h('small', {text: `Tiền mặt: tiền hàng ${vnd(v.goods_vnd)} + phí vận chuyển ${vnd(v.postage_vnd)}.`}))
    : nothing(v.payment_method === 'vietqr' ? 'Người mua đã chuyển khoản.' : 'Không có tiền phải thu.'))
    : (stop || st === 'cancelled') && nothing();
  const btn = !why && h('button', {class: 'primary big', id: 'scan-deliver', onclick: () => {
    if (v.collect_vnd > 0 && !confirm(`Bưu kiện ${v.code} đã giao cho ${sh.name} và đã thu đủ ${vnd(v.collect_vnd)} tiền mặt?\n` +
      `Bấm OK sẽ ghi sổ: bưu điện đang giữ ${vnd(v.collect_vnd)} tiền thu hộ, phải nộp về nongsan.`)) return;
    send(btn, err, null, async () => {
      await api('POST', `/api/v1/orders/${encodeURIComponent(v.order_id)}/deliver`, {part_id: v.part_id});
      const said = `Đã giao bưu kiện ${v.code} cho ${sh.name}` +
        (v.collect_vnd > 0 ? `, đã thu ${vnd(v.collect_vnd)} (nộp về nongsan ở tab «6. Thanh toán»).` : '.');
      fill($('scan-result'), h('div', {class: 'ok', id: 'scan-done'}, h('strong', {text: '✓ ' + said}), h('div', {text: 'Quét bưu kiện tiếp theo.'})));
      flash(said);
      $('scan-code').value = '';
      $('scan-code').focus();
      loadOrders();
    }, {hint: e => e.status === 409 ? 'Tình trạng bưu kiện vừa thay đổi: quét lại mã để xem.' : null});
  }}, 'Xác nhận đã giao');
  const tracked = !!(v.tracking?.number || v.tracking?.steps?.length);
  return h('div', {class: 'card' + (why ? ' stop' : ''), id: 'scan-card', 'data-code': v.code, 'data-status': st},
    h('div', 'name', 'Bưu kiện ', h('span', {class: 'ocode', text: v.code}), ' ',
      statusBadge(stop ? PART.returning : PART[st] || st, stop ? 'cancelled' : st)),
    why && h('p', {class: 'refuse', id: 'scan-refuse', role: 'alert', text: why}),
    collect,
    facts(['Người nhận', h('dd', {class: 'who', text: sh.name})], ['Điện thoại', telLink(sh.phone)], ['Địa chỉ', place],
      ['Hàng', (v.items || []).map(i => `${i.title}: ${digits(i.quantity)} ${unitName(i.unit)}`).join('; ')],
      ['Người bán', v.seller_name],
      ['Đơn hàng', v.order_code + ' · ' + (v.payment_method === 'cod' ? 'tiền mặt khi nhận hàng' : 'chuyển khoản')],
      ['Bưu kiện', parcelFacts(v, true)], tracked && ['Hành trình', trackingBits(v.tracking)]),
    btn, err);
}
