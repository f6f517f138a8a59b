import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PMTiles, type RangeResponse, type Source as OfficialSource } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PMTilesError } from './pmtiles-error.ts';
import { compressionCode, HEADER_BYTES, type PMTilesHeader, ROOT_PREFETCH_BYTES, tileTypeCode } from './pmtiles-format.ts';
import { PMTilesFileSource } from './pmtiles-file-source.ts';
import { bytesSource, PMTilesReader } from './pmtiles-reader.ts';
import { type TileInput, writePMTiles, writePMTilesFile } from './pmtiles-writer.ts';
import { MAX_LATITUDE, zxyToTileId } from './tile-math.ts';

/** The official package's Source over bytes in memory. */
class OfficialBytesSource implements OfficialSource {
  constructor(private readonly bytes: Uint8Array) {}
  getKey() {
    return 'memory';
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    return { data: this.bytes.slice(offset, offset + length).buffer };
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function* pyramid(minZoom: number, maxZoom: number): Generator<[number, number, number]> {
  for (let z = minZoom; z <= maxZoom; z++) {
    for (let x = 0; x < 2 ** z; x++) for (let y = 0; y < 2 ** z; y++) yield [z, x, y];
  }
}

/** Small deterministic PRNG (mulberry32) so sizes vary but tests repeat. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Our header fields against the official package's (which uses numeric enums). */
function expectSameHeader(ours: PMTilesHeader, official: Awaited<ReturnType<PMTiles['getHeader']>>) {
  const { tileType, tileCompression, internalCompression, ...rest } = ours;
  expect(official).toMatchObject({
    ...rest,
    tileType: tileTypeCode(tileType),
    tileCompression: compressionCode(tileCompression),
    internalCompression: compressionCode(internalCompression),
  });
}

describe('writePMTiles: a small vector archive', () => {
  // z0–2 with distinct gzip-compressed contents, given out of order.
  const tiles: TileInput[] = [...pyramid(0, 2)].reverse().map(([z, x, y]) => ({ z, x, y, data: new Uint8Array(gzipSync(utf8(`mvt ${z}/${x}/${y}`))) }));
  const metadata = {
    name: '象山区网格',
    attribution: '© civgrid',
    vector_layers: [{ id: 'grids', fields: { code: 'String' }, minzoom: 0, maxzoom: 2 }],
  };
  const bytes = writePMTiles(tiles, {
    tileType: 'mvt',
    tileCompression: 'gzip',
    metadata,
    bounds: [110.2, 25.15, 110.4, 25.35],
    center: [110.29, 25.27, 1],
  });
  const ours = new PMTilesReader(bytesSource(bytes));
  const official = new PMTiles(new OfficialBytesSource(bytes));

  it('has the header fields as written', async () => {
    const header = await ours.getHeader();
    expect(header).toMatchObject({
      specVersion: 3,
      rootDirectoryOffset: HEADER_BYTES,
      clustered: true,
      internalCompression: 'gzip',
      tileCompression: 'gzip',
      tileType: 'mvt',
      minZoom: 0,
      maxZoom: 2,
      minLon: 110.2,
      minLat: 25.15,
      maxLon: 110.4,
      maxLat: 25.35,
      centerLon: 110.29,
      centerLat: 25.27,
      centerZoom: 1,
      numAddressedTiles: 21,
      numTileEntries: 21,
      numTileContents: 21,
      leafDirectoryLength: 0,
    });
    // Sections in the spec's order, back to back, ending at the end of the file.
    expect(header.jsonMetadataOffset).toBe(header.rootDirectoryOffset + header.rootDirectoryLength);
    expect(header.leafDirectoryOffset).toBe(header.jsonMetadataOffset + header.jsonMetadataLength);
    expect(header.tileDataOffset).toBe(header.leafDirectoryOffset + header.leafDirectoryLength);
    expect(header.tileDataOffset + header.tileDataLength).toBe(bytes.length);
    expect(header.tileDataLength).toBe(tiles.reduce((n, t) => n + t.data.length, 0));
    expectSameHeader(header, await official.getHeader());
  });

  it('stores the metadata as gzip JSON', async () => {
    expect(await ours.getMetadata()).toEqual(metadata);
    expect(await official.getMetadata()).toEqual(metadata);
    const h = await ours.getHeader();
    const raw = bytes.subarray(h.jsonMetadataOffset, h.jsonMetadataOffset + h.jsonMetadataLength);
    expect(JSON.parse(gunzipSync(raw).toString('utf8'))).toEqual(metadata);
  });

  it('returns every tile identically through both readers', async () => {
    for (const t of tiles) {
      expect(await ours.getTile(t.z, t.x, t.y)).toEqual(t.data);
      // The official reader undoes the tile compression.
      const resp = await official.getZxy(t.z, t.x, t.y);
      expect(new Uint8Array(resp!.data)).toEqual(new Uint8Array(gunzipSync(t.data)));
    }
  });

  it('has no tile where none was written', async () => {
    expect(await ours.getTile(3, 0, 0)).toBeUndefined();
    expect(await official.getZxy(3, 0, 0)).toBeUndefined();
  });

  it('is deterministic', () => {
    expect(writePMTiles([...tiles].reverse(), { tileType: 'mvt', tileCompression: 'gzip', metadata, bounds: [110.2, 25.15, 110.4, 25.35], center: [110.29, 25.27, 1] })).toEqual(bytes);
  });
});

describe('writePMTiles: deduplication and run lengths', () => {
  const sea = utf8('sea');
  // Hilbert order: 0/0/0 → 0; z1 0/0, 0/1, 1/1, 1/0 → 1–4; z2 0/0 → 5, z2 0/1 → 8.
  const tiles: TileInput[] = [
    { z: 0, x: 0, y: 0, data: utf8('world') },
    { z: 1, x: 0, y: 0, data: sea },
    { z: 1, x: 0, y: 1, data: sea },
    { z: 1, x: 1, y: 1, data: utf8('land') },
    { z: 1, x: 1, y: 0, data: utf8('sea') }, // equal bytes in another array
    { z: 2, x: 0, y: 0, data: sea },
    { z: 2, x: 0, y: 1, data: sea },
  ];
  const bytes = writePMTiles(tiles, { tileType: 'png', tileCompression: 'none' });
  const reader = new PMTilesReader(bytesSource(bytes));

  it('stores each content once and merges consecutive repeats into runs', async () => {
    expect(zxyToTileId(2, 0, 1)).toBe(8);
    const entries = [];
    for await (const e of reader.tileEntries()) entries.push(e);
    expect(entries).toEqual([
      { tileId: 0, offset: 0, length: 5, runLength: 1 }, // world
      { tileId: 1, offset: 5, length: 3, runLength: 2 }, // sea, sea
      { tileId: 3, offset: 8, length: 4, runLength: 1 }, // land
      { tileId: 4, offset: 5, length: 3, runLength: 2 }, // sea again (earlier offset), and 2/0/0 continues the run
      { tileId: 8, offset: 5, length: 3, runLength: 1 }, // a gap in tile ids ends the run
    ]);
    expect(await reader.getHeader()).toMatchObject({ numAddressedTiles: 7, numTileEntries: 5, numTileContents: 3, tileDataLength: 12 });
  });

  it('answers every tile of a run, and nothing in the gaps', async () => {
    const official = new PMTiles(new OfficialBytesSource(bytes));
    for (const t of tiles) {
      expect(await reader.getTile(t.z, t.x, t.y)).toEqual(t.data);
      expect(new Uint8Array((await official.getZxy(t.z, t.x, t.y))!.data)).toEqual(t.data);
    }
    expect(await reader.getTile(2, 1, 1)).toBeUndefined(); // id 6
    expect(await official.getZxy(2, 1, 1)).toBeUndefined();
  });

  it('defaults zooms, bounds and centre from the tiles', async () => {
    expect(await reader.getHeader()).toMatchObject({
      minZoom: 0,
      maxZoom: 2,
      minLon: -180,
      maxLon: 180,
      minLat: expect.closeTo(-MAX_LATITUDE, 6),
      maxLat: expect.closeTo(MAX_LATITUDE, 6),
      centerLon: 0,
      centerLat: 0,
      centerZoom: 0,
    });
    expect(await reader.getMetadata()).toEqual({});
  });
});

/**
 * 87,381 tiles: every tile of z0–7 (21,845) with its own content of random
 * size, and every tile of z8 (65,536) where most are one of three 2 KB "sea"
 * tiles in long runs and about 1% are unique "land" tiles.
 */
function bigTileSet(): { tiles: TileInput[]; uniqueContents: number } {
  const random = prng(42);
  const tiles: TileInput[] = [];
  for (const [z, x, y] of pyramid(0, 7)) {
    const data = new Uint8Array(8 + Math.floor(random() * 400));
    data.set(utf8(`${z}/${x}/${y}`.padEnd(8)).subarray(0, 8));
    for (let i = 8; i < data.length; i++) data[i] = Math.floor(random() * 256);
    tiles.push({ z, x, y, data });
  }
  const seas = [1, 2, 3].map((k) => new Uint8Array(2048).fill(k));
  let land = 0;
  for (const [z, x, y] of pyramid(8, 8)) {
    if ((x * 31 + y * 17) % 101 === 0) {
      land++;
      tiles.push({ z, x, y, data: utf8(`land ${z}/${x}/${y}`) });
    } else {
      const along = zxyToTileId(z, x, y) - zxyToTileId(8, 0, 0);
      tiles.push({ z, x, y, data: seas[Math.floor(along / 700) % 3]! });
    }
  }
  return { tiles, uniqueContents: 21_845 + land + 3 };
}

describe('writePMTiles: 87,381 tiles with leaf directories', () => {
  const { tiles, uniqueContents } = bigTileSet();
  const bytes = writePMTiles(tiles, { tileType: 'mvt', tileCompression: 'none', metadata: { name: 'big' } });
  const reader = new PMTilesReader(bytesSource(bytes));

  it('keeps the root directory in the first 16 KiB and puts the entries in leaves', async () => {
    const header = await reader.getHeader();
    expect(header.rootDirectoryOffset + header.rootDirectoryLength).toBeLessThanOrEqual(ROOT_PREFETCH_BYTES);
    expect(header.leafDirectoryLength).toBeGreaterThan(0);
    const stats = await reader.directoryStats();
    expect(stats.leafDirectories).toBeGreaterThan(1);
    expect(stats.depth).toBe(1);
    expect(stats).toMatchObject({
      addressedTiles: header.numAddressedTiles,
      tileEntries: header.numTileEntries,
      tileContents: header.numTileContents,
    });
    expect(header.numAddressedTiles).toBe(87_381);
    expect(header.numTileContents).toBe(uniqueContents);
    // Runs of sea merge many tiles into one entry.
    expect(header.numTileEntries).toBeLessThan(header.numAddressedTiles - 60_000);
  });

  it('is smaller than the tiles it holds, thanks to deduplication', () => {
    const sum = tiles.reduce((n, t) => n + t.data.length, 0);
    expect(bytes.length).toBeLessThan(sum / 10);
  });

  it('returns every tile identically through our reader and the official one', async () => {
    const official = new PMTiles(new OfficialBytesSource(bytes));
    expectSameHeader(await reader.getHeader(), await official.getHeader());
    let mismatches = 0;
    for (const t of tiles) {
      const a = await reader.getTile(t.z, t.x, t.y);
      const b = await official.getZxy(t.z, t.x, t.y);
      if (!a || !b || Buffer.compare(a, t.data) !== 0 || Buffer.compare(new Uint8Array(b.data), t.data) !== 0) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(await reader.getTile(9, 0, 0)).toBeUndefined();
  }, 60_000);
});

describe('writePMTilesFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'civgrid-pmtiles-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('streams the same bytes as the in-memory writer', async () => {
    const { tiles } = bigTileSet();
    const options = { tileType: 'mvt', tileCompression: 'none', metadata: { name: 'big' } } as const;
    const expected = writePMTiles(tiles, options);
    const sorted = tiles.map((t) => ({ t, id: zxyToTileId(t.z, t.x, t.y) })).sort((a, b) => a.id - b.id);
    async function* generate() {
      for (const { t } of sorted) yield t;
    }
    const path = join(dir, 'big.pmtiles');
    const result = await writePMTilesFile(path, generate(), options);
    expect(result.size).toBe(expected.length);
    expect(result.leafDirectories).toBeGreaterThan(1);
    // (Buffer.compare: a deep toEqual over megabytes is very slow.)
    expect(Buffer.compare(await readFile(path), expected)).toBe(0);
    expect(await readdir(dir)).toEqual(['big.pmtiles']);

    const source = await PMTilesFileSource.open(path);
    try {
      const reader = new PMTilesReader(source);
      expect(await reader.getHeader()).toEqual(result.header);
      expect(await reader.getTile(7, 100, 27)).toEqual(tiles.find((t) => t.z === 7 && t.x === 100 && t.y === 27)!.data);
    } finally {
      await source.close();
    }
  }, 60_000);

  it('refuses tiles out of tile id order and leaves no files behind', async () => {
    const path = join(dir, 'unsorted.pmtiles');
    const tiles = [
      { z: 1, x: 0, y: 0, data: utf8('a') },
      { z: 0, x: 0, y: 0, data: utf8('b') },
    ];
    await expect(writePMTilesFile(path, tiles, { tileType: 'png', tileCompression: 'none' })).rejects.toMatchObject({
      name: 'PMTilesError',
      code: 'invalid_input',
    });
    expect((await readdir(dir)).filter((f) => f.startsWith('unsorted'))).toEqual([]);
  });
});

describe('writePMTiles: invalid input', () => {
  const ok = { z: 0, x: 0, y: 0, data: utf8('x') };
  const options = { tileType: 'mvt', tileCompression: 'gzip' } as const;
  it.each([
    ['no tiles', [], options],
    ['an empty tile', [{ ...ok, data: new Uint8Array(0) }], options],
    ['an invalid tile', [{ ...ok, z: 1, x: 2 }], options],
    ['zoom 25', [{ ...ok, z: 25 }], options],
    ['the same tile twice', [ok, { ...ok }], options],
    ['tiles outside minZoom', [ok], { ...options, minZoom: 1 }],
    ['a bad maxZoom', [ok], { ...options, maxZoom: 30 }],
    ['metadata that is not an object', [ok], { ...options, metadata: [] as unknown as Record<string, unknown> }],
    ['a non-finite centre', [ok], { ...options, center: [Number.NaN, 0, 0] as [number, number, number] }],
  ])('rejects %s', (_name, tiles, opts) => {
    try {
      writePMTiles(tiles, opts);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PMTilesError);
      expect((error as PMTilesError).code).toBe('invalid_input');
    }
  });
});
