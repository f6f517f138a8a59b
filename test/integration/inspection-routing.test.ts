/**
 * Routing over the road graph (issue 8): shortest paths along the `roads`
 * table, the visiting order, and the route drawn along the roads.
 *
 * The fixtures replace the demo's roads by small street grids laid near
 * 象山区 (about 25.2° N), whose lengths are computed without PostGIS
 * (test/support/geodesy.ts): an east–west street spanning dLon degrees is a
 * parallel arc, a north–south one a meridian arc. The ordering is compared
 * with the optimum found by trying every order (≤ 9 points) and with
 * nearest neighbour alone (40–60 points). On PostgreSQL with pgRouting the
 * two shortest-path engines must agree on the demo network.
 */
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoutingService } from '../../server/src/services/routing.service.ts';
import { pathLength } from '../../server/src/services/route-order.ts';
import { freshDatabase } from '../support/database.ts';
import { meridianLength, parallelLength } from '../support/geodesy.ts';

const LON0 = 110.3;
const LAT0 = 25.2;
/** Street spacing of the grids, degrees (≈ 200 m east–west, ≈ 220 m north–south). */
const STEP = 0.002;

let database: Database;
let routing: RoutingService;

type Line = [number, number][];

/** Replaces every road by these lines (one LineString per road; crossings are shared vertices). */
async function layRoads(lines: Line[]): Promise<void> {
  await sql`DELETE FROM roads`.execute(database.db);
  for (const [i, line] of lines.entries()) {
    await sql`INSERT INTO roads (name, road_class, geom)
      VALUES (${`测试路${i + 1}`}, 'branch', ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify({ type: 'LineString', coordinates: line })}), 4326))`.execute(database.db);
  }
}

/** A street grid of nx × ny crossings, each block side a road of its own; `drop` leaves some sides out. */
function grid(nx: number, ny: number, drop: (kind: 'h' | 'v', i: number, j: number) => boolean = () => false): Line[] {
  const x = (i: number) => LON0 + i * STEP;
  const y = (j: number) => LAT0 + j * STEP;
  const lines: Line[] = [];
  for (let j = 0; j < ny; j++) for (let i = 0; i + 1 < nx; i++) if (!drop('h', i, j)) lines.push([[x(i), y(j)], [x(i + 1), y(j)]]);
  for (let i = 0; i < nx; i++) for (let j = 0; j + 1 < ny; j++) if (!drop('v', i, j)) lines.push([[x(i), y(j)], [x(i), y(j + 1)]]);
  return lines;
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** The shortest open path through the matrix by trying every order. */
function bruteForce(matrix: number[][]): number {
  const n = matrix.length;
  let best = Number.POSITIVE_INFINITY;
  const order: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  const walk = (length: number) => {
    if (length >= best) return;
    if (order.length === n) {
      best = length;
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      const last = order[order.length - 1];
      used[i] = true;
      order.push(i);
      walk(length + (last === undefined ? 0 : matrix[last]![i]!));
      order.pop();
      used[i] = false;
    }
  };
  walk(0);
  return best;
}

/** Every vertex of the route lies on a road (within 1 m); returns the route geometry's own length. */
async function checkOnRoads(geojson: string): Promise<number> {
  const { rows } = await sql<{ off: number; vertices: number; length: number }>`
    WITH r AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(${geojson}), 4326) AS g),
    v AS (SELECT (ST_DumpPoints(g)).geom AS p FROM r)
    SELECT (SELECT max((SELECT min(ST_Distance(v.p::geography, roads.geom::geography)) FROM roads)) FROM v)::float8 AS off,
           (SELECT count(*)::int FROM v) AS vertices,
           (SELECT ST_Length(g::geography) FROM r)::float8 AS length`.execute(database.db);
  expect(rows[0]!.vertices).toBeGreaterThan(1);
  expect(rows[0]!.off).toBeLessThan(1);
  return rows[0]!.length;
}

const place = (i: number, j: number) => ({ lon: LON0 + i * STEP, lat: LAT0 + j * STEP });

beforeAll(async () => {
  database = await freshDatabase();
  routing = new RoutingService(database.db, database.engine);
});
afterAll(async () => {
  await database?.close();
});

describe('shortest paths along the roads', () => {
  it('goes round a block (three sides) when the direct street is missing, and takes the street when it is there', async () => {
    const [w, e, s, n] = [0, 1, 0, 1];
    const side = { ew: parallelLength(STEP, LAT0), ns: meridianLength(LAT0, LAT0 + STEP) };
    const top = parallelLength(STEP, LAT0 + STEP);
    // A at the north-west corner, B at the north-east corner
    const points = [{ id: 1, ...place(w, n) }, { id: 2, ...place(e, n) }];
    await layRoads([
      [[place(w, s).lon, place(w, s).lat], [place(e, s).lon, place(e, s).lat]],
      [[place(w, s).lon, place(w, s).lat], [place(w, n).lon, place(w, n).lat]],
      [[place(e, s).lon, place(e, s).lat], [place(e, n).lon, place(e, n).lat]],
    ]);
    const [around] = await routing.compute(database.db, [{ key: 1, points, start: null }], { method: 'dijkstra' });
    expect(Math.abs(around!.lengthM - (2 * side.ns + side.ew))).toBeLessThan(0.5);
    expect(await checkOnRoads(around!.geometry!)).toBeCloseTo(around!.lengthM, 0);

    // with the northern street the route takes it: one side instead of three
    await layRoads([
      [[place(w, s).lon, place(w, s).lat], [place(e, s).lon, place(e, s).lat]],
      [[place(w, s).lon, place(w, s).lat], [place(w, n).lon, place(w, n).lat]],
      [[place(e, s).lon, place(e, s).lat], [place(e, n).lon, place(e, n).lat]],
      [[place(w, n).lon, place(w, n).lat], [place(e, n).lon, place(e, n).lat]],
    ]);
    const [direct] = await routing.compute(database.db, [{ key: 1, points, start: null }], { method: 'dijkstra' });
    expect(Math.abs(direct!.lengthM - top)).toBeLessThan(0.5);
    expect(direct!.legs).toEqual([{ from: expect.any(Number), to: expect.any(Number), lengthM: direct!.lengthM }]);
    await checkOnRoads(direct!.geometry!);
  });

  it('starts at the group\'s start place, measures from where a point meets its road, and leaves no road', async () => {
    await layRoads(grid(4, 3));
    // start at the south-west crossing; a point 30 m north of the middle of the southern street's
    // first block (it meets the road at that middle), and one at the far north-east crossing
    const mid = { lon: LON0 + STEP / 2, lat: LAT0 + 0.00027 };
    const [route] = await routing.compute(
      database.db,
      [{ key: 7, points: [{ id: 11, ...place(3, 2) }, { id: 12, ...mid }], start: place(0, 0) }],
      { method: 'dijkstra' },
    );
    const ew = parallelLength(STEP, LAT0);
    const ns = meridianLength(LAT0, LAT0 + STEP);
    expect(route!.pointIds).toEqual([12, 11]);
    expect(route!.legs[0]!.from).toBeNull();
    expect(Math.abs(route!.legs[0]!.lengthM - ew / 2)).toBeLessThan(0.5);
    // from the middle of the first block to the far corner: 2.5 blocks east and 2 blocks north (Manhattan)
    expect(Math.abs(route!.legs[1]!.lengthM - (2.5 * ew + 2 * ns))).toBeLessThan(ew * 0.001 + 0.5);
    // 25 km/h and 10 minutes at each point
    expect(Math.abs(route!.durationS - (route!.lengthM / (25000 / 3600) + 2 * 600))).toBeLessThanOrEqual(1);
    const drawn = await checkOnRoads(route!.geometry!);
    expect(Math.abs(drawn - route!.lengthM)).toBeLessThan(1);
  });

  it('orders ≤ 9 points within 10 % of the best order found by trying every order (six random street grids)', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const random = rng(seed);
      // a 6 × 5 grid with about one block side in eight missing
      await layRoads(grid(6, 5, () => random() < 0.12));
      const n = 6 + (seed % 4); // 6…9 points
      const points = Array.from({ length: n }, (_, i) => ({ id: i + 1, lon: LON0 + random() * 5 * STEP, lat: LAT0 + random() * 4 * STEP }));
      const [route] = await routing.compute(database.db, [{ key: seed, points, start: null }], { method: 'dijkstra' });
      const matrix = await routing.distances(database.db, points, { method: 'dijkstra' });
      const optimum = bruteForce(matrix);
      const index = new Map(points.map((p, i) => [p.id, i]));
      expect(route!.pointIds.slice().sort((a, b) => a - b)).toEqual(points.map((p) => p.id));
      expect(pathLength(matrix, route!.pointIds.map((id) => index.get(id)!))).toBeCloseTo(route!.lengthM, 0);
      expect(route!.lengthM).toBeLessThanOrEqual(optimum * 1.1 + 0.5);
      await checkOnRoads(route!.geometry!);
    }
  });

  it('beats nearest neighbour alone on 40–60 points', async () => {
    for (const [seed, n] of [[11, 40], [12, 50], [13, 60]] as const) {
      const random = rng(seed);
      await layRoads(grid(10, 8, () => random() < 0.1));
      const points = Array.from({ length: n }, (_, i) => ({ id: i + 1, lon: LON0 + random() * 9 * STEP, lat: LAT0 + random() * 7 * STEP }));
      const [route] = await routing.compute(database.db, [{ key: 1, points, start: null }], { method: 'dijkstra' });
      expect(new Set(route!.pointIds).size).toBe(n);
      expect(route!.lengthM).toBeLessThan(route!.nearestNeighbourM);
      // the stored legs add up to the length
      expect(route!.legs.reduce((s, l) => s + l.lengthM, 0)).toBeCloseTo(route!.lengthM, -1);
    }
  });

  it('draws straight lines, and says so, where there is no road at all', async () => {
    await layRoads([]);
    const points = [{ id: 1, ...place(0, 0) }, { id: 2, ...place(3, 0) }, { id: 3, ...place(1, 0) }];
    const [route] = await routing.compute(database.db, [{ key: 1, points, start: null }]);
    expect(route!.method).toBe('straight');
    expect(route!.pointIds).toEqual([1, 3, 2]);
    // three blocks along a parallel, measured on the mean sphere: within 0.5 % of the ellipsoid's parallel arc
    expect(Math.abs(route!.lengthM - parallelLength(3 * STEP, LAT0))).toBeLessThan(0.005 * route!.lengthM);
    expect(JSON.parse(route!.geometry!).coordinates).toHaveLength(2);
  });

  it('pgRouting and the JavaScript Dijkstra agree on the demo road network (PostgreSQL with pgRouting only)', async (ctx) => {
    if (database.engine !== 'postgres' || (await routing.method()) !== 'pgrouting') {
      ctx.skip();
      return;
    }
    const fresh = await freshDatabase();
    try {
      const service = new RoutingService(fresh.db, fresh.engine);
      expect(await service.method()).toBe('pgrouting'); // creates the extension in this database
      const { rows: points } = await sql<{ id: number; lon: number; lat: number }>`
        SELECT id, ST_X(geom)::float8 AS lon, ST_Y(geom)::float8 AS lat FROM inspection_points ORDER BY id LIMIT 40`.execute(fresh.db);
      const js = await service.distances(fresh.db, points, { method: 'dijkstra' });
      const pgr = await service.distances(fresh.db, points, { method: 'pgrouting' });
      let compared = 0;
      for (let i = 0; i < points.length; i++) {
        for (let j = 0; j < points.length; j++) {
          expect(Math.abs(js[i]![j]! - pgr[i]![j]!)).toBeLessThan(1e-6 * Math.max(1, js[i]![j]!));
          if (i !== j) compared++;
        }
      }
      expect(compared).toBe(40 * 39);
      const requests = [0, 1, 2, 3].map((g) => ({ key: g + 1, points: points.slice(g * 10, g * 10 + 10), start: null }));
      const a = await service.compute(fresh.db, requests, { method: 'dijkstra' });
      const b = await service.compute(fresh.db, requests, { method: 'pgrouting' });
      for (let g = 0; g < 4; g++) {
        expect(b[g]!.method).toBe('pgrouting');
        expect(b[g]!.lengthM).toBeCloseTo(a[g]!.lengthM, 0);
        expect(b[g]!.pointIds).toEqual(a[g]!.pointIds);
      }
    } finally {
      await fresh.close();
    }
  });
});
