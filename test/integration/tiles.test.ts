/**
 * Vector tiles of every layer: the features in a tile are the ones PostGIS
 * finds in the tile's envelope; on PostgreSQL, ST_AsMVT and the JavaScript
 * encoder of the embedded engine give the same features and properties;
 * caching answers 304 and follows the layer's data version.
 */
import type { Database } from '@civgrid/db';
import { lonLatToTile } from '@civgrid/tiles';
import { VectorTile } from '@mapbox/vector-tile';
import { sql } from 'kysely';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TILE_SOURCES, type TileEncoder, TileRepository } from '../../server/src/repositories/tile.repository.ts';
import { type TestApp, asUser, errorOf, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

let database: Database;
let app: TestApp;
let centre: { lon: number; lat: number };

beforeAll(async () => {
  database = await freshDatabase();
  app = testApp(database);
  const { rows } = await sql<{ lon: number; lat: number }>`
    SELECT ST_X(p)::float8 AS lon, ST_Y(p)::float8 AS lat
    FROM (SELECT ST_PointOnSurface(geom) AS p FROM territories WHERE level = 'district') x`.execute(database.db);
  centre = rows[0]!;
});
afterAll(async () => {
  await database?.close();
});

type Decoded = Map<number, Record<string, unknown>>;

function decode(bytes: Uint8Array, layer: string): Decoded {
  const tile = new VectorTile(new PbfReader(bytes));
  expect(Object.keys(tile.layers)).toEqual([layer]);
  const l = tile.layers[layer]!;
  const features: Decoded = new Map();
  for (let i = 0; i < l.length; i++) {
    const f = l.feature(i);
    features.set(Number(f.id), { ...f.properties, type: f.type });
  }
  return features;
}

/** Ids whose geometry intersects the tile's envelope grown (or shrunk) by `pixels` of 4096. */
async function idsNear(layer: keyof typeof TILE_SOURCES, z: number, x: number, y: number, pixels: number, duty?: string): Promise<Set<number>> {
  const source = TILE_SOURCES[layer].sql({ duty });
  const { rows } = await sql<{ id: number }>`
    WITH e AS (SELECT ST_Transform(ST_Expand(ST_TileEnvelope(${z}::int, ${x}::int, ${y}::int),
                 ${pixels}::float8 * (2 * pi() * 6378137 / 2 ^ ${z}::int) / 4096), 4326) AS g)
    SELECT s.id FROM (${source}) s, e WHERE ST_Intersects(s.geom, e.g)`.execute(database.db);
  return new Set(rows.map((r) => r.id));
}

const CASES = [
  ['district', 10, undefined], ['streets', 12, undefined], ['communities', 13, undefined], ['grids', 14, undefined],
  ['roads', 14, undefined], ['road-sections', 13, undefined], ['inspection-points', 13, undefined],
  ['zones', 14, 'sanitation-city'], ['zones', 13, 'sanitation-town'], ['context', 10, undefined], ['problems', 16, undefined],
] as const;

describe('GET /tiles/{layer}/{z}/{x}/{y}.mvt', () => {
  it.each(CASES)('%s at z%s holds the features PostGIS finds in the tile', async (layer, z, duty) => {
    const { x, y } = lonLatToTile(centre.lon, centre.lat, z);
    const res = await app.request(`/tiles/${layer}/${z}/${x}/${y}.mvt${duty ? `?duty=${duty}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    const features = decode(new Uint8Array(await res.arrayBuffer()), layer);
    const inner = await idsNear(layer, z, x, y, -2, duty);
    const outer = await idsNear(layer, z, x, y, 64, duty);
    expect(inner.size).toBeGreaterThan(0);
    for (const id of inner) expect(features.has(id), `feature ${id} inside the tile`).toBe(true);
    for (const id of features.keys()) expect(outer.has(id), `feature ${id} within the buffer`).toBe(true);
  });

  it.skipIf(!process.env.DATABASE_URL)('ST_AsMVT and the JavaScript encoder give the same features and properties', async () => {
    const tiles = new TileRepository(database.db, database.engine);
    // …and the aggregated problem cells of the low zooms
    for (const [layer, z, duty] of [...CASES, ['problems', 11, undefined] as const]) {
      const { x, y } = lonLatToTile(centre.lon, centre.lat, z);
      const made = {} as Record<TileEncoder, Decoded>;
      for (const encoder of ['postgis', 'js'] as const) {
        const bytes = await tiles.tile(layer, z, x, y, { duty }, encoder);
        expect(bytes, `${layer} ${encoder}`).not.toBeNull();
        made[encoder] = decode(bytes!, layer);
      }
      // ST_AsMVTGeom may drop a feature that collapses below a pixel where the JS path keeps a point of it
      const ids = [...made.postgis.keys()].sort((a, b) => a - b);
      expect([...made.js.keys()].sort((a, b) => a - b), layer).toEqual(ids);
      for (const id of ids) expect(made.js.get(id), `${layer} ${id}`).toEqual(made.postgis.get(id));
    }
  });

  it('carries the properties the database holds', async () => {
    const z = 13;
    const { x, y } = lonLatToTile(centre.lon, centre.lat, z);
    const features = decode(new Uint8Array(await (await app.request(`/tiles/inspection-points/${z}/${x}/${y}.mvt`)).arrayBuffer()), 'inspection-points');
    const ids = [...features.keys()];
    expect(ids.length).toBeGreaterThan(0);
    const rows = await database.db.selectFrom('inspection_points').select(['id', 'code', 'name', 'point_type']).where('id', 'in', ids).execute();
    for (const row of rows) expect(features.get(row.id)).toMatchObject({ code: row.code, name: row.name, point_type: row.point_type, type: 1 });
  });

  it('aggregates problems below z16 into counted cells that add up to the problems in the tile', async () => {
    const z = 11;
    const { x, y } = lonLatToTile(centre.lon, centre.lat, z);
    const res = await app.request(`/tiles/problems/${z}/${x}/${y}.mvt`);
    expect(res.status).toBe(200);
    const cells = decode(new Uint8Array(await res.arrayBuffer()), 'problems');
    const total = [...cells.values()].reduce((a, f) => a + Number(f.count), 0);
    const inside = (await idsNear('problems', z, x, y, -32)).size;
    const around = (await idsNear('problems', z, x, y, 64 + 32)).size;
    expect(cells.size).toBeLessThan(total); // cells, not points
    expect(total).toBeGreaterThanOrEqual(inside);
    expect(total).toBeLessThanOrEqual(around);
  });

  it('filters problems by status and answers 204 for an empty tile', async () => {
    const z = 16;
    // the tile of a problem not yet dispatched, among closed ones (the demo has a few such at any day)
    const { rows: [fresh] } = await sql<{ id: number; lon: number; lat: number }>`
      SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM problems WHERE status IN ('reported', 'registered') ORDER BY id LIMIT 1`.execute(database.db);
    expect(fresh, 'a problem reported or registered').toBeDefined();
    const { x, y } = lonLatToTile(fresh!.lon, fresh!.lat, z);
    const all = decode(new Uint8Array(await (await app.request(`/tiles/problems/${z}/${x}/${y}.mvt`)).arrayBuffer()), 'problems');
    const res = await app.request(`/tiles/problems/${z}/${x}/${y}.mvt?status=reported,registered`);
    expect(res.status).toBe(200);
    const features = decode(new Uint8Array(await res.arrayBuffer()), 'problems');
    expect(features.has(fresh!.id)).toBe(true);
    for (const f of features.values()) expect(['reported', 'registered']).toContain(f.status);
    expect([...all.values()].filter((f) => f.status === 'reported' || f.status === 'registered').length).toBe(features.size);
    expect((await app.request('/tiles/problems/12/0/0.mvt')).status).toBe(204);
  });

  it('answers 304 to a matching ETag, caches, and changes the ETag when the layer changes', async () => {
    const { x, y } = lonLatToTile(centre.lon, centre.lat, 12);
    const path = `/tiles/streets/12/${x}/${y}.mvt`;
    const first = await app.request(path);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect(first.headers.get('cache-control')).toContain('max-age');
    const again = await app.request(path);
    expect(again.headers.get('x-tile-cache')).toBe('hit');
    expect((await app.request(path, { headers: { 'if-none-match': etag } })).status).toBe(304);
    // a write elsewhere (another process, say) bumps the version; the NOTIFY reaches this app
    await new TileRepository(database.db, database.engine).bumpVersion('streets');
    await expect.poll(async () => (await app.request(path, { headers: { 'if-none-match': etag } })).status, { timeout: 5_000 }).toBe(200);
    const changed = await app.request(path, { headers: { 'if-none-match': etag } });
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it.skipIf(!process.env.DATABASE_URL)('keeps two server processes on one database in step after a write', async () => {
    const { createDatabase } = await import('@civgrid/db');
    const { createApp } = await import('@civgrid/server');
    // a second connection pool and app: what a second server process behind a load balancer has
    const url = new URL(process.env.DATABASE_URL!);
    const current = (await sql<{ d: string }>`SELECT current_database() AS d`.execute(database.db)).rows[0]!.d;
    url.pathname = `/${current}`;
    const other = await createDatabase({ url: url.toString(), max: 2 });
    try {
      const second = asUser(createApp({ database: other, webRoot: '/nonexistent' }), 'viewer');
      const { x, y } = lonLatToTile(centre.lon, centre.lat, 12);
      const path = `/tiles/communities/12/${x}/${y}.mvt`;
      const before = (await second.request(path)).headers.get('etag');
      expect((await second.request(path)).headers.get('x-tile-cache')).toBe('hit');
      await new TileRepository(database.db, database.engine).bumpVersion('communities'); // the first "process" writes
      await expect.poll(async () => (await second.request(path)).headers.get('etag'), { timeout: 5_000 }).not.toBe(before);
    } finally {
      await other.close();
    }
  });

  it('refuses bad tile requests with a 4xx in the error shape', async () => {
    for (const [path, status, code] of [
      ['/tiles/streets/23/0/0.mvt', 400, 'invalid_tile'],
      ['/tiles/streets/12/4096/0.mvt', 400, 'invalid_tile'],
      ['/tiles/streets/12/0/4096.mvt', 400, 'invalid_tile'],
      ['/tiles/streets/a/0/0.mvt', 400, 'invalid_tile'],
      ['/tiles/streets/1/0/0.png', 400, 'invalid_tile'],
      ['/tiles/streets/-1/0/0.mvt', 400, 'invalid_tile'],
      ['/tiles/nonsense/1/0/0.mvt', 404, 'unknown_layer'],
      ['/tiles/zones/12/0/0.mvt', 400, 'duty_required'],
      ['/tiles/zones/12/0/0.mvt?duty=nope', 404, 'unknown_duty_type'],
      ['/tiles/problems/12/0/0.mvt?status=bogus', 400, 'invalid_request'],
      ['/tiles/problems/12/0/0.mvt?from=yesterday', 400, 'invalid_request'],
    ] as const) {
      const res = await app.request(path);
      expect(res.status, path).toBe(status);
      expect((await errorOf(res)).code, path).toBe(code);
    }
  });
});

describe('GET /tiles/{layer}.json', () => {
  it('is TileJSON 3 naming the layer, its zooms and the district bounds', async () => {
    const res = await app.request('http://localhost/tiles/zones.json?duty=sanitation-town');
    expect(res.status).toBe(200);
    const tj = (await res.json()) as { tilejson: string; tiles: string[]; vector_layers: { id: string }[]; bounds: number[]; minzoom: number };
    expect(tj.tilejson).toBe('3.0.0');
    expect(tj.tiles).toEqual(['http://localhost/tiles/zones/{z}/{x}/{y}.mvt?duty=sanitation-town']);
    expect(tj.vector_layers.map((l) => l.id)).toEqual(['zones']);
    expect(tj.bounds[0]).toBeGreaterThan(110);
    expect(tj.bounds[0]).toBeLessThan(tj.bounds[2]!);
    expect((await app.request('/tiles/nonsense.json')).status).toBe(404);
  });
});

describe('GET /tiles/{name}.pmtiles', () => {
  it('serves archives from the tiles folder with Range requests, next to the dynamic tiles', async () => {
    const { mkdtempSync, copyFileSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createApp } = await import('@civgrid/server');
    const dir = mkdtempSync(join(tmpdir(), 'civgrid-tiles-'));
    const file = join(import.meta.dirname, '../fixtures/pmtiles/world_stamen_toner_raster_z0-3.pmtiles');
    copyFileSync(file, join(dir, 'basemap.pmtiles'));
    const withTiles = asUser(createApp({ database, webRoot: '/nonexistent', tilesDir: dir }), 'viewer');
    const res = await withTiles.request('/tiles/basemap.pmtiles', { headers: { range: 'bytes=0-126' } });
    expect(res.status).toBe(206);
    const head = new Uint8Array(await res.arrayBuffer());
    expect(head).toEqual(new Uint8Array(readFileSync(file).subarray(0, 127)));
    expect(new TextDecoder().decode(head.subarray(0, 7))).toBe('PMTiles');
    expect((await withTiles.request('/tiles/basemap.pmtiles', { headers: { range: 'bytes=99999999-' } })).status).toBe(416);
    // the dynamic tiles still answer beside it
    expect((await withTiles.request('/tiles/streets.json')).status).toBe(200);
  });
});

describe('GET /api/map/style.json', () => {
  it('offers the built-in basemap once its archive exists, Tianditu with a key, and configured ones', async () => {
    const { mkdtempSync, copyFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createApp } = await import('@civgrid/server');
    const { validateStyleMin } = await import('@maplibre/maplibre-gl-style-spec');
    const dir = mkdtempSync(join(tmpdir(), 'civgrid-basemap-'));
    const bare = asUser(createApp({ database, webRoot: '/nonexistent', tilesDir: dir }), 'viewer');
    expect(((await (await bare.request('/api/map/basemaps')).json()) as { id: string }[]).map((b) => b.id)).toEqual(['none']);
    const missing = await bare.request('/api/map/style.json?basemap=builtin');
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('unknown_basemap');

    copyFileSync(join(import.meta.dirname, '../fixtures/pmtiles/world_stamen_toner_raster_z0-3.pmtiles'), join(dir, 'basemap.pmtiles'));
    const full = createApp({
      database, webRoot: '/nonexistent', tilesDir: dir,
      basemaps: { tiandituKey: 'abcdef123456', custom: [{ id: 'osm', name: 'OSM', type: 'xyz', tiles: ['https://tiles.example.org/{z}/{x}/{y}.png'], attribution: '© OpenStreetMap contributors' }] },
    });
    const list = (await (await full.request('/api/map/basemaps')).json()) as { id: string }[];
    expect(list.map((b) => b.id)).toEqual(['builtin', 'none', 'tianditu', 'osm']);
    expect(JSON.stringify(list)).not.toContain('abcdef123456');
    for (const id of ['none', 'builtin', 'tianditu', 'osm']) {
      const res = await full.request(`http://localhost/api/map/style.json?basemap=${id}`);
      expect(res.status, id).toBe(200);
      expect(validateStyleMin((await res.json()) as never).map((e) => e.message), id).toEqual([]);
    }
    const builtin = (await (await full.request('http://localhost/api/map/style.json?basemap=builtin')).json()) as { sources: Record<string, { url?: string }> };
    expect(builtin.sources['basemap:builtin']?.url).toBe('pmtiles://http://localhost/api/public/map/basemap.pmtiles');
    // the page may fetch Tianditu and the configured host, nothing else
    const csp = (await full.request('/api/health')).headers.get('content-security-policy') ?? '';
    expect(csp).toContain('https://*.tianditu.gov.cn');
    expect(csp).toContain('https://tiles.example.org');
  });
});
