import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';
import { jsonColumn } from './json-column.ts';

export interface PersonSummary {
  id: number;
  name: string;
  phone: string | null;
  title: string | null;
  organisation: { id: number; name: string };
}

export interface InspectionPointDetail {
  id: number;
  code: string;
  name: string;
  point_type: string;
  address: string | null;
  lon: number;
  lat: number;
  community: { id: number; name: string; code: string } | null;
  street: { id: number; name: string; code: string } | null;
  leader: PersonSummary | null;
  department: { id: number; name: string } | null;
  people: PersonSummary[];
}

const personJson = (alias: string, orgAlias: string) =>
  sql.raw(`json_build_object('id', ${alias}.id, 'name', ${alias}.name, 'phone', ${alias}.phone, 'title', ${alias}.title,
           'organisation', json_build_object('id', ${orgAlias}.id, 'name', ${orgAlias}.name))`);

export class InspectionPointRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async findById(id: number): Promise<InspectionPointDetail | undefined> {
    const { rows } = await sql<Omit<InspectionPointDetail, 'people' | 'leader'> & { leader: PersonSummary | null | string; people: PersonSummary[] | string }>`
      SELECT ip.id, ip.code, ip.name, ip.point_type, ip.address,
             ST_X(ip.geom)::float8 AS lon, ST_Y(ip.geom)::float8 AS lat,
             CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'name', c.name, 'code', c.code) END AS community,
             CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('id', s.id, 'name', s.name, 'code', s.code) END AS street,
             CASE WHEN l.id IS NULL THEN NULL ELSE ${personJson('l', 'lo')} END AS leader,
             CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object('id', d.id, 'name', d.name) END AS department,
             coalesce((SELECT json_agg(${personJson('p', 'po')} ORDER BY pp.sort, p.id)
                         FROM inspection_point_people pp
                         JOIN people p ON p.id = pp.person_id
                         JOIN organisations po ON po.id = p.organisation_id
                        WHERE pp.point_id = ip.id), '[]'::json) AS people
      FROM inspection_points ip
      LEFT JOIN territories c ON c.id = ip.territory_id
      LEFT JOIN territories s ON s.id = c.parent_id AND s.level = 'street'
      LEFT JOIN people l ON l.id = ip.leader_person_id
      LEFT JOIN organisations lo ON lo.id = l.organisation_id
      LEFT JOIN organisations d ON d.id = ip.department_org_id
      WHERE ip.id = ${id}`.execute(this.db);
    const row = rows[0];
    if (!row) return undefined;
    return {
      ...row,
      community: jsonColumn(row.community),
      street: jsonColumn(row.street),
      department: jsonColumn(row.department),
      leader: jsonColumn(row.leader),
      people: jsonColumn(row.people),
    };
  }
}
