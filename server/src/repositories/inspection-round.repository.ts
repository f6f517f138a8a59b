import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';
import type { Group, Round, RoundStatus, RouteSummary } from '../contracts/inspection.ts';
import { jsonColumn } from './json-column.ts';

export type { Group, Round, RoundStatus, RouteSummary };

export interface RoundFields {
  name: string;
  startsOn: string;
  endsOn: string;
  weight: number;
  status: RoundStatus;
}

export interface GroupFields {
  name: string;
  color: string | null;
  leaderId: number | null;
  start: { lon: number; lat: number } | null;
  sort: number;
}

export interface RoundPoint {
  pointId: number;
  groupId: number | null;
  visitOrder: number | null;
  lon: number;
  lat: number;
}

export interface StoredRoute {
  groupId: number;
  lengthM: number;
  durationS: number;
  geometry: string | null;
  legs: { from: number | null; to: number; lengthM: number }[];
  method: string;
}

type Json<T> = T | string;

/**
 * Inspection rounds (轮次), their groups (检查组), members, which group visits
 * which point in what order, and the stored routes. Writes take the
 * transaction of the service's write.
 */
export class InspectionRoundRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async rounds(db: Kysely<DB> = this.db, filter: { id?: number; memberUserId?: number } = {}): Promise<Round[]> {
    let query = db
      .selectFrom('inspection_rounds as r')
      .select([
        'r.id', 'r.name', 'r.weight', 'r.status', 'r.version',
        sql<string>`r.starts_on::text`.as('starts_on'),
        sql<string>`r.ends_on::text`.as('ends_on'),
        sql<number>`(SELECT count(*)::int FROM inspection_round_points rp WHERE rp.round_id = r.id)`.as('point_count'),
        sql<number>`(SELECT count(*)::int FROM inspection_round_points rp WHERE rp.round_id = r.id AND rp.group_id IS NOT NULL)`.as('assigned_count'),
      ])
      .orderBy('r.starts_on', 'desc')
      .orderBy('r.id', 'desc');
    if (filter.id !== undefined) query = query.where('r.id', '=', filter.id);
    if (filter.memberUserId !== undefined) {
      const user = filter.memberUserId;
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('inspection_groups as g')
            .innerJoin('inspection_group_members as m', 'm.group_id', 'g.id')
            .select(sql`1`.as('one'))
            .whereRef('g.round_id', '=', 'r.id')
            .where('m.user_id', '=', user),
        ),
      );
    }
    const rows = await query.execute();
    const groups = await this.groups(db, rows.map((r) => r.id));
    return rows.map((r) => {
      const round: Round = {
        id: r.id, name: r.name, startsOn: r.starts_on, endsOn: r.ends_on, weight: Number(r.weight), status: r.status,
        version: r.version, pointCount: Number(r.point_count), assignedCount: Number(r.assigned_count),
        groups: groups.filter((g) => g.roundId === r.id),
      };
      if (filter.memberUserId !== undefined) {
        const user = filter.memberUserId;
        round.myGroupIds = round.groups.filter((g) => g.members.some((m) => m.id === user)).map((g) => g.id);
      }
      return round;
    });
  }

  async groups(db: Kysely<DB>, roundIds: readonly number[], groupId?: number): Promise<Group[]> {
    if (roundIds.length === 0 && groupId === undefined) return [];
    const { rows } = await sql<{
      id: number; round_id: number; name: string; color: string | null; sort: number;
      leader: Json<Group['leader']>; members: Json<Group['members']>; point_count: number;
      lon: number | null; lat: number | null; length_m: number | null; duration_s: number | null; method: string | null;
    }>`
      SELECT g.id, g.round_id, g.name, g.color, g.sort,
             CASE WHEN l.id IS NULL THEN NULL ELSE json_build_object('id', l.id, 'displayName', l.display_name) END AS leader,
             coalesce((SELECT json_agg(json_build_object('id', u.id, 'username', u.username, 'displayName', u.display_name) ORDER BY u.id)
                         FROM inspection_group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = g.id), '[]'::json) AS members,
             (SELECT count(*)::int FROM inspection_round_points rp WHERE rp.group_id = g.id) AS point_count,
             ST_X(g.start_geom)::float8 AS lon, ST_Y(g.start_geom)::float8 AS lat,
             rt.length_m, rt.duration_s, rt.method
      FROM inspection_groups g
      LEFT JOIN users l ON l.id = g.leader_user_id
      LEFT JOIN inspection_routes rt ON rt.group_id = g.id
      WHERE ${groupId === undefined ? sql`g.round_id IN (SELECT value::int FROM json_array_elements_text(${JSON.stringify(roundIds)}::text::json))` : sql`g.id = ${groupId}`}
      ORDER BY g.round_id, g.sort, g.id`.execute(db);
    return rows.map((r) => ({
      id: r.id, roundId: r.round_id, name: r.name, color: r.color, sort: r.sort,
      leader: jsonColumn(r.leader), members: jsonColumn(r.members), pointCount: Number(r.point_count),
      start: r.lon === null || r.lat === null ? null : { lon: r.lon, lat: r.lat },
      route: r.length_m === null ? null : { lengthM: Number(r.length_m), durationS: Number(r.duration_s), method: r.method ?? 'dijkstra' },
    }));
  }

  /** The round's row, locked for the write in `trx` (FOR UPDATE). */
  async lockRound(trx: Kysely<DB>, id: number): Promise<{ id: number; version: number; status: RoundStatus } | undefined> {
    return trx.selectFrom('inspection_rounds').select(['id', 'version', 'status']).where('id', '=', id).forUpdate().executeTakeFirst();
  }

  async insertRound(trx: Kysely<DB>, fields: RoundFields, createdBy: string | null): Promise<number> {
    const row = await trx
      .insertInto('inspection_rounds')
      .values({ name: fields.name, starts_on: fields.startsOn, ends_on: fields.endsOn, weight: fields.weight, status: fields.status, created_by: createdBy })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Changes the round when its version is still `version`; false when it is not. */
  async updateRound(trx: Kysely<DB>, id: number, version: number, fields: Partial<RoundFields>): Promise<boolean> {
    const values: Record<string, unknown> = {};
    if (fields.name !== undefined) values.name = fields.name;
    if (fields.startsOn !== undefined) values.starts_on = fields.startsOn;
    if (fields.endsOn !== undefined) values.ends_on = fields.endsOn;
    if (fields.weight !== undefined) values.weight = fields.weight;
    if (fields.status !== undefined) values.status = fields.status;
    const result = await trx
      .updateTable('inspection_rounds')
      .set({ ...values, version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Any change inside the round (groups, assignment) moves its version on. */
  async touchRound(trx: Kysely<DB>, id: number): Promise<void> {
    await trx.updateTable('inspection_rounds').set({ version: sql`version + 1`, updated_at: sql`now()` }).where('id', '=', id).execute();
  }

  async addPoints(trx: Kysely<DB>, roundId: number, pointIds: readonly number[] | 'all'): Promise<void> {
    await sql`
      INSERT INTO inspection_round_points (round_id, point_id)
      SELECT ${roundId}, ip.id FROM inspection_points ip
      WHERE ${pointIds === 'all' ? sql`true` : sql`ip.id IN (SELECT value::int FROM json_array_elements_text(${JSON.stringify(pointIds)}::text::json))`}
      ORDER BY ip.id`.execute(trx);
  }

  /** Which of `ids` are not inspection points. */
  async unknownPoints(db: Kysely<DB>, ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const found = await db.selectFrom('inspection_points').select('id').where('id', 'in', [...ids]).execute();
    const known = new Set(found.map((r) => r.id));
    return [...new Set(ids)].filter((id) => !known.has(id));
  }

  /** Which of `ids` are not active user accounts. */
  async unknownUsers(db: Kysely<DB>, ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const found = await db.selectFrom('users').select('id').where('id', 'in', [...ids]).where('active', '=', true).execute();
    const known = new Set(found.map((r) => r.id));
    return [...new Set(ids)].filter((id) => !known.has(id));
  }

  async groupNames(db: Kysely<DB>, roundId: number): Promise<{ id: number; name: string; sort: number; color: string | null }[]> {
    return db.selectFrom('inspection_groups').select(['id', 'name', 'sort', 'color']).where('round_id', '=', roundId).orderBy('sort').orderBy('id').execute();
  }

  async insertGroup(trx: Kysely<DB>, roundId: number, fields: GroupFields): Promise<number> {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO inspection_groups (round_id, name, color, leader_user_id, start_geom, sort)
      VALUES (${roundId}, ${fields.name}, ${fields.color}, ${fields.leaderId},
              ${fields.start ? sql`ST_SetSRID(ST_MakePoint(${fields.start.lon}, ${fields.start.lat}), 4326)` : sql`NULL`}, ${fields.sort})
      RETURNING id`.execute(trx);
    return rows[0]!.id;
  }

  async updateGroup(trx: Kysely<DB>, groupId: number, fields: Partial<GroupFields>): Promise<void> {
    const sets = [];
    if (fields.name !== undefined) sets.push(sql`name = ${fields.name}`);
    if (fields.color !== undefined) sets.push(sql`color = ${fields.color}`);
    if (fields.leaderId !== undefined) sets.push(sql`leader_user_id = ${fields.leaderId}`);
    if (fields.sort !== undefined) sets.push(sql`sort = ${fields.sort}`);
    if (fields.start !== undefined) {
      sets.push(fields.start ? sql`start_geom = ST_SetSRID(ST_MakePoint(${fields.start.lon}, ${fields.start.lat}), 4326)` : sql`start_geom = NULL`);
    }
    if (sets.length === 0) return;
    await sql`UPDATE inspection_groups SET ${sql.join(sets)} WHERE id = ${groupId}`.execute(trx);
  }

  async setMembers(trx: Kysely<DB>, groupId: number, userIds: readonly number[]): Promise<void> {
    await trx.deleteFrom('inspection_group_members').where('group_id', '=', groupId).execute();
    const unique = [...new Set(userIds)];
    if (unique.length > 0) await trx.insertInto('inspection_group_members').values(unique.map((user_id) => ({ group_id: groupId, user_id }))).execute();
  }

  async deleteGroup(trx: Kysely<DB>, groupId: number): Promise<void> {
    await trx.updateTable('inspection_round_points').set({ group_id: null, visit_order: null }).where('group_id', '=', groupId).execute();
    await trx.deleteFrom('inspection_groups').where('id', '=', groupId).execute();
  }

  async roundPoints(db: Kysely<DB>, roundId: number): Promise<RoundPoint[]> {
    const { rows } = await sql<{ point_id: number; group_id: number | null; visit_order: number | null; lon: number; lat: number }>`
      SELECT rp.point_id, rp.group_id, rp.visit_order, ST_X(ip.geom)::float8 AS lon, ST_Y(ip.geom)::float8 AS lat
      FROM inspection_round_points rp JOIN inspection_points ip ON ip.id = rp.point_id
      WHERE rp.round_id = ${roundId}
      ORDER BY rp.point_id`.execute(db);
    return rows.map((r) => ({ pointId: r.point_id, groupId: r.group_id, visitOrder: r.visit_order, lon: r.lon, lat: r.lat }));
  }

  /** Sets the group of points of the round (their order is cleared until the route is computed). */
  async assign(trx: Kysely<DB>, roundId: number, assignments: readonly { pointId: number; groupId: number | null }[]): Promise<void> {
    if (assignments.length === 0) return;
    await sql`
      UPDATE inspection_round_points rp SET group_id = a.group_id, visit_order = NULL
      FROM json_to_recordset(${JSON.stringify(assignments.map((a) => ({ point_id: a.pointId, group_id: a.groupId })))}::text::json) AS a(point_id int, group_id int)
      WHERE rp.round_id = ${roundId} AND rp.point_id = a.point_id`.execute(trx);
  }

  /** Stores a group's route and its points' visiting order (1-based, in `pointIds` order). */
  async saveRoute(trx: Kysely<DB>, roundId: number, route: StoredRoute, pointIds: readonly number[]): Promise<void> {
    await sql`
      UPDATE inspection_round_points rp SET visit_order = o.n
      FROM (SELECT value::int AS point_id, ordinality::int AS n FROM json_array_elements_text(${JSON.stringify(pointIds)}::text::json) WITH ORDINALITY) o
      WHERE rp.round_id = ${roundId} AND rp.point_id = o.point_id AND rp.group_id = ${route.groupId}`.execute(trx);
    await sql`
      INSERT INTO inspection_routes (group_id, length_m, duration_s, geom, legs, method, computed_at)
      VALUES (${route.groupId}, ${route.lengthM}, ${route.durationS},
              ${route.geometry === null ? sql`NULL` : sql`ST_SetSRID(ST_GeomFromGeoJSON(${route.geometry}), 4326)`},
              ${JSON.stringify(route.legs)}::text::jsonb, ${route.method}, now())
      ON CONFLICT (group_id) DO UPDATE SET length_m = EXCLUDED.length_m, duration_s = EXCLUDED.duration_s, geom = EXCLUDED.geom,
        legs = EXCLUDED.legs, method = EXCLUDED.method, computed_at = EXCLUDED.computed_at`.execute(trx);
  }

  async deleteRoute(trx: Kysely<DB>, groupId: number): Promise<void> {
    await trx.deleteFrom('inspection_routes').where('group_id', '=', groupId).execute();
  }

  /** Groups of the round with points but no stored route (the demo seed leaves them to be computed on first view). */
  async groupsWithoutRoute(db: Kysely<DB>, roundId: number, groupId?: number): Promise<number[]> {
    const { rows } = await sql<{ id: number }>`
      SELECT g.id FROM inspection_groups g
      WHERE g.round_id = ${roundId} ${groupId === undefined ? sql`` : sql`AND g.id = ${groupId}`}
        AND EXISTS (SELECT 1 FROM inspection_round_points rp WHERE rp.group_id = g.id)
        AND NOT EXISTS (SELECT 1 FROM inspection_routes rt WHERE rt.group_id = g.id)
      ORDER BY g.sort, g.id`.execute(db);
    return rows.map((r) => r.id);
  }

  /**
   * The stored routes and their stops, for the routes FeatureCollection. A
   * route runs along the roads from where each stop meets its nearest road, so
   * the line as drawn also joins every stop off the road to the nearest place
   * of its route by a straight connector (not counted in the stored length):
   * the line reaches the markers.
   */
  async routeRows(db: Kysely<DB>, roundId: number, groupId?: number) {
    const where = groupId === undefined ? sql`g.round_id = ${roundId}` : sql`g.round_id = ${roundId} AND g.id = ${groupId}`;
    const { rows: routes } = await sql<{
      group_id: number; name: string; color: string | null; length_m: number; duration_s: number; method: string;
      geojson: string | null; legs: Json<StoredRoute['legs']>; point_count: number;
    }>`
      SELECT g.id AS group_id, g.name, g.color, rt.length_m, rt.duration_s, rt.method, rt.legs,
             CASE WHEN rt.geom IS NOT NULL THEN ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(ST_Collect(rt.geom, COALESCE((
               SELECT ST_Collect(ST_MakeLine(ip.geom, ST_ClosestPoint(rt.geom, ip.geom)) ORDER BY ip.id)
               FROM inspection_round_points rp JOIN inspection_points ip ON ip.id = rp.point_id
               WHERE rp.group_id = g.id AND NOT ST_Intersects(rt.geom, ip.geom)), ST_SetSRID('GEOMETRYCOLLECTION EMPTY'::geometry, 4326))), 2)), 7)
             END AS geojson,
             (SELECT count(*)::int FROM inspection_round_points rp WHERE rp.group_id = g.id) AS point_count
      FROM inspection_groups g JOIN inspection_routes rt ON rt.group_id = g.id
      WHERE ${where}
      ORDER BY g.sort, g.id`.execute(db);
    const { rows: stops } = await sql<{
      group_id: number; name: string; color: string | null; point_id: number; visit_order: number | null;
      code: string; point_name: string; point_type: string; lon: number; lat: number;
    }>`
      SELECT g.id AS group_id, g.name, g.color, rp.point_id, rp.visit_order, ip.code, ip.name AS point_name, ip.point_type,
             ST_X(ip.geom)::float8 AS lon, ST_Y(ip.geom)::float8 AS lat
      FROM inspection_groups g
      JOIN inspection_round_points rp ON rp.group_id = g.id AND rp.round_id = g.round_id
      JOIN inspection_points ip ON ip.id = rp.point_id
      WHERE ${where}
      ORDER BY g.sort, g.id, rp.visit_order NULLS LAST, rp.point_id`.execute(db);
    return {
      routes: routes.map((r) => ({ ...r, length_m: Number(r.length_m), duration_s: Number(r.duration_s), legs: jsonColumn(r.legs) })),
      stops,
    };
  }

  async groupRound(db: Kysely<DB>, groupId: number): Promise<number | undefined> {
    const row = await db.selectFrom('inspection_groups').select('round_id').where('id', '=', groupId).executeTakeFirst();
    return row?.round_id;
  }

  async inspectors(db: Kysely<DB> = this.db): Promise<{ id: number; username: string; displayName: string; role: string }[]> {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'username', 'display_name', 'role'])
      .where('active', '=', true)
      .where('role', 'in', ['inspector', 'supervisor'])
      .orderBy('role')
      .orderBy('username')
      .execute();
    return rows.map((r) => ({ id: r.id, username: r.username, displayName: r.display_name, role: r.role }));
  }
}
