/**
 * The field app's offline package (GET /api/inspection/rounds/:id/package):
 * one group's points in visiting order with their people, the checklists of
 * their types, the open problems near them and the categories; its version,
 * which changes when a point of the group, the assignment or a checklist
 * changes and not otherwise; who may download it; and the basemap extract,
 * a valid PMTiles archive whose tiles are the built-in archive's own bytes
 * and cover every point at every zoom.
 *
 * The round, its groups and the stored route are written straight into the
 * tables, so that the package is tested against rows whose content the test
 * chose (the round and routing API has tests of its own).
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@civgrid/db';
import { bytesSource, lonLatToTile, PMTilesFileSource, PMTilesReader, tileIdToZxy } from '@civgrid/tiles/node';
import type { FeatureCollection } from 'geojson';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBasemapFile } from '../../tiles/src/cli/basemap-file.ts';
import { errorOf, type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

interface Person {
  id: number;
  name: string;
  phone: string | null;
}
interface Pkg {
  version: string;
  generatedAt: string;
  round: { id: number; name: string; status: string };
  group: { id: number; name: string; members: { username: string }[] };
  route: FeatureCollection;
  points: { id: number; code: string; name: string; pointType: string; lon: number; lat: number; version: number; visitOrder: number; leader: Person | null; people: Person[] }[];
  checklists: Record<string, { id: number; code: string; label: string; labelEn: string; points: number; categoryId: string | null }[]>;
  problems: { id: number; status: string; lon: number; lat: number; pointId: number; distanceM: number }[];
  problemRadiusM: number;
  categories: { id: string; nameZh: string }[];
  basemap: { url: string; bbox: [number, number, number, number]; minzoom: number; maxzoom: number; bytes: number; tiles: number } | null;
}

let database: Database;
let tilesDir: string;
let supervisor: TestApp;
let inspector: TestApp;
const fx = { round: 0, groupA: 0, groupB: 0, otherRound: 0, otherGroup: 0, pointsA: [] as number[], pointsB: [] as number[], outside: 0, near: 0, closed: 0, far: 0, extraItem: 0, inactiveItem: 0 };

/** Great-circle distance in metres (mean Earth radius): independent of PostGIS's geography. */
function haversine(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const r = (d: number) => (d * Math.PI) / 180;
  const a = Math.sin(r(lat2 - lat1) / 2) ** 2 + Math.cos(r(lat1)) * Math.cos(r(lat2)) * Math.sin(r(lon2 - lon1) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(a));
}

const one = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(database.db)).rows[0]!;
const insertProblem = async (lon: number, lat: number, status: string) =>
  (await one(sql<{ id: number }>`
    INSERT INTO problems (category_id, status, geom, description) VALUES ('evt-env-exposed-waste', ${status}, ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326), '外业包测试')
    RETURNING id`)).id;

async function getPackage(as: TestApp = supervisor, group = fx.groupA): Promise<Pkg> {
  const res = await as.request(`/api/inspection/rounds/${fx.round}/package?group=${group}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Pkg;
}
async function versionOf(group = fx.groupA): Promise<string> {
  const res = await supervisor.request(`/api/inspection/rounds/${fx.round}/package/version?group=${group}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { version: string }).version;
}

beforeAll(async () => {
  database = await freshDatabase();
  tilesDir = mkdtempSync(join(tmpdir(), 'civgrid-package-tiles-'));
  await buildBasemapFile(database.db, join(tilesDir, 'basemap.pmtiles'));
  supervisor = testApp(database, 'supervisor', { tilesDir });
  inspector = supervisor.as('inspector');

  // six points near the first one (group A, visited in the order chosen here), the next three (group B)
  const first = await one(sql<{ id: number }>`SELECT id FROM inspection_points ORDER BY code LIMIT 1`);
  const nearest = (await sql<{ id: number }>`
    SELECT id FROM inspection_points ORDER BY geom <-> (SELECT geom FROM inspection_points WHERE id = ${first.id}), id LIMIT 10`.execute(database.db)).rows.map((r) => r.id);
  // a visiting order that is not the order of ids or codes
  fx.pointsA = [nearest[3]!, nearest[0]!, nearest[5]!, nearest[1]!, nearest[4]!, nearest[2]!];
  fx.pointsB = nearest.slice(6, 9);
  fx.outside = nearest[9]!;

  fx.round = (await one(sql<{ id: number }>`
    INSERT INTO inspection_rounds (name, starts_on, ends_on, status) VALUES ('外业包测试轮次', '2026-11-01', '2026-11-30', 'active') RETURNING id`)).id;
  fx.groupA = (await one(sql<{ id: number }>`INSERT INTO inspection_groups (round_id, name, color) VALUES (${fx.round}, '第1组', '#2563eb') RETURNING id`)).id;
  fx.groupB = (await one(sql<{ id: number }>`INSERT INTO inspection_groups (round_id, name, color) VALUES (${fx.round}, '第2组', '#dc2626') RETURNING id`)).id;
  fx.otherRound = (await one(sql<{ id: number }>`
    INSERT INTO inspection_rounds (name, starts_on, ends_on) VALUES ('另一轮次', '2026-12-01', '2026-12-31') RETURNING id`)).id;
  fx.otherGroup = (await one(sql<{ id: number }>`INSERT INTO inspection_groups (round_id, name) VALUES (${fx.otherRound}, '第1组') RETURNING id`)).id;
  await sql`INSERT INTO inspection_group_members (group_id, user_id) SELECT ${fx.groupA}, id FROM users WHERE username = 'inspector'`.execute(database.db);
  for (const [group, ids] of [[fx.groupA, fx.pointsA], [fx.groupB, fx.pointsB]] as const) {
    for (const [i, id] of ids.entries()) {
      await sql`INSERT INTO inspection_round_points (round_id, point_id, group_id, visit_order) VALUES (${fx.round}, ${id}, ${group}, ${i + 1})`.execute(database.db);
    }
  }
  await sql`INSERT INTO inspection_round_points (round_id, point_id) VALUES (${fx.round}, ${fx.outside})`.execute(database.db);
  // the groups' stored routes: a line through the points in visiting order (so that reading them computes nothing)
  for (const [group, ids, length] of [[fx.groupA, fx.pointsA, 1234.5], [fx.groupB, fx.pointsB, 800]] as const) {
    await sql`
      INSERT INTO inspection_routes (group_id, length_m, duration_s, geom, method)
      SELECT ${group}, ${length}, 987, ST_Multi(ST_MakeLine(ip.geom ORDER BY o.n)), 'dijkstra'
      FROM unnest(${sql.raw(`ARRAY[${ids.join(',')}]`)}::int[]) WITH ORDINALITY AS o(id, n) JOIN inspection_points ip ON ip.id = o.id`.execute(database.db);
  }

  // checklist items of the first point's type: one more active, one inactive
  const type = (await one(sql<{ point_type: string }>`SELECT point_type FROM inspection_points WHERE id = ${fx.pointsA[0]}`)).point_type;
  fx.extraItem = (await one(sql<{ id: number }>`
    INSERT INTO checklist_items (point_type, code, section, label, label_en, points, category_id, sort)
    VALUES (${type}, 'PKG-1', '设施', '外业包测试项', 'Package test item', 7, 'evt-env-exposed-waste', 999) RETURNING id`)).id;
  fx.inactiveItem = (await one(sql<{ id: number }>`
    INSERT INTO checklist_items (point_type, code, section, label, label_en, points, active)
    VALUES (${type}, 'PKG-OFF', '设施', '停用的检查项', 'Retired item', 5, false) RETURNING id`)).id;

  // problems: open 50 m north of a group point, closed at the same place, open 5 km further north
  const a0 = await one(sql<{ lon: number; lat: number }>`SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM inspection_points WHERE id = ${fx.pointsA[0]}`);
  fx.near = await insertProblem(a0.lon, a0.lat + 50 / 111_320, 'dispatched');
  fx.closed = await insertProblem(a0.lon, a0.lat + 50 / 111_320, 'closed');
  fx.far = await insertProblem(a0.lon, a0.lat + 0.045, 'reported');
});

afterAll(async () => {
  await database?.close();
});

describe('the package of a group', () => {
  it('carries the group\'s points in visiting order with their people, and the route with numbered stops', async () => {
    const pkg = await getPackage();
    expect(pkg.round).toMatchObject({ id: fx.round, name: '外业包测试轮次', status: 'active' });
    expect(pkg.group).toMatchObject({ id: fx.groupA, name: '第1组' });
    expect(pkg.group.members.map((m) => m.username)).toEqual(['inspector']);
    expect(pkg.points.map((p) => p.id)).toEqual(fx.pointsA);
    expect(pkg.points.map((p) => p.visitOrder)).toEqual([1, 2, 3, 4, 5, 6]);

    for (const point of pkg.points) {
      const row = await one(sql<{ code: string; name: string; point_type: string; version: number; lon: number; lat: number; people: number; leader_phone: string | null }>`
        SELECT ip.code, ip.name, ip.point_type, ip.version, ST_X(ip.geom) AS lon, ST_Y(ip.geom) AS lat,
               (SELECT count(*)::int FROM inspection_point_people pp WHERE pp.point_id = ip.id) AS people,
               (SELECT phone FROM people WHERE id = ip.leader_person_id) AS leader_phone
        FROM inspection_points ip WHERE ip.id = ${point.id}`);
      expect(point).toMatchObject({ code: row.code, name: row.name, pointType: row.point_type, version: row.version });
      expect(point.lon).toBeCloseTo(row.lon, 9);
      expect(point.lat).toBeCloseTo(row.lat, 9);
      expect(point.people).toHaveLength(row.people);
      expect(point.leader?.phone ?? null).toBe(row.leader_phone);
    }
    // the demo points have their people, with phones to call
    expect(pkg.points.some((p) => p.people.some((person) => /^1[3-9]\d{9}$/.test(person.phone ?? '')))).toBe(true);

    const stops = pkg.route.features.filter((f) => f.properties?.kind === 'stop');
    expect(stops.map((f) => f.properties?.order)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(stops.map((f) => f.properties?.pointId)).toEqual(fx.pointsA);
    const line = pkg.route.features.find((f) => f.properties?.kind === 'route');
    expect(line?.geometry.type).toBe('MultiLineString');
    expect(line?.properties).toMatchObject({ groupId: fx.groupA, lengthM: 1234.5 });
  });

  it('has the checklists of the point types in the group, active items only, and the categories to report with', async () => {
    const pkg = await getPackage();
    const types = [...new Set(pkg.points.map((p) => p.pointType))].sort();
    expect(Object.keys(pkg.checklists).sort()).toEqual(types);
    const firstType = pkg.points[0]!.pointType;
    const items = pkg.checklists[firstType]!;
    expect(items.at(-1)).toEqual({
      id: fx.extraItem, code: 'PKG-1', section: '设施', label: '外业包测试项', labelEn: 'Package test item', points: 7, categoryId: 'evt-env-exposed-waste',
    });
    expect(items.map((i) => i.id)).not.toContain(fx.inactiveItem);
    const active = await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM checklist_items WHERE point_type = ${firstType} AND active`);
    expect(items).toHaveLength(active.n);
    expect(pkg.categories.map((c) => c.id)).toContain('evt-env-exposed-waste');
  });

  it('has exactly the open problems within 200 m of the group\'s points', async () => {
    const pkg = await getPackage();
    expect(pkg.problemRadiusM).toBe(200);
    const ids = pkg.problems.map((p) => p.id);
    expect(ids).toContain(fx.near);
    expect(ids).not.toContain(fx.closed);
    expect(ids).not.toContain(fx.far);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pkg.problems.find((p) => p.id === fx.near)?.pointId).toBe(fx.pointsA[0]);
    expect(pkg.problems.find((p) => p.id === fx.near)?.distanceM).toBeCloseTo(50, -1);

    // every open problem of the area, judged by the great-circle distance (the borderline ±2 m left out)
    const [w, s, e, n] = [Math.min(...pkg.points.map((p) => p.lon)) - 0.01, Math.min(...pkg.points.map((p) => p.lat)) - 0.01,
      Math.max(...pkg.points.map((p) => p.lon)) + 0.01, Math.max(...pkg.points.map((p) => p.lat)) + 0.01];
    const open = (await sql<{ id: number; lon: number; lat: number }>`
      SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM problems
      WHERE status NOT IN ('closed', 'void') AND ST_X(geom) BETWEEN ${w} AND ${e} AND ST_Y(geom) BETWEEN ${s} AND ${n}`.execute(database.db)).rows;
    const nearest = (p: { lon: number; lat: number }) => Math.min(...pkg.points.map((q) => haversine(p.lon, p.lat, q.lon, q.lat)));
    const clear = open.filter((p) => Math.abs(nearest(p) - 200) > 2);
    const expected = clear.filter((p) => nearest(p) < 200).map((p) => p.id).sort((a, b) => a - b);
    expect(expected.length).toBeLessThan(500); // all of them fit in the package
    expect(ids.filter((id) => clear.some((p) => p.id === id)).sort((a, b) => a - b)).toEqual(expected);
    for (const p of pkg.problems) expect(p.status).not.toMatch(/^(closed|void)$/);
  });
});

describe('who may download it', () => {
  it('lets a member of the group and the campaign office in, nobody else', async () => {
    expect((await getPackage(inspector)).group.id).toBe(fx.groupA);
    for (const suffix of ['', '/version', '/basemap.pmtiles']) {
      const res = await inspector.request(`/api/inspection/rounds/${fx.round}/package${suffix}?group=${fx.groupB}`);
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe('not_group_member');
    }
    expect((await getPackage(supervisor.as('admin'), fx.groupB)).points.map((p) => p.id)).toEqual(fx.pointsB);
    for (const role of ['viewer', 'planner', 'handler']) {
      const res = await supervisor.as(role).request(`/api/inspection/rounds/${fx.round}/package?group=${fx.groupA}`);
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe('forbidden');
    }
    expect((await supervisor.as(null).request(`/api/inspection/rounds/${fx.round}/package?group=${fx.groupA}`)).status).toBe(401);
  });

  it('answers an unknown round or group, or a group of another round, 404, and a missing group 400', async () => {
    const cases: [string, number, string][] = [
      [`/api/inspection/rounds/999999/package?group=${fx.groupA}`, 404, 'round_not_found'],
      [`/api/inspection/rounds/${fx.round}/package?group=999999`, 404, 'group_not_found'],
      [`/api/inspection/rounds/${fx.round}/package?group=${fx.otherGroup}`, 404, 'group_not_found'],
      [`/api/inspection/rounds/${fx.round}/package`, 400, 'invalid_request'],
      [`/api/inspection/rounds/${fx.round}/package?group=abc`, 400, 'invalid_request'],
      [`/api/inspection/rounds/x/package/version?group=${fx.groupA}`, 400, 'invalid_request'],
    ];
    for (const [path, status, code] of cases) {
      const res = await supervisor.request(path);
      expect(res.status, path).toBe(status);
      expect((await errorOf(res)).code, path).toBe(code);
    }
  });
});

describe('the version', () => {
  it('is the package\'s, and stays while nothing in it changes (a new problem nearby is no change)', async () => {
    const pkg = await getPackage();
    expect(pkg.version).toMatch(/^[0-9a-f]{20}$/);
    expect(await versionOf()).toBe(pkg.version);
    const p = pkg.points[1]!;
    await insertProblem(p.lon + 0.0003, p.lat, 'reported');
    expect(await versionOf()).toBe(pkg.version);
    // a point of another group changing leaves this group's package as it is
    await sql`UPDATE inspection_points SET version = version + 1, name = name || '·' WHERE id = ${fx.outside}`.execute(database.db);
    expect(await versionOf()).toBe(pkg.version);
  });

  it('changes when a point of the group changes on the server', async () => {
    const before = await versionOf();
    const beforeB = await versionOf(fx.groupB);
    const id = fx.pointsA[2]!;
    const point = await one(sql<{ version: number; name: string }>`SELECT version, name FROM inspection_points WHERE id = ${id}`);
    const res = await supervisor.request(`/api/inspection-points/${id}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: point.version, name: `${point.name}（更名）` }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const after = await versionOf();
    expect(after).not.toBe(before);
    expect(await versionOf(fx.groupB)).toBe(beforeB);
    const pkg = await getPackage();
    expect(pkg.version).toBe(after);
    expect(pkg.points[2]).toMatchObject({ id, version: point.version + 1, name: `${point.name}（更名）` });
  });

  it('changes when the assignment or the visiting order changes, for both groups a point moves between', async () => {
    const [a, b] = [await versionOf(), await versionOf(fx.groupB)];
    // the planner moves a point to the other group (the routes of both are computed again)
    const moved = fx.pointsA[5]!;
    const res = await supervisor.request(`/api/inspection/rounds/${fx.round}/assign`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'explicit', assignments: [{ pointId: moved, groupId: fx.groupB }] }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const [a2, b2] = [await versionOf(), await versionOf(fx.groupB)];
    expect(a2).not.toBe(a);
    expect(b2).not.toBe(b);
    const inB = (await getPackage(supervisor, fx.groupB)).points.map((p) => p.id);
    expect([...inB].sort((x, y) => x - y)).toEqual([...fx.pointsB, moved].sort((x, y) => x - y));
    const inA = (await getPackage()).points.map((p) => p.id);
    expect(inA).not.toContain(moved);

    // the same points, visited in the reverse order
    await sql`UPDATE inspection_round_points SET visit_order = 100 - visit_order WHERE round_id = ${fx.round} AND group_id = ${fx.groupA}`.execute(database.db);
    expect(await versionOf()).not.toBe(a2);
    expect((await getPackage()).points.map((p) => p.id)).toEqual([...inA].reverse());
  });

  it('changes when a checklist item of the group\'s types changes', async () => {
    const before = await versionOf();
    await sql`UPDATE checklist_items SET label = '外业包测试项（修订）' WHERE id = ${fx.extraItem}`.execute(database.db);
    expect(await versionOf()).not.toBe(before);
  });
});

describe('the basemap extract', () => {
  it('is a valid PMTiles archive of the source\'s own tiles, covering every point at every zoom', async () => {
    const pkg = await getPackage();
    expect(pkg.basemap).not.toBeNull();
    const res = await inspector.request(pkg.basemap!.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.pmtiles');
    expect(res.headers.get('x-package-version')).toBe(pkg.version);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(pkg.basemap!.bytes);

    const archivePath = join(tilesDir, 'basemap.pmtiles');
    const fileSource = await PMTilesFileSource.open(archivePath);
    try {
      const source = new PMTilesReader(fileSource);
      const extract = new PMTilesReader(bytesSource(bytes));
      const [sh, eh] = [await source.getHeader(), await extract.getHeader()];
      expect([eh.minZoom, eh.maxZoom]).toEqual([sh.minZoom, sh.maxZoom]);
      expect([pkg.basemap!.minzoom, pkg.basemap!.maxzoom]).toEqual([sh.minZoom, sh.maxZoom]);
      expect(eh.tileType).toBe(sh.tileType);
      expect(eh.tileCompression).toBe(sh.tileCompression);

      // every tile of the extract is the source's tile at the same place, byte for byte
      let tiles = 0;
      for await (const entry of extract.tileEntries()) {
        for (let i = 0; i < entry.runLength; i++) {
          const { z, x, y } = tileIdToZxy(entry.tileId + i);
          const mine = await extract.getTile(z, x, y);
          const theirs = await source.getTile(z, x, y);
          expect(theirs, `${z}/${x}/${y}`).toBeDefined();
          expect(Buffer.from(mine!).equals(Buffer.from(theirs!)), `${z}/${x}/${y}`).toBe(true);
          tiles++;
        }
      }
      expect(tiles).toBe(pkg.basemap!.tiles);
      expect(tiles).toBeLessThan(sh.numAddressedTiles);

      // every point of the group, and the place 400 m east of it, is drawn at every zoom the source draws it
      for (const p of pkg.points) {
        for (const lon of [p.lon, p.lon + 400 / (111_320 * Math.cos((p.lat * Math.PI) / 180))]) {
          for (let z = sh.minZoom; z <= sh.maxZoom; z++) {
            const { x, y } = lonLatToTile(lon, p.lat, z);
            const theirs = await source.getTile(z, x, y);
            if (theirs) expect(await extract.getTile(z, x, y), `${p.code} ${z}/${x}/${y}`).toBeDefined();
          }
        }
      }
      // the bbox holds the points with room to spare on every side
      const [w, s, e, n] = pkg.basemap!.bbox;
      for (const p of pkg.points) {
        expect(haversine(w, p.lat, p.lon, p.lat)).toBeGreaterThan(450);
        expect(haversine(p.lon, p.lat, e, p.lat)).toBeGreaterThan(450);
        expect(haversine(p.lon, s, p.lon, p.lat)).toBeGreaterThan(450);
        expect(haversine(p.lon, p.lat, p.lon, n)).toBeGreaterThan(450);
      }
      console.info(`[package] basemap extract of ${pkg.points.length} points: ${bytes.length.toLocaleString('en')} bytes, ${tiles} tiles z${eh.minZoom}–${eh.maxZoom} ` +
        `(the whole archive: ${statSync(archivePath).size.toLocaleString('en')} bytes, ${sh.numAddressedTiles} tiles)`);
    } finally {
      await fileSource.close();
    }
  });

  it('answers 304 for the version the device has, and is made again when the package changes', async () => {
    const pkg = await getPackage();
    const first = await inspector.request(pkg.basemap!.url);
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    expect((await inspector.request(pkg.basemap!.url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    await sql`UPDATE inspection_points SET version = version + 1 WHERE id = ${fx.pointsA[0]}`.execute(database.db);
    const again = await inspector.request(pkg.basemap!.url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(200);
    expect(again.headers.get('etag')).not.toBe(etag);
  });

  it('is absent from the package of an installation without a built-in basemap', async () => {
    const bare = testApp(database, 'supervisor', { tilesDir: mkdtempSync(join(tmpdir(), 'civgrid-no-tiles-')) });
    const res = await bare.request(`/api/inspection/rounds/${fx.round}/package?group=${fx.groupA}`);
    expect(res.status).toBe(200);
    const pkg = (await res.json()) as Pkg;
    expect(pkg.basemap).toBeNull();
    expect(pkg.points.map((p) => p.id)).toEqual((await getPackage()).points.map((p) => p.id));
    expect(pkg.points.length).toBeGreaterThan(0);
    const missing = await bare.request(`/api/inspection/rounds/${fx.round}/package/basemap.pmtiles?group=${fx.groupA}`);
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('no_basemap');
  });
});
