/**
 * Absurd geometry (issue 15, items 6 and 13): a polygon or line running from
 * pole to pole along one meridian, or a box 180° wide, used to reach
 * PostGIS's geography type and answer 500 "Antipodal (180 degrees long)
 * edge detected". Every geometry a request carries is bounded to the
 * territory's neighbourhood before any query sees it, and a read may not
 * carry more vertices than an edit.
 */
import { createDatabase, type Database } from '@civgrid/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, errorOf, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

let database: Database;
let admin: TestApp;
let fx: { lon: number; lat: number; zone: number; zoneVersion: number; section: number; sectionVersion: number; org: number; extent: [number, number, number, number] };

/** A meridian from the south pole to the north pole, at `lon`: every pair of its ends is antipodal. */
const poleToPoleLine = (lon: number) => ({ type: 'LineString', coordinates: [[lon, -90], [lon, 90]] });
/** A sliver 0.001° wide from pole to pole: its long edges join antipodal points. */
const poleToPolePolygon = (lon: number) => ({ type: 'Polygon', coordinates: [[[lon, -90], [lon, 90], [lon + 0.001, 90], [lon + 0.001, -90], [lon, -90]]] });
/** A square of `side` degrees with its south-west corner at (lon, lat). */
const square = (lon: number, lat: number, side: number) => ({ type: 'Polygon', coordinates: [[[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]] });

type Kind = 'polygon' | 'line';
interface GeometryRoute {
  method: 'POST' | 'PUT';
  /** The route as the app lists it (checked against app.routes, so a renamed route fails here). */
  route: string;
  path: () => string;
  kind: Kind;
  body: (geometry: unknown) => unknown;
}

/** Every route that reads a polygon or a line from its body. */
function geometryRoutes(): GeometryRoute[] {
  const zoneProps = { duty: 'frontage', name: '边界测试', ownerOrgId: fx.org };
  const sectionProps = { name: '边界路段', ownerOrgId: fx.org };
  const coverage = (what: string): GeometryRoute => ({
    method: 'POST', route: `/api/coverage/${what}`, path: () => `/api/coverage/${what}`, kind: 'polygon', body: (area) => ({ duty: 'sanitation-city', area }),
  });
  return [
    coverage('gaps'), coverage('overlaps'), coverage('cross-tier'), coverage('roads'),
    { method: 'POST', route: '/api/zones', path: () => '/api/zones', kind: 'polygon', body: (geometry) => ({ type: 'Feature', geometry, properties: zoneProps }) },
    { method: 'PUT', route: '/api/zones/:id', path: () => `/api/zones/${fx.zone}`, kind: 'polygon', body: (geometry) => ({ type: 'Feature', geometry, properties: { ...zoneProps, version: fx.zoneVersion } }) },
    { method: 'POST', route: '/api/zones/preview', path: () => '/api/zones/preview', kind: 'polygon', body: (geometry) => ({ geometry, duty: 'frontage' }) },
    { method: 'POST', route: '/api/zones/:id/fill', path: () => `/api/zones/${fx.zone}/fill`, kind: 'polygon', body: (geometry) => ({ version: fx.zoneVersion, geometry }) },
    { method: 'POST', route: '/api/zones/:id/split', path: () => `/api/zones/${fx.zone}/split`, kind: 'line', body: (line) => ({ version: fx.zoneVersion, line }) },
    { method: 'POST', route: '/api/road-sections', path: () => '/api/road-sections', kind: 'line', body: (geometry) => ({ type: 'Feature', geometry, properties: sectionProps }) },
    { method: 'PUT', route: '/api/road-sections/:id', path: () => `/api/road-sections/${fx.section}`, kind: 'line', body: (geometry) => ({ type: 'Feature', geometry, properties: { ...sectionProps, version: fx.sectionVersion } }) },
    { method: 'POST', route: '/api/road-sections/preview', path: () => '/api/road-sections/preview', kind: 'line', body: (geometry) => ({ geometry }) },
  ];
}

/** GET routes that read a `bbox`, with the rest of a valid query. */
const BBOX_ROUTES: [route: string, path: string][] = [
  ['/api/layers/:layer', '/api/layers/streets?'],
  ['/api/layers/:layer', '/api/layers/zones?duty=frontage&'],
  ['/api/layers/:layer', '/api/layers/road-sections?'],
  ['/api/layers/:layer', '/api/layers/inspection-points?'],
  ['/api/problems', '/api/problems?'],
  ['/api/problems/stats/grids', '/api/problems/stats/grids?'],
  ['/api/problems/hotspots', '/api/problems/hotspots?'],
  ['/api/problems/trend', '/api/problems/trend?'],
];

const send = (method: string, path: string, body: unknown) =>
  admin.request(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  database = await freshDatabase();
  admin = testApp(database, 'admin');
  const row = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(database.db)).rows[0] as T;
  const centre = await row(sql<{ lon: number; lat: number }>`SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (SELECT (ST_MaximumInscribedCircle(geom)).center AS c FROM territories WHERE level = 'district') s`);
  const zone = await row(sql<{ id: number; version: number; org: number }>`SELECT id, version, owner_org_id AS org FROM zones WHERE valid_to IS NULL ORDER BY id LIMIT 1`);
  const section = await row(sql<{ id: number; version: number }>`SELECT id, version FROM road_sections WHERE valid_to IS NULL ORDER BY id LIMIT 1`);
  const e = await row(sql<{ x0: number; y0: number; x1: number; y1: number }>`
    SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1 FROM (SELECT ST_Extent(geom) AS e FROM territories) s`);
  fx = { lon: centre.lon, lat: centre.lat, zone: zone.id, zoneVersion: zone.version, section: section.id, sectionVersion: section.version, org: zone.org, extent: [e.x0, e.y0, e.x1, e.y1] };
});
afterAll(async () => {
  await database?.close();
});

describe('antipodal and pole-to-pole geometry', () => {
  it('lists only routes the app serves', () => {
    const served = new Set(admin.app.routes.map((r) => `${r.method} ${r.path}`));
    const listed = [...geometryRoutes().map((r) => `${r.method} ${r.route}`), ...BBOX_ROUTES.map(([route]) => `GET ${route}`)];
    expect(listed.filter((key) => !served.has(key))).toEqual([]);
  });

  it('refuses a pole-to-pole polygon and line on every geometry route with 422 in the error shape', async () => {
    const answers: string[] = [];
    for (const r of geometryRoutes()) {
      const geometries = r.kind === 'polygon' ? [poleToPolePolygon(fx.lon)] : [poleToPoleLine(fx.lon), poleToPoleLine(0)];
      for (const geometry of geometries) {
        const res = await send(r.method, r.path(), r.body(geometry));
        const code = res.status >= 400 ? (await errorOf(res)).code : '';
        answers.push(`${r.method} ${r.route} ${JSON.stringify(geometry.coordinates[0])}: ${res.status} ${code}`);
      }
    }
    // every one refused for being out of bounds, before any query ran
    expect(answers.filter((a) => !/: 422 geometry_out_of_bounds$/.test(a))).toEqual([]);
  });

  it('refuses a box 180° wide (or reaching a pole) on every route reading a bbox', async () => {
    const { lon, lat } = fx;
    const boxes = [`${lon - 175},${lat},${lon + 5},${lat + 0.01}`, `${lon},-90,${lon + 0.01},90`, '-180,-90,180,90'];
    const answers: string[] = [];
    for (const [route, path] of BBOX_ROUTES) {
      for (const bbox of boxes) {
        const res = await admin.request(`${path}bbox=${bbox}`);
        const code = res.status >= 400 ? (await errorOf(res)).code : '';
        answers.push(`${route} ${bbox}: ${res.status} ${code}`);
      }
    }
    expect(answers.filter((a) => !/: 422 geometry_out_of_bounds$/.test(a))).toEqual([]);
  });

  it('still takes a box around the district, and a drawn area inside it', async () => {
    const [x0, y0, x1, y1] = fx.extent;
    for (const [, path] of BBOX_ROUTES) {
      const res = await admin.request(`${path}bbox=${x0},${y0},${x1},${y1}`);
      expect(res.status, path).toBe(200);
    }
    const res = await send('POST', '/api/coverage/gaps', { duty: 'sanitation-city', area: square(fx.lon, fx.lat, 0.002) });
    expect(res.status).toBe(200);
  });

  it('refuses a polygon far from the territory (on the other side of the globe) with 422, names the bounds, and writes nothing', async () => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM zones`.execute(database.db);
    const res = await send('POST', '/api/zones', { type: 'Feature', geometry: square(fx.lon - 180, -fx.lat, 0.001), properties: { duty: 'frontage', name: '远方', ownerOrgId: fx.org } });
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error.code).toBe('geometry_out_of_bounds');
    const bounds = (error.details as { bounds: number[] }).bounds;
    // the territory's extent lies inside the bounds the answer names
    expect(bounds[0]).toBeLessThan(fx.extent[0]);
    expect(bounds[1]).toBeLessThan(fx.extent[1]);
    expect(bounds[2]).toBeGreaterThan(fx.extent[2]);
    expect(bounds[3]).toBeGreaterThan(fx.extent[3]);
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM zones`.execute(database.db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });
});

describe('imported files', () => {
  it('marks pole-to-pole and far-away features outside the territory (geometry_out_of_bounds) and keeps the good one', async () => {
    const feature = (geometry: unknown, name: string) => ({ type: 'Feature', geometry, properties: { name } });
    const file = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        feature(square(fx.lon, fx.lat, 0.0005), 'good'),
        feature(poleToPolePolygon(fx.lon), 'pole-to-pole'),
        feature(square(fx.lon - 180, -fx.lat, 0.0005), 'antipodes'),
      ],
    });
    const form = new FormData();
    form.set('file', new Blob([file]), 'bounds.geojson');
    for (const [k, v] of Object.entries({ layer: 'zones', duty: 'greening', crs: 'wgs84', ownerOrgId: fx.org })) form.set(k, String(v));
    const res = await admin.request('/api/import', { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const preview = (await res.json()) as { features: { name: string; status: string; findings: { code: string; reason?: string }[] }[] };
    const reason = (name: string) => {
      const f = preview.features.find((x) => x.name === name)!;
      return [f.status, f.findings.find((x) => x.code === 'geometry_out_of_bounds' || x.code === 'invalid')?.code];
    };
    expect(reason('good')[0]).toBe('ok');
    expect(reason('pole-to-pole')).toEqual(['outside_territory', 'geometry_out_of_bounds']);
    expect(reason('antipodes')).toEqual(['outside_territory', 'geometry_out_of_bounds']);
  });
});

describe('heavy reads', () => {
  /** A ring of `n` vertices around a point, about 100 m across: valid, inside the district, and far too detailed. */
  const detailed = (n: number) => {
    const ring: number[][] = [];
    for (let i = 0; i < n - 1; i++) ring.push([fx.lon + Math.cos((2 * Math.PI * i) / (n - 1)) * 0.001, fx.lat + Math.sin((2 * Math.PI * i) / (n - 1)) * 0.001]);
    ring.push(ring[0]!);
    return { type: 'Polygon', coordinates: [ring] };
  };

  it('refuses a 100,000-vertex area on the coverage reads with 422 geometry_too_complex', async () => {
    const area = detailed(100_000);
    for (const what of ['gaps', 'overlaps', 'cross-tier', 'roads']) {
      const res = await send('POST', `/api/coverage/${what}`, { duty: 'sanitation-city', area });
      expect(res.status, what).toBe(422);
      expect((await errorOf(res)).code).toBe('geometry_too_complex');
    }
  });

  it('still reads a detailed area (2,000 vertices)', async () => {
    const res = await send('POST', '/api/coverage/gaps', { duty: 'sanitation-city', area: detailed(2_000) });
    expect(res.status).toBe(200);
  });
});

describe('statement timeout (PostgreSQL)', () => {
  // PGlite has no timer to interrupt a statement: on the embedded engine the vertex limit and the heavy-read turns hold
  it.skipIf(!process.env.DATABASE_URL)('cancels a statement that runs past it, with SQLSTATE 57014', async () => {
    const limited = await createDatabase({ url: process.env.DATABASE_URL, max: 1, statementTimeoutMs: 200 });
    try {
      const shown = await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(limited.db);
      expect(shown.rows[0]!.statement_timeout).toBe('200ms');
      const error = await sql`SELECT pg_sleep(5)`.execute(limited.db).then(() => null, (e: unknown) => e as { code?: string });
      expect(error?.code).toBe('57014');
    } finally {
      await limited.close();
    }
  });
});
