import { describe, expect, it } from 'vitest';
import { PMTilesError } from './pmtiles-error.ts';
import {
  type DirectoryEntry,
  decodeHeader,
  deserializeDirectory,
  encodeHeader,
  findEntry,
  HEADER_BYTES,
  type PMTilesHeader,
  serializeDirectory,
} from './pmtiles-format.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof PMTilesError ? error.code : `not a PMTilesError: ${error}`;
  }
};

describe('directory encoding', () => {
  it('follows spec §4.2: count, id deltas, run lengths, lengths, offsets (0 = contiguous, else offset + 1)', () => {
    const entries: DirectoryEntry[] = [
      { tileId: 5, offset: 0, length: 10, runLength: 1 },
      { tileId: 42, offset: 10, length: 20, runLength: 1 }, // right after the previous blob
      { tileId: 69, offset: 0, length: 10, runLength: 3 }, // deduplicated: back to offset 0
    ];
    const bytes = serializeDirectory(entries);
    expect([...bytes]).toEqual([3, 5, 37, 27, 1, 1, 3, 10, 20, 10, 1, 0, 1]);
    expect(deserializeDirectory(bytes)).toEqual(entries);
  });

  it('writes varints as protobuf does (150 → 96 01)', () => {
    const bytes = serializeDirectory([{ tileId: 150, offset: 149, length: 1, runLength: 1 }]);
    expect([...bytes]).toEqual([1, 0x96, 0x01, 1, 1, 0x96, 0x01]);
  });

  it('round-trips values up to 2^53', () => {
    const entries: DirectoryEntry[] = [
      { tileId: 0, offset: 0, length: 0xffff_ffff, runLength: 0 },
      { tileId: 2 ** 40, offset: 2 ** 52, length: 1, runLength: 0xffff_ffff },
      { tileId: Number.MAX_SAFE_INTEGER, offset: 2 ** 52 + 1, length: 7, runLength: 1 },
    ];
    expect(deserializeDirectory(serializeDirectory(entries))).toEqual(entries);
  });

  it.each([
    ['no entries', [0]],
    ['more entries than bytes', [200, 1, 1, 1, 1]],
    ['tile ids that do not ascend', [2, 1, 0, 1, 1, 1, 1, 1, 0]],
    ['a zero length', [1, 0, 1, 0, 1]],
    ['a varint cut short', [1, 0, 1, 0x80]],
    ['a first offset of "contiguous"', [1, 0, 1, 1, 0]],
    ['a varint beyond 2^53', [1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 1, 1]],
    ['a run length beyond 32 bits', [1, 0, 0x80, 0x80, 0x80, 0x80, 0x10, 1, 1]],
  ])('rejects %s as corrupt_directory', (_name, bytes) => {
    expect(codeOf(() => deserializeDirectory(Uint8Array.from(bytes)))).toBe('corrupt_directory');
  });
});

describe('findEntry', () => {
  const entries: DirectoryEntry[] = [
    { tileId: 1, offset: 0, length: 5, runLength: 3 }, // tiles 1, 2, 3
    { tileId: 10, offset: 5, length: 5, runLength: 1 },
    { tileId: 100, offset: 0, length: 50, runLength: 0 }, // leaf: everything from 100 on
  ];
  it.each([
    [0, undefined],
    [1, 0],
    [3, 0],
    [4, undefined],
    [10, 1],
    [11, undefined],
    [100, 2],
    [1_000_000, 2],
  ])('tile %s → entry %s', (tileId, index) => {
    expect(findEntry(entries, tileId)).toBe(index === undefined ? undefined : entries[index]);
  });
});

describe('header encoding', () => {
  const header: PMTilesHeader = {
    specVersion: 3,
    rootDirectoryOffset: 127,
    rootDirectoryLength: 246,
    jsonMetadataOffset: 373,
    jsonMetadataLength: 22,
    leafDirectoryOffset: 395,
    leafDirectoryLength: 0,
    tileDataOffset: 395,
    tileDataLength: 2 ** 40 + 3,
    numAddressedTiles: 85,
    numTileEntries: 84,
    numTileContents: 80,
    clustered: true,
    internalCompression: 'gzip',
    tileCompression: 'none',
    tileType: 'png',
    minZoom: 0,
    maxZoom: 3,
    minLon: -180,
    minLat: -85,
    maxLon: 180,
    maxLat: 85,
    centerZoom: 0,
    centerLon: 110.2901234,
    centerLat: -25.2736,
  };

  it('is 127 bytes starting with "PMTiles" and version 3, little-endian', () => {
    const bytes = encodeHeader(header);
    expect(bytes.length).toBe(HEADER_BYTES);
    expect(new TextDecoder().decode(bytes.subarray(0, 7))).toBe('PMTiles');
    expect(bytes[7]).toBe(3);
    expect([...bytes.subarray(8, 16)]).toEqual([127, 0, 0, 0, 0, 0, 0, 0]);
    expect([...bytes.subarray(64, 72)]).toEqual([3, 0, 0, 0, 0, 1, 0, 0]); // 2^40 + 3
    expect([bytes[96], bytes[97], bytes[98], bytes[99]]).toEqual([1, 2, 1, 2]);
    // −180 × 10^7 = −1,800,000,000 = 2^32 − 1,800,000,000 = 0x94B6_2E00 as an unsigned 32-bit pattern
    expect([...bytes.subarray(102, 106)]).toEqual([0x00, 0x2e, 0xb6, 0x94]);
  });

  it('round-trips', () => {
    expect(decodeHeader(encodeHeader(header))).toEqual(header);
  });

  it('tells v2 archives and future versions apart from non-PMTiles bytes', () => {
    const v4 = encodeHeader(header);
    v4[7] = 4;
    expect(codeOf(() => decodeHeader(v4))).toBe('unsupported_version');
    const v2 = new Uint8Array(512);
    v2.set([0x50, 0x4d, 2, 0]);
    expect(codeOf(() => decodeHeader(v2))).toBe('unsupported_version');
    expect(codeOf(() => decodeHeader(new Uint8Array(200)))).toBe('not_pmtiles');
    expect(codeOf(() => decodeHeader(encodeHeader(header).subarray(0, 50)))).toBe('truncated');
  });

  it('rejects impossible fields', () => {
    const badCompression = encodeHeader(header);
    badCompression[97] = 9;
    expect(codeOf(() => decodeHeader(badCompression))).toBe('corrupt_header');
    expect(codeOf(() => decodeHeader(encodeHeader({ ...header, minZoom: 5 })))).toBe('corrupt_header');
    expect(codeOf(() => decodeHeader(encodeHeader({ ...header, rootDirectoryLength: 0 })))).toBe('corrupt_header');
    const huge = encodeHeader(header);
    huge.fill(0xff, 64, 72);
    expect(codeOf(() => decodeHeader(huge))).toBe('corrupt_header');
  });

  it('reads an unknown tile type as "unknown"', () => {
    const bytes = encodeHeader(header);
    bytes[99] = 42;
    expect(decodeHeader(bytes).tileType).toBe('unknown');
  });
});
