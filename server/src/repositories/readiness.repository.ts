import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';
import { jsonColumn } from './json-column.ts';

/** What the readiness board reads of one point of a round, besides its duty coverage (CoverageRepository.points). */
export interface ReadinessRow {
  point_id: number;
  version: number;
  lon: number;
  lat: number;
  group_id: number | null;
  group_name: string | null;
  visit_order: number | null;
  leader: { id: number; name: string } | null;
  department: { id: number; name: string } | null;
  /** Open problems (not closed, not void) within the radius, and those of them past their deadline. */
  open_problems: number;
  overdue_problems: number;
  last_checked_at: Date | string | null;
  /** Seconds from the last check (of any round) to now; null when never checked. */
  since_check_s: number | null;
  /** Active checklist items of the point's type. */
  checklist_items: number;
}

/** A duty type or a coverage group, as the reasons name it. */
export interface DutyLabel {
  id: string;
  name_zh: string;
  name_en: string;
}

/**
 * The readiness board's reads (备检看板): one SQL pass over a round's points
 * for everything but the duty coverage, which the blind-spot engine's own
 * query gives for all points at once.
 */
export class ReadinessRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async round(id: number): Promise<{ id: number; name: string } | undefined> {
    return this.db.selectFrom('inspection_rounds').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  }

  /**
   * Every point of the round with its group, leader, department, the open and
   * overdue problems within `radiusM` metres (a box on the GiST index, then
   * the geodesic distance), its last check in any round, and the number of
   * active checklist items of its type.
   */
  async points(roundId: number, radiusM: number): Promise<ReadinessRow[]> {
    const { rows } = await sql<ReadinessRow>`
      SELECT ip.id AS point_id, ip.version,
             ST_X(ip.geom)::float8 AS lon, ST_Y(ip.geom)::float8 AS lat,
             rp.group_id, g.name AS group_name, rp.visit_order,
             CASE WHEN l.id IS NULL THEN NULL ELSE json_build_object('id', l.id, 'name', l.name) END AS leader,
             CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object('id', d.id, 'name', d.name) END AS department,
             coalesce(near.open_problems, 0)::int AS open_problems,
             coalesce(near.overdue_problems, 0)::int AS overdue_problems,
             lc.checked_at AS last_checked_at,
             extract(epoch FROM (now() - lc.checked_at))::float8 AS since_check_s,
             (SELECT count(*)::int FROM checklist_items ci WHERE ci.point_type = ip.point_type AND ci.active) AS checklist_items
      FROM inspection_round_points rp
      JOIN inspection_points ip ON ip.id = rp.point_id
      LEFT JOIN inspection_groups g ON g.id = rp.group_id
      LEFT JOIN people l ON l.id = ip.leader_person_id
      LEFT JOIN organisations d ON d.id = ip.department_org_id
      LEFT JOIN LATERAL (
        SELECT count(*) AS open_problems, count(*) FILTER (WHERE p.due_at < now()) AS overdue_problems
        FROM problems p
        WHERE p.status NOT IN ('closed', 'void')
          -- a degree of longitude is 111 km times cos(latitude): the box holds the whole circle
          AND p.geom && ST_Expand(ip.geom, ${radiusM}::float8 / 110000.0 / greatest(cos(radians(ST_Y(ip.geom))), 0.01))
          AND ST_DWithin(p.geom::geography, ip.geom::geography, ${radiusM}::float8)
      ) near ON true
      LEFT JOIN LATERAL (
        SELECT c.checked_at FROM inspection_checks c WHERE c.point_id = ip.id ORDER BY c.checked_at DESC LIMIT 1
      ) lc ON true
      WHERE rp.round_id = ${roundId}
      ORDER BY ip.code`.execute(this.db);
    return rows.map((r) => ({ ...r, leader: jsonColumn(r.leader), department: jsonColumn(r.department) }));
  }

  /**
   * Names of the duty types, and of the coverage groups (the duty types that
   * together cover a place once, e.g. city and town sanitation), which the
   * ownership reasons name.
   */
  async dutyLabels(): Promise<DutyLabel[]> {
    const { rows } = await sql<DutyLabel>`
      SELECT id, name_zh, name_en FROM duty_types
      UNION ALL
      SELECT coverage_group, string_agg(name_zh, '/' ORDER BY sort, id), string_agg(name_en, ' / ' ORDER BY sort, id)
      FROM duty_types WHERE coverage_group IS NOT NULL GROUP BY coverage_group`.execute(this.db);
    return rows;
  }
}
