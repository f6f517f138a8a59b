import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';

/** About 3 m at Guilin's latitude: plenty for an outline a citizen taps inside, and a few KB instead of a few hundred. */
const SIMPLIFY_DEGREES = 0.00003;
const DIGITS = 6;

/**
 * What the public citizen page (你拍我改) may see of the map without an
 * account: the district's outline, its streets and communities by name. No
 * responsibility zone, owner, person, inspection point or problem.
 */
export class PublicMapRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * One FeatureCollection text, built by the database: the district and the
   * streets as simplified polygons (`kind` = `district` | `street`), and a
   * label point inside each street and community (`street-label`,
   * `community-label`).
   */
  async area(): Promise<string> {
    const { rows } = await sql<{ fc: string }>`
      SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(x.f ORDER BY x.ord, x.code), '[]'::json))::text AS fc
      FROM (
        SELECT CASE t.level WHEN 'district' THEN 0 ELSE 1 END AS ord, t.code,
               json_build_object('type', 'Feature',
                 'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(t.geom, ${SIMPLIFY_DEGREES}), ${DIGITS})::json,
                 'properties', json_build_object('kind', t.level, 'name', t.name, 'code', t.code)) AS f
          FROM territories t WHERE t.level IN ('district', 'street')
        UNION ALL
        SELECT CASE t.level WHEN 'street' THEN 2 ELSE 3 END, t.code,
               json_build_object('type', 'Feature',
                 'geometry', ST_AsGeoJSON(ST_PointOnSurface(t.geom), ${DIGITS})::json,
                 'properties', json_build_object('kind', t.level || '-label', 'name', t.name, 'code', t.code))
          FROM territories t WHERE t.level IN ('street', 'community')
      ) x`.execute(this.db);
    return rows[0]?.fc ?? '{"type":"FeatureCollection","features":[]}';
  }
}
