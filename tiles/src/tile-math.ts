/**
 * Web Mercator tile math (the XYZ scheme used by MapLibre, PostGIS's
 * `ST_TileEnvelope` and PMTiles): tile validation, lon/lat ↔ tile, tile
 * bounds in EPSG:4326 and EPSG:3857, tiles covering a bounding box, and the
 * PMTiles Hilbert tile id.
 *
 * x grows eastwards from the antimeridian, y grows southwards from the
 * northern Mercator limit; zoom z has 2^z × 2^z tiles.
 */

export interface TileCoord {
  z: number;
  x: number;
  y: number;
}

/** [west, south, east, north]; in degrees for EPSG:4326, metres for EPSG:3857. */
export type BBox = [number, number, number, number];

/** Deepest zoom civgrid accepts for z/x/y requests and archives. */
export const MAX_ZOOM = 24;

/** Deepest zoom for which Hilbert tile ids stay exact in a JavaScript number (< 2^53). */
export const MAX_TILE_ID_ZOOM = 26;

/** Latitude where the Web Mercator square ends: atan(sinh(π)) in degrees. */
export const MAX_LATITUDE = 85.0511287798066;

/** WGS84 semi-major axis used by EPSG:3857, in metres. */
export const EARTH_RADIUS = 6378137;

/** Half the width of the EPSG:3857 square: π × 6,378,137 m. */
export const MERCATOR_HALF_WIDTH = Math.PI * EARTH_RADIUS;

/** True when z is an integer in [0, maxZoom] and x, y are integers in [0, 2^z). */
export function isValidTile(z: number, x: number, y: number, maxZoom = MAX_ZOOM): boolean {
  if (!Number.isInteger(z) || z < 0 || z > maxZoom) return false;
  const n = 2 ** z;
  return Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < n && y < n;
}

/** Throws a RangeError naming the bad coordinate unless `isValidTile(z, x, y, maxZoom)`. */
export function assertValidTile(z: number, x: number, y: number, maxZoom = MAX_ZOOM): void {
  if (!Number.isInteger(z) || z < 0 || z > maxZoom) {
    throw new RangeError(`tile zoom must be an integer in [0, ${maxZoom}], got ${z}`);
  }
  const n = 2 ** z;
  if (!Number.isInteger(x) || x < 0 || x >= n) {
    throw new RangeError(`tile x must be an integer in [0, ${n}) at zoom ${z}, got ${x}`);
  }
  if (!Number.isInteger(y) || y < 0 || y >= n) {
    throw new RangeError(`tile y must be an integer in [0, ${n}) at zoom ${z}, got ${y}`);
  }
}

function assertZoom(z: number): void {
  if (!Number.isInteger(z) || z < 0 || z > MAX_ZOOM) {
    throw new RangeError(`zoom must be an integer in [0, ${MAX_ZOOM}], got ${z}`);
  }
}

function assertLonLat(lon: number, lat: number): void {
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
    throw new RangeError(`longitude and latitude must be finite numbers, got ${lon}, ${lat}`);
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Fractional tile column of a longitude at zoom z (0 at −180°, 2^z at +180°). */
function lonToTileX(lon: number, z: number): number {
  return ((clamp(lon, -180, 180) + 180) / 360) * 2 ** z;
}

/** Fractional tile row of a latitude at zoom z (0 at the north limit, 2^z at the south). */
function latToTileY(lat: number, z: number): number {
  const phi = (clamp(lat, -MAX_LATITUDE, MAX_LATITUDE) * Math.PI) / 180;
  return ((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * 2 ** z;
}

function tileXToLon(x: number, z: number): number {
  return (x / 2 ** z) * 360 - 180;
}

function tileYToLat(y: number, z: number): number {
  return (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / 2 ** z))) * 180) / Math.PI;
}

/**
 * The tile containing a WGS84 point at zoom z. Latitudes beyond ±85.0511° are
 * clamped to the Mercator limit; longitude 180° belongs to the last column.
 */
export function lonLatToTile(lon: number, lat: number, z: number): TileCoord {
  assertZoom(z);
  assertLonLat(lon, lat);
  const last = 2 ** z - 1;
  return {
    z,
    x: clamp(Math.floor(lonToTileX(lon, z)), 0, last),
    y: clamp(Math.floor(latToTileY(lat, z)), 0, last),
  };
}

/** The north-west corner of a tile as [lon, lat] in degrees. */
export function tileToLonLat(z: number, x: number, y: number): [number, number] {
  assertValidTile(z, x, y);
  return [tileXToLon(x, z), tileYToLat(y, z)];
}

/** Tile bounds in EPSG:4326 degrees, [west, south, east, north]. */
export function tileToBBox(z: number, x: number, y: number): BBox {
  assertValidTile(z, x, y);
  return [tileXToLon(x, z), tileYToLat(y + 1, z), tileXToLon(x + 1, z), tileYToLat(y, z)];
}

/**
 * Tile bounds in EPSG:3857 metres, [minX, minY, maxX, maxY] — the same
 * envelope as PostGIS `ST_TileEnvelope(z, x, y)`.
 */
export function tileToMercatorBBox(z: number, x: number, y: number): BBox {
  assertValidTile(z, x, y);
  const size = (2 * MERCATOR_HALF_WIDTH) / 2 ** z;
  return [
    -MERCATOR_HALF_WIDTH + x * size,
    MERCATOR_HALF_WIDTH - (y + 1) * size,
    -MERCATOR_HALF_WIDTH + (x + 1) * size,
    MERCATOR_HALF_WIDTH - y * size,
  ];
}

/** Inclusive column/row range of tiles at one zoom. */
export interface TileRange {
  z: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/**
 * The column/row ranges of the tiles covering a WGS84 bbox [west, south,
 * east, north] at zoom z. A bbox with west > east crosses the antimeridian
 * and yields two ranges. Tiles that only touch the bbox along an edge are
 * left out; a degenerate bbox (a point or a line) still gets the tile that
 * contains it.
 */
export function tileRangesForBBox(bbox: BBox, z: number): TileRange[] {
  assertZoom(z);
  const [west, south, east, north] = bbox;
  assertLonLat(west, south);
  assertLonLat(east, north);
  if (south > north) throw new RangeError(`bbox south (${south}) is greater than north (${north})`);
  if (west > east) {
    return [...tileRangesForBBox([west, south, 180, north], z), ...tileRangesForBBox([-180, south, east, north], z)];
  }
  const last = 2 ** z - 1;
  const minX = clamp(Math.floor(lonToTileX(west, z)), 0, last);
  const minY = clamp(Math.floor(latToTileY(north, z)), 0, last);
  const maxX = clamp(Math.ceil(lonToTileX(east, z)) - 1, minX, last);
  const maxY = clamp(Math.ceil(latToTileY(south, z)) - 1, minY, last);
  return [{ z, minX, maxX, minY, maxY }];
}

/** Number of tiles in the ranges from `tileRangesForBBox` (check it before listing them). */
export function countTilesInBBox(bbox: BBox, z: number): number {
  return tileRangesForBBox(bbox, z).reduce((n, r) => n + (r.maxX - r.minX + 1) * (r.maxY - r.minY + 1), 0);
}

/** Every tile covering a WGS84 bbox at zoom z, row by row. */
export function tilesInBBox(bbox: BBox, z: number): TileCoord[] {
  const tiles: TileCoord[] = [];
  for (const r of tileRangesForBBox(bbox, z)) {
    for (let y = r.minY; y <= r.maxY; y++) {
      for (let x = r.minX; x <= r.maxX; x++) tiles.push({ z, x, y });
    }
  }
  return tiles;
}

/** Number of tiles at zooms below z: (4^z − 1) / 3, the first Hilbert id of zoom z. */
function firstTileIdOfZoom(z: number): number {
  return (4 ** z - 1) / 3;
}

/**
 * The PMTiles v3 tile id: the position of z/x/y along the series of Hilbert
 * curves over zoom 0, 1, 2, … (spec §4.1: 0/0/0 → 0, 1/0/0 → 1, 1/0/1 → 2,
 * 1/1/1 → 3, 1/1/0 → 4, 2/0/0 → 5). Same results as `zxyToTileId` in the
 * reference `pmtiles` package; plain arithmetic (no 32-bit bit operations)
 * keeps it exact up to z = 26.
 */
export function zxyToTileId(z: number, x: number, y: number): number {
  assertValidTile(z, x, y, MAX_TILE_ID_ZOOM);
  let d = 0;
  let tx = x;
  let ty = y;
  for (let s = 2 ** (z - 1); s >= 1; s /= 2) {
    // tx, ty < 2s here: take the quadrant bit, then rotate the remainder.
    const rx = tx >= s ? 1 : 0;
    const ry = ty >= s ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    tx -= rx * s;
    ty -= ry * s;
    if (ry === 0) {
      if (rx === 1) {
        tx = s - 1 - tx;
        ty = s - 1 - ty;
      }
      [tx, ty] = [ty, tx];
    }
  }
  return firstTileIdOfZoom(z) + d;
}

/** Inverse of `zxyToTileId`. */
export function tileIdToZxy(tileId: number): TileCoord {
  if (!Number.isSafeInteger(tileId) || tileId < 0 || tileId >= firstTileIdOfZoom(MAX_TILE_ID_ZOOM + 1)) {
    throw new RangeError(`tile id must be an integer in [0, ${firstTileIdOfZoom(MAX_TILE_ID_ZOOM + 1)}), got ${tileId}`);
  }
  let z = 0;
  while (tileId >= firstTileIdOfZoom(z + 1)) z++;
  let t = tileId - firstTileIdOfZoom(z);
  let x = 0;
  let y = 0;
  const n = 2 ** z;
  for (let s = 1; s < n; s *= 2) {
    const q = t % 4;
    const rx = q >= 2 ? 1 : 0;
    const ry = q === 1 || q === 2 ? 1 : 0;
    if (ry === 0) {
      if (rx === 1) {
        x = s - 1 - x;
        y = s - 1 - y;
      }
      [x, y] = [y, x];
    }
    x += s * rx;
    y += s * ry;
    t = (t - q) / 4;
  }
  return { z, x, y };
}
