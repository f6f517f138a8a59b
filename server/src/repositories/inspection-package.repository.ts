import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';
import { jsonColumn } from './json-column.ts';
import type { PersonSummary } from './inspection-point.repository.ts';

/** The round as the field package carries it. */
export interface PackageRound {
  id: number;
  name: string;
  startsOn: string;
  endsOn: string;
  weight: number;
  status: 'planning' | 'active' | 'closed';
  version: number;
}

export interface PackageGroup {
  id: number;
  roundId: number;
  name: string;
  color: string | null;
  leader: { id: number; displayName: string } | null;
  members: { id: number; username: string; displayName: string }[];
}

/** One point of the group, in visiting order, with the people a checker calls. */
export interface PackagePoint {
  id: number;
  code: string;
  name: string;
  pointType: string;
  address: string | null;
  lon: number;
  lat: number;
  version: number;
  visitOrder: number | null;
  community: { id: number; name: string } | null;
  leader: PersonSummary | null;
  department: { id: number; name: string } | null;
  people: PersonSummary[];
}

export interface PackageChecklistItem {
  id: number;
  code: string;
  section: string;
  label: string;
  labelEn: string;
  points: number;
  categoryId: string | null;
}

/** An open problem near the group's points. */
export interface PackageProblem {
  id: number;
  categoryId: string;
  status: string;
  description: string | null;
  lon: number;
  lat: number;
  reportedAt: string;
  dueAt: string | null;
  overdue: boolean;
  /** The nearest of the group's points and how far it is. */
  pointId: number;
  distanceM: number;
}

const personJson = (alias: string, orgAlias: string) =>
  sql.raw(`json_build_object('id', ${alias}.id, 'name', ${alias}.name, 'phone', ${alias}.phone, 'title', ${alias}.title,
           'organisation', json_build_object('id', ${orgAlias}.id, 'name', ${orgAlias}.name))`);

const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));

/** What the offline field package reads: one group's round, points, checklists and nearby open problems. */
export class InspectionPackageRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async round(roundId: number): Promise<PackageRound | undefined> {
    const { rows } = await sql<PackageRound>`
      SELECT id, name, to_char(starts_on, 'YYYY-MM-DD') AS "startsOn", to_char(ends_on, 'YYYY-MM-DD') AS "endsOn",
             weight::float8 AS weight, status, version
      FROM inspection_rounds WHERE id = ${roundId}`.execute(this.db);
    return rows[0];
  }

  async group(roundId: number, groupId: number): Promise<PackageGroup | undefined> {
    const { rows } = await sql<Omit<PackageGroup, 'leader' | 'members'> & { leader: unknown; members: unknown }>`
      SELECT g.id, g.round_id AS "roundId", g.name, g.color,
             CASE WHEN l.id IS NULL THEN NULL ELSE json_build_object('id', l.id, 'displayName', l.display_name) END AS leader,
             coalesce((SELECT json_agg(json_build_object('id', u.id, 'username', u.username, 'displayName', u.display_name) ORDER BY u.id)
                         FROM inspection_group_members m JOIN users u ON u.id = m.user_id
                        WHERE m.group_id = g.id), '[]'::json) AS members
      FROM inspection_groups g
      LEFT JOIN users l ON l.id = g.leader_user_id
      WHERE g.id = ${groupId} AND g.round_id = ${roundId}`.execute(this.db);
    const row = rows[0];
    if (!row) return undefined;
    return { ...row, leader: jsonColumn(row.leader as PackageGroup['leader']), members: jsonColumn(row.members as PackageGroup['members']) };
  }

  async isMember(groupId: number, userId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('inspection_group_members')
      .select('user_id')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The group's points in visiting order (unordered ones last, by code). */
  async points(roundId: number, groupId: number): Promise<PackagePoint[]> {
    const { rows } = await sql<Omit<PackagePoint, 'community' | 'leader' | 'department' | 'people'> & Record<'community' | 'leader' | 'department' | 'people', unknown>>`
      SELECT ip.id, ip.code, ip.name, ip.point_type AS "pointType", ip.address,
             ST_X(ip.geom)::float8 AS lon, ST_Y(ip.geom)::float8 AS lat, ip.version, rp.visit_order AS "visitOrder",
             CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'name', c.name) END AS community,
             CASE WHEN l.id IS NULL THEN NULL ELSE ${personJson('l', 'lo')} END AS leader,
             CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object('id', d.id, 'name', d.name) END AS department,
             coalesce((SELECT json_agg(${personJson('p', 'po')} ORDER BY pp.sort, p.id)
                         FROM inspection_point_people pp
                         JOIN people p ON p.id = pp.person_id
                         JOIN organisations po ON po.id = p.organisation_id
                        WHERE pp.point_id = ip.id), '[]'::json) AS people
      FROM inspection_round_points rp
      JOIN inspection_points ip ON ip.id = rp.point_id
      LEFT JOIN territories c ON c.id = ip.territory_id
      LEFT JOIN people l ON l.id = ip.leader_person_id
      LEFT JOIN organisations lo ON lo.id = l.organisation_id
      LEFT JOIN organisations d ON d.id = ip.department_org_id
      WHERE rp.round_id = ${roundId} AND rp.group_id = ${groupId}
      ORDER BY rp.visit_order NULLS LAST, ip.code, ip.id`.execute(this.db);
    return rows.map((row) => ({
      ...row,
      community: jsonColumn(row.community as PackagePoint['community']),
      leader: jsonColumn(row.leader as PackagePoint['leader']),
      department: jsonColumn(row.department as PackagePoint['department']),
      people: jsonColumn(row.people as PackagePoint['people']),
    }));
  }

  /** The active checklist items of these point types, in their order. */
  async checklists(pointTypes: readonly string[]): Promise<Record<string, PackageChecklistItem[]>> {
    const out: Record<string, PackageChecklistItem[]> = {};
    for (const type of [...pointTypes].sort()) out[type] = [];
    if (pointTypes.length === 0) return out;
    const rows = await this.db
      .selectFrom('checklist_items')
      .select(['id', 'point_type', 'code', 'section', 'label', 'label_en', 'points', 'category_id'])
      .where('active', '=', true)
      .where('point_type', 'in', [...pointTypes])
      .orderBy('point_type')
      .orderBy('sort')
      .orderBy('id')
      .execute();
    for (const r of rows) {
      out[r.point_type]?.push({ id: r.id, code: r.code, section: r.section, label: r.label, labelEn: r.label_en, points: Number(r.points), categoryId: r.category_id });
    }
    return out;
  }

  /**
   * Open problems (not closed or void) within `radiusM` of any of the points,
   * each with its nearest point; overdue first, then the newest, at most `limit`.
   */
  async problemsNear(pointIds: readonly number[], radiusM: number, limit: number): Promise<PackageProblem[]> {
    if (pointIds.length === 0) return [];
    const ids = sql.join(pointIds.map((id) => sql`${id}`));
    // 1° of latitude is ~111 km and a degree of longitude shorter: 1/90,000 per metre over-reaches, the geography test decides
    const { rows } = await sql<Omit<PackageProblem, 'reportedAt' | 'dueAt'> & { reportedAt: unknown; dueAt: unknown }>`
      SELECT DISTINCT ON (p.id) p.id, p.category_id AS "categoryId", p.status, p.description,
             ST_X(p.geom)::float8 AS lon, ST_Y(p.geom)::float8 AS lat, p.reported_at AS "reportedAt", p.due_at AS "dueAt",
             (p.due_at IS NOT NULL AND p.due_at < now()) AS overdue,
             ip.id AS "pointId", ST_Distance(p.geom::geography, ip.geom::geography)::float8 AS "distanceM"
      FROM inspection_points ip
      JOIN problems p ON p.geom && ST_Expand(ip.geom, ${radiusM / 90_000})
                     AND ST_DWithin(p.geom::geography, ip.geom::geography, ${radiusM})
      WHERE ip.id IN (${ids}) AND p.status NOT IN ('closed', 'void')
      ORDER BY p.id, ST_Distance(p.geom::geography, ip.geom::geography), ip.id`.execute(this.db);
    return rows
      .map((r) => ({ ...r, distanceM: Math.round(r.distanceM * 10) / 10, reportedAt: iso(r.reportedAt), dueAt: r.dueAt === null ? null : iso(r.dueAt) }))
      .sort((a, b) => Number(b.overdue) - Number(a.overdue) || b.reportedAt.localeCompare(a.reportedAt) || a.id - b.id)
      .slice(0, limit);
  }
}
