// Small SVG bar charts drawn here (no library), each with its table beside
// it (the accessible alternative: the chart itself is one labelled image)
// and a CSV file of the same rows.
import {h} from '/shared/dom.js';
import {digits, fold} from '/shared/format.js';

const NS = 'http://www.w3.org/2000/svg';
let serial = 0;

function s(tag, attrs, ...kids) {
  const node = document.createElementNS(NS, tag);
  for (const name in attrs || {}) if (attrs[name] != null) node.setAttribute(name, String(attrs[name]));
  for (const kid of kids) if (kid != null) node.append(kid instanceof Node ? kid : String(kid));
  return node;
}

/** "2026-11" → "Th 11/2026" */
export const monthLabel = m => { const [y, mo] = String(m).split('-'); return 'Th ' + Number(mo) + '/' + y; };

/** A short number for an axis: 1234000 → "1,2 tr", 15000 → "15 N", 7 → "7". */
export function short(n) {
  const one = (x, unit) => String(Math.round(x * 10) / 10).replace('.', ',') + (unit ? ' ' + unit : '');
  if (n >= 1e9) return one(n / 1e9, 'tỷ');
  if (n >= 1e6) return one(n / 1e6, 'tr');
  if (n >= 1e4) return one(n / 1e3, 'N');
  return Number.isInteger(n) ? digits(n) : one(n, '');
}

/** A round top for the axis: the smallest of 1, 2, 2.5, 5 × 10^k at or above `max`. */
export function niceTop(max) {
  if (!(max > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(max)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return Math.max(1, m * p);
  return 10 * p;
}

/**
 * A bar chart of one value per month; with several `series` the bars are
 * stacked. `series`: [{name, color, values}]; `format` writes a value.
 */
export function barChart({title, desc, months, series, format = digits, narrow = innerWidth < 600}) {
  // drawn for the width it is shown at, so its words stay readable on a phone
  const W = narrow ? 360 : 640, H = narrow ? 230 : 260, left = narrow ? 40 : 52, right = 6, top = 26, bottom = 46;
  const n = months.length || 1;
  const totals = months.map((_, i) => series.reduce((t, se) => t + (se.values[i] || 0), 0));
  const top_ = niceTop(Math.max(0, ...totals));
  const plotH = H - top - bottom, slot = (W - left - right) / n, bar = Math.max(4, Math.min(44, slot * 0.68));
  const y = v => top + plotH - (v / top_) * plotH;
  const id = 'c' + (++serial);
  const svg = s('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': id + 't ' + id + 'd',
    class: 'chart', preserveAspectRatio: 'xMidYMid meet'},
  s('title', {id: id + 't'}, title), s('desc', {id: id + 'd'}, desc));
  // the grid: 0, half (when a whole number) and the top
  for (const v of [0, top_ / 2, top_].filter(v => Number.isInteger(v))) {
    svg.append(s('line', {x1: left, x2: W - right, y1: y(v), y2: y(v), class: v ? 'grid' : 'axis'}),
      s('text', {x: left - 6, y: y(v) + 5, 'text-anchor': 'end', class: 'tick'}, short(v)));
  }
  const bars = s('g', {class: 'bars'});
  months.forEach((m, i) => {
    const x = left + slot * i + (slot - bar) / 2;
    let base = 0;
    const g = s('g', {class: 'month', 'data-month': m});
    for (const se of series) {
      const v = se.values[i] || 0;
      // every month has its bar, a hairline when nothing happened
      const hgt = Math.max(v ? 2 : 1, y(base) - y(base + v));
      g.append(s('rect', {x: x.toFixed(1), y: (y(base) - hgt).toFixed(1), width: bar.toFixed(1), height: hgt.toFixed(1),
        fill: se.color, class: 'bar', 'data-value': v},
      s('title', 0, monthLabel(m) + (series.length > 1 ? ' — ' + se.name : '') + ': ' + format(v))));
      base += v;
    }
    // the value above the bar when there is room for it
    if (totals[i] && n <= (narrow ? 6 : 12)) {
      g.append(s('text', {x: (x + bar / 2).toFixed(1), y: (y(totals[i]) - 5).toFixed(1), 'text-anchor': 'middle', class: 'val'},
        short(totals[i])));
    }
    const [yr, mo] = m.split('-');
    const cx = (left + slot * i + slot / 2).toFixed(1);
    // the month under every bar when they fit, else every other; the year when it changes
    const every = narrow ? (n <= 12 ? 1 : n <= 24 ? 2 : 3) : (n <= 18 ? 1 : 2);
    if (i % every === 0) g.append(s('text', {x: cx, y: H - bottom + 18, 'text-anchor': 'middle', class: 'tick'}, (narrow ? '' : 'T') + Number(mo)));
    if (i === 0 || mo === '01') g.append(s('text', {x: cx, y: H - bottom + 38, 'text-anchor': 'middle', class: 'tick year'}, yr));
    bars.append(g);
  });
  svg.append(bars);
  return svg;
}

/** The table of a chart: one row per month, then the total when it adds up. */
export function table({caption, months, columns, total = true}) {
  const sum = c => months.reduce((t, _, i) => t + (c.values[i] || 0), 0);
  return h('table', 'data',
    h('caption', 0, caption),
    h('thead', 0, h('tr', 0, h('th', {scope: 'col'}, 'Tháng'), columns.map(c => h('th', {scope: 'col', class: 'num'}, c.name)))),
    h('tbody', 0, months.map((m, i) => h('tr', {'data-month': m}, h('th', {scope: 'row'}, monthLabel(m)),
      columns.map(c => h('td', {class: 'num', 'data-value': c.values[i] || 0}, (c.format || digits)(c.values[i] || 0)))))),
    total && h('tfoot', 0, h('tr', 0, h('th', {scope: 'row'}, 'Cộng'),
      columns.map(c => h('td', {class: 'num'}, (c.format || digits)(sum(c)))))));
}

/** A CSV text: UTF-8 with a byte-order mark (so spreadsheet programs read the marks), CRLF lines. */
export function csv(rows) {
  const cell = v => { const t = String(v ?? ''); return /[",\r\n;]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t; };
  return '\ufeff' + rows.map(r => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** "Xã Hồng Thái" → "xa-hong-thai" */
export const slug = t => fold(t).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Offers `text` as the file `name` to save. */
export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], {type: 'text/csv;charset=utf-8'}));
  const a = h('a', {href: url, download: name, hidden: true});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
