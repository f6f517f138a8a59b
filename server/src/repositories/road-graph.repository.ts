import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';
import type { GraphEdge, PathStep } from '../services/dijkstra.ts';

/** A place to route from or to: an inspection point or a group's start. */
export interface StopInput {
  key: number;
  lon: number;
  lat: number;
}

/** Where a stop joined the road network. */
export interface SnappedStop {
  key: number;
  /** Node of the routing graph at the stop's position on its road. */
  node: number;
  /** Distance from the stop to that position, metres (not part of the route length). */
  offsetM: number;
}

export interface PreparedGraph {
  edges: GraphEdge[];
  stops: Map<number, SnappedStop>;
}

/** A leg to find with pgRouting: from node `a` to node `b`. */
export interface LegRequest {
  id: number;
  a: number;
  b: number;
}

/** One leg of a route for the geometry: its path steps in order. */
export interface LegSteps {
  route: number;
  leg: number;
  steps: PathStep[];
}

const json = (value: unknown) => sql`(${JSON.stringify(value)}::text)::json`;

/** The edges query pgRouting reads (the temp table of this transaction). */
const EDGES_SQL = 'SELECT id, source, target, cost FROM route_edges';

/**
 * The road graph of the `roads` table, built in SQL for one transaction.
 *
 * - The network is noded: ST_Node cuts the lines at every crossing and shared
 *   vertex (crossings are shared vertices in the seed, but ST_Node also finds
 *   true crossings); each piece is an edge between its end points, whose
 *   coordinates (on a 1e-7° grid) identify the nodes.
 * - Each stop is snapped to the nearest piece of the largest connected part of
 *   the network (by ST_Distance in metres on the sphere among the nearest few by `<->`) at
 *   ST_LineLocatePoint; pieces are cut there (ST_LineSubstring), so that every
 *   stop is a node and both pgRouting and the JavaScript Dijkstra work on the
 *   same plain edge list. Edge cost: ST_Length(geom::geography), metres.
 *
 * The graph lives in temp tables dropped at commit: `prepare` must run inside
 * a transaction, and every later call of the same computation in that same one.
 */
export class RoadGraphRepository {
  /** Built once per transaction: the noded network, before stops cut it. */
  async pieces(trx: Kysely<DB>): Promise<GraphEdge[]> {
    await sql`DROP TABLE IF EXISTS route_edges, route_pieces`.execute(trx);
    await sql`
      CREATE TEMP TABLE route_pieces ON COMMIT DROP AS
      SELECT row_number() OVER ()::int AS id, d.geom, false AS main
      FROM (SELECT (ST_Dump(ST_Node(ST_Collect(ST_SnapToGrid(geom, 1e-7))))).geom FROM roads) d
      WHERE GeometryType(d.geom) = 'LINESTRING' AND ST_Length(d.geom) > 0`.execute(trx);
    await sql`CREATE INDEX ON route_pieces USING gist (geom)`.execute(trx);
    await sql`ANALYZE route_pieces`.execute(trx);
    const { rows } = await sql<{ id: number; a: string; b: string; cost: number }>`
      SELECT id, ST_AsText(ST_SnapToGrid(ST_StartPoint(geom), 1e-7)) AS a, ST_AsText(ST_SnapToGrid(ST_EndPoint(geom), 1e-7)) AS b,
             ST_Length(geom::geography)::float8 AS cost
      FROM route_pieces ORDER BY id`.execute(trx);
    const nodes = new Map<string, number>();
    const node = (k: string) => {
      let n = nodes.get(k);
      if (n === undefined) {
        n = nodes.size + 1;
        nodes.set(k, n);
      }
      return n;
    };
    return rows.map((r) => ({ id: r.id, source: node(r.a), target: node(r.b), cost: r.cost }));
  }

  /**
   * Snaps the stops to the pieces in `mainPieces` (the connected part),
   * cuts those pieces at the stops and keeps the cut edges in `route_edges`.
   */
  async cut(trx: Kysely<DB>, mainPieces: readonly number[], stops: readonly StopInput[]): Promise<PreparedGraph> {
    await sql`UPDATE route_pieces SET main = true WHERE id IN (SELECT value::int FROM json_array_elements_text(${json(mainPieces)}))`.execute(trx);
    const { rows: snaps } = await sql<{ key: number; piece: number; f: number; offset_m: number }>`
      SELECT s.key, n.id AS piece, ST_LineLocatePoint(n.geom, s.p)::float8 AS f, n.d AS offset_m
      FROM (SELECT key, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS p FROM json_to_recordset(${json(stops)}) AS x(key int, lon float8, lat float8)) s
      CROSS JOIN LATERAL (
        SELECT c.id, c.geom, ST_Distance(c.geom::geography, s.p::geography, false)::float8 AS d
        FROM (SELECT id, geom FROM route_pieces WHERE main ORDER BY geom <-> s.p, id LIMIT 8) c
        ORDER BY d, c.id LIMIT 1) n`.execute(trx);
    await sql`
      CREATE TEMP TABLE route_edges ON COMMIT DROP AS
      WITH cuts AS (
        SELECT DISTINCT piece, f FROM (
          SELECT piece, f FROM json_to_recordset(${json(snaps.map((s) => ({ piece: s.piece, f: s.f })))}) AS c(piece int, f float8)
          UNION ALL SELECT id, 0 FROM route_pieces WHERE main
          UNION ALL SELECT id, 1 FROM route_pieces WHERE main) c),
      spans AS (
        SELECT piece, f AS f0, lead(f) OVER (PARTITION BY piece ORDER BY f) AS f1 FROM cuts),
      lines AS (
        SELECT row_number() OVER (ORDER BY s.piece, s.f0)::int AS id, s.piece, s.f0, s.f1, ST_LineSubstring(p.geom, s.f0, s.f1) AS geom
        FROM spans s JOIN route_pieces p ON p.id = s.piece
        WHERE s.f1 > s.f0),
      ends AS (
        SELECT id, ST_AsText(ST_SnapToGrid(ST_StartPoint(geom), 1e-7)) AS a, ST_AsText(ST_SnapToGrid(ST_EndPoint(geom), 1e-7)) AS b
        FROM lines WHERE GeometryType(geom) = 'LINESTRING'),
      nodes AS (
        SELECT k, dense_rank() OVER (ORDER BY k)::int AS node FROM (SELECT a AS k FROM ends UNION SELECT b FROM ends) x)
      SELECT l.id, na.node AS source, nb.node AS target, ST_Length(l.geom::geography)::float8 AS cost, l.piece, l.f0, l.f1, l.geom
      FROM lines l JOIN ends e ON e.id = l.id JOIN nodes na ON na.k = e.a JOIN nodes nb ON nb.k = e.b`.execute(trx);
    const { rows: edges } = await sql<{ id: number; source: number; target: number; cost: number; piece: number; f0: number; f1: number }>`
      SELECT id, source, target, cost, piece, f0::float8 AS f0, f1::float8 AS f1 FROM route_edges ORDER BY id`.execute(trx);
    // A stop's node: where an edge of its piece starts (or, at the piece's end, stops) at its fraction.
    const at = new Map<string, number>();
    for (const e of edges) {
      at.set(`${e.piece}:${e.f0}`, e.source);
      at.set(`${e.piece}:${e.f1}`, e.target);
    }
    const stopsByKey = new Map<number, SnappedStop>();
    for (const s of snaps) {
      let node = at.get(`${s.piece}:${s.f}`);
      if (node === undefined) {
        // not expected (the cut is at exactly this fraction); the nearest cut of the piece then
        const nearest = edges.filter((e) => e.piece === s.piece).sort((a, b) => Math.abs(a.f0 - s.f) - Math.abs(b.f0 - s.f))[0];
        node = nearest?.source;
      }
      if (node !== undefined) stopsByKey.set(s.key, { key: s.key, node, offsetM: s.offset_m });
    }
    return { edges: edges.map(({ id, source, target, cost }) => ({ id, source, target, cost })), stops: stopsByKey };
  }

  /** pgRouting's distance matrix between nodes (pairs it leaves out are unreachable, or the same node). */
  async pgrMatrix(trx: Kysely<DB>, nodes: readonly number[]): Promise<{ a: number; b: number; cost: number }[]> {
    const distinct = [...new Set(nodes)];
    if (distinct.length < 2) return [];
    const { rows } = await sql<{ a: number; b: number; cost: number }>`
      SELECT start_vid::int AS a, end_vid::int AS b, agg_cost::float8 AS cost
      FROM pgr_dijkstraCostMatrix(${EDGES_SQL}, ARRAY(SELECT value::bigint FROM json_array_elements_text(${json(distinct)})), directed := false)`.execute(trx);
    return rows;
  }

  /** pgRouting's shortest paths for the legs: the edges of each, in order, with their direction. */
  async pgrPaths(trx: Kysely<DB>, legs: readonly LegRequest[]): Promise<Map<string, PathStep[]>> {
    const wanted = legs.filter((l) => l.a !== l.b);
    const paths = new Map<string, PathStep[]>();
    if (wanted.length === 0) return paths;
    const pairs = [...new Set(wanted.map((l) => `(${Math.trunc(l.a)},${Math.trunc(l.b)})`))].join(',');
    const combinations = `SELECT * FROM (VALUES ${pairs}) AS t(source, target)`;
    const { rows } = await sql<{ a: number; b: number; seq: number; node: number; edge: number; source: number }>`
      SELECT p.start_vid::int AS a, p.end_vid::int AS b, p.path_seq::int AS seq, p.node::int AS node, p.edge::int AS edge, e.source
      FROM pgr_dijkstra(${EDGES_SQL}, ${combinations}, directed := false) p
      JOIN route_edges e ON e.id = p.edge
      ORDER BY p.start_vid, p.end_vid, p.path_seq`.execute(trx);
    for (const r of rows) {
      const key = `${r.a}:${r.b}`;
      const steps = paths.get(key) ?? [];
      steps.push({ edge: r.edge, reversed: r.node !== r.source });
      paths.set(key, steps);
    }
    return paths;
  }

  /**
   * The geometry of each route: one LineString per leg (its edges joined in
   * the direction walked), collected into a MultiLineString, as GeoJSON.
   */
  async routeGeometries(trx: Kysely<DB>, legs: readonly LegSteps[]): Promise<Map<number, string>> {
    const steps = legs.flatMap((l) => l.steps.map((s, seq) => ({ route: l.route, leg: l.leg, seq, edge: s.edge, rev: s.reversed })));
    const out = new Map<number, string>();
    if (steps.length === 0) return out;
    const { rows } = await sql<{ route: number; geojson: string }>`
      WITH steps AS (
        SELECT * FROM json_to_recordset(${json(steps)}) AS s(route int, leg int, seq int, edge int, rev boolean)),
      legs AS (
        SELECT s.route, s.leg,
               ST_RemoveRepeatedPoints(ST_MakeLine(array_agg(CASE WHEN s.rev THEN ST_Reverse(e.geom) ELSE e.geom END ORDER BY s.seq))) AS geom
        FROM steps s JOIN route_edges e ON e.id = s.edge
        GROUP BY s.route, s.leg)
      SELECT route, ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(ST_Collect(geom ORDER BY leg), 2)), 7) AS geojson
      FROM legs WHERE GeometryType(geom) = 'LINESTRING' GROUP BY route`.execute(trx);
    for (const r of rows) out.set(r.route, r.geojson);
    return out;
  }
}

/** Whether this PostgreSQL server can route with pgRouting: the extension exists or can be created. */
export async function detectPgRouting(db: Kysely<DB>): Promise<boolean> {
  const installed = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pgrouting'`.execute(db)).rows[0]!.n > 0;
  if (await installed()) return true;
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS pgrouting`.execute(db);
    return true;
  } catch {
    // not available on this server, or no right to create it (a concurrent creation also lands here)
    return installed();
  }
}
