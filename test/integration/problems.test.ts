/**
 * Problems end to end on the server: a report is routed by the blind-spot
 * engine (one owner; nobody → the street office and a blind-spot flag;
 * several → the campaign office and a disputed flag), GCJ-02 phone
 * coordinates are converted, a retried report creates one problem, and the
 * workflow checks role, organisation, state and version at every step, with
 * working-hour deadlines, a timeline and the audit trail.
 *
 * The routing fixture is a duty type and category of this file's own, with
 * three squares: owned by one unit, claimed by two, and owned by nobody.
 */
import type { Database } from '@civgrid/db';
import gcoord from 'gcoord';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

const DUTY = 'prob-test';
const CATEGORY = 'evt-prob-test';

let database: Database;
let admin: TestApp;
let supervisor: TestApp;
let handler: TestApp;
let inspector: TestApp;
let viewer: TestApp;
let anonymous: TestApp;
/** Centres of the three squares: one owner, two owners, no owner. */
let one: [number, number];
let two: [number, number];
let none: [number, number];
let orgs: { x: number; y: number; z: number; streetOffice: number; campaign: number; handler: number };

interface Problem {
  id: number;
  status: string;
  ownerOrgId: number | null;
  ownerName: string | null;
  blindSpot: boolean;
  disputed: boolean;
  lon: number;
  lat: number;
  version: number;
  dueAt: string | null;
  dispatchedAt: string | null;
  reworkCount: number;
  warning: string;
  elapsedWorkingHours: number | null;
  timeline?: { action: string; fromStatus: string | null; toStatus: string; actor: string; note: string | null }[];
}

const send = (client: TestApp, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  client.request(path, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });

async function report(at: [number, number], extra: Record<string, unknown> = {}, client = inspector, headers: Record<string, string> = {}): Promise<Problem> {
  const res = await send(client, 'POST', '/api/problems', { lon: at[0], lat: at[1], categoryId: CATEGORY, description: '测试问题', ...extra }, headers);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Problem;
}
const act = (client: TestApp, p: Problem, action: string, extra: Record<string, unknown> = {}) =>
  send(client, 'POST', `/api/problems/${p.id}/transitions`, { action, version: p.version, ...extra });
async function step(client: TestApp, p: Problem, action: string, extra: Record<string, unknown> = {}): Promise<Problem> {
  const res = await act(client, p, action, extra);
  expect(res.status, `${action}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as Problem;
}

beforeAll(async () => {
  database = await freshDatabase();
  admin = testApp(database, 'admin', { rateLimits: { loginPerIp: { max: 1000, windowSeconds: 60 }, loginPerUser: { max: 1000, windowSeconds: 60 }, publicPerIp: { max: 20, windowSeconds: 60 } } });
  supervisor = admin.as('supervisor');
  handler = admin.as('handler');
  inspector = admin.as('inspector');
  viewer = admin.as('viewer');
  anonymous = admin.as(null);
  const db = database.db;
  // three 0.001° squares in a row inside the first street, away from its edges
  const c = (await sql<{ lon: number; lat: number; street: number }>`
    SELECT ST_X(c) AS lon, ST_Y(c) AS lat, id AS street FROM (
      SELECT (ST_MaximumInscribedCircle(geom)).center AS c, id FROM territories WHERE level = 'street' ORDER BY code LIMIT 1) s`.execute(db)).rows[0]!;
  one = [c.lon - 0.002 + 0.0005, c.lat + 0.0005];
  two = [c.lon + 0.0005, c.lat + 0.0005];
  none = [c.lon + 0.002 + 0.0005, c.lat + 0.0005];
  const pick = async (where: ReturnType<typeof sql>) => (await sql<{ id: number }>`SELECT id FROM organisations WHERE ${where} ORDER BY id LIMIT 1`.execute(db)).rows[0]!.id;
  const handlerOrg = (await sql<{ id: number }>`SELECT organisation_id AS id FROM users WHERE username = 'handler'`.execute(db)).rows[0]!.id;
  orgs = {
    x: await pick(sql`kind = 'sanitation_city'`),
    y: await pick(sql`kind = 'city_unit'`),
    z: await pick(sql`kind = 'department' AND name NOT LIKE '%创城办%'`),
    streetOffice: await pick(sql`kind = 'street' AND territory_id = ${c.street}`),
    campaign: await pick(sql`kind = 'department' AND name LIKE '%创城办%'`),
    handler: handlerOrg,
  };
  await sql`INSERT INTO duty_types (id, name_zh, name_en) VALUES (${DUTY}, '案件测试', 'problem test')`.execute(db);
  await sql`INSERT INTO problem_categories (id, parent_id, kind, name_zh, name_en, duty_type_id, deadline_hours, duplicate_radius_m, sort)
            VALUES (${CATEGORY}, 'evt-env', 'event', '测试类', 'test class', ${DUTY}, 4, 30, 9999)`.execute(db);
  // a partial duty (like 门前三包) with no zones at all, which falls back to the test duty's owners
  await sql`INSERT INTO duty_types (id, name_zh, name_en, coverage, fallback_duty_id) VALUES ('prob-partial', '部分测试', 'partial test', 'partial', ${DUTY})`.execute(db);
  await sql`INSERT INTO problem_categories (id, parent_id, kind, name_zh, name_en, duty_type_id, deadline_hours, duplicate_radius_m, sort)
            VALUES ('evt-prob-partial', 'evt-env', 'event', '部分类', 'partial class', 'prob-partial', 4, 30, 9998)`.execute(db);
  const square = (lon: number, lat: number) => sql`ST_Multi(ST_MakeEnvelope(${lon - 0.0005}, ${lat - 0.0005}, ${lon + 0.0005}, ${lat + 0.0005}, 4326))`;
  for (const [at, owner] of [[one, orgs.x], [two, orgs.y], [two, orgs.z]] as const) {
    await sql`INSERT INTO zones (duty_type_id, name, owner_org_id, geom) VALUES (${DUTY}, '测试责任区', ${owner}, ${square(at[0], at[1])})`.execute(db);
  }
});
afterAll(async () => {
  await database?.close();
});

describe('routing a report', () => {
  it('sends a problem to the one owner of the duty at that place', async () => {
    const p = await report(one);
    expect(p).toMatchObject({ status: 'reported', ownerOrgId: orgs.x, blindSpot: false, disputed: false });
  });

  it('sends a problem where nobody owns the duty to the street office, flagged as a blind spot', async () => {
    const p = await report(none);
    expect(p).toMatchObject({ ownerOrgId: orgs.streetOffice, blindSpot: true, disputed: false });
  });

  it('sends a problem two units both claim to the campaign office, flagged as disputed', async () => {
    const p = await report(two);
    expect(p).toMatchObject({ ownerOrgId: orgs.campaign, blindSpot: false, disputed: true });
    const detail = (await (await supervisor.request(`/api/problems/${p.id}`)).json()) as Problem;
    expect(detail.timeline![0]!.note).toContain('disputed');
  });

  it('sends a problem of a partial duty with no zone here to the owner of its fallback duty, not to the blind spots', async () => {
    const p = await report(one, { categoryId: 'evt-prob-partial' });
    expect(p).toMatchObject({ ownerOrgId: orgs.x, blindSpot: false, disputed: false });
    const nowhere = await report(none, { categoryId: 'evt-prob-partial' });
    expect(nowhere).toMatchObject({ ownerOrgId: orgs.streetOffice, blindSpot: true });
  });

  it('converts GCJ-02 coordinates from a phone map: the GCJ-02 form of a point in the owned square lands there', async () => {
    const [glon, glat] = gcoord.transform(one, gcoord.WGS84, gcoord.GCJ02) as [number, number];
    // in 桂林 the two systems differ by hundreds of metres: read as WGS84, the GCJ-02 numbers fall elsewhere
    expect(Math.hypot((glon - one[0]) * 101_000, (glat - one[1]) * 111_000)).toBeGreaterThan(200);
    const p = await report([glon, glat], { crs: 'gcj02' });
    expect(p.ownerOrgId).toBe(orgs.x);
    expect(Math.abs(p.lon - one[0])).toBeLessThan(1e-5);
    expect(Math.abs(p.lat - one[1])).toBeLessThan(1e-5);
  });

  it('refuses a place outside the district (422), an unknown category (400), and viewers (403)', async () => {
    const outside = await send(inspector, 'POST', '/api/problems', { lon: 116.4, lat: 39.9, categoryId: CATEGORY });
    expect(outside.status).toBe(422);
    expect((await errorOf(outside)).code).toBe('outside_territory');
    const unknown = await send(inspector, 'POST', '/api/problems', { lon: one[0], lat: one[1], categoryId: 'evt-no-such' });
    expect(unknown.status).toBe(400);
    expect((await errorOf(unknown)).code).toBe('unknown_category');
    const major = await send(inspector, 'POST', '/api/problems', { lon: one[0], lat: one[1], categoryId: 'evt-env' });
    expect(major.status).toBe(400);
    expect((await send(viewer, 'POST', '/api/problems', { lon: one[0], lat: one[1], categoryId: CATEGORY })).status).toBe(403);
  });

  it('creates one problem for one Idempotency-Key sent three times', async () => {
    const count = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE category_id = ${CATEGORY}`.execute(database.db)).rows[0]!.n);
    const before = await count();
    const statuses: number[] = [];
    const ids = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const res = await send(inspector, 'POST', '/api/problems', { lon: one[0], lat: one[1], categoryId: CATEGORY }, { 'idempotency-key': 'phone-retry-0001' });
      statuses.push(res.status);
      ids.add(((await res.json()) as Problem).id);
    }
    expect(statuses).toEqual([201, 200, 200]);
    expect(ids.size).toBe(1);
    expect(await count()).toBe(before + 1);
  });

  it('offers open problems of the same category within its radius as possible duplicates', async () => {
    const near: [number, number] = [one[0] + 0.0001, one[1]]; // ≈ 10 m east
    const res = await inspector.request(`/api/problems/duplicates?lon=${near[0]}&lat=${near[1]}&categoryId=${CATEGORY}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { radiusM: number; problems: (Problem & { distanceM: number })[] };
    expect(body.radiusM).toBe(30);
    expect(body.problems.length).toBeGreaterThan(0);
    for (const p of body.problems) expect(p.distanceM).toBeLessThanOrEqual(30);
    const far = (await (await inspector.request(`/api/problems/duplicates?lon=${none[0]}&lat=${none[1] + 0.002}&categoryId=${CATEGORY}`)).json()) as { problems: unknown[] };
    expect(far.problems).toEqual([]);
  });
});

describe('the workflow', () => {
  it('runs 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案 with a working-hour deadline, a timeline and audit entries', async () => {
    let p = await report(one);
    p = await step(supervisor, p, 'register');
    p = await step(supervisor, p, 'dispatch');
    expect(p.status).toBe('dispatched');
    // a 4-working-hour deadline: at least 4 h of wall time later, and exactly 4 working hours
    expect(new Date(p.dueAt!).getTime() - new Date(p.dispatchedAt!).getTime()).toBeGreaterThanOrEqual(4 * 3600_000 - 1000);
    // the handler's organisation takes it over (a transfer), starts and feeds back
    p = await step(supervisor, p, 'transfer', { ownerOrgId: orgs.handler, note: '属街道环卫所' });
    p = await step(handler, p, 'start');
    const noNote = await act(handler, p, 'feedback');
    expect(noNote.status).toBe(400);
    p = await step(handler, p, 'feedback', { note: '已清理' });
    // closing before verifying is a state conflict
    const early = await act(supervisor, p, 'close');
    expect(early.status).toBe(409);
    expect((await errorOf(early)).code).toBe('transition_not_allowed');
    p = await step(inspector, p, 'return', { note: '仍有残留' });
    expect(p).toMatchObject({ status: 'in_progress', reworkCount: 1 });
    p = await step(handler, p, 'feedback', { note: '复查后清理干净' });
    p = await step(inspector, p, 'verify');
    p = await step(supervisor, p, 'close');
    expect(p.status).toBe('closed');
    const detail = (await (await supervisor.request(`/api/problems/${p.id}`)).json()) as Problem;
    expect(detail.timeline!.map((e) => e.action)).toEqual(['report', 'register', 'dispatch', 'transfer', 'start', 'feedback', 'return', 'feedback', 'verify', 'close']);
    expect(detail.timeline!.find((e) => e.action === 'return')).toMatchObject({ fromStatus: 'fed_back', toStatus: 'in_progress', actor: 'inspector', note: '仍有残留' });
    const audit = (await (await admin.request(`/api/audit?entity=problem&entityId=${p.id}`)).json()) as { entries: { action: string }[] };
    expect(audit.entries.map((e) => e.action).sort()).toEqual(['close', 'dispatch', 'feedback', 'feedback', 'register', 'report', 'return', 'start', 'transfer', 'verify'].sort());
  });

  it('keeps handlers to their own organisation’s cases and roles to their actions', async () => {
    let p = await report(one);
    p = await step(supervisor, p, 'register');
    p = await step(supervisor, p, 'dispatch');
    const notYours = await act(handler, p, 'start');
    expect(notYours.status).toBe(403);
    expect((await errorOf(notYours)).code).toBe('not_your_case');
    expect((await handler.request(`/api/problems/${p.id}`)).status).toBe(404);
    const list = (await (await handler.request('/api/problems?limit=500')).json()) as { problems: Problem[] };
    expect(list.problems.every((x) => x.ownerOrgId === orgs.handler)).toBe(true);
    const wrongRole = await act(inspector, p, 'dispatch');
    expect(wrongRole.status).toBe(403);
    expect((await errorOf(wrongRole)).code).toBe('role_not_allowed');
  });

  it('answers a stale version with 409 and changes nothing; voids with a reason', async () => {
    const p = await report(none);
    const registered = await step(supervisor, p, 'register');
    const stale = await act(supervisor, p, 'void', { note: '重复上报' });
    expect(stale.status).toBe(409);
    expect((await errorOf(stale)).code).toBe('version_conflict');
    const voided = await step(supervisor, registered, 'void', { note: '重复上报' });
    expect(voided.status).toBe('void');
    expect((await act(supervisor, voided, 'register')).status).toBe(409);
  });

  it('turns yellow at 80 % of the working time and red when overdue', async () => {
    let p = await report(one);
    p = await step(supervisor, p, 'register');
    p = await step(supervisor, p, 'dispatch');
    expect(p.warning).toBe('none');
    // dispatched two weeks ago: far more than 4 working hours have passed
    await sql`UPDATE problems SET dispatched_at = now() - interval '14 days' WHERE id = ${p.id}`.execute(database.db);
    const overdue = (await (await supervisor.request(`/api/problems/${p.id}`)).json()) as Problem;
    expect(overdue.warning).toBe('red');
    expect(overdue.elapsedWorkingHours).toBeGreaterThan(4);
  });
});

describe('the working calendar', () => {
  it('lists the seeded holidays and lets only admins add, change and remove a day, audited', async () => {
    const listed = (await (await supervisor.request('/api/calendar?year=2026')).json()) as { days: { day: string; kind: string; name: string }[] };
    // National Day 2026: 1–7 October off (State Council notice of 2025-11)
    expect(listed.days.filter((d) => d.name === '国庆节' && d.kind === 'holiday').map((d) => d.day)).toEqual(['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07']);
    expect((await send(supervisor, 'PUT', '/api/calendar/2027-05-06', { kind: 'holiday', name: '测试' })).status).toBe(403);
    expect((await errorOf(await send(admin, 'PUT', '/api/calendar/2027-02-30', { kind: 'holiday', name: '测试' }))).code).toBe('invalid_request');
    expect((await send(admin, 'PUT', '/api/calendar/2027-05-06', { kind: 'rest', name: '测试' })).status).toBe(400);
    const put = await send(admin, 'PUT', '/api/calendar/2027-05-06', { kind: 'workday', name: '调休上班' });
    expect(put.status).toBe(200);
    const year = (await (await admin.request('/api/calendar?year=2027')).json()) as { days: { day: string; kind: string }[] };
    expect(year.days).toContainEqual({ day: '2027-05-06', kind: 'workday', name: '调休上班' });
    expect((await admin.request('/api/calendar/2027-05-06', { method: 'DELETE' })).status).toBe(204);
    expect((await errorOf(await admin.request('/api/calendar/2027-05-06', { method: 'DELETE' }))).code).toBe('calendar_day_not_found');
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'calendar_day' AND entity_id = '2027-05-06'`.execute(database.db);
    expect(rows[0]!.n).toBe(2);
  });

  it('moves a deadline past days an admin declares holidays', async () => {
    // the next ten China days become holidays: a 4-working-hour deadline set now
    // cannot fall before the eleventh day begins
    const today = new Date(Date.now() + 8 * 3600_000);
    const days = Array.from({ length: 10 }, (_, i) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + i)).toISOString().slice(0, 10));
    for (const day of days) expect((await send(admin, 'PUT', `/api/calendar/${day}`, { kind: 'holiday', name: '测试假期' })).status).toBe(200);
    try {
      let p = await report(one);
      p = await step(supervisor, p, 'register');
      p = await step(supervisor, p, 'dispatch');
      const eleventh = new Date(`${days[9]}T00:00:00+08:00`).getTime() + 86_400_000;
      expect(new Date(p.dueAt!).getTime()).toBeGreaterThanOrEqual(eleventh + (8 * 60 + 30) * 60_000);
    } finally {
      for (const day of days) await admin.request(`/api/calendar/${day}`, { method: 'DELETE' });
    }
  });
});

describe('lists', () => {
  it('filters by status and category and exports CSV', async () => {
    const res = await supervisor.request(`/api/problems?status=closed,void&category=${CATEGORY}`);
    const { problems } = (await res.json()) as { problems: Problem[] };
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(new Set(problems.map((p) => p.status))).toEqual(new Set(['closed', 'void']));
    const csv = await supervisor.request(`/api/problems?category=${CATEGORY}&format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\n');
    const total = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE category_id = ${CATEGORY}`.execute(database.db)).rows[0]!.n);
    expect(lines).toHaveLength(total + 1);
    expect((await supervisor.request('/api/problems?status=finished')).status).toBe(400);
  });
});

describe('citizens and categories', () => {
  it('takes a citizen report without an account and tells only its fate; then limits the address', async () => {
    const res = await send(anonymous, 'POST', '/api/public/problems', { lon: one[0], lat: one[1], categoryId: CATEGORY, description: '你拍我改', contact: '138****0000' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['categoryName', 'id', 'ownerName', 'receipt', 'reportedAt', 'status']);
    const stored = (await sql<{ source: string; reporter: string }>`SELECT source, reporter FROM problems WHERE id = ${body.id as number}`.execute(database.db)).rows[0]!;
    expect(stored).toEqual({ source: 'citizen', reporter: '138****0000' });
    let limited = 0;
    // 20 public writes a minute per address here (sign-ins count too): 25 more must meet the limit
    for (let i = 0; i < 25; i++) {
      const r = await send(anonymous, 'POST', '/api/public/problems', { lon: one[0], lat: one[1], categoryId: CATEGORY });
      if (r.status === 429) limited++;
    }
    expect(limited).toBeGreaterThan(0);
  });

  it('lists the categories for anyone and lets only admins change a deadline', async () => {
    const { categories } = (await (await anonymous.request('/api/categories')).json()) as { categories: { id: string; parentId: string | null; deadlineHours: number | null }[] };
    expect(categories.find((c) => c.id === 'evt-env')?.parentId).toBeNull();
    expect(categories.find((c) => c.id === 'evt-env-exposed-waste')).toMatchObject({ parentId: 'evt-env', deadlineHours: 2 });
    expect((await send(supervisor, 'PUT', '/api/categories/evt-env-exposed-waste', { deadlineHours: 3 })).status).toBe(403);
    const res = await send(admin, 'PUT', '/api/categories/evt-env-exposed-waste', { deadlineHours: 3 });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { deadlineHours: number }).deadlineHours).toBe(3);
  });
});

describe('indicators and rankings', () => {
  /** Inserts a problem of the test category with the given times (China time) and fields. */
  async function fixture(fields: { owner?: number; grid?: number; status: string; reported: string; dispatched?: string; due?: string; closed?: string; rework?: number; blind?: boolean }) {
    const t = (s?: string) => (s ? `${s}+08:00` : null);
    await sql`INSERT INTO problems (category_id, status, geom, owner_org_id, grid_id, reported_at, dispatched_at, due_at, closed_at, rework_count, blind_spot)
      VALUES (${CATEGORY}, ${fields.status}, ST_SetSRID(ST_MakePoint(${one[0]}, ${one[1]}), 4326), ${fields.owner ?? null}, ${fields.grid ?? null},
              ${t(fields.reported)}::timestamptz, ${t(fields.dispatched)}::timestamptz, ${t(fields.due)}::timestamptz, ${t(fields.closed)}::timestamptz,
              ${fields.rework ?? 0}, ${fields.blind ?? false})`.execute(database.db);
  }

  it('computes closure, on-time closure, rework, handling time and blind spots for one owner and period', async () => {
    const org = (await sql<{ id: number }>`INSERT INTO organisations (name, kind) VALUES ('指标测试单位', 'company') RETURNING id`.execute(database.db)).rows[0]!.id;
    // in January 2030: A closed on time after 24 h with one rework; B closed late after 72 h; C still open; D void; E a blind spot without deadline
    await fixture({ owner: org, status: 'closed', reported: '2030-01-02T09:00', dispatched: '2030-01-03T10:00', due: '2030-01-05T10:00', closed: '2030-01-04T10:00', rework: 1 });
    await fixture({ owner: org, status: 'closed', reported: '2030-01-02T09:00', dispatched: '2030-01-05T00:00', due: '2030-01-06T00:00', closed: '2030-01-08T00:00' });
    await fixture({ owner: org, status: 'dispatched', reported: '2030-01-02T09:00', dispatched: '2030-01-06T09:00', due: '2030-01-07T09:00' });
    await fixture({ owner: org, status: 'void', reported: '2030-01-02T09:00', dispatched: '2030-01-06T09:00', due: '2030-01-07T09:00' });
    await fixture({ owner: org, status: 'reported', reported: '2030-01-02T09:00', blind: true });
    const res = await supervisor.request('/api/indicators?by=owner&from=2030-01-01&to=2030-01-14');
    expect(res.status).toBe(200);
    const row = ((await res.json()) as { rows: Record<string, number | null>[] }).rows.find((r) => r.id === org)!;
    expect(row).toMatchObject({
      due: 3, closed: 2, closedOnTime: 1, closedInPeriod: 2, reworked: 1, reported: 4, blindSpots: 1, disputed: 0,
      closureRate: 0.667, onTimeClosureRate: 0.333, reworkRate: 0.5, avgHandlingHours: 48,
    });
    expect((await supervisor.request('/api/indicators?by=owner&from=2030-01-14&to=2030-01-01')).status).toBe(400);
    expect((await supervisor.request('/api/indicators?by=planet&from=2030-01-01&to=2030-01-14')).status).toBe(400);
  });

  it('puts the communities with the best on-time closure on the red list and the worst on the black list', async () => {
    // one grid in each of three communities
    const grids = (await sql<{ id: number; community: number }>`
      SELECT DISTINCT ON (parent_id) id, parent_id AS community FROM territories WHERE level = 'grid' ORDER BY parent_id, id LIMIT 3`.execute(database.db)).rows;
    expect(grids).toHaveLength(3);
    // on time: 3 of 3, 2 of 3, 0 of 3 (February 2030)
    for (const [i, onTime] of [3, 2, 0].entries()) {
      for (let j = 0; j < 3; j++) {
        const late = j >= onTime;
        await fixture({ grid: grids[i]!.id, status: 'closed', reported: '2030-02-02T09:00', dispatched: '2030-02-03T09:00', due: '2030-02-05T09:00', closed: late ? '2030-02-06T09:00' : '2030-02-04T09:00' });
      }
    }
    const res = await viewer.request('/api/rankings/communities?period=2030-02-01&size=1&minDue=3');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ranked: { id: number; onTimeClosureRate: number }[]; red: { id: number }[]; black: { id: number }[] };
    expect(body.ranked.map((r) => r.id)).toEqual(grids.map((g) => g.community));
    expect(body.ranked.map((r) => r.onTimeClosureRate)).toEqual([1, 0.667, 0]);
    expect(body.red.map((r) => r.id)).toEqual([grids[0]!.community]);
    expect(body.black.map((r) => r.id)).toEqual([grids[2]!.community]);
  });
});

describe('photos', () => {
  /** Degrees as EXIF's rational degrees/minutes/seconds. */
  const dms = (v: number) => {
    const d = Math.floor(v);
    const m = Math.floor((v - d) * 60);
    const sec = ((v - d) * 60 - m) * 60;
    return `${d}/1 ${m}/1 ${Math.round(sec * 10000)}/10000`;
  };
  const jpeg = (width: number, height: number, at?: [number, number]) =>
    sharp({ create: { width, height, channels: 3, background: '#3a6' } })
      .jpeg()
      .withExif(at ? { IFD3: { GPSLatitudeRef: 'N', GPSLatitude: dms(at[1]), GPSLongitudeRef: 'E', GPSLongitude: dms(at[0]) } } : {})
      .toBuffer();
  const form = (fields: Record<string, string>, files: { name: string; bytes: Uint8Array; type?: string }[]) => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    for (const file of files) f.append('photos', new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type ?? 'image/jpeg' }), file.name);
    return f;
  };
  const upload = (client: TestApp, path: string, body: FormData) => client.request(path, { method: 'POST', body });

  it('takes a photo with the report, places the report by the photo’s GPS when no position is given, and serves a thumbnail', async () => {
    const photo = await jpeg(1600, 1200, one);
    const res = await upload(inspector, '/api/problems', form({ categoryId: CATEGORY, description: '拍照上报' }, [{ name: 'IMG_0001.jpg', bytes: photo }]));
    expect(res.status, await res.clone().text()).toBe(201);
    const p = (await res.json()) as Problem;
    expect(p.ownerOrgId).toBe(orgs.x); // placed in the owned square by the EXIF position
    expect(Math.abs(p.lon - one[0])).toBeLessThan(1e-5);
    const detail = (await (await supervisor.request(`/api/problems/${p.id}`)).json()) as { photos: { id: number; mime: string; size: number }[] };
    expect(detail.photos).toHaveLength(1);
    expect(detail.photos[0]).toMatchObject({ mime: 'image/jpeg' });
    const thumb = await supervisor.request(`/api/problems/${p.id}/photos/${detail.photos[0]!.id}?size=thumb`);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([320, 240]);
    // the original is stored re-encoded without its EXIF (issue 15): same size in pixels, no GPS in the bytes
    const full = Buffer.from(await (await supervisor.request(`/api/problems/${p.id}/photos/${detail.photos[0]!.id}`)).arrayBuffer());
    expect(detail.photos[0]!.size).toBe(full.byteLength);
    const stored = await sharp(full).metadata();
    expect([stored.format, stored.width, stored.height, stored.exif]).toEqual(['jpeg', 1600, 1200, undefined]);
  });

  it('refuses what is not a photo, whatever its name, and says why; nothing is saved', async () => {
    const count = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM problems`.execute(database.db)).rows[0]!.n);
    const before = await count();
    const fields = { categoryId: CATEGORY, lon: String(one[0]), lat: String(one[1]) };
    const cases: [string, Uint8Array, number, string][] = [
      ['page.jpg', new TextEncoder().encode('<html><script>alert(1)</script></html>'), 415, 'unsupported_file'],
      ['broken.jpg', (await jpeg(400, 300)).subarray(0, 200), 400, 'unreadable_image'],
      ['IMG_0002.HEIC', new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic'), 0, 0, 0, 0]), 415, 'heic_not_supported'],
      ['huge.jpg', new Uint8Array(11 * 1024 * 1024).fill(0xff), 413, 'file_too_large'],
    ];
    for (const [name, bytes, status, code] of cases) {
      const res = await upload(inspector, '/api/problems', form(fields, [{ name, bytes }]));
      expect(res.status, name).toBe(status);
      expect((await errorOf(res)).code).toBe(code);
    }
    const noPlace = await upload(inspector, '/api/problems', form({ categoryId: CATEGORY }, [{ name: 'nogps.jpg', bytes: await jpeg(100, 100) }]));
    expect(noPlace.status).toBe(400);
    expect((await errorOf(noPlace)).code).toBe('location_required');
    expect(await count()).toBe(before);
  });
});

describe('Open311 GeoReport v2', () => {
  // its own address: the citizen tests above used up the shared one's public writes
  const citizen = () => testApp(database, null, { trustProxy: true });
  const from = { 'x-forwarded-for': '198.51.100.7' };

  it('lists our minor categories as services, with their major class as group', async () => {
    const services = (await (await citizen().request('/open311/v2/services.json')).json()) as { service_code: string; group: string; type: string }[];
    expect(services.find((x) => x.service_code === 'evt-env-exposed-waste')).toMatchObject({ group: '市容环境', type: 'realtime' });
    expect(services.some((x) => x.service_code === 'evt-env')).toBe(false); // a major class is not a service
  });

  it('takes a form-encoded request, routes it like any report, and shows it open, then closed', async () => {
    const body = new URLSearchParams({ service_code: CATEGORY, lat: String(one[1]), long: String(one[0]), description: 'Open311 上报' });
    const res = await citizen().request('/open311/v2/requests.json', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...from }, body });
    expect(res.status, await res.clone().text()).toBe(201);
    const [created] = (await res.json()) as { service_request_id: string }[];
    const id = Number(created!.service_request_id);
    const read = async () => ((await (await citizen().request(`/open311/v2/requests/${id}.json`)).json()) as Record<string, unknown>[])[0]!;
    const xName = (await sql<{ name: string }>`SELECT name FROM organisations WHERE id = ${orgs.x}`.execute(database.db)).rows[0]!.name;
    expect(await read()).toMatchObject({ status: 'open', service_code: CATEGORY, agency_responsible: xName, description: 'Open311 上报' });
    await sql`UPDATE problems SET status = 'closed', closed_at = now() WHERE id = ${id}`.execute(database.db);
    expect((await read()).status).toBe('closed');
    const closed = (await (await citizen().request(`/open311/v2/requests.json?status=closed&service_code=${CATEGORY}`)).json()) as { service_request_id: string; status: string }[];
    expect(closed.map((r) => r.service_request_id)).toContain(String(id));
    expect(closed.every((r) => r.status === 'closed')).toBe(true);
  });

  it('refuses an unknown service, a missing position and an unknown request clearly', async () => {
    const post = (fields: Record<string, string>) =>
      citizen().request('/open311/v2/requests.json', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...from }, body: new URLSearchParams(fields) });
    expect((await post({ service_code: 'evt-no-such', lat: String(one[1]), long: String(one[0]) })).status).toBe(400);
    const missing = await post({ service_code: CATEGORY });
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).code).toBe('invalid_request');
    expect((await citizen().request('/open311/v2/requests/999999999.json')).status).toBe(404);
  });
});

describe('feedback with photos (反馈)', () => {
  const photo = (colour: string) => sharp({ create: { width: 640, height: 480, channels: 3, background: colour } }).jpeg().toBuffer();
  /** A transition as a multipart form: its fields and photos (field "photos"). */
  const formTransition = (client: TestApp, p: Problem, fields: Record<string, string>, files: { name: string; bytes: Uint8Array }[]) => {
    const body = new FormData();
    body.append('version', String(p.version));
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    for (const file of files) body.append('photos', new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), file.name);
    return client.request(`/api/problems/${p.id}/transitions`, { method: 'POST', body });
  };
  interface Detail extends Problem {
    timeline: { id: number; action: string; fromStatus: string | null; toStatus: string; actor: string; note: string | null }[];
    photos: { id: number; stage: string; eventId: number | null; size: number; createdBy: string | null }[];
  }
  const detail = async (p: Problem) => (await (await supervisor.request(`/api/problems/${p.id}`)).json()) as Detail;
  /** A problem of the handler's organisation, dispatched and started: ready for its feedback. */
  async function started(): Promise<Problem> {
    let p = await report(one);
    p = await step(supervisor, p, 'register');
    p = await step(supervisor, p, 'dispatch');
    p = await step(supervisor, p, 'transfer', { ownerOrgId: orgs.handler });
    return step(handler, p, 'start');
  }

  it('stores the photos sent with a feedback under that feedback, and serves their thumbnails', async () => {
    const p = await started();
    const bytes = [await photo('#2a6'), await photo('#a62')];
    const res = await formTransition(handler, p, { action: 'feedback', note: '已清理，附照片' }, bytes.map((b, i) => ({ name: `after-${i}.jpg`, bytes: b })));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as Problem).status).toBe('fed_back');
    const d = await detail(p);
    const feedback = d.timeline.find((e) => e.action === 'feedback')!;
    expect(feedback).toMatchObject({ toStatus: 'fed_back', note: '已清理，附照片' });
    expect(d.photos.map((x) => ({ stage: x.stage, eventId: x.eventId, createdBy: x.createdBy }))).toEqual(
      bytes.map(() => ({ stage: 'feedback', eventId: feedback.id, createdBy: 'handler' })),
    );
    // stored re-encoded without EXIF (issue 15): the same picture, its size the stored bytes'
    const full = Buffer.from(await (await supervisor.request(`/api/problems/${p.id}/photos/${d.photos[1]!.id}`)).arrayBuffer());
    expect(d.photos[1]!.size).toBe(full.byteLength);
    // '#a62' is rgb(170, 102, 34); a JPEG of one colour comes back within a few levels of it
    const { channels } = await sharp(full).stats();
    expect(channels.map((ch, i) => Math.abs(ch.mean - [170, 102, 34][i]!) < 8)).toEqual([true, true, true]);
    const thumb = await supervisor.request(`/api/problems/${p.id}/photos/${d.photos[0]!.id}?size=thumb`);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(320);
  });

  it('links a report’s photos to the report, and a second feedback’s photo (after rework) to the second feedback', async () => {
    const body = new FormData();
    for (const [k, v] of Object.entries({ categoryId: CATEGORY, lon: String(one[0]), lat: String(one[1]), description: '带照片上报' })) body.append(k, v);
    body.append('photos', new Blob([(await photo('#36a')) as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), 'before.jpg');
    const created = await inspector.request('/api/problems', { method: 'POST', body });
    expect(created.status).toBe(201);
    let p = (await created.json()) as Problem;
    p = await step(supervisor, p, 'register');
    p = await step(supervisor, p, 'dispatch');
    p = await step(supervisor, p, 'transfer', { ownerOrgId: orgs.handler });
    p = await step(handler, p, 'start');
    p = await step(handler, p, 'feedback', { note: '第一次反馈，无照片' }); // a feedback without photos stays allowed
    p = await step(inspector, p, 'return', { note: '未清理干净' });
    const second = await formTransition(handler, p, { action: 'feedback', note: '第二次反馈' }, [{ name: 'again.jpg', bytes: await photo('#6a3') }]);
    expect(second.status, await second.clone().text()).toBe(200);
    const d = await detail(p);
    const [reportEvent] = d.timeline;
    const feedbacks = d.timeline.filter((e) => e.action === 'feedback');
    expect(reportEvent!.action).toBe('report');
    expect(feedbacks).toHaveLength(2);
    expect(d.photos.map((x) => [x.stage, x.eventId])).toEqual([['report', reportEvent!.id], ['feedback', feedbacks[1]!.id]]);
  });

  it('takes a multipart transition without photos, and JSON as before', async () => {
    const p = await started();
    const res = await formTransition(handler, p, { action: 'feedback', note: '表单提交，无照片' }, []);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await detail(p)).photos).toEqual([]);
  });

  it('refuses photos with an action that takes none, a file that is not a photo, and a fifth photo; nothing changes', async () => {
    const p = await started();
    const jpeg = await photo('#999');
    const cases: [string, Record<string, string>, { name: string; bytes: Uint8Array }[], number, string][] = [
      ['photo with urge', { action: 'urge' }, [{ name: 'a.jpg', bytes: jpeg }], 400, 'photos_not_accepted'],
      ['not a photo', { action: 'feedback', note: '假照片' }, [{ name: 'a.jpg', bytes: new TextEncoder().encode('<html>not a photo</html>') }], 415, 'unsupported_file'],
      ['five photos', { action: 'feedback', note: '太多' }, Array.from({ length: 5 }, (_, i) => ({ name: `${i}.jpg`, bytes: jpeg })), 400, 'too_many_photos'],
      ['no note', { action: 'feedback' }, [{ name: 'a.jpg', bytes: jpeg }], 400, 'note_required'],
      ['a state that does not allow it', { action: 'close' }, [], 409, 'transition_not_allowed'],
    ];
    for (const [label, fields, files, status, code] of cases) {
      const res = await formTransition(supervisor, p, fields, files);
      expect(res.status, label).toBe(status);
      expect((await errorOf(res)).code, label).toBe(code);
    }
    const d = await detail(p);
    expect(d).toMatchObject({ status: 'in_progress', version: p.version });
    expect(d.photos).toEqual([]);
  });

  it('answers a photo sent with a stale version with 409 and stores nothing', async () => {
    const p = await started();
    const res = await formTransition(handler, { ...p, version: p.version - 1 }, { action: 'feedback', note: '旧版本' }, [{ name: 'a.jpg', bytes: await photo('#123') }]);
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe('version_conflict');
    expect((await detail(p)).photos).toEqual([]);
  });
});

describe('list filters for the problems workspace', () => {
  const list = async (query: string) => {
    const res = await supervisor.request(`/api/problems?category=${CATEGORY}&limit=500&${query}`);
    expect(res.status, query).toBe(200);
    return ((await res.json()) as { problems: Problem[]; next: number | null }).problems;
  };

  it('filters by the blind-spot and disputed flags', async () => {
    const blind = await report(none);
    const disputed = await report(two);
    const blindList = await list('blindSpot=true');
    expect(blindList.map((p) => p.id)).toContain(blind.id);
    expect(blindList.every((p) => p.blindSpot)).toBe(true);
    const disputedList = await list('disputed=true');
    expect(disputedList.map((p) => p.id)).toContain(disputed.id);
    expect(disputedList.map((p) => p.id)).not.toContain(blind.id);
    expect(disputedList.every((p) => p.disputed)).toBe(true);
    const neither = await list('blindSpot=false&disputed=false');
    expect(neither.some((p) => p.id === blind.id || p.id === disputed.id)).toBe(false);
    expect((await supervisor.request('/api/problems?blindSpot=yes')).status).toBe(400);
  });

  it('filters by warning colour: red once the working-hour deadline has passed, yellow from 80 %', async () => {
    const dispatchedAgo = async (interval: string) => {
      let p = await report(one);
      p = await step(supervisor, p, 'register');
      p = await step(supervisor, p, 'dispatch');
      await sql`UPDATE problems SET dispatched_at = now() - ${interval}::interval WHERE id = ${p.id}`.execute(database.db);
      return p;
    };
    // the test category's deadline is 4 working hours: two weeks ago is overdue whatever the calendar; just now is not yet yellow
    const late = await dispatchedAgo('14 days');
    const fresh = await dispatchedAgo('0 minutes');
    const red = await list('warning=red');
    expect(red.map((p) => p.id)).toContain(late.id);
    expect(red.map((p) => p.id)).not.toContain(fresh.id);
    expect(red.every((p) => p.warning === 'red')).toBe(true);
    const yellowOrRed = await list('warning=yellow,red');
    expect(yellowOrRed.every((p) => p.warning === 'yellow' || p.warning === 'red')).toBe(true);
    expect(yellowOrRed.map((p) => p.id)).not.toContain(fresh.id);
    const calm = await list('warning=none&status=dispatched');
    expect(calm.map((p) => p.id)).toContain(fresh.id);
    expect(calm.every((p) => p.warning === 'none')).toBe(true);
    // the CSV holds the same rows as the filtered list
    const csv = await supervisor.request(`/api/problems?category=${CATEGORY}&limit=500&warning=red&format=csv`);
    expect((await csv.text()).trim().split('\n')).toHaveLength(red.length + 1);
    expect((await supervisor.request('/api/problems?warning=orange')).status).toBe(400);
  });

  it('pages a warning-filtered list without skipping or repeating', async () => {
    const all = await list('warning=red');
    expect(all.length).toBeGreaterThanOrEqual(2);
    const first = await supervisor.request(`/api/problems?category=${CATEGORY}&warning=red&limit=1`);
    const page1 = (await first.json()) as { problems: Problem[]; next: number | null };
    expect(page1.problems.map((p) => p.id)).toEqual([all[0]!.id]);
    expect(page1.next).toBe(all[0]!.id);
    const page2 = (await (await supervisor.request(`/api/problems?category=${CATEGORY}&warning=red&limit=1&before=${page1.next}`)).json()) as { problems: Problem[] };
    expect(page2.problems.map((p) => p.id)).toEqual([all[1]!.id]);
  });
});
