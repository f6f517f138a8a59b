/**
 * The blind-spot engine against fixtures whose answers are known exactly:
 * rectangles at the equator whose areas and lengths come from the WGS84
 * formulas in support/geodesy.ts, not from PostGIS.
 */
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, errorOf, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';
import { meridianLength, parallelLength, rect, rectArea } from '../support/geodesy.ts';

let database: Database;
let app: TestApp;
let areaId: number;
const orgs: Record<'A' | 'B' | 'C', number> = { A: 0, B: 0, C: 0 };

/** The analysis area S = [0, 0.01]° × [0, 0.01]°, about 1.1 km × 1.1 km. */
const S = rectArea(0, 0, 0.01, 0.01);

type Feature = { geometry: unknown; properties: Record<string, any> };
type Collection = { features: Feature[]; totals: Record<string, { count: number; area_m2: number }>; area: { repaired: boolean } };

async function addDuty(id: string, zones: { owner: keyof typeof orgs; wkt: string }[]) {
  await sql`INSERT INTO duty_types (id, name_zh, name_en) VALUES (${id}, ${id}, ${id}) ON CONFLICT DO NOTHING`.execute(database.db);
  for (const [i, z] of zones.entries()) {
    await sql`INSERT INTO zones (duty_type_id, name, owner_org_id, geom)
              VALUES (${id}, ${`${id}-${i + 1}`}, ${orgs[z.owner]}, ST_Multi(ST_GeomFromText(${z.wkt}, 4326)))`.execute(database.db);
  }
}

async function get(path: string): Promise<Collection> {
  const res = await app.request(path);
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return (await res.json()) as Collection;
}
const gapsOf = (duty: string) => get(`/api/coverage/gaps?duty=${duty}&area=${areaId}`);
const overlapsOf = (duty: string) => get(`/api/coverage/overlaps?duty=${duty}&area=${areaId}`);
const kind = (fc: Collection, k: string) => fc.features.filter((f) => f.properties.kind === k);

beforeAll(async () => {
  database = await freshDatabase();
  app = testApp(database);
  for (const name of ['A', 'B', 'C'] as const) {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO organisations (name, kind) VALUES (${`夹具单位${name}`}, 'other') RETURNING id`.execute(database.db);
    orgs[name] = rows[0]!.id;
  }
  const { rows } = await sql<{ id: number }>`
    INSERT INTO territories (level, code, name, geom)
    VALUES ('district', '990000', '夹具区', ST_Multi(ST_GeomFromText(${rect(0, 0, 0.01, 0.01)}, 4326))) RETURNING id`.execute(database.db);
  areaId = rows[0]!.id;

  await addDuty('fx-halves', [
    { owner: 'A', wkt: rect(0, 0, 0.005, 0.01) },
    { owner: 'B', wkt: rect(0.005, 0, 0.01, 0.0075) },
  ]);
  await addDuty('fx-tiled', [
    { owner: 'A', wkt: rect(0, 0, 0.005, 0.01) },
    { owner: 'B', wkt: rect(0.005, 0, 0.01, 0.01) },
  ]);
  await addDuty('fx-offset', [
    { owner: 'A', wkt: rect(0, 0, 0.005, 0.01) },
    { owner: 'B', wkt: rect(0.005 + 1e-9, 0, 0.01, 0.01) },
  ]);
  await addDuty('fx-hole', [
    { owner: 'A', wkt: 'POLYGON((0 0,0.01 0,0.01 0.01,0 0.01,0 0),(0.004 0.004,0.004 0.006,0.006 0.006,0.006 0.004,0.004 0.004))' },
  ]);
  await addDuty('fx-l', [{ owner: 'C', wkt: 'POLYGON((0 0,0.01 0,0.01 0.005,0.005 0.005,0.005 0.01,0 0.01,0 0))' }]);
  await addDuty('fx-multi', [
    { owner: 'A', wkt: 'MULTIPOLYGON(((0 0,0.003 0,0.003 0.003,0 0.003,0 0)),((0.007 0,0.01 0,0.01 0.003,0.007 0.003,0.007 0)))' },
    { owner: 'B', wkt: rect(0.002, 0, 0.008, 0.003) },
  ]);
  await addDuty('fx-outside', [{ owner: 'A', wkt: rect(-0.005, 0, 0.005, 0.01) }]);
  await addDuty('fx-empty', []);
  await addDuty('fx-same-owner', [
    { owner: 'A', wkt: rect(0, 0, 0.006, 0.01) },
    { owner: 'A', wkt: rect(0.004, 0, 0.01, 0.01) },
  ]);
});
afterAll(async () => {
  await database?.close();
});

describe('gaps', () => {
  it('finds the missing corner of two rectangles, its width, neighbours and suggested owner', async () => {
    const fc = await gapsOf('fx-halves');
    expect(kind(fc, 'sliver')).toHaveLength(0);
    const gaps = kind(fc, 'gap');
    expect(gaps).toHaveLength(1);
    const gap = gaps[0]!.properties;
    expect(gap.area_m2 / rectArea(0.005, 0.0075, 0.01, 0.01)).toBeCloseTo(1, 5);
    // the largest inscribed circle of a 556 m × 276 m rectangle has the short side as diameter
    expect(gap.width_m / meridianLength(0.0075, 0.01)).toBeCloseTo(1, 1);
    expect(Math.abs(gap.width_m - meridianLength(0.0075, 0.01))).toBeLessThan(3);
    const byOwner = Object.fromEntries(gap.neighbours.map((n: any) => [n.owner_id, n.shared_m]));
    expect(byOwner[orgs.B] / parallelLength(0.005, 0.0075)).toBeCloseTo(1, 3);
    expect(byOwner[orgs.A] / meridianLength(0.0075, 0.01)).toBeCloseTo(1, 3);
    expect(gap.suggested_owner.owner_id).toBe(orgs.B);
    // and names B's zone, so that the gap can be given to it in one step
    expect(gap.suggested_owner.zone_id).toBe(gap.neighbours.find((n: any) => n.owner_id === orgs.B).zone_id);
    expect(fc.totals.gaps).toEqual({ count: 1, area_m2: expect.any(Number) });
  });

  it('reports nothing where zones touch along an edge and tile the area exactly', async () => {
    expect((await gapsOf('fx-tiled')).features).toHaveLength(0);
    expect((await overlapsOf('fx-tiled')).features).toHaveLength(0);
  });

  it('reports a 1e-9° offset as a sliver, not a gap, and does not drop it', async () => {
    const fc = await gapsOf('fx-offset');
    expect(kind(fc, 'gap')).toHaveLength(0);
    const slivers = kind(fc, 'sliver');
    expect(slivers).toHaveLength(1);
    // 1e-9° of longitude is 0.11 mm wide, 1.1 km long
    expect(slivers[0]!.properties.width_m).toBeLessThan(0.01);
    expect(slivers[0]!.properties.area_m2).toBeCloseTo(rectArea(0.005, 0, 0.005 + 1e-9, 0.01), 2);
    expect(fc.totals.slivers?.count).toBe(1);
  });

  it('finds a hole as a gap bordered on every side by its zone', async () => {
    const gaps = kind(await gapsOf('fx-hole'), 'gap');
    expect(gaps).toHaveLength(1);
    const gap = gaps[0]!.properties;
    expect(gap.area_m2 / rectArea(0.004, 0.004, 0.006, 0.006)).toBeCloseTo(1, 5);
    const perimeter = parallelLength(0.002, 0.004) + parallelLength(0.002, 0.006) + 2 * meridianLength(0.004, 0.006);
    expect(gap.neighbours).toHaveLength(1);
    expect(gap.neighbours[0].shared_m / perimeter).toBeCloseTo(1, 3);
    expect(gap.suggested_owner.owner_id).toBe(orgs.A);
  });

  it('finds the missing quadrant of an L-shaped zone', async () => {
    const gaps = kind(await gapsOf('fx-l'), 'gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.properties.area_m2 / rectArea(0.005, 0.005, 0.01, 0.01)).toBeCloseTo(1, 5);
    expect(gaps[0]!.properties.suggested_owner.owner_id).toBe(orgs.C);
  });

  it('counts only the part of a zone inside the area', async () => {
    const gaps = kind(await gapsOf('fx-outside'), 'gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.properties.area_m2 / rectArea(0.005, 0, 0.01, 0.01)).toBeCloseTo(1, 5);
  });

  it('returns the whole area as one gap for a duty without zones', async () => {
    const gaps = kind(await gapsOf('fx-empty'), 'gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.properties.area_m2 / S).toBeCloseTo(1, 6);
    expect(gaps[0]!.properties.neighbours).toEqual([]);
    expect(gaps[0]!.properties.suggested_owner).toBeNull();
  });

  it('answers CSV with one row per finding', async () => {
    const res = await app.request(`/api/coverage/gaps?duty=fx-halves&area=${areaId}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // a UTF-8 byte-order mark, so that spreadsheet programs read the Chinese correctly
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trim().split('\r\n');
    expect(lines[0]).toBe('kind,area_m2,width_m,suggested_owner,neighbours,points,road_length_m');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^gap,/);
    expect(lines[1]).toContain('夹具单位B');
  });
});

describe('overlaps', () => {
  it('finds both overlaps of a multipolygon owner with another owner', async () => {
    const fc = await overlapsOf('fx-multi');
    const overlaps = kind(fc, 'overlap');
    expect(overlaps).toHaveLength(2);
    for (const o of overlaps) {
      expect(o.properties.area_m2 / rectArea(0.002, 0, 0.003, 0.003)).toBeCloseTo(1, 5);
      expect(o.properties.zones.map((z: any) => z.owner_id).sort()).toEqual([orgs.A, orgs.B].sort());
      expect(Math.abs(o.properties.width_m - parallelLength(0.001))).toBeLessThan(1.5);
    }
    const gaps = kind(await gapsOf('fx-multi'), 'gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.properties.area_m2 / rectArea(0, 0.003, 0.01, 0.01)).toBeCloseTo(1, 5);
  });

  it('does not report two zones of the same owner as an overlap', async () => {
    expect((await overlapsOf('fx-same-owner')).features).toHaveLength(0);
  });
});

describe('cross-tier city / town sanitation', () => {
  it('finds what both tiers claim and what neither does', async () => {
    await addDuty('sanitation-city', []);
    await addDuty('sanitation-town', []);
    await sql`INSERT INTO zones (duty_type_id, name, owner_org_id, geom) VALUES
      ('sanitation-city', 'fx-city', ${orgs.A}, ST_Multi(ST_GeomFromText(${rect(0, 0, 0.006, 0.01)}, 4326))),
      ('sanitation-town', 'fx-town', ${orgs.B}, ST_Multi(ST_GeomFromText(${rect(0.005, 0, 0.01, 0.008)}, 4326)))`.execute(database.db);
    const fc = await get(`/api/coverage/cross-tier?area=${areaId}`);
    const both = fc.features.filter((f) => f.properties.kind === 'both');
    const neither = fc.features.filter((f) => f.properties.kind === 'neither');
    expect(both).toHaveLength(1);
    expect(both[0]!.properties.area_m2 / rectArea(0.005, 0, 0.006, 0.008)).toBeCloseTo(1, 5);
    expect(neither).toHaveLength(1);
    expect(neither[0]!.properties.area_m2 / rectArea(0.006, 0.008, 0.01, 0.01)).toBeCloseTo(1, 5);
  });
});

describe('roads', () => {
  it('measures the stretch no section covers and the stretch two units both claim', async () => {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO roads (name, road_class, geom) VALUES ('夹具路', 'main', ST_GeomFromText('LINESTRING(0 0.001,0.01 0.001)', 4326))
      RETURNING id`.execute(database.db);
    await sql`INSERT INTO road_sections (name, road_id, chief_org_id, geom) VALUES
      ('夹具路西段', ${rows[0]!.id}, ${orgs.A}, ST_Multi(ST_GeomFromText('LINESTRING(0 0.001,0.006 0.001)', 4326))),
      ('夹具路中段', ${rows[0]!.id}, ${orgs.B}, ST_Multi(ST_GeomFromText('LINESTRING(0.004 0.001,0.007 0.001)', 4326)))`.execute(database.db);
    const fc = await get(`/api/coverage/roads?area=${areaId}&road_tolerance=2`);
    const ownerless = fc.features.filter((f) => f.properties.kind === 'ownerless');
    const contested = fc.features.filter((f) => f.properties.kind === 'contested');
    expect(ownerless).toHaveLength(1);
    // 0.007° → 0.01° at the equator, less the 2 m tolerance at the covered end
    expect(Math.abs(ownerless[0]!.properties.length_m - (parallelLength(0.003, 0.001) - 2))).toBeLessThan(0.5);
    expect(contested).toHaveLength(1);
    // 0.004° → 0.006° claimed by both, plus up to the 2 m tolerance
    expect(Math.abs(contested[0]!.properties.length_m - parallelLength(0.002, 0.001))).toBeLessThan(2.5);
    expect(contested[0]!.properties.owners.sort()).toEqual(['夹具单位A', '夹具单位B']);
  });
});

describe('drawn areas and bad input', () => {
  it('repairs a self-intersecting polygon and says so', async () => {
    // a bow-tie over the fx-empty duty: two triangles of a quarter of S each
    const res = await app.request('/api/coverage/gaps', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ duty: 'fx-empty', area: { type: 'Polygon', coordinates: [[[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]] } }),
    });
    expect(res.status).toBe(200);
    const fc = (await res.json()) as Collection;
    expect(fc.area.repaired).toBe(true);
    const total = fc.features.reduce((a, f) => a + f.properties.area_m2, 0);
    expect(total / (S / 2)).toBeCloseTo(1, 2);
  });

  it('refuses broken areas with 422 and the reason, and unknown names with 404', async () => {
    const post = (body: unknown) =>
      app.request('/api/coverage/gaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const cases: [unknown, number, string][] = [
      [{ duty: 'fx-empty', area: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] } }, 422, 'invalid_geometry'],
      [{ duty: 'fx-empty', area: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] } }, 422, 'invalid_geometry'],
      [{ duty: 'fx-empty', area: { type: 'Polygon', coordinates: [] } }, 422, 'empty_geometry'],
      [{ duty: 'fx-empty', area: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [2, 0], [0, 0]]] } }, 422, 'invalid_geometry'],
      [{ duty: 'fx-empty', area: { type: 'Polygon', coordinates: [[[0, 0], [500, 0], [1, 1], [0, 0]]] } }, 422, 'coordinates_out_of_range'],
      // most of the globe, in edges shorter than 180° (a longer edge is ambiguous: edge_too_long): far outside the territories
      [{ duty: 'fx-empty', area: { type: 'Polygon', coordinates: [[[-170, -80], [0, -80], [170, -80], [170, 80], [0, 80], [-170, 80], [-170, -80]]] } }, 422, 'geometry_out_of_bounds'],
      // inside the territories' neighbourhood (the fixture district and a degree around it), but 660 km by 220 km (the limit is 50,000 km²)
      [{ duty: 'fx-empty', area: { type: 'Polygon', coordinates: [[[-0.99, -0.99], [5, -0.99], [5, 0.99], [-0.99, 0.99], [-0.99, -0.99]]] } }, 422, 'area_too_large'],
      [{ duty: 'fx-empty', area: { type: 'Polygon', coordinates: [[[-170, -80], [170, -80], [170, 80], [-170, 80], [-170, -80]]] } }, 422, 'edge_too_long'],
      [{ duty: 'fx-empty', area: { type: 'Point', coordinates: [0, 0] } }, 400, 'invalid_request'],
      [{ duty: 'no-such-duty', area: 'district' }, 404, 'unknown_duty_type'],
      [{ area: 'district' }, 400, 'duty_required'],
      [{ duty: 'fx-empty', area: '999999' }, 404, 'unknown_territory'],
    ];
    for (const [body, status, code] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await errorOf(res)).code, JSON.stringify(body)).toBe(code);
    }
    for (const [path, status] of [
      ['/api/coverage/gaps?duty=fx-empty&area=abc', 400],
      ['/api/coverage/gaps?duty=fx-empty&area=district&min_width=-1', 400],
      ['/api/coverage/gaps?duty=fx-empty&area=district&format=xml', 400],
    ] as const) {
      const res = await app.request(path);
      expect(res.status, path).toBe(status);
      await errorOf(res);
    }
    const malformed = await app.request('/api/coverage/gaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"duty":' });
    expect(malformed.status).toBe(400);
    await errorOf(malformed);
  });
});

describe('oversized input', () => {
  it('refuses a body over the limit with 413 and a polygon over 100,000 vertices with 422', async () => {
    const huge = await app.request('/api/coverage/gaps', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"duty":"fx-empty","area":"district","pad":"${'x'.repeat(9 * 1024 * 1024)}"}`,
    });
    expect(huge.status).toBe(413);
    expect((await errorOf(huge)).code).toBe('payload_too_large');

    const ring: [number, number][] = [];
    for (let i = 0; i < 100_001; i++) {
      const a = (2 * Math.PI * i) / 100_001;
      ring.push([0.005 + 0.004 * Math.cos(a), 0.005 + 0.004 * Math.sin(a)]);
    }
    ring.push(ring[0]!);
    const complex = await app.request('/api/coverage/gaps', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ duty: 'fx-empty', area: { type: 'Polygon', coordinates: [ring] } }),
    });
    expect(complex.status).toBe(422);
    expect((await errorOf(complex)).code).toBe('geometry_too_complex');
  });
});
