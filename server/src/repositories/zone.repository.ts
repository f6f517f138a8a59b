import type { DB } from '@civgrid/db';
import type { Feature, MultiPolygon } from 'geojson';
import { type Kysely, sql } from 'kysely';
import { jsonColumn } from './json-column.ts';

type Db = Kysely<DB>;

export interface ZoneFields {
  duty: string;
  name: string;
  ownerOrgId: number;
  personId: number | null;
  /** The day the responsibility starts (YYYY-MM-DD, China time); a create without one starts now, an update keeps it. */
  validFrom?: string | null | undefined;
}

export interface ZoneProperties extends Omit<ZoneFields, 'validFrom'> {
  id: number;
  version: number;
  ownerName: string;
  territoryId: number | null;
  validFrom: string;
  updatedAt: string;
  updatedBy: string | null;
  areaM2: number;
}

export type ZoneFeature = Feature<MultiPolygon, ZoneProperties> & { id: number };
/** A zone as stored, with the code of its community (for the audit trail's scope). */
export type StoredZone = ZoneFeature & { territoryCode: string | null };

/** A geometry after repair, and what the repair and the scope check found. */
export interface PreparedGeometry {
  /** EWKT of the repaired MultiPolygon, or null when nothing polygonal is left. */
  ewkt: string | null;
  repaired: boolean;
  /** Area of the zone outside the allowed territory, in m². */
  outsideM2: number;
  areaM2: number;
}

export interface PreviewFindings {
  overlaps: (OverlapFinding & { geometry: unknown })[];
  /** Land the zone covered before the edit that no zone of its duty covers after it. */
  gapsCreated: { areaM2: number; geometry: unknown };
  /** Land nobody covered before that the edit covers. */
  gapsFilled: { areaM2: number; geometry: unknown };
  /** Overlaps the zone `excludeId` had with neighbours that the edit takes back (the area no longer shared). */
  overlapsRemoved: OverlapFinding[];
}

export interface ZoneVersionRow {
  version: number;
  name: string;
  duty: string;
  ownerOrgId: number;
  ownerName: string | null;
  personId: number | null;
  deleted: boolean;
  validFrom: string;
  changedAt: string;
  changedBy: string | null;
  comment: string | null;
  geometry: unknown;
}

export interface OverlapFinding {
  zoneId: number;
  name: string;
  ownerName: string;
  areaM2: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The start of a day in China time, or now. */
const startOf = (day: string | null | undefined) => (day ? sql`${`${day}T00:00:00+08:00`}::timestamptz` : sql`now()`);

/**
 * Zones: reads of one zone, and the writes with their version rows. Every
 * overlay passes a 1e-10° grid size: the embedded GEOS otherwise returns no
 * rows for some inputs, silently.
 */
export class ZoneRepository {
  constructor(private readonly db: Db) {}

  /**
   * Repairs the input (ST_MakeValid, polygons only, 2D) and measures how much
   * of it falls outside the territory `scopeId`.
   */
  async prepare(db: Db, geojson: unknown, scopeId: number): Promise<PreparedGeometry> {
    const { rows } = await sql<{ ewkt: string | null; repaired: boolean; outside_m2: number | null; area_m2: number | null }>`
      WITH input AS (SELECT ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geojson)}), 4326)) AS g),
      fixed AS (
        SELECT NOT ST_IsValid(g) AS repaired,
               ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3)) AS g
        FROM input)
      SELECT CASE WHEN ST_IsEmpty(f.g) THEN NULL ELSE ST_AsEWKT(f.g) END AS ewkt,
             f.repaired,
             ST_Area(ST_Difference(f.g, t.geom, 1e-10)::geography) AS outside_m2,
             ST_Area(f.g::geography) AS area_m2
      FROM fixed f, territories t
      WHERE t.id = ${scopeId}`.execute(db);
    const row = rows[0];
    return { ewkt: row?.ewkt ?? null, repaired: row?.repaired ?? false, outsideM2: Number(row?.outside_m2 ?? 0), areaM2: Number(row?.area_m2 ?? 0) };
  }

  /** The community holding most of the zone (its point on surface), for filtering by place. */
  private territoryOf(ewkt: string) {
    return sql<number>`(SELECT t.id FROM territories t WHERE t.level = 'community' AND ST_Intersects(t.geom, ST_PointOnSurface(ST_GeomFromEWKT(${ewkt}))) ORDER BY t.id LIMIT 1)`;
  }

  async insert(db: Db, fields: ZoneFields, ewkt: string, actor: string | null, comment: string | null): Promise<number> {
    const { rows } = await sql<{ id: number }>`
      INSERT INTO zones (duty_type_id, name, owner_org_id, person_id, territory_id, geom, updated_by, valid_from)
      VALUES (${fields.duty}, ${fields.name}, ${fields.ownerOrgId}, ${fields.personId}, ${this.territoryOf(ewkt)}, ST_GeomFromEWKT(${ewkt}), ${actor},
              ${startOf(fields.validFrom)})
      RETURNING id`.execute(db);
    const id = rows[0]!.id;
    await this.snapshot(db, id, actor, comment, false);
    return id;
  }

  /** Updates when the stored version is `version`; false when it is not (stale, or gone). */
  async update(db: Db, id: number, version: number, fields: ZoneFields, ewkt: string, actor: string | null, comment: string | null): Promise<boolean> {
    const result = await sql`
      UPDATE zones SET duty_type_id = ${fields.duty}, name = ${fields.name}, owner_org_id = ${fields.ownerOrgId},
             person_id = ${fields.personId}, territory_id = ${this.territoryOf(ewkt)}, geom = ST_GeomFromEWKT(${ewkt}),
             version = version + 1, updated_at = now(), updated_by = ${actor},
             valid_from = ${fields.validFrom ? startOf(fields.validFrom) : sql`valid_from`}
      WHERE id = ${id} AND version = ${version} AND valid_to IS NULL`.execute(db);
    if (Number(result.numAffectedRows ?? 0) === 0) return false;
    await this.snapshot(db, id, actor, comment, false);
    return true;
  }

  /** The zone's geometry joined with `ewkt`, and how many parts each has (a gap given to its neighbour must touch it). */
  async unionWith(db: Db, id: number, ewkt: string): Promise<{ ewkt: string; parts: number; before: number }> {
    const { rows } = await sql<{ ewkt: string; parts: number; before: number }>`
      WITH z AS (SELECT geom FROM zones WHERE id = ${id} AND valid_to IS NULL),
      u AS (SELECT ST_Union(z.geom, ST_GeomFromEWKT(${ewkt}), 1e-10) AS g FROM z)
      SELECT ST_AsEWKT(ST_Multi(ST_CollectionExtract(u.g, 3))) AS ewkt, ST_NumGeometries(ST_CollectionExtract(u.g, 3)) AS parts,
             ST_NumGeometries(z.geom) AS before
      FROM u, z`.execute(db);
    const r = rows[0]!;
    return { ewkt: r.ewkt, parts: Number(r.parts), before: Number(r.before) };
  }

  /** Ends a zone's validity (the row and its history stay, for the map as of a date). */
  async retire(db: Db, id: number, version: number, actor: string | null, comment: string | null): Promise<boolean> {
    const result = await sql`
      UPDATE zones SET valid_to = now(), version = version + 1, updated_at = now(), updated_by = ${actor}
      WHERE id = ${id} AND version = ${version} AND valid_to IS NULL`.execute(db);
    if (Number(result.numAffectedRows ?? 0) === 0) return false;
    await this.snapshot(db, id, actor, comment, true);
    return true;
  }

  private async snapshot(db: Db, id: number, actor: string | null, comment: string | null, deleted: boolean): Promise<void> {
    await sql`
      INSERT INTO zone_versions (zone_id, version, duty_type_id, name, owner_org_id, person_id, geom, deleted, valid_from, changed_by, comment)
      SELECT id, version, duty_type_id, name, owner_org_id, person_id, geom, ${deleted}, valid_from, ${actor}, ${comment}
      FROM zones WHERE id = ${id}`.execute(db);
  }

  /** A live zone as a GeoJSON Feature, or undefined. */
  async feature(id: number, db: Db = this.db): Promise<StoredZone | undefined> {
    const { rows } = await sql<{ f: string | ZoneFeature; territory_code: string | null }>`
      SELECT json_build_object('type', 'Feature', 'id', z.id, 'geometry', ST_AsGeoJSON(z.geom, 7)::json,
               'properties', json_build_object('id', z.id, 'duty', z.duty_type_id, 'name', z.name, 'ownerOrgId', z.owner_org_id,
                 'ownerName', o.name, 'personId', z.person_id, 'version', z.version, 'territoryId', z.territory_id,
                 'validFrom', z.valid_from, 'updatedAt', z.updated_at, 'updatedBy', z.updated_by,
                 'areaM2', round(ST_Area(z.geom::geography)::numeric, 1))) AS f,
             t.code AS territory_code
      FROM zones z JOIN organisations o ON o.id = z.owner_org_id LEFT JOIN territories t ON t.id = z.territory_id
      WHERE z.id = ${id} AND z.valid_to IS NULL`.execute(db);
    const row = rows[0];
    return row && { ...jsonColumn<ZoneFeature>(row.f), territoryCode: row.territory_code };
  }

  /** Whether the zone lies within the territory (all but `toleranceM2` of it). */
  async within(db: Db, id: number, scopeId: number, toleranceM2: number): Promise<boolean> {
    const { rows } = await sql<{ ok: boolean }>`
      SELECT ST_Area(ST_Difference(z.geom, t.geom, 1e-10)::geography) <= ${toleranceM2} AS ok
      FROM zones z, territories t WHERE z.id = ${id} AND t.id = ${scopeId}`.execute(db);
    return rows[0]?.ok ?? false;
  }

  /** Live zones of the same duty (or coverage group) that a zone overlaps, with the shared area. */
  async overlaps(db: Db, id: number): Promise<OverlapFinding[]> {
    const { rows } = await sql<{ zone_id: number; name: string; owner_name: string; area_m2: number }>`
      SELECT o.id AS zone_id, o.name, org.name AS owner_name,
             round(ST_Area(ST_Intersection(z.geom, o.geom, 1e-10)::geography)::numeric, 1)::float8 AS area_m2
      FROM zones z
      JOIN duty_types dz ON dz.id = z.duty_type_id
      JOIN zones o ON o.id <> z.id AND o.valid_to IS NULL AND o.geom && z.geom AND ST_Intersects(o.geom, z.geom)
      JOIN duty_types dn ON dn.id = o.duty_type_id
      JOIN organisations org ON org.id = o.owner_org_id
      WHERE z.id = ${id}
        AND (o.duty_type_id = z.duty_type_id OR (dz.coverage_group IS NOT NULL AND dz.coverage_group = dn.coverage_group))
      ORDER BY o.id`.execute(db);
    return rows.map((r) => ({ zoneId: r.zone_id, name: r.name, ownerName: r.owner_name, areaM2: Number(r.area_m2) })).filter((r) => r.areaM2 >= 1);
  }

  /**
   * What saving `ewkt` as a zone of `duty` would do against the other live
   * zones of that duty (or its coverage group), inside the district: which it
   * overlaps, what land the zone `excludeId` covered that would be left to
   * nobody, and what uncovered land it would take up. An overlay's result goes
   * on to the next one as its polygons only: GEOS before 3.12 (PostGIS 3.3)
   * refuses the lines and points a difference of touching shapes leaves.
   */
  async preview(db: Db, ewkt: string, duty: string, excludeId: number | null): Promise<PreviewFindings> {
    const { rows } = await sql<{ overlaps: unknown; removed: unknown; created_m2: number | null; created: unknown; filled_m2: number | null; filled: unknown }>`
      WITH g AS (SELECT ST_GeomFromEWKT(${ewkt}) AS g),
      own AS (SELECT geom FROM zones WHERE id = ${excludeId ?? 0} AND valid_to IS NULL),
      grp AS (
        SELECT d2.id FROM duty_types d1 JOIN duty_types d2 ON d2.id = d1.id OR (d1.coverage_group IS NOT NULL AND d2.coverage_group = d1.coverage_group)
        WHERE d1.id = ${duty}),
      own_env AS (SELECT ST_Expand(ST_Envelope(ST_Collect(g.g, coalesce((SELECT geom FROM own), g.g))), 0.0001) AS e FROM g),
      neighbours AS (
        SELECT z.id, z.name, z.owner_org_id, z.geom FROM zones z, own_env
        WHERE z.valid_to IS NULL AND z.id <> ${excludeId ?? 0} AND z.duty_type_id IN (SELECT id FROM grp) AND z.geom && own_env.e),
      others AS (SELECT ST_Union(geom, 1e-10) AS u FROM neighbours),
      district AS (SELECT ST_Union(geom, 1e-10) AS d FROM territories WHERE level = 'district'),
      lost AS (
        SELECT ST_Difference(ST_CollectionExtract(ST_Difference(own.geom, g.g, 1e-10), 3), coalesce(others.u, 'SRID=4326;POLYGON EMPTY'::geometry), 1e-10) AS x
        FROM own, g, others),
      taken AS (
        SELECT ST_Difference(ST_CollectionExtract(ST_Intersection(g.g, district.d, 1e-10), 3),
                 ST_Union(coalesce(others.u, 'SRID=4326;POLYGON EMPTY'::geometry), coalesce((SELECT geom FROM own), 'SRID=4326;POLYGON EMPTY'::geometry), 1e-10), 1e-10) AS x
        FROM g, others, district)
      SELECT
        (SELECT coalesce(json_agg(json_build_object('zoneId', n.id, 'name', n.name, 'ownerName', o.name,
                  'areaM2', round(ST_Area(ST_Intersection(n.geom, g.g, 1e-10)::geography)::numeric, 1),
                  'geometry', ST_AsGeoJSON(ST_CollectionExtract(ST_Intersection(n.geom, g.g, 1e-10), 3), 7)::json) ORDER BY n.id), '[]'::json)
           FROM neighbours n JOIN organisations o ON o.id = n.owner_org_id, g WHERE ST_Intersects(n.geom, g.g)) AS overlaps,
        (SELECT coalesce(json_agg(json_build_object('zoneId', r.id, 'name', r.name, 'ownerName', r.owner_name, 'areaM2', r.area_m2) ORDER BY r.id), '[]'::json)
           FROM (SELECT n.id, n.name, o.name AS owner_name,
                        round((ST_Area(ST_Intersection(n.geom, own.geom, 1e-10)::geography)
                               - ST_Area(ST_Intersection(n.geom, g.g, 1e-10)::geography))::numeric, 1) AS area_m2
                 FROM neighbours n JOIN organisations o ON o.id = n.owner_org_id, own, g WHERE ST_Intersects(n.geom, own.geom)) r
           WHERE r.area_m2 >= 1) AS removed,
        (SELECT ST_Area(x::geography) FROM lost) AS created_m2,
        (SELECT CASE WHEN ST_IsEmpty(x) THEN NULL ELSE ST_AsGeoJSON(ST_CollectionExtract(x, 3), 7)::json END FROM lost) AS created,
        (SELECT ST_Area(x::geography) FROM taken) AS filled_m2,
        (SELECT CASE WHEN ST_IsEmpty(x) THEN NULL ELSE ST_AsGeoJSON(ST_CollectionExtract(x, 3), 7)::json END FROM taken) AS filled`.execute(db);
    const row = rows[0];
    const overlaps = (jsonColumn<(OverlapFinding & { geometry: unknown })[]>((row?.overlaps ?? []) as string) ?? []).map((o) => ({ ...o, areaM2: Number(o.areaM2) })).filter((o) => o.areaM2 >= 1);
    const json = (v: unknown) => (v === null || v === undefined ? null : jsonColumn<unknown>(v as string));
    const overlapsRemoved = (jsonColumn<OverlapFinding[]>((row?.removed ?? []) as string) ?? []).map((o) => ({ ...o, areaM2: Number(o.areaM2) }));
    return {
      overlaps,
      overlapsRemoved,
      gapsCreated: { areaM2: round1(Number(row?.created_m2 ?? 0)), geometry: json(row?.created) },
      gapsFilled: { areaM2: round1(Number(row?.filled_m2 ?? 0)), geometry: json(row?.filled) },
    };
  }

  /** The pieces of a zone cut by a line, largest first (one piece: the line does not cross it). */
  async splitPieces(db: Db, id: number, line: unknown): Promise<string[]> {
    const { rows } = await sql<{ ewkt: string }>`
      WITH cut AS (
        SELECT (ST_Dump(ST_CollectionExtract(ST_Split(z.geom, ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(line)}), 4326)), 3))).geom AS g
        FROM zones z WHERE z.id = ${id})
      SELECT ST_AsEWKT(ST_Multi(g)) AS ewkt FROM cut WHERE ST_Area(g::geography) >= 1 ORDER BY ST_Area(g) DESC`.execute(db);
    return rows.map((r) => r.ewkt);
  }

  /** The union of live zones, and whether it is one piece (they touch or overlap). */
  async union(db: Db, ids: number[]): Promise<{ ewkt: string; parts: number }> {
    const { rows } = await sql<{ ewkt: string; parts: number }>`
      WITH u AS (SELECT ST_Union(geom, 1e-10) AS g FROM zones WHERE id = ANY(${ids}) AND valid_to IS NULL)
      SELECT ST_AsEWKT(ST_Multi(g)) AS ewkt, ST_NumGeometries(g) AS parts FROM u`.execute(db);
    return { ewkt: rows[0]!.ewkt, parts: Number(rows[0]!.parts) };
  }

  async history(id: number): Promise<ZoneVersionRow[]> {
    const { rows } = await sql<ZoneVersionRow & { geometry: string | null }>`
      SELECT v.version, v.name, v.duty_type_id AS duty, v.owner_org_id AS "ownerOrgId", o.name AS "ownerName", v.person_id AS "personId",
             v.deleted, v.valid_from AS "validFrom", v.changed_at AS "changedAt", v.changed_by AS "changedBy", v.comment,
             ST_AsGeoJSON(v.geom, 7) AS geometry
      FROM zone_versions v LEFT JOIN organisations o ON o.id = v.owner_org_id
      WHERE v.zone_id = ${id} ORDER BY v.version DESC`.execute(this.db);
    return rows.map((r) => ({
      ...r,
      validFrom: new Date(r.validFrom).toISOString(),
      changedAt: new Date(r.changedAt).toISOString(),
      geometry: r.geometry === null ? null : JSON.parse(r.geometry as string),
    }));
  }

  /** One stored version's fields and geometry (EWKT), for a restore. */
  async versionRow(db: Db, id: number, version: number): Promise<(ZoneFields & { ewkt: string | null; deleted: boolean }) | undefined> {
    const { rows } = await sql<{ duty: string; name: string; owner: number; person: number | null; ewkt: string | null; deleted: boolean }>`
      SELECT duty_type_id AS duty, name, owner_org_id AS owner, person_id AS person, ST_AsEWKT(geom) AS ewkt, deleted
      FROM zone_versions WHERE zone_id = ${id} AND version = ${version}`.execute(db);
    const r = rows[0];
    return r && { duty: r.duty, name: r.name, ownerOrgId: r.owner, personId: r.person, ewkt: r.ewkt, deleted: r.deleted };
  }

  /** The zone's version whether live or retired, and whether it is retired. */
  async state(db: Db, id: number): Promise<{ version: number; retired: boolean; territoryCode: string | null } | undefined> {
    const { rows } = await sql<{ version: number; retired: boolean; code: string | null }>`
      SELECT z.version, z.valid_to IS NOT NULL AS retired, t.code FROM zones z LEFT JOIN territories t ON t.id = z.territory_id WHERE z.id = ${id}`.execute(db);
    const r = rows[0];
    return r && { version: r.version, retired: r.retired, territoryCode: r.code };
  }

  async ewktToGeoJson(db: Db, ewkt: string): Promise<string> {
    const { rows } = await sql<{ g: string }>`SELECT ST_AsGeoJSON(ST_GeomFromEWKT(${ewkt}), 9) AS g`.execute(db);
    return rows[0]!.g;
  }

  /** Brings a retired zone back (a restore of a deleted zone); its next save writes the version. */
  async revive(db: Db, id: number): Promise<void> {
    await sql`UPDATE zones SET valid_to = NULL WHERE id = ${id}`.execute(db);
  }

  async dutyExists(db: Db, duty: string): Promise<boolean> {
    return (await db.selectFrom('duty_types').select('id').where('id', '=', duty).executeTakeFirst()) !== undefined;
  }

  async organisationExists(db: Db, id: number): Promise<boolean> {
    return (await db.selectFrom('organisations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  async personInOrganisation(db: Db, personId: number, orgId: number): Promise<boolean> {
    return (await db.selectFrom('people').select('id').where('id', '=', personId).where('organisation_id', '=', orgId).executeTakeFirst()) !== undefined;
  }
}
