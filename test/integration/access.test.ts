/**
 * Every route × every role (and no session), generated from the app's own
 * route list: a route without an access rule, or without a sample request
 * here, fails this test. Allowed callers get the route's success status;
 * the others 401 (no session) or 403 (wrong role).
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY } from '../../server/src/auth/policy.ts';
import { ROLES, type Role } from '../../server/src/auth/roles.ts';
import { type App, addHeaders, errorOf, type Session, signIn, withSession } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

let database: Database;
let app: App;
const sessions = new Map<string, Session>();
let fx: { street1Centre: [number, number]; community: number; point: number; target: number; org: number; person: number; district: number };
let counter = 0;

interface Sample {
  /** The request an allowed caller makes; may prepare rows first. */
  request: () => Promise<{ path: string; init?: RequestInit }>;
  /** What an allowed caller gets. */
  ok: number;
  /** Sign in afresh for this request (logout ends the session it is made with). */
  freshSession?: boolean;
  /**
   * Where the service refines the route's rule for some allowed roles (the
   * problem workflow checks each action's role; problems.test.ts covers it).
   */
  okFor?: Partial<Record<(typeof ROLES)[number], number>>;
}

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const square = ([lon, lat]: [number, number], dx = 0) => ({
  type: 'Polygon',
  coordinates: [[[lon + dx, lat], [lon + dx + 0.0003, lat], [lon + dx + 0.0003, lat + 0.0003], [lon + dx, lat + 0.0003], [lon + dx, lat]]],
});
const zoneFeature = (extra: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry: square(fx.street1Centre, (counter++ % 50) * 0.0004),
  properties: { duty: 'frontage', name: `权限测试-${counter}`, ownerOrgId: fx.org, personId: fx.person, ...extra },
});
async function insertZone(): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    INSERT INTO zones (duty_type_id, name, owner_org_id, geom)
    VALUES ('frontage', 'to-change', ${fx.org}, ST_Multi(ST_GeomFromGeoJSON(${JSON.stringify(square(fx.street1Centre, -0.001))})))
    RETURNING id`.execute(database.db);
  await sql`INSERT INTO zone_versions (zone_id, version, duty_type_id, name, owner_org_id, geom, valid_from)
    SELECT id, version, duty_type_id, name, owner_org_id, geom, valid_from FROM zones WHERE id = ${rows[0]!.id}`.execute(database.db);
  return rows[0]!.id;
}
/** A 0.0004° road section west of the first street's centre, starting `dx` east of its base point. */
const sectionLine = (dx = 0) => {
  const [lon, lat] = fx.street1Centre;
  return { type: 'LineString', coordinates: [[lon - 0.002 + dx, lat - 0.0008], [lon - 0.0016 + dx, lat - 0.0008]] };
};
async function insertSection(dx = 0): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    INSERT INTO road_sections (name, chief_org_id, geom)
    VALUES ('to-change', ${fx.org}, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(sectionLine(dx))}), 4326)))
    RETURNING id`.execute(database.db);
  await sql`INSERT INTO road_section_versions (section_id, version, name, chief_org_id, geom, valid_from)
    SELECT id, version, name, chief_org_id, geom, valid_from FROM road_sections WHERE id = ${rows[0]!.id}`.execute(database.db);
  return rows[0]!.id;
}
const sectionVersion = async (id: number) => (await sql<{ version: number }>`SELECT version FROM road_sections WHERE id = ${id}`.execute(database.db)).rows[0]!.version;
const sectionFeature = (extra: Record<string, unknown> = {}) => ({ type: 'Feature', geometry: sectionLine(), properties: { name: `权限路段-${++counter}`, ownerOrgId: fx.org, ...extra } });
/** A write to a fresh road section (the body may use its id and version). */
const onSection = (method: string, path: (id: number) => string, body: (version: number) => unknown, ok = 200): Sample => ({
  request: async () => {
    const id = await insertSection();
    return { path: path(id), init: json(method, body(await sectionVersion(id))) };
  },
  ok,
});

/** A problem owned by the demo handler's organisation, fresh for each request. */
async function insertProblem(): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    INSERT INTO problems (category_id, geom, owner_org_id)
    VALUES ('evt-env-exposed-waste', ST_SetSRID(ST_MakePoint(${fx.street1Centre[0]}, ${fx.street1Centre[1]}), 4326),
            (SELECT organisation_id FROM users WHERE username = 'handler'))
    RETURNING id`.execute(database.db);
  return rows[0]!.id;
}
const report = () => ({ lon: fx.street1Centre[0], lat: fx.street1Centre[1], categoryId: 'evt-env-exposed-waste', description: '权限测试' });

/** An import of one square in the first street (a preview only: it writes nothing). */
function importForm(): FormData {
  const form = new FormData();
  const feature = { type: 'Feature', geometry: square(fx.street1Centre), properties: { name: '权限导入', owner: fx.org } };
  form.set('file', new Blob([JSON.stringify({ type: 'FeatureCollection', features: [feature] })]), 'access.geojson');
  form.set('layer', 'zones');
  form.set('duty', 'frontage');
  return form;
}

/** A write to a fresh zone (the body may use its id and version). */
const onZone = (path: (id: number) => string, body: (version: number) => unknown, ok = 200): Sample => ({
  request: async () => {
    const id = await insertZone();
    return { path: path(id), init: json('POST', body(await zoneVersion(id))) };
  },
  ok,
});
const zoneVersion = async (id: number) => (await sql<{ version: number }>`SELECT version FROM zones WHERE id = ${id}`.execute(database.db)).rows[0]!.version;

const fixed = (path: string, ok = 200): Sample => ({ request: async () => ({ path }), ok });
const coverage = (what: string): Record<string, Sample> => ({
  [`GET /api/coverage/${what}`]: fixed(`/api/coverage/${what}?duty=sanitation-city&area=${0}`),
  [`POST /api/coverage/${what}`]: { request: async () => ({ path: `/api/coverage/${what}`, init: json('POST', { duty: 'sanitation-city', area: String(fx.community) }) }), ok: 200 },
});

/** A round with one group of two points whose member is the demo inspector (the field package's samples; made once). */
let packageFixture: Promise<{ round: number; group: number }> | undefined;
function packageGroup(): Promise<{ round: number; group: number }> {
  packageFixture ??= (async () => {
    const round = (await sql<{ id: number }>`
      INSERT INTO inspection_rounds (name, starts_on, ends_on) VALUES ('权限测试轮次', '2026-11-01', '2026-11-30') RETURNING id`.execute(database.db)).rows[0]!.id;
    const group = (await sql<{ id: number }>`
      INSERT INTO inspection_groups (round_id, name) VALUES (${round}, '权限测试组') RETURNING id`.execute(database.db)).rows[0]!.id;
    await sql`INSERT INTO inspection_group_members (group_id, user_id) SELECT ${group}, id FROM users WHERE username = 'inspector'`.execute(database.db);
    await sql`INSERT INTO inspection_round_points (round_id, point_id, group_id, visit_order)
      SELECT ${round}, id, ${group}, row_number() OVER (ORDER BY id) FROM (SELECT id FROM inspection_points ORDER BY id LIMIT 2) p`.execute(database.db);
    return { round, group };
  })();
  return packageFixture;
}
const packageSample = (suffix: string): Sample => ({
  request: async () => {
    const { round, group } = await packageGroup();
    return { path: `/api/inspection/rounds/${round}/package${suffix}?group=${group}` };
  },
  ok: 200,
});

/** A round for the readiness board (made once, with the demo's first points). */
let readinessRound: Promise<number> | undefined;
function readinessRoundId(): Promise<number> {
  readinessRound ??= (async () => {
    const round = (await sql<{ id: number }>`
      INSERT INTO inspection_rounds (name, starts_on, ends_on) VALUES ('权限测试备检', '2026-11-01', '2026-11-30') RETURNING id`.execute(database.db)).rows[0]!.id;
    await sql`INSERT INTO inspection_round_points (round_id, point_id) SELECT ${round}, id FROM inspection_points ORDER BY id LIMIT 5`.execute(database.db);
    return round;
  })();
  return readinessRound;
}
/** A point in the demo planner's scope (the first street), changed at the version it has now. */
async function pointChange(): Promise<{ path: string; init: RequestInit }> {
  const point = (await sql<{ id: number; version: number }>`
    SELECT ip.id, ip.version FROM inspection_points ip JOIN territories t ON t.id = ip.territory_id
    WHERE t.code LIKE (SELECT code FROM territories WHERE level = 'street' ORDER BY code LIMIT 1) || '%'
    ORDER BY ip.id LIMIT 1`.execute(database.db)).rows[0]!;
  return { path: `/api/inspection-points/${point.id}`, init: json('PATCH', { version: point.version, address: `权限测试-${++counter}` }) };
}


/** A round whose group has the demo inspector as member, with one point and one stored check and photo (the checks' samples; made once). */
let checkFixture: Promise<{ round: number; group: number; point: number; version: number; item: number; check: number; photo: number }> | undefined;
function checksRound() {
  checkFixture ??= (async () => {
    const one = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(database.db)).rows[0] as T;
    const round = (await one(sql<{ id: number }>`
      INSERT INTO inspection_rounds (name, starts_on, ends_on, status) VALUES ('权限测试检查', '2026-11-01', '2026-11-30', 'active') RETURNING id`)).id;
    const group = (await one(sql<{ id: number }>`INSERT INTO inspection_groups (round_id, name) VALUES (${round}, '权限检查组') RETURNING id`)).id;
    await sql`INSERT INTO inspection_group_members (group_id, user_id) SELECT ${group}, id FROM users WHERE username = 'inspector'`.execute(database.db);
    const point = await one(sql<{ id: number; version: number; item: number }>`
      SELECT ip.id, ip.version, (SELECT ci.id FROM checklist_items ci WHERE ci.point_type = ip.point_type ORDER BY ci.sort LIMIT 1) AS item
      FROM inspection_points ip ORDER BY ip.id LIMIT 1`);
    await sql`INSERT INTO inspection_round_points (round_id, point_id, group_id, visit_order) VALUES (${round}, ${point.id}, ${group}, 1)`.execute(database.db);
    const check = (await one(sql<{ id: number }>`
      INSERT INTO inspection_checks (round_id, group_id, point_id, checked_at, score, max_score) VALUES (${round}, ${group}, ${point.id}, '2026-11-02T09:00:00+08:00', 10, 10) RETURNING id`)).id;
    const photo = (await one(sql<{ id: number }>`
      INSERT INTO inspection_check_photos (check_id, mime, bytes, thumb, size) VALUES (${check}, 'image/jpeg', '\\xffd8ffe0'::bytea, '\\x52494646'::bytea, 4) RETURNING id`)).id;
    return { round, group, point: point.id, version: point.version, item: point.item, check, photo };
  })();
  return checkFixture;
}
/** A passed check of the fixture's point under a fresh key (a pass files no problem). */
async function newCheck(): Promise<{ path: string; init: RequestInit }> {
  const f = await checksRound();
  const body = { roundId: f.round, groupId: f.group, pointId: f.point, checkedAt: '2026-11-02T10:00:00+08:00', pointVersion: f.version, items: [{ itemId: f.item, result: 'pass' }] };
  return { path: '/api/inspection/checks', init: addHeaders(json('POST', body), { 'idempotency-key': randomUUID() }) };
}

/** A round of two points with one group (the rounds' samples; made once); writes read its current version. */
let roundsFixture: Promise<{ round: number; group: number; points: number[] }> | undefined;
function planningRound() {
  roundsFixture ??= (async () => {
    const round = (await sql<{ id: number }>`
      INSERT INTO inspection_rounds (name, starts_on, ends_on) VALUES ('权限测试规划', '2026-11-01', '2026-11-30') RETURNING id`.execute(database.db)).rows[0]!.id;
    const group = (await sql<{ id: number }>`INSERT INTO inspection_groups (round_id, name) VALUES (${round}, '权限规划组') RETURNING id`.execute(database.db)).rows[0]!.id;
    const points = (await sql<{ id: number }>`
      INSERT INTO inspection_round_points (round_id, point_id) SELECT ${round}, id FROM (SELECT id FROM inspection_points ORDER BY id LIMIT 2) p
      RETURNING point_id AS id`.execute(database.db)).rows.map((r) => r.id);
    return { round, group, points };
  })();
  return roundsFixture;
}
const roundVersion = async (id: number) => (await sql<{ version: number }>`SELECT version FROM inspection_rounds WHERE id = ${id}`.execute(database.db)).rows[0]!.version;
/** A group to delete, fresh for each request. */
async function doomedGroup(): Promise<{ path: string; init: RequestInit }> {
  const { round } = await planningRound();
  const id = (await sql<{ id: number }>`INSERT INTO inspection_groups (round_id, name) VALUES (${round}, ${`待删组-${++counter}`}) RETURNING id`.execute(database.db)).rows[0]!.id;
  return { path: `/api/inspection/rounds/${round}/groups/${id}`, init: { method: 'DELETE' } };
}

const SAMPLES: Record<string, Sample> = {
  'GET /*': fixed('/index.html'),
  'GET /api/health': fixed('/api/health'),
  'GET /api/map/basemaps': fixed('/api/map/basemaps'),
  'GET /api/map/style.json': fixed('/api/map/style.json'),
  'GET /api/public/map/style.json': fixed('/api/public/map/style.json'),
  'GET /api/public/map/area.geojson': fixed('/api/public/map/area.geojson'),
  'GET /api/public/map/basemap.pmtiles': fixed('/api/public/map/basemap.pmtiles'),
  'POST /api/auth/login': { request: async () => ({ path: '/api/auth/login', init: json('POST', { username: 'viewer', password: DEMO_PASSWORD }) }), ok: 200 },
  'GET /api/auth/demo': fixed('/api/auth/demo'),
  'GET /api/auth/session': fixed('/api/auth/session'),
  'GET /api/auth/me': fixed('/api/auth/me'),
  'POST /api/auth/logout': { request: async () => ({ path: '/api/auth/logout', init: { method: 'POST' } }), ok: 204, freshSession: true },
  // a weak new password: allowed callers reach the check (400), and the demo password stays
  'POST /api/auth/password': { request: async () => ({ path: '/api/auth/password', init: json('POST', { currentPassword: DEMO_PASSWORD, newPassword: 'short' }) }), ok: 400 },
  'GET /api/users': fixed('/api/users'),
  'POST /api/users': {
    request: async () => ({ path: '/api/users', init: json('POST', { username: `access-${++counter}`, displayName: '权限', password: 'access-password-1', role: 'viewer', territoryId: fx.district }) }),
    ok: 201,
  },
  'PATCH /api/users/:id': { request: async () => ({ path: `/api/users/${fx.target}`, init: json('PATCH', { displayName: `改名-${++counter}` }) }), ok: 200 },
  'POST /api/users/:id/password': { request: async () => ({ path: `/api/users/${fx.target}/password`, init: json('POST', { password: 'target-password-2' }) }), ok: 204 },
  'GET /api/audit': fixed('/api/audit?limit=5'),
  'GET /api/territories': fixed('/api/territories?level=street'),
  'GET /api/organisations': fixed('/api/organisations?q=环卫'),
  'GET /api/duty-types': fixed('/api/duty-types'),
  'GET /api/layers': fixed('/api/layers'),
  'GET /api/layers/:layer': fixed('/api/layers/streets'),
  'GET /api/layers/:layer/history': fixed('/api/layers/zones/history?duty=frontage&limit=5'),
  'GET /api/responsibility': { request: async () => ({ path: `/api/responsibility?lon=${fx.street1Centre[0]}&lat=${fx.street1Centre[1]}` }), ok: 200 },
  'GET /api/inspection-points/:id': { request: async () => ({ path: `/api/inspection-points/${fx.point}` }), ok: 200 },
  'PATCH /api/inspection-points/:id': { request: pointChange, ok: 200 },
  'GET /api/inspection/readiness': { request: async () => ({ path: `/api/inspection/readiness?round=${await readinessRoundId()}` }), ok: 200 },
  'GET /api/inspection/rounds/:id/package': packageSample(''),
  'GET /api/inspection/rounds/:id/package/version': packageSample('/version'),
  'GET /api/inspection/rounds/:id/package/basemap.pmtiles': packageSample('/basemap.pmtiles'),
  'GET /api/inspection/checklists': fixed('/api/inspection/checklists?type=主次干道'),
  'POST /api/inspection/checks': { request: newCheck, ok: 201 },
  'GET /api/inspection/checks': fixed('/api/inspection/checks?conflict=true&limit=5'),
  'GET /api/inspection/checks/:id': { request: async () => ({ path: `/api/inspection/checks/${(await checksRound()).check}` }), ok: 200 },
  'GET /api/inspection/checks/:id/photos/:photoId': {
    request: async () => {
      const f = await checksRound();
      return { path: `/api/inspection/checks/${f.check}/photos/${f.photo}?size=thumb` };
    },
    ok: 200,
  },
  'GET /api/inspection/rounds/:id/scores': { request: async () => ({ path: `/api/inspection/rounds/${(await checksRound()).round}/scores` }), ok: 200 },
  'GET /api/inspection/scores': { request: async () => ({ path: `/api/inspection/scores?rounds=${(await checksRound()).round}` }), ok: 200 },
  'GET /api/inspection/rounds': fixed('/api/inspection/rounds?member=me'),
  'POST /api/inspection/rounds': { request: async () => ({ path: '/api/inspection/rounds', init: json('POST', { name: `权限轮次-${++counter}`, startsOn: '2027-01-04', endsOn: '2027-01-08', pointIds: [fx.point] }) }), ok: 201 },
  'GET /api/inspection/rounds/:id': { request: async () => ({ path: `/api/inspection/rounds/${(await planningRound()).round}` }), ok: 200 },
  'PATCH /api/inspection/rounds/:id': {
    request: async () => {
      const { round } = await planningRound();
      return { path: `/api/inspection/rounds/${round}`, init: json('PATCH', { version: await roundVersion(round), name: `权限改名-${++counter}` }) };
    },
    ok: 200,
  },
  'POST /api/inspection/rounds/:id/groups': { request: async () => ({ path: `/api/inspection/rounds/${(await planningRound()).round}/groups`, init: json('POST', { name: `权限组-${++counter}` }) }), ok: 201 },
  'PATCH /api/inspection/rounds/:id/groups/:groupId': {
    request: async () => {
      const { round, group } = await planningRound();
      return { path: `/api/inspection/rounds/${round}/groups/${group}`, init: json('PATCH', { name: `权限规划组-${++counter}` }) };
    },
    ok: 200,
  },
  'DELETE /api/inspection/rounds/:id/groups/:groupId': { request: doomedGroup, ok: 204 },
  'POST /api/inspection/rounds/:id/assign': {
    request: async () => {
      const { round, group, points } = await planningRound();
      return { path: `/api/inspection/rounds/${round}/assign`, init: json('POST', { mode: 'explicit', assignments: points.map((pointId) => ({ pointId, groupId: group })) }) };
    },
    ok: 200,
  },
  'GET /api/inspection/rounds/:id/routes': { request: async () => ({ path: `/api/inspection/rounds/${(await planningRound()).round}/routes` }), ok: 200 },
  'GET /api/inspection/inspectors': fixed('/api/inspection/inspectors'),
  ...coverage('gaps'),
  ...coverage('overlaps'),
  ...coverage('cross-tier'),
  ...coverage('roads'),
  'GET /api/coverage/points': fixed('/api/coverage/points'),
  'GET /api/coverage/summary': fixed('/api/coverage/summary?duty=greening'),
  'POST /api/zones': { request: async () => ({ path: '/api/zones', init: json('POST', zoneFeature()) }), ok: 201 },
  'PUT /api/zones/:id': {
    request: async () => {
      const id = await insertZone();
      return { path: `/api/zones/${id}`, init: json('PUT', zoneFeature({ version: await zoneVersion(id) })) };
    },
    ok: 200,
  },
  'DELETE /api/zones/:id': {
    request: async () => {
      const id = await insertZone();
      return { path: `/api/zones/${id}?version=${await zoneVersion(id)}`, init: { method: 'DELETE' } };
    },
    ok: 204,
  },
  'GET /api/people': fixed('/api/people?q=王'),
  'GET /api/zones/:id': { request: async () => ({ path: `/api/zones/${await insertZone()}` }), ok: 200 },
  'GET /api/zones/:id/history': { request: async () => ({ path: `/api/zones/${await insertZone()}/history` }), ok: 200 },
  'POST /api/zones/preview': { request: async () => ({ path: '/api/zones/preview', init: json('POST', { geometry: square(fx.street1Centre), duty: 'frontage' }) }), ok: 200 },
  // a line across the fresh zone (it spans 0.0003° east of −0.001°)
  'POST /api/zones/:id/split': onZone(
    (id) => `/api/zones/${id}/split`,
    (version) => {
      const [lon, lat] = fx.street1Centre;
      return { version, line: { type: 'LineString', coordinates: [[lon - 0.00085, lat - 0.0001], [lon - 0.00085, lat + 0.0004]] } };
    },
  ),
  'POST /api/zones/merge': {
    request: async () => {
      const [a, b] = [await insertZone(), await insertZone()];
      return { path: '/api/zones/merge', init: json('POST', { zones: [{ id: a, version: await zoneVersion(a) }, { id: b, version: await zoneVersion(b) }] }) };
    },
    ok: 200,
  },
  // the square just east of the fresh zone
  'POST /api/zones/:id/fill': onZone((id) => `/api/zones/${id}/fill`, (version) => ({ version, geometry: square(fx.street1Centre, -0.0007) })),
  'POST /api/zones/:id/restore': onZone((id) => `/api/zones/${id}/restore`, (version) => ({ version: 1, currentVersion: version })),
  'GET /api/road-sections/:id': { request: async () => ({ path: `/api/road-sections/${await insertSection()}` }), ok: 200 },
  'GET /api/road-sections/:id/history': { request: async () => ({ path: `/api/road-sections/${await insertSection()}/history` }), ok: 200 },
  'POST /api/road-sections/preview': { request: async () => ({ path: '/api/road-sections/preview', init: json('POST', { geometry: sectionLine() }) }), ok: 200 },
  'POST /api/road-sections': { request: async () => ({ path: '/api/road-sections', init: json('POST', sectionFeature()) }), ok: 201 },
  'PUT /api/road-sections/:id': onSection('PUT', (id) => `/api/road-sections/${id}`, (version) => sectionFeature({ version })),
  'DELETE /api/road-sections/:id': {
    request: async () => {
      const id = await insertSection();
      return { path: `/api/road-sections/${id}?version=${await sectionVersion(id)}`, init: { method: 'DELETE' } };
    },
    ok: 204,
  },
  'POST /api/road-sections/:id/split': onSection('POST', (id) => `/api/road-sections/${id}/split`, (version) => ({ version, point: sectionLine().coordinates.reduce(([a, b], [c, d]) => [(a! + c!) / 2, (b! + d!) / 2]) })),
  'POST /api/road-sections/merge': {
    request: async () => {
      const [a, b] = [await insertSection(), await insertSection(0.0004)];
      return { path: '/api/road-sections/merge', init: json('POST', { sections: [{ id: a, version: await sectionVersion(a) }, { id: b, version: await sectionVersion(b) }] }) };
    },
    ok: 200,
  },
  'POST /api/road-sections/:id/restore': onSection('POST', (id) => `/api/road-sections/${id}/restore`, (version) => ({ version: 1, currentVersion: version })),
  'POST /api/import': { request: async () => ({ path: '/api/import', init: { method: 'POST', body: importForm() } }), ok: 200 },
  // a preview is its user's own: allowed callers reach the look-up and find none (404), the others are refused first
  'POST /api/import/:previewId/commit': { request: async () => ({ path: '/api/import/00000000-0000-4000-8000-000000000000/commit', init: json('POST', {}) }), ok: 404 },
  'GET /api/export/:layer': fixed('/api/export/streets?format=csv'),
  'GET /api/categories': fixed('/api/categories'),
  'PUT /api/categories/:id': { request: async () => ({ path: '/api/categories/evt-env-waste-pile', init: json('PUT', { deadlineHours: 24 }) }), ok: 200 },
  'GET /api/calendar': fixed('/api/calendar?year=2026'),
  'PUT /api/calendar/:day': { request: async () => ({ path: '/api/calendar/2027-03-03', init: json('PUT', { kind: 'holiday', name: '测试' }) }), ok: 200 },
  'DELETE /api/calendar/:day': {
    request: async () => {
      await sql`INSERT INTO work_calendar (day, kind, name) VALUES ('2027-03-04', 'holiday', '测试') ON CONFLICT (day) DO NOTHING`.execute(database.db);
      return { path: '/api/calendar/2027-03-04', init: { method: 'DELETE' } };
    },
    ok: 204,
  },
  'POST /api/public/problems': { request: async () => ({ path: '/api/public/problems', init: json('POST', report()) }), ok: 201 },
  // a well-formed code and secret that name no report: the one 404 for anyone
  'POST /api/public/problems/lookup': { request: async () => ({ path: '/api/public/problems/lookup', init: json('POST', { code: '7K3-Q9M', secret: 'ABCD-EFGH-JKMN-PQRS' }) }), ok: 404 },
  'POST /api/problems': { request: async () => ({ path: '/api/problems', init: json('POST', report()) }), ok: 201 },
  'GET /api/problems': fixed('/api/problems?limit=5'),
  'GET /api/problems/duplicates': { request: async () => ({ path: `/api/problems/duplicates?lon=${fx.street1Centre[0]}&lat=${fx.street1Centre[1]}&categoryId=evt-env-exposed-waste` }), ok: 200 },
  'GET /api/problems/:id': { request: async () => ({ path: `/api/problems/${await insertProblem()}` }), ok: 200 },
  'GET /api/problems/:id/photos/:photoId': {
    request: async () => {
      const id = await insertProblem();
      const photo = (await sql<{ id: number }>`
        INSERT INTO problem_photos (problem_id, stage, mime, bytes, thumb, size) VALUES (${id}, 'report', 'image/jpeg', '\\xffd8ffe0'::bytea, '\\x52494646'::bytea, 4)
        RETURNING id`.execute(database.db)).rows[0]!.id;
      return { path: `/api/problems/${id}/photos/${photo}?size=thumb` };
    },
    ok: 200,
  },
  // 立案 (register) is a supervisor's act: handlers and inspectors pass the route and are refused by the workflow
  'POST /api/problems/:id/transitions': {
    request: async () => ({ path: `/api/problems/${await insertProblem()}/transitions`, init: json('POST', { action: 'register', version: 1 }) }),
    ok: 200,
    okFor: { handler: 403, inspector: 403 },
  },
  // a CSV described, without a mapping: nothing is stored or written
  'POST /api/problems/import': {
    request: async () => {
      const body = new FormData();
      body.set('file', new Blob(['id,lon,lat,type\n1,110.29,25.27,a\n']), 'access.csv');
      return { path: '/api/problems/import', init: { method: 'POST', body } };
    },
    ok: 200,
  },
  // a preview is its user's own: allowed callers reach the look-up and find none (404)
  'POST /api/problems/import/:previewId/commit': { request: async () => ({ path: '/api/problems/import/00000000-0000-4000-8000-000000000000/commit', init: { method: 'POST' } }), ok: 404 },
  'GET /open311/v2/services.json': fixed('/open311/v2/services.json'),
  'GET /open311/v2/requests.json': fixed('/open311/v2/requests.json?status=open&service_code=evt-env-exposed-waste'),
  'POST /open311/v2/requests.json': {
    request: async () => ({
      path: '/open311/v2/requests.json',
      init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ service_code: 'evt-env-exposed-waste', lat: String(fx.street1Centre[1]), long: String(fx.street1Centre[0]) }).toString() },
    }),
    ok: 201,
  },
  // Open311 publishes citizens' reports only (services/citizen-channel.ts)
  'GET /open311/v2/requests/:file{[0-9]+\\.json}': {
    request: async () => {
      const id = await insertProblem();
      await sql`UPDATE problems SET source = 'citizen' WHERE id = ${id}`.execute(database.db);
      return { path: `/open311/v2/requests/${id}.json` };
    },
    ok: 200,
  },
  'GET /api/problems/stats/grids': fixed('/api/problems/stats/grids?level=community&from=2026-10-01&to=2026-10-31'),
  'GET /api/problems/hotspots': fixed('/api/problems/hotspots?status=closed&limit=3'),
  'GET /api/problems/trend': fixed('/api/problems/trend?interval=week&from=2026-09-01&to=2026-10-31'),
  'GET /api/indicators': fixed('/api/indicators?by=street&from=2026-10-01&to=2026-10-31'),
  'GET /api/rankings/communities': fixed('/api/rankings/communities?period=2026-10-12'),
  'GET /tiles/:name{[a-z0-9-]+\\.pmtiles}': fixed('/tiles/basemap.pmtiles'),
  'GET /tiles/:name{[a-z-]+\\.json}': fixed('/tiles/streets.json'),
  'GET /tiles/:layer/:z/:x/:file': {
    request: async () => {
      const [lon, lat] = fx.street1Centre;
      const n = 2 ** 12;
      const x = Math.floor(((lon + 180) / 360) * n);
      const y = Math.floor(((1 - Math.asinh(Math.tan((lat * Math.PI) / 180)) / Math.PI) / 2) * n);
      return { path: `/tiles/streets/12/${x}/${y}.mvt` };
    },
    ok: 200,
  },
};

/** The routes the app answers (middleware excluded), as "METHOD path". */
function routeKeys(): string[] {
  return [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))];
}

beforeAll(async () => {
  database = await freshDatabase();
  const webRoot = mkdtempSync(join(tmpdir(), 'civgrid-web-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>civgrid</title>');
  const tilesDir = mkdtempSync(join(tmpdir(), 'civgrid-tiles-'));
  copyFileSync(join(import.meta.dirname, '../fixtures/pmtiles/world_stamen_toner_raster_z0-3.pmtiles'), join(tilesDir, 'basemap.pmtiles'));
  app = createApp({ database, webRoot, tilesDir, demo: true, trustProxy: true });

  const centre = (await sql<{ lon: number; lat: number }>`
    SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (SELECT (ST_MaximumInscribedCircle(geom)).center AS c FROM territories WHERE level = 'street' ORDER BY code LIMIT 1) s`.execute(database.db)).rows[0]!;
  const community = (await sql<{ id: number }>`SELECT id FROM territories WHERE level = 'community' ORDER BY code LIMIT 1`.execute(database.db)).rows[0]!;
  const district = (await sql<{ id: number }>`SELECT id FROM territories WHERE level = 'district'`.execute(database.db)).rows[0]!;
  const point = (await sql<{ id: number }>`SELECT id FROM inspection_points ORDER BY id LIMIT 1`.execute(database.db)).rows[0]!;
  const person = (await sql<{ org: number; person: number }>`SELECT organisation_id AS org, id AS person FROM people ORDER BY id LIMIT 1`.execute(database.db)).rows[0]!;
  const target = (await sql<{ id: number }>`
    INSERT INTO users (username, display_name, password_hash, role, territory_id) VALUES ('access-target', '目标', 'x', 'viewer', ${district.id}) RETURNING id`.execute(database.db)).rows[0]!;
  fx = { street1Centre: [centre.lon, centre.lat], community: community.id, point: point.id, target: target.id, org: person.org, person: person.person, district: district.id };
  for (const role of ROLES) sessions.set(role, await signIn(app, role, DEMO_PASSWORD, { 'x-forwarded-for': `192.0.2.${ROLES.indexOf(role) + 1}` }));
  // the coverage samples analyse one community, not the whole district
  for (const key of Object.keys(SAMPLES)) {
    if (key.startsWith('GET /api/coverage/') && !key.endsWith('points') && !key.endsWith('summary')) {
      const what = key.slice('GET /api/coverage/'.length);
      SAMPLES[key] = fixed(`/api/coverage/${what}?duty=sanitation-city&area=${fx.community}`);
    }
  }
});
afterAll(async () => {
  await database?.close();
});

describe('the access table', () => {
  it('has a rule and a sample request for every route the app serves', () => {
    const keys = routeKeys();
    expect(keys.length).toBeGreaterThan(30);
    expect(keys.filter((k) => !POLICY[k]), 'routes without an access rule in server/src/auth/policy.ts').toEqual([]);
    expect(keys.filter((k) => !SAMPLES[k]), 'routes without a sample request in this test').toEqual([]);
  });

  it('answers every route for every role (and without a session) as the rule says', { timeout: 240_000 }, async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const key of routeKeys()) {
      const rule = POLICY[key]!;
      const sample = SAMPLES[key]!;
      for (const role of [null, ...ROLES]) {
        const allowed = rule.access === 'public' || (role !== null && (rule.access === 'session' || rule.roles.includes(role)));
        const expected = allowed ? ((role && sample.okFor?.[role]) ?? sample.ok) : role === null ? 401 : 403;
        const session = role === null ? null : sample.freshSession ? await signIn(app, role, DEMO_PASSWORD, { 'x-forwarded-for': '192.0.2.99' }) : sessions.get(role)!;
        const { path, init } = await sample.request();
        const res = await app.request(path, withSession(session, addHeaders(init, { 'x-forwarded-for': `192.0.2.${(checked % 200) + 10}` })));
        checked++;
        if (res.status !== expected) failures.push(`${key} as ${role ?? 'anonymous'}: ${res.status}, expected ${expected} (${(await res.text()).slice(0, 160)})`);
        else if (!allowed) expect((await errorOf(res)).code).toBe(role === null ? 'unauthenticated' : 'forbidden');
        else await res.arrayBuffer();
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(routeKeys().length * (ROLES.length + 1));
  });
});

/**
 * The scope dimension (issue 15): every write route (a role rule, not GET),
 * called by an account of each allowed role scoped to ANOTHER street than the
 * samples' (they write in the first street, or change district-wide
 * settings), is refused: 403 (out of scope, district scope required, owner
 * out of scope, not your group …) or 404 (not within your scope). Generated
 * from the same routes and SAMPLES, so a new write route is tried here too;
 * only the routes below, which write nothing of a place, are exempt.
 */
describe('the access table, scoped to another street', () => {
  const SCOPE_FREE: Record<string, string> = {
    'POST /api/zones/preview': 'writes nothing: the live feedback reports how much lies outside the scope',
    'POST /api/road-sections/preview': 'writes nothing: the live feedback reports how much lies outside the scope',
    'POST /api/import': "a preview, kept for its user only: it flags features outside the scope, and the commit is checked",
    'POST /api/problems/import': 'a preview, kept for its user only; the commit is checked',
  };
  /** Requests for the routes whose first-street sample does not reach the scope check for another street's account. */
  const ELSEWHERE: Record<string, (role: Role) => Promise<{ path: string; init?: RequestInit }>> = {
    // the account's own preview of one row in the first street (the default sample's preview does not exist)
    'POST /api/problems/import/:previewId/commit': async (role) => {
      const body = new FormData();
      body.set('file', new Blob([`id,lon,lat,reported\nS-${++counter},${fx.street1Centre[0]},${fx.street1Centre[1]},2026-10-01 09:00\n`]), 'scope.csv');
      body.set('mapping', JSON.stringify({ lon: 'lon', lat: 'lat', reportedAt: 'reported', category: { default: 'evt-env-exposed-waste' }, externalId: 'id' }));
      const res = await app.request('/api/problems/import', withSession(elsewhere.get(role)!, { method: 'POST', body, headers: { 'x-forwarded-for': '192.0.2.250' } }));
      const { previewId } = (await res.json()) as { previewId: string };
      return { path: `/api/problems/import/${previewId}/commit`, init: { method: 'POST' } };
    },
  };
  const elsewhere = new Map<string, Session>();
  let otherStreet: string;

  const writeRoutes = () => routeKeys().filter((k) => !k.startsWith('GET ') && POLICY[k]?.access === 'roles');

  beforeAll(async () => {
    const street = (await sql<{ id: number; code: string; org: number }>`
      SELECT t.id, t.code, (SELECT o.id FROM organisations o WHERE o.territory_id = t.id AND o.kind = 'sanitation_town' ORDER BY o.id LIMIT 1) AS org
      FROM territories t WHERE t.level = 'street' ORDER BY t.code DESC LIMIT 1`.execute(database.db)).rows[0]!;
    otherStreet = street.code;
    for (const [i, role] of ROLES.entries()) {
      await sql`
        INSERT INTO users (username, display_name, password_hash, role, territory_id, organisation_id)
        SELECT ${`elsewhere-${role}`}, ${`别街·${role}`}, password_hash, ${role}, ${street.id}, ${role === 'handler' ? street.org : null}
        FROM users WHERE username = 'admin'`.execute(database.db);
      elsewhere.set(role, await signIn(app, `elsewhere-${role}`, DEMO_PASSWORD, { 'x-forwarded-for': `198.18.0.${i + 1}` }));
    }
  });

  it('lists only real write routes as exempt, and the samples write outside that street', async () => {
    expect(Object.keys(SCOPE_FREE).filter((k) => !writeRoutes().includes(k))).toEqual([]);
    expect(Object.keys(ELSEWHERE).filter((k) => !writeRoutes().includes(k))).toEqual([]);
    const place = (await sql<{ code: string }>`
      SELECT t.code FROM territories t WHERE t.level = 'street' AND ST_Intersects(t.geom, ST_SetSRID(ST_MakePoint(${fx.street1Centre[0]}, ${fx.street1Centre[1]}), 4326))`.execute(database.db)).rows[0]!;
    expect(place.code.startsWith(otherStreet)).toBe(false);
  });

  it('refuses every write route to each allowed role scoped to another street', { timeout: 240_000 }, async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const key of writeRoutes()) {
      if (SCOPE_FREE[key]) continue;
      const rule = POLICY[key]!;
      if (rule.access !== 'roles') continue;
      for (const role of rule.roles) {
        const { path, init } = await (ELSEWHERE[key]?.(role) ?? SAMPLES[key]!.request());
        const res = await app.request(path, withSession(elsewhere.get(role)!, addHeaders(init, { 'x-forwarded-for': `198.18.1.${(checked % 200) + 10}` })));
        checked++;
        const text = await res.text();
        const code = text.startsWith('{') ? ((JSON.parse(text) as { error?: { code?: unknown } }).error?.code ?? null) : null;
        // the role passes the route's rule: the refusal must come from the scope, in our error shape
        if (![403, 404].includes(res.status) || typeof code !== 'string' || code === 'forbidden') {
          failures.push(`${key} as ${role} of ${otherStreet}: ${res.status} (${text.slice(0, 160)})`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });
});
