/**
 * Inspection rounds, groups, assignment and routes through the API (issue 8),
 * on the seeded demo district: the demo's two rounds of 18 groups, a round
 * created here with 18 groups and the 165 points assigned automatically
 * (every point in exactly one group, 8 to 11 each, compact on the map, route
 * times closer together than the count-only grouping's), the
 * routes as GeoJSON, an explicit reassignment, stale versions and bad input.
 */
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactGroups } from '../../server/src/services/auto-assignment.ts';
import { RoutingService } from '../../server/src/services/routing.service.ts';
import { errorOf, type TestApp, testApp } from '../support/api.ts';
import { distanceToLinesM } from '../support/geodesy.ts';
import { freshDatabase } from '../support/database.ts';

interface Group {
  id: number;
  roundId: number;
  name: string;
  color: string | null;
  sort: number;
  leader: { id: number; displayName: string } | null;
  members: { id: number; username: string; displayName: string }[];
  pointCount: number;
  start: { lon: number; lat: number } | null;
  route: { lengthM: number; durationS: number; method: string } | null;
}
interface Round {
  id: number;
  name: string;
  startsOn: string;
  endsOn: string;
  weight: number;
  status: string;
  version: number;
  pointCount: number;
  assignedCount: number;
  groups: Group[];
  myGroupIds?: number[];
}
interface AssignBody {
  groups: { id: number; pointIds: number[]; lengthM: number; durationS: number }[];
  unassigned: number[];
  version: number;
}
interface RoutesBody {
  type: 'FeatureCollection';
  features: {
    type: 'Feature';
    geometry: { type: 'MultiLineString' | 'Point'; coordinates: unknown };
    properties: Record<string, unknown> & { kind: 'route' | 'stop'; groupId: number };
  }[];
}

let database: Database;
let supervisor: TestApp;
let viewer: TestApp;
let inspector: TestApp;
let points: Map<number, { lon: number; lat: number }>;

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
async function ok<T>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const r = await res;
  const text = await r.text();
  expect(r.status, text.slice(0, 300)).toBe(status);
  return JSON.parse(text) as T;
}
async function fails(res: Response | Promise<Response>, status: number, code: string): Promise<void> {
  const r = await res;
  expect(r.status).toBe(status);
  expect((await errorOf(r)).code).toBe(code);
}

/** Metres east and north of a reference, on a local flat approximation (fine within a district). */
function project(p: { lon: number; lat: number }, ref: { lon: number; lat: number }) {
  return { x: (p.lon - ref.lon) * 111_320 * Math.cos((ref.lat * Math.PI) / 180), y: (p.lat - ref.lat) * 110_574 };
}

beforeAll(async () => {
  database = await freshDatabase();
  supervisor = testApp(database, 'supervisor');
  viewer = supervisor.as('viewer');
  inspector = supervisor.as('inspector');
  const { rows } = await sql<{ id: number; lon: number; lat: number }>`
    SELECT id, ST_X(geom)::float8 AS lon, ST_Y(geom)::float8 AS lat FROM inspection_points`.execute(database.db);
  points = new Map(rows.map((r) => [r.id, { lon: r.lon, lat: r.lat }]));
});
afterAll(async () => {
  await database?.close();
});

describe('the demo rounds', () => {
  it('has the two rounds of one assessment, the current one and the next, weighted 0.4 and 0.6, each with 18 groups over all 165 points', async () => {
    const { rounds } = await ok<{ rounds: Round[] }>(viewer.request('/api/inspection/rounds'));
    // the seed dates and names them after its anchor day (see demo-timeline.test.ts)
    const first = rounds.find((r) => r.status === 'active' && r.name.endsWith(' 第一轮'))!;
    const second = rounds.find((r) => r.status === 'planning' && r.name.endsWith(' 第二轮'))!;
    expect(second.name.replace(/ 第二轮$/, '')).toBe(first.name.replace(/ 第一轮$/, ''));
    expect(first.endsOn < second.startsOn).toBe(true);
    expect(first.weight).toBe(0.4);
    expect(second.weight).toBe(0.6);
    for (const round of [first, second]) {
      expect(round.pointCount).toBe(165);
      expect(round.assignedCount).toBe(165);
      expect(round.groups.map((g) => g.name)).toEqual(Array.from({ length: 18 }, (_, i) => `第${i + 1}组`));
      expect(new Set(round.groups.map((g) => g.color)).size).toBe(18);
      expect(round.groups.reduce((s, g) => s + g.pointCount, 0)).toBe(165);
      expect(round.startsOn <= round.endsOn).toBe(true);
    }
  });

  it('lists for the demo inspector the rounds where they are in a group (第1组), and none for the viewer', async () => {
    const mine = await ok<{ rounds: Round[] }>(inspector.request('/api/inspection/rounds?member=me'));
    expect(mine.rounds).toHaveLength(2);
    for (const round of mine.rounds) {
      const group = round.groups.find((g) => g.name === '第1组')!;
      expect(round.myGroupIds).toEqual([group.id]);
      expect(group.members.map((m) => m.username)).toContain('inspector');
    }
    expect((await ok<{ rounds: Round[] }>(viewer.request('/api/inspection/rounds?member=me'))).rounds).toEqual([]);
    await fails(viewer.request('/api/inspection/rounds?member=you'), 400, 'invalid_request');
  });

  it('has a finished round before them with every point checked once, scored by the rule from its items', async () => {
    const { rounds } = await ok<{ rounds: Round[] }>(viewer.request('/api/inspection/rounds'));
    const history = rounds.find((r) => r.status === 'closed')!;
    expect(history.endsOn < rounds.find((r) => r.status === 'active')!.startsOn).toBe(true);
    expect(history.status).toBe('closed');
    expect(history.groups.every((g) => g.members.length === 0)).toBe(true); // nobody's field app lists it
    const scores = await ok<{ unchecked: number[]; points: { pointId: number; score: number }[] }>(viewer.request(`/api/inspection/rounds/${history.id}/scores`));
    expect(scores.unchecked).toEqual([]);
    expect(scores.points).toHaveLength(165);
    // pass earns the item's points, fail none, serious loses them; 100 × max(0, earned) / possible, one decimal
    const { rows } = await sql<{ point_id: number; earned: number; possible: number }>`
      SELECT c.point_id,
             sum(CASE i.result WHEN 'pass' THEN ci.points WHEN 'serious' THEN -ci.points ELSE 0 END)::float8 AS earned,
             sum(ci.points)::float8 AS possible
      FROM inspection_checks c JOIN inspection_check_items i ON i.check_id = c.id JOIN checklist_items ci ON ci.id = i.item_id
      WHERE c.round_id = ${history.id} GROUP BY c.point_id`.execute(database.db);
    expect(rows).toHaveLength(165);
    const expected = new Map(rows.map((r) => [r.point_id, Math.round((1000 * Math.max(0, r.earned)) / r.possible) / 10]));
    for (const p of scores.points) expect(p.score).toBeCloseTo(expected.get(p.pointId)!, 6);
    // the seeded odds (87 % of items pass) leave points on both sides of 90
    expect(scores.points.some((p) => p.score >= 90) && scores.points.some((p) => p.score < 75)).toBe(true);
  });

  it('computes the routes on first view and stores them: one line per group, 165 numbered stops', async () => {
    const { rounds } = await ok<{ rounds: Round[] }>(viewer.request('/api/inspection/rounds'));
    const round = rounds.find((r) => r.name.endsWith('第一轮'))!;
    expect(round.groups.every((g) => g.route === null)).toBe(true);
    const body = await ok<RoutesBody>(viewer.request(`/api/inspection/rounds/${round.id}/routes`));
    const lines = body.features.filter((f) => f.properties.kind === 'route');
    const stops = body.features.filter((f) => f.properties.kind === 'stop');
    expect(lines).toHaveLength(18);
    expect(stops).toHaveLength(165);
    // pgRouting where the server has it (the server creates the extension on first use), else JavaScript
    const pgRouting = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pgrouting'`.execute(database.db)).rows[0]!.n > 0;
    const expectedMethod = [pgRouting ? 'pgrouting' : 'dijkstra'];
    for (const line of lines) {
      expect(line.geometry.type).toBe('MultiLineString');
      expect(Object.keys(line.properties).sort()).toEqual(['color', 'durationS', 'groupId', 'groupName', 'kind', 'lengthM', 'method', 'pointCount'].sort());
      expect(line.properties.lengthM as number).toBeGreaterThan(0);
      expect(expectedMethod).toContain(line.properties.method);
      const own = stops.filter((s) => s.properties.groupId === line.properties.groupId);
      expect(own.map((s) => s.properties.order)).toEqual(own.map((_, i) => i + 1));
      expect(line.properties.pointCount).toBe(own.length);
      // the legs arriving at the stops add up to the route (the first stop has none: no start place)
      expect(own[0]!.properties.legM).toBe(0);
      expect(own.reduce((s, f) => s + (f.properties.legM as number), 0)).toBeCloseTo(line.properties.lengthM as number, -1);
    }
    expect(Object.keys(stops[0]!.properties).sort()).toEqual(['code', 'color', 'groupId', 'groupName', 'kind', 'legM', 'name', 'order', 'pointId', 'pointType'].sort());
    const stored = await ok<Round>(viewer.request(`/api/inspection/rounds/${round.id}`));
    expect(stored.groups.every((g) => g.route !== null && g.route.lengthM > 0)).toBe(true);
    const group1 = await ok<RoutesBody>(viewer.request(`/api/inspection/rounds/${round.id}/routes?group=${round.groups[0]!.id}`));
    expect(new Set(group1.features.map((f) => f.properties.groupId))).toEqual(new Set([round.groups[0]!.id]));
    await fails(viewer.request(`/api/inspection/rounds/${round.id}/routes?group=999999`), 404, 'group_not_found');
  });

  it('draws each route up to its stops: every stop lies within 2 m of its group\'s line', async () => {
    const { rounds } = await ok<{ rounds: Round[] }>(viewer.request('/api/inspection/rounds'));
    const round = rounds.find((r) => r.name.endsWith('第一轮'))!;
    const body = await ok<RoutesBody>(viewer.request(`/api/inspection/rounds/${round.id}/routes`));
    const lines = new Map(body.features.filter((f) => f.properties.kind === 'route')
      .map((f) => [f.properties.groupId, f.geometry.coordinates as [number, number][][]]));
    const stops = body.features.filter((f) => f.properties.kind === 'stop');
    // the stored points, not the answer's own stop coordinates
    const offRoad = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM inspection_points ip
      WHERE NOT EXISTS (SELECT 1 FROM roads r WHERE ST_DWithin(r.geom::geography, ip.geom::geography, 2))`.execute(database.db);
    expect(offRoad.rows[0]!.n, 'points away from every road, which a road-only line cannot reach').toBeGreaterThan(0);
    const far: string[] = [];
    for (const stop of stops) {
      const place = points.get(stop.properties.pointId as number)!;
      const gap = distanceToLinesM([place.lon, place.lat], lines.get(stop.properties.groupId) ?? []);
      if (gap > 2) far.push(`${String(stop.properties.code)}: ${gap.toFixed(1)} m`);
    }
    expect(far).toEqual([]);
  });
});

describe('a round planned through the API', () => {
  let round: Round;
  let assigned: AssignBody;

  it('creates a round over all points and 18 groups 第1组…第18组 of distinct colours', async () => {
    round = await ok<Round>(supervisor.request('/api/inspection/rounds', json('POST', { name: '测试轮次', startsOn: '2027-03-01', endsOn: '2027-03-10', weight: 0.5 })), 201);
    expect(round).toMatchObject({ name: '测试轮次', startsOn: '2027-03-01', endsOn: '2027-03-10', weight: 0.5, status: 'planning', version: 1, pointCount: 165, assignedCount: 0, groups: [] });
    const { groups } = await ok<{ groups: Group[] }>(supervisor.request(`/api/inspection/rounds/${round.id}/groups`, json('POST', { count: 18 })), 201);
    expect(groups.map((g) => g.name)).toEqual(Array.from({ length: 18 }, (_, i) => `第${i + 1}组`));
    expect(new Set(groups.map((g) => g.color)).size).toBe(18);
    expect(groups.every((g) => g.roundId === round.id && g.pointCount === 0 && g.route === null)).toBe(true);
  });

  it('assigns the 165 points automatically: each in exactly one group, 8 to 11 per group, compact on the map, times balanced', async () => {
    const current = await ok<Round>(viewer.request(`/api/inspection/rounds/${round.id}`));
    assigned = await ok<AssignBody>(supervisor.request(`/api/inspection/rounds/${round.id}/assign`, json('POST', { mode: 'auto', version: current.version })));
    expect(assigned.unassigned).toEqual([]);
    expect(assigned.groups).toHaveLength(18);
    const all = assigned.groups.flatMap((g) => g.pointIds);
    expect(all).toHaveLength(165);
    expect(new Set(all)).toEqual(new Set(points.keys()));
    // 165 = 18 × 9 + 3: the count-only grouping has 9 or 10 a group; travel balancing may move a point
    // out of a long route, within ⌊165/18⌋ − 1 = 8 … ⌈165/18⌉ + 1 = 11 and at most 2 apart
    const sizes = assigned.groups.map((g) => g.pointIds.length);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(11);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(2);
    for (const g of assigned.groups) {
      expect(g.lengthM).toBeGreaterThan(0);
      // 25 km/h plus 10 minutes a point
      expect(Math.abs(g.durationS - (g.lengthM / (25000 / 3600) + 600 * g.pointIds.length))).toBeLessThanOrEqual(1);
    }

    // Compact: k-means puts every point nearer its own group's centroid than any other's; equal
    // sizes force a few points on the boundary between two groups across it, and travel balancing
    // then trades some boundary points more (each lies next to the group it joins by road — one of
    // its three nearest points is there — not always nearer that group's centroid on the map; the
    // count-only grouping has 93 % of the demo's points nearest their own centroid). So most points
    // (85 %: at most 24 of 165) must still be nearest their own centroid, on average a point lies
    // much nearer its own centroid than the nearest other one, and every group on its own keeps
    // most of its points nearest its centroid and lies nearer it on average than the next one.
    const ref = points.values().next().value!;
    const xy = new Map([...points].map(([id, p]) => [id, project(p, ref)]));
    const centroids = assigned.groups.map((g) => {
      const ps = g.pointIds.map((id) => xy.get(id)!);
      return { id: g.id, x: ps.reduce((s, p) => s + p.x, 0) / ps.length, y: ps.reduce((s, p) => s + p.y, 0) / ps.length };
    });
    let nearestOwn = 0;
    let own = 0;
    let other = 0;
    for (const g of assigned.groups) {
      let groupNearest = 0;
      let groupOwn = 0;
      let groupOther = 0;
      for (const id of g.pointIds) {
        const p = xy.get(id)!;
        const d = centroids.map((c) => ({ id: c.id, d: Math.hypot(p.x - c.x, p.y - c.y) }));
        const mine = d.find((c) => c.id === g.id)!.d;
        const closestOther = Math.min(...d.filter((c) => c.id !== g.id).map((c) => c.d));
        if (mine <= closestOther) groupNearest++;
        groupOwn += mine;
        groupOther += closestOther;
      }
      expect(groupNearest, `group ${g.id}`).toBeGreaterThan(g.pointIds.length / 2);
      expect(groupOwn, `group ${g.id}`).toBeLessThan(groupOther);
      nearestOwn += groupNearest;
      own += groupOwn;
      other += groupOther;
    }
    expect(nearestOwn / 165).toBeGreaterThanOrEqual(0.85);
    expect(own / 165).toBeLessThan(0.6 * (other / 165));

    // Travel: the count-only compact grouping of the same points (the first step of the assignment),
    // routed the same way, has route times further apart than the answer's — its longest route is
    // no shorter and the spread (longest − shortest) is wider.
    const inOrder = [...points].sort((a, b) => a[0] - b[0]);
    const { labels } = compactGroups(inOrder.map(([, p]) => p), 18);
    const baseline = await new RoutingService(database.db, database.engine).compute(
      database.db,
      Array.from({ length: 18 }, (_, g) => ({ key: g, points: inOrder.filter((_, i) => labels[i] === g).map(([id, p]) => ({ id, ...p })), start: null })),
    );
    const times = (durations: number[]) => ({ longest: Math.max(...durations), spread: Math.max(...durations) - Math.min(...durations) });
    const countOnly = times(baseline.map((r) => r.durationS));
    const balanced = times(assigned.groups.map((g) => g.durationS));
    expect(baseline.map((r) => r.pointIds.length).sort((x, y) => x - y)).toEqual([...Array(15).fill(9), 10, 10, 10]);
    expect(balanced.longest).toBeLessThanOrEqual(countOnly.longest);
    expect(balanced.spread).toBeLessThan(countOnly.spread);
    // and not by driving further: the total road length is at most 5 % more than the count-only grouping's
    const total = (lengths: number[]) => lengths.reduce((a, b) => a + b, 0);
    expect(total(assigned.groups.map((g) => g.lengthM))).toBeLessThanOrEqual(1.05 * total(baseline.map((r) => r.lengthM)) + 1);
  });

  it('answers the routes as GeoJSON in the assigned order, and the round with each group\'s route', async () => {
    const body = await ok<RoutesBody>(viewer.request(`/api/inspection/rounds/${round.id}/routes`));
    expect(body.type).toBe('FeatureCollection');
    for (const g of assigned.groups) {
      const line = body.features.find((f) => f.properties.kind === 'route' && f.properties.groupId === g.id)!;
      expect(line.properties.lengthM).toBe(g.lengthM);
      expect(line.properties.groupName).toMatch(/^第\d+组$/);
      const stops = body.features.filter((f) => f.properties.kind === 'stop' && f.properties.groupId === g.id);
      expect(stops.map((s) => s.properties.pointId)).toEqual(g.pointIds);
      expect(stops.map((s) => s.properties.order)).toEqual(g.pointIds.map((_, i) => i + 1));
      for (const s of stops) expect(s.geometry.coordinates).toEqual([points.get(s.properties.pointId as number)!.lon, points.get(s.properties.pointId as number)!.lat]);
    }
    const stored = await ok<Round>(viewer.request(`/api/inspection/rounds/${round.id}`));
    expect(stored.assignedCount).toBe(165);
    for (const g of stored.groups) expect(g.route?.lengthM).toBe(assigned.groups.find((a) => a.id === g.id)!.lengthM);
  });

  it('reassigns points explicitly and recomputes the two groups touched, leaving the others as they were', async () => {
    const [a, b, c] = assigned.groups;
    const moved = a!.pointIds[0]!;
    const dropped = c!.pointIds[1]!;
    const result = await ok<AssignBody>(
      supervisor.request(`/api/inspection/rounds/${round.id}/assign`, json('POST', { mode: 'explicit', assignments: [{ pointId: moved, groupId: b!.id }, { pointId: dropped, groupId: null }] })),
    );
    const after = new Map(result.groups.map((g) => [g.id, g]));
    expect(after.get(a!.id)!.pointIds).toHaveLength(a!.pointIds.length - 1);
    expect(after.get(a!.id)!.pointIds).not.toContain(moved);
    expect(after.get(b!.id)!.pointIds).toContain(moved);
    expect(after.get(b!.id)!.pointIds).toHaveLength(b!.pointIds.length + 1);
    expect(new Set(after.get(b!.id)!.pointIds)).toEqual(new Set([...b!.pointIds, moved]));
    expect(result.unassigned).toEqual([dropped]);
    for (const g of assigned.groups.slice(3)) expect(after.get(g.id)).toEqual(g);
    const body = await ok<RoutesBody>(viewer.request(`/api/inspection/rounds/${round.id}/routes?group=${b!.id}`));
    expect(body.features.filter((f) => f.properties.kind === 'stop').map((s) => s.properties.pointId)).toEqual(after.get(b!.id)!.pointIds);
    const audit = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'inspection_round' AND action = 'assign' AND entity_id = ${String(round.id)}`.execute(database.db);
    expect(audit.rows[0]!.n).toBe(2);
  });

  it('refuses a stale round version with 409 and takes the current one', async () => {
    const current = await ok<Round>(viewer.request(`/api/inspection/rounds/${round.id}`));
    const stale = current.version - 1;
    const res = await supervisor.request(`/api/inspection/rounds/${round.id}`, json('PATCH', { version: stale, name: '改名' }));
    expect(res.status).toBe(409);
    const error = (await res.json()) as { error: { code: string; details: { current: Round } } };
    expect(error.error.code).toBe('version_conflict');
    expect(error.error.details.current.version).toBe(current.version);
    await fails(supervisor.request(`/api/inspection/rounds/${round.id}/assign`, json('POST', { mode: 'auto', version: stale })), 409, 'version_conflict');
    const renamed = await ok<Round>(supervisor.request(`/api/inspection/rounds/${round.id}`, json('PATCH', { version: current.version, name: '改名', status: 'active' })));
    expect(renamed).toMatchObject({ name: '改名', status: 'active', version: current.version + 1 });
  });

  it('adds, changes and deletes a single group with members, a leader and a start place', async () => {
    const { users } = await ok<{ users: { id: number; username: string; role: string }[] }>(supervisor.request('/api/inspection/inspectors'));
    expect(users.map((u) => u.username).sort()).toEqual(expect.arrayContaining(['inspector', 'supervisor']));
    expect(users.every((u) => u.role === 'inspector' || u.role === 'supervisor')).toBe(true);
    const inspectorId = users.find((u) => u.username === 'inspector')!.id;
    const start = points.get(assigned.groups[0]!.pointIds[2]!)!;
    const { groups } = await ok<{ groups: Group[] }>(
      supervisor.request(`/api/inspection/rounds/${round.id}/groups`, json('POST', { name: '机动组', leaderId: inspectorId, color: '#123456', start })),
      201,
    );
    const group = groups[0]!;
    expect(group).toMatchObject({ name: '机动组', color: '#123456', leader: { id: inspectorId }, start, pointCount: 0 });
    expect(group.members.map((m) => m.id)).toEqual([inspectorId]);
    await fails(supervisor.request(`/api/inspection/rounds/${round.id}/groups`, json('POST', { name: '机动组' })), 409, 'group_name_taken');

    // two points to the new group: its route starts at its start place
    const two = [assigned.groups[0]!.pointIds[1]!, assigned.groups[0]!.pointIds[3]!];
    await ok<AssignBody>(supervisor.request(`/api/inspection/rounds/${round.id}/assign`, json('POST', { mode: 'explicit', assignments: two.map((pointId) => ({ pointId, groupId: group.id })) })));
    const routed = await ok<RoutesBody>(viewer.request(`/api/inspection/rounds/${round.id}/routes?group=${group.id}`));
    const stops = routed.features.filter((f) => f.properties.kind === 'stop');
    expect(stops).toHaveLength(2);
    expect(stops[0]!.properties.legM as number).toBeGreaterThanOrEqual(0);
    const changed = await ok<Group>(supervisor.request(`/api/inspection/rounds/${round.id}/groups/${group.id}`, json('PATCH', { name: '机动一组', start: null, memberIds: [] })));
    // the leader stays a member
    expect(changed).toMatchObject({ name: '机动一组', start: null, pointCount: 2 });
    expect(changed.members.map((m) => m.id)).toEqual([inspectorId]);

    const res = await supervisor.request(`/api/inspection/rounds/${round.id}/groups/${group.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    const after = await ok<Round>(viewer.request(`/api/inspection/rounds/${round.id}`));
    expect(after.groups.find((g) => g.id === group.id)).toBeUndefined();
    expect(after.assignedCount).toBe(165 - 1 - 2);
    await fails(supervisor.request(`/api/inspection/rounds/${round.id}/groups/${group.id}`, { method: 'DELETE' }), 404, 'group_not_found');
  });

  it('answers 422 for bad input: unknown point, point or group outside the round, dates reversed, weight 0 or over 1', async () => {
    const post = (body: unknown) => supervisor.request('/api/inspection/rounds', json('POST', body));
    const base = { name: '坏轮次', startsOn: '2027-04-01', endsOn: '2027-04-05' };
    await fails(post({ ...base, pointIds: [1, 999_999] }), 422, 'unknown_point');
    await fails(post({ ...base, startsOn: '2027-04-06' }), 422, 'invalid_dates');
    await fails(post({ ...base, weight: 0 }), 422, 'invalid_weight');
    await fails(post({ ...base, weight: 1.5 }), 422, 'invalid_weight');
    await fails(post({ ...base, weight: -0.2 }), 422, 'invalid_weight');
    await fails(post({ ...base, startsOn: '2027-02-30' }), 400, 'invalid_request');
    await fails(post({ ...base, weight: '0.5' }), 400, 'invalid_request');
    const current = await ok<Round>(viewer.request(`/api/inspection/rounds/${round.id}`));
    await fails(supervisor.request(`/api/inspection/rounds/${round.id}`, json('PATCH', { version: current.version, weight: 0 })), 422, 'invalid_weight');
    await fails(supervisor.request(`/api/inspection/rounds/${round.id}`, json('PATCH', { version: current.version, endsOn: '2027-02-01' })), 422, 'invalid_dates');

    // a small round of two points, with one group
    const ids = [...points.keys()].sort((a, b) => a - b);
    const small = await ok<Round>(post({ ...base, pointIds: ids.slice(0, 2) }), 201);
    expect(small.pointCount).toBe(2);
    const { groups } = await ok<{ groups: Group[] }>(supervisor.request(`/api/inspection/rounds/${small.id}/groups`, json('POST', { count: 1 })), 201);
    const assign = (assignments: unknown) => supervisor.request(`/api/inspection/rounds/${small.id}/assign`, json('POST', { mode: 'explicit', assignments }));
    await fails(assign([{ pointId: ids[5], groupId: groups[0]!.id }]), 422, 'point_not_in_round');
    await fails(assign([{ pointId: 999_999, groupId: groups[0]!.id }]), 422, 'point_not_in_round');
    await fails(assign([{ pointId: ids[0], groupId: assigned.groups[0]!.id }]), 422, 'group_not_in_round');
    await fails(assign([{ pointId: ids[0], groupId: groups[0]!.id }, { pointId: ids[0], groupId: null }]), 422, 'duplicate_point');
    await fails(assign([]), 400, 'invalid_request');
    await fails(supervisor.request(`/api/inspection/rounds/${small.id}/groups`, json('POST', { name: '一组', memberIds: [999_999] })), 422, 'unknown_user');
    await fails(supervisor.request(`/api/inspection/rounds/${small.id}/groups/${assigned.groups[0]!.id}`, json('PATCH', { name: 'x' })), 404, 'group_not_found');
    await fails(supervisor.request('/api/inspection/rounds/999999/assign', json('POST', { mode: 'auto' })), 404, 'round_not_found');
    await fails(viewer.request('/api/inspection/rounds/999999'), 404, 'round_not_found');

    // a closed round keeps its groups and assignment
    await ok<Round>(supervisor.request(`/api/inspection/rounds/${small.id}`, json('PATCH', { version: (await ok<Round>(viewer.request(`/api/inspection/rounds/${small.id}`))).version, status: 'closed' })));
    await fails(supervisor.request(`/api/inspection/rounds/${small.id}/assign`, json('POST', { mode: 'auto' })), 409, 'round_closed');
    // nothing of this was written by the viewer
    await fails(viewer.request('/api/inspection/rounds', json('POST', base)), 403, 'forbidden');
  });
});
