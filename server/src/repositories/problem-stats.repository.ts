import type { DB } from '@civgrid/db';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { jsonColumn } from './json-column.ts';
import { type ProblemFilters, problemWhere } from './problem-filter.ts';
import type { Hotspot, StatsLevel, TerritoryRef, TrendBucket, TrendInterval, UnitCount } from '../contracts/problem-stats.ts';

type Db = Kysely<DB>;

export type { Hotspot, StatsLevel, TerritoryRef, TrendBucket, TrendInterval, UnitCount };
export type BBox = readonly [minLon: number, minLat: number, maxLon: number, maxLat: number];

/** Where the statistics look: inside a territory (by its code), inside a box, or both. */
export interface StatsScope {
  territory?: { code: string; level: string } | undefined;
  bbox?: BBox | undefined;
}

/** Edge of a hot-spot cell in metres (the issue asks for 100–200 m). */
export const HOTSPOT_CELL_M = 150;
/** A cell is a hot spot's core when it holds this many times the average count per cell of the area… */
export const HOTSPOT_CORE_FACTOR = 3;
/** …and never fewer problems than this. */
export const HOTSPOT_MIN_CORE = 3;
/** Metres per degree of latitude, and of longitude at the equator (WGS84, to the precision a 150 m cell needs). */
const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON = 111_320;

/**
 * Statistics of problems for the supervisors' heat-map view: counts and
 * densities per grid or community (the choropleth), hot-spot clusters and
 * the trend of reports and closures. Every query takes the same filters as
 * the heat-map tiles (problem-filter.ts) and runs in one SQL statement.
 */
export class ProblemStatsRepository {
  constructor(private readonly db: Db) {}

  async territory(code: string): Promise<(TerritoryRef & { level: string }) | undefined> {
    const { rows } = await sql<TerritoryRef & { level: string }>`SELECT id, code, name, level FROM territories WHERE code = ${code}`.execute(this.db);
    return rows[0];
  }

  /** Problems inside the scope: a territory by the grids under it (what the counts per grid add up to), a box by position. */
  private scopeWhere(scope: StatsScope): RawBuilder<unknown> {
    const parts: RawBuilder<unknown>[] = [];
    if (scope.territory && scope.territory.level !== 'district') {
      parts.push(sql`p.grid_id IN (SELECT g.id FROM territories g WHERE g.level = 'grid' AND g.code LIKE ${`${scope.territory.code}%`})`);
    }
    if (scope.bbox) parts.push(sql`p.geom && ${envelope(scope.bbox)}`);
    return parts.length > 0 ? sql.join(parts, sql` AND `) : sql`true`;
  }

  /**
   * Problems per grid (or community) with each one's geodesic area, computed
   * once per unit from its geometry as geography. A problem counts in the grid
   * it was filed under (`grid_id`, set by the same spatial test when it was
   * reported), a community's count is its grids' sum. Units without problems
   * are listed with 0. The scope picks the units: those whose code starts
   * with the territory's (or the community holding a grid), those touching
   * the box; their counts are whole.
   */
  async units(level: StatsLevel, f: ProblemFilters, scope: StatsScope): Promise<UnitCount[]> {
    const code = scope.territory?.code;
    const unitScope: RawBuilder<unknown>[] = [sql`t.level = ${level}`];
    if (code && scope.territory?.level !== 'district') unitScope.push(sql`(t.code LIKE ${`${code}%`} OR ${code} LIKE t.code || '%')`);
    if (scope.bbox) unitScope.push(sql`t.geom && ${envelope(scope.bbox)}`);
    const scoped = unitScope.length > 1;
    const key = level === 'grid' ? sql`p.grid_id` : sql`g.parent_id`;
    const { rows } = await sql<{
      id: number; code: string; name: string; parent_name: string | null; area_m2: number; count: number; x0: number; y0: number; x1: number; y1: number;
    }>`
      WITH units AS (
        SELECT t.id, t.code, t.name, up.name AS parent_name, ST_Area(t.geom::geography) AS area_m2,
               ST_XMin(t.geom) AS x0, ST_YMin(t.geom) AS y0, ST_XMax(t.geom) AS x1, ST_YMax(t.geom) AS y1
        FROM territories t LEFT JOIN territories up ON up.id = t.parent_id
        WHERE ${sql.join(unitScope, sql` AND `)}
      ),
      counts AS (
        SELECT ${key} AS id, count(*)::int AS n
        FROM problems p ${level === 'community' ? sql`JOIN territories g ON g.id = p.grid_id` : sql``}
        WHERE ${problemWhere(f)} AND p.grid_id IS NOT NULL ${scoped ? sql`AND ${key} IN (SELECT id FROM units)` : sql``}
        GROUP BY 1
      )
      SELECT u.id, u.code, u.name, u.parent_name, u.area_m2, coalesce(c.n, 0)::int AS count, u.x0, u.y0, u.x1, u.y1
      FROM units u LEFT JOIN counts c ON c.id = u.id
      ORDER BY u.code`.execute(this.db);
    return rows.map((r) => {
      const areaKm2 = Number(r.area_m2) / 1e6;
      return {
        id: r.id,
        code: r.code,
        name: r.name,
        parentName: r.parent_name,
        count: r.count,
        areaKm2: Math.round(areaKm2 * 1e6) / 1e6,
        densityPerKm2: areaKm2 > 0 ? Math.round((r.count / areaKm2) * 100) / 100 : 0,
        bbox: [Number(r.x0), Number(r.y0), Number(r.x1), Number(r.y1)],
      };
    });
  }

  /**
   * The latitude in the middle of the area looked at and its geodesic area:
   * the territory (clipped to the box), the box, or else the district.
   */
  private async areaOfInterest(scope: StatsScope): Promise<{ lat: number; areaM2: number }> {
    const territory = scope.territory ? sql`(SELECT geom FROM territories WHERE code = ${scope.territory.code})` : null;
    const box = scope.bbox ? envelope(scope.bbox) : null;
    const geom = territory && box ? sql`ST_ClipByBox2D(${territory}, ${box})` : (territory ?? box ?? sql`(SELECT geom FROM territories WHERE level = 'district' ORDER BY id LIMIT 1)`);
    const { rows } = await sql<{ lat: number | null; area_m2: number | null }>`
      SELECT ST_Y(ST_Centroid(g)) AS lat, ST_Area(g::geography) AS area_m2 FROM (SELECT ${geom} AS g) s`.execute(this.db);
    return { lat: Number(rows[0]?.lat ?? 0), areaM2: Number(rows[0]?.area_m2 ?? 0) };
  }

  /**
   * Hot spots: places where problems crowd, largest first.
   *
   * Why this way: clustering every problem (ST_ClusterDBSCAN or kernel
   * density over a million points) costs seconds and memory on either engine,
   * so the problems are first counted into cells of about 150 m × 150 m, in
   * one pass over the table that a parallel scan and a hash aggregate do well
   * (a degree grid whose longitude step is scaled by the cosine of the area's
   * latitude, so that cells are square on the ground without transforming a
   * million points). A district of 92 km² has about 4,100 such cells, few
   * enough for any clustering. Then a DBSCAN over the cells, weighted by
   * their counts: a cell is a core cell when it holds at least
   * HOTSPOT_CORE_FACTOR times the average count per cell of the area (and
   * at least HOTSPOT_MIN_CORE problems), so the rule follows the filters'
   * volume rather than a fixed number; ST_ClusterDBSCAN with eps 1.5 cells
   * and minpoints 1 joins core cells that touch, edges or corners, into
   * clusters; and, as DBSCAN's border points, the cells next to a core cell
   * that are not core themselves join its cluster (a crowd cut by a cell edge
   * stays whole). A cluster's centroid is the mean of its problems, its box
   * their extent.
   */
  async hotspots(f: ProblemFilters, scope: StatsScope, limit: number): Promise<Hotspot[]> {
    const { lat, areaM2 } = await this.areaOfInterest(scope);
    const dy = HOTSPOT_CELL_M / M_PER_DEG_LAT;
    const dx = HOTSPOT_CELL_M / (M_PER_DEG_LON * Math.max(0.05, Math.cos((lat * Math.PI) / 180)));
    const areaCells = Math.max(1, areaM2 / HOTSPOT_CELL_M ** 2);
    const { rows } = await sql<{
      n: number; cx: number; cy: number; x0: number; y0: number; x1: number; y1: number; cells: number; categories: unknown;
      grid_id: number | null; grid_code: string | null; grid_name: string | null;
      community_id: number | null; community_code: string | null; community_name: string | null;
    }>`
      WITH pc AS (
        SELECT q.i, q.j, q.category_id, count(*)::int AS n, sum(q.x) AS sx, sum(q.y) AS sy,
               min(q.x) AS x0, min(q.y) AS y0, max(q.x) AS x1, max(q.y) AS y1
        FROM (
          SELECT ST_X(p.geom) AS x, ST_Y(p.geom) AS y, p.category_id,
                 floor(ST_X(p.geom) / ${dx}::float8)::int AS i, floor(ST_Y(p.geom) / ${dy}::float8)::int AS j
          FROM problems p
          WHERE ${problemWhere(f)} AND ${this.scopeWhere(scope)}
        ) q
        GROUP BY q.i, q.j, q.category_id
      ),
      cells AS (
        SELECT i, j, sum(n)::int AS n, sum(sx) AS sx, sum(sy) AS sy, min(x0) AS x0, min(y0) AS y0, max(x1) AS x1, max(y1) AS y1
        FROM pc GROUP BY i, j
      ),
      core AS (
        SELECT c.i, c.j, c.n, ST_ClusterDBSCAN(ST_MakePoint(c.i, c.j), 1.5, 1) OVER () AS cid
        FROM cells c
        WHERE c.n >= greatest(${HOTSPOT_MIN_CORE}::int, ceil(${HOTSPOT_CORE_FACTOR}::float8 * (SELECT sum(n) FROM cells) / ${areaCells}::float8))
      ),
      border AS (
        SELECT DISTINCT ON (c.i, c.j) c.i, c.j, k.cid
        FROM core k CROSS JOIN generate_series(-1, 1) di CROSS JOIN generate_series(-1, 1) dj
        JOIN cells c ON c.i = k.i + di AND c.j = k.j + dj
        WHERE NOT EXISTS (SELECT 1 FROM core x WHERE x.i = c.i AND x.j = c.j)
        ORDER BY c.i, c.j, k.n DESC, k.cid
      ),
      member AS (SELECT i, j, cid FROM core UNION ALL SELECT i, j, cid FROM border),
      clusters AS (
        SELECT m.cid, sum(c.n)::int AS n, sum(c.sx) / sum(c.n) AS cx, sum(c.sy) / sum(c.n) AS cy,
               min(c.x0) AS x0, min(c.y0) AS y0, max(c.x1) AS x1, max(c.y1) AS y1, count(*)::int AS cells
        FROM member m JOIN cells c ON c.i = m.i AND c.j = m.j
        GROUP BY m.cid
        ORDER BY n DESC, x0, y0
        LIMIT ${limit}
      ),
      cats AS (
        SELECT m.cid, pc.category_id, sum(pc.n)::int AS n
        FROM member m JOIN pc ON pc.i = m.i AND pc.j = m.j
        WHERE m.cid IN (SELECT cid FROM clusters)
        GROUP BY 1, 2
      ),
      top AS (
        SELECT r.cid, json_agg(json_build_object('id', r.category_id, 'nameZh', pcat.name_zh, 'nameEn', pcat.name_en, 'count', r.n)
                               ORDER BY r.n DESC, r.category_id) AS categories
        FROM (SELECT cats.*, row_number() OVER (PARTITION BY cats.cid ORDER BY cats.n DESC, cats.category_id) AS rk FROM cats) r
        JOIN problem_categories pcat ON pcat.id = r.category_id
        WHERE r.rk <= 3
        GROUP BY r.cid
      )
      SELECT c.n, c.cx, c.cy, c.x0, c.y0, c.x1, c.y1, c.cells, coalesce(top.categories, '[]'::json) AS categories,
             g.id AS grid_id, g.code AS grid_code, g.name AS grid_name,
             cm.id AS community_id, cm.code AS community_code, cm.name AS community_name
      FROM clusters c
      LEFT JOIN top ON top.cid = c.cid
      LEFT JOIN LATERAL (
        SELECT t.id, t.code, t.name, t.parent_id FROM territories t
        WHERE t.level = 'grid' AND ST_DWithin(t.geom, ST_SetSRID(ST_MakePoint(c.cx, c.cy), 4326), 0.003)
        ORDER BY t.geom <-> ST_SetSRID(ST_MakePoint(c.cx, c.cy), 4326), t.id
        LIMIT 1
      ) g ON true
      LEFT JOIN territories cm ON cm.id = g.parent_id
      ORDER BY c.n DESC, c.x0, c.y0`.execute(this.db);
    const round = (v: number) => Math.round(Number(v) * 1e7) / 1e7;
    return rows.map((r) => ({
      count: r.n,
      centroid: [round(r.cx), round(r.cy)],
      bbox: [round(r.x0), round(r.y0), round(r.x1), round(r.y1)],
      cells: r.cells,
      categories: jsonColumn(r.categories as Hotspot['categories']),
      grid: r.grid_id === null ? null : { id: r.grid_id, code: r.grid_code!, name: r.grid_name! },
      community: r.community_id === null ? null : { id: r.community_id, code: r.community_code!, name: r.community_name! },
    }));
  }

  /**
   * Problems reported and problems closed per day, week (from Monday) or
   * month in China time over [from, to), every bucket listed, empty ones
   * with 0. The other filters pick the problems; the period bounds each
   * count by its own moment (reported_at, closed_at).
   */
  async trend(interval: TrendInterval, f: ProblemFilters, scope: StatsScope, from: Date, to: Date): Promise<TrendBucket[]> {
    const { from: _from, to: _to, ...rest } = f;
    const where = sql`${problemWhere(rest)} AND ${this.scopeWhere(scope)}`;
    const bucket = (column: RawBuilder<unknown>) => sql`date_trunc(${interval}, (${column}) AT TIME ZONE 'Asia/Shanghai')`;
    const [start, end] = [from.toISOString(), to.toISOString()];
    const { rows } = await sql<{ start: string; reported: number; closed: number }>`
      WITH series AS (
        SELECT generate_series(
          ${bucket(sql`${start}::timestamptz`)},
          ${bucket(sql`${end}::timestamptz - interval '1 microsecond'`)},
          ${`1 ${interval}`}::interval) AS b
      ),
      reported AS (
        SELECT ${bucket(sql`p.reported_at`)} AS b, count(*)::int AS n FROM problems p
        WHERE ${where} AND p.reported_at >= ${start}::timestamptz AND p.reported_at < ${end}::timestamptz
        GROUP BY 1
      ),
      closed AS (
        SELECT ${bucket(sql`p.closed_at`)} AS b, count(*)::int AS n FROM problems p
        WHERE ${where} AND p.status = 'closed' AND p.closed_at >= ${start}::timestamptz AND p.closed_at < ${end}::timestamptz
        GROUP BY 1
      )
      SELECT to_char(s.b, 'YYYY-MM-DD') AS start, coalesce(r.n, 0)::int AS reported, coalesce(c.n, 0)::int AS closed
      FROM series s LEFT JOIN reported r ON r.b = s.b LEFT JOIN closed c ON c.b = s.b
      ORDER BY s.b`.execute(this.db);
    return rows;
  }
}

function envelope(b: BBox): RawBuilder<unknown> {
  return sql`ST_MakeEnvelope(${b[0]}::float8, ${b[1]}::float8, ${b[2]}::float8, ${b[3]}::float8, 4326)`;
}
