/**
 * The heat map's statistics against a fixture whose answers are known by
 * construction: the demo problems are removed and 36 are placed at the
 * equator in grids that are lon/lat rectangles, so that counts come from the
 * fixture's own numbers and areas from the WGS84 formulas in
 * support/geodesy.ts, not from PostGIS.
 *
 *   A  30 problems within ±11 m of (0.0015, 0.0015), in grid G1
 *   B   5 problems in grid G2: 4 at (0.0050, 0.0015) and one 60 m east of them
 *   C   1 problem in grid G3, 1.7 km away from both
 *   G4  a grid without problems
 */
import type { Database } from '@civgrid/db';
import { lonLatToTile } from '@civgrid/tiles';
import { VectorTile } from '@mapbox/vector-tile';
import { sql } from 'kysely';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';
import { rect, rectArea } from '../support/geodesy.ts';

const STREET = '450304901';
const COMMUNITY = '450304901001';
const GRIDS = {
  G1: { code: '450304901001001', box: [0, 0, 0.003, 0.003] },
  G2: { code: '450304901001002', box: [0.003, 0, 0.006, 0.003] },
  G3: { code: '450304901001003', box: [0.015, 0.005, 0.018, 0.008] },
  G4: { code: '450304901001004', box: [0.006, 0, 0.009, 0.003] },
} as const;
const COMMUNITY_BOX = [0, 0, 0.02, 0.01] as const;
const km2 = (box: readonly number[]) => rectArea(box[0]!, box[1]!, box[2]!, box[3]!) / 1e6;

let database: Database;
let supervisor: TestApp;

interface Spec {
  lon: number;
  lat: number;
  category: string;
  status: string;
  reported: string;
  closed?: string;
  due?: string;
}

/** A: three weekly batches of ten (Mondays 10:00 China time); 20 closed two days later, 5 overdue, 5 due far ahead. */
function clusterA(): Spec[] {
  const mondays = ['2026-03-02', '2026-03-09', '2026-03-16'];
  return Array.from({ length: 30 }, (_, k) => {
    const reported = `${mondays[k % 3]}T10:00:00+08:00`;
    const plus = (days: number) => new Date(new Date(reported).getTime() + days * 86_400_000).toISOString();
    const category = k < 18 ? 'evt-env-exposed-waste' : k < 28 ? 'evt-order-street-vending' : 'evt-order-parking';
    const spec: Spec = { lon: 0.0015 + ((k % 6) - 2.5) * 0.00004, lat: 0.0015 + (Math.floor(k / 6) - 2) * 0.00004, category, status: 'dispatched', reported };
    if (k < 20) return { ...spec, status: 'closed', closed: plus(2) };
    return { ...spec, due: k < 25 ? plus(1) : '2099-01-01T00:00:00Z' };
  });
}

/** B: reported at 00:30 on Monday 9 March in China, still Sunday 8 March in UTC. */
const clusterB = (): Spec[] =>
  [0.005, 0.005, 0.005, 0.005, 0.00554].map((lon) => ({ lon, lat: 0.0015, category: 'evt-ad-flyers', status: 'reported', reported: '2026-03-09T00:30:00+08:00' }));

const single = (): Spec => ({
  lon: 0.0165, lat: 0.0065, category: 'cmp-utility-manhole', status: 'closed', reported: '2026-02-20T09:00:00+08:00', closed: '2026-03-03T15:00:00+08:00',
});

async function get<T>(path: string, client = supervisor): Promise<T> {
  const res = await client.request(path);
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
}

interface Units {
  level: string;
  total: number;
  areaKm2: number;
  rows: { code: string; name: string; count: number; areaKm2: number; densityPerKm2: number; bbox: [number, number, number, number] }[];
}
interface Hotspots {
  hotspots: {
    rank: number; count: number; centroid: [number, number]; bbox: [number, number, number, number];
    categories: { id: string; count: number }[]; grid: { code: string } | null; community: { code: string } | null;
  }[];
}
interface Trend {
  buckets: { start: string; reported: number; closed: number }[];
  totals: { reported: number; closed: number };
}

const counts = (units: Units) => Object.fromEntries(units.rows.map((r) => [r.code, r.count]));

beforeAll(async () => {
  database = await freshDatabase();
  supervisor = testApp(database, 'supervisor');
  const db = database.db;
  // only this file's problems count
  await sql`TRUNCATE problems CASCADE`.execute(db);
  const district = (await sql<{ id: number }>`SELECT id FROM territories WHERE level = 'district'`.execute(db)).rows[0]!.id;
  const insert = async (level: string, code: string, name: string, parent: number, box: readonly number[]) =>
    (await sql<{ id: number }>`
      INSERT INTO territories (level, code, name, parent_id, geom)
      VALUES (${level}, ${code}, ${name}, ${parent}, ST_Multi(ST_GeomFromText(${rect(box[0]!, box[1]!, box[2]!, box[3]!)}, 4326)))
      RETURNING id`.execute(db)).rows[0]!.id;
  const street = await insert('street', STREET, '统计夹具街道', district, COMMUNITY_BOX);
  const community = await insert('community', COMMUNITY, '统计夹具社区', street, COMMUNITY_BOX);
  for (const [name, grid] of Object.entries(GRIDS)) await insert('grid', grid.code, `夹具网格${name}`, community, grid.box);

  const specs = [...clusterA(), ...clusterB(), single()];
  await sql`
    INSERT INTO problems (category_id, status, geom, grid_id, street_id, reported_at, closed_at, due_at)
    SELECT s.category, s.status, pt.g,
           (SELECT t.id FROM territories t WHERE t.level = 'grid' AND ST_Intersects(t.geom, pt.g) ORDER BY t.id LIMIT 1),
           ${street}, s.reported::timestamptz, s.closed::timestamptz, s.due::timestamptz
    FROM json_to_recordset(${JSON.stringify(specs)}::text::json) AS s(lon float8, lat float8, category text, status text, reported text, closed text, due text),
         LATERAL (SELECT ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) AS g) pt`.execute(db);
});
afterAll(async () => {
  await database?.close();
});

describe('counts and densities per grid and community', () => {
  it('counts each grid and divides by its geodesic area', async () => {
    const units = await get<Units>(`/api/problems/stats/grids?territory=${STREET}`);
    expect(units.level).toBe('grid');
    expect(units.rows.map((r) => r.code)).toEqual([GRIDS.G1.code, GRIDS.G2.code, GRIDS.G3.code, GRIDS.G4.code]);
    const expected = { G1: 30, G2: 5, G3: 1, G4: 0 };
    for (const [name, grid] of Object.entries(GRIDS)) {
      const row = units.rows.find((r) => r.code === grid.code)!;
      const area = km2(grid.box);
      expect(row.count).toBe(expected[name as keyof typeof expected]);
      expect(row.areaKm2 / area).toBeCloseTo(1, 4);
      // the box to fit the map to is the grid's own rectangle
      for (const [i, value] of row.bbox.entries()) expect(value).toBeCloseTo(grid.box[i]!, 9);
      if (row.count > 0) expect(row.densityPerKm2 / (row.count / area)).toBeCloseTo(1, 3);
      else expect(row.densityPerKm2).toBe(0);
    }
    expect(units.total).toBe(36);
    // G1 is 0.003° square at the equator: about 0.11 km², so 30 problems are about 270 per km²
    expect(units.rows[0]!.densityPerKm2).toBeGreaterThan(260);
    expect(units.rows[0]!.densityPerKm2).toBeLessThan(280);
  });

  it('adds grids up to their community, and lists every unit of the district', async () => {
    const community = await get<Units>(`/api/problems/stats/grids?level=community&territory=${STREET}`);
    expect(community.rows).toHaveLength(1);
    expect(community.rows[0]).toMatchObject({ code: COMMUNITY, count: 36 });
    expect(community.rows[0]!.areaKm2 / km2(COMMUNITY_BOX)).toBeCloseTo(1, 4);
    expect(community.rows[0]!.densityPerKm2 / (36 / km2(COMMUNITY_BOX))).toBeCloseTo(1, 3);

    const all = await get<Units>('/api/problems/stats/grids');
    const demoGrids = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM territories WHERE level = 'grid'`.execute(database.db)).rows[0]!.n;
    expect(all.rows).toHaveLength(demoGrids);
    expect(all.total).toBe(36);
    expect(all.rows.filter((r) => r.count > 0).map((r) => r.code).sort()).toEqual([GRIDS.G1.code, GRIDS.G2.code, GRIDS.G3.code]);
  });

  it('takes the heat map filters: status, categories (a major class with its minor ones), period, overdue', async () => {
    const of = async (query: string) => counts(await get<Units>(`/api/problems/stats/grids?territory=${COMMUNITY}&${query}`));
    const { G1, G2, G3, G4 } = GRIDS;
    expect(await of('status=closed')).toEqual({ [G1.code]: 20, [G2.code]: 0, [G3.code]: 1, [G4.code]: 0 });
    // 街面秩序 (evt-order) holds 占道经营 (10) and 乱停放 (2)
    expect(await of('category=evt-order')).toMatchObject({ [G1.code]: 12, [G2.code]: 0 });
    expect(await of('category=evt-ad-flyers,cmp-utility-manhole')).toMatchObject({ [G1.code]: 0, [G2.code]: 5, [G3.code]: 1 });
    // open and past the deadline now: the five of A due a day after their report
    expect(await of('overdue=true')).toMatchObject({ [G1.code]: 5, [G2.code]: 0, [G3.code]: 0 });
    // days are China days, both ends included: 9 March holds A's second batch and B (00:30 in China, 8 March in UTC)
    expect(await of('from=2026-03-09&to=2026-03-09')).toMatchObject({ [G1.code]: 10, [G2.code]: 5, [G3.code]: 0 });
    expect(await of('from=2026-03-10&to=2026-03-31')).toMatchObject({ [G1.code]: 10, [G2.code]: 0 });
  });

  it('lists the units a box touches, with their whole counts', async () => {
    const units = await get<Units>('/api/problems/stats/grids?bbox=0.0001,0.0001,0.0045,0.0045');
    expect(counts(units)).toEqual({ [GRIDS.G1.code]: 30, [GRIDS.G2.code]: 5 });
  });

  it('counts what the heat-map tiles draw, for the same filters', async () => {
    const { x, y } = lonLatToTile(0.005, 0.003, 12);
    for (const query of ['', 'status=closed', 'category=evt-order', 'from=2026-03-09&to=2026-03-09', 'overdue=true']) {
      const res = await supervisor.request(`/tiles/problems/12/${x}/${y}.mvt?${query}`);
      expect(res.status, query).toBe(200);
      const tile = new VectorTile(new PbfReader(new Uint8Array(await res.arrayBuffer())));
      const layer = tile.layers.problems!;
      let drawn = 0;
      for (let i = 0; i < layer.length; i++) drawn += Number(layer.feature(i).properties.count);
      const units = await get<Units>(`/api/problems/stats/grids?territory=${STREET}&${query}`);
      expect(drawn, query).toBe(units.total);
    }
  });
});

describe('hot spots', () => {
  it('finds the two crowds, largest first, and leaves the lone problem out', async () => {
    const { hotspots } = await get<Hotspots>('/api/problems/hotspots');
    expect(hotspots.map((h) => h.count)).toEqual([30, 5]);
    const [a, b] = hotspots as [Hotspots['hotspots'][0], Hotspots['hotspots'][0]];
    expect(a.rank).toBe(1);
    // the mean of A's symmetric offsets is its centre; its box is ±0.0001° by ±0.00008°
    expect(a.centroid[0]).toBeCloseTo(0.0015, 7);
    expect(a.centroid[1]).toBeCloseTo(0.0015, 7);
    const [x0, y0, x1, y1] = a.bbox;
    expect([x0, y0, x1, y1].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.0014, 0.00142, 0.0016, 0.00158]);
    expect(a.grid?.code).toBe(GRIDS.G1.code);
    expect(a.community?.code).toBe(COMMUNITY);
    expect(a.categories).toEqual([
      expect.objectContaining({ id: 'evt-env-exposed-waste', count: 18 }),
      expect.objectContaining({ id: 'evt-order-street-vending', count: 10 }),
      expect.objectContaining({ id: 'evt-order-parking', count: 2 }),
    ]);
    // the fifth problem of B, 60 m from the other four, belongs to the same hot spot
    expect(b.centroid[0]).toBeCloseTo((4 * 0.005 + 0.00554) / 5, 7);
    expect(b.bbox[2]).toBeCloseTo(0.00554, 7);
    expect(b.grid?.code).toBe(GRIDS.G2.code);
    expect(b.categories).toEqual([expect.objectContaining({ id: 'evt-ad-flyers', count: 5 })]);
  });

  it('follows the filters, the scope and the limit', async () => {
    expect((await get<Hotspots>('/api/problems/hotspots?category=evt-ad')).hotspots.map((h) => h.count)).toEqual([5]);
    expect((await get<Hotspots>('/api/problems/hotspots?status=closed')).hotspots.map((h) => h.count)).toEqual([20]);
    expect((await get<Hotspots>(`/api/problems/hotspots?territory=${GRIDS.G2.code}`)).hotspots.map((h) => h.count)).toEqual([5]);
    expect((await get<Hotspots>('/api/problems/hotspots?limit=1')).hotspots.map((h) => h.count)).toEqual([30]);
    expect((await get<Hotspots>('/api/problems/hotspots?from=2027-01-01')).hotspots).toEqual([]);
  });
});

describe('trend', () => {
  it('counts reports and closures per week from Monday, China time, empty weeks included', async () => {
    const trend = await get<Trend>('/api/problems/trend?interval=week&from=2026-02-16&to=2026-03-22');
    expect(trend.buckets).toEqual([
      { start: '2026-02-16', reported: 1, closed: 0 },
      { start: '2026-02-23', reported: 0, closed: 0 },
      // A's first batch (7 of its 10 closed on Wednesday) and C closed on Tuesday
      { start: '2026-03-02', reported: 10, closed: 8 },
      // B falls in this week in China time, though it was still Sunday in UTC
      { start: '2026-03-09', reported: 15, closed: 7 },
      { start: '2026-03-16', reported: 10, closed: 6 },
    ]);
    expect(trend.totals).toEqual({ reported: 36, closed: 21 });
  });

  it('buckets by day and by month, and takes the filters', async () => {
    const days = await get<Trend>('/api/problems/trend?interval=day&from=2026-03-02&to=2026-03-04');
    expect(days.buckets).toEqual([
      { start: '2026-03-02', reported: 10, closed: 0 },
      { start: '2026-03-03', reported: 0, closed: 1 },
      { start: '2026-03-04', reported: 0, closed: 7 },
    ]);
    const months = await get<Trend>('/api/problems/trend?interval=month&from=2026-02-01&to=2026-03-31');
    expect(months.buckets).toEqual([
      { start: '2026-02-01', reported: 1, closed: 0 },
      { start: '2026-03-01', reported: 35, closed: 21 },
    ]);
    const ads = await get<Trend>('/api/problems/trend?interval=month&from=2026-02-01&to=2026-03-31&category=evt-ad');
    expect(ads.totals).toEqual({ reported: 5, closed: 0 });
  });
});

describe('refusals', () => {
  it('answers bad requests with a clear 4xx', async () => {
    const cases: [string, number, string][] = [
      ['/api/problems/stats/grids?territory=999999999', 404, 'unknown_territory'],
      ['/api/problems/stats/grids?level=street', 400, 'invalid_request'],
      ['/api/problems/stats/grids?status=bogus', 400, 'invalid_request'],
      ['/api/problems/stats/grids?from=2026-02-31', 400, 'invalid_request'],
      ['/api/problems/hotspots?from=2026-03-10&to=2026-03-01', 400, 'invalid_period'],
      ['/api/problems/hotspots?limit=0', 400, 'invalid_request'],
      ['/api/problems/trend?interval=day&from=2020-01-01&to=2026-01-01', 400, 'period_too_long'],
      ['/api/problems/trend?interval=hour', 400, 'invalid_request'],
      ['/api/problems/trend?bbox=1,1,0,0', 400, 'invalid_request'],
    ];
    for (const [path, status, code] of cases) {
      const res = await supervisor.request(path);
      expect(res.status, path).toBe(status);
      expect((await errorOf(res)).code, path).toBe(code);
    }
  });

  it('is the supervisors’ view: a viewer is refused', async () => {
    const res = await supervisor.as('viewer').request('/api/problems/hotspots');
    expect(res.status).toBe(403);
    expect((await supervisor.as('admin').request('/api/problems/trend')).status).toBe(200);
  });
});
