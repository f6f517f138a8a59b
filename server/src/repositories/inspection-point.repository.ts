import type { DB } from '@civgrid/db';
import { type Kysely, sql, type Updateable } from 'kysely';
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
  /** Bumped by every change (PATCH /api/inspection-points/:id): a check made on an older version is flagged. */
  version: number;
  updated_at: string;
}

/** The fields PATCH /api/inspection-points/:id may change; undefined leaves a field as it is. */
export interface InspectionPointChanges {
  leaderPersonId?: number | null | undefined;
  departmentOrgId?: number | null | undefined;
  peopleIds?: number[] | undefined;
  name?: string | undefined;
  address?: string | null | undefined;
}

const personJson = (alias: string, orgAlias: string) =>
  sql.raw(`json_build_object('id', ${alias}.id, 'name', ${alias}.name, 'phone', ${alias}.phone, 'title', ${alias}.title,
           'organisation', json_build_object('id', ${orgAlias}.id, 'name', ${orgAlias}.name))`);

export class InspectionPointRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async findById(id: number, db: Kysely<DB> = this.db): Promise<InspectionPointDetail | undefined> {
    const { rows } = await sql<Omit<InspectionPointDetail, 'people' | 'leader' | 'updated_at'> & { leader: PersonSummary | null | string; people: PersonSummary[] | string; updated_at: Date | string }>`
      SELECT ip.id, ip.code, ip.name, ip.point_type, ip.address, ip.version, ip.updated_at,
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
      WHERE ip.id = ${id}`.execute(db);
    const row = rows[0];
    if (!row) return undefined;
    return {
      ...row,
      community: jsonColumn(row.community),
      street: jsonColumn(row.street),
      department: jsonColumn(row.department),
      leader: jsonColumn(row.leader),
      people: jsonColumn(row.people),
      updated_at: (row.updated_at instanceof Date ? row.updated_at : new Date(row.updated_at)).toISOString(),
    };
  }

  /** The ids among `ids` that name no person. */
  async missingPeople(db: Kysely<DB>, ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const found = await db.selectFrom('people').select('id').where('id', 'in', ids).execute();
    const have = new Set(found.map((r) => r.id));
    return [...new Set(ids)].filter((id) => !have.has(id));
  }

  async organisationExists(db: Kysely<DB>, id: number): Promise<boolean> {
    return (await db.selectFrom('organisations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** The territory code of the point's place (its community), for the scope check and the audit trail. */
  async territoryCode(db: Kysely<DB>, id: number): Promise<string | null> {
    const row = await db
      .selectFrom('inspection_points as ip')
      .leftJoin('territories as t', 't.id', 'ip.territory_id')
      .select('t.code')
      .where('ip.id', '=', id)
      .executeTakeFirst();
    return row?.code ?? null;
  }

  /**
   * Applies the changes when the point is still at `version`, bumping it;
   * false when someone changed it meanwhile. The people, when given, replace
   * the point's responsible people in their order.
   */
  async update(db: Kysely<DB>, id: number, version: number, changes: InspectionPointChanges): Promise<boolean> {
    const set: Updateable<DB['inspection_points']> = {};
    if (changes.leaderPersonId !== undefined) set.leader_person_id = changes.leaderPersonId;
    if (changes.departmentOrgId !== undefined) set.department_org_id = changes.departmentOrgId;
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.address !== undefined) set.address = changes.address;
    const updated = await db
      .updateTable('inspection_points')
      .set({ ...set, version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    if (changes.peopleIds !== undefined) {
      await db.deleteFrom('inspection_point_people').where('point_id', '=', id).execute();
      const people = [...new Set(changes.peopleIds)];
      if (people.length > 0) {
        await db
          .insertInto('inspection_point_people')
          .values(people.map((personId, sort) => ({ point_id: id, person_id: personId, role: 'responsible', sort })))
          .execute();
      }
    }
    return true;
  }
}
