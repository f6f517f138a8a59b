import { crc32, inflateRawSync } from 'node:zlib';
import { AppError, badRequest } from '../http/errors.ts';

/** Most bytes all entries of an uploaded zip may hold once inflated. */
export const MAX_UNZIPPED_BYTES = 100 * 1024 * 1024;
/** Highest overall compression ratio accepted: real shapefiles compress a few times, bombs a thousand. */
export const MAX_ZIP_RATIO = 100;
/**
 * Most entries a zip may list. A shapefile is up to a dozen files (.shp,
 * .shx, .dbf, .prj, .cpg, .sbn, .qix, .shp.xml …), a zip of several layers
 * with folders and macOS ._ companions a few hundred.
 */
export const MAX_ZIP_ENTRIES = 1_000;
/** Below this many inflated bytes the ratio is not judged: a tiny, padded .dbf may compress well and harms nobody. */
const RATIO_FLOOR_BYTES = 1024 * 1024;

export interface ZipEntry {
  /** The entry's path as stored, with backslashes turned into slashes and `.` segments dropped. */
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const unreadable = (reason: string) => badRequest('unreadable_file', `The zip cannot be read: ${reason}.`);

/**
 * The entries of a zip, read from its central directory only, and judged
 * before a single byte is inflated:
 * - too many entries (413 zip_too_many_entries), or declared sizes too large
 *   in total or compressed too well (413 zip_too_large);
 * - an absolute path or one that climbs out with `..` (400 unsafe_zip_entry);
 * - two entries for one file (400 duplicate_zip_entry): the same name, or
 *   names equal once case, Unicode form, `\` and `.` are set aside. A reader
 *   would take one of them, which one depends on the reader; and one small
 *   entry listed 2,000 times made the import parse it 2,000 times;
 * - entries whose stored data overlap (400 overlapping_zip_entries): an
 *   archive made to inflate the same bytes under many names.
 */
export function zipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end record is the last 22 bytes, or earlier by the length of a trailing comment.
  let end = -1;
  for (let i = bytes.byteLength - 22; i >= Math.max(0, bytes.byteLength - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      end = i;
      break;
    }
  }
  if (end < 0) throw unreadable('no end of central directory (truncated or not a zip)');
  const count = view.getUint16(end + 10, true);
  const directoryOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff) throw zipTooLarge('it is a ZIP64 archive (over 4 GB or 65,535 entries)');
  if (count > MAX_ZIP_ENTRIES) {
    throw new AppError(413, 'zip_too_many_entries', `The zip lists ${count} entries; at most ${MAX_ZIP_ENTRIES.toLocaleString('en')} are read.`, { limit: MAX_ZIP_ENTRIES });
  }
  const entries: ZipEntry[] = [];
  let at = directoryOffset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.byteLength || view.getUint32(at, true) !== CENTRAL) throw unreadable('its central directory is damaged');
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    if (at + 46 + nameLength > bytes.byteLength) throw unreadable('its central directory is damaged');
    const entry: ZipEntry = {
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
      name: entryPath(new TextDecoder('utf-8').decode(bytes.subarray(at + 46, at + 46 + nameLength))),
    };
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff) throw zipTooLarge(`${safeName(entry.name)} is a ZIP64 entry (over 4 GB)`);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  refuseDuplicates(entries);
  refuseOverlaps(bytes, entries);
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  const compressed = entries.reduce((sum, e) => sum + e.compressedSize, 0);
  if (total > MAX_UNZIPPED_BYTES) throw zipTooLarge(`it would inflate to ${(total / 1048576).toFixed(0)} MB; the limit is ${MAX_UNZIPPED_BYTES / 1048576} MB`);
  if (total > RATIO_FLOOR_BYTES && total > MAX_ZIP_RATIO * Math.max(compressed, 1)) {
    throw zipTooLarge(`it is compressed ${Math.round(total / Math.max(compressed, 1))} to 1; more than ${MAX_ZIP_RATIO} to 1 is refused`);
  }
  return entries;
}

/**
 * One entry's bytes. Inflating stops at the size the directory declared, so
 * an archive that lies about its sizes cannot grow past the limits above;
 * the CRC proves the bytes are the ones stored.
 */
export function unzipEntry(bytes: Uint8Array, entry: ZipEntry): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const name = safeName(entry.name);
  if (entry.flags & 1) throw badRequest('unreadable_file', `${name} in the zip is encrypted.`);
  if (entry.localOffset + 30 > bytes.byteLength || view.getUint32(entry.localOffset, true) !== LOCAL) throw unreadable(`the entry ${name} is damaged`);
  const start = entry.localOffset + 30 + view.getUint16(entry.localOffset + 26, true) + view.getUint16(entry.localOffset + 28, true);
  if (start + entry.compressedSize > bytes.byteLength) throw unreadable(`the entry ${name} is truncated`);
  const stored = bytes.subarray(start, start + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) data = stored;
  else if (entry.method === 8) {
    try {
      data = inflateRawSync(stored, { maxOutputLength: Math.max(entry.size, 1) });
    } catch {
      throw unreadable(`the entry ${name} does not inflate to its declared size`);
    }
  } else throw unreadable(`the entry ${name} uses compression method ${entry.method}; only stored and deflate are read`);
  if (data.byteLength !== entry.size || crc32(data) >>> 0 !== entry.crc >>> 0) throw unreadable(`the entry ${name} fails its checksum`);
  return data;
}

/**
 * An entry's path with `\` as `/` and `.` segments dropped; an absolute
 * path, a drive letter, a `..` segment or a control character is refused.
 */
function entryPath(raw: string): string {
  const unsafe = (why: string) => badRequest('unsafe_zip_entry', `The zip is refused: the entry ${safeName(raw)} ${why}.`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw unsafe('has a control character in its name');
  const path = raw.replace(/\\/g, '/');
  if (path.startsWith('/') || /^[a-z]:/i.test(path)) throw unsafe('has an absolute path');
  const segments = path.split('/');
  if (segments.includes('..')) throw unsafe('climbs out of the archive with ".."');
  const kept = segments.filter((s, i) => s !== '.' && (s !== '' || i === segments.length - 1));
  return kept.join('/');
}

/** The key under which two names are one file on a case-insensitive disk, or to a reader that normalises Unicode. */
const fileKey = (name: string) => name.normalize('NFC').toLowerCase().replace(/\/$/, '');

function refuseDuplicates(entries: ZipEntry[]): void {
  const seen = new Map<string, string>();
  for (const entry of entries) {
    const key = fileKey(entry.name);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const how = earlier === entry.name ? 'twice' : `again as ${safeName(entry.name)}`;
      throw badRequest('duplicate_zip_entry', `The zip is refused: it lists ${safeName(earlier)} ${how}; each file may appear once.`, { name: safeName(earlier) });
    }
    seen.set(key, entry.name);
  }
}

/** Each entry's local header and data must lie after the previous one's: no two entries share stored bytes. */
function refuseOverlaps(bytes: Uint8Array, entries: ZipEntry[]): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  let end = 0;
  for (const entry of byOffset) {
    if (entry.localOffset < end) {
      throw badRequest('overlapping_zip_entries', `The zip is refused: the entry ${safeName(entry.name)} shares its stored data with another entry.`);
    }
    if (entry.localOffset + 30 > bytes.byteLength || view.getUint32(entry.localOffset, true) !== LOCAL) throw unreadable(`the entry ${safeName(entry.name)} is damaged`);
    end = entry.localOffset + 30 + view.getUint16(entry.localOffset + 26, true) + view.getUint16(entry.localOffset + 28, true) + entry.compressedSize;
  }
}

function zipTooLarge(reason: string): AppError {
  return new AppError(413, 'zip_too_large', `The zip is refused: ${reason}.`);
}

/** An entry name fit for a message (no control characters, bounded). */
function safeName(name: string): string {
  return name.replace(/[^\p{L}\p{N}._ /-]/gu, '_').slice(0, 80);
}
