/**
 * Writing responsibility zones as the roles allow: a street's planner writes
 * only inside that street; every write is versioned, audited with its
 * geometry, checked against the version it was read at, and a retried create
 * with the same Idempotency-Key writes once.
 */
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, errorOf, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';
import { rectArea } from '../support/geodesy.ts';

let database: Database;
let planner: TestApp; // the demo planner: scoped to the first street
let viewer: TestApp;
let admin: TestApp;
let inside: { lon: number; lat: number };
let otherStreet: { lon: number; lat: number };
let owner: { org: number; person: number; otherOrg: number };

/** A square of `side` degrees with its south-west corner at (lon, lat). */
const square = (lon: number, lat: number, side = 0.001) => ({
  type: 'Polygon' as const,
  coordinates: [[[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]],
});

const feature = (geometry: unknown, properties: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry,
  properties: { duty: 'frontage', name: '测试责任区', ownerOrgId: owner.org, personId: owner.person, ...properties },
});

const send = (client: TestApp, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  client.request(path, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });

beforeAll(async () => {
  database = await freshDatabase();
  viewer = testApp(database, 'viewer');
  planner = viewer.as('planner');
  admin = viewer.as('admin');
  // the most interior point of each of the first two streets: a 111 m square there lies well inside
  const centres = (await sql<{ lon: number; lat: number }>`
    SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (
      SELECT (ST_MaximumInscribedCircle(geom)).center AS c, code FROM territories WHERE level = 'street') s
    ORDER BY code LIMIT 2`.execute(database.db)).rows;
  inside = centres[0]!;
  otherStreet = centres[1]!;
  const person = (await sql<{ org: number; person: number }>`SELECT organisation_id AS org, id AS person FROM people ORDER BY id LIMIT 1`.execute(database.db)).rows[0]!;
  const otherOrg = (await sql<{ id: number }>`SELECT id FROM organisations WHERE id <> ${person.org} ORDER BY id LIMIT 1`.execute(database.db)).rows[0]!;
  owner = { ...person, otherOrg: otherOrg.id };
});
afterAll(async () => {
  await database?.close();
});

describe('creating a zone', () => {
  it('saves a planner’s zone inside their street with its true area, a first version and an audit entry with the geometry', async () => {
    const res = await send(planner, 'POST', '/api/zones', feature(square(inside.lon, inside.lat)));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { zone: { id: number; properties: { version: number; areaM2: number; updatedBy: string } }; repaired: boolean };
    expect(body.zone.properties.version).toBe(1);
    expect(body.zone.properties.updatedBy).toBe('planner');
    expect(body.repaired).toBe(false);
    const expected = rectArea(inside.lon, inside.lat, inside.lon + 0.001, inside.lat + 0.001);
    expect(Math.abs(body.zone.properties.areaM2 - expected) / expected).toBeLessThan(0.001);

    const versions = await sql<{ version: number }>`SELECT version FROM zone_versions WHERE zone_id = ${body.zone.id}`.execute(database.db);
    expect(versions.rows.map((r) => r.version)).toEqual([1]);
    const audit = (await (await admin.request(`/api/audit?entity=zone&entityId=${body.zone.id}`)).json()) as {
      entries: { action: string; actor: string; geometry: { before: unknown; after: { type: string } } }[];
    };
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ action: 'create', actor: 'planner', geometry: { before: null, after: { type: 'MultiPolygon' } } });
    // and the layer serves it
    const layer = (await (await viewer.request(`/api/layers/zones?duty=frontage&bbox=${inside.lon},${inside.lat},${inside.lon + 0.001},${inside.lat + 0.001}`)).json()) as { features: { id: number }[] };
    expect(layer.features.map((f) => f.id)).toContain(body.zone.id);
  });

  it('refuses a planner’s zone in another street with 403, and saves nothing', async () => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM zones`.execute(database.db);
    const res = await send(planner, 'POST', '/api/zones', feature(square(otherStreet.lon, otherStreet.lat)));
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('out_of_scope');
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM zones`.execute(database.db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    // a district-wide admin may
    expect((await send(admin, 'POST', '/api/zones', feature(square(otherStreet.lon, otherStreet.lat)))).status).toBe(201);
  });

  it('refuses viewers (403) and anonymous callers (401)', async () => {
    expect((await send(viewer, 'POST', '/api/zones', feature(square(inside.lon, inside.lat)))).status).toBe(403);
    expect((await send(viewer.as(null), 'POST', '/api/zones', feature(square(inside.lon, inside.lat)))).status).toBe(401);
  });

  it('repairs a self-intersecting ring (a bow tie) and says so', async () => {
    const { lon, lat } = inside;
    const bowTie = { type: 'Polygon', coordinates: [[[lon, lat], [lon + 0.001, lat + 0.001], [lon + 0.001, lat], [lon, lat + 0.001], [lon, lat]]] };
    const res = await send(planner, 'POST', '/api/zones', feature(bowTie));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { repaired: boolean; zone: { geometry: { coordinates: unknown[] }; properties: { areaM2: number } } };
    expect(body.repaired).toBe(true);
    expect(body.zone.geometry.coordinates).toHaveLength(2); // two triangles
    const half = rectArea(lon, lat, lon + 0.001, lat + 0.001) / 2;
    expect(Math.abs(body.zone.properties.areaM2 - half) / half).toBeLessThan(0.01);
  });

  it('refuses unknown duties, owners and people who are not in the owning organisation', async () => {
    const geometry = square(inside.lon, inside.lat);
    expect((await errorOf(await send(planner, 'POST', '/api/zones', feature(geometry, { duty: 'no-such-duty' })))).code).toBe('unknown_duty');
    expect((await errorOf(await send(planner, 'POST', '/api/zones', feature(geometry, { ownerOrgId: 99999 })))).code).toBe('unknown_organisation');
    expect((await errorOf(await send(planner, 'POST', '/api/zones', feature(geometry, { ownerOrgId: owner.otherOrg })))).code).toBe('person_not_in_organisation');
  });

  it('reports overlaps with zones of the same duty', async () => {
    const a = (await (await send(planner, 'POST', '/api/zones', feature(square(inside.lon + 0.002, inside.lat), { duty: 'greening' }))).json()) as { zone: { id: number } };
    const res = await send(planner, 'POST', '/api/zones', feature(square(inside.lon + 0.0025, inside.lat), { duty: 'greening' }));
    const body = (await res.json()) as { overlaps: { zoneId: number; areaM2: number }[] };
    const shared = rectArea(inside.lon + 0.0025, inside.lat, inside.lon + 0.003, inside.lat + 0.001);
    const hit = body.overlaps.find((o) => o.zoneId === a.zone.id);
    expect(hit).toBeDefined();
    expect(Math.abs(hit!.areaM2 - shared) / shared).toBeLessThan(0.001);
  });
});

describe('Idempotency-Key', () => {
  it('creates one zone however often the same request is retried, and answers the same each time', async () => {
    const body = feature(square(inside.lon - 0.002, inside.lat), { name: '重试的责任区' });
    const key = crypto.randomUUID();
    const answers = await Promise.all([1, 2, 3].map(() => send(planner, 'POST', '/api/zones', body, { 'idempotency-key': key })));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    const ids = await Promise.all(answers.map(async (a) => ((await a.json()) as { zone: { id: number } }).zone.id));
    expect(new Set(ids).size).toBe(1);
    const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM zones WHERE name = '重试的责任区'`.execute(database.db);
    expect(rows.rows[0]!.n).toBe(1);
  });

  it('refuses the same key with a different body (422) and a malformed key (400)', async () => {
    const key = crypto.randomUUID();
    expect((await send(planner, 'POST', '/api/zones', feature(square(inside.lon - 0.004, inside.lat)), { 'idempotency-key': key })).status).toBe(201);
    const reused = await send(planner, 'POST', '/api/zones', feature(square(inside.lon - 0.004, inside.lat), { name: '别的' }), { 'idempotency-key': key });
    expect(reused.status).toBe(422);
    expect((await errorOf(reused)).code).toBe('idempotency_key_reused');
    expect((await send(planner, 'POST', '/api/zones', feature(square(inside.lon, inside.lat)), { 'idempotency-key': 'x' })).status).toBe(400);
  });
});

describe('changing and deleting a zone', () => {
  it('updates at the version read, answers 409 with the current zone for a stale version, and overwrites nothing', async () => {
    const created = (await (await send(planner, 'POST', '/api/zones', feature(square(inside.lon, inside.lat - 0.002)))).json()) as { zone: { id: number } };
    const id = created.zone.id;
    const first = await send(planner, 'PUT', `/api/zones/${id}`, feature(square(inside.lon, inside.lat - 0.002, 0.0012), { version: 1, name: '第一次修改' }));
    expect(first.status).toBe(200);
    expect(((await first.json()) as { zone: { properties: { version: number } } }).zone.properties.version).toBe(2);

    const stale = await send(planner, 'PUT', `/api/zones/${id}`, feature(square(inside.lon, inside.lat - 0.002, 0.0008), { version: 1, name: '过时的修改' }));
    expect(stale.status).toBe(409);
    const error = (await stale.json()) as { error: { code: string; details: { current: { properties: { name: string; version: number } } } } };
    expect(error.error.code).toBe('version_conflict');
    expect(error.error.details.current.properties).toMatchObject({ name: '第一次修改', version: 2 });
    const stored = await sql<{ name: string }>`SELECT name FROM zones WHERE id = ${id}`.execute(database.db);
    expect(stored.rows[0]!.name).toBe('第一次修改');

    const audit = (await (await admin.request(`/api/audit?entity=zone&entityId=${id}&action=update`)).json()) as {
      entries: { before: { name: string }; after: { name: string }; geometry: { before: unknown; after: unknown } }[];
    };
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ before: { name: '测试责任区' }, after: { name: '第一次修改' } });
    expect(audit.entries[0]!.geometry.before).not.toEqual(audit.entries[0]!.geometry.after);
  });

  it('deletes at the version read: the zone leaves the map, its history stays', async () => {
    const created = (await (await send(planner, 'POST', '/api/zones', feature(square(inside.lon + 0.002, inside.lat - 0.002)))).json()) as { zone: { id: number } };
    const id = created.zone.id;
    expect((await planner.request(`/api/zones/${id}?version=5`, { method: 'DELETE' })).status).toBe(409);
    expect((await planner.request(`/api/zones/${id}?version=1`, { method: 'DELETE' })).status).toBe(204);
    expect((await planner.request(`/api/zones/${id}?version=2`, { method: 'DELETE' })).status).toBe(404);
    const versions = await sql<{ version: number; deleted: boolean }>`SELECT version, deleted FROM zone_versions WHERE zone_id = ${id} ORDER BY version`.execute(database.db);
    expect(versions.rows).toEqual([{ version: 1, deleted: false }, { version: 2, deleted: true }]);
  });

  it('does not let a street planner change a zone of another street', async () => {
    const created = (await (await send(admin, 'POST', '/api/zones', feature(square(otherStreet.lon + 0.002, otherStreet.lat)))).json()) as { zone: { id: number } };
    const res = await send(planner, 'PUT', `/api/zones/${created.zone.id}`, feature(square(inside.lon, inside.lat), { version: 1 }));
    expect(res.status).toBe(403);
    expect((await planner.request(`/api/zones/${created.zone.id}?version=1`, { method: 'DELETE' })).status).toBe(403);
  });
});
