/**
 * PMTiles v3 writer, hand-written from the spec (spec/v3/spec.md in
 * protomaps/PMTiles). We found no maintained JavaScript writer to depend on:
 * the official `pmtiles` npm package only reads archives, and the reference
 * writers are Go (go-pmtiles) and Python. This follows the reference writers'
 * choices: tiles in Hilbert tile id order (clustered), identical contents
 * stored once, consecutive identical tiles run-length encoded, gzip internal
 * compression (level 9), and leaf directories of 4096 entries, doubled until the root
 * directory fits in the first 16 KiB.
 *
 * Node only (node:zlib, node:crypto, node:fs); the reader is not.
 */
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { PMTilesError } from './pmtiles-error.ts';
import {
  type Compression,
  type DirectoryEntry,
  decodeHeader,
  encodeHeader,
  HEADER_BYTES,
  MAX_ROOT_DIRECTORY_BYTES,
  type PMTilesHeader,
  serializeDirectory,
  type TileType,
} from './pmtiles-format.ts';
import { isValidTile, MAX_ZOOM, tileToBBox, zxyToTileId } from './tile-math.ts';

export interface TileInput {
  z: number;
  x: number;
  y: number;
  /** The tile bytes exactly as they will be served (already compressed as `tileCompression` says). */
  data: Uint8Array;
}

export interface PMTilesWriteOptions {
  tileType: TileType;
  /** How the given tile bytes are compressed; the writer stores them unchanged. */
  tileCompression: Compression;
  /** The JSON metadata object (TileJSON-like: `vector_layers`, `name`, `attribution`, …). */
  metadata?: Record<string, unknown>;
  /** Defaults to the lowest zoom among the tiles. */
  minZoom?: number;
  /** Defaults to the highest zoom among the tiles. */
  maxZoom?: number;
  /** [west, south, east, north] in degrees; defaults to the union of the tiles' bounds. */
  bounds?: [number, number, number, number];
  /** [lon, lat, zoom]; defaults to the middle of the bounds at the min zoom. */
  center?: [number, number, number];
  /** Compression of directories and metadata: gzip (default, as every reference writer does) or none (for debugging). */
  internalCompression?: 'gzip' | 'none';
}

/** What a file write produced. */
export interface PMTilesWriteResult {
  header: PMTilesHeader;
  /** Size of the archive in bytes. */
  size: number;
  leafDirectories: number;
}

const LEAF_SIZE_START = 4096;
const UINT32_MAX = 0xffff_ffff;

type Compress = (bytes: Uint8Array) => Uint8Array;
const gzip: Compress = (bytes) => gzipSync(bytes, { level: 9 });
const identity: Compress = (bytes) => bytes;

/**
 * Turns tiles arriving in ascending tile id order into directory entries:
 * new contents get the next offset in the data section, repeated contents
 * reuse the first offset, and a tile repeating the previous entry's content
 * at the next tile id extends that entry's run length.
 */
class TileIndex {
  readonly entries: DirectoryEntry[] = [];
  dataLength = 0;
  addressedTiles = 0;
  minZoom = Number.POSITIVE_INFINITY;
  maxZoom = Number.NEGATIVE_INFINITY;
  readonly bounds: [number, number, number, number] = [180, 90, -180, -90];
  private readonly offsets = new Map<string, number>();
  private lastTileId = -1;

  get tileContents(): number {
    return this.offsets.size;
  }

  /** Adds a tile; returns true when its bytes are new and must be appended to the data section. */
  add(tile: TileInput, tileId: number): boolean {
    const { z, x, y, data } = tile;
    if (tileId === this.lastTileId) throw new PMTilesError('invalid_input', `tile ${z}/${x}/${y} is given twice`);
    if (tileId < this.lastTileId) {
      throw new PMTilesError('invalid_input', `tile ${z}/${x}/${y} comes after a tile with a higher tile id; sort the tiles by zxyToTileId`);
    }
    this.lastTileId = tileId;
    this.addressedTiles++;
    this.minZoom = Math.min(this.minZoom, z);
    this.maxZoom = Math.max(this.maxZoom, z);
    const [w, s, e, n] = tileToBBox(z, x, y);
    this.bounds[0] = Math.min(this.bounds[0], w);
    this.bounds[1] = Math.min(this.bounds[1], s);
    this.bounds[2] = Math.max(this.bounds[2], e);
    this.bounds[3] = Math.max(this.bounds[3], n);

    // SHA-256 stands in for the bytes: a collision would need 2^128 tiles.
    const key = createHash('sha256').update(data).digest('base64');
    const known = this.offsets.get(key);
    if (known === undefined) {
      this.offsets.set(key, this.dataLength);
      this.entries.push({ tileId, offset: this.dataLength, length: data.length, runLength: 1 });
      this.dataLength += data.length;
      return true;
    }
    const last = this.entries.at(-1);
    if (last && last.offset === known && last.tileId + last.runLength === tileId && last.runLength < UINT32_MAX) {
      last.runLength++;
    } else {
      this.entries.push({ tileId, offset: known, length: data.length, runLength: 1 });
    }
    return false;
  }
}

function checkTile(tile: TileInput): number {
  const { z, x, y, data } = tile;
  if (!isValidTile(z, x, y)) throw new PMTilesError('invalid_input', `tile ${z}/${x}/${y} is not a valid tile (zoom 0–${MAX_ZOOM})`);
  if (!(data instanceof Uint8Array)) throw new PMTilesError('invalid_input', `tile ${z}/${x}/${y} data is not a Uint8Array`);
  // The spec forbids zero-length entries: an empty tile is left out instead.
  if (data.length === 0) throw new PMTilesError('invalid_input', `tile ${z}/${x}/${y} is empty; leave empty tiles out`);
  if (data.length > UINT32_MAX) throw new PMTilesError('invalid_input', `tile ${z}/${x}/${y} is larger than 4 GiB`);
  return zxyToTileId(z, x, y);
}

interface Directories {
  root: Uint8Array;
  leaves: Uint8Array;
  leafCount: number;
}

/**
 * The root directory alone when it fits in 16 KiB with the header, otherwise
 * a root of leaf pointers (run length 0) over leaves of `leafSize` entries,
 * starting at 4096 and doubling until the root fits, as go-pmtiles and the
 * Python writer do.
 */
function buildDirectories(entries: readonly DirectoryEntry[], compress: Compress): Directories {
  const root = compress(serializeDirectory(entries));
  if (root.length <= MAX_ROOT_DIRECTORY_BYTES) return { root, leaves: new Uint8Array(0), leafCount: 0 };
  for (let leafSize = LEAF_SIZE_START; ; leafSize *= 2) {
    const rootEntries: DirectoryEntry[] = [];
    const leaves: Uint8Array[] = [];
    let leavesLength = 0;
    for (let i = 0; i < entries.length; i += leafSize) {
      const leaf = compress(serializeDirectory(entries.slice(i, i + leafSize)));
      rootEntries.push({ tileId: entries[i]!.tileId, offset: leavesLength, length: leaf.length, runLength: 0 });
      leaves.push(leaf);
      leavesLength += leaf.length;
    }
    const leafRoot = compress(serializeDirectory(rootEntries));
    if (leafRoot.length <= MAX_ROOT_DIRECTORY_BYTES) {
      return { root: leafRoot, leaves: concat(leaves, leavesLength), leafCount: leaves.length };
    }
  }
}

function concat(parts: readonly Uint8Array[], length = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function checkZoom(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_ZOOM) {
    throw new PMTilesError('invalid_input', `${name} must be an integer in [0, ${MAX_ZOOM}], got ${value}`);
  }
  return value;
}

/** Everything before the tile data: header, root directory, metadata, leaf directories. */
function buildPrefix(index: TileIndex, options: PMTilesWriteOptions): { prefix: Uint8Array; header: PMTilesHeader; leafCount: number } {
  if (index.entries.length === 0) throw new PMTilesError('invalid_input', 'an archive needs at least one tile');
  const minZoom = checkZoom(options.minZoom ?? index.minZoom, 'minZoom');
  const maxZoom = checkZoom(options.maxZoom ?? index.maxZoom, 'maxZoom');
  if (minZoom > index.minZoom || maxZoom < index.maxZoom) {
    // Readers skip zooms outside the header's range: such tiles would be unreachable.
    throw new PMTilesError('invalid_input', `tiles span zooms ${index.minZoom}–${index.maxZoom}, outside minZoom/maxZoom ${minZoom}–${maxZoom}`);
  }
  const [west, south, east, north] = options.bounds ?? index.bounds;
  const [centerLon, centerLat, centerZoom] = options.center ?? [(west + east) / 2, (south + north) / 2, minZoom];
  const metadata = options.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new PMTilesError('invalid_input', 'metadata must be a JSON object');
  }

  const internalCompression = options.internalCompression ?? 'gzip';
  if (internalCompression !== 'gzip' && internalCompression !== 'none') {
    throw new PMTilesError('invalid_input', `internalCompression must be gzip or none, got ${internalCompression}`);
  }
  const compress = internalCompression === 'gzip' ? gzip : identity;
  const { root, leaves, leafCount } = buildDirectories(index.entries, compress);
  const metadataBytes = compress(new TextEncoder().encode(JSON.stringify(metadata)));
  const metadataOffset = HEADER_BYTES + root.length;
  const leafOffset = metadataOffset + metadataBytes.length;
  const tileDataOffset = leafOffset + leaves.length;
  const header: PMTilesHeader = {
    specVersion: 3,
    rootDirectoryOffset: HEADER_BYTES,
    rootDirectoryLength: root.length,
    jsonMetadataOffset: metadataOffset,
    jsonMetadataLength: metadataBytes.length,
    leafDirectoryOffset: leafOffset,
    leafDirectoryLength: leaves.length,
    tileDataOffset,
    tileDataLength: index.dataLength,
    numAddressedTiles: index.addressedTiles,
    numTileEntries: index.entries.length,
    numTileContents: index.tileContents,
    clustered: true,
    internalCompression,
    tileCompression: options.tileCompression,
    tileType: options.tileType,
    minZoom,
    maxZoom,
    minLon: west,
    minLat: south,
    maxLon: east,
    maxLat: north,
    centerZoom,
    centerLon,
    centerLat,
  };
  const headerBytes = encodeHeader(header);
  // Report the header as stored (positions rounded to 1e-7°), as a reader will see it.
  return { prefix: concat([headerBytes, root, metadataBytes, leaves]), header: decodeHeader(headerBytes), leafCount };
}

/** Writes an archive in memory. Tiles may come in any order; they are sorted by tile id. */
export function writePMTiles(tiles: Iterable<TileInput>, options: PMTilesWriteOptions): Uint8Array {
  const sorted = Array.from(tiles, (tile) => ({ tile, tileId: checkTile(tile) })).sort((a, b) => a.tileId - b.tileId);
  const index = new TileIndex();
  const contents: Uint8Array[] = [];
  for (const { tile, tileId } of sorted) {
    if (index.add(tile, tileId)) contents.push(tile.data);
  }
  const { prefix } = buildPrefix(index, options);
  return concat([prefix, ...contents]);
}

const FLUSH_BYTES = 1 << 20;

/**
 * Writes an archive to a file without holding the tile data in memory: new
 * tile contents go to a temporary file beside `path`, then the header and
 * directories are written and the tile data copied after them. Tiles must
 * arrive in ascending tile id order (`zxyToTileId`), as a generator reading
 * a database ordered by tile id would yield them.
 */
export async function writePMTilesFile(
  path: string,
  tiles: Iterable<TileInput> | AsyncIterable<TileInput>,
  options: PMTilesWriteOptions,
): Promise<PMTilesWriteResult> {
  const tempPath = `${path}.${process.pid}.${Date.now()}.tiledata.tmp`;
  const temp = await open(tempPath, 'w+');
  let out: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const index = new TileIndex();
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes > 0) await temp.write(concat(pending, pendingBytes));
      pending = [];
      pendingBytes = 0;
    };
    for await (const tile of tiles) {
      if (index.add(tile, checkTile(tile))) {
        pending.push(tile.data);
        pendingBytes += tile.data.length;
        if (pendingBytes >= FLUSH_BYTES) await flush();
      }
    }
    await flush();

    const { prefix, header, leafCount } = buildPrefix(index, options);
    out = await open(path, 'w');
    await out.write(prefix);
    const chunk = new Uint8Array(FLUSH_BYTES);
    for (let at = 0; at < index.dataLength; ) {
      const { bytesRead } = await temp.read(chunk, 0, Math.min(chunk.length, index.dataLength - at), at);
      if (bytesRead === 0) throw new Error(`temporary tile data file ${tempPath} ended early`);
      await out.write(chunk.subarray(0, bytesRead));
      at += bytesRead;
    }
    await out.close();
    out = undefined;
    return { header, size: prefix.length + index.dataLength, leafDirectories: leafCount };
  } catch (error) {
    if (out) {
      await out.close();
      await rm(path, { force: true });
    }
    throw error;
  } finally {
    await temp.close();
    await rm(tempPath, { force: true });
  }
}
