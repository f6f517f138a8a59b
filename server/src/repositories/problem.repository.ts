import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';
import type { TimelineEntry } from '../contracts/problems.ts';
import type { CalendarException } from '../services/work-calendar.ts';
import { jsonColumn } from './json-column.ts';

type Db = Kysely<DB>;

export type ProblemStatus = 'reported' | 'registered' | 'dispatched' | 'in_progress' | 'fed_back' | 'verified' | 'closed' | 'void';

/** The step a photo was taken at: the report, the handler's feedback (反馈), or the check (核查). */
export type PhotoStage = 'report' | 'feedback' | 'verify';

export interface CategoryRow {
  id: string;
  parentId: string | null;
  kind: 'component' | 'event';
  nameZh: string;
  nameEn: string;
  dutyTypeId: string | null;
  deadlineHours: number | null;
  duplicateRadiusM: number;
  sort: number;
}

/** Where a point lies and who owns it for a category (the blind-spot engine's answer at one point). */
export interface Routing {
  insideDistrict: boolean;
  gridId: number | null;
  streetId: number | null;
  /** The national code of the smallest territory holding the point (for the audit trail's scope). */
  placeCode: string | null;
  /** Owners of the category's duty type (or its coverage group) whose live zones hold the point. */
  owners: { id: number; name: string }[];
  /** The street office (街道办事处) of the point's street. */
  streetOffice: { id: number; name: string } | null;
  /** The campaign office (创城办), which decides disputed cases. */
  campaignOffice: { id: number; name: string } | null;
}

export interface ProblemRow {
  id: number;
  categoryId: string;
  status: ProblemStatus;
  description: string | null;
  source: string;
  lon: number;
  lat: number;
  gridId: number | null;
  streetId: number | null;
  ownerOrgId: number | null;
  ownerName: string | null;
  blindSpot: boolean;
  disputed: boolean;
  reportedAt: string;
  registeredAt: string | null;
  dispatchedAt: string | null;
  startedAt: string | null;
  fedBackAt: string | null;
  verifiedAt: string | null;
  dueAt: string | null;
  closedAt: string | null;
  reporter: string | null;
  reworkCount: number;
  urgeCount: number;
  escalated: boolean;
  voidReason: string | null;
  version: number;
  /** The national code of the problem's grid (else its street): whose scope it is in. */
  placeCode: string | null;
}

export interface NewProblem {
  categoryId: string;
  description: string | null;
  source: string;
  lon: number;
  lat: number;
  gridId: number | null;
  streetId: number | null;
  ownerOrgId: number | null;
  blindSpot: boolean;
  disputed: boolean;
  reporter: string | null;
  idempotencyKey: string | null;
}

export interface ProblemFilter {
  status?: ProblemStatus[] | undefined;
  category?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  bbox?: readonly [number, number, number, number] | undefined;
  ownerOrgId?: number | undefined;
  /** Only problems from these sources (the citizen channel publishes the citizens' reports). */
  source?: string[] | undefined;
  /** Only problems flagged (true) or not flagged (false) as a blind spot, or as disputed. */
  blindSpot?: boolean | undefined;
  disputed?: boolean | undefined;
  /** Only open problems that have been dispatched (the ones a deadline runs for). */
  running?: boolean | undefined;
  limit: number;
  /** By report time, newest (the default) or oldest first; ties by id the same way. */
  sort?: 'newest' | 'oldest' | undefined;
  /** The page after this problem in the list's order (its id: the `next` of the page before). */
  before?: number | undefined;
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

const SELECT = sql`
  SELECT p.id, p.category_id, p.status, p.description, p.source, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
         p.grid_id, p.street_id, p.owner_org_id, o.name AS owner_name, p.blind_spot, p.disputed,
         p.reported_at, p.registered_at, p.dispatched_at, p.started_at, p.fed_back_at, p.verified_at, p.due_at, p.closed_at,
         p.reporter, p.rework_count, p.urge_count, p.escalated, p.void_reason, p.version,
         coalesce((SELECT t.code FROM territories t WHERE t.id = p.grid_id), (SELECT t.code FROM territories t WHERE t.id = p.street_id)) AS place_code
  FROM problems p LEFT JOIN organisations o ON o.id = p.owner_org_id`;

type RawProblem = Record<string, unknown>;

function toProblem(r: RawProblem): ProblemRow {
  return {
    id: r.id as number,
    categoryId: r.category_id as string,
    status: r.status as ProblemStatus,
    description: r.description as string | null,
    source: r.source as string,
    lon: Number(r.lon),
    lat: Number(r.lat),
    gridId: r.grid_id as number | null,
    streetId: r.street_id as number | null,
    ownerOrgId: r.owner_org_id as number | null,
    ownerName: r.owner_name as string | null,
    blindSpot: r.blind_spot as boolean,
    disputed: r.disputed as boolean,
    reportedAt: iso(r.reported_at) as string,
    registeredAt: iso(r.registered_at),
    dispatchedAt: iso(r.dispatched_at),
    startedAt: iso(r.started_at),
    fedBackAt: iso(r.fed_back_at),
    verifiedAt: iso(r.verified_at),
    dueAt: iso(r.due_at),
    closedAt: iso(r.closed_at),
    reporter: r.reporter as string | null,
    reworkCount: Number(r.rework_count),
    urgeCount: Number(r.urge_count),
    escalated: r.escalated as boolean,
    voidReason: r.void_reason as string | null,
    version: Number(r.version),
    placeCode: (r.place_code as string | null) ?? null,
  };
}

export type IndicatorGroup = 'owner' | 'grid' | 'community' | 'street';

export interface IndicatorRow {
  id: number | null;
  name: string | null;
  /** Problems whose deadline fell in the period. */
  due: number;
  /** Of those, closed (by now). */
  closed: number;
  /** Of those, closed by their deadline. */
  closedOnTime: number;
  /** Problems closed in the period, and how many of them were returned for rework at least once. */
  closedInPeriod: number;
  reworked: number;
  /** Mean wall-clock hours from dispatch to closure, of the problems closed in the period. */
  avgHandlingHours: number | null;
  reported: number;
  blindSpots: number;
  disputed: number;
  /** Open problems past their deadline now. */
  overdueOpen: number;
}

/** The filter's conditions on `problems p` (paging aside). */
function whereOf(f: Omit<ProblemFilter, 'limit' | 'before' | 'sort'>) {
  const where = [sql`true`];
  if (f.status?.length) where.push(sql`p.status IN (${sql.join(f.status)})`);
  if (f.category) where.push(sql`(p.category_id = ${f.category} OR p.category_id IN (SELECT id FROM problem_categories WHERE parent_id = ${f.category}))`);
  if (f.from) where.push(sql`p.reported_at >= ${f.from}`);
  if (f.to) where.push(sql`p.reported_at < ${f.to}`);
  if (f.bbox) where.push(sql`p.geom && ST_MakeEnvelope(${f.bbox[0]}, ${f.bbox[1]}, ${f.bbox[2]}, ${f.bbox[3]}, 4326)`);
  if (f.ownerOrgId !== undefined) where.push(sql`p.owner_org_id = ${f.ownerOrgId}`);
  if (f.source) where.push(f.source.length > 0 ? sql`p.source IN (${sql.join(f.source)})` : sql`false`);
  if (f.blindSpot !== undefined) where.push(sql`p.blind_spot = ${f.blindSpot}`);
  if (f.disputed !== undefined) where.push(sql`p.disputed = ${f.disputed}`);
  if (f.running) where.push(sql`p.status NOT IN ('closed', 'void') AND p.dispatched_at IS NOT NULL`);
  return where;
}

/** Problems (案件): routing at a point, the rows, their events and the working calendar. */
export class ProblemRepository {
  constructor(private readonly db: Db) {}

  async categories(db: Db = this.db): Promise<CategoryRow[]> {
    const { rows } = await sql<CategoryRow>`
      SELECT id, parent_id AS "parentId", kind, name_zh AS "nameZh", name_en AS "nameEn", duty_type_id AS "dutyTypeId",
             deadline_hours AS "deadlineHours", duplicate_radius_m AS "duplicateRadiusM", sort
      FROM problem_categories ORDER BY sort, id`.execute(db);
    return rows;
  }

  async category(db: Db, id: string): Promise<CategoryRow | undefined> {
    return (await this.categories(db)).find((c) => c.id === id);
  }

  async updateCategory(db: Db, id: string, fields: { deadlineHours?: number | undefined; duplicateRadiusM?: number | undefined; dutyTypeId?: string | null | undefined; nameZh?: string | undefined; nameEn?: string | undefined }): Promise<boolean> {
    const result = await db
      .updateTable('problem_categories')
      .set({
        ...(fields.deadlineHours !== undefined && { deadline_hours: fields.deadlineHours }),
        ...(fields.duplicateRadiusM !== undefined && { duplicate_radius_m: fields.duplicateRadiusM }),
        ...(fields.dutyTypeId !== undefined && { duty_type_id: fields.dutyTypeId }),
        ...(fields.nameZh !== undefined && { name_zh: fields.nameZh }),
        ...(fields.nameEn !== undefined && { name_en: fields.nameEn }),
      })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Who owns the point for the category: the owners of the live zones of the
   * category's duty type (with its coverage group: 市环卫 and 镇环卫 share the
   * sanitation duty) that contain the point, and the street's authorities.
   */
  async route(db: Db, categoryId: string, lon: number, lat: number): Promise<Routing> {
    const { rows } = await sql<{ inside: boolean; grid_id: number | null; street_id: number | null; place_code: string | null; owners: unknown; office: unknown; campaign: unknown }>`
      WITH p AS (SELECT ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326) AS g),
      cat AS (SELECT c.duty_type_id, d.coverage_group, d.fallback_duty_id FROM problem_categories c LEFT JOIN duty_types d ON d.id = c.duty_type_id WHERE c.id = ${categoryId}),
      duties AS (
        SELECT d.id FROM cat JOIN duty_types d ON d.id = cat.duty_type_id OR (cat.coverage_group IS NOT NULL AND d.coverage_group = cat.coverage_group)),
      own AS (
        SELECT DISTINCT o.id, o.name FROM zones z JOIN organisations o ON o.id = z.owner_org_id, p
        WHERE z.valid_to IS NULL AND z.duty_type_id IN (SELECT id FROM duties) AND z.geom && p.g AND ST_Intersects(z.geom, p.g)),
      -- a partial duty (门前三包) without a zone here falls back to its fallback duty's owners (市容秩序)
      fallback AS (
        SELECT DISTINCT o.id, o.name FROM zones z JOIN organisations o ON o.id = z.owner_org_id, p, cat
        WHERE NOT EXISTS (SELECT 1 FROM own) AND z.valid_to IS NULL AND z.duty_type_id = cat.fallback_duty_id AND z.geom && p.g AND ST_Intersects(z.geom, p.g)),
      street AS (SELECT t.id FROM territories t, p WHERE t.level = 'street' AND t.geom && p.g AND ST_Intersects(t.geom, p.g) ORDER BY t.id LIMIT 1)
      SELECT
        EXISTS (SELECT 1 FROM territories t, p WHERE t.level = 'district' AND ST_Intersects(t.geom, p.g)) AS inside,
        (SELECT t.id FROM territories t, p WHERE t.level = 'grid' AND t.geom && p.g AND ST_Intersects(t.geom, p.g) ORDER BY t.id LIMIT 1) AS grid_id,
        (SELECT id FROM street) AS street_id,
        (SELECT t.code FROM territories t, p WHERE t.level <> 'district' AND t.geom && p.g AND ST_Intersects(t.geom, p.g)
          ORDER BY CASE t.level WHEN 'grid' THEN 0 WHEN 'community' THEN 1 ELSE 2 END, t.id LIMIT 1) AS place_code,
        (SELECT coalesce(json_agg(json_build_object('id', x.id, 'name', x.name) ORDER BY x.id), '[]'::json)
           FROM (SELECT * FROM own UNION SELECT * FROM fallback) x) AS owners,
        (SELECT json_build_object('id', o.id, 'name', o.name) FROM organisations o WHERE o.kind = 'street' AND o.territory_id = (SELECT id FROM street) ORDER BY o.id LIMIT 1) AS office,
        (SELECT json_build_object('id', o.id, 'name', o.name) FROM organisations o WHERE o.kind = 'department' AND o.name LIKE '%创城办%' ORDER BY o.id LIMIT 1) AS campaign`.execute(db);
    const r = rows[0]!;
    const owners = (jsonColumn<{ id: number; name: string }[]>(r.owners as string) ?? []).sort((a, b) => a.id - b.id);
    return {
      insideDistrict: r.inside,
      gridId: r.grid_id,
      streetId: r.street_id,
      placeCode: r.place_code,
      owners,
      streetOffice: r.office ? jsonColumn<{ id: number; name: string }>(r.office as string) : null,
      campaignOffice: r.campaign ? jsonColumn<{ id: number; name: string }>(r.campaign as string) : null,
    };
  }

  async insert(db: Db, p: NewProblem): Promise<number> {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO problems (category_id, description, source, geom, grid_id, street_id, owner_org_id, blind_spot, disputed, reporter, idempotency_key)
      VALUES (${p.categoryId}, ${p.description}, ${p.source}, ST_SetSRID(ST_MakePoint(${p.lon}, ${p.lat}), 4326), ${p.gridId}, ${p.streetId},
              ${p.ownerOrgId}, ${p.blindSpot}, ${p.disputed}, ${p.reporter}, ${p.idempotencyKey})
      RETURNING id`.execute(db);
    return rows[0]!.id;
  }

  async byIdempotencyKey(db: Db, key: string): Promise<number | undefined> {
    return (await db.selectFrom('problems').select('id').where('idempotency_key', '=', key).executeTakeFirst())?.id;
  }

  async get(db: Db, id: number, forUpdate = false): Promise<ProblemRow | undefined> {
    const { rows } = await sql<RawProblem>`${SELECT} WHERE p.id = ${id} ${forUpdate ? sql`FOR UPDATE OF p` : sql``}`.execute(db);
    return rows[0] && toProblem(rows[0]);
  }

  async list(f: ProblemFilter): Promise<ProblemRow[]> {
    const where = whereOf(f);
    const oldest = f.sort === 'oldest';
    // keyset paging on (reported_at, id): the cursor is the last row's id, its report time read here
    if (f.before) where.push(oldest
      ? sql`(p.reported_at, p.id) > (SELECT c.reported_at, c.id FROM problems c WHERE c.id = ${f.before})`
      : sql`(p.reported_at, p.id) < (SELECT c.reported_at, c.id FROM problems c WHERE c.id = ${f.before})`);
    const order = oldest ? sql`p.reported_at ASC, p.id ASC` : sql`p.reported_at DESC, p.id DESC`;
    const { rows } = await sql<RawProblem>`${SELECT} WHERE ${sql.join(where, sql` AND `)} ORDER BY ${order} LIMIT ${f.limit}`.execute(this.db);
    return rows.map(toProblem);
  }

  /** How many problems the filter matches, whatever the page. */
  async count(f: Omit<ProblemFilter, 'limit' | 'before' | 'sort'>): Promise<number> {
    const { rows } = await sql<{ n: string | number }>`SELECT count(*) AS n FROM problems p WHERE ${sql.join(whereOf(f), sql` AND `)}`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  /** Open problems of a category within its duplicate radius of a point, nearest first. */
  async nearbyOpen(db: Db, categoryId: string, lon: number, lat: number, radiusM: number): Promise<(ProblemRow & { distanceM: number })[]> {
    const { rows } = await sql<RawProblem & { distance_m: number }>`
      WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326) AS g)
      SELECT q.*, ST_Distance(q.g::geography, pt.g::geography) AS distance_m FROM (
        SELECT x.*, p.geom AS g FROM (${SELECT}) x JOIN problems p ON p.id = x.id
      ) q, pt
      WHERE q.category_id = ${categoryId} AND q.status NOT IN ('closed', 'void')
        AND q.g && ST_Expand(pt.g, ${radiusM / 90_000}) AND ST_DWithin(q.g::geography, pt.g::geography, ${radiusM})
      ORDER BY distance_m, q.id LIMIT 20`.execute(db);
    return rows.map((r) => ({ ...toProblem(r), distanceM: Math.round(Number(r.distance_m) * 10) / 10 }));
  }

  /** A problem's history, oldest first; each step names its account's display name (events keep the username). */
  async events(id: number): Promise<TimelineEntry[]> {
    const { rows } = await sql<{ id: number; action: string; from_status: string | null; to_status: string | null; actor: string | null; actor_name: string | null; note: string | null; at: string }>`
      SELECT e.id, e.action, e.from_status, e.to_status, e.actor, u.display_name AS actor_name, e.note, e.at
      FROM problem_events e LEFT JOIN users u ON u.username = e.actor
      WHERE e.problem_id = ${id} ORDER BY e.at, e.id`.execute(this.db);
    return rows.map((r) => ({ id: r.id, action: r.action, fromStatus: r.from_status, toStatus: r.to_status, actor: r.actor, actorName: r.actor_name, note: r.note, at: new Date(r.at).toISOString() }));
  }

  /** Adds a step to the problem's timeline; returns the step's id (its photos link to it). */
  async addEvent(db: Db, id: number, action: string, from: string | null, to: string | null, actor: string | null, note: string | null): Promise<number> {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO problem_events (problem_id, action, from_status, to_status, actor, note) VALUES (${id}, ${action}, ${from}, ${to}, ${actor}, ${note})
      RETURNING id`.execute(db);
    return rows[0]!.id;
  }

  /** Applies a transition's column changes when the row is still at `version`; false when it moved on. */
  async apply(db: Db, id: number, version: number, set: Record<string, unknown>): Promise<boolean> {
    const result = await db
      .updateTable('problems')
      .set({ ...set, version: sql`version + 1`, updated_at: sql`now()` } as never)
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * The supervisors' indicators per owner, grid, community or street over
   * [from, to): closure and on-time closure of the problems due in the
   * period, rework, handling time, and the blind-spot and disputed reports.
   * Void problems count nowhere.
   */
  async indicators(by: IndicatorGroup, from: Date, to: Date): Promise<IndicatorRow[]> {
    const key = { owner: sql`p.owner_org_id`, grid: sql`p.grid_id`, community: sql`g.parent_id`, street: sql`p.street_id` }[by];
    const name = by === 'owner' ? sql`(SELECT name FROM organisations WHERE id = k)` : sql`(SELECT name FROM territories WHERE id = k)`;
    const { rows } = await sql<Record<string, unknown>>`
      WITH p AS (
        SELECT ${key} AS k, p.* FROM problems p LEFT JOIN territories g ON g.id = p.grid_id
        WHERE p.status <> 'void'
          AND ((p.due_at >= ${from} AND p.due_at < ${to}) OR (p.closed_at >= ${from} AND p.closed_at < ${to})
               OR (p.reported_at >= ${from} AND p.reported_at < ${to}) OR (p.status NOT IN ('closed') AND p.due_at < now()))),
      agg AS (
        SELECT k,
          count(*) FILTER (WHERE due_at >= ${from} AND due_at < ${to}) AS due,
          count(*) FILTER (WHERE due_at >= ${from} AND due_at < ${to} AND status = 'closed') AS closed,
          count(*) FILTER (WHERE due_at >= ${from} AND due_at < ${to} AND status = 'closed' AND closed_at <= due_at) AS closed_on_time,
          count(*) FILTER (WHERE closed_at >= ${from} AND closed_at < ${to} AND status = 'closed') AS closed_in_period,
          count(*) FILTER (WHERE closed_at >= ${from} AND closed_at < ${to} AND status = 'closed' AND rework_count > 0) AS reworked,
          avg(extract(epoch FROM closed_at - dispatched_at) / 3600) FILTER (WHERE closed_at >= ${from} AND closed_at < ${to} AND status = 'closed' AND dispatched_at IS NOT NULL) AS avg_hours,
          count(*) FILTER (WHERE reported_at >= ${from} AND reported_at < ${to}) AS reported,
          count(*) FILTER (WHERE reported_at >= ${from} AND reported_at < ${to} AND blind_spot) AS blind_spots,
          count(*) FILTER (WHERE reported_at >= ${from} AND reported_at < ${to} AND disputed) AS disputed,
          count(*) FILTER (WHERE status <> 'closed' AND due_at < now()) AS overdue_open
        FROM p GROUP BY k)
      SELECT k, ${name} AS name, agg.* FROM agg ORDER BY due DESC, k NULLS LAST`.execute(this.db);
    return rows.map((r) => ({
      id: r.k === null ? null : Number(r.k),
      name: r.name as string | null,
      due: Number(r.due),
      closed: Number(r.closed),
      closedOnTime: Number(r.closed_on_time),
      closedInPeriod: Number(r.closed_in_period),
      reworked: Number(r.reworked),
      avgHandlingHours: r.avg_hours === null ? null : Math.round(Number(r.avg_hours) * 10) / 10,
      reported: Number(r.reported),
      blindSpots: Number(r.blind_spots),
      disputed: Number(r.disputed),
      overdueOpen: Number(r.overdue_open),
    }));
  }

  /** Stores a photo of the problem, with the timeline step (`eventId`) it came with. */
  async addPhoto(db: Db, problemId: number, stage: PhotoStage, photo: { mime: string; bytes: Uint8Array; thumb: Uint8Array; size: number; takenAt: Date | null; gps: { lon: number; lat: number } | null }, actor: string | null, eventId: number | null = null): Promise<number> {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO problem_photos (problem_id, stage, mime, bytes, thumb, size, taken_at, geom, created_by, event_id)
      VALUES (${problemId}, ${stage}, ${photo.mime}, ${photo.bytes}, ${photo.thumb}, ${photo.size}, ${photo.takenAt},
              ${photo.gps ? sql`ST_SetSRID(ST_MakePoint(${photo.gps.lon}, ${photo.gps.lat}), 4326)` : null}, ${actor}, ${eventId})
      RETURNING id`.execute(db);
    return rows[0]!.id;
  }

  async photos(problemId: number): Promise<{ id: number; stage: string; eventId: number | null; mime: string; size: number; takenAt: string | null; createdAt: string; createdBy: string | null }[]> {
    const { rows } = await sql<{ id: number; stage: string; event_id: number | null; mime: string; size: number; taken_at: string | null; created_at: string; created_by: string | null }>`
      SELECT id, stage, event_id, mime, size, taken_at, created_at, created_by FROM problem_photos WHERE problem_id = ${problemId} ORDER BY id`.execute(this.db);
    return rows.map((r) => ({
      id: r.id, stage: r.stage, eventId: r.event_id, mime: r.mime, size: r.size, takenAt: iso(r.taken_at), createdAt: iso(r.created_at)!, createdBy: r.created_by,
    }));
  }

  async photo(problemId: number, photoId: number, thumb: boolean): Promise<{ mime: string; bytes: Uint8Array } | undefined> {
    const row = await this.db
      .selectFrom('problem_photos')
      .select(['mime', thumb ? 'thumb as bytes' : 'bytes'])
      .where('problem_id', '=', problemId)
      .where('id', '=', photoId)
      .executeTakeFirst();
    if (!row?.bytes) return undefined;
    return { mime: thumb ? 'image/webp' : row.mime, bytes: row.bytes as Uint8Array };
  }

  async calendarDay(db: Db, day: string): Promise<CalendarException | undefined> {
    const { rows } = await sql<CalendarException>`SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name FROM work_calendar WHERE day = ${day}::date`.execute(db);
    return rows[0];
  }

  async setCalendarDay(db: Db, entry: CalendarException): Promise<void> {
    await sql`
      INSERT INTO work_calendar (day, kind, name) VALUES (${entry.day}::date, ${entry.kind}, ${entry.name})
      ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name`.execute(db);
  }

  async removeCalendarDay(db: Db, day: string): Promise<void> {
    await sql`DELETE FROM work_calendar WHERE day = ${day}::date`.execute(db);
  }

  async calendar(db: Db = this.db): Promise<CalendarException[]> {
    const { rows } = await sql<CalendarException>`SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name FROM work_calendar ORDER BY day`.execute(db);
    return rows;
  }

  async organisationExists(db: Db, id: number): Promise<boolean> {
    return (await db.selectFrom('organisations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }
}
