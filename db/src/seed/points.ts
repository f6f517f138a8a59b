import { sql } from 'kysely';
import { chineseNumeral, estateNames } from './names.ts';
import type { Org, Organisations } from './organisations.ts';
import { HOSPITAL_NAMES, PARK_NAMES, POINT_TYPE_COUNTS, SCHOOL_NAMES, SHOPPING_SECONDARY, STATION_NAMES } from './places.ts';
import type { Rng } from './random.ts';
import type { RoadInfo } from './roads.ts';
import { exec, json, rows, type Tx } from './sql-helpers.ts';
import type { Territory } from './territory.ts';

/**
 * The 165 inspection points (备检点): road points lie on roads of their class,
 * the others inside communities (the old town, 象山 and 南门, gets more). Each
 * has a district leader, a department and 1–3 responsible people — except a
 * few with realistic data gaps (no leader, nobody responsible).
 */
export interface PointReport {
  count: number;
  withoutPeople: string[];
  withoutLeader: string[];
}

/** Which department answers for which kind of place. */
const DEPARTMENT_OF: Record<string, readonly string[]> = {
  主次干道: ['区城管局', '区住建局', '区交通运输局'],
  背街小巷: ['区城管局', '区住建局'],
  农贸市场: ['区市场监管局', '区商务局'],
  居民小区: ['区住建局', '区民政局'],
  学校周边: ['区教育局'],
  公园广场: ['区文广体旅局', '区城管局'],
  车站: ['区交通运输局'],
  医院: ['区卫健局'],
  公共厕所: ['区城管局'],
  商业大街: ['区商务局', '区市场监管局'],
};

interface PointSpec {
  code: string;
  name: string;
  type: string;
  road: string | null;
  f: number;
  community: number | null;
  sample: number;
}

export async function seedPoints(db: Tx, territory: Territory, orgs: Organisations, roads: RoadInfo[], rng: Rng): Promise<PointReport> {
  // Road points stay 20 m inside the district: roads run a little beyond it.
  await exec(db, sql`
    CREATE TEMP TABLE seed_point_roads ON COMMIT DROP AS
    SELECT r.name, r.road_class, x.geom
    FROM roads r,
         LATERAL ST_Dump(ST_Intersection(r.geom, (SELECT ST_Buffer(geom::geography, -20)::geometry FROM territories WHERE level = 'district' ORDER BY id LIMIT 1))) x
    WHERE GeometryType(x.geom) = 'LINESTRING'`);
  const roadNames = await rows(db, sql<{ name: string; road_class: string }>`
    SELECT DISTINCT ON (name) name, road_class FROM seed_point_roads WHERE ST_Length(geom::geography) > 40 ORDER BY name, road_class`);
  const mains = roadNames.filter((r) => ['trunk', 'main', 'secondary'].includes(r.road_class)).map((r) => r.name).sort();
  const lanes = roadNames.filter((r) => r.road_class === 'lane').map((r) => r.name).sort();
  const shopping = [...roads.filter((r) => r.shopping).map((r) => r.name), ...SHOPPING_SECONDARY];
  // the old town holds more of everything
  const weightOf = new Map(territory.streets.map((s) => [s.id, s.urban ? 3 : 1]));
  const community = () => rng.weighted(territory.communities, (c) => weightOf.get(c.parentId ?? 0) ?? 1);

  const specs: PointSpec[] = [];
  const usedPerRoad = new Map<string, number>();
  const onRoad = (road: string) => {
    const n = (usedPerRoad.get(road) ?? 0) + 1;
    usedPerRoad.set(road, n);
    return n;
  };
  const estates = estateNames(rng, 35);
  const lanePicks = rng.shuffle(lanes);
  for (const [type, count] of POINT_TYPE_COUNTS) {
    for (let i = 0; i < count; i++) {
      const base = { code: '', type, f: rng.range(0.15, 0.85), sample: rng.seed() };
      if (type === '主次干道') {
        const road = mains[i % mains.length] as string;
        specs.push({ ...base, name: `${road}${chineseNumeral(onRoad(road))}段`, road, community: null });
      } else if (type === '商业大街') {
        const road = shopping[i % shopping.length] as string;
        specs.push({ ...base, name: `${road}商业街${chineseNumeral(onRoad(`商${road}`))}段`, road, community: null });
      } else if (type === '背街小巷') {
        const road = lanePicks[i % lanePicks.length] as string;
        specs.push({ ...base, name: road, road, community: null, f: 0.5 });
      } else if (type === '公共厕所') {
        const road = lanePicks[(i + 22) % lanePicks.length] as string;
        specs.push({ ...base, name: `${road}公厕`, road, community: null });
      } else {
        const c = community();
        const short = c.name.replace(/(社区|村)$/, '');
        const name =
          type === '农贸市场' ? `${short}农贸市场`
          : type === '居民小区' ? (estates[i] as string)
          : type === '学校周边' ? `${SCHOOL_NAMES[i % SCHOOL_NAMES.length]}周边`
          : type === '公园广场' ? (PARK_NAMES[i % PARK_NAMES.length] as string)
          : type === '车站' ? (STATION_NAMES[i % STATION_NAMES.length] as string)
          : (HOSPITAL_NAMES[i % HOSPITAL_NAMES.length] as string);
        specs.push({ ...base, name, road: null, community: c.id });
      }
    }
  }
  // unique names (two markets in one community get 一/二)
  const seen = new Map<string, number>();
  for (const s of specs) {
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    if (n > 1) s.name = `${s.name}（${chineseNumeral(n)}）`;
  }
  specs.forEach((s, i) => {
    s.code = `BJD-${String(i + 1).padStart(3, '0')}`;
  });

  await exec(db, sql`
    INSERT INTO inspection_points (code, name, point_type, geom, updated_at)
    SELECT s.code, s.name, s.type,
           ST_SnapToGrid(CASE
             WHEN s.road IS NOT NULL THEN (SELECT ST_LineInterpolatePoint(r.geom, s.f) FROM seed_point_roads r WHERE r.name = s.road ORDER BY ST_Length(r.geom) DESC LIMIT 1)
             ELSE (SELECT ST_GeometryN(ST_GeneratePoints(ST_Buffer(t.geom::geography, -30)::geometry, 1, s.sample), 1) FROM territories t WHERE t.id = s.community)
           END, 1e-7),
           '2025-06-01T08:00:00+08:00'
    FROM json_to_recordset(${json(specs)}) AS s(code text, name text, type text, road text, f float8, community integer, sample integer)
    ORDER BY s.code`);
  await exec(db, sql`DELETE FROM inspection_points WHERE geom IS NULL`);
  await exec(db, sql`
    UPDATE inspection_points ip SET territory_id = (
      SELECT t.id FROM territories t WHERE t.level = 'community' AND ST_Intersects(t.geom, ip.geom) ORDER BY t.id LIMIT 1),
      address = (SELECT s.name || c.name FROM territories c JOIN territories s ON s.id = c.parent_id
                 WHERE c.level = 'community' AND ST_Intersects(c.geom, ip.geom) ORDER BY c.id LIMIT 1)`);

  // People: a district leader, a department, and 1–3 responsible people from the department and the community.
  const leaders = orgs.leadership.people;
  const missingPeople = new Set(rng.shuffle(specs.map((s) => s.code)).slice(0, 2));
  const missingLeader = new Set(rng.shuffle(specs.map((s) => s.code).filter((c) => !missingPeople.has(c))).slice(0, 1));
  const points = await rows(db, sql<{ id: number; code: string; point_type: string; territory_id: number | null }>`
    SELECT id, code, point_type, territory_id FROM inspection_points ORDER BY code`);
  const assignments = points.map((p) => {
    const department = orgs.departments.get(rng.pick(DEPARTMENT_OF[p.point_type] ?? ['区城管局'])) as Org;
    const communityOrg = p.territory_id ? orgs.communities.get(p.territory_id) : undefined;
    const pool = [...department.people.slice(1), ...(communityOrg?.people ?? [])];
    const people = missingPeople.has(p.code) ? [] : rng.shuffle(pool).slice(0, rng.int(1, 3));
    return {
      id: p.id,
      leader: missingLeader.has(p.code) ? null : (rng.pick(leaders).id as number),
      department: department.id,
      people: people.map((x, sort) => ({ person: x.id, sort })),
    };
  });
  await exec(db, sql`
    UPDATE inspection_points ip SET leader_person_id = a.leader, department_org_id = a.department
    FROM json_to_recordset(${json(assignments)}) AS a(id integer, leader integer, department integer)
    WHERE ip.id = a.id`);
  await exec(db, sql`
    INSERT INTO inspection_point_people (point_id, person_id, role, sort)
    SELECT a.id, p.person, 'responsible', p.sort
    FROM json_to_recordset(${json(assignments)}) AS a(id integer, people json),
         json_to_recordset(a.people) AS p(person integer, sort integer)
    ORDER BY a.id, p.sort`);
  return {
    count: points.length,
    withoutPeople: [...missingPeople].sort(),
    withoutLeader: [...missingLeader].sort(),
  };
}
