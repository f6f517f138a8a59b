import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { PMTiles, type RangeResponse, type Source as OfficialSource } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PMTilesError } from './pmtiles-error.ts';
import { encodeHeader, type PMTilesHeader, serializeDirectory } from './pmtiles-format.ts';
import { PMTilesFileSource } from './pmtiles-file-source.ts';
import { bytesSource, PMTilesReader, type Source, webDecompress } from './pmtiles-reader.ts';
import { type TileInput, writePMTiles } from './pmtiles-writer.ts';

const STAMEN = new URL('../../test/fixtures/pmtiles/world_stamen_toner_raster_z0-3.pmtiles', import.meta.url);
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

class OfficialBytesSource implements OfficialSource {
  constructor(private readonly bytes: Uint8Array) {}
  getKey() {
    return 'memory';
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    return { data: this.bytes.slice(offset, offset + length).buffer };
  }
}

function* pyramid(minZoom: number, maxZoom: number): Generator<[number, number, number]> {
  for (let z = minZoom; z <= maxZoom; z++) {
    for (let x = 0; x < 2 ** z; x++) for (let y = 0; y < 2 ** z; y++) yield [z, x, y];
  }
}

describe('the Stamen toner archive (third-party, PNG z0–3)', () => {
  let source: PMTilesFileSource;
  let reader: PMTilesReader;
  let official: PMTiles;

  beforeAll(async () => {
    source = await PMTilesFileSource.open(STAMEN.pathname);
    reader = new PMTilesReader(source);
    official = new PMTiles(new OfficialBytesSource(new Uint8Array(await readFile(STAMEN))));
  });
  afterAll(async () => {
    await source.close();
  });

  it('has a PNG header for zooms 0–3 with 85 tiles', async () => {
    const header = await reader.getHeader();
    expect(header).toMatchObject({
      specVersion: 3,
      tileType: 'png',
      tileCompression: 'none',
      internalCompression: 'gzip',
      clustered: true,
      minZoom: 0,
      maxZoom: 3,
      numAddressedTiles: 1 + 4 + 16 + 64,
      minLon: -180,
      maxLon: 180,
    });
    const theirs = await official.getHeader();
    expect(header).toMatchObject({
      rootDirectoryLength: theirs.rootDirectoryLength,
      tileDataOffset: theirs.tileDataOffset,
      numTileEntries: theirs.numTileEntries,
      numTileContents: theirs.numTileContents,
      minLat: theirs.minLat,
      maxLat: theirs.maxLat,
    });
  });

  it('agrees with the header when walking its directory', async () => {
    const header = await reader.getHeader();
    expect(await reader.directoryStats()).toEqual({
      leafDirectories: 0,
      depth: 0,
      tileEntries: header.numTileEntries,
      addressedTiles: header.numAddressedTiles,
      tileContents: header.numTileContents,
    });
  });

  it('returns 85 PNG tiles equal to what the official pmtiles package returns', async () => {
    let count = 0;
    for (const [z, x, y] of pyramid(0, 3)) {
      const tile = await reader.getTile(z, x, y);
      expect(tile, `${z}/${x}/${y}`).toBeDefined();
      expect([...tile!.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      const theirs = await official.getZxy(z, x, y);
      expect(Buffer.compare(tile!, new Uint8Array(theirs!.data)), `${z}/${x}/${y}`).toBe(0);
      count++;
    }
    expect(count).toBe(85);
    expect(await reader.getTile(4, 0, 0)).toBeUndefined();
  });

  it('has the same metadata as the official package reads', async () => {
    expect(await reader.getMetadata()).toEqual(await official.getMetadata());
  });
});

/** Runs everything a client would do; returns 'ok' or the PMTilesError code, and rethrows anything else. */
async function exercise(source: Source, tiles: readonly [number, number, number][]): Promise<string> {
  const reader = new PMTilesReader(source);
  try {
    await reader.getHeader();
    await reader.getMetadata();
    await reader.directoryStats();
    for (const [z, x, y] of tiles) await reader.getTile(z, x, y);
    return 'ok';
  } catch (error) {
    if (error instanceof PMTilesError) return error.code;
    throw error;
  }
}

/** An archive with leaf directories: the root cannot hold 21,845 entries of random lengths. */
function leafyArchive(internalCompression: 'gzip' | 'none' = 'gzip'): Uint8Array {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const tiles: TileInput[] = [];
  for (const [z, x, y] of pyramid(0, 7)) {
    tiles.push({ z, x, y, data: new Uint8Array(1 + Math.floor(random() * 300)).fill(z + x + y) });
  }
  return writePMTiles(tiles, { tileType: 'mvt', tileCompression: 'none', metadata: { name: 'leafy' }, internalCompression });
}

const SAMPLE_TILES: [number, number, number][] = [
  [0, 0, 0],
  [1, 1, 0],
  [3, 5, 2],
  [5, 17, 30],
  [7, 100, 27],
  [7, 127, 127],
];

describe('corrupt and truncated archives', () => {
  let stamen: Uint8Array;
  let leafy: Uint8Array;
  /** Uncompressed directories: flipped bytes reach the directory decoder instead of failing gzip's CRC. */
  let plain: Uint8Array;
  let leafyHeader: PMTilesHeader;

  beforeAll(async () => {
    stamen = new Uint8Array(await readFile(STAMEN));
    leafy = leafyArchive();
    plain = leafyArchive('none');
    leafyHeader = await new PMTilesReader(bytesSource(leafy)).getHeader();
    expect(leafyHeader.leafDirectoryLength).toBeGreaterThan(0);
    expect(await new PMTilesReader(bytesSource(plain)).getHeader()).toMatchObject({ internalCompression: 'none', leafDirectoryLength: expect.any(Number) });
  });

  it('reads the intact archives', async () => {
    expect(await exercise(bytesSource(stamen), SAMPLE_TILES)).toBe('ok');
    expect(await exercise(bytesSource(leafy), SAMPLE_TILES)).toBe('ok');
    expect(await exercise(bytesSource(plain), SAMPLE_TILES)).toBe('ok');
  });

  it('says not_pmtiles for other files', async () => {
    const png = new Uint8Array(stamen.subarray(stamen.length - 2000));
    expect(await exercise(bytesSource(png), [])).toBe('not_pmtiles');
    expect(await exercise(bytesSource(new TextEncoder().encode('{"type":"FeatureCollection","features":[]}')), [])).toBe('not_pmtiles');
  });

  it('says unsupported_version for version 2 and version 4 archives', async () => {
    const v4 = new Uint8Array(stamen);
    v4[7] = 4;
    expect(await exercise(bytesSource(v4), [])).toBe('unsupported_version');
    const v2 = new Uint8Array(600);
    v2.set([0x50, 0x4d, 2, 0]);
    expect(await exercise(bytesSource(v2), [])).toBe('unsupported_version');
  });

  it('says truncated for an archive cut anywhere, knowing its size or not', async () => {
    for (const archive of [stamen, leafy]) {
      const lengths = [0, 1, 6, 7, 8, 100, 126, 127, 128, 200, 1000, 16_383, 16_384, 20_000, archive.length - 1];
      for (let cut = 300; cut < archive.length; cut += Math.ceil(archive.length / 40)) lengths.push(cut);
      for (const length of lengths) {
        const cutArchive = archive.subarray(0, length);
        // The size is known: the header's sections end past it.
        expect(await exercise(bytesSource(cutArchive), SAMPLE_TILES), `cut at ${length}`).toBe('truncated');
        // Size unknown (an HTTP source before the first response): short reads tell.
        const blind: Source = { read: async (offset, n) => cutArchive.subarray(offset, offset + n) };
        const code = await exercise(blind, [...pyramid(0, 3)]);
        expect(['truncated', 'ok'], `cut at ${length} without size: ${code}`).toContain(code);
      }
    }
  });

  it('throws only PMTilesErrors, and finishes, whatever header byte is flipped', async () => {
    const outcomes = new Map<string, number>();
    for (const archive of [stamen, leafy]) {
      for (let at = 0; at < 127; at++) {
        for (const mask of [0x01, 0x10, 0x80, 0xff]) {
          const bad = new Uint8Array(archive);
          bad[at]! ^= mask;
          const code = await exercise(bytesSource(bad), SAMPLE_TILES);
          outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
        }
      }
    }
    // Counts and bounds are not checked against anything, so many flips read fine;
    // the rest must be reported, not crash.
    expect(outcomes.get('ok')).toBeGreaterThan(0);
    expect([...outcomes.keys()].sort()).toEqual(expect.arrayContaining(['corrupt_header', 'not_pmtiles', 'truncated', 'unsupported_version']));
  }, 60_000);

  it('throws only PMTilesErrors, and finishes, whatever directory or metadata byte is flipped', async () => {
    const outcomes = new Map<string, number>();
    for (const archive of [stamen, leafy, plain]) {
      const header = await new PMTilesReader(bytesSource(archive)).getHeader();
      const positions: number[] = [];
      for (let at = header.rootDirectoryOffset; at < header.leafDirectoryOffset; at++) positions.push(at); // root + metadata
      const step = Math.ceil(header.leafDirectoryLength / 100);
      for (let at = header.leafDirectoryOffset; at < header.tileDataOffset; at += step) positions.push(at);
      for (const at of positions) {
        for (const mask of [0x01, 0xff]) {
          const bad = new Uint8Array(archive);
          bad[at]! ^= mask;
          const code = await exercise(bytesSource(bad), [...SAMPLE_TILES, [3, 7, 7]]);
          outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
        }
      }
    }
    expect(outcomes.get('corrupt_directory')).toBeGreaterThan(0);
    expect(outcomes.get('corrupt_metadata')).toBeGreaterThan(0);
  }, 60_000);

  it('stops at a leaf directory that points at itself', async () => {
    // Uncompressed so the leaf's length is known: 5 bytes = count, id delta, run length 0, length 5, offset 0 + 1.
    const loop = serializeDirectory([{ tileId: 0, offset: 0, length: 5, runLength: 0 }]);
    expect(loop.length).toBe(5);
    const header: PMTilesHeader = {
      specVersion: 3,
      rootDirectoryOffset: 127,
      rootDirectoryLength: 5,
      jsonMetadataOffset: 132,
      jsonMetadataLength: 2,
      leafDirectoryOffset: 134,
      leafDirectoryLength: 5,
      tileDataOffset: 139,
      tileDataLength: 1,
      numAddressedTiles: 0,
      numTileEntries: 0,
      numTileContents: 0,
      clustered: true,
      internalCompression: 'none',
      tileCompression: 'none',
      tileType: 'mvt',
      minZoom: 0,
      maxZoom: 4,
      minLon: -180,
      minLat: -85,
      maxLon: 180,
      maxLat: 85,
      centerZoom: 0,
      centerLon: 0,
      centerLat: 0,
    };
    const archive = new Uint8Array(140);
    archive.set(encodeHeader(header), 0);
    archive.set(loop, 127);
    archive.set(new TextEncoder().encode('{}'), 132);
    archive.set(loop, 134);
    const reader = new PMTilesReader(bytesSource(archive));
    expect(await reader.getMetadata()).toEqual({});
    await expect(reader.getTile(2, 1, 1)).rejects.toMatchObject({ code: 'corrupt_directory', message: expect.stringMatching(/deeper/) });
    await expect(reader.directoryStats()).rejects.toMatchObject({ code: 'corrupt_directory' });
  });

  it('says unsupported_compression for zstd directories unless given a decompressor', async () => {
    const tiles = [...pyramid(0, 1)].map(([z, x, y]) => ({ z, x, y, data: Uint8Array.of(z, x, y) }));
    const archive = writePMTiles(tiles, { tileType: 'mvt', tileCompression: 'none' });
    archive[97] = 4; // claim zstd
    expect(await exercise(bytesSource(archive), [])).toBe('unsupported_compression');
    // A caller-supplied decompressor takes over (here it knows the bytes are really gzip).
    const reader = new PMTilesReader(bytesSource(archive), { decompress: async (bytes) => new Uint8Array(gunzipSync(bytes)) });
    expect(await reader.getTile(1, 1, 0)).toEqual(Uint8Array.of(1, 1, 0));
  });

  it('decompresses with DecompressionStream too, as in a browser', async () => {
    const reader = new PMTilesReader(bytesSource(leafy), { decompress: webDecompress });
    expect(await reader.getMetadata()).toEqual({ name: 'leafy' });
    expect((await reader.directoryStats()).leafDirectories).toBeGreaterThan(0);
    const official = new PMTiles(new OfficialBytesSource(leafy));
    expect(Buffer.compare((await reader.getTile(7, 100, 27))!, new Uint8Array((await official.getZxy(7, 100, 27))!.data))).toBe(0);
    // A damaged gzip stream is a corrupt directory, not a stream error.
    const bad = new Uint8Array(leafy);
    bad[leafyHeader.leafDirectoryOffset + 20]! ^= 0xff;
    const damaged = new PMTilesReader(bytesSource(bad), { decompress: webDecompress });
    await expect(damaged.directoryStats()).rejects.toMatchObject({ name: 'PMTilesError', code: 'corrupt_directory' });
  });

  it('retries after a failed read instead of caching the failure', async () => {
    let failNext = true;
    const flaky: Source = {
      size: stamen.length,
      read: async (offset, length) => {
        if (failNext) {
          failNext = false;
          throw new Error('network down');
        }
        return stamen.subarray(offset, offset + length);
      },
    };
    const reader = new PMTilesReader(flaky);
    await expect(reader.getHeader()).rejects.toThrow('network down');
    expect((await reader.getHeader()).tileType).toBe('png');
  });
});
