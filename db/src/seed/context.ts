import { sql } from 'kysely';
import type { SourceData } from './source-data.ts';
import { exec, GRID, json, type Tx } from './sql-helpers.ts';

/** Neighbouring districts (those touching 象山区) and the Li River, drawn under the district. */
export async function seedContext(db: Tx, source: SourceData, districtId: number): Promise<void> {
  await exec(db, sql`
    INSERT INTO context_features (kind, name, code, geom)
    SELECT 'neighbour', n.name, n.code, n.geom
    FROM (
      SELECT f.name, f.code, f.ord,
             ST_Multi(ST_CollectionExtract(ST_ReducePrecision(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(f.geojson), 4326)), ${GRID}), 3)) AS geom
      FROM json_to_recordset(${json(source.neighbours.map((f, ord) => ({ ...f, ord })))}) AS f(name text, code text, geojson text, ord integer)
    ) n, territories d
    WHERE d.id = ${districtId} AND NOT ST_IsEmpty(n.geom) AND ST_DWithin(n.geom::geography, d.geom::geography, 500)
    ORDER BY n.ord`);
  // the river ways, merged into as few lines as they allow
  await exec(db, sql`
    INSERT INTO context_features (kind, name, code, geom)
    SELECT 'river', '漓江', NULL, d.geom
    FROM (
      SELECT ST_LineMerge(ST_Collect(ST_SetSRID(ST_GeomFromGeoJSON(f.geojson), 4326) ORDER BY f.ord)) AS geom
      FROM json_to_recordset(${json(source.river.map((f, ord) => ({ geojson: f.geojson, ord })))}) AS f(geojson text, ord integer)
    ) m, ST_Dump(m.geom) d
    WHERE ST_IsValid(d.geom) AND ST_NPoints(d.geom) >= 2
    ORDER BY d.path[1]`);
}
