import exifr from 'exifr';
import sharp from 'sharp';
import { AppError } from '../http/errors.ts';
import { checkUpload } from '../http/upload.ts';

/** A phone photo is 2–6 MB; more is not a photo of a street problem. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTOS = 4;
const THUMB_PX = 320;

export interface Photo {
  mime: 'image/jpeg' | 'image/png' | 'image/webp';
  bytes: Uint8Array;
  /** A WebP of at most 320 px on its longer side, for lists and the map. */
  thumb: Uint8Array;
  size: number;
  takenAt: Date | null;
  /** Where the camera says it was (EXIF GPS is WGS84). */
  gps: { lon: number; lat: number } | null;
}

const MIME = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;

/**
 * Checks a photo by its bytes (JPEG, PNG or WebP; anything else, whatever its
 * name, is refused), decodes it to be sure it is a whole image, makes the
 * thumbnail (turned upright from the EXIF orientation) and reads when and
 * where it was taken. HEIC, the iPhone default, needs a decoder the bundled
 * libvips does not have: it is refused with the way out (send JPEG).
 */
export async function readPhoto(name: string, bytes: Uint8Array): Promise<Photo> {
  const kind = checkUpload(name, bytes, { allowed: ['jpeg', 'png', 'webp', 'heic'], maxBytes: MAX_PHOTO_BYTES });
  if (kind === 'heic') {
    throw new AppError(415, 'heic_not_supported', 'HEIC photos cannot be read here yet; send JPEG (on an iPhone: Settings → Camera → Formats → Most Compatible).');
  }
  let thumb: Buffer;
  try {
    const image = sharp(bytes, { failOn: 'error', limitInputPixels: 100_000_000 });
    const meta = await image.metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    thumb = await image.rotate().resize(THUMB_PX, THUMB_PX, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 70 }).toBuffer();
  } catch {
    throw new AppError(400, 'unreadable_image', `${name.slice(0, 80) || 'The photo'} is not a readable image (truncated or corrupt).`);
  }
  let takenAt: Date | null = null;
  let gps: Photo['gps'] = null;
  try {
    const buffer = Buffer.from(bytes);
    const exif = (await exifr.parse(buffer, { pick: ['DateTimeOriginal'] })) as { DateTimeOriginal?: Date } | undefined;
    if (exif?.DateTimeOriginal instanceof Date && !Number.isNaN(exif.DateTimeOriginal.getTime())) takenAt = exif.DateTimeOriginal;
    const position = (await exifr.gps(buffer)) as { latitude?: number; longitude?: number } | undefined;
    const [lat, lon] = [position?.latitude, position?.longitude];
    if (lat !== undefined && lon !== undefined && Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) gps = { lon, lat };
  } catch {
    // no or broken EXIF: the photo stands without it
  }
  return { mime: MIME[kind as keyof typeof MIME], bytes, thumb: new Uint8Array(thumb), size: bytes.byteLength, takenAt, gps };
}
