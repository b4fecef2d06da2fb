// How numbers, money, weights and times are written on every page.
// Money is whole đồng; the server's times are UTC and shown in Vietnam
// time (UTC+7, no daylight saving).

const VIETNAM_MS = 7 * 3600 * 1000;
const pad = x => String(x).padStart(2, '0');

/** 1234567 → "1.234.567" */
export const digits = n => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');

/** 1234567 → "1.234.567 ₫" */
export const vnd = n => digits(n) + ' ₫';

/** A decimal string or number in Vietnamese: "1234.5" → "1.234,5". */
export function decimal(value) {
  const [whole, frac] = String(value).split('.');
  return digits(whole) + (frac ? ',' + frac : '');
}

/** 850 → "850 g", 1250 → "1,25 kg", 1000 → "1 kg" */
export function grams(g) {
  if (g < 1000) return digits(g) + ' g';
  const frac = String(g % 1000).padStart(3, '0').replace(/0+$/, '');
  return decimal(Math.floor(g / 1000) + (frac ? '.' + frac : '')) + ' kg';
}

/** 2 → "2 %", 2.5 → "2,5 %" (never "2.00 %") */
export const percent = x => decimal(Number(x)) + ' %';

/** Basis points as a percentage: 200 → "2 %" */
export const basisPoints = bp => percent(bp / 100);

/** An RFC 3339 time in Vietnam: "02/12/2026 14:05" */
export function vnTime(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return String(iso || '');
  const d = new Date(t + VIETNAM_MS);
  return pad(d.getUTCDate()) + '/' + pad(d.getUTCMonth() + 1) + '/' + d.getUTCFullYear() + ' ' +
    pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
}

/** A calendar date "2026-12-02" → "02/12/2026" */
export function vnDate(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date || '');
  return m ? m[3] + '/' + m[2] + '/' + m[1] : String(date || '');
}

/** Now in Vietnam, as the local date and time a form's inputs take: "2026-12-02T14:05" */
export const vietnamNow = () => new Date(Date.now() + VIETNAM_MS).toISOString().slice(0, 16);

/** Text without Vietnamese marks, for searching: "Đà Lạt" → "Da Lat" */
export const fold = s => String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
