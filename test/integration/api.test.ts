import type { Database } from '@civgrid/db';
import { createDatabase } from '@civgrid/db';
import { sql } from 'kysely';
import type { FeatureCollection, Point } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, errorOf, testApp } from '../support/api.ts';
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

const get = (path: string) => app.request(path);
const json = async <T>(path: string): Promise<T> => {
  const res = await get(path);
  expect(res.status, `${path} → ${res.status}`).toBe(200);
  return (await res.json()) as T;
};

describe('GET /api/health', () => {
  it('reports the engine and the PostGIS version', async () => {
    const body = await json<{ status: string; engine: string; postgis: string }>('/api/health');
    expect(body.status).toBe('ok');
    expect(body.engine).toBe(process.env.DATABASE_URL ? 'postgres' : 'embedded');
    expect(body.postgis).toMatch(/^3\.\d+/);
  });

  it('answers 503 in the error shape when the database cannot be reached, and keeps serving', async () => {
    const unreachable = await createDatabase({ url: 'postgres://nobody@127.0.0.1:9/none', max: 1 });
    try {
      const down = testApp(unreachable, null);
      const res = await down.request('/api/health');
      expect(res.status).toBe(503);
      expect((await errorOf(res)).code).toBe('database_unavailable');
      // a signed-in request needs the database to check its session: 503, not 401
      const again = await down.app.request('/api/duty-types', { headers: { cookie: `civgrid_session=${'a'.repeat(43)}` } });
      expect(again.status).toBe(503);
      expect(res.headers.get('x-request-id')).toBeTruthy();
    } finally {
      await unreachable.close();
    }
  });
});

describe('GET /api/duty-types', () => {
  it('lists both sanitation tiers with Chinese and English names', async () => {
    const types = await json<{ id: string; name: string; name_en: string }[]>('/api/duty-types');
    const ids = types.map((t) => t.id);
    expect(ids).toEqual(expect.arrayContaining(['sanitation-city', 'sanitation-town']));
    for (const t of types) {
      expect(t.name).toMatch(/[\u4e00-\u9fff]/);
      expect(t.name_en.length).toBeGreaterThan(0);
    }
  });
});

describe('GET /api/layers/{layer}', () => {
  it('serves the 165 inspection points with id, type, department and people', async () => {
    const fc = await json<FeatureCollection<Point>>('/api/layers/inspection-points');
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(165);
    const ids = new Set(fc.features.map((f) => f.id));
    expect(ids.size).toBe(165);
    for (const f of fc.features) {
      expect(f.properties?.id).toBe(f.id);
      expect(typeof f.properties?.point_type).toBe('string');
      expect(f.geometry.type).toBe('Point');
    }
    // the department is the point's owner; most points have one
    expect(fc.features.filter((f) => f.properties?.owner_name).length).toBeGreaterThan(150);
  });

  it('serves the territory hierarchy: one district, four streets, communities and grids inside it', async () => {
    const district = await json<FeatureCollection>('/api/layers/district');
    expect(district.features).toHaveLength(1);
    expect(district.features[0]?.properties?.code).toBe('450304');
    // 象山区 covers about 92 km² (DataV boundary)
    const area = district.features[0]?.properties?.area_m2 as number;
    expect(area / 1e6).toBeGreaterThan(85);
    expect(area / 1e6).toBeLessThan(100);
    const streets = await json<FeatureCollection>('/api/layers/streets');
    expect(streets.features.map((f) => f.properties?.name).sort()).toEqual(['二塘街道', '南门街道', '平山街道', '象山街道'].sort());
    const communities = await json<FeatureCollection>('/api/layers/communities');
    expect(communities.features.length).toBeGreaterThanOrEqual(30);
    const grids = await json<FeatureCollection>('/api/layers/grids');
    expect(grids.features.length).toBeGreaterThanOrEqual(100);
    for (const g of grids.features) expect(g.properties?.code).toMatch(/^450304\d{9}$/);
  });

  it('serves zones of a duty type with their owners, and road sections with their section-chief unit', async () => {
    for (const duty of ['sanitation-city', 'sanitation-town']) {
      const fc = await json<FeatureCollection>(`/api/layers/zones?duty=${duty}`);
      expect(fc.features.length).toBeGreaterThan(0);
      for (const f of fc.features) {
        expect(f.properties?.duty).toBe(duty);
        expect(f.properties?.owner_name).toBeTruthy();
      }
    }
    const sections = await json<FeatureCollection>('/api/layers/road-sections');
    expect(sections.features.length).toBeGreaterThan(30);
    for (const f of sections.features) expect(f.properties?.owner_name).toBeTruthy();
  });

  it('filters by bbox with the same answer as PostGIS', async () => {
    // a 2 km box around the district's centre, counted directly in SQL
    const { rows } = await sql<{ lon: number; lat: number }>`
      SELECT ST_X(ST_PointOnSurface(geom))::float8 AS lon, ST_Y(ST_PointOnSurface(geom))::float8 AS lat
      FROM territories WHERE level = 'district'`.execute(database.db);
    const { lon, lat } = rows[0]!;
    const box = [lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01] as const;
    const { rows: expected } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM inspection_points
      WHERE ST_Intersects(geom, ST_MakeEnvelope(${box[0]}, ${box[1]}, ${box[2]}, ${box[3]}, 4326))`.execute(database.db);
    const fc = await json<FeatureCollection>(`/api/layers/inspection-points?bbox=${box.join(',')}`);
    expect(fc.features.length).toBe(expected[0]!.n);
    // a box far from the territory is refused, not searched (geo-bounds.ts)
    const far = await app.request('/api/layers/inspection-points?bbox=0,0,1,1');
    expect(far.status).toBe(422);
    expect((await errorOf(far)).code).toBe('geometry_out_of_bounds');
  });

  it('refuses bad input with a 4xx in the error shape', async () => {
    const cases: [string, number, string][] = [
      ['/api/layers/nonsense', 404, 'unknown_layer'],
      ['/api/layers/zones', 400, 'duty_required'],
      ['/api/layers/zones?duty=no-such-duty', 404, 'unknown_duty_type'],
      ['/api/layers/roads?bbox=1,2,3', 400, 'invalid_request'],
      ['/api/layers/roads?bbox=a,b,c,d', 400, 'invalid_request'],
      ['/api/layers/roads?bbox=110,25,109,26', 400, 'invalid_request'],
      ['/api/layers/roads?bbox=-200,25,110,26', 400, 'invalid_request'],
      ['/api/layers/roads?bbox=110,NaN,111,26', 400, 'invalid_request'],
      ['/api/layers/roads?bbox=110,25,Infinity,26', 400, 'invalid_request'],
      ["/api/layers/zones?duty=' OR 1=1 --", 404, 'unknown_duty_type'],
      ['/api/nowhere', 404, 'not_found'],
    ];
    for (const [path, status, code] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(status);
      expect((await errorOf(res)).code, path).toBe(code);
      expect(res.headers.get('x-request-id'), path).toBeTruthy();
    }
  });
});

describe('GET /api/responsibility', () => {
  it('finds the owner of a city sanitation zone inside that zone', async () => {
    const { rows } = await sql<{ id: number; owner: string; lon: number; lat: number }>`
      SELECT z.id, o.name AS owner, ST_X(p)::float8 AS lon, ST_Y(p)::float8 AS lat
      FROM (SELECT *, ST_PointOnSurface(geom) AS p FROM zones WHERE duty_type_id = 'sanitation-city' ORDER BY id LIMIT 1) z
      JOIN organisations o ON o.id = z.owner_org_id`.execute(database.db);
    const zone = rows[0]!;
    const body = await json<{ duties: { duty: { id: string }; status: string; owners: { zone_id: number; organisation: { name: string } }[] }[] }>(
      `/api/responsibility?lon=${zone.lon}&lat=${zone.lat}`,
    );
    const city = body.duties.find((d) => d.duty.id === 'sanitation-city')!;
    expect(city.owners.map((o) => o.zone_id)).toContain(zone.id);
    expect(city.owners.find((o) => o.zone_id === zone.id)?.organisation.name).toBe(zone.owner);
  });

  it('reports no sanitation owner inside a gap between the tiers and two tiers inside an overlap', async () => {
    // A gap computed directly: the district minus both tiers' zones.
    const { rows: gaps } = await sql<{ lon: number; lat: number }>`
      WITH covered AS (SELECT ST_Union(geom, 1e-10) AS g FROM zones WHERE duty_type_id IN ('sanitation-city', 'sanitation-town')),
           gap AS (SELECT (ST_Dump(ST_Difference(t.geom, c.g, 1e-10))).geom AS g FROM territories t, covered c WHERE t.level = 'district')
      SELECT ST_X(ST_PointOnSurface(g))::float8 AS lon, ST_Y(ST_PointOnSurface(g))::float8 AS lat
      FROM gap ORDER BY ST_Area(g) DESC LIMIT 1`.execute(database.db);
    const gap = gaps[0]!;
    const atGap = await json<{ territory: { district: unknown }; duties: { duty: { id: string }; status: string }[] }>(
      `/api/responsibility?lon=${gap.lon}&lat=${gap.lat}`,
    );
    expect(atGap.territory.district).not.toBeNull();
    expect(atGap.duties.find((d) => d.duty.id === 'sanitation-city')?.status).toBe('none');
    expect(atGap.duties.find((d) => d.duty.id === 'sanitation-town')?.status).toBe('none');

    const { rows: overlaps } = await sql<{ lon: number; lat: number }>`
      SELECT ST_X(ST_PointOnSurface(i))::float8 AS lon, ST_Y(ST_PointOnSurface(i))::float8 AS lat FROM (
        SELECT ST_Intersection(a.geom, b.geom, 1e-10) AS i FROM zones a JOIN zones b ON ST_Intersects(a.geom, b.geom)
        WHERE a.duty_type_id = 'sanitation-city' AND b.duty_type_id = 'sanitation-town') x
      WHERE ST_Area(i::geography) > 1000 ORDER BY ST_Area(i) DESC LIMIT 1`.execute(database.db);
    const overlap = overlaps[0]!;
    const atOverlap = await json<{ duties: { duty: { id: string }; status: string }[] }>(
      `/api/responsibility?lon=${overlap.lon}&lat=${overlap.lat}`,
    );
    expect(atOverlap.duties.find((d) => d.duty.id === 'sanitation-city')?.status).not.toBe('none');
    expect(atOverlap.duties.find((d) => d.duty.id === 'sanitation-town')?.status).not.toBe('none');
  });

  it('knows nothing outside the district', async () => {
    const body = await json<{ territory: Record<string, unknown>; duties: { status: string }[] }>('/api/responsibility?lon=116.39&lat=39.9');
    expect(body.territory).toEqual({ district: null, street: null, community: null, grid: null });
    expect(body.duties.every((d) => d.status === 'none')).toBe(true);
  });

  it('refuses missing, non-numeric and out-of-range coordinates', async () => {
    for (const q of ['', '?lon=110.3', '?lon=abc&lat=25', '?lon=110&lat=91', '?lon=181&lat=25', '?lon=NaN&lat=25', '?lon=1e999&lat=25']) {
      const res = await get(`/api/responsibility${q}`);
      expect(res.status, q).toBe(400);
      expect((await errorOf(res)).code, q).toBe('invalid_request');
    }
  });
});

describe('GET /api/inspection-points/{id}', () => {
  it('returns the point with its leader, department and responsible people as stored', async () => {
    const { rows } = await sql<{ id: number; n: number }>`
      SELECT point_id AS id, count(*)::int AS n FROM inspection_point_people
      GROUP BY point_id ORDER BY count(*) DESC, point_id LIMIT 1`.execute(database.db);
    const { id, n } = rows[0]!;
    const people = await database.db
      .selectFrom('inspection_point_people as pp')
      .innerJoin('people as p', 'p.id', 'pp.person_id')
      .select(['p.name', 'p.phone'])
      .where('pp.point_id', '=', id)
      .execute();
    const point = await json<{ id: number; people: { name: string; phone: string }[]; leader: unknown; department: unknown; community: unknown }>(
      `/api/inspection-points/${id}`,
    );
    expect(point.id).toBe(id);
    expect(point.people).toHaveLength(n);
    expect(point.people.map((p) => p.name).sort()).toEqual(people.map((p) => p.name).sort());
    expect(point.community).not.toBeNull();
  });

  it('answers 404 for a missing point and 400 for a malformed id', async () => {
    const missing = await get('/api/inspection-points/999999');
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('inspection_point_not_found');
    for (const bad of ['abc', '-1', '0', '1e3', '1.5', '99999999999']) {
      const res = await get(`/api/inspection-points/${bad}`);
      expect(res.status, bad).toBe(400);
      expect((await errorOf(res)).code).toBe('invalid_request');
    }
  });
});
