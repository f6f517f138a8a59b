/**
 * The blind-spot engine on the demo district 象山区: its answers must add up
 * (covered + gap = area) and agree with GET /api/responsibility.
 */
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

let database: Database;
let app: TestApp;

beforeAll(async () => {
  database = await freshDatabase();
  app = testApp(database);
});
afterAll(async () => {
  await database?.close();
});

async function get<T>(path: string): Promise<T> {
  const res = await app.request(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

type Feature = { geometry: { type: string }; properties: Record<string, any> };
type Collection = { features: Feature[]; totals: Record<string, any> };

describe('summary', () => {
  it('has covered + gap = area for every street and community, and the streets add up to the district', async () => {
    const { rows } = await get<{ rows: { level: string; area_m2: number; covered_m2: number; gap_m2: number }[] }>(
      '/api/coverage/summary?duty=sanitation-town',
    );
    expect(rows.filter((r) => r.level === 'street')).toHaveLength(4);
    for (const r of rows) {
      expect(Math.abs(r.covered_m2 + r.gap_m2 - r.area_m2) / r.area_m2).toBeLessThan(1e-6);
    }
    const { rows: district } = await sql<{ a: number }>`
      SELECT ST_Area(geom::geography)::float8 AS a FROM territories WHERE level = 'district'`.execute(database.db);
    const streets = rows.filter((r) => r.level === 'street').reduce((a, r) => a + r.area_m2, 0);
    expect(Math.abs(streets - district[0]!.a) / district[0]!.a).toBeLessThan(1e-6);
  });

  it('gives the district total: gaps of the district plus the covered area equal the district', async () => {
    const fc = await get<Collection>('/api/coverage/gaps?duty=sanitation-town&area=district');
    const gapArea = fc.features.reduce((a, f) => a + f.properties.area_m2, 0);
    const { rows } = await sql<{ district: number; covered: number }>`
      SELECT ST_Area(d.geom::geography)::float8 AS district,
             ST_Area(ST_Intersection(d.geom, (SELECT ST_Union(geom, 1e-10) FROM zones WHERE duty_type_id = 'sanitation-town'), 1e-10)::geography)::float8 AS covered
      FROM territories d WHERE d.level = 'district'`.execute(database.db);
    const { district, covered } = rows[0]!;
    // gap areas are rounded to 0.01 m² each in the reply
    expect(Math.abs(gapArea + covered - district)).toBeLessThan(0.01 * fc.features.length + 1e-6 * district);
  });
});

describe('cross-tier 市环卫 / 镇环卫', () => {
  it('finds the planted gaps and overlaps, and /api/responsibility agrees at each of them', async () => {
    const fc = await get<Collection>('/api/coverage/cross-tier?area=district');
    const real = (kind: string) => fc.features.filter((f) => f.properties.kind === kind && !f.properties.sliver && f.properties.area_m2 > 1000);
    expect(real('neither').length).toBeGreaterThanOrEqual(3);
    expect(real('both').length).toBeGreaterThanOrEqual(2);
    for (const [kind, expected] of [['neither', 0], ['both', 2]] as const) {
      for (const f of real(kind).slice(0, 4)) {
        const { rows } = await sql<{ lon: number; lat: number }>`
          SELECT ST_X(p)::float8 AS lon, ST_Y(p)::float8 AS lat
          FROM (SELECT ST_PointOnSurface(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(f.geometry)}), 4326)) AS p) x`.execute(database.db);
        const at = await get<{ duties: { duty: { id: string }; owners: unknown[] }[] }>(`/api/responsibility?lon=${rows[0]!.lon}&lat=${rows[0]!.lat}`);
        const owners = at.duties.filter((d) => d.duty.id.startsWith('sanitation-')).reduce((a, d) => a + d.owners.length, 0);
        expect(owners, `${kind} at ${rows[0]!.lon},${rows[0]!.lat}`).toBe(expected);
      }
    }
  });
});

describe('roads and points', () => {
  it('names the roads without any section, as PostGIS counts them directly', async () => {
    const fc = await get<Collection>('/api/coverage/roads?area=district');
    const ownerless = new Set(fc.features.filter((f) => f.properties.kind === 'ownerless').map((f) => f.properties.road_id));
    const { rows } = await sql<{ id: number }>`
      SELECT r.id FROM roads r, territories d
      WHERE d.level = 'district' AND ST_Length(ST_Intersection(r.geom, d.geom, 1e-10)::geography) > 10
        AND NOT EXISTS (SELECT 1 FROM road_sections s WHERE ST_DWithin(s.geom::geography, r.geom::geography, 2))`.execute(database.db);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(ownerless.has(r.id), `road ${r.id}`).toBe(true);
    expect(fc.totals.ownerless_km).toBeGreaterThan(0);
  });

  it('lists all 165 points and flags exactly those without responsible people', async () => {
    const fc = await get<Collection>('/api/coverage/points');
    expect(fc.features).toHaveLength(165);
    const flagged = fc.features.filter((f) => f.properties.issues.some((i: { issue: string }) => i.issue === 'no_people')).map((f) => f.properties.id).sort();
    const { rows } = await sql<{ id: number }>`
      SELECT id FROM inspection_points ip WHERE NOT EXISTS (SELECT 1 FROM inspection_point_people pp WHERE pp.point_id = ip.id) ORDER BY id`.execute(database.db);
    expect(flagged).toEqual(rows.map((r) => r.id).sort());
  });
});
