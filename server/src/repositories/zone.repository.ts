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
}

export interface ZoneProperties extends ZoneFields {
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

export interface OverlapFinding {
  zoneId: number;
  name: string;
  ownerName: string;
  areaM2: number;
}

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
      INSERT INTO zones (duty_type_id, name, owner_org_id, person_id, territory_id, geom, updated_by)
      VALUES (${fields.duty}, ${fields.name}, ${fields.ownerOrgId}, ${fields.personId}, ${this.territoryOf(ewkt)}, ST_GeomFromEWKT(${ewkt}), ${actor})
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
             version = version + 1, updated_at = now(), updated_by = ${actor}
      WHERE id = ${id} AND version = ${version} AND valid_to IS NULL`.execute(db);
    if (Number(result.numAffectedRows ?? 0) === 0) return false;
    await this.snapshot(db, id, actor, comment, false);
    return true;
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
