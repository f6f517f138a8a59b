import { CsvError, parse } from 'csv-parse/sync';
import { AppError, badRequest } from '../http/errors.ts';
import { checkUpload, type FileKind, sniff } from '../http/upload.ts';

/** Largest CSV a problem import reads (the same as a layer import). */
export const MAX_PROBLEM_CSV_BYTES = 20 * 1024 * 1024;
/** Most data rows one import takes: a district's problems of several years. */
export const MAX_PROBLEM_CSV_ROWS = 100_000;

export interface CsvTable {
  encoding: 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';
  delimiter: ',' | ';' | '\t' | '|';
  /** Column names as the header row has them (trimmed, entities decoded; empty or repeated names made unique). */
  header: string[];
  /** Data rows, each cell trimmed and with HTML entities decoded; a short row is padded with empty cells. */
  rows: string[][];
}

const unreadable = (reason: string, details?: unknown) => badRequest('unreadable_file', `The file cannot be read as CSV: ${reason}.`, details);

/**
 * Reads an uploaded CSV: judged by its bytes (a zip, an image, JSON or XML
 * is refused whatever its name), decoded as UTF-8 (with or without a BOM),
 * UTF-16 with a BOM (Excel's "Unicode text") or GB18030 (Excel's CSV on a
 * Chinese Windows), the delimiter taken from the header line, quoted
 * fields with commas, quotes and line breaks in them, CRLF or LF.
 */
export function readCsv(fileName: string, bytes: Uint8Array): CsvTable {
  checkUpload(fileName, bytes, { allowed: ALL_KINDS, maxBytes: MAX_PROBLEM_CSV_BYTES });
  const kind = sniff(bytes);
  if (kind !== 'unknown') {
    throw new AppError(415, 'unsupported_file', `The file is ${kind === 'json' || kind === 'xml' ? `${kind.toUpperCase()} text` : `a ${kind} file`}, not a CSV table.`, { kind });
  }
  const { text, encoding } = decode(bytes);
  const bad = controlCharacter(text);
  if (bad) throw unreadable(`it holds a control character (U+${bad.code.toString(16).padStart(4, '0').toUpperCase()}) at character ${bad.at + 1}: it is not a text table`);
  const delimiter = delimiterOf(text);
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      // the header, the rows allowed and one more to know there are too many
      to: MAX_PROBLEM_CSV_ROWS + 2,
      max_record_size: 1_000_000,
    });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === 'number' ? ` (line ${error.lines})` : '';
      throw unreadable(`${csvProblem(error.code)}${line}`, { code: error.code });
    }
    throw error;
  }
  const [head, ...body] = records;
  if (!head || head.length < 2) {
    throw badRequest('not_a_table', 'The file has no header row with at least two columns (column names in the first line, separated by commas).');
  }
  if (body.length === 0) throw badRequest('no_rows', 'The file has a header but no data rows.');
  if (body.length > MAX_PROBLEM_CSV_ROWS) {
    throw new AppError(413, 'too_many_rows', `The file has more than ${MAX_PROBLEM_CSV_ROWS.toLocaleString('en')} rows; split it and import the parts one after another.`);
  }
  const header = uniqueNames(head.map((h) => cleanCell(h)));
  const width = header.length;
  const rows = body.map((record) => {
    const row = record.slice(0, width).map(cleanCell);
    while (row.length < width) row.push('');
    return row;
  });
  return { encoding, delimiter, header, rows };
}

const ALL_KINDS: readonly FileKind[] = ['jpeg', 'png', 'webp', 'heic', 'gif', 'zip', 'gzip', 'pdf', 'xml', 'json', 'unknown'];

function decode(bytes: Uint8Array): { text: string; encoding: CsvTable['encoding'] } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    // not UTF-8: a CSV saved by Excel on a Chinese Windows is GBK, which GB18030 contains
  }
  try {
    return { text: new TextDecoder('gb18030', { fatal: true }).decode(bytes), encoding: 'gb18030' };
  } catch {
    throw unreadable('it is neither UTF-8 nor GB18030 (GBK) text');
  }
}

/** The first control character that no text table has (tab, line feed, carriage return and form feed pass). */
function controlCharacter(text: string): { code: number; at: number } | null {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c) || code === 0x7f) return { code, at: i };
  }
  return null;
}

/** The delimiter the header line uses most, outside quotes: comma, semicolon, tab or bar. */
function delimiterOf(text: string): CsvTable['delimiter'] {
  const counts: Record<CsvTable['delimiter'], number> = { ',': 0, ';': 0, '\t': 0, '|': 0 };
  let quoted = false;
  for (let i = 0; i < text.length && i < 100_000; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as CsvTable['delimiter']]++;
  }
  let best: CsvTable['delimiter'] = ',';
  for (const d of [';', '\t', '|'] as const) if (counts[d] > counts[best]) best = d;
  return best;
}

function csvProblem(code: string): string {
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed';
    case 'CSV_MAX_RECORD_SIZE':
      return 'a row is longer than a million characters';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote inside a quoted field is not doubled';
    default:
      return `the CSV is malformed (${code})`;
  }
}

function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((raw, i) => {
    const name = raw.slice(0, 100) || `column ${i + 1}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} (${n})`;
  });
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/**
 * HTML character references (&amp; &lt; &gt; &quot; &apos; &nbsp; and numeric
 * ones), as exports from web systems leave them in text ("City Sq &amp;
 * Harvard St"). Decoded once: "&amp;amp;" becomes "&amp;".
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#')) {
      const code = lower.startsWith('#x') ? Number.parseInt(lower.slice(2), 16) : Number.parseInt(lower.slice(1), 10);
      // no control characters, surrogates or NUL from a reference
      if (code < 0x20 && code !== 0x09 && code !== 0x0a) return whole;
      if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff || code === 0x7f) return whole;
      return String.fromCodePoint(code);
    }
    return NAMED[lower] ?? whole;
  });
}

/** A cell as the import uses it: entities decoded, runs of spaces of a padded export kept, ends trimmed. */
export const cleanCell = (cell: string): string => decodeEntities(cell).trim();

/* ------------------------------------------------------------------ coordinates */

export type Position = { lon: number; lat: number };
export type PositionResult = { ok: true; position: Position } | { ok: false; reason: 'no_coordinates' | 'bad_coordinates'; message: string };

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function inRange(lon: number, lat: number): PositionResult {
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return { ok: false, reason: 'bad_coordinates', message: 'The coordinates are not finite numbers.' };
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
    return { ok: false, reason: 'bad_coordinates', message: `(${lon}, ${lat}) is not a longitude/latitude pair: are the columns swapped, or the coordinates projected?` };
  }
  return { ok: true, position: { lon, lat } };
}

/** Longitude and latitude from two cells; both empty → no coordinates. */
export function positionFromCells(lonText: string, latText: string): PositionResult {
  if (lonText === '' && latText === '') return { ok: false, reason: 'no_coordinates', message: 'Longitude and latitude are empty.' };
  if (lonText === '' || latText === '') return { ok: false, reason: 'no_coordinates', message: `The ${lonText === '' ? 'longitude' : 'latitude'} is empty.` };
  if (!NUMBER.test(lonText) || !NUMBER.test(latText)) {
    return { ok: false, reason: 'bad_coordinates', message: `"${lonText.slice(0, 40)}", "${latText.slice(0, 40)}" are not numbers.` };
  }
  return inRange(Number(lonText), Number(latText));
}

/**
 * A point from one cell: WKT ("POINT (lon lat)", with an optional
 * "SRID=4326;"), or hexadecimal WKB/EWKB as PostGIS writes it (Boston's
 * geom_4326 column). A SRID other than 4326 is refused: nothing here
 * reprojects.
 */
export function positionFromPoint(text: string): PositionResult {
  if (text === '') return { ok: false, reason: 'no_coordinates', message: 'The point is empty.' };
  const wkt = /^(?:SRID=(\d+);)?\s*POINT\s*(?:Z|M|ZM)?\s*\(\s*([^\s(),]+)\s+([^\s(),]+)(?:\s+[^\s(),]+){0,2}\s*\)$/i.exec(text);
  if (wkt) {
    if (wkt[1] && wkt[1] !== '4326') return { ok: false, reason: 'bad_coordinates', message: `The point is in SRID ${wkt[1]}; only 4326 (WGS84) is read.` };
    if (!NUMBER.test(wkt[2]!) || !NUMBER.test(wkt[3]!)) return { ok: false, reason: 'bad_coordinates', message: `"${text.slice(0, 60)}" has no numeric coordinates.` };
    return inRange(Number(wkt[2]), Number(wkt[3]));
  }
  if (/^POINT\s*(?:Z|M|ZM)?\s*EMPTY$/i.test(text)) return { ok: false, reason: 'no_coordinates', message: 'The point is empty.' };
  if (/^([0-9a-f]{2})+$/i.test(text) && text.length >= 42 && text.length <= 200) return pointFromWkb(text);
  return { ok: false, reason: 'bad_coordinates', message: `"${text.slice(0, 60)}" is not a point (WKT "POINT (lon lat)" or hexadecimal WKB).` };
}

function pointFromWkb(hex: string): PositionResult {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  const view = new DataView(bytes.buffer);
  const little = bytes[0] === 1;
  if (bytes[0] !== 0 && bytes[0] !== 1) return { ok: false, reason: 'bad_coordinates', message: 'The WKB has no byte-order mark.' };
  const type = view.getUint32(1, little);
  const hasSrid = (type & 0x20000000) !== 0;
  const base = type & 0xffff;
  // 1: Point; 1001/2001/3001 or the EWKB Z/M flags: a point with more dimensions
  if (base % 1000 !== 1) return { ok: false, reason: 'bad_coordinates', message: 'The WKB is not a point.' };
  let at = 5;
  if (hasSrid) {
    const srid = view.getUint32(at, little);
    at += 4;
    if (srid !== 4326) return { ok: false, reason: 'bad_coordinates', message: `The point is in SRID ${srid}; only 4326 (WGS84) is read.` };
  }
  if (bytes.length < at + 16) return { ok: false, reason: 'bad_coordinates', message: 'The WKB is cut short.' };
  const lon = view.getFloat64(at, little);
  const lat = view.getFloat64(at + 8, little);
  if (Number.isNaN(lon) && Number.isNaN(lat)) return { ok: false, reason: 'no_coordinates', message: 'The point is empty.' };
  return inRange(lon, lat);
}

/* ------------------------------------------------------------------------ dates */

export type DateOrder = 'ymd' | 'mdy' | 'dmy';
export type DateResult = { ok: true; date: Date } | { ok: false; empty: boolean; message: string };

const YMD = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:(?:T|\s+)(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:[.,](\d{1,9}))?秒?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DMY_MDY = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:(?:T|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?(?:\s*([AP]M))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * A date or date-time cell: 2025-01-24 03:24:56, 2025/1/24 3:24, 2025年1月24日,
 * ISO 8601 with T, fractions and an offset; with `order` mdy or dmy also
 * 01/24/2025 03:24:56 AM. A time without an offset is local time in `zone`.
 */
export function parseDateCell(text: string, order: DateOrder, zone: TimeZone): DateResult {
  if (text === '') return { ok: false, empty: true, message: 'The date is empty.' };
  let y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0;
  let offset: string | undefined;
  const a = YMD.exec(text);
  const b = a ? null : order === 'ymd' ? null : DMY_MDY.exec(text);
  if (a) {
    [y, mo, d] = [Number(a[1]), Number(a[2]), Number(a[3])];
    if (a[4] !== undefined) [h, mi, s] = [Number(a[4]), Number(a[5]), Number(a[6] ?? 0)];
    ms = a[7] ? Math.round(Number(`0.${a[7]}`) * 1000) : 0;
    offset = a[8];
  } else if (b) {
    const [first, second] = [Number(b[1]), Number(b[2])];
    [mo, d] = order === 'mdy' ? [first, second] : [second, first];
    y = Number(b[3]);
    if (b[4] !== undefined) [h, mi, s] = [Number(b[4]), Number(b[5]), Number(b[6] ?? 0)];
    ms = b[7] ? Math.round(Number(`0.${b[7]}`) * 1000) : 0;
    if (b[8]) {
      if (h < 1 || h > 12) return { ok: false, empty: false, message: `"${text.slice(0, 40)}": ${h} is not an hour of a 12-hour clock.` };
      h = (h % 12) + (b[8].toUpperCase() === 'PM' ? 12 : 0);
    }
    offset = b[9];
  } else {
    const hint = order === 'ymd' ? ' (year first, such as 2025-01-24 08:30; choose the day order for 01/24/2025)' : '';
    return { ok: false, empty: false, message: `"${text.slice(0, 40)}" is not a date${hint}.` };
  }
  if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) {
    return { ok: false, empty: false, message: `"${text.slice(0, 40)}" is not a real date or time.` };
  }
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (offset) {
    const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset);
    const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
    return { ok: true, date: new Date(wall - minutes * 60_000) };
  }
  return { ok: true, date: new Date(zone.toUtc(wall)) };
}

/**
 * An IANA time zone (Asia/Shanghai, America/New_York): wall-clock times in it
 * turned into instants, daylight saving included. Offsets are cached by the
 * hour, so a file of 100,000 rows asks Intl a few thousand times at most.
 */
export class TimeZone {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }

  /** Whether `name` is a time zone this runtime knows. */
  static valid(name: string): boolean {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      return true;
    } catch {
      return false;
    }
  }

  /** The zone's offset from UTC (ms) at an instant. */
  offsetAt(instant: number): number {
    const hour = Math.floor(instant / 3_600_000);
    let offset = this.offsets.get(hour);
    if (offset === undefined) {
      const parts: Record<string, number> = {};
      for (const p of this.format.formatToParts(new Date(hour * 3_600_000))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
      offset = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - hour * 3_600_000;
      this.offsets.set(hour, offset);
    }
    return offset;
  }

  /**
   * The instant of a wall-clock time (given as if it were UTC): of the
   * offsets in force a day before and after, the one that gives back this
   * wall-clock time; in a repeated hour (clocks going back) the earlier
   * instant; in a skipped hour (clocks going forward) the offset before it.
   */
  toUtc(wall: number): number {
    const candidates = [-86_400_000, 0, 86_400_000].map((d) => wall - this.offsetAt(wall + d));
    const valid = candidates.filter((c) => c + this.offsetAt(c) === wall).sort((a, b) => a - b);
    return valid[0] ?? wall - this.offsetAt(wall - 86_400_000);
  }
}
