import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';

/** An organisation and the territory it belongs to (null: none, the district's). */
export interface OrganisationPlace {
  id: number;
  name: string;
  territoryCode: string | null;
}

/**
 * Where things are, for the scope checks of writes: the territory code of a
 * problem's place and of organisations. Stateless; every method takes the
 * transaction of the write it checks.
 */
export class PlaceRepository {
  /**
   * The most specific territory (grid, community, street) containing the
   * problem's point, as routing found it for a report; null: outside every
   * street; undefined: no such problem.
   */
  async problemPlace(db: Kysely<DB>, id: number): Promise<string | null | undefined> {
    const { rows } = await sql<{ code: string | null }>`
      SELECT (SELECT t.code FROM territories t WHERE t.level <> 'district' AND t.geom && p.geom AND ST_Intersects(t.geom, p.geom)
              ORDER BY CASE t.level WHEN 'grid' THEN 0 WHEN 'community' THEN 1 ELSE 2 END, t.id LIMIT 1) AS code
      FROM problems p WHERE p.id = ${id}`.execute(db);
    return rows[0] === undefined ? undefined : rows[0].code;
  }

  /** The organisations with these ids that exist, with their territory codes. */
  async organisations(db: Kysely<DB>, ids: readonly number[]): Promise<Map<number, OrganisationPlace>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom('organisations as o')
      .leftJoin('territories as t', 't.id', 'o.territory_id')
      .select(['o.id', 'o.name', 't.code'])
      .where('o.id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, territoryCode: r.code }]));
  }

  async organisation(db: Kysely<DB>, id: number): Promise<OrganisationPlace | undefined> {
    return (await this.organisations(db, [id])).get(id);
  }

  /** The organisations of these people (a point's leader and responsible people). */
  async organisationsOfPeople(db: Kysely<DB>, personIds: readonly number[]): Promise<Map<number, OrganisationPlace>> {
    if (personIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('people as p')
      .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
      .leftJoin('territories as t', 't.id', 'o.territory_id')
      .select(['p.id as personId', 'o.id', 'o.name', 't.code'])
      .where('p.id', 'in', [...new Set(personIds)])
      .execute();
    return new Map(rows.map((r) => [r.personId, { id: r.id, name: r.name, territoryCode: r.code }]));
  }
}
