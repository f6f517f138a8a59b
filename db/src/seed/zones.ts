import { sql } from 'kysely';
import type { Org, Organisations } from './organisations.ts';
import type { Rng } from './random.ts';
import type { RoadInfo } from './roads.ts';
import { exec, json, rows, type Tx } from './sql-helpers.ts';
import type { Territory } from './territory.ts';

/**
 * Responsibility zones. The two sanitation tiers are the heart of the demo:
 * 市环卫 (city) sweeps corridors along the main roads, 镇环卫 (town) the rest
 * of each street. Where they meet, the seed plants what happens in real
 * districts: a new road nobody took over, a corridor stretch the city dropped,
 * a river bank and an estate corner the town zone stops short of (gaps), and
 * crossings where a town zone reaches into the city corridor (overlaps).
 */
export interface ZoneReport {
  gaps: string[];
  overlaps: string[];
}

/** Half-width of a city sanitation corridor, metres from the road's centre line. */
const CORRIDOR_M = 35;

export async function seedZones(db: Tx, territory: Territory, orgs: Organisations, roads: RoadInfo[], rng: Rng): Promise<ZoneReport> {
  const districtId = territory.district.id;
  const newRoads = roads.filter((r) => r.isNew).map((r) => r.name);

  // Corridors of every main road (including new ones), cut so that no two overlap.
  await exec(db, sql`
    CREATE TEMP TABLE seed_corridors ON COMMIT DROP AS
    SELECT r.name, min(r.id) AS ord,
           ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(
             ST_ReducePrecision(ST_Union(ST_Buffer(r.geom::geography, ${CORRIDOR_M}, 'quad_segs=4')::geometry, 1e-10), 1e-7),
             (SELECT geom FROM territories WHERE id = ${districtId}), 1e-10)), 3)) AS geom
    FROM roads r WHERE r.road_class IN ('trunk', 'main')
    GROUP BY r.name`);
  await exec(db, sql`ALTER TABLE seed_corridors ADD COLUMN cut geometry`);
  await exec(db, sql`
    UPDATE seed_corridors c SET cut = ST_Multi(ST_CollectionExtract(ST_MakeValid(CASE WHEN prev.g IS NULL THEN c.geom ELSE ST_Difference(c.geom, prev.g, 1e-10) END), 3))
    FROM (SELECT c1.name, (SELECT ST_Union(c2.geom, 1e-10) FROM seed_corridors c2 WHERE c2.ord < c1.ord) AS g FROM seed_corridors c1) prev
    WHERE prev.name = c.name`);

  // Gap 2: a 300 m stretch of one corridor the city sanitation service dropped.
  const dropRoad = rng.pick(['凯风路', '崇信路']);
  const dropAt = rng.range(0.35, 0.65);
  await exec(db, sql`
    CREATE TEMP TABLE seed_dropped ON COMMIT DROP AS
    SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(c.cut,
             ST_Buffer(ST_LineInterpolatePoint(r.geom, ${dropAt}::float8)::geography, 150, 'quad_segs=8')::geometry, 1e-10)), 3)) AS geom
    FROM seed_corridors c JOIN LATERAL (SELECT geom FROM roads WHERE name = c.name ORDER BY ST_Length(geom) DESC LIMIT 1) r ON true
    WHERE c.name = ${dropRoad}`);

  // City zones: one per main road corridor, minus the dropped stretch, never the new road.
  const teams = orgs.sanitationTeams;
  const corridorRows = await rows(db, sql<{ name: string }>`SELECT name FROM seed_corridors ORDER BY ord`);
  const cityZones = corridorRows
    .filter((c) => !newRoads.includes(c.name))
    .map((c, i) => {
      const team = teams[i % teams.length] as Org;
      return { name: c.name, zone: `${c.name}市环卫保洁区`, owner: team.id, person: team.people[0]?.id ?? null };
    });
  await exec(db, sql`
    INSERT INTO zones (duty_type_id, name, owner_org_id, person_id, territory_id, geom, valid_from, updated_by)
    SELECT 'sanitation-city', z.zone, z.owner, z.person, NULL,
           ST_Multi(ST_CollectionExtract(ST_MakeValid(CASE WHEN d.geom IS NULL THEN c.cut ELSE ST_Difference(c.cut, d.geom, 1e-10) END), 3)),
           '2025-03-01T08:00:00+08:00', 'seed'
    FROM json_to_recordset(${json(cityZones)}) AS z(name text, zone text, owner integer, person integer)
    JOIN seed_corridors c ON c.name = z.name
    LEFT JOIN seed_dropped d ON true
    WHERE NOT ST_IsEmpty(c.cut)
    ORDER BY c.ord`);

  // Gap 3: the river bank. Gap 4: the corner of an estate where the town zone stops short of the road.
  await exec(db, sql`
    CREATE TEMP TABLE seed_town_holes ON COMMIT DROP AS
    WITH d AS (SELECT geom FROM territories WHERE id = ${districtId}),
    river AS (SELECT ST_Union(geom, 1e-10) AS g FROM context_features WHERE kind = 'river'),
    bank AS (
      SELECT ST_Intersection(ST_Buffer(river.g::geography, 90)::geometry, d.geom, 1e-10) AS g FROM river, d
    ),
    bank_piece AS (
      SELECT ST_Intersection(bank.g, ST_Buffer(ST_PointOnSurface(bank.g)::geography, 900)::geometry, 1e-10) AS g FROM bank
      WHERE bank.g IS NOT NULL AND NOT ST_IsEmpty(bank.g)
    ),
    corner AS (
      SELECT ST_Buffer(ST_Project(ST_LineInterpolatePoint(r.geom, ${rng.range(0.3, 0.7)}::float8)::geography,
                                  ${CORRIDOR_M + 45}::float8, radians(${rng.pick([0, 90, 180, 270])}::float8))::geography, 60)::geometry AS g
      FROM roads r WHERE r.name = ${rng.pick(['翠竹路', '中山南路', '二塘路'])} ORDER BY ST_Length(r.geom) DESC LIMIT 1
    )
    SELECT 'river-bank' AS kind, g FROM bank_piece
    UNION ALL SELECT 'estate-corner', corner.g FROM corner`);

  // Overlaps: at a few crossings the town zone reaches 50 m into the city corridor.
  const overlapRoads = rng.shuffle(cityZones.map((z) => z.name)).slice(0, 3);
  await exec(db, sql`
    CREATE TEMP TABLE seed_town_extra ON COMMIT DROP AS
    SELECT z.name, ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(z.geom,
             ST_Buffer(ST_LineInterpolatePoint(r.geom, f.f)::geography, 55, 'quad_segs=8')::geometry, 1e-10)), 3)) AS geom
    FROM json_to_recordset(${json(overlapRoads.map((name) => ({ name, f: rng.range(0.25, 0.75) })))}) AS f(name text, f float8)
    JOIN zones z ON z.duty_type_id = 'sanitation-city' AND z.name = f.name || '市环卫保洁区'
    JOIN LATERAL (SELECT geom FROM roads WHERE name = f.name ORDER BY ST_Length(geom) DESC LIMIT 1) r ON true`);

  // Town zones: each street minus every corridor and the holes, plus the extras inside it.
  const townRows = territory.streets.map((s) => {
    const o = orgs.townSanitation.get(s.key) as Org;
    return { street: s.id, zone: `${s.name}镇环卫保洁区`, owner: o.id, person: o.people[0]?.id ?? null };
  });
  await exec(db, sql`
    INSERT INTO zones (duty_type_id, name, owner_org_id, person_id, territory_id, geom, valid_from, updated_by)
    SELECT 'sanitation-town', t.zone, t.owner, t.person, t.street,
           ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(
             ST_Difference(st.geom, ST_Union((SELECT ST_Union(geom, 1e-10) FROM seed_corridors), coalesce((SELECT ST_Union(g, 1e-10) FROM seed_town_holes), ST_GeomFromText('POLYGON EMPTY', 4326)), 1e-10), 1e-10),
             coalesce((SELECT ST_Union(ST_Intersection(e.geom, st.geom, 1e-10), 1e-10) FROM seed_town_extra e), ST_GeomFromText('POLYGON EMPTY', 4326)), 1e-10)), 3)),
           '2025-03-01T08:00:00+08:00', 'seed'
    FROM json_to_recordset(${json(townRows)}) AS t(street integer, zone text, owner integer, person integer)
    JOIN territories st ON st.id = t.street
    ORDER BY t.street`);

  // Street order (市容秩序): each street office, the whole street.
  await exec(db, sql`
    INSERT INTO zones (duty_type_id, name, owner_org_id, person_id, territory_id, geom, valid_from, updated_by)
    SELECT 'city-order', t.zone, t.owner, t.person, t.street, st.geom, '2025-01-01T08:00:00+08:00', 'seed'
    FROM json_to_recordset(${json(territory.streets.map((s) => {
      const o = orgs.streetOffices.get(s.key) as Org;
      return { street: s.id, zone: `${s.name}市容秩序责任区`, owner: o.id, person: o.people.find((p) => p.title === '城管办主任')?.id ?? null };
    }))}) AS t(street integer, zone text, owner integer, person integer)
    JOIN territories st ON st.id = t.street`);

  // Frontage duties (门前三包): 120 m pavement bands along the shopping streets, owned by the community they lie in.
  const shopping = [...roads.filter((r) => r.shopping).map((r) => r.name), '上海路', '崇善路'];
  await exec(db, sql`
    INSERT INTO zones (duty_type_id, name, owner_org_id, person_id, territory_id, geom, valid_from, updated_by)
    SELECT 'frontage', b.road || '门前三包' || b.k || '段', o.id, (SELECT min(p.id) FROM people p WHERE p.organisation_id = o.id),
           c.parent_id, b.geom, '2025-05-01T08:00:00+08:00', 'seed'
    FROM (
      SELECT r.name AS road, s.k,
             ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Difference(
               ST_Buffer(ST_LineSubstring(r.geom, s.f0, s.f1)::geography, 22, 'endcap=flat')::geometry,
               ST_Buffer(r.geom::geography, 9)::geometry, 1e-10)), 3)) AS geom,
             ST_LineInterpolatePoint(r.geom, (s.f0 + s.f1) / 2) AS mid
      FROM (SELECT DISTINCT ON (name) name, geom FROM roads WHERE name IN (SELECT json_array_elements_text(${json(shopping)}))
            ORDER BY name, ST_Length(geom) DESC) r
      CROSS JOIN LATERAL (
        SELECT k, (k - 1) * 120.0 / ST_Length(r.geom::geography) AS f0, least(1, k * 120.0 / ST_Length(r.geom::geography)) AS f1
        FROM generate_series(1, greatest(1, floor(ST_Length(r.geom::geography) / 120)::int)) k) s
    ) b
    JOIN territories c ON c.level = 'community' AND ST_Intersects(c.geom, b.mid)
    JOIN organisations o ON o.kind = 'community' AND o.territory_id = c.id
    WHERE NOT ST_IsEmpty(b.geom)
    ORDER BY b.road, b.k`);

  // Greening: a green belt along the expressway for the city parks bureau.
  const parks = orgs.cityUnits.get('桂林市园林局') as Org;
  await exec(db, sql`
    INSERT INTO zones (duty_type_id, name, owner_org_id, person_id, territory_id, geom, valid_from, updated_by)
    SELECT 'greening', r.name || '绿化带', ${parks.id}, ${parks.people[0]?.id ?? null}, NULL,
           ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(
             ST_Difference(ST_Buffer(ST_Union(r.geom, 1e-10)::geography, 30)::geometry, ST_Buffer(ST_Union(r.geom, 1e-10)::geography, 12)::geometry, 1e-10),
             (SELECT geom FROM territories WHERE id = ${districtId}), 1e-10)), 3)),
           '2025-02-01T08:00:00+08:00', 'seed'
    FROM roads r WHERE r.road_class = 'trunk' GROUP BY r.name`);

  await exec(db, sql`DELETE FROM zones WHERE ST_IsEmpty(geom)`);
  await exec(db, sql`
    UPDATE zones z SET territory_id = (
      SELECT t.id FROM territories t WHERE t.level = 'street' AND ST_Intersects(t.geom, z.geom)
      ORDER BY ST_Area(ST_Intersection(t.geom, z.geom, 1e-10)) DESC, t.id LIMIT 1)
    WHERE z.territory_id IS NULL`);
  await exec(db, sql`
    INSERT INTO zone_versions (zone_id, version, duty_type_id, name, owner_org_id, person_id, geom, valid_from, changed_at, changed_by, comment)
    SELECT id, version, duty_type_id, name, owner_org_id, person_id, geom, valid_from, valid_from, 'seed', '初始划定'
    FROM zones ORDER BY id`);

  return {
    gaps: [`${newRoads.join('、')} corridor (new road, not taken over)`, `${dropRoad} dropped 300 m`, 'river bank', 'estate corner'],
    overlaps: overlapRoads.map((r) => `${r} crossing`),
  };
}
