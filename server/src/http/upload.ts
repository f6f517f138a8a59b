import { AppError } from './errors.ts';

/** What a file is, judged by its first bytes; its name and declared type are not trusted. */
export type FileKind = 'jpeg' | 'png' | 'webp' | 'heic' | 'gif' | 'zip' | 'gzip' | 'pdf' | 'xml' | 'json' | 'unknown';

const startsWith = (bytes: Uint8Array, signature: number[], offset = 0) => signature.every((b, i) => bytes[offset + i] === b);
const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));

/** Leading text of a file, without a UTF-8 byte-order mark and whitespace. */
function leadingText(bytes: Uint8Array): string {
  const start = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(start, start + 256)).trimStart();
}

export function sniff(bytes: Uint8Array): FileKind {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  // ISO-BMFF: "ftyp" at 4, then a HEIF brand
  if (ascii(bytes, 4, 8) === 'ftyp' && /^(heic|heix|hevc|heim|heis|mif1|msf1)$/.test(ascii(bytes, 8, 12))) return 'heic';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'gif';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip';
  if (ascii(bytes, 0, 5) === '%PDF-') return 'pdf';
  const text = leadingText(bytes);
  if (text.startsWith('<?xml') || /^<(kml|gpx|svg)[\s>]/i.test(text)) return 'xml';
  if (text.startsWith('{') || text.startsWith('[')) return 'json';
  return 'unknown';
}

export interface UploadRule {
  allowed: readonly FileKind[];
  maxBytes: number;
}

/**
 * Checks an uploaded file by its content: too big → 413, empty → 400, a kind
 * not allowed (whatever its name says: an .jpg that is HTML) → 415.
 * Returns the kind found, which decides how the file is read.
 */
export function checkUpload(name: string, bytes: Uint8Array, rule: UploadRule): FileKind {
  const label = name.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 80) || 'the file';
  if (bytes.byteLength === 0) throw new AppError(400, 'empty_file', `${label} is empty.`);
  if (bytes.byteLength > rule.maxBytes) {
    throw new AppError(413, 'file_too_large', `${label} has ${(bytes.byteLength / 1048576).toFixed(1)} MB; the limit is ${(rule.maxBytes / 1048576).toFixed(1)} MB.`);
  }
  const kind = sniff(bytes);
  if (!rule.allowed.includes(kind)) {
    throw new AppError(415, 'unsupported_file', `${label} is ${kind === 'unknown' ? 'of an unknown kind' : `a ${kind} file`}; accepted: ${rule.allowed.join(', ')}.`, { kind });
  }
  return kind;
}
