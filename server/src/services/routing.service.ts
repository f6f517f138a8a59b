import type { DB, Engine } from '@civgrid/db';
import type { Kysely } from 'kysely';
import { detectPgRouting, type LegSteps, RoadGraphRepository, type StopInput } from '../repositories/road-graph.repository.ts';
import { RoadGraph, type ShortestPaths } from './dijkstra.ts';
import { type Matrix, orderStops } from './route-order.ts';

/**
 * Travel time of a route: 25 km/h, an average for driving in the town centre
 * with its crossings and lights, plus 10 minutes at each point for the check.
 */
export const AVERAGE_SPEED_KMH = 25;
export const SECONDS_PER_POINT = 600;

export const durationOf = (lengthM: number, points: number) => lengthM / ((AVERAGE_SPEED_KMH * 1000) / 3600) + SECONDS_PER_POINT * points;

/** `straight`: only when there is no road at all (an installation without a road layer): straight lines between the stops. */
export type RoutingMethod = 'pgrouting' | 'dijkstra' | 'straight';

/** The points one group visits, and where it starts (null: at the point nearest its centroid). */
export interface RouteRequest {
  key: number;
  points: { id: number; lon: number; lat: number }[];
  start: { lon: number; lat: number } | null;
}

export interface RouteLeg {
  /** Point id the leg leaves from; null: the group's start. */
  from: number | null;
  to: number;
  lengthM: number;
}

export interface ComputedRoute {
  key: number;
  /** Point ids in visiting order. */
  pointIds: number[];
  /** Road length from the start (or the first point) to the last point, metres. */
  lengthM: number;
  durationS: number;
  legs: RouteLeg[];
  /** MultiLineString GeoJSON (one line per leg, along the roads), or null when there is no leg to draw. */
  geometry: string | null;
  method: RoutingMethod;
  /** Length of nearest neighbour alone from the same first stop: the baseline of `pnpm bench`. */
  nearestNeighbourM: number;
}

/**
 * Orders each group's points along the roads and draws the route: shortest
 * paths over the road graph (pgRouting's pgr_dijkstraCostMatrix and
 * pgr_dijkstra on a PostgreSQL server that has it, Dijkstra in JavaScript
 * otherwise — both over the same edges, see RoadGraphRepository), then the
 * ordering heuristic of route-order.ts. Routes are open paths: from the start
 * (or the first point) to the last point, not back.
 *
 * The length counts the roads only, from where each stop meets its nearest
 * road; the few metres from the road to a point are not part of it.
 */
export class RoutingService {
  private pgRouting: Promise<boolean> | undefined;
  /** The graph last built in each transaction (see `prepare`). */
  private readonly built = new WeakMap<Kysely<DB>, { signature: string; roads: RoadGraph; nodeAt: Map<string, number> }>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly engine: Engine,
    private readonly graph = new RoadGraphRepository(),
  ) {}

  /** The method routes use on this database: pgRouting when the server has it (created on first use), else JavaScript. */
  async method(): Promise<RoutingMethod> {
    if (this.engine !== 'postgres') return 'dijkstra';
    this.pgRouting ??= detectPgRouting(this.db).catch(() => false);
    return (await this.pgRouting) ? 'pgrouting' : 'dijkstra';
  }

  /**
   * Routes for several groups over one graph. `db` should be the transaction
   * the results are stored in (the graph's temp tables live in it); without
   * one, a transaction of its own is opened. `method` forces one (tests, bench).
   */
  async compute(db: Kysely<DB>, requests: readonly RouteRequest[], options: { method?: RoutingMethod } = {}): Promise<ComputedRoute[]> {
    const method = options.method ?? (await this.method());
    if (!db.isTransaction) return db.transaction().execute((trx) => this.compute(trx, requests, { method }));
    const withPoints = requests.filter((r) => r.points.length > 0);
    if (withPoints.length === 0) return requests.map((r) => empty(r.key, method));

    // Every stop of every request, numbered: a request's start, then its points.
    const stops: StopInput[] = [];
    const plans = withPoints.map((r) => {
      const keys: number[] = [];
      if (r.start) keys.push(pushStop(stops, r.start));
      for (const p of r.points) keys.push(pushStop(stops, p));
      return { request: r, keys, hasStart: r.start !== null };
    });

    const graph = await this.prepare(db, stops);
    if (!graph) return requests.map((r) => straight(r));
    const { roads, nodeOf } = graph;

    const nodesOf = plans.map((plan) => {
      const nodes = plan.keys.map(nodeOf);
      if (nodes.some((n) => n === undefined)) throw new Error('a stop could not be snapped to the road network');
      return nodes as number[];
    });
    // pgRouting: one distance matrix over every stop of every group, one call for every leg's path
    const pgrCost = method === 'pgrouting' ? await this.pgrCosts(db, nodesOf.flat()) : undefined;
    const results: ComputedRoute[] = [];
    const pending: { route: number; leg: number; a: number; b: number; tree?: ShortestPaths }[] = [];
    plans.forEach((plan, p) => {
      const nodeList = nodesOf[p]!;
      let matrix: number[][];
      let trees: ShortestPaths[] | undefined;
      if (pgrCost) {
        matrix = nodeList.map((a) => nodeList.map((b) => (a === b ? 0 : (pgrCost.get(`${a}:${b}`) ?? pgrCost.get(`${b}:${a}`) ?? Number.POSITIVE_INFINITY))));
      } else {
        trees = nodeList.map((n) => roads.from(n, nodeList));
        matrix = trees.map((t) => nodeList.map((m) => t.dist.get(m) ?? Number.POSITIVE_INFINITY));
      }
      const first = plan.hasStart ? undefined : nearestCentroid(plan.request.points);
      const { order, length, nearestNeighbourLength } = orderStops(matrix, plan.hasStart ? { start: 0 } : { first });
      const pointIndex = (i: number) => (plan.hasStart ? i - 1 : i);
      const legs: RouteLeg[] = [];
      for (let s = 1; s < order.length; s++) {
        const i = order[s - 1]!;
        const j = order[s]!;
        legs.push({
          from: plan.hasStart && i === 0 ? null : plan.request.points[pointIndex(i)]!.id,
          to: plan.request.points[pointIndex(j)]!.id,
          lengthM: round(matrix[i]![j]!),
        });
        pending.push({ route: plan.request.key, leg: s - 1, a: nodeList[i]!, b: nodeList[j]!, ...(trees ? { tree: trees[i]! } : {}) });
      }
      const pointIds = order.filter((i) => !(plan.hasStart && i === 0)).map((i) => plan.request.points[pointIndex(i)]!.id);
      results.push({
        key: plan.request.key, pointIds, lengthM: round(length), durationS: Math.round(durationOf(length, pointIds.length)),
        legs, geometry: null, method, nearestNeighbourM: round(nearestNeighbourLength),
      });
    });
    const found = pgrCost ? await this.graph.pgrPaths(db, pending.map((l, id) => ({ id, a: l.a, b: l.b }))) : undefined;
    const legSteps: LegSteps[] = [];
    for (const l of pending) {
      const steps = l.a === l.b ? [] : found ? found.get(`${l.a}:${l.b}`) : l.tree!.pathTo(l.b);
      if (steps && steps.length > 0) legSteps.push({ route: l.route, leg: l.leg, steps });
    }
    const geometries = await this.graph.routeGeometries(db, legSteps);
    for (const r of results) r.geometry = geometries.get(r.key) ?? null;
    return requests.map((r) => results.find((x) => x.key === r.key) ?? empty(r.key, method));
  }

  /**
   * Road distances (metres) between places, as the routes use them: for
   * tests and the bench, which compare the ordering with other orders.
   */
  async distances(db: Kysely<DB>, places: readonly { lon: number; lat: number }[], options: { method?: RoutingMethod } = {}): Promise<number[][]> {
    const method = options.method ?? (await this.method());
    if (!db.isTransaction) return db.transaction().execute((trx) => this.distances(trx, places, { method }));
    const stops: StopInput[] = [];
    const keys = places.map((p) => pushStop(stops, p));
    const graph = await this.prepare(db, stops);
    if (!graph) return places.map((a) => places.map((b) => haversine(a, b)));
    const nodes = keys.map((k) => {
      const node = graph.nodeOf(k);
      if (node === undefined) throw new Error('a stop could not be snapped to the road network');
      return node;
    });
    if (method === 'pgrouting') return this.pgrMatrix(db, nodes);
    const roads = graph.roads;
    return nodes.map((n) => {
      const tree = roads.from(n, nodes);
      return nodes.map((m) => tree.dist.get(m) ?? Number.POSITIVE_INFINITY);
    });
  }

  /**
   * The road graph of this transaction cut at these stops (undefined: no road
   * at all). Built in SQL (RoadGraphRepository) and kept for the transaction
   * while the stops are the same places, so that the automatic assignment's
   * distance matrix and the routes computed right after it in the same
   * transaction share one build; other stops build it again (the temp tables
   * then hold the new one, which the cache then describes).
   */
  private async prepare(db: Kysely<DB>, stops: readonly StopInput[]): Promise<{ roads: RoadGraph; nodeOf: (key: number) => number | undefined } | undefined> {
    const place = (s: StopInput) => `${s.lon},${s.lat}`;
    const signature = [...new Set(stops.map(place))].sort().join(';');
    let built = this.built.get(db);
    if (!built || built.signature !== signature) {
      this.built.delete(db);
      const pieces = await this.graph.pieces(db);
      if (pieces.length === 0) return undefined;
      const main = new RoadGraph(pieces).largestComponent();
      const prepared = await this.graph.cut(db, pieces.filter((p) => main.has(p.source)).map((p) => p.id), stops);
      const nodeAt = new Map<string, number>();
      for (const s of stops) {
        const node = prepared.stops.get(s.key)?.node;
        if (node !== undefined) nodeAt.set(place(s), node);
      }
      built = { signature, roads: new RoadGraph(prepared.edges), nodeAt };
      this.built.set(db, built);
    }
    const { roads, nodeAt } = built;
    const byKey = new Map(stops.map((s) => [s.key, place(s)]));
    return { roads, nodeOf: (key) => nodeAt.get(byKey.get(key) ?? '') };
  }

  private async pgrCosts(db: Kysely<DB>, nodes: number[]): Promise<Map<string, number>> {
    const cost = new Map<string, number>();
    for (const r of await this.graph.pgrMatrix(db, nodes)) cost.set(`${r.a}:${r.b}`, r.cost);
    return cost;
  }

  private async pgrMatrix(db: Kysely<DB>, nodes: number[]): Promise<number[][]> {
    const cost = await this.pgrCosts(db, nodes);
    return nodes.map((a) => nodes.map((b) => (a === b ? 0 : (cost.get(`${a}:${b}`) ?? cost.get(`${b}:${a}`) ?? Number.POSITIVE_INFINITY))));
  }
}

function pushStop(stops: StopInput[], p: { lon: number; lat: number }): number {
  const key = stops.length + 1;
  stops.push({ key, lon: p.lon, lat: p.lat });
  return key;
}

/** Index of the point nearest the points' mean position (local metric scale; ties: the first). */
export function nearestCentroid(points: readonly { lon: number; lat: number }[]): number {
  const lon = points.reduce((s, p) => s + p.lon, 0) / points.length;
  const lat = points.reduce((s, p) => s + p.lat, 0) / points.length;
  const k = Math.cos((lat * Math.PI) / 180);
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  points.forEach((p, i) => {
    const d = ((p.lon - lon) * k) ** 2 + (p.lat - lat) ** 2;
    if (d < bestD) {
      best = i;
      bestD = d;
    }
  });
  return best;
}

const round = (m: number) => Math.round(m * 10) / 10;

/** Great-circle distance on the mean Earth sphere, metres (the straight-line fallback only). */
function haversine(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Without any road: the same ordering over straight-line distances, drawn as straight lines. */
function straight(r: RouteRequest): ComputedRoute {
  if (r.points.length === 0) return empty(r.key, 'straight');
  const stops = r.start ? [r.start, ...r.points] : r.points;
  const matrix = stops.map((a) => stops.map((b) => haversine(a, b)));
  const { order, length, nearestNeighbourLength } = orderStops(matrix, r.start ? { start: 0 } : { first: nearestCentroid(r.points) });
  const id = (i: number) => (r.start ? (i === 0 ? null : r.points[i - 1]!.id) : r.points[i]!.id);
  const legs = order.slice(1).map((j, s) => ({ from: id(order[s]!), to: id(j) as number, lengthM: round(matrix[order[s]!]![j]!) }));
  const lines = order.slice(1).map((j, s) => [[stops[order[s]!]!.lon, stops[order[s]!]!.lat], [stops[j]!.lon, stops[j]!.lat]]);
  const pointIds = order.map(id).filter((x): x is number => x !== null);
  return {
    key: r.key, pointIds, lengthM: round(length), durationS: Math.round(durationOf(length, pointIds.length)), legs,
    geometry: lines.length ? JSON.stringify({ type: 'MultiLineString', coordinates: lines }) : null, method: 'straight', nearestNeighbourM: round(nearestNeighbourLength),
  };
}

function empty(key: number, method: RoutingMethod): ComputedRoute {
  return { key, pointIds: [], lengthM: 0, durationS: 0, legs: [], geometry: null, method, nearestNeighbourM: 0 };
}

/** For tests and the bench: the matrix type the ordering takes. */
export type { Matrix };
