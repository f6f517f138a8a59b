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
 * - the API's automatic assignment of a new round of 18 groups (balanced
 *   clustering, then the same routing, stored), end to end.
 */
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import { RoutingService, type RouteRequest } from '../../server/src/services/routing.service.ts';
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
  const km = (m: number) => `${(m / 1000).toFixed(1)} km`;
  console.log(`\nPOST /api/inspection/rounds/:id/assign {mode:'auto'}: ${ms(s.p50)} p50 (${ms(s.p95)} p95); ` +
    `routes ${km(lengths.reduce((a, b) => a + b, 0))} in all, per group ${km(Math.min(...lengths))}–${km(Math.max(...lengths))}, ` +
    `${Math.round(Math.min(...minutes))}–${Math.round(Math.max(...minutes))} min with the checks`);
}
