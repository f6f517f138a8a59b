/**
 * The citizen page's map (你拍我改), read without an account: a basemap style
 * whose sources need no session, the built-in basemap archive through its one
 * public URL (and no other archive of the folder), and the district's outline
 * with its streets and communities by name — nothing of the duties, owners,
 * people or problems.
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@civgrid/db';
import { createApp } from '@civgrid/server';
import { area as turfArea } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, errorOf, signIn, withSession } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

const ARCHIVE = join(import.meta.dirname, '../fixtures/pmtiles/world_stamen_toner_raster_z0-3.pmtiles');

let database: Database;
let tilesDir: string;
let app: App;

beforeAll(async () => {
  database = await freshDatabase();
  tilesDir = mkdtempSync(join(tmpdir(), 'civgrid-public-tiles-'));
  copyFileSync(ARCHIVE, join(tilesDir, 'basemap.pmtiles'));
  // another archive of the folder (a field package, say) stays behind the session
  copyFileSync(ARCHIVE, join(tilesDir, 'field-package.pmtiles'));
  app = createApp({ database, webRoot: '/nonexistent-web-root', tilesDir, demo: true });
});
afterAll(async () => {
  await database?.close();
});

interface Style {
  version: number;
  sources: Record<string, { type: string; url?: string; tiles?: string[] }>;
  layers: { id: string; type: string }[];
}

describe('GET /api/public/map/style.json', () => {
  it('answers without a session, its basemap read through the public archive URL', async () => {
    const res = await app.request('/api/public/map/style.json');
    expect(res.status).toBe(200);
    const style = (await res.json()) as Style;
    expect(style.version).toBe(8);
    const urls = Object.values(style.sources).map((s) => s.url ?? '');
    expect(urls).toEqual(['pmtiles://http://localhost/api/public/map/basemap.pmtiles']);
    // the archive the staff map reads needs a session; the public style never points there
    expect(JSON.stringify(style)).not.toContain('/tiles/');
  });

  it('has no basemap source when the installation has none, and prefers Tianditu when it has a key', async () => {
    const bare = createApp({ database, webRoot: '/nonexistent-web-root' });
    const plain = (await (await bare.request('/api/public/map/style.json')).json()) as Style;
    expect(plain.sources).toEqual({});
    expect(plain.layers.map((l) => l.type)).toEqual(['background']);

    const keyed = createApp({ database, webRoot: '/nonexistent-web-root', tilesDir, basemaps: { tiandituKey: 'test-key' } });
    const style = (await (await keyed.request('/api/public/map/style.json')).json()) as Style;
    const tiles = Object.values(style.sources).flatMap((s) => s.tiles ?? []);
    expect(tiles.length).toBeGreaterThan(0);
    expect(tiles.every((t) => t.startsWith('https://') && t.includes('tianditu.gov.cn'))).toBe(true);
  });
});

describe('GET /api/public/map/basemap.pmtiles', () => {
  it('serves the built-in archive without a session, by byte range', async () => {
    const bytes = readFileSync(join(tilesDir, 'basemap.pmtiles'));
    const res = await app.request('/api/public/map/basemap.pmtiles', { headers: { range: 'bytes=0-126' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 0-126/${bytes.byteLength}`);
    const got = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(got).equals(bytes.subarray(0, 127))).toBe(true);
    expect(new TextDecoder().decode(got.subarray(0, 7))).toBe('PMTiles');
  });

  it('opens no other archive of the folder, and the staff URLs still need a session', async () => {
    expect((await app.request('/api/public/map/field-package.pmtiles')).status).toBe(404);
    const staff = await app.request('/tiles/field-package.pmtiles');
    expect(staff.status).toBe(401);
    expect((await errorOf(staff)).code).toBe('unauthenticated');
    expect((await app.request('/tiles/basemap.pmtiles')).status).toBe(401);
  });

  it('answers 404 in the error shape when there is no basemap', async () => {
    const bare = createApp({ database, webRoot: '/nonexistent-web-root' });
    const res = await bare.request('/api/public/map/basemap.pmtiles');
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('no_basemap');
  });
});

describe('GET /api/public/map/area.geojson', () => {
  it('holds the district, its streets and a label for every street and community, and nothing else', async () => {
    const res = await app.request('/api/public/map/area.geojson');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/geo+json');
    const fc = (await res.json()) as FeatureCollection;
    const counts = (await sql<{ level: string; n: number }>`SELECT level, count(*)::int AS n FROM territories GROUP BY level`.execute(database.db)).rows;
    const n = (level: string) => counts.find((c) => c.level === level)?.n ?? 0;
    const kinds = new Map<string, number>();
    for (const f of fc.features) kinds.set(String(f.properties?.kind), (kinds.get(String(f.properties?.kind)) ?? 0) + 1);
    expect(Object.fromEntries(kinds)).toEqual({ district: 1, street: n('street'), 'street-label': n('street'), 'community-label': n('community') });
    // names and codes only: no owner, person, phone or duty
    for (const f of fc.features) expect(Object.keys(f.properties ?? {}).sort()).toEqual(['code', 'kind', 'name']);
    const labels = fc.features.filter((f) => f.properties?.kind === 'community-label');
    expect(labels.every((f) => f.geometry.type === 'Point')).toBe(true);
  });

  it('simplifies the outline without changing the district’s area by more than 0.1 %', async () => {
    const fc = (await (await app.request('/api/public/map/area.geojson')).json()) as FeatureCollection;
    const simplified = fc.features.find((f) => f.properties?.kind === 'district') as Feature<Polygon | MultiPolygon>;
    // the full-precision outline, as a signed-in user reads it
    const session = await signIn(app, 'viewer');
    const full = (await (await app.request('/api/layers/district', withSession(session))).json()) as FeatureCollection<Polygon | MultiPolygon>;
    const exact = turfArea(full.features[0]!);
    expect(exact).toBeGreaterThan(50e6); // 象山区 is about 92 km²
    expect(Math.abs(turfArea(simplified) - exact) / exact).toBeLessThan(0.001);
    // and it is much smaller to send
    expect(JSON.stringify(simplified.geometry).length).toBeLessThan(JSON.stringify(full.features[0]!.geometry).length);
  });
});
