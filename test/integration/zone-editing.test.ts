/**
 * The planner's editing verbs beyond a plain save: the live feedback of an
 * edit (overlaps, gaps created and filled) and the same findings on save;
 * split by a line; merge of touching zones; a blind spot given to a
 * neighbour; the history of a zone, the restore of an old version, and the
 * map as it stood on a date; the owner pickers.
 *
 * The zones here are of a duty type made for this file, so no seeded zone is
 * in the way: every expected area is a lon/lat rectangle's, computed on the
 * ellipsoid without PostGIS (test/support/geodesy.ts).
 */
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';
import { rectArea } from '../support/geodesy.ts';

const DUTY = 'edit-test';
const SIDE = 0.001;

let database: Database;
let admin: TestApp;
let planner: TestApp;
let viewer: TestApp;
/** South-west corner of a free 0.01° block inside the planner's street, and the block's index in use. */
let origin: { lon: number; lat: number };
let slot = 0;
let owner: { org: number; person: number };

interface ZoneBody {
  id: number;
  geometry: { type: string; coordinates: number[][][][] };
  properties: { id: number; version: number; areaM2: number; name: string; validFrom: string; ownerOrgId: number };
}
interface SaveBody {
  zone: ZoneBody;
  overlaps: { zoneId: number; areaM2: number }[];
  findings: { overlaps: { zoneId: number; areaM2: number }[]; gapsCreatedM2: number; gapsFilledM2: number };
}

const rect = (lon0: number, lat0: number, lon1: number, lat1: number) => ({
  type: 'Polygon' as const,
  coordinates: [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]],
});
/** A fresh spot for one test: a 0.002° cell of the block, so tests do not meet. */
function spot(): { lon: number; lat: number } {
  const i = slot++;
  return { lon: origin.lon + (i % 4) * 0.0025, lat: origin.lat + Math.floor(i / 4) * 0.0025 };
}
const area = (lon0: number, lat0: number, lon1: number, lat1: number) => rectArea(lon0, lat0, lon1, lat1);
const near = (actual: number, expected: number, relative = 0.002) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(1, expected * relative));

const post = (client: TestApp, path: string, body: unknown, method = 'POST') =>
  client.request(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function create(client: TestApp, geometry: unknown, properties: Record<string, unknown> = {}): Promise<SaveBody> {
  const res = await post(client, '/api/zones', { type: 'Feature', geometry, properties: { duty: DUTY, name: '编辑测试', ownerOrgId: owner.org, personId: owner.person, ...properties } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as SaveBody;
}

beforeAll(async () => {
  database = await freshDatabase();
  admin = testApp(database, 'admin');
  planner = admin.as('planner');
  viewer = admin.as('viewer');
  await sql`INSERT INTO duty_types (id, name_zh, name_en) VALUES (${DUTY}, '编辑测试', 'editing test')`.execute(database.db);
  // a 0.01° block around the centre of the planner's street (the first by code), well inside it
  const centre = (await sql<{ lon: number; lat: number; inside: boolean }>`
    SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (
      SELECT (ST_MaximumInscribedCircle(geom)).center AS c FROM territories WHERE level = 'street' ORDER BY code LIMIT 1) s`.execute(database.db)).rows[0]!;
  origin = { lon: centre.lon - 0.005, lat: centre.lat - 0.005 };
  const inside = (await sql<{ ok: boolean }>`
    SELECT ST_Within(ST_MakeEnvelope(${origin.lon}, ${origin.lat}, ${origin.lon + 0.01}, ${origin.lat + 0.01}, 4326), geom) AS ok
    FROM territories WHERE level = 'street' ORDER BY code LIMIT 1`.execute(database.db)).rows[0]!;
  expect(inside.ok, 'the test block lies inside the first street').toBe(true);
  owner = (await sql<{ org: number; person: number }>`SELECT organisation_id AS org, id AS person FROM people ORDER BY id LIMIT 1`.execute(database.db)).rows[0]!;
});
afterAll(async () => {
  await database?.close();
});

describe('live feedback of an edit', () => {
  it('measures the overlap with a neighbour and the blind spot a new zone fills, before saving, and the save answers the same', async () => {
    const { lon, lat } = spot();
    const neighbour = await create(admin, rect(lon, lat, lon + SIDE, lat + SIDE));
    // a square shifted east by 0.7 of a side: 0.3 of it overlaps the neighbour, 0.7 is new land
    const drawn = rect(lon + 0.7 * SIDE, lat, lon + 1.7 * SIDE, lat + SIDE);
    const res = await post(planner, '/api/zones/preview', { geometry: drawn, duty: DUTY });
    expect(res.status).toBe(200);
    const preview = (await res.json()) as {
      overlaps: { zoneId: number; areaM2: number; geometry: { type: string } }[];
      gapsCreated: { areaM2: number };
      gapsFilled: { areaM2: number; geometry: { type: string } };
      outsideScopeM2: number;
    };
    expect(preview.overlaps.map((o) => o.zoneId)).toEqual([neighbour.zone.id]);
    near(preview.overlaps[0]!.areaM2, area(lon + 0.7 * SIDE, lat, lon + SIDE, lat + SIDE));
    expect(preview.overlaps[0]!.geometry.type).toMatch(/Polygon/);
    near(preview.gapsFilled.areaM2, area(lon + SIDE, lat, lon + 1.7 * SIDE, lat + SIDE));
    expect(preview.gapsCreated.areaM2).toBe(0);
    expect(preview.outsideScopeM2).toBe(0);

    const saved = await create(planner, drawn);
    expect(saved.findings.overlaps.map((o) => o.zoneId)).toEqual([neighbour.zone.id]);
    near(saved.findings.overlaps[0]!.areaM2, preview.overlaps[0]!.areaM2, 0.0001);
    near(saved.findings.gapsFilledM2, preview.gapsFilled.areaM2, 0.0001);
  });

  it('finds the blind spot an edit leaves behind when a zone shrinks', async () => {
    const { lon, lat } = spot();
    const zone = await create(admin, rect(lon, lat, lon + SIDE, lat + SIDE));
    const half = rect(lon, lat, lon + SIDE / 2, lat + SIDE);
    const preview = (await (await post(admin, '/api/zones/preview', { geometry: half, duty: DUTY, excludeId: zone.zone.id })).json()) as { gapsCreated: { areaM2: number }; gapsFilled: { areaM2: number } };
    near(preview.gapsCreated.areaM2, area(lon + SIDE / 2, lat, lon + SIDE, lat + SIDE));
    expect(preview.gapsFilled.areaM2).toBe(0);
    const res = await post(admin, `/api/zones/${zone.zone.id}`, { type: 'Feature', geometry: half, properties: { duty: DUTY, name: '缩小', ownerOrgId: owner.org, version: 1 } }, 'PUT');
    expect(res.status).toBe(200);
    near(((await res.json()) as SaveBody).findings.gapsCreatedM2, preview.gapsCreated.areaM2, 0.0001);
  });

  it('reports the overlap a save takes back from a neighbour', async () => {
    const { lon, lat } = spot();
    const neighbour = await create(admin, rect(lon, lat, lon + SIDE, lat + SIDE));
    // overlapping the neighbour's east half; then moved to touch it instead
    const zone = await create(admin, rect(lon + SIDE / 2, lat, lon + 1.5 * SIDE, lat + SIDE));
    near(zone.findings.overlaps[0]!.areaM2, area(lon + SIDE / 2, lat, lon + SIDE, lat + SIDE));
    const res = await post(admin, `/api/zones/${zone.zone.id}`, { type: 'Feature', geometry: rect(lon + SIDE, lat, lon + 1.5 * SIDE, lat + SIDE), properties: { duty: DUTY, name: '让出', ownerOrgId: owner.org, version: 1 } }, 'PUT');
    const saved = (await res.json()) as SaveBody & { findings: { overlapsRemoved: { zoneId: number; areaM2: number }[] } };
    expect(saved.findings.overlaps).toEqual([]);
    expect(saved.findings.overlapsRemoved.map((o) => o.zoneId)).toEqual([neighbour.zone.id]);
    near(saved.findings.overlapsRemoved[0]!.areaM2, area(lon + SIDE / 2, lat, lon + SIDE, lat + SIDE));
    // the land the zone gave up was the neighbour's too: no blind spot
    expect(saved.findings.gapsCreatedM2).toBe(0);
  });

  it('warns in the preview when the drawing leaves the planner’s street, and viewers may not preview', async () => {
    const far = (await sql<{ lon: number; lat: number }>`
      SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (SELECT (ST_MaximumInscribedCircle(geom)).center AS c FROM territories WHERE level = 'street' ORDER BY code OFFSET 1 LIMIT 1) s`.execute(database.db)).rows[0]!;
    const res = await post(planner, '/api/zones/preview', { geometry: rect(far.lon, far.lat, far.lon + SIDE, far.lat + SIDE), duty: DUTY });
    expect(res.status).toBe(200);
    near(((await res.json()) as { outsideScopeM2: number }).outsideScopeM2, area(far.lon, far.lat, far.lon + SIDE, far.lat + SIDE));
    expect((await post(viewer, '/api/zones/preview', { geometry: rect(far.lon, far.lat, far.lon + SIDE, far.lat + SIDE), duty: DUTY })).status).toBe(403);
  });
});

describe('split, merge and fill', () => {
  it('splits a zone with a line into two halves of the right areas; the zone keeps its id with the larger piece', async () => {
    const { lon, lat } = spot();
    const zone = await create(admin, rect(lon, lat, lon + SIDE, lat + SIDE), { name: '待拆分' });
    // a line at 0.4 of the side, from south of the zone to north of it
    const cut = lon + 0.4 * SIDE;
    const res = await post(planner, `/api/zones/${zone.zone.id}/split`, { version: 1, line: { type: 'LineString', coordinates: [[cut, lat - 0.0002], [cut, lat + SIDE + 0.0002]] } });
    expect(res.status, await res.clone().text()).toBe(200);
    const { zones } = (await res.json()) as { zones: ZoneBody[] };
    expect(zones).toHaveLength(2);
    expect(zones[0]!.id).toBe(zone.zone.id);
    expect(zones[0]!.properties.version).toBe(2);
    near(zones[0]!.properties.areaM2, area(cut, lat, lon + SIDE, lat + SIDE));
    near(zones[1]!.properties.areaM2, area(lon, lat, cut, lat + SIDE));
    expect(zones[1]!.properties.name).toBe('待拆分-2');
    const versions = await sql<{ zone_id: number; version: number }>`SELECT zone_id, version FROM zone_versions WHERE zone_id IN (${zones[0]!.id}, ${zones[1]!.id}) ORDER BY zone_id, version`.execute(database.db);
    expect(versions.rows.map((r) => `${r.zone_id}:${r.version}`)).toEqual([`${zones[0]!.id}:1`, `${zones[0]!.id}:2`, `${zones[1]!.id}:1`]);
  });

  it('refuses a line that does not cut the zone (422), and a stale version (409), changing nothing', async () => {
    const { lon, lat } = spot();
    const zone = await create(admin, rect(lon, lat, lon + SIDE, lat + SIDE));
    const inside = await post(admin, `/api/zones/${zone.zone.id}/split`, { version: 1, line: { type: 'LineString', coordinates: [[lon + 0.0002, lat + 0.0002], [lon + 0.0005, lat + 0.0005]] } });
    expect(inside.status).toBe(422);
    expect((await errorOf(inside)).code).toBe('line_does_not_split');
    const stale = await post(admin, `/api/zones/${zone.zone.id}/split`, { version: 7, line: { type: 'LineString', coordinates: [[lon + 0.0005, lat - 0.001], [lon + 0.0005, lat + 0.002]] } });
    expect(stale.status).toBe(409);
    expect((await errorOf(stale)).code).toBe('version_conflict');
    const bad = await post(admin, `/api/zones/${zone.zone.id}/split`, { version: 1, line: { type: 'LineString', coordinates: [[lon, lat]] } });
    expect(bad.status).toBe(422);
    const now = (await (await admin.request(`/api/zones/${zone.zone.id}`)).json()) as ZoneBody;
    expect(now.properties.version).toBe(1);
  });

  it('merges two touching zones into the first, whose area is the sum; the second leaves the map', async () => {
    const { lon, lat } = spot();
    const a = await create(admin, rect(lon, lat, lon + SIDE, lat + SIDE), { name: '合并甲' });
    const b = await create(admin, rect(lon + SIDE, lat, lon + 2 * SIDE, lat + SIDE), { name: '合并乙' });
    const res = await post(planner, '/api/zones/merge', { zones: [{ id: a.zone.id, version: 1 }, { id: b.zone.id, version: 1 }] });
    expect(res.status, await res.clone().text()).toBe(200);
    const merged = (await res.json()) as SaveBody;
    expect(merged.zone.id).toBe(a.zone.id);
    near(merged.zone.properties.areaM2, area(lon, lat, lon + 2 * SIDE, lat + SIDE));
    expect(merged.zone.geometry.coordinates).toHaveLength(1); // one polygon, not two
    expect((await admin.request(`/api/zones/${b.zone.id}`)).status).toBe(404);
    const layer = (await (await admin.request(`/api/layers/zones?duty=${DUTY}`)).json()) as { features: { id: number }[] };
    expect(layer.features.map((f) => f.id)).toContain(a.zone.id);
    expect(layer.features.map((f) => f.id)).not.toContain(b.zone.id);
  });

  it('refuses to merge zones that do not touch or are of different duties (422), with nothing changed', async () => {
    const { lon, lat } = spot();
    const a = await create(admin, rect(lon, lat, lon + SIDE / 2, lat + SIDE / 2));
    const b = await create(admin, rect(lon + SIDE, lat + SIDE, lon + 1.5 * SIDE, lat + 1.5 * SIDE));
    const apart = await post(admin, '/api/zones/merge', { zones: [{ id: a.zone.id, version: 1 }, { id: b.zone.id, version: 1 }] });
    expect(apart.status).toBe(422);
    expect((await errorOf(apart)).code).toBe('not_adjacent');
    const other = await create(admin, rect(lon + SIDE / 2, lat, lon + SIDE, lat + SIDE / 2), { duty: 'frontage' });
    const duties = await post(admin, '/api/zones/merge', { zones: [{ id: a.zone.id, version: 1 }, { id: other.zone.id, version: 1 }] });
    expect(duties.status).toBe(422);
    expect((await errorOf(duties)).code).toBe('different_duties');
    for (const z of [a, b, other]) expect(((await (await admin.request(`/api/zones/${z.zone.id}`)).json()) as ZoneBody).properties.version).toBe(1);
  });

  it('gives a blind spot to the neighbour that touches it: the zone grows by exactly the gap', async () => {
    const { lon, lat } = spot();
    const zone = await create(admin, rect(lon, lat, lon + SIDE, lat + SIDE));
    const gap = rect(lon + SIDE, lat, lon + 1.5 * SIDE, lat + SIDE);
    const res = await post(planner, `/api/zones/${zone.zone.id}/fill`, { version: 1, geometry: gap });
    expect(res.status, await res.clone().text()).toBe(200);
    const filled = (await res.json()) as SaveBody;
    near(filled.zone.properties.areaM2, area(lon, lat, lon + 1.5 * SIDE, lat + SIDE));
    near(filled.findings.gapsFilledM2, area(lon + SIDE, lat, lon + 1.5 * SIDE, lat + SIDE));
    const away = await post(admin, `/api/zones/${zone.zone.id}/fill`, { version: 2, geometry: rect(lon + 1.8 * SIDE, lat, lon + 2 * SIDE, lat + SIDE) });
    expect(away.status).toBe(422);
    expect((await errorOf(away)).code).toBe('not_adjacent');
  });

  it('gives a seeded blind spot, as the engine found it, to its suggested zone: the zone grows by the gap (no 500 from older GEOS)', async () => {
    // the engine's gap meets the zone along many shared edges; what the zone loses to the fill is lines and points only
    type Gap = { geometry: unknown; properties: { kind: string; area_m2: number; suggested_owner?: { zone_id?: number } | null } };
    const found = (await (await admin.request('/api/coverage/gaps?duty=sanitation-town&area=district')).json()) as { features: Gap[] };
    const gap = found.features.filter((f) => f.properties.kind === 'gap' && f.properties.suggested_owner?.zone_id)
      .sort((a, b) => a.properties.area_m2 - b.properties.area_m2)[0]!;
    const id = gap.properties.suggested_owner!.zone_id!;
    const before = (await (await admin.request(`/api/zones/${id}`)).json()) as ZoneBody;
    const res = await post(admin, `/api/zones/${id}/fill`, { version: before.properties.version, geometry: gap.geometry });
    expect(res.status, await res.clone().text()).toBe(200);
    const filled = (await res.json()) as SaveBody;
    near(filled.zone.properties.areaM2 - before.properties.areaM2, gap.properties.area_m2, 0.001);
    expect(filled.findings.gapsCreatedM2).toBeLessThan(1);
  });
});

describe('versions', () => {
  it('lists every save of a zone, newest first, restores an old one as a new version, and brings a deleted zone back', async () => {
    const { lon, lat } = spot();
    const zone = await create(admin, rect(lon, lat, lon + SIDE, lat + SIDE), { name: '版本一', comment: '初次划定' });
    const moved = await post(admin, `/api/zones/${zone.zone.id}`, { type: 'Feature', geometry: rect(lon, lat, lon + SIDE / 2, lat + SIDE), properties: { duty: DUTY, name: '版本二', ownerOrgId: owner.org, version: 1, comment: '缩小' } }, 'PUT');
    expect(moved.status).toBe(200);
    expect((await admin.request(`/api/zones/${zone.zone.id}?version=2`, { method: 'DELETE' })).status).toBe(204);

    const history = (await (await viewer.request(`/api/zones/${zone.zone.id}/history`)).json()) as {
      versions: { version: number; name: string; deleted: boolean; changedBy: string; comment: string | null; geometry: unknown }[];
    };
    expect(history.versions.map((v) => [v.version, v.name, v.deleted])).toEqual([[3, '版本二', true], [2, '版本二', false], [1, '版本一', false]]);
    expect(history.versions[2]).toMatchObject({ changedBy: 'admin', comment: '初次划定' });

    const res = await post(admin, `/api/zones/${zone.zone.id}/restore`, { version: 1, currentVersion: 3 });
    expect(res.status, await res.clone().text()).toBe(200);
    const restored = (await res.json()) as SaveBody;
    expect(restored.zone.properties).toMatchObject({ version: 4, name: '版本一' });
    near(restored.zone.properties.areaM2, area(lon, lat, lon + SIDE, lat + SIDE));
    const after = (await (await viewer.request(`/api/zones/${zone.zone.id}/history`)).json()) as { versions: { version: number; comment: string }[] };
    expect(after.versions[0]).toMatchObject({ version: 4, comment: 'restored version 1' });
  });

  it('refuses to restore against a stale current version (409) or a version that does not exist (404)', async () => {
    const { lon, lat } = spot();
    const zone = await create(admin, rect(lon, lat, lon + SIDE, lat + SIDE));
    expect((await post(admin, `/api/zones/${zone.zone.id}/restore`, { version: 1, currentVersion: 5 })).status).toBe(409);
    const missing = await post(admin, `/api/zones/${zone.zone.id}/restore`, { version: 9, currentVersion: 1 });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('version_not_found');
    expect((await viewer.request('/api/zones/2147483000/history')).status).toBe(404);
  });

  it('shows the zones layer as it stood at the end of a chosen day', async () => {
    const { lon, lat } = spot();
    const zone = await create(admin, rect(lon, lat, lon + SIDE, lat + SIDE), { name: '一月版' });
    await post(admin, `/api/zones/${zone.zone.id}`, { type: 'Feature', geometry: rect(lon, lat, lon + SIDE / 2, lat + SIDE), properties: { duty: DUTY, name: '三月版', ownerOrgId: owner.org, version: 1 } }, 'PUT');
    expect((await admin.request(`/api/zones/${zone.zone.id}?version=2`, { method: 'DELETE' })).status).toBe(204);
    // the three saves, dated as if made on 10 January, 1 March and 1 May 2026 (China time)
    for (const [version, at] of [[1, '2026-01-10T09:00:00+08:00'], [2, '2026-03-01T09:00:00+08:00'], [3, '2026-05-01T09:00:00+08:00']] as const) {
      await sql`UPDATE zone_versions SET changed_at = ${at}::timestamptz WHERE zone_id = ${zone.zone.id} AND version = ${version}`.execute(database.db);
    }
    const asOf = async (day: string) => {
      const res = await viewer.request(`/api/layers/zones?duty=${DUTY}&asOf=${day}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { features: { id: number; properties: { name: string; area_m2: number } }[] }).features.find((f) => f.id === zone.zone.id);
    };
    expect(await asOf('2026-01-09')).toBeUndefined();
    const january = await asOf('2026-01-10');
    expect(january?.properties.name).toBe('一月版');
    near(january!.properties.area_m2, area(lon, lat, lon + SIDE, lat + SIDE));
    expect((await asOf('2026-03-15'))?.properties.name).toBe('三月版');
    expect(await asOf('2026-05-02')).toBeUndefined();
    expect((await viewer.request('/api/layers/zones?duty=frontage&asOf=2026-02-30')).status).toBe(400);
    expect((await viewer.request('/api/layers/streets?asOf=2026-02-01')).status).toBe(400);
  });
});

describe('the history of a layer', () => {
  it('lists the saves of one duty’s zones newest first, a page at a time, and nothing of other duties', async () => {
    const { lon, lat } = spot();
    const zone = await create(admin, rect(lon, lat, lon + SIDE, lat + SIDE), { name: '层历史', comment: '第一次' });
    await post(admin, `/api/zones/${zone.zone.id}`, { type: 'Feature', geometry: rect(lon, lat, lon + SIDE, lat + SIDE / 2), properties: { duty: DUTY, name: '层历史', ownerOrgId: owner.org, version: 1, comment: '第二次' } }, 'PUT');
    const page = async (query: string) =>
      (await (await viewer.request(`/api/layers/zones/history?duty=${DUTY}&${query}`)).json()) as { changes: { id: number; version: number; comment: string; changedBy: string }[]; next: string | null };
    const first = await page('limit=1');
    expect(first.changes).toEqual([expect.objectContaining({ id: zone.zone.id, version: 2, comment: '第二次', changedBy: 'admin' })]);
    expect(first.next).not.toBeNull();
    const second = await page(`limit=1&before=${encodeURIComponent(first.next!)}`);
    expect(second.changes).toEqual([expect.objectContaining({ id: zone.zone.id, version: 1, comment: '第一次' })]);
    const all = await page('limit=200');
    const total = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM zone_versions WHERE duty_type_id = ${DUTY}`.execute(database.db)).rows[0]!.n;
    expect(all.changes).toHaveLength(total);
    // a split saves two versions at one instant: paging one by one still meets every save once
    const cut = lon + SIDE / 2;
    expect((await post(admin, `/api/zones/${zone.zone.id}/split`, { version: 2, line: { type: 'LineString', coordinates: [[cut, lat - 0.001], [cut, lat + 0.002]] } })).status).toBe(200);
    const seen: string[] = [];
    let next: string | null = null;
    for (let i = 0; i < 5; i++) {
      const p = await page(`limit=1${next ? `&before=${encodeURIComponent(next)}` : ''}`);
      seen.push(...p.changes.map((c) => `${c.id}:${c.version}`));
      next = p.next;
    }
    const expected = (await page('limit=5')).changes.map((c) => `${c.id}:${c.version}`);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(5);
    expect((await viewer.request('/api/layers/streets/history')).status).toBe(404);
  });
});

describe('bad drawings', () => {
  it('refuses a 100,000-vertex polygon, an empty or wrong-type geometry and out-of-range coordinates with a clear 4xx, saving nothing', async () => {
    const { lon, lat } = spot();
    const before = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM zone_versions`.execute(database.db)).rows[0]!.n;
    const ring: [number, number][] = [];
    for (let i = 0; i < 100_000; i++) {
      const a = (2 * Math.PI * i) / 100_000;
      ring.push([lon + 0.0005 + 0.0004 * Math.cos(a), lat + 0.0005 + 0.0004 * Math.sin(a)]);
    }
    ring.push(ring[0]!);
    const cases: [unknown, number, string][] = [
      [{ type: 'Polygon', coordinates: [ring] }, 422, 'geometry_too_complex'],
      [{ type: 'Polygon', coordinates: [] }, 422, 'empty_geometry'],
      [{ type: 'Point', coordinates: [lon, lat] }, 400, 'invalid_request'],
      [rect(lon, lat, lon + 200, lat + SIDE), 422, 'coordinates_out_of_range'],
      // a ring of one repeated position: nothing is left after repair
      [{ type: 'Polygon', coordinates: [[[lon, lat], [lon, lat], [lon, lat], [lon, lat]]] }, 422, 'empty_geometry'],
    ];
    for (const [geometry, status, code] of cases) {
      const res = await post(admin, '/api/zones', { type: 'Feature', geometry, properties: { duty: DUTY, name: '坏图形', ownerOrgId: owner.org } });
      expect(res.status, JSON.stringify(geometry).slice(0, 80)).toBe(status);
      expect((await errorOf(res)).code).toBe(code);
      const preview = await post(admin, '/api/zones/preview', { geometry, duty: DUTY });
      expect(preview.status).toBe(status);
    }
    const after = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM zone_versions`.execute(database.db)).rows[0]!.n;
    expect(after).toBe(before);
  });
});

describe('owners', () => {
  it('lists the people of one organisation for the person picker, searchable by name', async () => {
    const res = await viewer.request(`/api/people?org=${owner.org}`);
    expect(res.status).toBe(200);
    const { people } = (await res.json()) as { people: { id: number; name: string; organisationId: number }[] };
    const expected = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM people WHERE organisation_id = ${owner.org}`.execute(database.db)).rows[0]!.n;
    expect(people.length).toBe(Math.min(expected, 50));
    expect(people.every((p) => p.organisationId === owner.org)).toBe(true);
    const first = people[0]!;
    const found = (await (await viewer.request(`/api/people?q=${encodeURIComponent(first.name)}`)).json()) as { people: { id: number }[] };
    expect(found.people.map((p) => p.id)).toContain(first.id);
    expect(((await (await viewer.request('/api/people?q=%25')).json()) as { people: unknown[] }).people).toEqual([]);
  });

  it('keeps the valid-from day a planner gives, and refuses one in the future', async () => {
    const { lon, lat } = spot();
    const saved = await create(admin, rect(lon, lat, lon + SIDE, lat + SIDE), { validFrom: '2026-03-01' });
    expect(new Date(saved.zone.properties.validFrom).toISOString()).toBe('2026-02-28T16:00:00.000Z');
    const res = await post(admin, '/api/zones', { type: 'Feature', geometry: rect(lon, lat, lon + SIDE, lat + SIDE), properties: { duty: DUTY, name: '未来', ownerOrgId: owner.org, validFrom: '2999-01-01' } });
    expect(res.status).toBe(400);
  });
});
