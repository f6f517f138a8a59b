/**
 * The readiness board (GET /api/inspection/readiness) and the point edits it
 * makes (PATCH /api/inspection-points/:id), on a fixture built here: a strip
 * of eleven points at the equator, each wrong in exactly one way, with the
 * duty zones, problems, checks and checklists placed so that the expected
 * reasons follow from the geometry by hand (distances from the WGS84
 * formulas in support/geodesy.ts, not from PostGIS).
 */
import type { Database } from '@civgrid/db';
import { type RawBuilder, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';
import { meridianLength, parallelLength, rect } from '../support/geodesy.ts';

let database: Database;
let app: TestApp;

/** The strip is 0.05° × 0.01° (5.6 km × 1.1 km); every point lies on its middle line, 0.004° (445 m) from the next. */
const LAT = 0.005;
/** Degrees of latitude north of a point for a problem 150 m away (inside 200 m) and 250 m away (outside). */
const NEAR = 0.00135;
const FAR = 0.00226;
/** The fixture's own duties: one that must cover every place, and a pair of tiers that together must. */
const CLEAN = 'fx-clean';
const TIER_CITY = 'fx-tier-city';
const TIER_TOWN = 'fx-tier-town';
const TYPE = '夹具道路';
const TYPE_NO_CHECKLIST = '夹具无清单';

type Reason = { reason: string; duty?: string; count?: number; days?: number };
type Point = {
  pointId: number; code: string; name: string; pointType: string; street: { id: number; name: string } | null; community: { id: number; name: string } | null;
  group: { id: number; name: string } | null; visitOrder: number | null; lon: number; lat: number; version: number; ready: boolean; reasons: Reason[];
  peopleCount: number; leader: { id: number; name: string } | null; openProblems: number; overdueProblems: number; lastCheckedAt: string | null;
  daysSinceCheck: number | null; checklistItems: number;
};
type Board = {
  round: { id: number; name: string };
  radiusM: number;
  staleDays: number;
  summary: { points: number; ready: number; notReady: number; reasons: Record<string, number>; streets: { id: number | null; name: string | null; points: number; ready: number }[] };
  duties: Record<string, { nameZh: string; nameEn: string }>;
  points: Point[];
};

const fx = {
  round: 0, otherRound: 0, groups: [0, 0], streets: [0, 0], leader: 0, person: 0, person2: 0, department: 0,
  points: {} as Record<string, number>,
};

/** The points, west to east: x in degrees, what is wrong with it, and the group it is in (null: none). */
const POINTS: { key: string; x: number; group: 0 | 1 | null; type?: string; noLeader?: boolean; noPeople?: boolean; check?: 'today' | 'never' | 'stale' }[] = [
  { key: 'ready', x: 0.002, group: 0 },
  { key: 'noPeople', x: 0.006, group: 0, noPeople: true },
  { key: 'noLeader', x: 0.01, group: 0, noLeader: true },
  { key: 'overdue', x: 0.014, group: 0 },
  { key: 'overdueOutside', x: 0.018, group: 0 },
  { key: 'never', x: 0.022, group: 1, check: 'never' },
  { key: 'stale', x: 0.026, group: 1, check: 'stale' },
  { key: 'noChecklist', x: 0.03, group: 1, type: TYPE_NO_CHECKLIST },
  { key: 'unassigned', x: 0.034, group: null },
  { key: 'overlap', x: 0.041, group: 1 },
  { key: 'gap', x: 0.047, group: 1 },
];

async function one<T>(query: RawBuilder<T>): Promise<T> {
  return (await query.execute(database.db)).rows[0] as T;
}
const pointWkt = (x: number, y = LAT) => `POINT(${x} ${y})`;

async function board(query = ''): Promise<Board> {
  const res = await app.request(`/api/inspection/readiness?round=${fx.round}${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Board;
}
const byKey = (b: Board, key: string) => {
  const p = b.points.find((row) => row.pointId === fx.points[key]);
  if (!p) throw new Error(`${key} is not on the board`);
  return p;
};
/** One signed-in app per account, signed in once. */
const accounts = new Map<string, TestApp>();
const as = (username: string) => {
  if (!accounts.has(username)) accounts.set(username, app.as(username));
  return accounts.get(username)!;
};
const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  database = await freshDatabase();
  app = testApp(database, 'viewer');
  const db = database.db;

  // The demo's duties lie 110° away and contain none of these points; as partial duties they would only
  // count where two of their zones overlap, which none does here. The fixture's duties are its own.
  await sql`UPDATE duty_types SET coverage = 'partial', coverage_group = NULL`.execute(db);
  await sql`INSERT INTO duty_types (id, name_zh, name_en, coverage, coverage_group, sort) VALUES
    (${CLEAN}, '夹具保洁', 'Fixture cleaning', 'full', NULL, 900),
    (${TIER_CITY}, '夹具市级', 'Fixture city tier', 'full', 'fx-tier', 901),
    (${TIER_TOWN}, '夹具镇级', 'Fixture town tier', 'full', 'fx-tier', 902)`.execute(db);

  // Two streets (west and east half) of the demo district, so that its district-wide accounts may edit the points.
  const district = await one(sql<{ id: number; code: string }>`SELECT id, code FROM territories WHERE level = 'district' ORDER BY id LIMIT 1`);
  for (const [i, [x0, x1]] of [[0, 0.025], [0.025, 0.05]].entries()) {
    const street = await one(sql<{ id: number }>`
      INSERT INTO territories (level, code, name, parent_id, geom)
      VALUES ('street', ${`${district.code}09${i + 1}`}, ${`夹具街道${i + 1}`}, ${district.id}, ST_Multi(ST_GeomFromText(${rect(x0!, 0, x1!, 0.01)}, 4326)))
      RETURNING id`);
    fx.streets[i] = street.id;
    await sql`INSERT INTO territories (level, code, name, parent_id, geom)
      VALUES ('community', ${`${district.code}09${i + 1}001`}, ${`夹具社区${i + 1}`}, ${street.id}, ST_Multi(ST_GeomFromText(${rect(x0!, 0, x1!, 0.01)}, 4326)))`.execute(db);
  }

  const org = async (name: string, kind: string) => (await one(sql<{ id: number }>`INSERT INTO organisations (name, kind) VALUES (${name}, ${kind}) RETURNING id`)).id;
  const orgA = await org('夹具单位甲', 'other');
  const orgB = await org('夹具单位乙', 'other');
  const leadership = await org('夹具领导', 'leadership');
  fx.department = await org('夹具部门', 'department');
  const person = async (name: string, organisation: number) =>
    (await one(sql<{ id: number }>`INSERT INTO people (name, phone, organisation_id) VALUES (${name}, '13800000000', ${organisation}) RETURNING id`)).id;
  fx.leader = await person('夹具领导甲', leadership);
  fx.person = await person('夹具责任人甲', fx.department);
  fx.person2 = await person('夹具责任人乙', fx.department);

  // fx-clean: one zone over x ∈ [0, 0.045] (the gap point at 0.047 is outside it) and a second owner's
  // zone over [0.040, 0.0425] (the overlap point at 0.041 is in both). The tiers split the strip at 0.02.
  const zone = (duty: string, owner: number, wkt: string) =>
    sql`INSERT INTO zones (duty_type_id, name, owner_org_id, geom) VALUES (${duty}, ${duty}, ${owner}, ST_Multi(ST_GeomFromText(${wkt}, 4326)))`.execute(db);
  await zone(CLEAN, orgA, rect(0, 0, 0.045, 0.01));
  await zone(CLEAN, orgB, rect(0.04, 0, 0.0425, 0.01));
  await zone(TIER_CITY, orgA, rect(0, 0, 0.02, 0.01));
  await zone(TIER_TOWN, orgB, rect(0.02, 0, 0.05, 0.01));

  // Checklists: two active items for the fixture's road type; the other type has only a retired one.
  await sql`INSERT INTO checklist_items (point_type, code, section, label, label_en, sort, active) VALUES
    (${TYPE}, 'fx-1', '环境卫生', '路面干净', 'Clean pavement', 1, true),
    (${TYPE}, 'fx-2', '秩序', '无占道经营', 'No street stalls', 2, true),
    (${TYPE}, 'fx-3', '秩序', '已停用', 'Retired', 3, false),
    (${TYPE_NO_CHECKLIST}, 'fx-1', '环境卫生', '已停用', 'Retired', 1, false)`.execute(db);

  fx.round = (await one(sql<{ id: number }>`
    INSERT INTO inspection_rounds (name, starts_on, ends_on) VALUES ('夹具轮次', '2026-11-01', '2026-11-30') RETURNING id`)).id;
  fx.otherRound = (await one(sql<{ id: number }>`
    INSERT INTO inspection_rounds (name, starts_on, ends_on) VALUES ('另一轮', '2026-10-01', '2026-10-31') RETURNING id`)).id;
  for (const i of [0, 1]) {
    fx.groups[i] = (await one(sql<{ id: number }>`
      INSERT INTO inspection_groups (round_id, name, sort) VALUES (${fx.round}, ${`夹具第${i + 1}组`}, ${i}) RETURNING id`)).id;
  }

  for (const [i, p] of POINTS.entries()) {
    const community = await one(sql<{ id: number }>`
      SELECT id FROM territories WHERE level = 'community' AND ST_Intersects(geom, ST_GeomFromText(${pointWkt(p.x)}, 4326)) ORDER BY id LIMIT 1`);
    const id = (await one(sql<{ id: number }>`
      INSERT INTO inspection_points (code, name, point_type, territory_id, leader_person_id, department_org_id, geom)
      VALUES (${`FX-${String(i + 1).padStart(2, '0')}`}, ${`夹具点${p.key}`}, ${p.type ?? TYPE}, ${community.id},
              ${p.noLeader ? null : fx.leader}, ${fx.department}, ST_GeomFromText(${pointWkt(p.x)}, 4326))
      RETURNING id`)).id;
    fx.points[p.key] = id;
    if (!p.noPeople) await sql`INSERT INTO inspection_point_people (point_id, person_id, sort) VALUES (${id}, ${fx.person}, 0)`.execute(db);
    await sql`INSERT INTO inspection_round_points (round_id, point_id, group_id, visit_order)
      VALUES (${fx.round}, ${id}, ${p.group === null ? null : fx.groups[p.group]}, ${p.group === null ? null : i + 1})`.execute(db);
    const check = (ago: string, round = fx.round) => sql`
      INSERT INTO inspection_checks (round_id, point_id, checked_at, score, max_score)
      VALUES (${round}, ${id}, now() - ${ago}::interval, 20, 20)`.execute(db);
    if (p.check === 'stale') {
      await check('20 days', fx.otherRound);
      await check('10 days');
    } else if (p.check !== 'never') {
      await check('1 hour');
    }
  }
  // A point outside the round is not on its board.
  await sql`INSERT INTO inspection_points (code, name, point_type, geom) VALUES ('FX-99', '夹具轮外点', ${TYPE}, ST_GeomFromText(${pointWkt(0.038)}, 4326))`.execute(db);

  // Problems: an overdue one 150 m north of `overdue`, with a closed and a voided overdue one beside it
  // (neither counts); an overdue one 250 m north of `overdueOutside`; an open one not yet due 150 m from `ready`.
  const problem = (x: number, dy: number, status: string, due: string) => sql`
    INSERT INTO problems (category_id, status, geom, due_at)
    VALUES ('evt-env-exposed-waste', ${status}, ST_GeomFromText(${pointWkt(x, LAT + dy)}, 4326), now() + ${due}::interval)`.execute(db);
  await problem(0.014, NEAR, 'dispatched', '-1 day');
  await problem(0.014, NEAR, 'closed', '-1 day');
  await problem(0.014, NEAR, 'void', '-1 day');
  await problem(0.018, FAR, 'in_progress', '-2 days');
  await problem(0.002, NEAR, 'dispatched', '1 day');
});
afterAll(async () => {
  await database?.close();
});

describe('the fixture', () => {
  it('puts the problems where the reasons need them, by the ellipsoid', () => {
    expect(meridianLength(LAT, LAT + NEAR)).toBeGreaterThan(140);
    expect(meridianLength(LAT, LAT + NEAR)).toBeLessThan(200);
    expect(meridianLength(LAT, LAT + FAR)).toBeGreaterThan(200);
    expect(meridianLength(LAT, LAT + FAR)).toBeLessThan(300);
    // neighbouring points are further apart than the radius plus the farthest problem's offset
    expect(parallelLength(0.004, LAT)).toBeGreaterThan(440);
  });
});

describe('GET /api/inspection/readiness', () => {
  it('gives each point exactly the reasons it was built with', async () => {
    const b = await board();
    expect(b.round).toEqual({ id: fx.round, name: '夹具轮次' });
    expect(b.radiusM).toBe(200);
    expect(b.staleDays).toBe(7);
    expect(b.points.map((p) => p.code)).toEqual(POINTS.map((_, i) => `FX-${String(i + 1).padStart(2, '0')}`));
    const reasons = Object.fromEntries(POINTS.map((p) => [p.key, byKey(b, p.key).reasons]));
    expect(reasons).toEqual({
      ready: [],
      noPeople: [{ reason: 'no_people' }],
      noLeader: [{ reason: 'no_leader' }],
      overdue: [{ reason: 'overdue_problems', count: 1 }],
      overdueOutside: [],
      never: [{ reason: 'never_checked' }],
      stale: [{ reason: 'check_stale', days: 10 }],
      noChecklist: [{ reason: 'no_checklist' }],
      unassigned: [{ reason: 'unassigned' }],
      overlap: [{ reason: 'several_owners', duty: CLEAN }],
      gap: [{ reason: 'no_owner', duty: CLEAN }],
    });
    for (const p of POINTS) expect(byKey(b, p.key).ready, p.key).toBe(reasons[p.key]!.length === 0);
  });

  it('counts open problems nearby without holding a ready point back', async () => {
    const b = await board();
    const ready = byKey(b, 'ready');
    expect(ready).toMatchObject({ ready: true, openProblems: 1, overdueProblems: 0 });
    // the closed and the voided problem beside `overdue` count for nothing
    expect(byKey(b, 'overdue')).toMatchObject({ openProblems: 1, overdueProblems: 1 });
    expect(byKey(b, 'overdueOutside')).toMatchObject({ openProblems: 0, overdueProblems: 0 });
  });

  it('describes each point: place, group, people, checks, checklist', async () => {
    const b = await board();
    const ready = byKey(b, 'ready');
    expect(ready).toMatchObject({
      name: '夹具点ready', pointType: TYPE, street: { id: fx.streets[0], name: '夹具街道1' }, community: { name: '夹具社区1' },
      group: { id: fx.groups[0], name: '夹具第1组' }, visitOrder: 1, version: 1, peopleCount: 1,
      leader: { id: fx.leader, name: '夹具领导甲' }, daysSinceCheck: 0, checklistItems: 2,
    });
    expect(ready.lon).toBeCloseTo(0.002, 9);
    expect(ready.lat).toBeCloseTo(LAT, 9);
    expect(Date.now() - Date.parse(ready.lastCheckedAt!)).toBeGreaterThan(3_000_000);
    expect(Date.now() - Date.parse(ready.lastCheckedAt!)).toBeLessThan(86_400_000);
    // the latest check counts, whichever round it was made in
    expect(byKey(b, 'stale').daysSinceCheck).toBe(10);
    expect(byKey(b, 'never')).toMatchObject({ lastCheckedAt: null, daysSinceCheck: null });
    expect(byKey(b, 'noChecklist').checklistItems).toBe(0);
    expect(byKey(b, 'unassigned')).toMatchObject({ group: null, visitOrder: null });
    expect(b.duties[CLEAN]).toEqual({ nameZh: '夹具保洁', nameEn: 'Fixture cleaning' });
    expect(b.duties['fx-tier']).toEqual({ nameZh: '夹具市级/夹具镇级', nameEn: 'Fixture city tier / Fixture town tier' });
  });

  it('sums up the district and each street', async () => {
    const { summary } = await board();
    expect(summary).toMatchObject({ points: 11, ready: 2, notReady: 9 });
    expect(summary.reasons).toEqual({
      no_leader: 1, no_department: 0, no_people: 1, no_owner: 1, several_owners: 1, overdue_problems: 1,
      never_checked: 1, check_stale: 1, no_checklist: 1, unassigned: 1,
    });
    // west street: x < 0.025 (ready … never), east street: the rest
    expect(summary.streets).toEqual([
      { id: fx.streets[0], name: '夹具街道1', points: 6, ready: 2 },
      { id: fx.streets[1], name: '夹具街道2', points: 5, ready: 0 },
    ]);
  });

  it('takes the radius and the days a check stays fresh', async () => {
    const wide = await board('&radius=300');
    expect(wide.radiusM).toBe(300);
    expect(byKey(wide, 'overdueOutside').reasons).toEqual([{ reason: 'overdue_problems', count: 1 }]);
    const lenient = await board('&staleDays=14');
    expect(byKey(lenient, 'stale')).toMatchObject({ ready: true, reasons: [] });
    const strict = await board('&staleDays=9');
    expect(byKey(strict, 'stale').reasons).toEqual([{ reason: 'check_stale', days: 10 }]);
  });

  it('filters by group, street, type and readiness', async () => {
    const group = await board(`&group=${fx.groups[0]}`);
    expect(group.points.map((p) => p.pointId)).toEqual(['ready', 'noPeople', 'noLeader', 'overdue', 'overdueOutside'].map((k) => fx.points[k]));
    expect(group.summary).toMatchObject({ points: 5, ready: 2 });
    expect((await board('&group=none')).points.map((p) => p.pointId)).toEqual([fx.points.unassigned]);
    const street = await board(`&street=${fx.streets[1]}`);
    expect(street.points.map((p) => p.pointId)).toEqual(['stale', 'noChecklist', 'unassigned', 'overlap', 'gap'].map((k) => fx.points[k]));
    expect(street.summary.streets).toEqual([{ id: fx.streets[1], name: '夹具街道2', points: 5, ready: 0 }]);
    const type = await board(`&type=${encodeURIComponent(TYPE_NO_CHECKLIST)}`);
    expect(type.points.map((p) => p.pointId)).toEqual([fx.points.noChecklist]);
    // readiness narrows the list, not the summary
    const ready = await board('&ready=true');
    expect(ready.points.map((p) => p.pointId)).toEqual([fx.points.ready, fx.points.overdueOutside]);
    expect(ready.summary).toMatchObject({ points: 11, ready: 2, notReady: 9 });
    const notReady = await board(`&ready=false&street=${fx.streets[0]}`);
    expect(notReady.points.map((p) => p.pointId)).toEqual(['noPeople', 'noLeader', 'overdue', 'never'].map((k) => fx.points[k]));
  });

  it('exports one CSV row per point with the reasons in Chinese', async () => {
    const res = await app.request(`/api/inspection/readiness?round=${fx.round}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const bytes = new Uint8Array(await res.arrayBuffer());
    // a UTF-8 byte-order mark, so that Excel reads the Chinese right (the decoder below drops it)
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 11);
    expect(lines[0]!.split(',').slice(0, 9)).toEqual(['code', 'name', 'pointType', 'street', 'community', 'group', 'visitOrder', 'ready', 'reasons']);
    const row = (code: string) => lines.find((l) => l.startsWith(`${code},`))!.split(',');
    expect(row('FX-01').slice(7, 9)).toEqual(['是', '']);
    expect(row('FX-02').slice(7, 9)).toEqual(['否', '缺责任人']);
    expect(row('FX-06')[8]).toBe('从未检查');
    expect(row('FX-07')[8]).toBe('10天未检查');
    expect(row('FX-10')[8]).toBe('夹具保洁多头管理');
    expect(row('FX-11')[8]).toBe('夹具保洁无责任单位');
    // the filters apply to the download too
    const filtered = await (await app.request(`/api/inspection/readiness?round=${fx.round}&format=csv&ready=false&street=${fx.streets[0]}`)).text();
    expect(filtered.trimEnd().split('\r\n')).toHaveLength(1 + 4);
  });

  it('refuses a missing round (400), an unknown one (404) and bad filters (400)', async () => {
    const missing = await app.request('/api/inspection/readiness');
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).code).toBe('invalid_request');
    const unknown = await app.request('/api/inspection/readiness?round=999999');
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe('round_not_found');
    for (const query of ['round=abc', `round=${fx.round}&radius=-5`, `round=${fx.round}&radius=1e9`, `round=${fx.round}&staleDays=0`,
      `round=${fx.round}&ready=maybe`, `round=${fx.round}&group=x`, `round=${fx.round}&format=xml`]) {
      const res = await app.request(`/api/inspection/readiness?${query}`);
      expect(res.status, query).toBe(400);
      await errorOf(res);
    }
    expect((await app.as(null).request(`/api/inspection/readiness?round=${fx.round}`)).status).toBe(401);
  });
});

describe('PATCH /api/inspection-points/:id', () => {
  const supervisor = () => as('supervisor');

  it('fixes the missing people: the reason goes away and the version moves on', async () => {
    const id = fx.points.noPeople!;
    const res = await supervisor().request(`/api/inspection-points/${id}`, json('PATCH', { version: 1, peopleIds: [fx.person2, fx.person] }));
    expect(res.status, await res.clone().text()).toBe(200);
    const point = (await res.json()) as { version: number; people: { id: number; name: string }[] };
    expect(point.version).toBe(2);
    expect(point.people.map((p) => p.id)).toEqual([fx.person2, fx.person]);
    const row = byKey(await board(), 'noPeople');
    expect(row).toMatchObject({ ready: true, reasons: [], version: 2, peopleCount: 2 });
    const stored = (await sql<{ version: number; fresh: boolean }>`
      SELECT version, updated_at > now() - interval '1 minute' AS fresh FROM inspection_points WHERE id = ${id}`.execute(database.db)).rows[0]!;
    expect(stored).toEqual({ version: 2, fresh: true });
  });

  it('sets the leader, and audits the point before and after', async () => {
    const id = fx.points.noLeader!;
    const res = await supervisor().request(`/api/inspection-points/${id}`, json('PATCH', { version: 1, leaderPersonId: fx.leader, address: '夹具路1号' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: 2, address: '夹具路1号', leader: { id: fx.leader, name: '夹具领导甲' } });
    expect(byKey(await board(), 'noLeader').reasons).toEqual([]);
    const audit = (await sql<{ action: string; actor: string; before: unknown; after: unknown }>`
      SELECT action, actor, before, after FROM audit_log WHERE entity = 'inspection_point' AND entity_id = ${String(id)} ORDER BY id DESC LIMIT 1`.execute(database.db)).rows[0]!;
    const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as { leader: unknown; version: number; address: string | null };
    expect(audit.action).toBe('update');
    expect(audit.actor).toBe('supervisor');
    expect(parse(audit.before)).toMatchObject({ leader: null, version: 1, address: null });
    expect(parse(audit.after)).toMatchObject({ leader: { id: fx.leader, name: '夹具领导甲' }, version: 2, address: '夹具路1号' });
  });

  it('answers a stale version with 409 and the point as it is now', async () => {
    const id = fx.points.ready!;
    const first = await supervisor().request(`/api/inspection-points/${id}`, json('PATCH', { version: 1, name: '夹具点ready（改）' }));
    expect(first.status).toBe(200);
    const stale = await supervisor().request(`/api/inspection-points/${id}`, json('PATCH', { version: 1, peopleIds: [] }));
    expect(stale.status).toBe(409);
    const error = await errorOf(stale);
    expect(error.code).toBe('version_conflict');
    expect(error.details).toMatchObject({ current: { id, version: 2, name: '夹具点ready（改）', people: [{ id: fx.person }] } });
    // nothing of the stale change was written
    expect(byKey(await board(), 'ready')).toMatchObject({ peopleCount: 1, version: 2, ready: true });
  });

  it('refuses people and organisations that do not exist (422), and changes nothing', async () => {
    const id = fx.points.gap!;
    const person = await supervisor().request(`/api/inspection-points/${id}`, json('PATCH', { version: 1, peopleIds: [fx.person, 987654] }));
    expect(person.status).toBe(422);
    expect(await errorOf(person)).toMatchObject({ code: 'unknown_person', details: { ids: [987654] } });
    const leader = await supervisor().request(`/api/inspection-points/${id}`, json('PATCH', { version: 1, leaderPersonId: 987655 }));
    expect(leader.status).toBe(422);
    expect((await errorOf(leader)).code).toBe('unknown_person');
    const org = await supervisor().request(`/api/inspection-points/${id}`, json('PATCH', { version: 1, departmentOrgId: 987656 }));
    expect(org.status).toBe(422);
    expect((await errorOf(org)).code).toBe('unknown_organisation');
    expect(byKey(await board(), 'gap')).toMatchObject({ version: 1, peopleCount: 1 });
  });

  it('refuses bad bodies (400), unknown points (404), other roles (403) and places outside the scope (403)', async () => {
    const id = fx.points.overlap!;
    for (const body of [{}, { version: 1 }, { version: 0, name: 'x' }, { version: 1, peopleIds: [fx.person, fx.person] }, { version: 1, name: '' },
      { version: 1, peopleIds: 'x' }, { version: 1, leaderPersonId: -1 }, { version: 1, geometry: null }]) {
      const res = await supervisor().request(`/api/inspection-points/${id}`, json('PATCH', body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      await errorOf(res);
    }
    const unknown = await supervisor().request('/api/inspection-points/999999', json('PATCH', { version: 1, name: 'x' }));
    expect(unknown.status).toBe(404);
    expect((await as('viewer').request(`/api/inspection-points/${id}`, json('PATCH', { version: 1, name: 'x' }))).status).toBe(403);
    expect((await as('inspector').request(`/api/inspection-points/${id}`, json('PATCH', { version: 1, name: 'x' }))).status).toBe(403);
    // the demo planner's scope is the district's first street, not the fixture's
    const planner = await as('planner').request(`/api/inspection-points/${id}`, json('PATCH', { version: 1, name: 'x' }));
    expect(planner.status).toBe(403);
    expect((await errorOf(planner)).code).toBe('out_of_scope');
    expect(byKey(await board(), 'overlap').version).toBe(1);
  });

  it('clears the leader and department with null', async () => {
    const id = fx.points.unassigned!;
    const res = await as('admin').request(`/api/inspection-points/${id}`, json('PATCH', { version: 1, leaderPersonId: null, departmentOrgId: null }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ leader: null, department: null, version: 2 });
    expect(byKey(await board(), 'unassigned').reasons).toEqual([{ reason: 'no_leader' }, { reason: 'no_department' }, { reason: 'unassigned' }]);
  });
});
