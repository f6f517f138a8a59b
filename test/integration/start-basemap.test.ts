/**
 * A start on a data dir without a basemap (the first start, or one whose
 * archive was deleted) ends up serving the built-in offline basemap: built by
 * the same startup steps `pnpm start` runs (server/src/startup.ts), offered
 * first by the desktop's list and its default style, and read by the citizen
 * page through its public URL. Its bounds are checked against the district in
 * the database, not against fixed figures.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@civgrid/db';
import { createApp } from '@civgrid/server';
import { BuiltinBasemapBuilder } from '../../server/src/services/builtin-basemap.ts';
import { createLogger } from '../../server/src/http/logger.ts';
import { prepareDatabase } from '../../server/src/startup.ts';
import { decodeHeader } from '@civgrid/tiles';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

let database: Database;
let tilesDir: string;
const lines: string[] = [];
const logger = createLogger('info', (line) => lines.push(line));

beforeAll(async () => {
  database = await freshDatabase();
  tilesDir = join(mkdtempSync(join(tmpdir(), 'civgrid-start-')), 'tiles');
});
afterAll(async () => {
  await database?.close();
  rmSync(join(tilesDir, '..'), { recursive: true, force: true });
});

async function districtBox(): Promise<{ west: number; south: number; east: number; north: number }> {
  const { rows } = await sql<{ west: number; south: number; east: number; north: number }>`
    SELECT ST_XMin(e) AS west, ST_YMin(e) AS south, ST_XMax(e) AS east, ST_YMax(e) AS north
    FROM (SELECT ST_Extent(geom)::geometry AS e FROM territories WHERE level = 'district') d`.execute(database.db);
  return rows[0]!;
}

function expectBasemapArchive(bytes: Uint8Array, district: { west: number; south: number; east: number; north: number }) {
  const header = decodeHeader(bytes.subarray(0, 127));
  expect(new TextDecoder().decode(bytes.subarray(0, 7))).toBe('PMTiles');
  expect(header.tileType).toBe('mvt');
  // the archive covers the district it was built from (the header keeps degrees × 10⁷ as integers: one step of slack)
  const step = 1e-7;
  expect(header.minLon).toBeLessThanOrEqual(district.west + step);
  expect(header.minLat).toBeLessThanOrEqual(district.south + step);
  expect(header.maxLon).toBeGreaterThanOrEqual(district.east - step);
  expect(header.maxLat).toBeGreaterThanOrEqual(district.north - step);
  expect(header.numAddressedTiles).toBeGreaterThan(0);
}

describe('the start of a data dir without a basemap', () => {
  it('builds the built-in offline basemap before listening, and the maps offer it by default', async () => {
    expect(existsSync(join(tilesDir, 'basemap.pmtiles'))).toBe(false);
    const builder = new BuiltinBasemapBuilder(database.db, tilesDir, logger);
    const report = await prepareDatabase(database, logger, { demo: true, basemap: builder });
    expect(report.basemap).toBe('built');
    expect(existsSync(join(tilesDir, 'basemap.pmtiles'))).toBe(true);
    expect(lines.some((l) => l.includes('building the built-in offline basemap'))).toBe(true);

    const app = createApp({ database, webRoot: '/nonexistent-web-root', tilesDir, basemapBuilder: builder, demo: true });
    const district = await districtBox();

    // the citizen page: its style reads the public archive, which answers without a session
    const style = (await (await app.request('http://localhost/api/public/map/style.json')).json()) as { sources: Record<string, { url?: string }> };
    expect(Object.values(style.sources).map((s) => s.url)).toEqual(['pmtiles://http://localhost/api/public/map/basemap.pmtiles']);
    const res = await app.request('/api/public/map/basemap.pmtiles', { headers: { range: 'bytes=0-16383' } });
    expect(res.status).toBe(206);
    expectBasemapArchive(new Uint8Array(await res.arrayBuffer()), district);
    const whole = await app.request('/api/public/map/basemap.pmtiles');
    expect(whole.status).toBe(200);

    // the desktop: first in the list, one name, and the style asked without a choice is it
    const viewer = asUser(app, 'viewer');
    const list = (await (await viewer.request('/api/map/basemaps')).json()) as { id: string; name: string; type: string }[];
    expect(list[0]).toEqual({ id: 'builtin', name: '内置离线底图', type: 'pmtiles' });
    expect(list.map((b) => b.id)).toContain('none');
    const desktop = (await (await viewer.request('http://localhost/api/map/style.json')).json()) as { sources: Record<string, { url?: string }> };
    expect(desktop.sources['basemap:builtin']?.url).toBe('pmtiles://http://localhost/api/public/map/basemap.pmtiles');
  });

  it('a later start leaves the archive alone; a deleted one is built again when asked for', async () => {
    const builder = new BuiltinBasemapBuilder(database.db, tilesDir, logger);
    expect((await prepareDatabase(database, logger, { demo: true, basemap: builder })).basemap).toBe('present');

    rmSync(join(tilesDir, 'basemap.pmtiles'));
    const app = createApp({ database, webRoot: '/nonexistent-web-root', tilesDir, basemapBuilder: builder, demo: true });
    const missing = await app.request('/api/public/map/basemap.pmtiles');
    expect(missing.status).toBe(404);
    // the request started a build; waiting on the builder joins it
    expect(await builder.ensure()).toMatch(/^(built|present)$/);
    const again = await app.request('/api/public/map/basemap.pmtiles', { headers: { range: 'bytes=0-16383' } });
    expect(again.status).toBe(206);
    expectBasemapArchive(new Uint8Array(await again.arrayBuffer()), await districtBox());
  });

  it('CIVGRID_BASEMAP_AUTOBUILD=false leaves the tiles folder alone, and the plain map is the default', async () => {
    const empty = join(mkdtempSync(join(tmpdir(), 'civgrid-start-off-')), 'tiles');
    const builder = new BuiltinBasemapBuilder(database.db, empty, logger, false);
    expect((await prepareDatabase(database, logger, { demo: true, basemap: builder })).basemap).toBe('off');
    const app = createApp({ database, webRoot: '/nonexistent-web-root', tilesDir: empty, basemapBuilder: builder, demo: true });
    expect((await app.request('/api/public/map/basemap.pmtiles')).status).toBe(404);
    expect(await builder.ensure()).toBe('off');
    expect(existsSync(join(empty, 'basemap.pmtiles'))).toBe(false);
    const list = (await (await asUser(app, 'viewer').request('/api/map/basemaps')).json()) as { id: string }[];
    expect(list.map((b) => b.id)).toEqual(['none']);
    rmSync(join(empty, '..'), { recursive: true, force: true });
  });
});
