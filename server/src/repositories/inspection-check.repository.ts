import type { CheckResult, DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';
import type { Check, CheckConflict, ChecklistItem as ContractChecklistItem } from '../contracts/inspection.ts';
import { jsonColumn } from './json-column.ts';

type Db = Kysely<DB>;

/** A checklist item as stored: the contract's, with the point type it belongs to. */
export interface ChecklistItem extends ContractChecklistItem {
  pointType: string;
}

export type { Check, CheckConflict };

/** A point as a check sees it: where it is, its version, and its place in the round. */
export interface RoundPoint {
  pointId: number;
  code: string;
  pointType: string;
  version: number;
  lon: number;
  lat: number;
  /** The group the point is assigned to in the round (null: unassigned). */
  groupId: number | null;
  /** National code of the point's community, for the audit trail's scope. */
  placeCode: string | null;
}

export interface NewCheck {
  roundId: number;
  groupId: number;
  pointId: number;
  userId: number;
  checkedAt: Date;
  lon: number | null;
  lat: number | null;
  note: string | null;
  score: number;
  maxScore: number;
  pointVersion: number;
  packageVersion: string | null;
  conflict: CheckConflict | null;
  idempotencyKey: string;
}

export interface CheckFilter {
  roundId?: number | undefined;
  pointId?: number | undefined;
  groupId?: number | undefined;
  conflict?: boolean | undefined;
  limit: number;
  /** Checks with a smaller id than this (paging back from the newest). */
  before?: number | undefined;
}

/** One point of a round, with its latest check in the round (if any), for the scores. */
export interface ScoredPointRow {
  pointId: number;
  code: string;
  name: string;
  communityId: number | null;
  communityName: string | null;
  checkId: number | null;
  checkedAt: string | null;
  score: number | null;
  maxScore: number | null;
  serious: boolean;
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/** Checklists, checks with their items and photos, and the rows the scores are computed from. */
export class InspectionCheckRepository {
  constructor(private readonly db: Db) {}

  async checklists(pointType?: string): Promise<ChecklistItem[]> {
    let query = this.db
      .selectFrom('checklist_items')
      .select(['id', 'point_type', 'code', 'section', 'label', 'label_en', 'points', 'category_id'])
      .where('active', '=', true);
    if (pointType !== undefined) query = query.where('point_type', '=', pointType);
    const rows = await query.orderBy('point_type').orderBy('sort').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, pointType: r.point_type, code: r.code, section: r.section, label: r.label, labelEn: r.label_en, points: Number(r.points), categoryId: r.category_id }));
  }

  /** The active items of a point type's checklist among `ids`. */
  async items(db: Db, pointType: string, ids: number[]): Promise<ChecklistItem[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .selectFrom('checklist_items')
      .select(['id', 'point_type', 'code', 'section', 'label', 'label_en', 'points', 'category_id'])
      .where('point_type', '=', pointType)
      .where('active', '=', true)
      .where('id', 'in', ids)
      .execute();
    return rows.map((r) => ({ id: r.id, pointType: r.point_type, code: r.code, section: r.section, label: r.label, labelEn: r.label_en, points: Number(r.points), categoryId: r.category_id }));
  }

  async round(db: Db, id: number): Promise<{ id: number; name: string; status: string; weight: number } | undefined> {
    const row = await db.selectFrom('inspection_rounds').select(['id', 'name', 'status', 'weight']).where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, name: row.name, status: row.status, weight: Number(row.weight) };
  }

  async rounds(ids: number[]): Promise<{ id: number; name: string; status: string; weight: number }[]> {
    const rows = await this.db.selectFrom('inspection_rounds').select(['id', 'name', 'status', 'weight']).where('id', 'in', ids).orderBy('id').execute();
    return rows.map((r) => ({ ...r, weight: Number(r.weight) }));
  }

  async group(db: Db, id: number): Promise<{ id: number; roundId: number } | undefined> {
    const row = await db.selectFrom('inspection_groups').select(['id', 'round_id']).where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, roundId: row.round_id };
  }

  async isMember(db: Db, groupId: number, userId: number): Promise<boolean> {
    return (await db.selectFrom('inspection_group_members').select('user_id').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst()) !== undefined;
  }

  /**
   * The point as part of the round, or undefined when the round does not cover
   * it. Locks the round's row of the point until the check commits, so that of
   * two checks of one point arriving together the second sees the first.
   */
  async roundPoint(db: Db, roundId: number, pointId: number): Promise<RoundPoint | undefined> {
    const { rows } = await sql<{ point_id: number; code: string; point_type: string; version: number; lon: number; lat: number; group_id: number | null; place_code: string | null }>`
      SELECT ip.id AS point_id, ip.code, ip.point_type, ip.version, ST_X(ip.geom)::float8 AS lon, ST_Y(ip.geom)::float8 AS lat, rp.group_id, t.code AS place_code
      FROM inspection_round_points rp
      JOIN inspection_points ip ON ip.id = rp.point_id
      LEFT JOIN territories t ON t.id = ip.territory_id
      WHERE rp.round_id = ${roundId} AND rp.point_id = ${pointId}
      FOR UPDATE OF rp`.execute(db);
    const r = rows[0];
    return r && { pointId: r.point_id, code: r.code, pointType: r.point_type, version: r.version, lon: Number(r.lon), lat: Number(r.lat), groupId: r.group_id, placeCode: r.place_code };
  }

  /** Metres between the point and a position (on the spheroid). */
  async distanceM(db: Db, pointId: number, lon: number, lat: number): Promise<number> {
    const { rows } = await sql<{ d: number }>`
      SELECT ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326)::geography)::float8 AS d FROM inspection_points WHERE id = ${pointId}`.execute(db);
    return Number(rows[0]!.d);
  }

  /** Checks of the point already stored in the round. */
  async checkIdsOf(db: Db, roundId: number, pointId: number): Promise<number[]> {
    const rows = await db.selectFrom('inspection_checks').select('id').where('round_id', '=', roundId).where('point_id', '=', pointId).orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  async insert(db: Db, c: NewCheck): Promise<number> {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO inspection_checks (round_id, group_id, point_id, user_id, checked_at, geom, note, score, max_score, point_version, package_version, conflict, idempotency_key)
      VALUES (${c.roundId}, ${c.groupId}, ${c.pointId}, ${c.userId}, ${c.checkedAt},
              ${c.lon !== null && c.lat !== null ? sql`ST_SetSRID(ST_MakePoint(${c.lon}, ${c.lat}), 4326)` : null},
              ${c.note}, ${c.score}, ${c.maxScore}, ${c.pointVersion}, ${c.packageVersion},
              ${c.conflict === null ? null : sql`${JSON.stringify(c.conflict)}::jsonb`}, ${c.idempotencyKey})
      RETURNING id`.execute(db);
    return rows[0]!.id;
  }

  async insertItems(db: Db, checkId: number, items: { itemId: number; result: CheckResult; note: string | null }[]): Promise<void> {
    if (items.length === 0) return;
    await db.insertInto('inspection_check_items').values(items.map((i) => ({ check_id: checkId, item_id: i.itemId, result: i.result, note: i.note }))).execute();
  }

  async setProblem(db: Db, checkId: number, itemId: number, problemId: number): Promise<void> {
    await db.updateTable('inspection_check_items').set({ problem_id: problemId }).where('check_id', '=', checkId).where('item_id', '=', itemId).execute();
  }

  async addPhoto(db: Db, checkId: number, itemId: number | null, photo: { mime: string; bytes: Uint8Array; thumb: Uint8Array; size: number }): Promise<number> {
    const row = await db
      .insertInto('inspection_check_photos')
      .values({ check_id: checkId, item_id: itemId, mime: photo.mime, bytes: photo.bytes, thumb: photo.thumb, size: photo.size })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async photo(checkId: number, photoId: number, thumb: boolean): Promise<{ mime: string; bytes: Uint8Array } | undefined> {
    const row = await this.db
      .selectFrom('inspection_check_photos')
      .select(['mime', thumb ? 'thumb as bytes' : 'bytes'])
      .where('check_id', '=', checkId)
      .where('id', '=', photoId)
      .executeTakeFirst();
    if (!row?.bytes) return undefined;
    return { mime: thumb ? 'image/webp' : row.mime, bytes: row.bytes as Uint8Array };
  }

  async get(db: Db, id: number): Promise<Check | undefined> {
    return (await this.byIds(db, [id]))[0];
  }

  async list(f: CheckFilter): Promise<Check[]> {
    let query = this.db.selectFrom('inspection_checks').select('id');
    if (f.roundId !== undefined) query = query.where('round_id', '=', f.roundId);
    if (f.pointId !== undefined) query = query.where('point_id', '=', f.pointId);
    if (f.groupId !== undefined) query = query.where('group_id', '=', f.groupId);
    if (f.conflict !== undefined) query = query.where('conflict', f.conflict ? 'is not' : 'is', null);
    if (f.before !== undefined) query = query.where('id', '<', f.before);
    const ids = (await query.orderBy('id', 'desc').limit(f.limit).execute()).map((r) => r.id);
    return this.byIds(this.db, ids);
  }

  /** Checks with their items and photos, in the order of `ids`. */
  private async byIds(db: Db, ids: number[]): Promise<Check[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<Record<string, unknown>>`
      SELECT c.id, c.round_id, c.group_id, c.point_id, c.user_id, c.checked_at, c.received_at, c.score, c.max_score, c.note,
             c.point_version, c.package_version, c.conflict,
             CASE WHEN c.geom IS NULL THEN NULL ELSE ST_X(c.geom)::float8 END AS lon,
             CASE WHEN c.geom IS NULL THEN NULL ELSE ST_Y(c.geom)::float8 END AS lat
      FROM inspection_checks c WHERE c.id IN (${sql.join(ids)})`.execute(db);
    const items = await db
      .selectFrom('inspection_check_items as i')
      .innerJoin('checklist_items as ci', 'ci.id', 'i.item_id')
      .select(['i.check_id', 'i.item_id', 'i.result', 'i.note', 'i.problem_id'])
      .where('i.check_id', 'in', ids)
      .orderBy('i.check_id')
      .orderBy('ci.sort')
      .orderBy('i.item_id')
      .execute();
    const photos = await db.selectFrom('inspection_check_photos').select(['id', 'check_id', 'item_id']).where('check_id', 'in', ids).orderBy('id').execute();
    const byId = new Map(rows.map((r) => [r.id as number, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      if (!r) return [];
      return [{
        id,
        roundId: r.round_id as number,
        groupId: r.group_id as number | null,
        pointId: r.point_id as number,
        userId: r.user_id as number | null,
        checkedAt: iso(r.checked_at) as string,
        receivedAt: iso(r.received_at) as string,
        score: Number(r.score),
        maxScore: Number(r.max_score),
        note: r.note as string | null,
        pointVersion: r.point_version as number | null,
        packageVersion: r.package_version as string | null,
        lon: r.lon === null ? null : Number(r.lon),
        lat: r.lat === null ? null : Number(r.lat),
        items: items.filter((i) => i.check_id === id).map((i) => ({ itemId: i.item_id, result: i.result, note: i.note, problemId: i.problem_id })),
        photos: photos.filter((p) => p.check_id === id).map((p) => ({ id: p.id, itemId: p.item_id })),
        conflict: r.conflict === null ? null : jsonColumn<CheckConflict>(r.conflict as string),
      }];
    });
  }

  /**
   * Every point of the round with its latest check in the round (by the time
   * checked, then the later stored) and whether that check has a seriously
   * failing item; the community is the point's territory.
   */
  async scoredPoints(roundId: number): Promise<ScoredPointRow[]> {
    const { rows } = await sql<{
      point_id: number; code: string; name: string; community_id: number | null; community_name: string | null;
      check_id: number | null; checked_at: string | null; score: number | null; max_score: number | null; serious: boolean | null;
    }>`
      SELECT ip.id AS point_id, ip.code, ip.name, t.id AS community_id, t.name AS community_name,
             c.id AS check_id, c.checked_at, c.score, c.max_score,
             EXISTS (SELECT 1 FROM inspection_check_items i WHERE i.check_id = c.id AND i.result = 'serious') AS serious
      FROM inspection_round_points rp
      JOIN inspection_points ip ON ip.id = rp.point_id
      LEFT JOIN territories t ON t.id = ip.territory_id AND t.level = 'community'
      LEFT JOIN LATERAL (
        SELECT id, checked_at, score, max_score FROM inspection_checks
        WHERE round_id = rp.round_id AND point_id = rp.point_id
        ORDER BY checked_at DESC, id DESC LIMIT 1
      ) c ON true
      WHERE rp.round_id = ${roundId}
      ORDER BY ip.code, ip.id`.execute(this.db);
    return rows.map((r) => ({
      pointId: r.point_id,
      code: r.code,
      name: r.name,
      communityId: r.community_id,
      communityName: r.community_name,
      checkId: r.check_id,
      checkedAt: iso(r.checked_at),
      score: r.score === null ? null : Number(r.score),
      maxScore: r.max_score === null ? null : Number(r.max_score),
      serious: r.serious === true,
    }));
  }

  /** The stored value of a setting (parsed), or undefined. */
  async setting(key: string): Promise<unknown> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row === undefined ? undefined : jsonColumn<unknown>(row.value as string);
  }
}
