import type { DB } from '@civgrid/db';
import type { Feature, Geometry, MultiLineString } from 'geojson';
import { type Kysely, sql } from 'kysely';
import { jsonColumn } from './json-column.ts';

type Db = Kysely<DB>;

/** How far a drawn line may stray from a road and still be taken as that road (m). */
export const ROAD_SNAP_M = 15;
/** Sections within this distance of a road cover it; the blind-spot engine's default (m). */
export const SECTION_COVER_M = 2;

export interface SectionFields {
  name: string;
  ownerOrgId: number;
  personId: number | null;
  /** The day the responsibility starts (YYYY-MM-DD, China time); a create without one starts now, an update keeps it. */
  validFrom?: string | null | undefined;
}

export interface SectionProperties extends Omit<SectionFields, 'validFrom'> {
  id: number;
  version: number;
  roadId: number | null;
  roadName: string | null;
  ownerName: string;
  validFrom: string;
  updatedAt: string;
  updatedBy: string | null;
  lengthM: number;
}

export type SectionFeature = Feature<MultiLineString, SectionProperties> & { id: number };
export type StoredSection = SectionFeature & { territoryCode: string | null };

/** A drawn line after it was laid onto its road (when it follows one) and measured against the scope. */
export interface PreparedLine {
  ewkt: string;
  roadId: number | null;
  roadName: string | null;
  lengthM: number;
  outsideM: number;
}

export interface SectionFindings {
  /** Other live sections claiming the same stretch, with the shared length. */
  overlaps: { sectionId: number; name: string; ownerName: string; lengthM: number }[];
  /** Road length the section covered before the edit that no section covers after it. */
  uncoveredCreatedM: number;
  /** Road length nobody covered before that the edit covers. */
  uncoveredFilledM: number;
}

/** The findings with where they lie, for the editor's map (the preview). */
export interface SectionFindingsWithGeometry extends SectionFindings {
  /** Each with the stretch of the edited line it shares with that section. */
  overlaps: (SectionFindings['overlaps'][number] & { geometry: Geometry | null })[];
  /** The road left to nobody, and the road taken up (MultiLineStrings; null when there is none). */
  uncoveredCreated: Geometry | null;
  uncoveredFilled: Geometry | null;
}

export interface SectionVersionRow {
  version: number;
  name: string;
  ownerOrgId: number;
  ownerName: string | null;
  personId: number | null;
  roadId: number | null;
  deleted: boolean;
  validFrom: string;
  changedAt: string;
  changedBy: string | null;
  comment: string | null;
  geometry: unknown;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const startOf = (day: string | null | undefined) => (day ? sql`${`${day}T00:00:00+08:00`}::timestamptz` : sql`now()`);

/**
 * Responsibility road sections (责任路段) and their version rows. A drawn
 * line that follows a road is replaced by the road's own stretch between the
 * drawn ends, so sections lie exactly on the network. Overlays pass a 1e-10°
 * grid size for the embedded GEOS.
 */
export class RoadSectionRepository {
  constructor(private readonly db: Db) {}

  /** `snap`: lay a drawn line onto its road; off for lines that come from stored sections (a merge, a restore). */
  async prepare(db: Db, geojson: unknown, scopeId: number, snap = true): Promise<PreparedLine | undefined> {
    const { rows } = await sql<{ ewkt: string; road_id: number | null; road_name: string | null; length_m: number; outside_m: number }>`
      WITH input AS (SELECT ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geojson)}), 4326)) AS g),
      cand AS (
        SELECT r.id, r.name, r.geom,
               ST_Length(ST_Intersection(i.g, ST_Buffer(r.geom::geography, ${ROAD_SNAP_M})::geometry, 1e-10)::geography) AS along
        FROM roads r, input i
        WHERE r.geom && ST_Expand(i.g, 0.001) AND ST_DWithin(r.geom::geography, i.g::geography, ${ROAD_SNAP_M})
        ORDER BY along DESC, r.id LIMIT 1),
      snapped AS (
        SELECT c.id, c.name, ST_LineSubstring(c.geom, least(l.a, l.b), greatest(l.a, l.b)) AS g
        FROM cand c, input i,
             LATERAL (SELECT ST_LineLocatePoint(c.geom, ST_StartPoint(i.g)) AS a, ST_LineLocatePoint(c.geom, ST_EndPoint(i.g)) AS b) l
        WHERE ${snap} AND c.along >= 0.8 * ST_Length(i.g::geography) AND abs(l.a - l.b) > 1e-9),
      chosen AS (
        SELECT coalesce((SELECT g FROM snapped), (SELECT g FROM input)) AS g,
               coalesce((SELECT id FROM snapped), CASE WHEN NOT ${snap} THEN (SELECT id FROM cand WHERE along >= 0.8 * ST_Length((SELECT g FROM input)::geography)) END) AS road_id,
               coalesce((SELECT name FROM snapped), CASE WHEN NOT ${snap} THEN (SELECT name FROM cand WHERE along >= 0.8 * ST_Length((SELECT g FROM input)::geography)) END) AS road_name)
      SELECT ST_AsEWKT(ST_Multi(c.g)) AS ewkt, c.road_id, c.road_name,
             ST_Length(c.g::geography) AS length_m,
             ST_Length(ST_CollectionExtract(ST_Difference(c.g, t.geom, 1e-10), 2)::geography) AS outside_m
      FROM chosen c, territories t
      WHERE t.id = ${scopeId} AND ST_IsValid(c.g) AND NOT ST_IsEmpty(c.g)`.execute(db);
    const r = rows[0];
    return r && { ewkt: r.ewkt, roadId: r.road_id, roadName: r.road_name, lengthM: Number(r.length_m), outsideM: Number(r.outside_m) };
  }

  async insert(db: Db, fields: SectionFields, line: PreparedLine, actor: string | null, comment: string | null): Promise<number> {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO road_sections (name, road_id, chief_org_id, chief_person_id, geom, updated_by, valid_from)
      VALUES (${fields.name}, ${line.roadId}, ${fields.ownerOrgId}, ${fields.personId}, ST_GeomFromEWKT(${line.ewkt}), ${actor}, ${startOf(fields.validFrom)})
      RETURNING id`.execute(db);
    const id = rows[0]!.id;
    await this.snapshot(db, id, actor, comment, false);
    return id;
  }

  async update(db: Db, id: number, version: number, fields: SectionFields, line: PreparedLine, actor: string | null, comment: string | null): Promise<boolean> {
    const result = await sql`
      UPDATE road_sections SET name = ${fields.name}, road_id = ${line.roadId}, chief_org_id = ${fields.ownerOrgId}, chief_person_id = ${fields.personId},
             geom = ST_GeomFromEWKT(${line.ewkt}), version = version + 1, updated_at = now(), updated_by = ${actor},
             valid_from = ${fields.validFrom ? startOf(fields.validFrom) : sql`valid_from`}
      WHERE id = ${id} AND version = ${version} AND valid_to IS NULL`.execute(db);
    if (Number(result.numAffectedRows ?? 0) === 0) return false;
    await this.snapshot(db, id, actor, comment, false);
    return true;
  }

  async retire(db: Db, id: number, version: number, actor: string | null, comment: string | null): Promise<boolean> {
    const result = await sql`
      UPDATE road_sections SET valid_to = greatest(now(), valid_from + interval '1 millisecond'), version = version + 1, updated_at = now(), updated_by = ${actor}
      WHERE id = ${id} AND version = ${version} AND valid_to IS NULL`.execute(db);
    if (Number(result.numAffectedRows ?? 0) === 0) return false;
    await this.snapshot(db, id, actor, comment, true);
    return true;
  }

  async revive(db: Db, id: number): Promise<void> {
    await sql`UPDATE road_sections SET valid_to = NULL WHERE id = ${id}`.execute(db);
  }

  private async snapshot(db: Db, id: number, actor: string | null, comment: string | null, deleted: boolean): Promise<void> {
    await sql`
      INSERT INTO road_section_versions (section_id, version, name, road_id, chief_org_id, chief_person_id, geom, deleted, valid_from, changed_by, comment)
      SELECT id, version, name, road_id, chief_org_id, chief_person_id, geom, ${deleted}, valid_from, ${actor}, ${comment}
      FROM road_sections WHERE id = ${id}`.execute(db);
  }

  /** A live section as a GeoJSON Feature, or undefined. */
  async feature(id: number, db: Db = this.db): Promise<StoredSection | undefined> {
    const { rows } = await sql<{ f: string | SectionFeature; territory_code: string | null }>`
      SELECT json_build_object('type', 'Feature', 'id', s.id, 'geometry', ST_AsGeoJSON(s.geom, 7)::json,
               'properties', json_build_object('id', s.id, 'name', s.name, 'roadId', s.road_id, 'roadName', r.name,
                 'ownerOrgId', s.chief_org_id, 'ownerName', o.name, 'personId', s.chief_person_id, 'version', s.version,
                 'validFrom', s.valid_from, 'updatedAt', s.updated_at, 'updatedBy', s.updated_by,
                 'lengthM', round(ST_Length(s.geom::geography)::numeric, 1))) AS f,
             (SELECT t.code FROM territories t WHERE t.level = 'community' AND ST_Intersects(t.geom, ST_LineInterpolatePoint(ST_GeometryN(s.geom, 1), 0.5))
              ORDER BY t.id LIMIT 1) AS territory_code
      FROM road_sections s JOIN organisations o ON o.id = s.chief_org_id LEFT JOIN roads r ON r.id = s.road_id
      WHERE s.id = ${id} AND s.valid_to IS NULL`.execute(db);
    const row = rows[0];
    return row && { ...jsonColumn<SectionFeature>(row.f), territoryCode: row.territory_code };
  }

  /** Whether the section lies within the territory (all but `toleranceM` of its length). */
  async within(db: Db, id: number, scopeId: number, toleranceM: number): Promise<boolean> {
    const { rows } = await sql<{ ok: boolean }>`
      SELECT ST_Length(ST_CollectionExtract(ST_Difference(s.geom, t.geom, 1e-10), 2)::geography) <= ${toleranceM} AS ok
      FROM road_sections s, territories t WHERE s.id = ${id} AND t.id = ${scopeId}`.execute(db);
    return rows[0]?.ok ?? false;
  }

  /**
   * What saving `ewkt` would do: the live sections it shares road with, and
   * the road length it leaves to nobody or takes up, near the edit (the
   * section `excludeId` is the one being changed).
   */
  async findings(db: Db, ewkt: string, excludeId: number | null): Promise<SectionFindings>;
  async findings(db: Db, ewkt: string, excludeId: number | null, withGeometry: true): Promise<SectionFindingsWithGeometry>;
  async findings(db: Db, ewkt: string, excludeId: number | null, withGeometry = false): Promise<SectionFindings | SectionFindingsWithGeometry> {
    const { rows } = await sql<{ overlaps: unknown; created_m: number | null; filled_m: number | null; created_g: string | null; filled_g: string | null }>`
      WITH g AS (SELECT ST_GeomFromEWKT(${ewkt}) AS g),
      own AS (SELECT geom FROM road_sections WHERE id = ${excludeId ?? 0} AND valid_to IS NULL),
      env AS (SELECT ST_Expand(ST_Envelope(ST_Collect(g.g, coalesce((SELECT geom FROM own), g.g))), 0.0005) AS e FROM g),
      others AS (
        SELECT s.id, s.name, s.chief_org_id, s.geom FROM road_sections s, env
        WHERE s.valid_to IS NULL AND s.id <> ${excludeId ?? 0} AND s.geom && env.e),
      cover AS (SELECT ST_Union(ST_Buffer(geom::geography, ${SECTION_COVER_M})::geometry, 1e-10) AS c FROM others),
      mine AS (
        SELECT ST_Buffer(g.g::geography, ${SECTION_COVER_M})::geometry AS after,
               (SELECT ST_Buffer(geom::geography, ${SECTION_COVER_M})::geometry FROM own) AS before
        FROM g),
      rd AS (SELECT ST_Union(ST_CollectionExtract(ST_Intersection(r.geom, env.e, 1e-10), 2), 1e-10) AS r FROM roads r, env WHERE r.geom && env.e),
      before_cov AS (SELECT ST_Union(coalesce(cover.c, 'SRID=4326;POLYGON EMPTY'::geometry), coalesce(mine.before, 'SRID=4326;POLYGON EMPTY'::geometry), 1e-10) AS c FROM cover, mine),
      after_cov AS (SELECT ST_Union(coalesce(cover.c, 'SRID=4326;POLYGON EMPTY'::geometry), mine.after, 1e-10) AS c FROM cover, mine)
      SELECT
        (SELECT coalesce(json_agg(json_build_object('sectionId', o.id, 'name', o.name, 'ownerName', org.name,
                 'lengthM', round(ST_Length(sh.g::geography)::numeric, 1),
                 'geometry', CASE WHEN ${withGeometry} THEN ST_AsGeoJSON(ST_Multi(sh.g), 7)::json END)
                 ORDER BY o.id), '[]'::json)
           FROM others o JOIN organisations org ON org.id = o.chief_org_id, g,
                LATERAL (SELECT ST_CollectionExtract(ST_Intersection(g.g, ST_Buffer(o.geom::geography, ${SECTION_COVER_M})::geometry, 1e-10), 2) AS g) sh
           WHERE ST_DWithin(o.geom::geography, g.g::geography, ${SECTION_COVER_M})) AS overlaps,
        ch.created_m, ch.filled_m,
        CASE WHEN ${withGeometry} AND ch.created_m > 0 THEN ST_AsGeoJSON(ST_Multi(ch.created), 7) END AS created_g,
        CASE WHEN ${withGeometry} AND ch.filled_m > 0 THEN ST_AsGeoJSON(ST_Multi(ch.filled), 7) END AS filled_g
      FROM (
        SELECT c.created, c.filled, ST_Length(c.created::geography) AS created_m, ST_Length(c.filled::geography) AS filled_m
        FROM (SELECT ST_CollectionExtract(ST_Difference(ST_Intersection(rd.r, b.c, 1e-10), a.c, 1e-10), 2) AS created,
                     ST_CollectionExtract(ST_Difference(ST_Intersection(rd.r, a.c, 1e-10), b.c, 1e-10), 2) AS filled
              FROM rd, before_cov b, after_cov a) c) ch`.execute(db);
    const row = rows[0];
    const overlaps = (jsonColumn<SectionFindingsWithGeometry['overlaps']>((row?.overlaps ?? '[]') as string) ?? [])
      .map((o) => ({ ...o, lengthM: Number(o.lengthM) }))
      .filter((o) => o.lengthM > SECTION_COVER_M);
    const found = { uncoveredCreatedM: round1(Number(row?.created_m ?? 0)), uncoveredFilledM: round1(Number(row?.filled_m ?? 0)) };
    if (!withGeometry) return { overlaps: overlaps.map(({ geometry: _, ...o }) => o), ...found };
    const geometry = (text: string | null | undefined): Geometry | null => (text ? (JSON.parse(text) as Geometry) : null);
    return { overlaps, ...found, uncoveredCreated: geometry(row?.created_g), uncoveredFilled: geometry(row?.filled_g) };
  }

  /**
   * The two pieces of a single-line section cut at the point of it nearest to
   * `point` (within ROAD_SNAP_M), longer first; undefined when the section is
   * not one line or the point is off it or at an end.
   */
  async splitAt(db: Db, id: number, point: [number, number]): Promise<string[] | undefined> {
    const { rows } = await sql<{ a: string | null; b: string | null }>`
      WITH s AS (SELECT ST_LineMerge(geom) AS g FROM road_sections WHERE id = ${id}),
      p AS (SELECT ST_SetSRID(ST_MakePoint(${point[0]}, ${point[1]}), 4326) AS p),
      f AS (SELECT s.g, ST_LineLocatePoint(s.g, p.p) AS f FROM s, p
            WHERE GeometryType(s.g) = 'LINESTRING' AND ST_DWithin(s.g::geography, p.p::geography, ${ROAD_SNAP_M}))
      SELECT ST_AsEWKT(ST_Multi(ST_LineSubstring(g, 0, f))) AS a, ST_AsEWKT(ST_Multi(ST_LineSubstring(g, f, 1))) AS b
      FROM f WHERE ST_Length(ST_LineSubstring(g, 0, f)::geography) >= 1 AND ST_Length(ST_LineSubstring(g, f, 1)::geography) >= 1`.execute(db);
    const r = rows[0];
    if (!r?.a || !r.b) return undefined;
    const lengths = await sql<{ a: number; b: number }>`SELECT ST_Length(ST_GeomFromEWKT(${r.a})::geography) AS a, ST_Length(ST_GeomFromEWKT(${r.b})::geography) AS b`.execute(db);
    return lengths.rows[0]!.a >= lengths.rows[0]!.b ? [r.a, r.b] : [r.b, r.a];
  }

  /** The sections joined end to end, and into how many lines they merge (one: they connect). */
  async union(db: Db, ids: number[]): Promise<{ geojson: string; parts: number }> {
    const { rows } = await sql<{ geojson: string; parts: number }>`
      WITH u AS (SELECT ST_LineMerge(ST_Union(geom, 1e-10)) AS g FROM road_sections WHERE id = ANY(${ids}) AND valid_to IS NULL)
      SELECT ST_AsGeoJSON(g, 9) AS geojson, ST_NumGeometries(g) AS parts FROM u`.execute(db);
    return { geojson: rows[0]!.geojson, parts: Number(rows[0]!.parts) };
  }

  async history(id: number): Promise<SectionVersionRow[]> {
    const { rows } = await sql<SectionVersionRow & { geometry: string | null }>`
      SELECT v.version, v.name, v.chief_org_id AS "ownerOrgId", o.name AS "ownerName", v.chief_person_id AS "personId", v.road_id AS "roadId",
             v.deleted, v.valid_from AS "validFrom", v.changed_at AS "changedAt", v.changed_by AS "changedBy", v.comment,
             ST_AsGeoJSON(v.geom, 7) AS geometry
      FROM road_section_versions v LEFT JOIN organisations o ON o.id = v.chief_org_id
      WHERE v.section_id = ${id} ORDER BY v.version DESC`.execute(this.db);
    return rows.map((r) => ({
      ...r,
      validFrom: new Date(r.validFrom).toISOString(),
      changedAt: new Date(r.changedAt).toISOString(),
      geometry: r.geometry === null ? null : JSON.parse(r.geometry as string),
    }));
  }

  async versionRow(db: Db, id: number, version: number): Promise<(SectionFields & { geojson: string | null; deleted: boolean }) | undefined> {
    const { rows } = await sql<{ name: string; owner: number; person: number | null; geojson: string | null; deleted: boolean }>`
      SELECT name, chief_org_id AS owner, chief_person_id AS person, ST_AsGeoJSON(geom, 9) AS geojson, deleted
      FROM road_section_versions WHERE section_id = ${id} AND version = ${version}`.execute(db);
    const r = rows[0];
    return r && { name: r.name, ownerOrgId: r.owner, personId: r.person, geojson: r.geojson, deleted: r.deleted };
  }

  async state(db: Db, id: number): Promise<{ version: number; retired: boolean } | undefined> {
    const { rows } = await sql<{ version: number; retired: boolean }>`
      SELECT version, valid_to IS NOT NULL AS retired FROM road_sections WHERE id = ${id}`.execute(db);
    return rows[0];
  }
}
