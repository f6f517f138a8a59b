import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';
import { jsonColumn } from './json-column.ts';
import type { Routing } from './problem.repository.ts';

type Db = Kysely<DB>;

/** A problem as an import writes it: routed already, with the times the file gave. */
export interface ImportedProblem {
  /** Reserved from the problems' identity sequence (reserveIds), so that its events can name it. */
  id: number;
  categoryId: string;
  status: string;
  description: string | null;
  lon: number;
  lat: number;
  gridId: number | null;
  streetId: number | null;
  ownerOrgId: number | null;
  blindSpot: boolean;
  disputed: boolean;
  reportedAt: string;
  closedAt: string | null;
  dueAt: string | null;
  reporter: string | null;
  externalId: string | null;
}

export interface ImportedEvent {
  problemId: number;
  action: string;
  fromStatus: string | null;
  toStatus: string;
  actor: string | null;
  note: string | null;
  at: string;
}

export interface StoredProblemPreview {
  id: string;
  userId: number;
  fileName: string | null;
  rows: unknown;
  summary: unknown;
}

/**
 * SQL of problem imports: which points lie outside the district, which
 * external ids came in before, the previews waiting for their commit, and
 * the bulk insert of problems with their timelines.
 */
export class ProblemImportRepository {
  /**
   * Indices of the points inside no district territory: the same test as a
   * report's routing (ProblemRepository.route, `insideDistrict`), for all
   * points of a file in one statement.
   */
  async outside(db: Db, points: { i: number; lon: number; lat: number }[]): Promise<Set<number>> {
    if (points.length === 0) return new Set();
    const { rows } = await sql<{ i: number }>`
      WITH p AS (
        SELECT i, ST_SetSRID(ST_MakePoint(x, y), 4326) AS g
        FROM json_to_recordset(${JSON.stringify(points.map((p) => ({ i: p.i, x: p.lon, y: p.lat })))}::text::json) AS r(i int, x float8, y float8))
      SELECT p.i FROM p
      WHERE NOT EXISTS (SELECT 1 FROM territories t WHERE t.level = 'district' AND t.geom && p.g AND ST_Intersects(t.geom, p.g))`.execute(db);
    return new Set(rows.map((r) => Number(r.i)));
  }

  /**
   * Routing of many points at once, by the rules of a report's routing
   * (ProblemRepository.route, one point per statement): inside a district;
   * the first grid and street holding the point; the smallest territory's
   * code; the owners of the live zones of the category's duty or its
   * coverage group there, else of its fallback duty; the street office and
   * the campaign office. One statement for a chunk of a file: routing
   * 100,000 rows one statement each took minutes. The import test compares
   * this with ProblemRepository.route row by row.
   */
  async route(db: Db, points: { i: number; categoryId: string; lon: number; lat: number }[]): Promise<Map<number, Routing>> {
    if (points.length === 0) return new Map();
    const input = JSON.stringify(points.map((p) => ({ i: p.i, c: p.categoryId, x: p.lon, y: p.lat })));
    const { rows } = await sql<{ i: number; inside: boolean; grid_id: number | null; street_id: number | null; place_code: string | null; owners: unknown; office: unknown; campaign: unknown }>`
      WITH pts AS MATERIALIZED (
        SELECT i, c AS category_id, ST_SetSRID(ST_MakePoint(x, y), 4326) AS g
        FROM json_to_recordset(${input}::text::json) AS r(i int, c text, x float8, y float8)),
      cats AS (
        SELECT c.id, c.duty_type_id, d.coverage_group, d.fallback_duty_id
        FROM problem_categories c LEFT JOIN duty_types d ON d.id = c.duty_type_id
        WHERE c.id IN (SELECT DISTINCT category_id FROM pts)),
      cat_duties AS (
        SELECT cats.id AS category_id, d.id AS duty FROM cats
        JOIN duty_types d ON d.id = cats.duty_type_id OR (cats.coverage_group IS NOT NULL AND d.coverage_group = cats.coverage_group)),
      own AS MATERIALIZED (
        SELECT DISTINCT p.i, o.id, o.name FROM pts p
        JOIN cat_duties cd ON cd.category_id = p.category_id
        JOIN zones z ON z.duty_type_id = cd.duty AND z.valid_to IS NULL AND z.geom && p.g AND ST_Intersects(z.geom, p.g)
        JOIN organisations o ON o.id = z.owner_org_id),
      -- a partial duty (门前三包) without a zone here falls back to its fallback duty's owners (市容秩序)
      fallback AS (
        SELECT DISTINCT p.i, o.id, o.name FROM pts p
        JOIN cats c ON c.id = p.category_id
        JOIN zones z ON z.duty_type_id = c.fallback_duty_id AND z.valid_to IS NULL AND z.geom && p.g AND ST_Intersects(z.geom, p.g)
        JOIN organisations o ON o.id = z.owner_org_id
        WHERE NOT EXISTS (SELECT 1 FROM own w WHERE w.i = p.i)),
      owners AS (
        SELECT x.i, json_agg(json_build_object('id', x.id, 'name', x.name) ORDER BY x.id) AS owners
        FROM (SELECT * FROM own UNION SELECT * FROM fallback) x GROUP BY x.i)
      SELECT p.i,
        EXISTS (SELECT 1 FROM territories t WHERE t.level = 'district' AND ST_Intersects(t.geom, p.g)) AS inside,
        (SELECT t.id FROM territories t WHERE t.level = 'grid' AND t.geom && p.g AND ST_Intersects(t.geom, p.g) ORDER BY t.id LIMIT 1) AS grid_id,
        st.id AS street_id,
        (SELECT t.code FROM territories t WHERE t.level <> 'district' AND t.geom && p.g AND ST_Intersects(t.geom, p.g)
          ORDER BY CASE t.level WHEN 'grid' THEN 0 WHEN 'community' THEN 1 ELSE 2 END, t.id LIMIT 1) AS place_code,
        coalesce(w.owners, '[]'::json) AS owners,
        (SELECT json_build_object('id', o.id, 'name', o.name) FROM organisations o WHERE o.kind = 'street' AND o.territory_id = st.id ORDER BY o.id LIMIT 1) AS office,
        (SELECT json_build_object('id', o.id, 'name', o.name) FROM organisations o WHERE o.kind = 'department' AND o.name LIKE '%创城办%' ORDER BY o.id LIMIT 1) AS campaign
      FROM pts p
      LEFT JOIN LATERAL (SELECT t.id FROM territories t WHERE t.level = 'street' AND t.geom && p.g AND ST_Intersects(t.geom, p.g) ORDER BY t.id LIMIT 1) st ON true
      LEFT JOIN owners w ON w.i = p.i
      ORDER BY p.i`.execute(db);
    return new Map(
      rows.map((r) => [
        Number(r.i),
        {
          insideDistrict: r.inside,
          gridId: r.grid_id,
          streetId: r.street_id,
          placeCode: r.place_code,
          owners: (jsonColumn<{ id: number; name: string }[]>(r.owners as string) ?? []).sort((a, b) => a.id - b.id),
          streetOffice: r.office ? jsonColumn<{ id: number; name: string }>(r.office as string) : null,
          campaignOffice: r.campaign ? jsonColumn<{ id: number; name: string }>(r.campaign as string) : null,
        },
      ]),
    );
  }

  /** Problems imported before under these external ids: external id → problem id. */
  async existing(db: Db, externalIds: string[]): Promise<Map<string, number>> {
    if (externalIds.length === 0) return new Map();
    const { rows } = await sql<{ external_id: string; id: number }>`
      SELECT p.external_id, p.id FROM problems p
      WHERE p.source = 'import' AND p.external_id IN (SELECT value FROM json_array_elements_text(${JSON.stringify(externalIds)}::text::json))`.execute(db);
    return new Map(rows.map((r) => [r.external_id, r.id]));
  }

  /** `n` fresh problem ids from the table's identity sequence. */
  async reserveIds(db: Db, n: number): Promise<number[]> {
    if (n === 0) return [];
    const { rows } = await sql<{ id: number }>`
      SELECT nextval(pg_get_serial_sequence('problems', 'id'))::int AS id FROM generate_series(1, ${n}::int)`.execute(db);
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  }

  /**
   * Inserts problems and their timeline events in one statement. A problem
   * whose external id was imported meanwhile (another commit got there
   * first) is skipped, with its events. Returns the ids written.
   */
  async insert(db: Db, problems: ImportedProblem[], events: ImportedEvent[]): Promise<number[]> {
    if (problems.length === 0) return [];
    const { rows } = await sql<{ id: number }>`
      WITH input AS (
        SELECT * FROM json_to_recordset(${JSON.stringify(problems)}::text::json) AS r(
          "id" int, "categoryId" text, "status" text, "description" text, "lon" float8, "lat" float8, "gridId" int, "streetId" int,
          "ownerOrgId" int, "blindSpot" boolean, "disputed" boolean, "reportedAt" timestamptz, "closedAt" timestamptz, "dueAt" timestamptz,
          "reporter" text, "externalId" text)),
      ins AS (
        INSERT INTO problems (id, category_id, status, description, source, geom, grid_id, street_id, owner_org_id, blind_spot, disputed,
                              reported_at, closed_at, due_at, reporter, external_id)
        SELECT "id", "categoryId", "status", "description", 'import', ST_SetSRID(ST_MakePoint("lon", "lat"), 4326), "gridId", "streetId",
               "ownerOrgId", "blindSpot", "disputed", "reportedAt", "closedAt", "dueAt", "reporter", "externalId"
        FROM input ORDER BY "id"
        ON CONFLICT (source, external_id) WHERE external_id IS NOT NULL DO NOTHING
        RETURNING id),
      ev AS (
        INSERT INTO problem_events (problem_id, action, from_status, to_status, actor, note, at)
        SELECT e."problemId", e."action", e."fromStatus", e."toStatus", e."actor", e."note", e."at"
        FROM json_to_recordset(${JSON.stringify(events.map((e, seq) => ({ ...e, seq })))}::text::json) AS e(
          "problemId" int, "action" text, "fromStatus" text, "toStatus" text, "actor" text, "note" text, "at" timestamptz, "seq" int)
        JOIN ins ON ins.id = e."problemId"
        -- in the given order: events at the same instant keep it in the timeline (ordered by time, then id)
        ORDER BY e."seq"
        RETURNING 1)
      -- a data-modifying WITH runs to completion whether or not the main query reads it
      SELECT id FROM ins ORDER BY id`.execute(db);
    return rows.map((r) => Number(r.id));
  }

  /** Stores a preview for an hour, and drops the expired ones (nobody commits those). */
  async save(db: Db, preview: StoredProblemPreview): Promise<void> {
    await db.deleteFrom('problem_import_previews').where('expires_at', '<', sql<Date>`now()`).execute();
    await db
      .insertInto('problem_import_previews')
      .values({
        id: preview.id,
        user_id: preview.userId,
        file_name: preview.fileName,
        // as text, cast in SQL: a driver that sees a json parameter would encode the string once more
        rows: sql<string>`${JSON.stringify(preview.rows)}::text::jsonb`,
        summary: sql<string>`${JSON.stringify(preview.summary)}::text::jsonb`,
        expires_at: sql<Date>`now() + interval '1 hour'`,
      })
      .execute();
  }

  /**
   * Takes a live preview of the user out of the table, inside the commit's
   * transaction: a second commit waits on the row and then finds nothing;
   * a rolled-back commit leaves it in place.
   */
  async take(db: Db, id: string, userId: number): Promise<StoredProblemPreview | undefined> {
    const row = await db
      .deleteFrom('problem_import_previews')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('expires_at', '>', sql<Date>`now()`)
      .returning(['id', 'user_id', 'file_name', 'rows', 'summary'])
      .executeTakeFirst();
    return row && { id: row.id, userId: row.user_id, fileName: row.file_name, rows: jsonColumn<unknown>(row.rows as string), summary: jsonColumn<unknown>(row.summary as string) };
  }
}
