import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';
import { jsonColumn } from './json-column.ts';

export interface TerritoryRef {
  id: number;
  code: string;
  name: string;
}

export interface ZoneOwner {
  zone_id: number;
  zone_name: string;
  organisation: { id: number; name: string };
  person: { id: number; name: string; phone: string | null } | null;
}

export interface DutyOwners {
  duty: { id: string; name: string; name_zh: string; name_en: string; color: string };
  owners: ZoneOwner[];
}

export type TerritoryChain = Record<'district' | 'street' | 'community' | 'grid', TerritoryRef | null>;

/** Who is responsible at a point: PostGIS finds the containing zones and territories. */
export class ResponsibilityRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** For every duty type, the current zones that contain the point (boundary included). */
  async ownersAt(lon: number, lat: number): Promise<DutyOwners[]> {
    const { rows } = await sql<{ id: string; name_zh: string; name_en: string; color: string; owners: ZoneOwner[] | string }>`
      WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326) AS geom)
      SELECT d.id, d.name_zh, d.name_en, d.color,
             coalesce(
               (SELECT json_agg(json_build_object(
                         'zone_id', z.id, 'zone_name', z.name,
                         'organisation', json_build_object('id', o.id, 'name', o.name),
                         'person', CASE WHEN p.id IS NULL THEN NULL
                                        ELSE json_build_object('id', p.id, 'name', p.name, 'phone', p.phone) END)
                         ORDER BY z.id)
                  FROM zones z
                  JOIN organisations o ON o.id = z.owner_org_id
                  LEFT JOIN people p ON p.id = z.person_id, pt
                 WHERE z.duty_type_id = d.id AND z.valid_to IS NULL AND ST_Intersects(z.geom, pt.geom)),
               '[]'::json) AS owners
      FROM duty_types d
      ORDER BY d.sort, d.id`.execute(this.db);
    return rows.map((r) => ({
      duty: { id: r.id, name: r.name_zh, name_zh: r.name_zh, name_en: r.name_en, color: r.color },
      owners: jsonColumn(r.owners),
    }));
  }

  /** The district, street, community and grid containing the point (null where none does). */
  async territoryAt(lon: number, lat: number): Promise<TerritoryChain> {
    const { rows } = await sql<{ level: keyof TerritoryChain; id: number; code: string; name: string }>`
      SELECT DISTINCT ON (t.level) t.level, t.id, t.code, t.name
      FROM territories t
      WHERE ST_Intersects(t.geom, ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326))
      ORDER BY t.level, t.code`.execute(this.db);
    const chain: TerritoryChain = { district: null, street: null, community: null, grid: null };
    for (const r of rows) chain[r.level] = { id: r.id, code: r.code, name: r.name };
    return chain;
  }
}
