/**
 * Scope on every write (issue 15, items 3, 4 and 15). Accounts scoped to one
 * street (象山街道 = the first street, 南门街道 = the second) try to write in
 * the other street, to change district-wide settings, and to give places to
 * another street's organisations; each refusal is a 403 with its own code and
 * leaves the database as it was. District-scoped accounts, and accounts of the
 * right street, still do the same writes (the controls).
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, errorOf, type Session, signIn, withSession } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

let database: Database;
let app: App;
let fx: {
  street1: { id: number; code: string; centre: [number, number] };
  street2: { id: number; code: string };
  /** Street offices and a community of each street: organisations with a territory. */
  office1: number;
  office2: number;
  community2: number;
  /** A district-wide unit (no territory): 市环卫. */
  cityUnit: number;
};
const sessions = new Map<string, Session>();
let ip = 0;

/** A demo account's copy with another role and scope (same password). */
async function account(username: string, role: string, territoryId: number, organisationId: number | null = null): Promise<void> {
  await sql`
    INSERT INTO users (username, display_name, password_hash, role, territory_id, organisation_id)
    SELECT ${username}, ${username}, password_hash, ${role}, ${territoryId}, ${organisationId} FROM users WHERE username = 'admin'`.execute(database.db);
}
async function as(username: string): Promise<Session> {
  if (!sessions.has(username)) sessions.set(username, await signIn(app, username, DEMO_PASSWORD, { 'x-forwarded-for': `203.0.113.${++ip}` }));
  return sessions.get(username)!;
}
const send = async (username: string, method: string, path: string, body?: unknown) =>
  app.request(path, withSession(await as(username), body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
const one = async <T>(query: ReturnType<typeof sql<T>>): Promise<T> => (await query.execute(database.db)).rows[0] as T;
const count = async (query: ReturnType<typeof sql<{ n: number }>>) => Number((await one(query)).n);

async function expectRefused(res: Response, code: string): Promise<void> {
  expect(res.status, await res.clone().text()).toBe(403);
  expect((await errorOf(res)).code).toBe(code);
}

/** A problem in 象山街道 (at its centre) in a given state, owned by its street office. */
async function problemInStreet1(status: string): Promise<number> {
  const [lon, lat] = fx.street1.centre;
  return (await one(sql<{ id: number }>`
    INSERT INTO problems (category_id, geom, owner_org_id, status, dispatched_at)
    VALUES ('evt-env-exposed-waste', ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326), ${fx.office1}, ${status},
            CASE WHEN ${status} = 'reported' THEN NULL ELSE now() END)
    RETURNING id`)).id;
}
const problemRow = (id: number) =>
  one(sql<Record<string, unknown>>`SELECT status, version, owner_org_id, urge_count, escalated, void_reason FROM problems WHERE id = ${id}`);

/** The audit entries about one problem an admin reads. */
async function auditOf(admin: string, problem: number): Promise<string[]> {
  const res = await send(admin, 'GET', `/api/audit?entity=problem&entityId=${problem}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: { action: string }[] }).entries.map((e) => e.action);
}

const square = (dx: number, dy = 0) => {
  const [lon, lat] = fx.street1.centre;
  const [x, y] = [lon + dx, lat + dy];
  return { type: 'Polygon', coordinates: [[[x, y], [x + 0.0003, y], [x + 0.0003, y + 0.0003], [x, y + 0.0003], [x, y]]] };
};
async function insertZone(owner: number, dx: number, dy = 0): Promise<number> {
  const id = (await one(sql<{ id: number }>`
    INSERT INTO zones (duty_type_id, name, owner_org_id, geom)
    VALUES ('frontage', ${`范围测试-${dx}-${dy}`}, ${owner}, ST_Multi(ST_GeomFromGeoJSON(${JSON.stringify(square(dx, dy))})))
    RETURNING id`)).id;
  await sql`INSERT INTO zone_versions (zone_id, version, duty_type_id, name, owner_org_id, geom, valid_from)
    SELECT id, version, duty_type_id, name, owner_org_id, geom, valid_from FROM zones WHERE id = ${id}`.execute(database.db);
  return id;
}
const line = (dx: number) => {
  const [lon, lat] = fx.street1.centre;
  return { type: 'LineString', coordinates: [[lon - 0.002 + dx, lat - 0.0008], [lon - 0.0016 + dx, lat - 0.0008]] };
};
const zoneCount = () => count(sql<{ n: number }>`SELECT count(*)::int AS n FROM zones`);

beforeAll(async () => {
  database = await freshDatabase();
  app = createApp({ database, webRoot: '/nonexistent', demo: true, trustProxy: true });
  const streets = (await sql<{ id: number; code: string }>`SELECT id, code FROM territories WHERE level = 'street' ORDER BY code`.execute(database.db)).rows;
  const [s1, s2] = [streets[0]!, streets[1]!];
  const centre = await one(sql<{ lon: number; lat: number }>`
    SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (SELECT (ST_MaximumInscribedCircle(geom)).center AS c FROM territories WHERE id = ${s1.id}) s`);
  const org = async (where: ReturnType<typeof sql>) => (await one(sql<{ id: number }>`SELECT o.id FROM organisations o LEFT JOIN territories t ON t.id = o.territory_id WHERE ${where} ORDER BY o.id LIMIT 1`)).id;
  fx = {
    street1: { ...s1, centre: [centre.lon, centre.lat] },
    street2: s2,
    office1: await org(sql`o.kind = 'street' AND t.code = ${s1.code}`),
    office2: await org(sql`o.kind = 'street' AND t.code = ${s2.code}`),
    community2: await org(sql`o.kind = 'community' AND t.code LIKE ${`${s2.code}%`}`),
    cityUnit: await org(sql`o.kind = 'sanitation_city' AND o.territory_id IS NULL`),
  };
  // 象山街道 (street 1): an admin and a supervisor; 南门街道 (street 2): the same; the district: a planner.
  await account('xs-admin', 'admin', s1.id);
  await account('xs-supervisor', 'supervisor', s1.id);
  await account('nm-admin', 'admin', s2.id);
  await account('nm-supervisor', 'supervisor', s2.id);
  const district = (await one(sql<{ id: number }>`SELECT id FROM territories WHERE level = 'district'`)).id;
  await account('district-planner', 'planner', district);
});
afterAll(async () => {
  await database?.close();
});

describe('item 3: the problem workflow checks the scope of the problem written', () => {
  const attempts: [action: string, status: string, extra: () => Record<string, unknown>][] = [
    ['void', 'dispatched', () => ({ note: '越权作废' })],
    ['close', 'verified', () => ({})],
    ['transfer', 'dispatched', () => ({ ownerOrgId: fx.office2 })],
    ['urge', 'dispatched', () => ({})],
    ['escalate', 'in_progress', () => ({})],
    ['register', 'reported', () => ({})],
  ];

  for (const who of ['nm-supervisor', 'nm-admin']) {
    it(`refuses ${who} (南门街道) every action on a problem in 象山街道, and writes nothing`, async () => {
      for (const [action, status, extra] of attempts) {
        const id = await problemInStreet1(status);
        const before = await problemRow(id);
        await expectRefused(await send(who, 'POST', `/api/problems/${id}/transitions`, { action, version: 1, ...extra() }), 'out_of_scope');
        expect(await problemRow(id), action).toEqual(before);
        expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM problem_events WHERE problem_id = ${id}`)).toBe(0);
        expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'problem' AND entity_id = ${String(id)}`)).toBe(0);
      }
    });
  }

  it('files a district supervisor\'s action under the problem\'s street: its admin reads it, another street\'s does not', async () => {
    const id = await problemInStreet1('dispatched');
    const res = await send('supervisor', 'POST', `/api/problems/${id}/transitions`, { action: 'urge', version: 1 });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await auditOf('xs-admin', id)).toEqual(['urge']);
    expect(await auditOf('nm-admin', id)).toEqual([]);
    expect(await auditOf('admin', id)).toEqual(['urge']);
  });

  it('lets a street\'s supervisor act in the street, and transfer only to units serving it', async () => {
    const id = await problemInStreet1('dispatched');
    await expectRefused(await send('xs-supervisor', 'POST', `/api/problems/${id}/transitions`, { action: 'transfer', version: 1, ownerOrgId: fx.office2 }), 'owner_out_of_scope');
    await expectRefused(await send('xs-supervisor', 'POST', `/api/problems/${id}/transitions`, { action: 'transfer', version: 1, ownerOrgId: fx.community2 }), 'owner_out_of_scope');
    expect((await problemRow(id)).owner_org_id).toBe(fx.office1);
    // a district-wide unit serves the street too
    const res = await send('xs-supervisor', 'POST', `/api/problems/${id}/transitions`, { action: 'transfer', version: 1, ownerOrgId: fx.cityUnit });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await auditOf('xs-admin', id)).toEqual(['transfer']);
  });

  it('files a transfer to another street\'s unit under both streets', async () => {
    const id = await problemInStreet1('dispatched');
    const res = await send('supervisor', 'POST', `/api/problems/${id}/transitions`, { action: 'transfer', version: 1, ownerOrgId: fx.office2 });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await auditOf('xs-admin', id)).toEqual(['transfer']);
    expect(await auditOf('nm-admin', id)).toEqual(['transfer']);
  });

  it('takes a staff report only within the reporter\'s scope (citizens report anywhere)', async () => {
    const [lon, lat] = fx.street1.centre;
    const report = { lon, lat, categoryId: 'evt-env-exposed-waste', description: '范围测试' };
    const before = await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM problems`);
    await expectRefused(await send('nm-supervisor', 'POST', '/api/problems', report), 'out_of_scope');
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM problems`)).toBe(before);
    expect((await send('xs-supervisor', 'POST', '/api/problems', report)).status).toBe(201);
    expect((await send('supervisor', 'POST', '/api/problems', report)).status).toBe(201);
  });

  it('refuses a problem import with rows outside the importer\'s street, writing none of them', async () => {
    const [lon, lat] = fx.street1.centre;
    const csv = `id,lon,lat,reported\nA-1,${lon},${lat},2026-10-01 09:00\n`;
    const mapping = { lon: 'lon', lat: 'lat', reportedAt: 'reported', category: { default: 'evt-env-exposed-waste' }, externalId: 'id' };
    const upload = async (who: string) => {
      const body = new FormData();
      body.set('file', new Blob([csv]), 'scope.csv');
      body.set('mapping', JSON.stringify(mapping));
      const res = await app.request('/api/problems/import', withSession(await as(who), { method: 'POST', body }));
      expect(res.status, await res.clone().text()).toBe(200);
      return ((await res.json()) as { previewId: string }).previewId;
    };
    const imported = () => count(sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE source = 'import'`);
    const before = await imported();
    await expectRefused(await send('nm-supervisor', 'POST', `/api/problems/import/${await upload('nm-supervisor')}/commit`), 'out_of_scope');
    expect(await imported()).toBe(before);
    expect((await send('xs-supervisor', 'POST', `/api/problems/import/${await upload('xs-supervisor')}/commit`)).status).toBe(201);
    expect(await imported()).toBe(before + 1);
  });

  it('refuses the campaign office of another street a check of a point in 象山街道', async () => {
    const point = await one(sql<{ id: number; version: number; item: number }>`
      SELECT ip.id, ip.version, (SELECT ci.id FROM checklist_items ci WHERE ci.point_type = ip.point_type ORDER BY ci.sort LIMIT 1) AS item
      FROM inspection_points ip JOIN territories t ON t.id = ip.territory_id WHERE t.code LIKE ${`${fx.street1.code}%`} ORDER BY ip.id LIMIT 1`);
    const round = (await one(sql<{ id: number }>`INSERT INTO inspection_rounds (name, starts_on, ends_on, status) VALUES ('范围检查', '2026-11-01', '2026-11-30', 'active') RETURNING id`)).id;
    const group = (await one(sql<{ id: number }>`INSERT INTO inspection_groups (round_id, name) VALUES (${round}, '范围检查组') RETURNING id`)).id;
    await sql`INSERT INTO inspection_round_points (round_id, point_id, group_id, visit_order) VALUES (${round}, ${point.id}, ${group}, 1)`.execute(database.db);
    const body = { roundId: round, groupId: group, pointId: point.id, checkedAt: '2026-11-02T10:00:00+08:00', pointVersion: point.version, items: [{ itemId: point.item, result: 'pass' }] };
    const post = async (who: string, key = randomUUID()) =>
      app.request('/api/inspection/checks', withSession(await as(who), { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) }));
    await expectRefused(await post('nm-supervisor'), 'out_of_scope');
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM inspection_checks WHERE round_id = ${round}`)).toBe(0);
    expect((await post('xs-supervisor')).status).toBe(201);
  });
});

describe('item 4: district-wide settings need an account scoped to the district', () => {
  it('refuses a street admin the category deadlines and the working calendar', async () => {
    const category = () => one(sql<Record<string, unknown>>`SELECT * FROM problem_categories WHERE id = 'evt-env-waste-pile'`);
    const before = await category();
    await expectRefused(await send('xs-admin', 'PUT', '/api/categories/evt-env-waste-pile', { deadlineHours: 1 }), 'district_scope_required');
    await expectRefused(await send('xs-admin', 'PUT', '/api/categories/evt-env-waste-pile', { dutyTypeId: 'greening' }), 'district_scope_required');
    expect(await category()).toEqual(before);

    await sql`INSERT INTO work_calendar (day, kind, name) VALUES ('2027-05-06', 'holiday', '范围测试') ON CONFLICT (day) DO NOTHING`.execute(database.db);
    await expectRefused(await send('xs-admin', 'PUT', '/api/calendar/2027-05-07', { kind: 'holiday', name: '越权' }), 'district_scope_required');
    await expectRefused(await send('xs-admin', 'DELETE', '/api/calendar/2027-05-06'), 'district_scope_required');
    const days = (await sql<{ day: string }>`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM work_calendar WHERE day BETWEEN '2027-05-06' AND '2027-05-07'`.execute(database.db)).rows;
    expect(days.map((d) => d.day)).toEqual(['2027-05-06']);

    // the district's admin still can
    expect((await send('admin', 'PUT', '/api/categories/evt-env-waste-pile', { deadlineHours: 36 })).status).toBe(200);
    expect((await send('admin', 'DELETE', '/api/calendar/2027-05-06')).status).toBe(204);
  });

  it('refuses a street supervisor every write of inspection rounds, groups and assignment', async () => {
    const round = (await one(sql<{ id: number }>`INSERT INTO inspection_rounds (name, starts_on, ends_on) VALUES ('范围测试轮次', '2027-01-04', '2027-01-08') RETURNING id`)).id;
    const group = (await one(sql<{ id: number }>`INSERT INTO inspection_groups (round_id, name) VALUES (${round}, '范围测试组') RETURNING id`)).id;
    const point = (await one(sql<{ id: number }>`SELECT id FROM inspection_points ORDER BY id LIMIT 1`)).id;
    await sql`INSERT INTO inspection_round_points (round_id, point_id) VALUES (${round}, ${point})`.execute(database.db);
    const snapshot = async () => ({
      rounds: await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM inspection_rounds`),
      round: await one(sql<Record<string, unknown>>`SELECT name, version FROM inspection_rounds WHERE id = ${round}`),
      groups: (await sql<{ id: number; name: string }>`SELECT id, name FROM inspection_groups WHERE round_id = ${round} ORDER BY id`.execute(database.db)).rows,
      assigned: await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM inspection_round_points WHERE round_id = ${round} AND group_id IS NOT NULL`),
    });
    const before = await snapshot();
    const writes: [string, string, unknown][] = [
      ['POST', '/api/inspection/rounds', { name: '越权轮次', startsOn: '2027-01-04', endsOn: '2027-01-08', pointIds: [point] }],
      ['PATCH', `/api/inspection/rounds/${round}`, { version: 1, name: '越权改名' }],
      ['POST', `/api/inspection/rounds/${round}/groups`, { name: '越权组' }],
      ['PATCH', `/api/inspection/rounds/${round}/groups/${group}`, { name: '越权改组' }],
      ['DELETE', `/api/inspection/rounds/${round}/groups/${group}`, undefined],
      ['POST', `/api/inspection/rounds/${round}/assign`, { mode: 'explicit', assignments: [{ pointId: point, groupId: group }] }],
    ];
    for (const [method, path, body] of writes) await expectRefused(await send('xs-supervisor', method, path, body), 'district_scope_required');
    expect(await snapshot()).toEqual(before);
    expect((await send('supervisor', 'PATCH', `/api/inspection/rounds/${round}`, { version: 1, name: '督查改名' })).status).toBe(200);
  });
});

describe('item 15: a planner gives places only to units serving their scope', () => {
  it('refuses a street planner a new or changed zone owned by another street\'s unit', async () => {
    const before = await zoneCount();
    const feature = (owner: number, dx: number) => ({ type: 'Feature', geometry: square(dx, 0.002), properties: { duty: 'frontage', name: `范围-${dx}`, ownerOrgId: owner } });
    await expectRefused(await send('planner', 'POST', '/api/zones', feature(fx.office2, 0)), 'owner_out_of_scope');
    await expectRefused(await send('planner', 'POST', '/api/zones', feature(fx.community2, 0)), 'owner_out_of_scope');
    expect(await zoneCount()).toBe(before);

    const id = await insertZone(fx.office1, 0.0008, 0.002);
    await expectRefused(await send('planner', 'PUT', `/api/zones/${id}`, { ...feature(fx.office2, 0.0008), properties: { ...feature(fx.office2, 0.0008).properties, version: 1 } }), 'owner_out_of_scope');
    expect((await one(sql<{ owner_org_id: number; version: number }>`SELECT owner_org_id, version FROM zones WHERE id = ${id}`))).toEqual({ owner_org_id: fx.office1, version: 1 });

    // controls: the street planner gives zones to the street's units and to district-wide ones; the district planner to any
    expect((await send('planner', 'POST', '/api/zones', feature(fx.office1, 0.0016))).status).toBe(201);
    expect((await send('planner', 'POST', '/api/zones', feature(fx.cityUnit, 0.0024))).status).toBe(201);
    expect((await send('district-planner', 'POST', '/api/zones', feature(fx.office2, 0.0032))).status).toBe(201);
  });

  it('keeps a zone\'s owner on a plain edit, but refuses to grow or merge land into another street\'s unit', async () => {
    // zones in 象山街道 owned by 南门街道's office (as a district planner may have set)
    const foreign = await insertZone(fx.office2, 0, 0.004);
    const renamed = { type: 'Feature', geometry: square(0, 0.004), properties: { duty: 'frontage', name: '改名', ownerOrgId: fx.office2, version: 1 } };
    expect((await send('planner', 'PUT', `/api/zones/${foreign}`, renamed)).status).toBe(200);

    const fill = { version: 2, geometry: square(0.0003, 0.004) };
    await expectRefused(await send('planner', 'POST', `/api/zones/${foreign}/fill`, fill), 'owner_out_of_scope');
    const own = await insertZone(fx.office1, 0.0003, 0.004);
    await expectRefused(
      await send('planner', 'POST', '/api/zones/merge', { zones: [{ id: foreign, version: 2 }, { id: own, version: 1 }] }),
      'owner_out_of_scope',
    );
    expect((await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM zones WHERE id IN (${foreign}, ${own}) AND valid_to IS NULL`)).n).toBe(2);
    expect((await one(sql<{ version: number }>`SELECT version FROM zones WHERE id = ${foreign}`)).version).toBe(2);
  });

  it('refuses a street planner a road section whose chief unit is another street\'s', async () => {
    const before = await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM road_sections`);
    const section = (owner: number, dx: number, extra: Record<string, unknown> = {}) => ({ type: 'Feature', geometry: line(dx), properties: { name: `范围路段-${dx}`, ownerOrgId: owner, ...extra } });
    await expectRefused(await send('planner', 'POST', '/api/road-sections', section(fx.office2, 0)), 'owner_out_of_scope');
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM road_sections`)).toBe(before);
    const created = await send('planner', 'POST', '/api/road-sections', section(fx.office1, 0));
    expect(created.status, await created.clone().text()).toBe(201);
    const id = ((await created.json()) as { section: { properties: { id: number } } }).section.properties.id;
    await expectRefused(await send('planner', 'PUT', `/api/road-sections/${id}`, section(fx.office2, 0, { version: 1 })), 'owner_out_of_scope');
    expect((await one(sql<{ chief_org_id: number }>`SELECT chief_org_id FROM road_sections WHERE id = ${id}`)).chief_org_id).toBe(fx.office1);
  });

  it('refuses a street planner another street\'s department or people for a point of the street', async () => {
    const point = await one(sql<{ id: number }>`
      SELECT ip.id FROM inspection_points ip JOIN territories t ON t.id = ip.territory_id WHERE t.code LIKE ${`${fx.street1.code}%`} ORDER BY ip.id LIMIT 1`);
    const personOf = async (org: number) => (await one(sql<{ id: number }>`SELECT id FROM people WHERE organisation_id = ${org} ORDER BY id LIMIT 1`)).id;
    const state = () => one(sql<Record<string, unknown>>`
      SELECT ip.version, ip.department_org_id, ip.leader_person_id, (SELECT count(*)::int FROM inspection_point_people pp WHERE pp.point_id = ip.id) AS people
      FROM inspection_points ip WHERE ip.id = ${point.id}`);
    const before = await state();
    const version = Number(before.version);
    const patch = (changes: Record<string, unknown>) => send('planner', 'PATCH', `/api/inspection-points/${point.id}`, { version, ...changes });
    await expectRefused(await patch({ departmentOrgId: fx.office2 }), 'owner_out_of_scope');
    await expectRefused(await patch({ leaderPersonId: await personOf(fx.office2) }), 'owner_out_of_scope');
    await expectRefused(await patch({ peopleIds: [await personOf(fx.office1), await personOf(fx.office2)] }), 'owner_out_of_scope');
    expect(await state()).toEqual(before);
    const res = await patch({ departmentOrgId: fx.office1, peopleIds: [await personOf(fx.office1)] });
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it('refuses an import whose zones go to another street\'s unit, writing none of them', async () => {
    const form = new FormData();
    const features = [
      { type: 'Feature', geometry: square(0, 0.006), properties: { name: '导入甲', owner: fx.office1 } },
      { type: 'Feature', geometry: square(0.0008, 0.006), properties: { name: '导入乙', owner: fx.office2 } },
    ];
    form.set('file', new Blob([JSON.stringify({ type: 'FeatureCollection', features })]), 'scope.geojson');
    form.set('layer', 'zones');
    form.set('duty', 'frontage');
    const preview = await app.request('/api/import', withSession(await as('planner'), { method: 'POST', body: form }));
    expect(preview.status, await preview.clone().text()).toBe(200);
    const { previewId } = (await preview.json()) as { previewId: string };
    const before = await zoneCount();
    const res = await send('planner', 'POST', `/api/import/${previewId}/commit`, {});
    await expectRefused(res, 'owner_out_of_scope');
    expect(await zoneCount()).toBe(before);
  });
});
