/**
 * Responsibility road sections (责任路段) drawn by planners: a line drawn
 * beside a road is laid onto the road; every save reports the stretches it
 * shares with other sections and the road length it covers or leaves to
 * nobody; a section splits at a point and merges end to end; versions,
 * restore, conflicts and scope as for zones.
 *
 * The test lays its own straight east–west road where no other road or
 * section comes near, so every expected length is a parallel arc's,
 * computed without PostGIS (test/support/geodesy.ts).
 */
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';
import { parallelLength } from '../support/geodesy.ts';

/** The blind-spot engine's road tolerance: a section covers road within 2 m of it. */
const COVER_M = 2;
const SPAN = 0.004;

let database: Database;
let planner: TestApp;
let admin: TestApp;
let viewer: TestApp;
let road: { id: number; lon: number; lat: number };
let owner: { org: number; person: number };
/** Metres of the test road. */
let total: number;

interface SectionBody {
  id: number;
  geometry: { type: 'MultiLineString'; coordinates: number[][][] };
  properties: { version: number; lengthM: number; roadId: number | null; name: string };
}
interface WriteBody {
  section: SectionBody;
  snappedToRoad: boolean;
  findings: { overlaps: { sectionId: number; lengthM: number }[]; uncoveredCreatedM: number; uncoveredFilledM: number };
}

/** A point at fraction `f` along the test road, `northM` metres north of it. */
const at = (f: number, northM = 0): [number, number] => [road.lon + f * SPAN, road.lat + northM / 111_000];
const lineAlong = (f0: number, f1: number, northM = 5) => ({
  type: 'LineString',
  // a hand-drawn line: a few metres off the road, wobbling
  coordinates: [at(f0, northM), at((2 * f0 + f1) / 3, northM + 2), at((f0 + 2 * f1) / 3, northM - 1), at(f1, northM)],
});
const near = (actual: number, expected: number, toleranceM = 0.5) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(toleranceM);

const send = (client: TestApp, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  client.request(path, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });

async function create(line: unknown, name = '测试路段', headers: Record<string, string> = {}): Promise<WriteBody> {
  const res = await send(planner, 'POST', '/api/road-sections', { type: 'Feature', geometry: line, properties: { name, ownerOrgId: owner.org, personId: owner.person } }, headers);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as WriteBody;
}

beforeAll(async () => {
  database = await freshDatabase();
  admin = testApp(database, 'admin');
  planner = admin.as('planner');
  viewer = admin.as('viewer');
  // a free 0.004° × 0.002° box inside the first street: no road and no section within it
  const spot = (await sql<{ lon: number; lat: number }>`
    WITH street AS (SELECT geom FROM territories WHERE level = 'street' ORDER BY code LIMIT 1),
    candidates AS (
      SELECT ST_XMin(street.geom) + i * 0.002 AS lon, ST_YMin(street.geom) + j * 0.002 AS lat, street.geom
      FROM street, generate_series(0, 60) i, generate_series(0, 60) j)
    SELECT lon, lat FROM candidates c
    WHERE ST_Within(ST_MakeEnvelope(lon - 0.001, lat - 0.001, lon + ${SPAN} + 0.001, lat + 0.001, 4326), c.geom)
      AND NOT EXISTS (SELECT 1 FROM roads r WHERE r.geom && ST_MakeEnvelope(lon - 0.001, lat - 0.001, lon + ${SPAN} + 0.001, lat + 0.001, 4326))
      AND NOT EXISTS (SELECT 1 FROM road_sections s WHERE s.geom && ST_MakeEnvelope(lon - 0.001, lat - 0.001, lon + ${SPAN} + 0.001, lat + 0.001, 4326))
    ORDER BY lon, lat LIMIT 1`.execute(database.db)).rows[0];
  if (!spot) throw new Error('no free spot for the test road in the first street');
  const id = (await sql<{ id: number }>`
    INSERT INTO roads (name, road_class, geom) VALUES ('测试路', 'branch', ST_SetSRID(ST_MakeLine(ST_MakePoint(${spot.lon}, ${spot.lat}), ST_MakePoint(${spot.lon + SPAN}, ${spot.lat})), 4326))
    RETURNING id`.execute(database.db)).rows[0]!.id;
  road = { id, lon: spot.lon, lat: spot.lat };
  total = parallelLength(SPAN, spot.lat);
  owner = (await sql<{ org: number; person: number }>`SELECT organisation_id AS org, id AS person FROM people ORDER BY id LIMIT 1`.execute(database.db)).rows[0]!;
});
afterAll(async () => {
  await database?.close();
});

describe('drawing a road section', () => {
  let first: WriteBody;

  it('lays a line drawn beside a road onto the road, between the drawn ends, and reports the road it covers', async () => {
    first = await create(lineAlong(0.2, 0.6), '测试路（甲段）');
    expect(first.snappedToRoad).toBe(true);
    expect(first.section.properties.roadId).toBe(road.id);
    near(first.section.properties.lengthM, 0.4 * total);
    // every vertex now lies on the road's parallel
    for (const [, lat] of first.section.geometry.coordinates.flat()) expect(Math.abs(lat! - road.lat)).toBeLessThan(1e-9);
    // the road it covers, and 2 m beyond each end (the tolerance)
    near(first.findings.uncoveredFilledM, 0.4 * total + 2 * COVER_M);
    expect(first.findings.overlaps).toEqual([]);
    expect(first.findings.uncoveredCreatedM).toBe(0);
  });

  it('reports the stretch a new section shares with an existing one, before saving and on save', async () => {
    const drawn = lineAlong(0.5, 0.8);
    const preview = await send(planner, 'POST', '/api/road-sections/preview', { geometry: drawn });
    expect(preview.status).toBe(200);
    const found = (await preview.json()) as { overlaps: { sectionId: number; lengthM: number }[]; uncoveredFilledM: number; snappedToRoad: boolean };
    expect(found.snappedToRoad).toBe(true);
    expect(found.overlaps.map((o) => o.sectionId)).toEqual([first.section.id]);
    // shared: from 0.5 to 0.6 of the road, and 2 m on into the first section's tolerance
    near(found.overlaps[0]!.lengthM, 0.1 * total + COVER_M);
    // new road: covered up to 0.6 + 2 m before, up to 0.8 + 2 m after
    near(found.uncoveredFilledM, 0.2 * total);
    const second = await create(drawn, '测试路（乙段）');
    expect(second.findings.overlaps.map((o) => o.sectionId)).toEqual([first.section.id]);
    // it is there for the blind-spot engine too: the contested stretch between the two units' sections, if of two units
    const layer = (await (await viewer.request(`/api/layers/road-sections?bbox=${road.lon},${road.lat - 0.001},${road.lon + SPAN},${road.lat + 0.001}`)).json()) as { features: { id: number }[] };
    expect(layer.features.map((f) => f.id).sort()).toEqual([first.section.id, second.section.id].sort());
  });

  it('shows in the preview where the findings lie: the shared stretch, the road taken up and the road left to nobody', async () => {
    type Lines = { type: string; coordinates: number[][][] } | null;
    interface Found {
      overlaps: { sectionId: number; lengthM: number; geometry: Lines }[];
      uncoveredCreatedM: number;
      uncoveredFilledM: number;
      uncoveredCreated: Lines;
      uncoveredFilled: Lines;
    }
    const preview = async (body: unknown) => {
      const res = await send(planner, 'POST', '/api/road-sections/preview', body);
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as Found;
    };
    /** West and east ends of a finding's lines, as fractions of the road. */
    const span = (lines: Lines): [number, number] => {
      expect(lines?.type).toBe('MultiLineString');
      const lons = lines!.coordinates.flat().map((p) => p[0]!);
      return [(Math.min(...lons) - road.lon) / SPAN, (Math.max(...lons) - road.lon) / SPAN];
    };
    /** The 2 m of the tolerance as a fraction of the road. */
    const cover = COVER_M / total;
    const second = (await sql<{ id: number }>`SELECT id FROM road_sections WHERE name = '测试路（乙段）'`.execute(database.db)).rows[0]!.id;

    // a new line from 0.7 to 0.9: shares 0.7 to 0.8 (+ 2 m) with 乙段, takes up the road from 0.8 + 2 m to 0.9 + 2 m
    const ahead = await preview({ geometry: lineAlong(0.7, 0.9) });
    expect(ahead.overlaps.map((o) => o.sectionId)).toEqual([second]);
    const [w0, e0] = span(ahead.overlaps[0]!.geometry);
    expect(Math.abs(w0 - 0.7) * total).toBeLessThan(0.1);
    expect(Math.abs(e0 - (0.8 + cover)) * total).toBeLessThan(0.1);
    const [w1, e1] = span(ahead.uncoveredFilled);
    expect(Math.abs(w1 - (0.8 + cover)) * total).toBeLessThan(0.1);
    expect(Math.abs(e1 - (0.9 + cover)) * total).toBeLessThan(0.1);
    near(ahead.uncoveredFilledM, 0.1 * total);
    expect(ahead.uncoveredCreated).toBeNull();

    // 乙段 shortened to 0.7–0.8 leaves the road from 0.6 + 2 m (甲段's end) to 0.7 − 2 m to nobody
    const shortened = await preview({ geometry: lineAlong(0.7, 0.8), excludeId: second });
    const [w2, e2] = span(shortened.uncoveredCreated);
    expect(Math.abs(w2 - (0.6 + cover)) * total).toBeLessThan(0.1);
    expect(Math.abs(e2 - (0.7 - cover)) * total).toBeLessThan(0.1);
    near(shortened.uncoveredCreatedM, 0.1 * total - 2 * COVER_M);
    expect(shortened.uncoveredFilled).toBeNull();
    expect(shortened.overlaps).toEqual([]);
  });

  it('keeps a line away from every road as drawn', async () => {
    const line = { type: 'LineString', coordinates: [at(0.1, 60), at(0.3, 60)] };
    const saved = await create(line, '离路线段');
    expect(saved.snappedToRoad).toBe(false);
    expect(saved.section.properties.roadId).toBeNull();
    near(saved.section.properties.lengthM, 0.2 * total, 0.5);
    expect(saved.findings.uncoveredFilledM).toBe(0);
  });

  it('creates one section for one Idempotency-Key however often it is sent', async () => {
    const headers = { 'idempotency-key': 'road-section-retry-1' };
    const a = await create(lineAlong(0.85, 0.95), '重试路段', headers);
    const b = await create(lineAlong(0.85, 0.95), '重试路段', headers);
    expect(b.section.id).toBe(a.section.id);
    const n = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM road_sections WHERE name = '重试路段'`.execute(database.db)).rows[0]!.n;
    expect(n).toBe(1);
  });

  it('refuses a planner’s section in another street (403), a point for a line (400), a one-point line (422)', async () => {
    const far = (await sql<{ lon: number; lat: number }>`
      SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (SELECT (ST_MaximumInscribedCircle(geom)).center AS c FROM territories WHERE level = 'street' ORDER BY code OFFSET 1 LIMIT 1) s`.execute(database.db)).rows[0]!;
    const outside = await send(planner, 'POST', '/api/road-sections', { type: 'Feature', geometry: { type: 'LineString', coordinates: [[far.lon, far.lat], [far.lon + 0.001, far.lat]] }, properties: { name: '越界', ownerOrgId: owner.org } });
    expect(outside.status).toBe(403);
    expect((await errorOf(outside)).code).toBe('out_of_scope');
    expect((await send(planner, 'POST', '/api/road-sections', { type: 'Feature', geometry: { type: 'Point', coordinates: at(0.1) }, properties: { name: '点', ownerOrgId: owner.org } })).status).toBe(400);
    expect((await send(planner, 'POST', '/api/road-sections', { type: 'Feature', geometry: { type: 'LineString', coordinates: [at(0.1)] }, properties: { name: '短', ownerOrgId: owner.org } })).status).toBe(422);
    expect((await send(viewer, 'POST', '/api/road-sections', { type: 'Feature', geometry: lineAlong(0.1, 0.2), properties: { name: '只读', ownerOrgId: owner.org } })).status).toBe(403);
  });
});

describe('split, merge, versions', () => {
  it('splits a section at a point into its two stretches, and merges them back into one line', async () => {
    const section = await create(lineAlong(0.1, 0.5), '待拆分路段');
    const res = await send(planner, 'POST', `/api/road-sections/${section.section.id}/split`, { version: 1, point: at(0.2, 3) });
    expect(res.status, await res.clone().text()).toBe(200);
    const { sections } = (await res.json()) as { sections: SectionBody[] };
    expect(sections.map((s) => s.id)[0]).toBe(section.section.id);
    near(sections[0]!.properties.lengthM, 0.3 * total);
    near(sections[1]!.properties.lengthM, 0.1 * total);
    expect(sections[1]!.properties).toMatchObject({ name: '待拆分路段-2', roadId: road.id, version: 1 });

    const off = await send(planner, 'POST', `/api/road-sections/${section.section.id}/split`, { version: 2, point: at(0.3, 40) });
    expect(off.status).toBe(422);
    expect((await errorOf(off)).code).toBe('point_does_not_split');

    const merged = await send(planner, 'POST', '/api/road-sections/merge', { sections: [{ id: sections[0]!.id, version: 2 }, { id: sections[1]!.id, version: 1 }] });
    expect(merged.status, await merged.clone().text()).toBe(200);
    const body = (await merged.json()) as WriteBody;
    near(body.section.properties.lengthM, 0.4 * total);
    expect(body.section.geometry.coordinates).toHaveLength(1);
    expect((await viewer.request(`/api/road-sections/${sections[1]!.id}`)).status).toBe(404);
  });

  it('refuses to merge sections that do not meet (422)', async () => {
    const a = await create(lineAlong(0.02, 0.05), '甲');
    const b = await create(lineAlong(0.07, 0.09), '乙');
    const res = await send(planner, 'POST', '/api/road-sections/merge', { sections: [{ id: a.section.id, version: 1 }, { id: b.section.id, version: 1 }] });
    expect(res.status).toBe(422);
    expect((await errorOf(res)).code).toBe('not_adjacent');
  });

  it('answers a stale save with 409 and the current section, keeps every version, and restores a deleted section', async () => {
    const section = await create(lineAlong(0.6, 0.7), '版本路段');
    const id = section.section.id;
    const update = (version: number, name: string) =>
      send(admin, 'PUT', `/api/road-sections/${id}`, { type: 'Feature', geometry: lineAlong(0.6, 0.75), properties: { name, ownerOrgId: owner.org, version } });
    expect((await update(1, '版本二')).status).toBe(200);
    const stale = await update(1, '过期的修改');
    expect(stale.status).toBe(409);
    const error = await errorOf(stale);
    expect(error.code).toBe('version_conflict');
    expect((error.details as { current: SectionBody }).current.properties).toMatchObject({ version: 2, name: '版本二' });
    expect((await admin.request(`/api/road-sections/${id}?version=2`, { method: 'DELETE' })).status).toBe(204);
    expect((await viewer.request(`/api/road-sections/${id}`)).status).toBe(404);

    const history = (await (await viewer.request(`/api/road-sections/${id}/history`)).json()) as { versions: { version: number; name: string; deleted: boolean }[] };
    expect(history.versions.map((v) => [v.version, v.name, v.deleted])).toEqual([[3, '版本二', true], [2, '版本二', false], [1, '版本路段', false]]);

    const restored = await send(admin, 'POST', `/api/road-sections/${id}/restore`, { version: 1, currentVersion: 3 });
    expect(restored.status, await restored.clone().text()).toBe(200);
    const body = (await restored.json()) as WriteBody;
    expect(body.section.properties).toMatchObject({ version: 4, name: '版本路段' });
    near(body.section.properties.lengthM, 0.1 * total);

    // and the layer as it stood on a day: before the first save the section was not there
    const asOf = async (day: string) =>
      ((await (await viewer.request(`/api/layers/road-sections?asOf=${day}`)).json()) as { features: { id: number; properties: { name: string } }[] }).features.find((f) => f.id === id);
    await sql`UPDATE road_section_versions SET changed_at = changed_at - interval '30 days' WHERE section_id = ${id} AND version = 1`.execute(database.db);
    const day = (daysAgo: number) => new Date(Date.now() + 8 * 3600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);
    expect(await asOf(day(40))).toBeUndefined();
    expect((await asOf(day(20)))?.properties.name).toBe('版本路段');
  });
});
