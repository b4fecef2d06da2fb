// Photos shrunk on the phone before upload: a 12-megapixel camera photo
// becomes a JPEG of a few hundred KB, which 3G can carry.
import {pageError} from '../shared/api.js';

// Decoded upright (EXIF rotation applied); an <img> where createImageBitmap
// is missing or refuses the options.
async function decode(file) {
  try { return await createImageBitmap(file, {imageOrientation: 'from-image'}); } catch (e) { /* below */ }
  const img = new Image();
  img.src = URL.createObjectURL(file);
  try { await img.decode(); return img; } finally { URL.revokeObjectURL(img.src); }
}

// Over 3G every photo should cost seconds, not minutes: a JPEG larger than
// this is encoded again at a lower quality, then smaller.
const BUDGET = 350e3;

const encode = (c, q) => new Promise(ok => c.toBlob(ok, 'image/jpeg', q));

export async function shrink(file, longest = 1600, quality = 0.8) {
  const type = file?.type || '';
  if (!file || type && !type.startsWith('image/')) throw pageError('unsupported_media_type', 'photo');
  let src;
  try { src = await decode(file); } catch (e) {
    throw pageError(type ? 'undecodable_photo' : 'unsupported_media_type', 'photo');
  }
  const {width: w, height: h} = src;
  const fits = Math.max(w, h) <= longest;
  const jpeg = type === 'image/jpeg';
  if (fits && jpeg && file.size < BUDGET) return file;
  const c = document.createElement('canvas');
  const g = c.getContext('2d');
  let blob = null;
  // the full size at lower qualities first (detail matters more than
  // compression artefacts to a buyer), then 1280 px
  for (const [side, q] of [[longest, quality], [longest, 0.65], [longest, 0.5], [1280, 0.6], [1024, 0.55]]) {
    const scale = Math.min(1, side / Math.max(w, h));
    if (c.width !== Math.round(w * scale)) {
      c.width = Math.round(w * scale);
      c.height = Math.round(h * scale);
      g.fillStyle = '#fff'; // a transparent PNG would turn black in JPEG
      g.fillRect(0, 0, c.width, c.height);
      g.imageSmoothingQuality = 'high';
      g.drawImage(src, 0, 0, c.width, c.height);
    }
    blob = await encode(c, q);
    if (!blob || blob.size <= BUDGET) break;
  }
  src.close?.();
  c.width = c.height = 0; // frees the pixels at once on phones short of memory
  if (!blob) throw pageError('photo_needs_too_much_memory', 'photo');
  return fits && jpeg && file.size <= blob.size ? file : blob;
}
