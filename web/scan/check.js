// The scan page's check of the signed record on the buyer's phone
// (progressive: the page is complete without it). Fetches the record (#rec)
// and trust list (#tl), verifies the eddsa-jcs-2022 proof (RFC 8785 JCS,
// SHA-256 of proof options then document, Ed25519 by WebCrypto) against the
// did:key, and checks that key is the issuer, the page's #did, trusted when
// it signed, and that the page shows what the record says. Sets #verdict's
// data-local-check: pass | fail | unsupported (no Ed25519, or offline: the
// server's verdict stands, nothing new is said). A record or page altered
// on the way fails loudly and the buy button goes.

// RFC 8785: keys sorted by UTF-16 code units (sort()); JSON.stringify writes
// strings and numbers (ES Number::toString, -0 as 0) as JCS wants.
export const jcs = v => v === null || typeof v != 'object' ? JSON.stringify(v)
  : Array.isArray(v) ? '[' + v.map(jcs).join(',') + ']'
  : '{' + Object.keys(v).sort().map(k => JSON.stringify(k) + ':' + jcs(v[k])).join(',') + '}';

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

// base58-btc (Bitcoin alphabet) to bytes; null when not base58.
export function b58(s) {
  const out = [];
  for (const c of s) {
    let carry = B58.indexOf(c);
    if (carry < 0) return null;
    for (let i = 0; i < out.length; i++) {
      carry += out[i] * 58;
      out[i] = carry & 255;
      carry >>= 8;
    }
    for (; carry; carry >>= 8) out.push(carry & 255);
  }
  for (const c of s) { if (c != '1') break; out.push(0); }
  return Uint8Array.from(out.reverse());
}

// The 32-byte Ed25519 key of a did:key verification method
// (did:key:z6Mk…#z6Mk…): multibase z, multicodec 0xed 0x01; else null.
export function didKey(vm) {
  const m = /^did:key:(z[1-9A-HJ-NP-Za-km-z]+)(?:#(.+))?$/.exec(vm || '');
  const k = m && (!m[2] || m[2] == m[1]) && b58(m[1].slice(1));
  return k && k.length == 34 && k[0] == 0xed && k[1] == 1 ? k.slice(2) : null;
}

const sha = async s => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
const list = c => Array.isArray(c) ? c : c === undefined ? [] : [c];

// eddsa-jcs-2022 proof valid: true or false; throws 'unsupported' without
// Ed25519 in WebCrypto.
export async function verify(doc) {
  const { proof, ...rest } = doc || {};
  if (!proof || proof.type != 'DataIntegrityProof' || proof.cryptosuite != 'eddsa-jcs-2022') return false;
  const { proofValue, ...options } = proof;
  const sig = typeof proofValue == 'string' && proofValue[0] == 'z' && b58(proofValue.slice(1));
  const key = didKey(proof.verificationMethod);
  if (!sig || sig.length != 64 || !key) return false;
  if ('@context' in options) {
    const d = list(rest['@context']), p = list(options['@context']);
    if (p.some((c, i) => i >= d.length || jcs(c) != jcs(d[i]))) return false;
    rest['@context'] = options['@context'];
  }
  const k = await crypto.subtle.importKey('raw', key, { name: 'Ed25519' }, false, ['verify'])
    .catch(() => { throw 'unsupported'; });
  const hash = new Uint8Array(64);
  hash.set(await sha(jcs(options)));
  hash.set(await sha(jcs(rest)), 32);
  return crypto.subtle.verify('Ed25519', k, sig, hash);
}

const $ = s => document.querySelector(s);
const text = s => $(s)?.textContent.trim();
const two = n => String(n).padStart(2, '0');
// A UTC time as the page writes it (UTC+7, no DST).
const vnTime = s => {
  const t = new Date(Date.parse(s) + 7 * 3600e3);
  return `${two(t.getUTCDate())}/${two(t.getUTCMonth() + 1)}/${t.getUTCFullYear()} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}`;
};

// On the list, not revoked, valid when it signed (5 s slack, as the server).
const trusted = (items, did, at) => (items || []).some(i => i.did == did && !i.revoked_at
  && at + 5e3 >= Date.parse(i.valid_from) && (!i.valid_until || at <= Date.parse(i.valid_until) + 5e3));

// pass, altered (signature or page do not match the record), untrusted
// (genuine, by a signer not trusted) or unsupported.
async function run() {
  if (!globalThis.crypto?.subtle) return 'unsupported';
  let rec, trust;
  try {
    const [r, t] = await Promise.all([fetch($('#rec').href), fetch($('#tl').href)]);
    if (!r.ok || !t.ok) throw 0;
    [rec, trust] = [await r.text(), await t.json()];
  } catch {
    return 'unsupported'; // offline: the server's verdict stands
  }
  try {
    const doc = JSON.parse(rec), s = doc.credentialSubject || {}, p = doc.proof || {};
    const issuer = typeof doc.issuer == 'string' ? doc.issuer : doc.issuer?.id;
    const signer = String(p.verificationMethod).split('#')[0];
    const [y, m, d] = String(s.harvested_on).split('-');
    // The times the page shows, in order, are among the record's.
    const times = (s.events || []).map(e => vnTime(e.occurred_at));
    let i = 0;
    const shown = [...document.querySelectorAll('.ev:not(.gap) .when')].every(w => {
      while (i < times.length && times[i] != w.textContent.trim()) i++;
      return i++ < times.length;
    });
    if (!(await verify(doc)) || p.proofPurpose != 'assertionMethod' || signer != issuer
      || signer != text('#did') || s.lot_code != text('#lot') || s.product_name != text('h1')
      || `${d}/${m}/${y}` != text('#harv') || !shown) return 'altered';
    return trusted(trust.items, signer, Date.parse(p.created)) ? 'pass' : 'untrusted';
  } catch (e) {
    return e == 'unsupported' ? e : 'altered';
  }
}

const ban = globalThis.document?.getElementById('verdict');
if (ban) run().then(r => {
  ban.dataset.localCheck = r == 'pass' || r == 'unsupported' ? r : 'fail';
  const p = (cls, t) => Object.assign(document.createElement('p'), { className: cls, textContent: t });
  const box = ban.querySelector('div');
  if (r == 'pass') box.append(p('lc', '✓ Đã kiểm tra chữ ký ngay trên điện thoại của bạn'));
  // Genuine but untrusted, and the server already warns: agree quietly.
  if (r == 'untrusted' && ban.classList.length > 1) box.append(p('lc', 'Điện thoại của bạn cũng không xác minh được nơi ký.'));
  else if (r == 'altered' || r == 'untrusted') {
    const green = ban.classList.length == 1; // its "Đã xác minh" is refuted
    ban.className = 'ban bad';
    ban.setAttribute('role', 'alert');
    ban.querySelector('use')?.setAttribute('href', '#b-bad');
    $('meta[name=theme-color]')?.setAttribute('content', '#b3261e');
    $('.buy')?.remove();
    box[green ? 'replaceChildren' : 'prepend'](...(r == 'altered' ? [p('bt', 'CẢNH BÁO: bản ghi đã bị sửa'),
      p('lcbad', 'Điện thoại của bạn đã kiểm tra chữ ký số: nó KHÔNG khớp với thông tin trên trang này. Thông tin đã bị thay đổi trên đường truyền hoặc bị làm giả. Đừng tin trang này, đừng mua hay dùng sản phẩm; hãy báo người bán hoặc bưu điện.')]
      : [p('bt', 'CẢNH BÁO: không rõ ai đã ký'),
        p('lcbad', 'Điện thoại của bạn không thấy nơi ký trong danh sách nơi ký tin cậy. Đừng tin trang này; hãy hỏi người bán hoặc bưu điện.')]));
  }
});
