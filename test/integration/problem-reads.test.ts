/**
 * Each read of problems returns only what the role may see (issue 15, items
 * 5, 11 and 12):
 * - a handler reads its own organisation's cases, and of the others neither
 *   the details nor the contact: not through the duplicates check, not
 *   through the z16 problem tiles (nor through a tile cached for another role);
 * - a citizen's contact (`reporter`) goes only to those who handle the case:
 *   supervisors, admins within their scope, the owning handler;
 * - Open311 publishes the citizens' own reports, not staff, inspection or
 *   voided cases, and blurs the position of sensitive categories to a grid cell.
 *
 * The cases are inserted by SQL at known places in the first street, with
 * their grid and street as a report would get them; the owners are set by
 * hand: A is the demo handler's organisation, B another one.
 */
import type { Database } from '@civgrid/db';
import { hashPassword } from '@civgrid/db';
import { lonLatToTile } from '@civgrid/tiles';
import { VectorTile } from '@mapbox/vector-tile';
import { sql } from 'kysely';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';
import { meridianLength, parallelLength } from '../support/geodesy.ts';

const WASTE = 'evt-env-exposed-waste'; // 暴露垃圾, duplicate radius 30 m: about a public thing
const LAUNDRY = 'evt-order-laundry'; // 乱晾晒: someone's home, a sensitive category
const CONTACT_A = '13900000001';
const CONTACT_B = '13900000002';
const PASSWORD = 'problem-reads-2026';

let database: Database;
let admin: TestApp;
let supervisor: TestApp;
let handler: TestApp;
let inspector: TestApp;
let viewer: TestApp;
let anonymous: TestApp;
/** The first street's centre, inside it away from its edges. */
let at: [number, number];
let orgA: number;
let orgB: number;
/** An open citizen case of org A at `at` + 11 m north, and one of org B exactly at `at`. */
let caseA: number;
let caseB: number;
let streets: { first: number; second: number };

interface Case {
  at: [number, number];
  category?: string;
  owner: number | null;
  source?: string;
  reporter?: string | null;
  status?: string;
}

async function insertCase(c: Case): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(${c.at[0]}, ${c.at[1]}), 4326) AS g)
    INSERT INTO problems (category_id, status, source, geom, grid_id, street_id, owner_org_id, reporter, description)
    SELECT ${c.category ?? WASTE}, ${c.status ?? 'registered'}, ${c.source ?? 'citizen'}, pt.g,
           (SELECT t.id FROM territories t WHERE t.level = 'grid' AND ST_Intersects(t.geom, pt.g) ORDER BY t.id LIMIT 1),
           (SELECT t.id FROM territories t WHERE t.level = 'street' AND ST_Intersects(t.geom, pt.g) ORDER BY t.id LIMIT 1),
           ${c.owner}, ${c.reporter ?? null}, '权限读取测试'
    FROM pt RETURNING id`.execute(database.db);
  return rows[0]!.id;
}

async function addUser(username: string, role: string, territoryId: number, organisationId: number | null): Promise<void> {
  await sql`INSERT INTO users (username, display_name, password_hash, role, territory_id, organisation_id)
            VALUES (${username}, ${username}, ${await hashPassword(PASSWORD)}, ${role}, ${territoryId}, ${organisationId})`.execute(database.db);
}

const getJson = async <T>(client: TestApp, path: string): Promise<T> => {
  const res = await client.request(path);
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
};

interface Problem {
  id: number;
  ownerOrgId: number | null;
  reporter?: string | null;
  version: number;
}
interface Duplicates {
  radiusM: number;
  problems: (Problem & { distanceM: number })[];
  othersNearby?: number;
}

beforeAll(async () => {
  database = await freshDatabase();
  admin = testApp(database, 'admin', { rateLimits: { loginPerIp: { max: 1000, windowSeconds: 60 }, loginPerUser: { max: 1000, windowSeconds: 60 }, publicPerIp: { max: 100, windowSeconds: 60 } } });
  supervisor = admin.as('supervisor');
  handler = admin.as('handler');
  inspector = admin.as('inspector');
  viewer = admin.as('viewer');
  anonymous = admin.as(null);
  const db = database.db;
  const c = (await sql<{ lon: number; lat: number }>`
    SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (
      SELECT (ST_MaximumInscribedCircle(geom)).center AS c FROM territories WHERE level = 'street' ORDER BY code LIMIT 1) s`.execute(db)).rows[0]!;
  at = [c.lon, c.lat];
  const s = (await sql<{ id: number }>`SELECT id FROM territories WHERE level = 'street' ORDER BY code LIMIT 2`.execute(db)).rows;
  streets = { first: s[0]!.id, second: s[1]!.id };
  orgA = (await sql<{ id: number }>`SELECT organisation_id AS id FROM users WHERE username = 'handler'`.execute(db)).rows[0]!.id;
  orgB = (await sql<{ id: number }>`SELECT id FROM organisations WHERE id <> ${orgA} ORDER BY id LIMIT 1`.execute(db)).rows[0]!.id;
  caseB = await insertCase({ at, owner: orgB, reporter: CONTACT_B });
  caseA = await insertCase({ at: [at[0], at[1] + 0.0001], owner: orgA, reporter: CONTACT_A });
});
afterAll(async () => {
  await database?.close();
});

describe('a handler reads its own organisation’s cases only', () => {
  it('gets no other organisation’s case or contact from the duplicates check, only how many there are', async () => {
    const dup = await getJson<Duplicates>(handler, `/api/problems/duplicates?lon=${at[0]}&lat=${at[1]}&categoryId=${WASTE}`);
    const text = JSON.stringify(dup);
    expect(text).not.toContain(CONTACT_B);
    expect(dup.problems.map((p) => p.id)).not.toContain(caseB);
    expect(dup.problems.every((p) => p.ownerOrgId === orgA)).toBe(true);
    // its own case, in full with the contact: the owning handler calls the citizen back
    expect(dup.problems.find((p) => p.id === caseA)).toMatchObject({ ownerOrgId: orgA, reporter: CONTACT_A });
    expect(dup.othersNearby).toBeGreaterThanOrEqual(1);
    // the supervisor sees both, with their contacts
    const all = await getJson<Duplicates>(supervisor, `/api/problems/duplicates?lon=${at[0]}&lat=${at[1]}&categoryId=${WASTE}`);
    expect(all.problems.find((p) => p.id === caseB)).toMatchObject({ ownerOrgId: orgB, reporter: CONTACT_B });
    expect(all.problems.find((p) => p.id === caseA)).toMatchObject({ ownerOrgId: orgA, reporter: CONTACT_A });
    expect(all.othersNearby).toBe(0);
  });

  it('gets z16 problem tiles without other organisations’ cases, even when another role’s tile is cached', async () => {
    const z = 16;
    const { x, y } = lonLatToTile(at[0], at[1], z);
    const path = `/tiles/problems/${z}/${x}/${y}.mvt`;
    const ids = async (client: TestApp) => {
      const res = await client.request(path);
      expect(res.status).toBe(200);
      const layer = new VectorTile(new PbfReader(new Uint8Array(await res.arrayBuffer()))).layers.problems!;
      return Array.from({ length: layer.length }, (_, i) => Number(layer.feature(i).id));
    };
    // the supervisor first: its tile is in the cache when the handler asks for the same z/x/y
    const everyone = await ids(supervisor);
    expect(everyone).toContain(caseB);
    expect(everyone).toContain(caseA);
    const own = await ids(handler);
    expect(own).toContain(caseA);
    expect(own).not.toContain(caseB);
    const owners = (await sql<{ owner: number | null }>`SELECT owner_org_id AS owner FROM problems WHERE id IN (${sql.join(own)})`.execute(database.db)).rows;
    expect(owners.every((o) => o.owner === orgA)).toBe(true);
    // and the supervisor still gets the whole tile after the handler's was cached
    expect(await ids(supervisor)).toContain(caseB);
  });

  it('gets aggregated low-zoom tiles counting only its own organisation’s cases', async () => {
    const z = 11;
    const { x, y } = lonLatToTile(at[0], at[1], z);
    const total = async (client: TestApp) => {
      const layer = new VectorTile(new PbfReader(new Uint8Array(await (await client.request(`/tiles/problems/${z}/${x}/${y}.mvt`)).arrayBuffer()))).layers.problems!;
      return Array.from({ length: layer.length }, (_, i) => Number(layer.feature(i).properties.count)).reduce((a, b) => a + b, 0);
    };
    const [handlerTotal, supervisorTotal] = [await total(handler), await total(supervisor)];
    const own = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE owner_org_id = ${orgA}`.execute(database.db)).rows[0]!.n;
    expect(handlerTotal).toBeGreaterThan(0); // case A at least
    expect(handlerTotal).toBeLessThanOrEqual(own);
    expect(supervisorTotal).toBeGreaterThan(handlerTotal);
  });

  it('cannot open another organisation’s case or its photos, nor a case nobody owns', async () => {
    expect((await handler.request(`/api/problems/${caseB}`)).status).toBe(404);
    expect((await handler.request(`/api/problems/${caseA}`)).status).toBe(200);
    const photo = (await sql<{ id: number }>`
      INSERT INTO problem_photos (problem_id, stage, mime, bytes, thumb, size) VALUES (${caseB}, 'report', 'image/jpeg', '\\xffd8ffe0'::bytea, '\\x52494646'::bytea, 4)
      RETURNING id`.execute(database.db)).rows[0]!.id;
    expect((await handler.request(`/api/problems/${caseB}/photos/${photo}`)).status).toBe(404);
    expect((await supervisor.request(`/api/problems/${caseB}/photos/${photo}`)).status).toBe(200);
    const unowned = await insertCase({ at, owner: null, reporter: '13900000009' });
    expect((await handler.request(`/api/problems/${unowned}`)).status).toBe(404);
    const list = await getJson<{ problems: Problem[] }>(handler, '/api/problems');
    expect(list.problems.map((p) => p.id)).toContain(caseA);
    expect(list.problems.every((p) => p.ownerOrgId === orgA)).toBe(true);
  });
});

describe('a citizen’s contact goes only to those who handle the case', () => {
  const reporterIn = async (client: TestApp, id: number) => (await getJson<Problem>(client, `/api/problems/${id}`)).reporter;

  it('is absent for viewers, inspectors and planners, everywhere the case leaves the server', async () => {
    for (const client of [viewer, inspector, admin.as('planner')]) {
      const detail = await getJson<Record<string, unknown>>(client, `/api/problems/${caseB}`);
      expect(detail).not.toHaveProperty('reporter');
      const list = await getJson<{ problems: Record<string, unknown>[] }>(client, '/api/problems');
      expect(list.problems.some((p) => p.id === caseB)).toBe(true);
      expect(list.problems.every((p) => !('reporter' in p))).toBe(true);
      const dup = await getJson<Duplicates>(client, `/api/problems/duplicates?lon=${at[0]}&lat=${at[1]}&categoryId=${WASTE}`);
      expect(dup.problems.map((p) => p.id)).toContain(caseB);
      expect(JSON.stringify(dup)).not.toContain(CONTACT_B);
      const csv = await (await client.request('/api/problems?format=csv')).text();
      expect(csv).not.toContain(CONTACT_B);
    }
  });

  it('is there for the supervisor, the owning handler and an admin whose scope holds the case, not for one elsewhere', async () => {
    expect(await reporterIn(supervisor, caseB)).toBe(CONTACT_B);
    expect(await reporterIn(handler, caseA)).toBe(CONTACT_A);
    expect(await reporterIn(admin, caseB)).toBe(CONTACT_B); // the demo admin's scope is the district
    await addUser('admin-first-street', 'admin', streets.first, null);
    await addUser('admin-second-street', 'admin', streets.second, null);
    expect(await reporterIn(admin.as('admin-first-street', PASSWORD), caseB)).toBe(CONTACT_B);
    const elsewhere = await getJson<Record<string, unknown>>(admin.as('admin-second-street', PASSWORD), `/api/problems/${caseB}`);
    expect(elsewhere).not.toHaveProperty('reporter');
  });

  it('is not in the answer of an inspector’s transition, nor in its version conflict', async () => {
    const id = await insertCase({ at: [at[0] + 0.0002, at[1]], owner: orgB, reporter: CONTACT_B, status: 'fed_back' });
    const version = (await sql<{ version: number }>`SELECT version FROM problems WHERE id = ${id}`.execute(database.db)).rows[0]!.version;
    const post = (body: unknown) => inspector.request(`/api/problems/${id}/transitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const stale = await post({ action: 'verify', version: version + 7 });
    expect(stale.status).toBe(409);
    const conflict = (await stale.json()) as { error: { code: string; details: { current: Record<string, unknown> } } };
    expect(conflict.error.code).toBe('version_conflict');
    expect(conflict.error.details.current.id).toBe(id);
    expect(conflict.error.details.current).not.toHaveProperty('reporter');
    const done = await post({ action: 'verify', version });
    expect(done.status).toBe(200);
    const body = (await done.json()) as Record<string, unknown>;
    expect(body.status).toBe('verified');
    expect(body).not.toHaveProperty('reporter');
  });
});

describe('Open311 publishes what the citizen channel should', () => {
  interface Request {
    service_request_id: string;
    service_code: string;
    lat: number;
    long: number;
  }

  it('lists no staff, inspection or voided case, nor a contact, and answers 404 for them one by one', async () => {
    const staff = await insertCase({ at, owner: orgB, source: 'staff', reporter: 'supervisor' });
    const inspection = await insertCase({ at, owner: orgB, source: 'inspection', reporter: 'inspector' });
    const voided = await insertCase({ at, owner: orgB, reporter: CONTACT_B, status: 'void' });
    const published = await insertCase({ at, owner: orgB, reporter: CONTACT_B });
    const res = await anonymous.request('/open311/v2/requests.json');
    expect(res.status).toBe(200);
    const text = await res.text();
    const ids = (JSON.parse(text) as Request[]).map((r) => Number(r.service_request_id));
    expect(ids).toContain(published);
    for (const id of [staff, inspection, voided]) {
      expect(ids).not.toContain(id);
      expect((await anonymous.request(`/open311/v2/requests/${id}.json`)).status).toBe(404);
    }
    // asking for closed ones includes no void one either
    const closed = (await (await anonymous.request('/open311/v2/requests.json?status=closed')).json()) as Request[];
    expect(closed.map((r) => Number(r.service_request_id))).not.toContain(voided);
    for (const contact of [CONTACT_A, CONTACT_B, '13900000009']) expect(text).not.toContain(contact);
    const one = (await (await anonymous.request(`/open311/v2/requests/${published}.json`)).json()) as Request[];
    expect(one[0]).toMatchObject({ service_request_id: String(published), lat: at[1], long: at[0] }); // a public thing: its exact place
    expect(JSON.stringify(one)).not.toContain(CONTACT_B);
  });

  it('coarsens a sensitive category’s position to a grid cell: within half its diagonal, and moved for some', async () => {
    // seven homes along a line, 0.00037° apart: they fall at different places in their cells
    const stored = new Map<number, [number, number]>();
    for (let i = 0; i < 7; i++) {
      const p: [number, number] = [at[0] - 0.0011 + i * 0.00037, at[1] - 0.0004 + i * 0.00023];
      stored.set(await insertCase({ at: p, category: LAUNDRY, owner: orgB, reporter: CONTACT_B }), p);
    }
    const listed = (await (await anonymous.request(`/open311/v2/requests.json?service_code=${LAUNDRY}`)).json()) as Request[];
    const cell = 0.0015; // the grid the server snaps to (~150 m here)
    // the farthest a cell's centre is from a point of the cell, by the ellipsoid's arc lengths (not PostGIS)
    const bound = Math.hypot(parallelLength(cell / 2, at[1]), meridianLength(at[1], at[1] + cell / 2));
    expect(bound).toBeGreaterThan(100);
    expect(bound).toBeLessThan(120);
    const moved: number[] = [];
    for (const [id, [lon, lat]] of stored) {
      const r = listed.find((x) => Number(x.service_request_id) === id);
      expect(r, `request ${id} listed`).toBeDefined();
      const d = Math.hypot(parallelLength(Math.abs(r!.long - lon), lat), meridianLength(Math.min(lat, r!.lat), Math.max(lat, r!.lat)));
      expect(d).toBeLessThanOrEqual(bound + 0.01);
      moved.push(d);
    }
    expect(moved.filter((d) => d > 1).length).toBeGreaterThanOrEqual(5);
    // the same answer on every read: nothing to average away
    const again = (await (await anonymous.request(`/open311/v2/requests.json?service_code=${LAUNDRY}`)).json()) as Request[];
    expect(again).toEqual(listed);
  });
});
