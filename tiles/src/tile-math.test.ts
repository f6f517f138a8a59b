import { zxyToTileId as officialZxyToTileId, tileIdToZxy as officialTileIdToZxy } from 'pmtiles';
import { describe, expect, it } from 'vitest';
import {
  assertValidTile,
  countTilesInBBox,
  isValidTile,
  lonLatToTile,
  MAX_LATITUDE,
  MERCATOR_HALF_WIDTH,
  tileIdToZxy,
  tileRangesForBBox,
  tilesInBBox,
  tileToBBox,
  tileToLonLat,
  tileToMercatorBBox,
  zxyToTileId,
} from './tile-math.ts';

const expectBBox = (actual: number[], expected: number[], digits = 9) => {
  expect(actual).toHaveLength(4);
  for (const [i, v] of actual.entries()) expect(v).toBeCloseTo(expected[i]!, digits);
};

describe('tile validation', () => {
  it('accepts z 0–24 and x, y in [0, 2^z)', () => {
    expect(isValidTile(0, 0, 0)).toBe(true);
    expect(isValidTile(1, 1, 1)).toBe(true);
    expect(isValidTile(24, 2 ** 24 - 1, 2 ** 24 - 1)).toBe(true);
  });

  it.each([
    [25, 0, 0],
    [-1, 0, 0],
    [1.5, 0, 0],
    [Number.NaN, 0, 0],
    [1, 2, 0],
    [1, 0, 2],
    [1, -1, 0],
    [3, 0.5, 0],
    [3, 0, Number.POSITIVE_INFINITY],
  ])('rejects %s/%s/%s', (z, x, y) => {
    expect(isValidTile(z, x, y)).toBe(false);
    expect(() => assertValidTile(z, x, y)).toThrow(RangeError);
  });

  it('names the bad coordinate', () => {
    expect(() => assertValidTile(2, 4, 0)).toThrow(/tile x must be an integer in \[0, 4\) at zoom 2, got 4/);
  });
});

describe('tile bounds', () => {
  it('z0 is the whole Web Mercator world', () => {
    expectBBox(tileToBBox(0, 0, 0), [-180, -MAX_LATITUDE, 180, MAX_LATITUDE]);
    expectBBox(tileToMercatorBBox(0, 0, 0), [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244], 6);
    expect(MERCATOR_HALF_WIDTH).toBeCloseTo(20037508.342789244, 6);
  });

  it('z1 splits at the equator and the prime meridian', () => {
    expectBBox(tileToBBox(1, 0, 0), [-180, 0, 0, MAX_LATITUDE]);
    expectBBox(tileToBBox(1, 1, 1), [0, -MAX_LATITUDE, 180, 0]);
  });

  it('z2 row edges sit at ±atan(sinh(π/2)) = ±66.51326044311186°', () => {
    expectBBox(tileToBBox(2, 1, 1), [-90, 0, 0, 66.51326044311186]);
    expect(tileToLonLat(2, 3, 3)).toEqual([90, expect.closeTo(-66.51326044311186, 9)]);
  });

  it('matches the PostGIS ST_TileEnvelope(2, 1, 1) documentation example', () => {
    // POLYGON((-10018754.1713945 0,-10018754.1713945 10018754.1713945,0 10018754.1713945,0 0,…))
    expectBBox(tileToMercatorBBox(2, 1, 1), [-10018754.1713945, 0, 0, 10018754.1713945], 6);
  });
});

describe('lon/lat to tile', () => {
  it('finds the quadrant at z1', () => {
    expect(lonLatToTile(-90, 45, 1)).toEqual({ z: 1, x: 0, y: 0 });
    expect(lonLatToTile(90, -45, 1)).toEqual({ z: 1, x: 1, y: 1 });
    // A point on a tile edge belongs to the tile east / south of it.
    expect(lonLatToTile(0, 0, 1)).toEqual({ z: 1, x: 1, y: 1 });
  });

  it('clamps the antimeridian and the poles onto the grid', () => {
    expect(lonLatToTile(180, 90, 3)).toEqual({ z: 3, x: 7, y: 0 });
    expect(lonLatToTile(-180, -90, 3)).toEqual({ z: 3, x: 0, y: 7 });
  });

  it('returns a tile whose bounds contain the point', () => {
    const points = [
      [110.2901, 25.2736], // 桂林 象山区
      [121.4903, 31.2222], // 上海 黄浦区
      [-71.0589, 42.3601],
      [151.2093, -33.8688],
    ] as const;
    for (const [lon, lat] of points) {
      for (let z = 0; z <= 24; z++) {
        const { x, y } = lonLatToTile(lon, lat, z);
        const [w, s, e, n] = tileToBBox(z, x, y);
        expect(lon >= w && lon < e && lat > s && lat <= n, `${lon},${lat} in ${z}/${x}/${y}`).toBe(true);
      }
    }
  });

  it('rejects non-finite input and bad zooms', () => {
    expect(() => lonLatToTile(Number.NaN, 0, 1)).toThrow(RangeError);
    expect(() => lonLatToTile(0, 0, 25)).toThrow(RangeError);
  });
});

describe('tiles covering a bbox', () => {
  it('the world at z2 is all 16 tiles', () => {
    expect(tilesInBBox([-180, -MAX_LATITUDE, 180, MAX_LATITUDE], 2)).toHaveLength(16);
    expect(countTilesInBBox([-180, -90, 180, 90], 5)).toBe(1024);
  });

  it('leaves out tiles that only touch an edge', () => {
    // lon 0–90 is exactly column 2 at z2; lat 0–45 lies in row 1 (rows split at 0° and 66.5°).
    expect(tilesInBBox([0, 0, 90, 45], 2)).toEqual([{ z: 2, x: 2, y: 1 }]);
  });

  it('a point bbox gets the tile that contains it', () => {
    expect(tilesInBBox([110.29, 25.27, 110.29, 25.27], 14)).toEqual([lonLatToTile(110.29, 25.27, 14)]);
  });

  it('splits a bbox crossing the antimeridian', () => {
    expect(tileRangesForBBox([170, -10, -170, 10], 1)).toEqual([
      { z: 1, minX: 1, maxX: 1, minY: 0, maxY: 1 },
      { z: 1, minX: 0, maxX: 0, minY: 0, maxY: 1 },
    ]);
    expect(countTilesInBBox([170, -10, -170, 10], 1)).toBe(4);
  });

  it('covers a district with the tiles lonLatToTile gives for its corners', () => {
    const bbox: [number, number, number, number] = [110.2, 25.15, 110.4, 25.35];
    const z = 13;
    const nw = lonLatToTile(bbox[0], bbox[3], z);
    const se = lonLatToTile(bbox[2], bbox[1], z);
    expect(countTilesInBBox(bbox, z)).toBe((se.x - nw.x + 1) * (se.y - nw.y + 1));
  });

  it('rejects south > north', () => {
    expect(() => tileRangesForBBox([0, 10, 1, 0], 3)).toThrow(RangeError);
  });
});

describe('Hilbert tile ids', () => {
  it('matches the spec table (spec §4.1)', () => {
    expect(zxyToTileId(0, 0, 0)).toBe(0);
    expect(zxyToTileId(1, 0, 0)).toBe(1);
    expect(zxyToTileId(1, 0, 1)).toBe(2);
    expect(zxyToTileId(1, 1, 1)).toBe(3);
    expect(zxyToTileId(1, 1, 0)).toBe(4);
    expect(zxyToTileId(2, 0, 0)).toBe(5);
    expect(zxyToTileId(12, 3423, 1763)).toBe(19078479);
    expect(tileIdToZxy(19078479)).toEqual({ z: 12, x: 3423, y: 1763 });
  });

  it('round-trips every tile of z0–8 and agrees with the official pmtiles package', () => {
    let expectedId = 0;
    const disagreements: string[] = [];
    for (let z = 0; z <= 8; z++) {
      const n = 2 ** z;
      const seen = new Set<number>();
      for (let x = 0; x < n; x++) {
        for (let y = 0; y < n; y++) {
          const id = zxyToTileId(z, x, y);
          const back = tileIdToZxy(id);
          if (id !== officialZxyToTileId(z, x, y) || back.z !== z || back.x !== x || back.y !== y) {
            disagreements.push(`${z}/${x}/${y}`);
          }
          seen.add(id);
        }
      }
      // Each zoom fills the ids after the previous zoom's, without gaps: (4^z − 1)/3 … + 4^z − 1.
      expect(seen.size).toBe(n * n);
      expect(Math.min(...seen)).toBe(expectedId);
      expect(Math.max(...seen)).toBe(expectedId + n * n - 1);
      expectedId += n * n;
    }
    expect(disagreements).toEqual([]);
  });

  it('walks a Hilbert curve: consecutive ids at one zoom are edge neighbours', () => {
    let jumps = 0;
    for (let z = 1; z <= 8; z++) {
      const first = zxyToTileId(z, 0, 0);
      let prev = tileIdToZxy(first);
      for (let id = first + 1; id < first + 4 ** z; id++) {
        const t = tileIdToZxy(id);
        if (Math.abs(t.x - prev.x) + Math.abs(t.y - prev.y) !== 1) jumps++;
        prev = t;
      }
    }
    expect(jumps).toBe(0);
  });

  it('stays exact up to z26', () => {
    const last = 2 ** 26 - 1;
    for (const [x, y] of [
      [0, 0],
      [last, 0],
      [0, last],
      [last, last],
      [12345678, 40000000],
    ] as const) {
      const id = zxyToTileId(26, x, y);
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(id).toBe(officialZxyToTileId(26, x, y));
      expect(tileIdToZxy(id)).toEqual({ z: 26, x, y });
      expect(officialTileIdToZxy(id)).toEqual([26, x, y]);
    }
  });

  it('rejects ids and tiles beyond z26', () => {
    expect(() => zxyToTileId(27, 0, 0)).toThrow(RangeError);
    expect(() => tileIdToZxy((4 ** 27 - 1) / 3)).toThrow(RangeError);
    expect(() => tileIdToZxy(-1)).toThrow(RangeError);
    expect(() => tileIdToZxy(1.5)).toThrow(RangeError);
  });
});
