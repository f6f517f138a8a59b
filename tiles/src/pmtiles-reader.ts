/**
 * PMTiles v3 reader over any random-access source (a file, an HTTP range
 * client, a buffer). Every way an archive can be truncated or corrupt ends in
 * a PMTilesError: sections are checked against the archive size, reads
 * against what came back, directories against the spec's rules, leaf
 * recursion against a depth limit and a visited set.
 *
 * Runs in Node and browsers: gzip goes through node:zlib in Node and the
 * standard DecompressionStream elsewhere (a `decompress` option can replace
 * both, e.g. for zstd).
 */
import { PMTilesError, type PMTilesErrorCode } from './pmtiles-error.ts';
import {
  type Compression,
  type DirectoryEntry,
  decodeHeader,
  deserializeDirectory,
  findEntry,
  HEADER_BYTES,
  type PMTilesHeader,
  ROOT_PREFETCH_BYTES,
} from './pmtiles-format.ts';
import { assertValidTile, MAX_TILE_ID_ZOOM, zxyToTileId } from './tile-math.ts';

/** Random access to the bytes of an archive. */
export interface Source {
  /** Up to `length` bytes starting at `offset`; fewer only where the archive ends. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Archive size in bytes when known: sections beyond it are reported as `truncated` up front. */
  size?: number;
}

/** A Source over an archive already in memory. */
export function bytesSource(bytes: Uint8Array): Source {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

export type DecompressFn = (bytes: Uint8Array, compression: Compression) => Promise<Uint8Array>;

export interface PMTilesReaderOptions {
  /** Replaces the built-in decompression of directories and metadata (none, gzip; brotli in Node). */
  decompress?: DecompressFn;
  /** Leaf directories kept decoded in memory; default 64. */
  maxCachedDirectories?: number;
}

/** What a full walk of the directories found (compare with the header's counts). */
export interface DirectoryStats {
  leafDirectories: number;
  /** Deepest directory level reached; 0 when the root holds every entry. */
  depth: number;
  tileEntries: number;
  addressedTiles: number;
  /** Distinct tile offsets. */
  tileContents: number;
}

/** Directory levels followed from the root (root + 3 leaf levels, as the official reader allows). */
const MAX_DIRECTORY_LEVELS = 4;

/** No sane directory or metadata block is this large; refusing it keeps a corrupt length from exhausting memory. */
const MAX_BLOCK_BYTES = 64 * 1024 * 1024;
const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const part = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  const stream = new Blob([part]).stream().pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_DECOMPRESSED_BYTES) {
      await reader.cancel();
      throw new Error(`decompresses to more than ${MAX_DECOMPRESSED_BYTES} bytes`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * node:zlib when running in Node (≥ 20.16), reached through
 * `process.getBuiltinModule` rather than an import so that browser bundles
 * never see it. It is ~10× faster than DecompressionStream for directory-sized
 * blocks and adds brotli.
 */
const nodeZlib = globalThis.process?.getBuiltinModule?.('node:zlib');

/** Decompression with web-standard APIs only (DecompressionStream): what browsers get by default. */
export const webDecompress: DecompressFn = async (bytes, compression) => {
  if (compression === 'none' || compression === 'unknown') return bytes;
  if (compression === 'gzip') return gunzip(bytes);
  throw new PMTilesError('unsupported_compression', `internal compression ${compression} is not supported here; pass a decompress option`);
};

const defaultDecompress: DecompressFn = async (bytes, compression) => {
  if (!nodeZlib) return webDecompress(bytes, compression);
  if (compression === 'gzip') return nodeZlib.gunzipSync(bytes, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
  if (compression === 'brotli') return nodeZlib.brotliDecompressSync(bytes, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
  return webDecompress(bytes, compression);
};

interface Walk {
  visited: Set<number>;
  lastTileId: number;
  leaves: number;
  depth: number;
}

interface State {
  header: PMTilesHeader;
  root: DirectoryEntry[];
}

export class PMTilesReader {
  private readonly source: Source;
  private readonly decompress: DecompressFn;
  private readonly maxCached: number;
  private state: Promise<State> | undefined;
  private metadata: Promise<Record<string, unknown>> | undefined;
  private readonly leaves = new Map<number, Promise<DirectoryEntry[]>>();

  constructor(source: Source, options: PMTilesReaderOptions = {}) {
    this.source = source;
    this.decompress = options.decompress ?? defaultDecompress;
    this.maxCached = options.maxCachedDirectories ?? 64;
  }

  async getHeader(): Promise<PMTilesHeader> {
    return (await this.init()).header;
  }

  /** The JSON metadata object (read once, then kept). */
  getMetadata(): Promise<Record<string, unknown>> {
    this.metadata ??= this.loadMetadata().catch((error: unknown) => {
      this.metadata = undefined;
      throw error;
    });
    return this.metadata;
  }

  private async loadMetadata(): Promise<Record<string, unknown>> {
    const { header } = await this.init();
    if (header.jsonMetadataLength === 0) return {};
    const raw = await this.readBlock(header.jsonMetadataOffset, header.jsonMetadataLength, 'the metadata', 'corrupt_metadata');
    const bytes = await this.inflate(raw, header.internalCompression, 'the metadata', 'corrupt_metadata');
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (cause) {
      throw new PMTilesError('corrupt_metadata', 'metadata is not valid UTF-8 JSON', { cause });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new PMTilesError('corrupt_metadata', 'metadata is not a JSON object');
    }
    return value as Record<string, unknown>;
  }

  /**
   * The tile's bytes as stored (still compressed as `header.tileCompression`
   * says, ready to serve with that Content-Encoding), or undefined when the
   * archive has no such tile. An invalid z/x/y (z beyond 26) is a RangeError.
   */
  async getTile(z: number, x: number, y: number): Promise<Uint8Array | undefined> {
    assertValidTile(z, x, y, MAX_TILE_ID_ZOOM);
    const { header, root } = await this.init();
    if (z < header.minZoom || z > header.maxZoom) return undefined;
    const tileId = zxyToTileId(z, x, y);
    let entries = root;
    for (let level = 0; ; level++) {
      const entry = findEntry(entries, tileId);
      if (entry === undefined) return undefined;
      if (entry.runLength > 0) {
        return this.readExact(header.tileDataOffset + entry.offset, entry.length, `tile ${z}/${x}/${y}`);
      }
      if (level + 1 >= MAX_DIRECTORY_LEVELS) {
        throw new PMTilesError('corrupt_directory', `leaf directories nest deeper than ${MAX_DIRECTORY_LEVELS - 1} levels`);
      }
      entries = await this.getLeaf(header, entry);
    }
  }

  /** Every tile entry (runLength > 0) in tile id order, following leaf directories. */
  async *tileEntries(): AsyncGenerator<DirectoryEntry> {
    for await (const batch of this.tileBatches()) yield* batch;
  }

  /** Walks every directory and counts what it finds. */
  async directoryStats(): Promise<DirectoryStats> {
    const walk: Walk = { visited: new Set(), lastTileId: -1, leaves: 0, depth: 0 };
    const offsets = new Set<number>();
    let tileEntries = 0;
    let addressedTiles = 0;
    for await (const batch of this.tileBatches(walk)) {
      for (const e of batch) {
        tileEntries++;
        addressedTiles += e.runLength;
        offsets.add(e.offset);
      }
    }
    return { leafDirectories: walk.leaves, depth: walk.depth, tileEntries, addressedTiles, tileContents: offsets.size };
  }

  private async *tileBatches(walk: Walk = { visited: new Set(), lastTileId: -1, leaves: 0, depth: 0 }): AsyncGenerator<DirectoryEntry[]> {
    const { header, root } = await this.init();
    yield* this.walk(header, root, 0, walk);
  }

  /**
   * Yields the tile entries of a directory tree in order, in batches (one per
   * stretch between leaf pointers: yielding entry by entry through nested
   * async generators costs more than the decoding). Each leaf is visited once
   * and tile ids must ascend, so a corrupt tree cannot loop.
   */
  private async *walk(header: PMTilesHeader, entries: DirectoryEntry[], level: number, walk: Walk): AsyncGenerator<DirectoryEntry[]> {
    walk.depth = Math.max(walk.depth, level);
    let batch: DirectoryEntry[] = [];
    for (const e of entries) {
      if (e.tileId <= walk.lastTileId) throw new PMTilesError('corrupt_directory', 'tile ids do not ascend across directories');
      if (e.runLength > 0) {
        walk.lastTileId = e.tileId + e.runLength - 1;
        batch.push(e);
        continue;
      }
      if (batch.length > 0) yield batch;
      batch = [];
      if (level + 1 >= MAX_DIRECTORY_LEVELS) {
        throw new PMTilesError('corrupt_directory', `leaf directories nest deeper than ${MAX_DIRECTORY_LEVELS - 1} levels`);
      }
      if (walk.visited.has(e.offset)) throw new PMTilesError('corrupt_directory', 'a leaf directory is referenced twice');
      walk.visited.add(e.offset);
      walk.leaves++;
      yield* this.walk(header, await this.getLeaf(header, e), level + 1, walk);
    }
    if (batch.length > 0) yield batch;
  }

  private init(): Promise<State> {
    this.state ??= this.load().catch((error: unknown) => {
      // A failed read may be transient: let the next call try again.
      this.state = undefined;
      throw error;
    });
    return this.state;
  }

  private async load(): Promise<State> {
    const prefetch = Math.min(ROOT_PREFETCH_BYTES, this.source.size ?? ROOT_PREFETCH_BYTES);
    const first = await this.source.read(0, prefetch);
    const header = decodeHeader(first);
    this.checkSections(header);
    const { rootDirectoryOffset: offset, rootDirectoryLength: length } = header;
    const raw =
      offset + length <= first.length
        ? first.subarray(offset, offset + length)
        : await this.readBlock(offset, length, 'the root directory', 'corrupt_header');
    const root = await this.decodeDirectory(header, raw, 'the root directory');
    this.checkEntries(header, root, 'the root directory');
    return { header, root };
  }

  /** Sections must not overlap the header and, when the size is known, must end inside the archive. */
  private checkSections(h: PMTilesHeader): void {
    const sections: [string, number, number][] = [
      ['root directory', h.rootDirectoryOffset, h.rootDirectoryLength],
      ['metadata', h.jsonMetadataOffset, h.jsonMetadataLength],
      ['leaf directory section', h.leafDirectoryOffset, h.leafDirectoryLength],
      ['tile data section', h.tileDataOffset, h.tileDataLength],
    ];
    for (const [name, offset, length] of sections) {
      if (length > 0 && offset < HEADER_BYTES) throw new PMTilesError('corrupt_header', `the ${name} overlaps the header`);
      const end = offset + length;
      if (!Number.isSafeInteger(end)) throw new PMTilesError('corrupt_header', `the ${name} ends beyond 2^53`);
      if (this.source.size !== undefined && end > this.source.size) {
        throw new PMTilesError('truncated', `the ${name} ends at byte ${end} but the archive has ${this.source.size} bytes`);
      }
    }
  }

  /** Tile entries must point inside the tile data section, leaf entries inside the leaf section. */
  private checkEntries(h: PMTilesHeader, entries: DirectoryEntry[], what: string): void {
    for (const e of entries) {
      const [limit, section] = e.runLength > 0 ? [h.tileDataLength, 'tile data'] : [h.leafDirectoryLength, 'leaf directory'];
      if (e.offset + e.length > limit) {
        throw new PMTilesError('corrupt_directory', `an entry in ${what} points past the end of the ${section} section`);
      }
    }
  }

  private getLeaf(header: PMTilesHeader, entry: DirectoryEntry): Promise<DirectoryEntry[]> {
    const cached = this.leaves.get(entry.offset);
    if (cached) {
      this.leaves.delete(entry.offset);
      this.leaves.set(entry.offset, cached);
      return cached;
    }
    const what = `the leaf directory at ${entry.offset}`;
    const leaf = (async () => {
      const raw = await this.readBlock(header.leafDirectoryOffset + entry.offset, entry.length, what, 'corrupt_directory');
      const entries = await this.decodeDirectory(header, raw, what);
      this.checkEntries(header, entries, what);
      return entries;
    })();
    leaf.catch(() => this.leaves.delete(entry.offset));
    this.leaves.set(entry.offset, leaf);
    for (const key of this.leaves.keys()) {
      if (this.leaves.size <= this.maxCached) break;
      this.leaves.delete(key);
    }
    return leaf;
  }

  private async decodeDirectory(header: PMTilesHeader, raw: Uint8Array, what: string): Promise<DirectoryEntry[]> {
    const bytes = await this.inflate(raw, header.internalCompression, what, 'corrupt_directory');
    try {
      return deserializeDirectory(bytes);
    } catch (error) {
      if (error instanceof PMTilesError) throw new PMTilesError(error.code, `${what}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  private async inflate(raw: Uint8Array, compression: Compression, what: string, code: PMTilesErrorCode): Promise<Uint8Array> {
    try {
      return await this.decompress(raw, compression);
    } catch (cause) {
      if (cause instanceof PMTilesError) throw cause;
      throw new PMTilesError(code, `${what} does not decompress (${compression}): ${(cause as Error)?.message ?? cause}`, { cause });
    }
  }

  /** A directory or metadata block: bounded in size so a corrupt length cannot exhaust memory. */
  private readBlock(offset: number, length: number, what: string, code: PMTilesErrorCode): Promise<Uint8Array> {
    if (length > MAX_BLOCK_BYTES) throw new PMTilesError(code, `${what} claims ${length} bytes, more than ${MAX_BLOCK_BYTES}`);
    return this.readExact(offset, length, what);
  }

  private async readExact(offset: number, length: number, what: string): Promise<Uint8Array> {
    const bytes = await this.source.read(offset, length);
    if (bytes.length < length) {
      throw new PMTilesError('truncated', `the archive ends inside ${what} (${length} bytes wanted at ${offset}, ${bytes.length} read)`);
    }
    return bytes.length === length ? bytes : bytes.subarray(0, length);
  }
}
