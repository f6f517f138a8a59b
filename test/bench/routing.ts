/**
 * `pnpm bench`, routing (issue 8): all 165 demo points for the 18 groups of
 * the demo's first round, along the demo road network.
 *
 * - time: the whole computation (node the roads, snap the points, distance
 *   matrices, order, paths, route lines), with the JavaScript Dijkstra and, on
 *   a PostgreSQL server that has it, pgRouting — the ratio against the
 *   JavaScript path measured in the same run;
 * - tour length: the total of the 18 routes against nearest neighbour alone
 *   from the same first point (the ratio the ordering heuristic gains);
 * - travel balancing: the count-only compact grouping of all 165 points into
 *   18 groups against the same grouping after the travel-balancing local
 *   search (travel-balance.ts): shortest and longest route time, spread, total
 *   length, over one road distance matrix;
 * - the API's automatic assignment of a new round of 18 groups (balanced
 *   clustering, travel balancing, then the same routing, stored), end to end.
 */
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import { compactGroups } from '../../server/src/services/auto-assignment.ts';
import { nearestCentroid, RoutingService, type RouteRequest } from '../../server/src/services/routing.service.ts';
import { balanceTravel, type GroupTravel } from '../../server/src/services/travel-balance.ts';
import type { TestApp } from '../support/api.ts';
import { ms, ratio, sample, table } from './harness.ts';

const ROUNDS = Number(process.env.BENCH_ROUTING_ROUNDS ?? 5);

export async function benchRouting(database: Database, app: TestApp, record: (key: string, p50: number) => void): Promise<void> {
  const { rows } = await sql<{ group_id: number; point_id: number; lon: number; lat: number }>`
    SELECT rp.group_id, rp.point_id, ST_X(ip.geom)::float8 AS lon, ST_Y(ip.geom)::float8 AS lat
    FROM inspection_rounds r
    JOIN inspection_round_points rp ON rp.round_id = r.id
    JOIN inspection_points ip ON ip.id = rp.point_id
    WHERE r.id = (SELECT min(id) FROM inspection_rounds) AND rp.group_id IS NOT NULL
    ORDER BY rp.group_id, rp.point_id`.execute(database.db);
  const groups = [...new Set(rows.map((r) => r.group_id))];
  const requests: RouteRequest[] = groups.map((g) => ({
    key: g,
    points: rows.filter((r) => r.group_id === g).map((r) => ({ id: r.point_id, lon: r.lon, lat: r.lat })),
    start: null,
  }));
  const routing = new RoutingService(database.db, database.engine);
  const methods = (await routing.method()) === 'pgrouting' ? (['dijkstra', 'pgrouting'] as const) : (['dijkstra'] as const);
  console.log(`\nRouting ${rows.length} points for ${groups.length} groups along the demo roads (p50 of ${ROUNDS}; whole computation, nothing stored)`);
  const out: string[][] = [];
  let jsP50 = 0;
  for (const method of methods) {
    let total = 0;
    let nn = 0;
    const s = await sample(async () => {
      const routes = await routing.compute(database.db, requests, { method });
      total = routes.reduce((sum, r) => sum + r.lengthM, 0);
      nn = routes.reduce((sum, r) => sum + r.nearestNeighbourM, 0);
    }, ROUNDS, 1);
    if (method === 'dijkstra') jsP50 = s.p50;
    record(`routing 165 points (${method})`, s.p50);
    out.push([
      method === 'dijkstra' ? 'JavaScript Dijkstra' : 'pgRouting', ms(s.p50), ms(s.p95), method === 'dijkstra' ? '1.00×' : ratio(s.p50, jsP50),
      `${(total / 1000).toFixed(2)} km`, `${(nn / 1000).toFixed(2)} km`, (total / nn).toFixed(3),
    ]);
  }
  table(['shortest paths', 'p50', 'p95', 'time / JS', 'tour length', 'nearest neighbour', 'length / NN'], out);

  // travel balancing on its own: the count-only compact grouping, then the local search on route times
  const { rows: all } = await sql<{ id: number; lon: number; lat: number }>`
    SELECT id, ST_X(geom)::float8 AS lon, ST_Y(geom)::float8 AS lat FROM inspection_points ORDER BY id`.execute(database.db);
  const k = groups.length;
  const { labels } = compactGroups(all, k);
  let matrixMs = 0;
  const matrix = await (async () => {
    const t = performance.now();
    const m = await routing.distances(database.db, all);
    matrixMs = performance.now() - t;
    return m;
  })();
  const firstOf = (ids: readonly number[]) => ids[nearestCentroid(ids.map((i) => all[i]!))]!;
  let balanced = balanceTravel({ matrix, labels, k, firstOf });
  const search = await sample(async () => {
    balanced = balanceTravel({ matrix, labels, k, firstOf });
  }, ROUNDS, 1);
  record('travel balancing (search only)', search.p50);
  const min = (t: GroupTravel[]) => Math.min(...t.map((g) => g.durationS)) / 60;
  const max = (t: GroupTravel[]) => Math.max(...t.map((g) => g.durationS)) / 60;
  const sizes = (t: GroupTravel[]) => `${Math.min(...t.map((g) => g.points))}–${Math.max(...t.map((g) => g.points))}`;
  const km = (t: GroupTravel[]) => `${(t.reduce((s, g) => s + g.lengthM, 0) / 1000).toFixed(2)} km`;
  console.log(`\nTravel balancing of ${all.length} points into ${k} groups (road matrix ${ms(matrixMs)}; search p50 ${ms(search.p50)}, ` +
    `${balanced.swaps} swaps and ${balanced.moves} moves, ${balanced.evaluations} group routes ordered)`);
  table(['grouping', 'points per group', 'shortest', 'longest', 'spread', 'total length'], [
    ['count only (compact)', sizes(balanced.before), `${min(balanced.before).toFixed(1)} min`, `${max(balanced.before).toFixed(1)} min`,
      `${(max(balanced.before) - min(balanced.before)).toFixed(1)} min`, km(balanced.before)],
    ['+ travel balancing', sizes(balanced.after), `${min(balanced.after).toFixed(1)} min`, `${max(balanced.after).toFixed(1)} min`,
      `${(max(balanced.after) - min(balanced.after)).toFixed(1)} min`, km(balanced.after)],
  ]);

  // the API: a new round over all points, 18 groups, automatic assignment (clustering + routing + storing)
  const planner = app.as('supervisor');
  const post = async (path: string, body: unknown) => {
    const res = await planner.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<{ id: number }>;
  };
  const round = await post('/api/inspection/rounds', { name: `基准轮次-${Date.now()}`, startsOn: '2027-01-04', endsOn: '2027-01-08' });
  await post(`/api/inspection/rounds/${round.id}/groups`, { count: groups.length });
  let lengths: number[] = [];
  let minutes: number[] = [];
  const s = await sample(async () => {
    const answer = (await post(`/api/inspection/rounds/${round.id}/assign`, { mode: 'auto' })) as unknown as { groups: { lengthM: number; durationS: number }[] };
    lengths = answer.groups.map((g) => g.lengthM);
    minutes = answer.groups.map((g) => g.durationS / 60);
  }, Math.max(1, Math.floor(ROUNDS / 2)), 1);
  record('POST assign auto (18 groups)', s.p50);
  const kmOf = (m: number) => `${(m / 1000).toFixed(1)} km`;
  console.log(`\nPOST /api/inspection/rounds/:id/assign {mode:'auto'}: ${ms(s.p50)} p50 (${ms(s.p95)} p95); ` +
    `routes ${kmOf(lengths.reduce((a, b) => a + b, 0))} in all, per group ${kmOf(Math.min(...lengths))}–${kmOf(Math.max(...lengths))}, ` +
    `${Math.round(Math.min(...minutes))}–${Math.round(Math.max(...minutes))} min with the checks`);
}
