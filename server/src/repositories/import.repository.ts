import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';
import { jsonColumn } from './json-column.ts';

type Db = Kysely<DB>;

/** One feature's geometry as PostGIS found it: repaired, measured against the scope and the layer. */
export interface CheckedRow {
  index: number;
  /** ST_IsValid was false: ST_MakeValid changed it. */
  repaired: boolean;
  /** Slivers outside the territory cut off (m²; 0: none). */
  clippedM2: number;
  /** EWKT of the repaired multi-geometry; null when nothing of the wanted type is left. */
  ewkt: string | null;
  /** The repaired geometry as GeoJSON, for the preview map. */
  geojson: unknown;
  /** m² for polygons, m for lines. */
  size: number;
  /** Part outside the user's territory: m² for polygons, m for lines. */
  outside: number;
  /** Live zones of the same duty (or coverage group) the polygon overlaps. */
  overlaps: { zoneId: number; name: string; areaM2: number }[];
}

export interface StoredPreview {
  id: string;
  userId: number;
  layer: 'zones' | 'road-sections';
  duty: string | null;
  fileName: string | null;
  features: unknown;
}

/**
 * SQL of imports: the per-feature checks (one statement over all features
 * of a file), owner look-ups and the previews waiting for their commit.
 * Overlays pass a 1e-10° grid size (the embedded GEOS otherwise answers
 * nothing for some inputs) and only ever see geometries ST_MakeValid made.
 */
export class ImportRepository {
  /**
   * Repairs every polygon (ST_MakeValid, polygons kept), measures its area,
   * the area outside the territory `scopeId`, and its overlaps with live
   * zones of `duty` or its coverage group. A polygon that leaves the
   * territory only by slivers thinner than ~10 cm (the same boundary
   * digitised at another precision: the stored district is snapped to a
   * 1 cm grid) is clipped to it instead: its zone must pass the scope check
   * of every later edit. The steps are MATERIALIZED: inlined, each overlay
   * would run once per use of its result.
   */
  async checkPolygons(db: Db, features: { index: number; geometry: unknown }[], scopeId: number, duty: string, toleranceM2: number): Promise<CheckedRow[]> {
    if (features.length === 0) return [];
    const input = JSON.stringify(features.map((f) => ({ i: f.index, g: f.geometry })));
    const { rows } = await sql<{ i: number; repaired: boolean; clipped: boolean; clipped_m2: number | null; ewkt: string | null; geojson: string | null; size: number | null; outside: number | null; overlaps: unknown }>`
      WITH input AS (
        SELECT (e->>'i')::int AS i, ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(e->>'g'), 4326)) AS g
        FROM json_array_elements(${input}::text::json) e),
      fixed AS (
        SELECT i, NOT ST_IsValid(g) AS repaired, ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3)) AS g FROM input),
      scope AS (SELECT geom FROM territories WHERE id = ${scopeId}),
      measured AS MATERIALIZED (
        SELECT f.i, f.repaired, f.g, o.o, ST_Area(o.o::geography) AS outside
        FROM fixed f CROSS JOIN scope s CROSS JOIN LATERAL (SELECT ST_Difference(f.g, s.geom, 1e-10) AS o) o),
      judged AS MATERIALIZED (
        SELECT m.i, m.repaired, m.outside,
               m.outside > ${toleranceM2} AND ST_IsEmpty(ST_Buffer(m.o, -5e-7)) AS clipped, m.g
        FROM measured m),
      final AS MATERIALIZED (
        SELECT j.i, j.repaired, j.clipped, CASE WHEN j.clipped THEN j.outside ELSE 0 END AS clipped_m2,
               CASE WHEN j.clipped THEN 0 ELSE j.outside END AS outside,
               CASE WHEN j.clipped THEN ST_Multi(ST_CollectionExtract(ST_Intersection(j.g, s.geom, 1e-10), 3)) ELSE j.g END AS g
        FROM judged j, scope s),
      grp AS (
        SELECT d2.id FROM duty_types d1 JOIN duty_types d2 ON d2.id = d1.id OR (d1.coverage_group IS NOT NULL AND d2.coverage_group = d1.coverage_group)
        WHERE d1.id = ${duty})
      SELECT f.i, f.repaired, f.clipped, f.outside,
             CASE WHEN ST_IsEmpty(f.g) THEN NULL ELSE ST_AsEWKT(f.g) END AS ewkt,
             CASE WHEN ST_IsEmpty(f.g) THEN NULL ELSE ST_AsGeoJSON(f.g, 7) END AS geojson,
             CASE WHEN ST_IsEmpty(f.g) THEN 0 ELSE ST_Area(f.g::geography) END AS size,
             f.clipped_m2,
             (SELECT coalesce(json_agg(json_build_object('zoneId', z.id, 'name', z.name,
                        'areaM2', round(ST_Area(ST_Intersection(z.geom, f.g, 1e-10)::geography)::numeric, 1)) ORDER BY z.id), '[]'::json)
                FROM zones z
                WHERE NOT ST_IsEmpty(f.g) AND z.valid_to IS NULL AND z.duty_type_id IN (SELECT id FROM grp)
                  AND z.geom && f.g AND ST_Intersects(z.geom, f.g)) AS overlaps
      FROM final f
      ORDER BY f.i`.execute(db);
    return rows.map((r) => ({
      index: Number(r.i),
      repaired: r.repaired,
      clippedM2: r.clipped ? Number(r.clipped_m2 ?? 0) : 0,
      ewkt: r.ewkt,
      geojson: r.geojson === null ? null : JSON.parse(r.geojson),
      size: Number(r.size ?? 0),
      outside: Number(r.outside ?? 0),
      overlaps: (jsonColumn<{ zoneId: number; name: string; areaM2: number | string }[]>(r.overlaps as string) ?? [])
        .map((o) => ({ ...o, areaM2: Number(o.areaM2) }))
        .filter((o) => o.areaM2 >= 1),
    }));
  }

  /** Repairs every line (lines kept), measures its length and the length outside the territory `scopeId`. */
  async checkLines(db: Db, features: { index: number; geometry: unknown }[], scopeId: number): Promise<CheckedRow[]> {
    if (features.length === 0) return [];
    const input = JSON.stringify(features.map((f) => ({ i: f.index, g: f.geometry })));
    const { rows } = await sql<{ i: number; repaired: boolean; ewkt: string | null; geojson: string | null; size: number | null; outside: number | null }>`
      WITH input AS (
        SELECT (e->>'i')::int AS i, ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(e->>'g'), 4326)) AS g
        FROM json_array_elements(${input}::text::json) e),
      fixed AS (
        SELECT i, NOT ST_IsValid(g) AS repaired, ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 2)) AS g FROM input)
      SELECT f.i, f.repaired,
             CASE WHEN ST_IsEmpty(f.g) THEN NULL ELSE ST_AsEWKT(f.g) END AS ewkt,
             CASE WHEN ST_IsEmpty(f.g) THEN NULL ELSE ST_AsGeoJSON(f.g, 7) END AS geojson,
             CASE WHEN ST_IsEmpty(f.g) THEN 0 ELSE ST_Length(f.g::geography) END AS size,
             CASE WHEN ST_IsEmpty(f.g) THEN 0 ELSE ST_Length(ST_CollectionExtract(ST_Difference(f.g, t.geom, 1e-10), 2)::geography) END AS outside
      FROM fixed f, territories t
      WHERE t.id = ${scopeId}
      ORDER BY f.i`.execute(db);
    return rows.map((r) => ({
      index: Number(r.i),
      repaired: r.repaired,
      clippedM2: 0,
      ewkt: r.ewkt,
      geojson: r.geojson === null ? null : JSON.parse(r.geojson),
      size: Number(r.size ?? 0),
      outside: Number(r.outside ?? 0),
      overlaps: [],
    }));
  }

  /** Organisations named by id or by exact name; the lowest id wins when a name is used twice. */
  async organisations(db: Db, ids: number[], names: string[]): Promise<{ id: number; name: string }[]> {
    if (ids.length === 0 && names.length === 0) return [];
    return db
      .selectFrom('organisations')
      .select(['id', 'name'])
      .where((eb) => eb.or([...(ids.length ? [eb('id', 'in', ids)] : []), ...(names.length ? [eb('name', 'in', names)] : [])]))
      .orderBy('id')
      .execute();
  }

  async organisation(db: Db, id: number): Promise<{ id: number; name: string } | undefined> {
    return db.selectFrom('organisations').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  }

  /** Stores a preview for an hour, and drops the expired ones (nobody commits those). */
  async save(db: Db, preview: StoredPreview): Promise<void> {
    await db.deleteFrom('import_previews').where('expires_at', '<', sql<Date>`now()`).execute();
    await db
      .insertInto('import_previews')
      .values({
        id: preview.id,
        user_id: preview.userId,
        layer: preview.layer,
        duty_type_id: preview.duty,
        file_name: preview.fileName,
        // as text, cast in SQL: a driver that sees a json parameter would encode the string once more
        features: sql<string>`${JSON.stringify(preview.features)}::text::jsonb`,
        expires_at: sql<Date>`now() + interval '1 hour'`,
      })
      .execute();
  }

  /**
   * Takes a live preview of the user out of the table, inside the commit's
   * transaction: a second commit waits on the row and then finds nothing;
   * a rolled-back commit leaves it in place.
   */
  async take(db: Db, id: string, userId: number): Promise<StoredPreview | undefined> {
    const row = await db
      .deleteFrom('import_previews')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('expires_at', '>', sql<Date>`now()`)
      .returning(['id', 'user_id', 'layer', 'duty_type_id', 'file_name', 'features'])
      .executeTakeFirst();
    return row && { id: row.id, userId: row.user_id, layer: row.layer, duty: row.duty_type_id, fileName: row.file_name, features: jsonColumn<unknown>(row.features as string) };
  }
}
