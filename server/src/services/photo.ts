import { availableParallelism } from 'node:os';
import exifr from 'exifr';
import sharp from 'sharp';
import { AppError } from '../http/errors.ts';
import { checkUpload } from '../http/upload.ts';
import { WorkQueue } from './work-queue.ts';

/** A phone photo is 2–6 MB; more is not a photo of a street problem. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTOS = 4;
/**
 * Decoded size allowed, read from the header before anything is decoded: a
 * 48 MP phone camera's full frame (8064 × 6048) passes; a 12000 × 10000 PNG of
 * one colour is a few hundred kB to send and 360 MB and seconds of CPU to
 * decode, and is refused.
 */
export const MAX_PHOTO_PIXELS = 50_000_000;
/** The longer side of the stored original: enough to read a sign on a street photo. */
export const STORED_PHOTO_PX = 2560;
const THUMB_PX = 320;

// One libvips thread per image: the queue below, not libvips, decides how many cores photos get.
sharp.concurrency(1);

/**
 * How many photos are decoded at once: one per spare core, so that on a
 * 2-core server one core stays with the event loop (and the embedded
 * database, which runs on it); and one fewer than the libuv pool's threads
 * (4 unless UV_THREADPOOL_SIZE says otherwise), since each job holds one and
 * logins (argon2) and file reads need theirs.
 */
export function photoConcurrency(cores: number, libuvThreads: number): number {
  return Math.max(1, Math.min(cores - 1, libuvThreads - 1));
}

/** The process's photo queue; more than 32 waiting → 503. */
export const photoQueue = new WorkQueue({ concurrency: photoConcurrency(availableParallelism(), Number(process.env.UV_THREADPOOL_SIZE) || 4), maxWaiting: 32 });

export interface Photo {
  mime: 'image/jpeg' | 'image/png' | 'image/webp';
  /**
   * The photo as stored: turned upright, at most 2,560 px on its longer side,
   * re-encoded without any metadata (no EXIF GPS, camera make or serial).
   */
  bytes: Uint8Array;
  /** A WebP of at most 320 px on its longer side, for lists and the map. */
  thumb: Uint8Array;
  size: number;
  /** When the camera says it was taken (kept as a column, not in the bytes). */
  takenAt: Date | null;
  /** Where the camera says it was (EXIF GPS is WGS84; kept as a column, not in the bytes). */
  gps: { lon: number; lat: number } | null;
}

/** A photo as it arrived: the file's name (for messages only) and its bytes. */
export interface PhotoUpload {
  name: string;
  bytes: Uint8Array;
}

/** What a photo's header says, known before it is decoded. */
export interface PhotoHeader extends PhotoUpload {
  kind: 'jpeg' | 'png' | 'webp';
  width: number;
  height: number;
}

/** What a set of photos costs, charged to an anonymous sender's budget before decoding. */
export interface PhotoCost {
  bytes: number;
  pixels: number;
}

const MIME = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;
const label = (name: string) => name.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 80) || 'The photo';
const unreadable = (name: string) => new AppError(400, 'unreadable_image', `${label(name)} is not a readable image (truncated or corrupt).`);

/**
 * Checks a photo without decoding it: its kind by its bytes (JPEG, PNG or
 * WebP; anything else, whatever its name, is refused), its size, and its
 * pixel count from the header. HEIC, the iPhone default, needs a decoder the
 * bundled libvips does not have: it is refused with the way out (send JPEG).
 */
export async function inspectPhoto({ name, bytes }: PhotoUpload): Promise<PhotoHeader> {
  const kind = checkUpload(name, bytes, { allowed: ['jpeg', 'png', 'webp', 'heic'], maxBytes: MAX_PHOTO_BYTES });
  if (kind === 'heic') {
    throw new AppError(415, 'heic_not_supported', 'HEIC photos cannot be read here yet; send JPEG (on an iPhone: Settings → Camera → Formats → Most Compatible).');
  }
  let width: number;
  let height: number;
  try {
    // the header only: libvips opens the image lazily and decodes no pixel here
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    [width, height] = [meta.width, meta.height];
  } catch {
    throw unreadable(name);
  }
  if (width * height > MAX_PHOTO_PIXELS) {
    throw new AppError(
      413,
      'image_too_large',
      `${label(name)} is ${width} × ${height} px (${((width * height) / 1e6).toFixed(0)} MP); at most ${MAX_PHOTO_PIXELS / 1e6} MP is accepted. Send the photo as the phone took it, or smaller.`,
      { width, height, maxPixels: MAX_PHOTO_PIXELS },
    );
  }
  return { name, bytes, kind: kind as PhotoHeader['kind'], width, height };
}

/**
 * Decodes a checked photo in the photo queue: the stored original (upright,
 * at most 2,560 px, re-encoded in its own format without metadata) and the
 * thumbnail made from it; when and where it was taken come from its EXIF
 * into columns.
 */
export async function decodePhoto(header: PhotoHeader): Promise<Photo> {
  const { takenAt, gps } = await readExif(header.bytes);
  return photoQueue.run(async () => {
    try {
      let image = sharp(header.bytes, { failOn: 'error', limitInputPixels: MAX_PHOTO_PIXELS })
        .autoOrient()
        .resize(STORED_PHOTO_PX, STORED_PHOTO_PX, { fit: 'inside', withoutEnlargement: true });
      // sharp writes no metadata unless asked (keepExif, withMetadata): the EXIF stays behind
      image = header.kind === 'jpeg' ? image.jpeg({ quality: 85 }) : header.kind === 'png' ? image.png() : image.webp({ quality: 85 });
      const stored = await image.toBuffer();
      const thumb = await sharp(stored).resize(THUMB_PX, THUMB_PX, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 70 }).toBuffer();
      return { mime: MIME[header.kind], bytes: new Uint8Array(stored), thumb: new Uint8Array(thumb), size: stored.byteLength, takenAt, gps };
    } catch {
      throw unreadable(header.name);
    }
  });
}

/**
 * Reads the photos of one request: every header is checked before any is
 * decoded (so a bad fourth photo costs no decoding of the first three), then
 * `charge` may refuse the cost (an anonymous sender's budget), then they are
 * decoded one after another, each in the queue.
 */
export async function readPhotos(uploads: PhotoUpload[], charge?: (cost: PhotoCost) => Promise<void>): Promise<Photo[]> {
  const headers: PhotoHeader[] = [];
  for (const upload of uploads) headers.push(await inspectPhoto(upload));
  if (charge && headers.length > 0) {
    await charge({ bytes: headers.reduce((s, h) => s + h.bytes.byteLength, 0), pixels: headers.reduce((s, h) => s + h.width * h.height, 0) });
  }
  const photos: Photo[] = [];
  for (const header of headers) photos.push(await decodePhoto(header));
  return photos;
}

/** When and where, from the EXIF (which is then left behind); nothing when it is missing or broken. */
async function readExif(bytes: Uint8Array): Promise<Pick<Photo, 'takenAt' | 'gps'>> {
  let takenAt: Date | null = null;
  let gps: Photo['gps'] = null;
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const exif = (await exifr.parse(buffer, { pick: ['DateTimeOriginal'] })) as { DateTimeOriginal?: Date } | undefined;
    if (exif?.DateTimeOriginal instanceof Date && !Number.isNaN(exif.DateTimeOriginal.getTime())) takenAt = exif.DateTimeOriginal;
    const position = (await exifr.gps(buffer)) as { latitude?: number; longitude?: number } | undefined;
    const [lat, lon] = [position?.latitude, position?.longitude];
    if (lat !== undefined && lon !== undefined && Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) gps = { lon, lat };
  } catch {
    // no or broken EXIF: the photo stands without it
  }
  return { takenAt, gps };
}
