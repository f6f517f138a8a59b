/**
 * The PMTiles v3 byte layout shared by the reader and the writer: the
 * 127-byte header, the enums it holds, and the (uncompressed) directory
 * encoding. Spec: https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md
 *
 * Pure: no Node built-ins, so the reader can run in the browser too.
 */
import { PMTilesError } from './pmtiles-error.ts';

export const HEADER_BYTES = 127;

/** Header plus root directory must fit in the first 16 KiB (spec §4). */
export const ROOT_PREFETCH_BYTES = 16_384;

/** Largest compressed root directory a writer may emit: 16,384 − 127 bytes. */
export const MAX_ROOT_DIRECTORY_BYTES = ROOT_PREFETCH_BYTES - HEADER_BYTES;

const MAGIC = 'PMTiles';
export const SPEC_VERSION = 3;

/** Tile types by their header code (spec §3.2 "Tile Type"). */
export const TILE_TYPES = ['unknown', 'mvt', 'png', 'jpeg', 'webp', 'avif'] as const;
export type TileType = (typeof TILE_TYPES)[number];

/** Compressions by their header code (spec §3.3). */
export const COMPRESSIONS = ['unknown', 'none', 'gzip', 'brotli', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export function tileTypeCode(type: TileType): number {
  return TILE_TYPES.indexOf(type);
}

export function compressionCode(compression: Compression): number {
  return COMPRESSIONS.indexOf(compression);
}

/** The conventional Content-Type for a tile type (undefined for `unknown`). */
export function tileContentType(type: TileType): string | undefined {
  switch (type) {
    case 'mvt':
      return 'application/vnd.mapbox-vector-tile';
    case 'png':
      return 'image/png';
    case 'jpeg':
      return 'image/jpeg';
    case 'webp':
      return 'image/webp';
    case 'avif':
      return 'image/avif';
    default:
      return undefined;
  }
}

/** The decoded 127-byte header. Offsets are from the start of the archive. */
export interface PMTilesHeader {
  specVersion: number;
  rootDirectoryOffset: number;
  rootDirectoryLength: number;
  jsonMetadataOffset: number;
  jsonMetadataLength: number;
  leafDirectoryOffset: number;
  leafDirectoryLength: number;
  tileDataOffset: number;
  tileDataLength: number;
  /** Tiles before run-length encoding; 0 if unknown. */
  numAddressedTiles: number;
  /** Directory entries with runLength > 0; 0 if unknown. */
  numTileEntries: number;
  /** Distinct tile blobs in the data section; 0 if unknown. */
  numTileContents: number;
  clustered: boolean;
  internalCompression: Compression;
  tileCompression: Compression;
  tileType: TileType;
  minZoom: number;
  maxZoom: number;
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
  centerZoom: number;
  centerLon: number;
  centerLat: number;
}

/**
 * One directory entry (spec §4.1). runLength > 0: tiles tileId … tileId +
 * runLength − 1 share the blob at `offset` in the tile data section.
 * runLength = 0: a leaf directory at `offset` in the leaf directory section
 * whose first tile is tileId.
 */
export interface DirectoryEntry {
  tileId: number;
  offset: number;
  length: number;
  runLength: number;
}

const UINT32_MAX = 0xffff_ffff;

function setUint64(view: DataView, at: number, value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new PMTilesError('invalid_input', `header ${field} must be a non-negative safe integer, got ${value}`);
  }
  view.setUint32(at, value % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

function getUint64(view: DataView, at: number, field: string): number {
  const value = view.getUint32(at + 4, true) * 2 ** 32 + view.getUint32(at, true);
  if (!Number.isSafeInteger(value)) {
    throw new PMTilesError('corrupt_header', `header ${field} (${value}) is beyond 2^53`);
  }
  return value;
}

function setE7(view: DataView, at: number, degrees: number, field: string): void {
  const value = Math.round(degrees * 1e7);
  if (!Number.isFinite(degrees) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new PMTilesError('invalid_input', `header ${field} must be a finite number of degrees, got ${degrees}`);
  }
  view.setInt32(at, value, true);
}

function setUint8(view: DataView, at: number, value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new PMTilesError('invalid_input', `header ${field} must be an integer in [0, 255], got ${value}`);
  }
  view.setUint8(at, value);
}

/** Encodes the 127-byte header (magic and version included). */
export function encodeHeader(h: PMTilesHeader): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  bytes[7] = SPEC_VERSION;
  setUint64(view, 8, h.rootDirectoryOffset, 'rootDirectoryOffset');
  setUint64(view, 16, h.rootDirectoryLength, 'rootDirectoryLength');
  setUint64(view, 24, h.jsonMetadataOffset, 'jsonMetadataOffset');
  setUint64(view, 32, h.jsonMetadataLength, 'jsonMetadataLength');
  setUint64(view, 40, h.leafDirectoryOffset, 'leafDirectoryOffset');
  setUint64(view, 48, h.leafDirectoryLength, 'leafDirectoryLength');
  setUint64(view, 56, h.tileDataOffset, 'tileDataOffset');
  setUint64(view, 64, h.tileDataLength, 'tileDataLength');
  setUint64(view, 72, h.numAddressedTiles, 'numAddressedTiles');
  setUint64(view, 80, h.numTileEntries, 'numTileEntries');
  setUint64(view, 88, h.numTileContents, 'numTileContents');
  bytes[96] = h.clustered ? 1 : 0;
  bytes[97] = compressionCode(h.internalCompression);
  bytes[98] = compressionCode(h.tileCompression);
  bytes[99] = tileTypeCode(h.tileType);
  setUint8(view, 100, h.minZoom, 'minZoom');
  setUint8(view, 101, h.maxZoom, 'maxZoom');
  setE7(view, 102, h.minLon, 'minLon');
  setE7(view, 106, h.minLat, 'minLat');
  setE7(view, 110, h.maxLon, 'maxLon');
  setE7(view, 114, h.maxLat, 'maxLat');
  setUint8(view, 118, h.centerZoom, 'centerZoom');
  setE7(view, 119, h.centerLon, 'centerLon');
  setE7(view, 123, h.centerLat, 'centerLat');
  return bytes;
}

/**
 * Checks the magic number and version of the first bytes of an archive. Fewer
 * than 127 bytes is `truncated` only if what is there could still be the start
 * of a PMTiles header; otherwise it is `not_pmtiles`.
 */
export function checkMagic(bytes: Uint8Array): void {
  const magic = new TextEncoder().encode(MAGIC);
  const n = Math.min(bytes.length, magic.length);
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== magic[i]) {
      // v1 and v2 archives start with "PM" and a little-endian uint16 version.
      if (i >= 2 && bytes.length >= 4 && (bytes[2] === 1 || bytes[2] === 2) && bytes[3] === 0) {
        throw new PMTilesError('unsupported_version', `PMTiles spec version ${bytes[2]} is not supported; convert the archive to version 3`);
      }
      throw new PMTilesError('not_pmtiles', 'not a PMTiles archive: the magic number "PMTiles" is missing');
    }
  }
  if (bytes.length < HEADER_BYTES) {
    throw new PMTilesError('truncated', `archive is ${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  }
  if (bytes[7] !== SPEC_VERSION) {
    throw new PMTilesError('unsupported_version', `PMTiles spec version ${bytes[7]} is not supported (only version 3)`);
  }
}

function decodeCompression(code: number, field: string): Compression {
  const c = COMPRESSIONS[code];
  if (c === undefined) throw new PMTilesError('corrupt_header', `header ${field} has unknown compression code ${code}`);
  return c;
}

/**
 * Decodes and sanity-checks the header from the first 127 (or more) bytes.
 * Section bounds against the archive size are checked by the reader, which
 * may know the size.
 */
export function decodeHeader(bytes: Uint8Array): PMTilesHeader {
  checkMagic(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const e7 = (at: number) => view.getInt32(at, true) / 1e7;
  const header: PMTilesHeader = {
    specVersion: view.getUint8(7),
    rootDirectoryOffset: getUint64(view, 8, 'rootDirectoryOffset'),
    rootDirectoryLength: getUint64(view, 16, 'rootDirectoryLength'),
    jsonMetadataOffset: getUint64(view, 24, 'jsonMetadataOffset'),
    jsonMetadataLength: getUint64(view, 32, 'jsonMetadataLength'),
    leafDirectoryOffset: getUint64(view, 40, 'leafDirectoryOffset'),
    leafDirectoryLength: getUint64(view, 48, 'leafDirectoryLength'),
    tileDataOffset: getUint64(view, 56, 'tileDataOffset'),
    tileDataLength: getUint64(view, 64, 'tileDataLength'),
    numAddressedTiles: getUint64(view, 72, 'numAddressedTiles'),
    numTileEntries: getUint64(view, 80, 'numTileEntries'),
    numTileContents: getUint64(view, 88, 'numTileContents'),
    clustered: view.getUint8(96) === 1,
    internalCompression: decodeCompression(view.getUint8(97), 'internalCompression'),
    tileCompression: decodeCompression(view.getUint8(98), 'tileCompression'),
    // Newer minor spec revisions add tile types (AVIF came in 3.1): an unknown code is "unknown", not an error.
    tileType: TILE_TYPES[view.getUint8(99)] ?? 'unknown',
    minZoom: view.getUint8(100),
    maxZoom: view.getUint8(101),
    minLon: e7(102),
    minLat: e7(106),
    maxLon: e7(110),
    maxLat: e7(114),
    centerZoom: view.getUint8(118),
    centerLon: e7(119),
    centerLat: e7(123),
  };
  if (header.rootDirectoryLength === 0) {
    throw new PMTilesError('corrupt_header', 'header says the root directory is empty');
  }
  if (header.rootDirectoryOffset < HEADER_BYTES) {
    throw new PMTilesError('corrupt_header', `root directory offset ${header.rootDirectoryOffset} overlaps the header`);
  }
  if (header.minZoom > header.maxZoom) {
    throw new PMTilesError('corrupt_header', `header min zoom ${header.minZoom} is greater than max zoom ${header.maxZoom}`);
  }
  return header;
}

/** Largest varint byte count for a number below 2^53. */
const MAX_VARINT_BYTES = 8;

/** Protobuf-style unsigned varints, little-endian groups of 7 bits. */
class VarintWriter {
  private buf: Uint8Array;
  pos = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  write(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

class VarintReader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  read(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new PMTilesError('corrupt_directory', 'directory ends in the middle of a varint');
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(value)) throw new PMTilesError('corrupt_directory', 'directory varint is beyond 2^53');
        return value;
      }
      scale *= 0x80;
    }
    throw new PMTilesError('corrupt_directory', 'directory varint is longer than 10 bytes');
  }
}

/**
 * Serializes entries (sorted by tileId) as spec §4.2 describes, before
 * internal compression: entry count, tile id deltas, run lengths, lengths,
 * then offsets (0 = right after the previous entry, else offset + 1).
 */
export function serializeDirectory(entries: readonly DirectoryEntry[]): Uint8Array {
  const w = new VarintWriter((1 + 4 * entries.length) * MAX_VARINT_BYTES);
  w.write(entries.length);
  let lastId = 0;
  for (const e of entries) {
    w.write(e.tileId - lastId);
    lastId = e.tileId;
  }
  for (const e of entries) w.write(e.runLength);
  for (const e of entries) w.write(e.length);
  let next = -1;
  for (const e of entries) {
    w.write(e.offset === next ? 0 : e.offset + 1);
    next = e.offset + e.length;
  }
  return w.bytes();
}

/**
 * Decodes an uncompressed directory, rejecting anything the spec forbids:
 * zero entries, tile ids not strictly ascending, zero lengths, values that
 * overflow the spec's integer widths.
 */
export function deserializeDirectory(bytes: Uint8Array): DirectoryEntry[] {
  const r = new VarintReader(bytes);
  const n = r.read();
  if (n === 0) throw new PMTilesError('corrupt_directory', 'directory has no entries');
  // Every entry takes at least four one-byte varints: refuse counts the bytes cannot hold
  // before allocating for them.
  if (n > r.remaining / 4) {
    throw new PMTilesError('corrupt_directory', `directory claims ${n} entries but has only ${r.remaining} bytes`);
  }
  const entries: DirectoryEntry[] = new Array(n);
  let lastId = 0;
  for (let i = 0; i < n; i++) {
    const delta = r.read();
    if (i > 0 && delta === 0) throw new PMTilesError('corrupt_directory', 'directory tile ids are not strictly ascending');
    lastId += delta;
    if (!Number.isSafeInteger(lastId)) throw new PMTilesError('corrupt_directory', 'directory tile id is beyond 2^53');
    entries[i] = { tileId: lastId, offset: 0, length: 0, runLength: 0 };
  }
  for (const e of entries) {
    e.runLength = r.read();
    if (e.runLength > UINT32_MAX) throw new PMTilesError('corrupt_directory', `run length ${e.runLength} exceeds 32 bits`);
  }
  for (const e of entries) {
    e.length = r.read();
    if (e.length === 0 || e.length > UINT32_MAX) {
      throw new PMTilesError('corrupt_directory', `entry length ${e.length} is not in [1, 2^32)`);
    }
  }
  let previous: DirectoryEntry | undefined;
  for (const e of entries) {
    const v = r.read();
    if (v === 0) {
      if (previous === undefined) throw new PMTilesError('corrupt_directory', 'first directory entry has no offset');
      e.offset = previous.offset + previous.length;
    } else {
      e.offset = v - 1;
    }
    previous = e;
  }
  return entries;
}

/**
 * The entry whose tile range (or leaf directory) holds tileId, by binary
 * search over entries sorted by tileId; undefined when no entry does.
 */
export function findEntry(entries: readonly DirectoryEntry[], tileId: number): DirectoryEntry | undefined {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = entries[mid]!;
    if (e.tileId < tileId) lo = mid + 1;
    else if (e.tileId > tileId) hi = mid - 1;
    else return e;
  }
  // hi is now the last entry starting before tileId.
  const e = entries[hi];
  if (e === undefined) return undefined;
  if (e.runLength === 0 || tileId - e.tileId < e.runLength) return e;
  return undefined;
}
