/**
 * Checklists, checks and scores of inspection rounds (issue 8) on the server:
 * a check is stored once whatever the retries (Idempotency-Key), refused for
 * the wrong round, group, member, item or a closed round, files problems for
 * its failed items routed like any report (with their photos), and is stored
 * and flagged — never refused, never overwriting — when the point changed
 * meanwhile or was checked already. Scores follow the rule in
 * server/src/services/inspection-score.ts on numbers computed by hand.
 *
 * The rounds and groups are rows of this file's own (the round API is
 * another part of the issue); the checklists are the demo's, and the scores
 * use a point type of this file's own with items of 10, 10, 20, 5 and 5 points.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

const TYPES = ['主次干道', '背街小巷', '农贸市场', '居民小区', '学校周边', '公园广场', '车站', '医院', '公共厕所', '商业大街'];
const SECTIONS = ['环境卫生', '秩序', '公益广告', '设施', '食品安全', '消防'];
const TEST_TYPE = '测试点位';

let database: Database;
let admin: TestApp;
let supervisor: TestApp;
let inspector: TestApp;
let viewer: TestApp;

interface Item {
  id: number;
  code: string;
  section: string;
  label: string;
  labelEn: string;
  points: number;
  categoryId: string | null;
}
interface Check {
  id: number;
  roundId: number;
  groupId: number;
  pointId: number;
  userId: number;
  checkedAt: string;
  score: number;
  maxScore: number;
  note: string | null;
  items: { itemId: number; result: string; note: string | null; problemId: number | null }[];
  photos: { id: number; itemId: number | null }[];
  conflict: null | { reasons: string[]; serverPointVersion: number; otherCheckIds: number[] };
}
interface Answer {
  check: Check;
  problems: { id: number; itemId: number; categoryId: string }[];
}
interface Problem {
  id: number;
  categoryId: string;
  source: string;
  description: string;
  lon: number;
  lat: number;
  ownerOrgId: number | null;
  blindSpot: boolean;
  disputed: boolean;
  photos: { id: number; mime: string; size: number }[];
}
interface Point {
  id: number;
  lon: number;
  lat: number;
  version: number;
}

/** The demo checklist of the main roads, by code. */
let road: Map<string, Item>;
let fx: {
  inspectorId: number;
  roundA: number; groupA1: number; groupA2: number;
  roundB: number; groupB1: number;
  closed: number; groupC1: number;
  /** Main-road points in round A, assigned to group A1; `routed` has exactly one owner per duty. */
  routed: Point; photos: Point; changed: Point; twice: Point; moved: Point; near: Point; pair: Point;
  /** A point of round B only. */
  elsewhere: Point;
};

const send = (client: TestApp, body: unknown, key: string | null = randomUUID()) =>
  client.request('/api/inspection/checks', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
  });
async function submit(client: TestApp, body: unknown, key?: string): Promise<Answer> {
  const res = await send(client, body, key);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Answer;
}
const get = async <T>(client: TestApp, path: string): Promise<T> => {
  const res = await client.request(path);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
};
const one = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(database.db)).rows[0] as T;
const count = async (query: ReturnType<typeof sql<{ n: number }>>) => Number((await one(query)).n);

/** A check of a round-A point by group A1 (the inspector's group). */
const checkOf = (point: Point, items: { code: string; result: string; note?: string }[], extra: Record<string, unknown> = {}) => ({
  roundId: fx.roundA,
  groupId: fx.groupA1,
  pointId: point.id,
  checkedAt: '2025-11-20T09:30:00+08:00',
  pointVersion: point.version,
  items: items.map((i) => ({ itemId: road.get(i.code)!.id, result: i.result, ...(i.note && { note: i.note }) })),
  ...extra,
});

async function insertRound(name: string, status: string, weight = 1): Promise<number> {
  return (await one(sql<{ id: number }>`
    INSERT INTO inspection_rounds (name, starts_on, ends_on, weight, status) VALUES (${name}, '2025-11-01', '2025-11-30', ${weight}, ${status}) RETURNING id`)).id;
}
async function insertGroup(round: number, name: string, members: number[] = []): Promise<number> {
  const id = (await one(sql<{ id: number }>`INSERT INTO inspection_groups (round_id, name) VALUES (${round}, ${name}) RETURNING id`)).id;
  for (const user of members) await sql`INSERT INTO inspection_group_members (group_id, user_id) VALUES (${id}, ${user})`.execute(database.db);
  return id;
}
async function addPoints(round: number, group: number | null, points: number[]): Promise<void> {
  for (const [i, point] of points.entries()) {
    await sql`INSERT INTO inspection_round_points (round_id, point_id, group_id, visit_order) VALUES (${round}, ${point}, ${group}, ${i + 1})`.execute(database.db);
  }
}

/** Who owns the category's duty at a place, as GET /api/responsibility tells it (the sanitation tiers count as one duty). */
async function ownersAt(lon: number, lat: number, duties: string[]): Promise<number[]> {
  const answer = await get<{ duties: { duty: { id: string }; owners: { organisation: { id: number } }[] }[] }>(viewer, `/api/responsibility?lon=${lon}&lat=${lat}`);
  const ids = answer.duties.filter((d) => duties.includes(d.duty.id)).flatMap((d) => d.owners.map((o) => o.organisation.id));
  return [...new Set(ids)];
}

const jpeg = (colour: string) => sharp({ create: { width: 800, height: 600, channels: 3, background: colour } }).jpeg().toBuffer();

beforeAll(async () => {
  database = await freshDatabase();
  admin = testApp(database, 'admin', { rateLimits: { loginPerIp: { max: 1000, windowSeconds: 60 }, loginPerUser: { max: 1000, windowSeconds: 60 }, publicPerIp: { max: 20, windowSeconds: 60 } } });
  supervisor = admin.as('supervisor');
  inspector = admin.as('inspector');
  viewer = admin.as('viewer');
  const inspectorId = (await one(sql<{ id: number }>`SELECT id FROM users WHERE username = 'inspector'`)).id;

  const lists = await get<{ types: { pointType: string; items: Item[] }[] }>(viewer, '/api/inspection/checklists?type=主次干道');
  road = new Map(lists.types[0]!.items.map((i) => [i.code, i]));

  // main-road points; the routed one has exactly one street-order owner and one sanitation owner
  const roads = (await sql<Point>`
    SELECT id, ST_X(geom)::float8 AS lon, ST_Y(geom)::float8 AS lat, version FROM inspection_points WHERE point_type = '主次干道' ORDER BY code`.execute(database.db)).rows;
  let routed: Point | undefined;
  for (const p of roads) {
    const order = await ownersAt(p.lon, p.lat, ['city-order']);
    const sanitation = await ownersAt(p.lon, p.lat, ['sanitation-city', 'sanitation-town']);
    if (order.length === 1 && sanitation.length === 1) {
      routed = p;
      break;
    }
  }
  if (!routed) throw new Error('no main-road point with one owner per duty in the demo');
  const others = roads.filter((p) => p.id !== routed!.id);
  const lane = (await one(sql<Point>`SELECT id, ST_X(geom)::float8 AS lon, ST_Y(geom)::float8 AS lat, version FROM inspection_points WHERE point_type = '背街小巷' ORDER BY code LIMIT 1`));

  const roundA = await insertRound('第一轮测评', 'active');
  const groupA1 = await insertGroup(roundA, '第1组', [inspectorId]);
  const groupA2 = await insertGroup(roundA, '第2组');
  const roundB = await insertRound('另一轮', 'active');
  const groupB1 = await insertGroup(roundB, '第1组', [inspectorId]);
  const closed = await insertRound('已结束的一轮', 'closed');
  const groupC1 = await insertGroup(closed, '第1组', [inspectorId]);
  const [photos, changed, twice, moved, near, pair] = others as [Point, Point, Point, Point, Point, Point];
  await addPoints(roundA, groupA1, [routed.id, photos.id, changed.id, twice.id, moved.id, near.id, pair.id]);
  await addPoints(roundB, groupB1, [lane.id]);
  await addPoints(closed, groupC1, [routed.id]);
  fx = { inspectorId, roundA, groupA1, groupA2, roundB, groupB1, closed, groupC1, routed, photos, changed, twice, moved, near, pair, elsewhere: lane };
});
afterAll(async () => {
  await database?.close();
});

describe('checklists', () => {
  it('has 6 to 10 items for every point type, in the assessment sections, each failure filing a minor category or none', async () => {
    const { types } = await get<{ types: { pointType: string; items: Item[] }[] }>(viewer, '/api/inspection/checklists');
    const { categories } = await get<{ categories: { id: string; parentId: string | null }[] }>(viewer, '/api/categories');
    const minors = new Set(categories.filter((c) => c.parentId !== null).map((c) => c.id));
    expect(types.map((t) => t.pointType).sort()).toEqual([...TYPES].sort());
    for (const { pointType, items } of types) {
      expect(items.length, pointType).toBeGreaterThanOrEqual(6);
      expect(items.length, pointType).toBeLessThanOrEqual(10);
      expect(new Set(items.map((i) => i.code)).size, pointType).toBe(items.length);
      for (const item of items) {
        expect(SECTIONS, `${pointType} ${item.code}`).toContain(item.section);
        expect(item.label).toMatch(/\p{Script=Han}/u);
        expect(item.labelEn).toMatch(/^[A-Z]/);
        expect(item.points).toBeGreaterThan(0);
        if (item.categoryId !== null) expect(minors, `${pointType} ${item.code}`).toContain(item.categoryId);
      }
      // cleanliness and public-service posters are assessed at every kind of point
      for (const section of ['环境卫生', '公益广告']) expect(items.map((i) => i.section), pointType).toContain(section);
    }
    const roads = types.find((t) => t.pointType === '主次干道')!.items;
    expect(roads.some((i) => i.label.includes('无暴露垃圾'))).toBe(true);
    expect(roads.some((i) => i.label.includes('乱停乱放'))).toBe(true);
  });

  it('filters by type', async () => {
    const { types } = await get<{ types: { pointType: string; items: Item[] }[] }>(viewer, '/api/inspection/checklists?type=农贸市场');
    expect(types.map((t) => t.pointType)).toEqual(['农贸市场']);
    expect(types[0]!.items.map((i) => i.section)).toContain('食品安全');
    expect((await get<{ types: unknown[] }>(viewer, '/api/inspection/checklists?type=没有这种点位')).types).toEqual([]);
  });
});

describe('a check', () => {
  it('sent three times is stored once, with one set of problems, and answered the same each time', async () => {
    const body = checkOf(fx.routed, [
      { code: 'ZD-01', result: 'fail', note: '路口有暴露垃圾' },
      { code: 'ZD-02', result: 'pass' },
      { code: 'ZD-04', result: 'serious', note: '非机动车堵塞盲道' },
      { code: 'ZD-06', result: 'fail' },
    ], { note: '第一次检查' });
    const key = randomUUID();
    const problemsBefore = await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM problems`);
    const first = await send(inspector, body, key);
    expect(first.status).toBe(201);
    const answer = (await first.json()) as Answer;
    for (let i = 0; i < 2; i++) {
      const again = await send(inspector, body, key);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual(answer);
    }
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM inspection_checks WHERE idempotency_key = ${key}`)).toBe(1);
    // the failed and the serious item with a category file one problem each; the posters item (no category) none
    expect(answer.problems.map((p) => p.itemId).sort()).toEqual([road.get('ZD-01')!.id, road.get('ZD-04')!.id].sort());
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM problems`)).toBe(problemsBefore + 2);
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'inspection_check' AND entity_id = ${String(answer.check.id)}`)).toBe(1);

    const { check } = answer;
    expect(check).toMatchObject({ roundId: fx.roundA, groupId: fx.groupA1, pointId: fx.routed.id, userId: fx.inspectorId, note: '第一次检查', conflict: null });
    expect(new Date(check.checkedAt).toISOString()).toBe('2025-11-20T01:30:00.000Z');
    // ZD-01 fail 0, ZD-02 pass +15, ZD-04 serious −15, ZD-06 fail 0; at stake 15 + 15 + 15 + 10
    const points = ['ZD-01', 'ZD-02', 'ZD-04', 'ZD-06'].map((c) => road.get(c)!.points);
    expect(points).toEqual([15, 15, 15, 10]);
    expect(check.score).toBe(0);
    expect(check.maxScore).toBe(55);
    const byItem = new Map(check.items.map((i) => [i.itemId, i]));
    expect(byItem.get(road.get('ZD-06')!.id)).toEqual({ itemId: road.get('ZD-06')!.id, result: 'fail', note: null, problemId: null });
    expect(byItem.get(road.get('ZD-04')!.id)!.problemId).toBe(answer.problems.find((p) => p.itemId === road.get('ZD-04')!.id)!.id);
  });

  it('sent three times at once is stored once too', async () => {
    const body = checkOf(fx.near, [{ code: 'ZD-03', result: 'fail', note: '并发重试' }], { checkedAt: '2025-11-19T15:00:00+08:00' });
    const key = randomUUID();
    const answers = await Promise.all([0, 1, 2].map(() => send(inspector, body, key)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    const bodies = await Promise.all(answers.map((r) => r.json()));
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM inspection_checks WHERE idempotency_key = ${key}`)).toBe(1);
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE description = ${`${road.get('ZD-03')!.label}：并发重试`}`)).toBe(1);
  });

  it('files problems routed to the owner of the duty at the point, from the inspection', async () => {
    const [stored] = (await get<{ checks: Check[] }>(supervisor, `/api/inspection/checks?round=${fx.roundA}&point=${fx.routed.id}`)).checks;
    const problem = async (code: string) => {
      const id = stored!.items.find((i) => i.itemId === road.get(code)!.id)!.problemId!;
      return get<Problem>(supervisor, `/api/problems/${id}`);
    };
    const waste = await problem('ZD-01');
    expect(waste).toMatchObject({ categoryId: 'evt-env-exposed-waste', source: 'inspection', description: `${road.get('ZD-01')!.label}：路口有暴露垃圾`, blindSpot: false, disputed: false });
    // no position in the check: the problem is at the point
    expect([waste.lon, waste.lat]).toEqual([fx.routed.lon, fx.routed.lat]);
    expect([waste.ownerOrgId]).toEqual(await ownersAt(waste.lon, waste.lat, ['sanitation-city', 'sanitation-town']));
    const parking = await problem('ZD-04');
    expect(parking).toMatchObject({ categoryId: 'evt-order-parking', source: 'inspection', description: `${road.get('ZD-04')!.label}：非机动车堵塞盲道` });
    expect([parking.ownerOrgId]).toEqual(await ownersAt(parking.lon, parking.lat, ['city-order']));
  });

  it('refuses a reused key with another body, a key that is not a UUID, and no key', async () => {
    const key = randomUUID();
    const body = checkOf(fx.near, [{ code: 'ZD-02', result: 'pass' }], { checkedAt: '2025-11-20T08:00:00+08:00' });
    await submit(inspector, body, key);
    const reused = await send(inspector, { ...body, note: '改了' }, key);
    expect(reused.status).toBe(422);
    expect((await errorOf(reused)).code).toBe('idempotency_key_reused');
    const notUuid = await send(inspector, body, 'check-0001-retry');
    expect(notUuid.status).toBe(400);
    expect((await errorOf(notUuid)).code).toBe('invalid_idempotency_key');
    const none = await send(inspector, body, null);
    expect(none.status).toBe(400);
    expect((await errorOf(none)).code).toBe('idempotency_key_required');
    // the same key is another user's own: the supervisor's check with it is a new one
    expect((await send(supervisor, body, key)).status).toBe(201);
  });

  it('refuses a point outside the round, a group of another round, a non-member, a closed round and an unknown item', async () => {
    const before = await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM inspection_checks`);
    const cases: [TestApp, unknown, number, string][] = [
      [inspector, { ...checkOf(fx.routed, [{ code: 'ZD-02', result: 'pass' }]), pointId: fx.elsewhere.id }, 422, 'point_not_in_round'],
      [inspector, { ...checkOf(fx.routed, [{ code: 'ZD-02', result: 'pass' }]), groupId: fx.groupB1 }, 422, 'group_not_in_round'],
      [inspector, { ...checkOf(fx.routed, [{ code: 'ZD-02', result: 'pass' }]), groupId: fx.groupA2 }, 403, 'not_group_member'],
      [inspector, { ...checkOf(fx.routed, [{ code: 'ZD-02', result: 'pass' }]), roundId: fx.closed, groupId: fx.groupC1 }, 409, 'round_closed'],
      [supervisor, { ...checkOf(fx.routed, [{ code: 'ZD-02', result: 'pass' }]), roundId: fx.closed, groupId: fx.groupC1 }, 409, 'round_closed'],
      [inspector, { ...checkOf(fx.routed, []), items: [{ itemId: 99_999, result: 'pass' }] }, 422, 'unknown_checklist_item'],
      [inspector, { ...checkOf(fx.routed, []), items: [{ itemId: await itemOf('农贸市场'), result: 'fail' }] }, 422, 'unknown_checklist_item'],
      [inspector, { ...checkOf(fx.routed, [{ code: 'ZD-02', result: 'pass' }]), checkedAt: '2099-01-01T00:00:00Z' }, 400, 'invalid_request'],
      [inspector, { ...checkOf(fx.routed, [{ code: 'ZD-02', result: 'pass' }, { code: 'ZD-02', result: 'fail' }]) }, 400, 'invalid_request'],
      [inspector, { ...checkOf(fx.routed, [{ code: 'ZD-02', result: 'pass' }]), lon: 110.3 }, 400, 'invalid_request'],
    ];
    for (const [client, body, status, code] of cases) {
      const res = await send(client, body);
      expect(res.status, `${code}: ${await res.clone().text()}`).toBe(status);
      expect((await errorOf(res)).code).toBe(code);
    }
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM inspection_checks`)).toBe(before);
    // a viewer may not check at all
    expect((await send(viewer, checkOf(fx.routed, [{ code: 'ZD-02', result: 'pass' }]))).status).toBe(403);
  });

  it('takes photos per item and of the whole point as multipart, and attaches each item\'s to its problem', async () => {
    const [flyers, point, pass] = [await jpeg('#a33'), await jpeg('#3a3'), await jpeg('#33a')];
    const body = checkOf(fx.photos, [{ code: 'ZD-07', result: 'fail', note: '电杆上有小广告' }, { code: 'ZD-02', result: 'pass' }]);
    const form = () => {
      const f = new FormData();
      f.set('check', JSON.stringify(body));
      f.append(`photo.${road.get('ZD-07')!.id}`, new Blob([flyers as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), 'flyers.jpg');
      f.append(`photo.${road.get('ZD-02')!.id}`, new Blob([pass as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), 'clean.jpg');
      f.append('photo', new Blob([point as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), 'point.jpg');
      return f;
    };
    const key = randomUUID();
    const post = () => inspector.request('/api/inspection/checks', { method: 'POST', headers: { 'idempotency-key': key }, body: form() });
    const res = await post();
    expect(res.status, await res.clone().text()).toBe(201);
    const answer = (await res.json()) as Answer;
    expect(answer.check.photos.map((p) => p.itemId).sort()).toEqual([road.get('ZD-07')!.id, road.get('ZD-02')!.id, null].sort());
    // a retry of the same form stores nothing more
    const again = await post();
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(answer);
    expect(await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM inspection_check_photos WHERE check_id = ${answer.check.id}`)).toBe(3);

    // the photo comes back as stored (re-encoded without EXIF, issue 15: same pixels' size), and as a thumbnail
    const whole = answer.check.photos.find((p) => p.itemId === null)!;
    const full = await supervisor.request(`/api/inspection/checks/${answer.check.id}/photos/${whole.id}`);
    expect(full.headers.get('content-type')).toBe('image/jpeg');
    const stored = await sharp(Buffer.from(await full.arrayBuffer())).metadata();
    expect([stored.format, stored.width, stored.height, stored.exif]).toEqual(['jpeg', 800, 600, undefined]);
    const thumb = await supervisor.request(`/api/inspection/checks/${answer.check.id}/photos/${whole.id}?size=thumb`);
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(320);

    // the failed item's problem carries that item's photo, and only it
    expect(answer.problems).toHaveLength(1);
    const problem = await get<Problem>(supervisor, `/api/problems/${answer.problems[0]!.id}`);
    expect(problem.categoryId).toBe('evt-ad-flyers');
    // …the same bytes as the check stored for that item
    const itemPhoto = answer.check.photos.find((p) => p.itemId === road.get('ZD-07')!.id)!;
    const itemBytes = Buffer.from(await (await supervisor.request(`/api/inspection/checks/${answer.check.id}/photos/${itemPhoto.id}`)).arrayBuffer());
    expect(problem.photos.map((p) => ({ mime: p.mime, size: p.size }))).toEqual([{ mime: 'image/jpeg', size: itemBytes.byteLength }]);
    const bytes = await supervisor.request(`/api/problems/${problem.id}/photos/${problem.photos[0]!.id}`);
    expect(Buffer.from(await bytes.arrayBuffer()).equals(itemBytes)).toBe(true);
  });

  it('refuses a photo of an item the check does not have, and a file that is not an image', async () => {
    const body = checkOf(fx.photos, [{ code: 'ZD-02', result: 'pass' }]);
    const form = (name: string, bytes: Uint8Array, file = 'x.jpg') => {
      const f = new FormData();
      f.set('check', JSON.stringify(body));
      f.append(name, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), file);
      return f;
    };
    const cases: [FormData, number, string][] = [
      [form(`photo.${road.get('ZD-03')!.id}`, await jpeg('#999')), 422, 'unknown_checklist_item'],
      [form('photo', new TextEncoder().encode('<html>not a photo</html>'), 'fake.jpg'), 415, 'unsupported_file'],
      [form('picture', await jpeg('#999')), 400, 'invalid_form'],
    ];
    for (const [f, status, code] of cases) {
      const res = await inspector.request('/api/inspection/checks', { method: 'POST', headers: { 'idempotency-key': randomUUID() }, body: f });
      expect(res.status, await res.clone().text()).toBe(status);
      expect((await errorOf(res)).code).toBe(code);
    }
  });

  it('files problems where the inspector stood when that is within 100 m of the point, else at the point', async () => {
    const metresNorth = (m: number) => fx.moved.lat + m / 111_195;
    const close = await submit(inspector, checkOf(fx.moved, [{ code: 'ZD-03', result: 'fail' }], { lon: fx.moved.lon, lat: metresNorth(40) }));
    const far = await submit(inspector, checkOf(fx.moved, [{ code: 'ZD-03', result: 'fail' }], { lon: fx.moved.lon, lat: metresNorth(400), checkedAt: '2025-11-20T10:00:00+08:00' }));
    const at = async (a: Answer) => {
      const p = await get<Problem>(supervisor, `/api/problems/${a.problems[0]!.id}`);
      return [p.lon, p.lat];
    };
    expect((await at(close))[1]).toBeCloseTo(metresNorth(40), 7);
    expect(await at(far)).toEqual([fx.moved.lon, fx.moved.lat]);
  });

  it('is stored and flagged point_changed when the point changed on the server meanwhile; nothing is overwritten', async () => {
    const detail = async () => {
      const { version: _v, updated_at: _u, ...rest } = await get<Record<string, unknown>>(viewer, `/api/inspection-points/${fx.changed.id}`);
      return rest;
    };
    const pointBefore = await detail();
    const first = await submit(inspector, checkOf(fx.changed, [{ code: 'ZD-02', result: 'pass' }], { checkedAt: '2025-11-20T09:00:00+08:00' }));
    expect(first.check.conflict).toBeNull();
    await sql`UPDATE inspection_points SET version = version + 1, updated_at = now() WHERE id = ${fx.changed.id}`.execute(database.db);
    // the device still has the old version
    const late = await submit(inspector, checkOf(fx.changed, [{ code: 'ZD-02', result: 'fail' }], { checkedAt: '2025-11-20T09:05:00+08:00' }));
    expect(late.check.conflict).toEqual({ reasons: ['point_changed', 'already_checked'], serverPointVersion: fx.changed.version + 1, otherCheckIds: [first.check.id] });
    expect(late.check.items).toEqual([{ itemId: road.get('ZD-02')!.id, result: 'fail', note: null, problemId: late.problems[0]!.id }]);
    // the earlier check and the point are as they were
    expect(await get<Check>(supervisor, `/api/inspection/checks/${first.check.id}`)).toEqual(first.check);
    expect(await detail()).toEqual(pointBefore);
    // a check made on the new version is not flagged for it
    const current = await submit(inspector, checkOf({ ...fx.changed, version: fx.changed.version + 1 }, [{ code: 'ZD-02', result: 'pass' }], { checkedAt: '2025-11-20T09:10:00+08:00' }));
    expect(current.check.conflict!.reasons).toEqual(['already_checked']);
  });

  it('keeps both checks of a point and flags the second already_checked; the office lists the flagged ones', async () => {
    const first = await submit(inspector, checkOf(fx.twice, [{ code: 'ZD-02', result: 'pass' }, { code: 'ZD-05', result: 'pass' }], { checkedAt: '2025-11-20T09:00:00+08:00' }));
    const second = await submit(supervisor, checkOf(fx.twice, [{ code: 'ZD-02', result: 'pass' }, { code: 'ZD-05', result: 'fail' }], { checkedAt: '2025-11-20T11:00:00+08:00' }));
    expect(first.check.conflict).toBeNull();
    expect(second.check.conflict).toEqual({ reasons: ['already_checked'], serverPointVersion: fx.twice.version, otherCheckIds: [first.check.id] });
    const listed = await get<{ checks: Check[] }>(supervisor, `/api/inspection/checks?round=${fx.roundA}&point=${fx.twice.id}`);
    expect(listed.checks.map((c) => c.id)).toEqual([second.check.id, first.check.id]);
    expect(listed.checks[1]).toEqual(first.check);
    const flagged = await get<{ checks: Check[] }>(supervisor, `/api/inspection/checks?round=${fx.roundA}&conflict=true&limit=1000`);
    expect(flagged.checks.map((c) => c.id)).toContain(second.check.id);
    expect(flagged.checks.map((c) => c.id)).not.toContain(first.check.id);
    expect(flagged.checks.every((c) => c.conflict !== null)).toBe(true);
  });

  it('flags one of two checks of a point that arrive together', async () => {
    const [a, b] = await Promise.all(
      ['2025-11-22T09:00:00+08:00', '2025-11-22T09:01:00+08:00'].map((checkedAt) => submit(inspector, checkOf(fx.pair, [{ code: 'ZD-05', result: 'pass' }], { checkedAt }))),
    );
    const [first, second] = [a!, b!].sort((p, q) => p.check.id - q.check.id);
    expect(first!.check.conflict).toBeNull();
    expect(second!.check.conflict).toEqual({ reasons: ['already_checked'], serverPointVersion: fx.pair.version, otherCheckIds: [first!.check.id] });
  });

  it('flags a check made with an offline package older than the server\'s', async () => {
    const versionNow = async () => (await get<{ version: string }>(inspector, `/api/inspection/rounds/${fx.roundA}/package/version?group=${fx.groupA1}`)).version;
    // (the first read computes the group's route, which may reorder its points: the package is read after it)
    await versionNow();
    const downloaded = await versionNow();
    const current = await submit(inspector, checkOf(fx.moved, [{ code: 'ZD-02', result: 'pass' }], { packageVersion: downloaded, checkedAt: '2025-11-21T08:00:00+08:00' }));
    expect(current.check.conflict?.reasons ?? []).not.toContain('stale_package');
    // the office changes the group's visiting order meanwhile: the device's package is out of date
    await sql`UPDATE inspection_round_points SET visit_order = visit_order + 100 WHERE round_id = ${fx.roundA} AND point_id = ${fx.near.id}`.execute(database.db);
    const now = await versionNow();
    expect(now).not.toBe(downloaded);
    const stale = await submit(inspector, checkOf(fx.moved, [{ code: 'ZD-02', result: 'pass' }], { packageVersion: downloaded, checkedAt: '2025-11-21T08:30:00+08:00' }));
    expect(stale.check.conflict).toMatchObject({ reasons: ['already_checked', 'stale_package'], serverPackageVersion: now });
    // without a package version nothing is said about the package
    const unsaid = await submit(inspector, checkOf(fx.moved, [{ code: 'ZD-02', result: 'pass' }], { checkedAt: '2025-11-21T08:40:00+08:00' }));
    expect(unsaid.check.conflict!.reasons).toEqual(['already_checked']);
  });

  it('flags a check by a group the point is no longer assigned to', async () => {
    // the office (not a member) checks for group 2, but the point is group 1's
    const answer = await submit(supervisor, { ...checkOf(fx.near, [{ code: 'ZD-02', result: 'pass' }]), groupId: fx.groupA2, checkedAt: '2025-11-21T09:00:00+08:00' });
    expect(answer.check.conflict!.reasons).toContain('reassigned');
    expect(answer.check.groupId).toBe(fx.groupA2);
  });

  it('answers 404 for a check that does not exist', async () => {
    const res = await supervisor.request('/api/inspection/checks/999999');
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('check_not_found');
  });
});

async function itemOf(type: string): Promise<number> {
  return (await one(sql<{ id: number }>`SELECT id FROM checklist_items WHERE point_type = ${type} ORDER BY sort LIMIT 1`)).id;
}

describe('scores', () => {
  /** Test items T1..T5 of 10, 10, 20, 5 and 5 points. */
  let t: Record<'T1' | 'T2' | 'T3' | 'T4' | 'T5', number>;
  let x: { id: number; version: number }[];
  let communities: { id: number; name: string }[];
  let rounds: { s1: number; s1Group: number; f1: number; f1Group: number; f2: number; f2Group: number };

  const check = (round: number, group: number, point: { id: number; version: number }, items: Partial<Record<keyof typeof t, string>>, checkedAt = '2025-11-20T09:00:00+08:00') =>
    submit(supervisor, {
      roundId: round, groupId: group, pointId: point.id, checkedAt, pointVersion: point.version,
      items: Object.entries(items).map(([code, result]) => ({ itemId: t[code as keyof typeof t], result })),
    });

  beforeAll(async () => {
    t = {} as typeof t;
    for (const [i, [code, points]] of ([['T1', 10], ['T2', 10], ['T3', 20], ['T4', 5], ['T5', 5]] as const).entries()) {
      t[code] = (await one(sql<{ id: number }>`
        INSERT INTO checklist_items (point_type, code, section, label, label_en, points, sort) VALUES (${TEST_TYPE}, ${code}, '环境卫生', ${`测试项${code}`}, ${`Test item ${code}`}, ${points}, ${i}) RETURNING id`)).id;
    }
    // four points in two communities: X1, X2 in the first, X3 and X4 in the second
    communities = (await sql<{ id: number; name: string }>`SELECT id, name FROM territories WHERE level = 'community' ORDER BY code LIMIT 2`.execute(database.db)).rows;
    x = [];
    for (const [i, community] of [0, 0, 1, 1].entries()) {
      x.push(await one(sql<{ id: number; version: number }>`
        INSERT INTO inspection_points (code, name, point_type, territory_id, geom)
        SELECT ${`TST-${i + 1}`}, ${`测试点${i + 1}`}, ${TEST_TYPE}, t.id, ST_PointOnSurface(t.geom) FROM territories t WHERE t.id = ${communities[community]!.id}
        RETURNING id, version`));
    }
    const s1 = await insertRound('评分一轮', 'active');
    const s1Group = await insertGroup(s1, '第1组');
    await addPoints(s1, s1Group, x.map((p) => p.id));
    const f1 = await insertRound('第一轮', 'active', 0.4);
    const f1Group = await insertGroup(f1, '第1组');
    await addPoints(f1, f1Group, [x[0]!.id, x[1]!.id]);
    const f2 = await insertRound('第二轮', 'active', 0.6);
    const f2Group = await insertGroup(f2, '第1组');
    await addPoints(f2, f2Group, [x[0]!.id, x[1]!.id]);
    rounds = { s1, s1Group, f1, f1Group, f2, f2Group };
  });

  interface RoundScores {
    round: { id: number; name: string; weight: number };
    thresholds: { good: number; fair: number };
    score: number | null;
    rating: string | null;
    points: { pointId: number; score: number; rating: string; serious: boolean; checkedAt: string }[];
    communities: { id: number; name: string; score: number; rating: string; points: number }[];
    unchecked: number[];
  }

  it('scores points from their latest check, communities and the round as means, and lists the unchecked', async () => {
    const { s1, s1Group } = rounds;
    const [x1, x2, x3, x4] = x as [{ id: number; version: number }, { id: number; version: number }, { id: number; version: number }, { id: number; version: number }];
    // X1's latest check (10:00): 10 pass, 10 fail, 20 pass → 30 / 40 = 75.0; it arrives before an earlier one (09:00) with all passed
    await check(s1, s1Group, x1, { T1: 'pass', T2: 'fail', T3: 'pass' }, '2025-11-20T10:00:00+08:00');
    await check(s1, s1Group, x1, { T1: 'pass', T2: 'pass', T3: 'pass' }, '2025-11-20T09:00:00+08:00');
    // X2: T1 seriously failing −10, the others +40 → 30 / 50 = 60.0
    await check(s1, s1Group, x2, { T1: 'serious', T2: 'pass', T3: 'pass', T4: 'pass', T5: 'pass' });
    // X3: all pass → 100
    await check(s1, s1Group, x3, { T1: 'pass', T2: 'pass', T3: 'pass', T4: 'pass', T5: 'pass' });

    const scores = await get<RoundScores>(viewer, `/api/inspection/rounds/${s1}/scores`);
    expect(scores.round).toMatchObject({ id: s1, name: '评分一轮', weight: 1 });
    expect(scores.thresholds).toEqual({ good: 90, fair: 75 });
    const byPoint = new Map(scores.points.map((p) => [p.pointId, p]));
    expect(byPoint.get(x1.id)).toMatchObject({ score: 75, rating: 'fair', serious: false });
    expect(new Date(byPoint.get(x1.id)!.checkedAt).toISOString()).toBe('2025-11-20T02:00:00.000Z');
    expect(byPoint.get(x2.id)).toMatchObject({ score: 60, rating: 'poor', serious: true });
    expect(byPoint.get(x3.id)).toMatchObject({ score: 100, rating: 'good', serious: false });
    expect(scores.unchecked).toEqual([x4.id]);
    // (75 + 60 + 100) / 3 = 78.33 → 78.3, fair
    expect(scores.score).toBe(78.3);
    expect(scores.rating).toBe('fair');
    // first community (X1, X2): (75 + 60) / 2 = 67.5, poor; second (X3; X4 unchecked): 100, good
    expect(scores.communities).toEqual([
      { id: communities[1]!.id, name: communities[1]!.name, score: 100, rating: 'good', points: 1 },
      { id: communities[0]!.id, name: communities[0]!.name, score: 67.5, rating: 'poor', points: 2 },
    ]);
  });

  it('rates with the thresholds of the setting inspection_rating; a serious failure caps a point at fair', async () => {
    await sql`INSERT INTO settings (key, value) VALUES ('inspection_rating', ${JSON.stringify({ good: 55, fair: 30 })}::jsonb)`.execute(database.db);
    try {
      const scores = await get<RoundScores>(viewer, `/api/inspection/rounds/${rounds.s1}/scores`);
      expect(scores.thresholds).toEqual({ good: 55, fair: 30 });
      const byPoint = new Map(scores.points.map((p) => [p.pointId, p]));
      // X2's 60 is above "good" (55), but it has a seriously failing item
      expect(byPoint.get(x[1]!.id)).toMatchObject({ score: 60, rating: 'fair' });
      expect(byPoint.get(x[0]!.id)).toMatchObject({ score: 75, rating: 'good' });
      expect(scores.rating).toBe('good');
    } finally {
      await sql`DELETE FROM settings WHERE key = 'inspection_rating'`.execute(database.db);
    }
  });

  it('weights rounds into the final score: 0.4 × 80 + 0.6 × 95 = 89, fair', async () => {
    const { f1, f1Group, f2, f2Group } = rounds;
    // round 1: X1 with 20 pass and 5 fail → 20 / 25 = 80 (X2 unchecked)
    await check(f1, f1Group, x[0]!, { T3: 'pass', T4: 'fail' });
    // round 2: X1 all pass 100, X2 all but a 5 → 45 / 50 = 90; mean 95
    await check(f2, f2Group, x[0]!, { T1: 'pass', T2: 'pass', T3: 'pass', T4: 'pass', T5: 'pass' });
    await check(f2, f2Group, x[1]!, { T1: 'pass', T2: 'pass', T3: 'pass', T4: 'fail', T5: 'pass' });
    const final = await get<{ rounds: { id: number; weight: number; score: number; rating: string }[]; score: number; rating: string; communities: { id: number; score: number; rounds: number }[] }>(
      viewer, `/api/inspection/scores?rounds=${f1},${f2}`,
    );
    expect(final.rounds.map((r) => [r.id, r.weight, r.score, r.rating])).toEqual([[f1, 0.4, 80, 'fair'], [f2, 0.6, 95, 'good']]);
    expect(final.score).toBe(89);
    expect(final.rating).toBe('fair');
    // the first community: 80 in round 1, (100 + 90) / 2 = 95 in round 2 → 89
    expect(final.communities).toEqual([{ id: communities[0]!.id, name: communities[0]!.name, score: 89, rating: 'fair', rounds: 2 }]);
  });

  it('answers 404 for a round that does not exist and 400 for a malformed list', async () => {
    const missing = await viewer.request('/api/inspection/rounds/999999/scores');
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('round_not_found');
    expect((await viewer.request(`/api/inspection/scores?rounds=${rounds.f1},999999`)).status).toBe(404);
    for (const bad of ['', 'a,b', `${rounds.f1},${rounds.f1}`, '1,,2']) {
      const res = await viewer.request(`/api/inspection/scores?rounds=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect((await errorOf(res)).code).toBe('invalid_request');
    }
  });
});
