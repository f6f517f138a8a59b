import { sql } from 'kysely';
import type { Org, Organisations } from './organisations.ts';
import { SECONDARY_ROADS, type StreetKey } from './places.ts';
import type { Rng } from './random.ts';
import type { RoadInfo } from './roads.ts';
import { exec, json, rows, type Tx } from './sql-helpers.ts';
import type { Territory } from './territory.ts';

/**
 * Responsibility road sections (责任路段): stretches of main, secondary and
 * branch roads between two crossings, each with a section-chief unit (路段长单位)
 * and a person. Planted findings: the new road and a few others have no
 * section at all, and two stretches are claimed by two units at once.
 */
const TARGET_SECTIONS = 60;
const MIN_STRETCH_M = 250;
/** Units that take road sections besides the street offices. */
const SECTION_DEPARTMENTS = ['区城管局', '区住建局', '区市场监管局', '区交通运输局', '区商务局', '区文广体旅局', '区教育局', '区卫健局', '区民政局', '区生态环境分局', '区水利局'];

interface Cut { road_id: number; f: number; name: string }
interface RoadRow { id: number; name: string; road_class: string; length_m: number; start_edge: boolean; end_edge: boolean }
interface Stretch { roadId: number; road: string; cls: string; f0: number; f1: number; from: string; to: string; lengthM: number }

export interface SectionReport {
  /** Roads (by name) that no section covers, on purpose. */
  uncovered: string[];
  /** Names of the sections that reach into a neighbour's stretch. */
  overlapping: string[];
}

export async function seedRoadSections(db: Tx, territory: Territory, orgs: Organisations, roadInfo: RoadInfo[], rng: Rng): Promise<SectionReport> {
  const roadRows = await rows(db, sql<RoadRow>`
    SELECT r.id, r.name, r.road_class, ST_Length(r.geom::geography) AS length_m,
           NOT ST_DWithin(ST_StartPoint(r.geom), d.inner_area, 0) AS start_edge,
           NOT ST_DWithin(ST_EndPoint(r.geom), d.inner_area, 0) AS end_edge
    FROM roads r, (SELECT ST_Buffer(geom::geography, -250)::geometry AS inner_area FROM territories WHERE id = ${territory.district.id}) d
    WHERE r.road_class IN ('trunk', 'main', 'secondary', 'branch')
    ORDER BY r.id`);
  const cuts = await rows(db, sql<Cut>`
    SELECT r.id AS road_id, ST_LineLocatePoint(r.geom, d.geom) AS f, o.name
    FROM roads r
    JOIN roads o ON o.name <> r.name AND o.road_class IN ('trunk', 'main', 'secondary', 'branch') AND ST_Intersects(r.geom, o.geom)
    CROSS JOIN LATERAL ST_Dump(ST_Intersection(r.geom, o.geom)) d
    WHERE r.road_class IN ('trunk', 'main', 'secondary', 'branch') AND GeometryType(d.geom) = 'POINT'
    ORDER BY r.id, f, o.name`);

  // Stretches between consecutive crossings; a road end near the district edge counts as 区界.
  const stretches: Stretch[] = [];
  for (const road of roadRows) {
    const stops: { f: number; name: string }[] = [];
    if (road.start_edge) stops.push({ f: 0, name: '区界' });
    for (const cut of cuts.filter((c) => c.road_id === road.id)) {
      const last = stops[stops.length - 1];
      if (last && (cut.f - last.f) * road.length_m < 30) continue; // a junction of several roads counts once
      stops.push({ f: cut.f, name: cut.name });
    }
    if (road.end_edge) stops.push({ f: 1, name: '区界' });
    for (let i = 0; i + 1 < stops.length; i++) {
      const a = stops[i] as { f: number; name: string };
      const b = stops[i + 1] as { f: number; name: string };
      const lengthM = (b.f - a.f) * road.length_m;
      if (lengthM >= MIN_STRETCH_M && a.name !== b.name) {
        stretches.push({ roadId: road.id, road: road.name, cls: road.road_class, f0: a.f, f1: b.f, from: a.name, to: b.name, lengthM });
      }
    }
  }

  // Roads left without any section: the new road, and a few quiet ones.
  const newRoads = roadInfo.filter((r) => r.isNew).map((r) => r.name);
  const quiet = rng.shuffle(SECONDARY_ROADS.map(([name]) => name)).slice(0, 2);
  const uncovered = [...newRoads, ...quiet];
  const rank = (s: Stretch) => (s.cls === 'trunk' || s.cls === 'main' ? 0 : s.cls === 'secondary' ? 1 : 2);
  const pool = stretches.filter((s) => !uncovered.includes(s.road));
  const chosen = rng.shuffle(pool)
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, TARGET_SECTIONS)
    .sort((a, b) => a.roadId - b.roadId || a.f0 - b.f0);
  // every road that has candidate stretches but none chosen is uncovered too
  for (const s of stretches) if (!chosen.some((c) => c.road === s.road) && !uncovered.includes(s.road)) uncovered.push(s.road);

  // The street each stretch mostly lies in: its street office is one possible chief unit.
  const streetOf = await rows(db, sql<{ i: number; street_id: number }>`
    SELECT s.i, (SELECT t.id FROM territories t WHERE t.level = 'street'
                 ORDER BY ST_Length(ST_Intersection(ST_LineSubstring(r.geom, s.f0, s.f1), t.geom)) DESC, t.id LIMIT 1) AS street_id
    FROM json_to_recordset(${json(chosen.map((s, i) => ({ i, road_id: s.roadId, f0: s.f0, f1: s.f1 })))}) AS s(i integer, road_id integer, f0 float8, f1 float8)
    JOIN roads r ON r.id = s.road_id
    ORDER BY s.i`);
  const streetKeyById = new Map(territory.streets.map((s) => [s.id, s.key as StreetKey]));
  const chiefs: Org[] = chosen.map((_, i) => {
    const streetKey = streetKeyById.get(streetOf[i]?.street_id ?? -1);
    const office = streetKey ? orgs.streetOffices.get(streetKey) : undefined;
    if (office && rng.chance(0.45)) return office;
    return orgs.departments.get(rng.pick(SECTION_DEPARTMENTS)) as Org;
  });

  // Two overlaps: a section runs on past its crossing into the next unit's stretch.
  const overlapping: string[] = [];
  const extended = new Map<number, number>();
  for (const i of rng.shuffle(chosen.map((_, i) => i))) {
    if (overlapping.length === 2) break;
    const a = chosen[i] as Stretch;
    const b = chosen[i + 1];
    if (!b || b.roadId !== a.roadId || Math.abs(b.f0 - a.f1) > 1e-9 || chiefs[i] === chiefs[i + 1] || extended.has(i - 1)) continue;
    const reachM = Math.min(0.45 * b.lengthM, 400);
    extended.set(i, a.f1 + (reachM / b.lengthM) * (b.f1 - b.f0));
    overlapping.push(sectionName(a));
  }

  const validFrom = (i: number) => `2025-${String(1 + (i % 6) * 2).padStart(2, '0')}-${String(1 + ((i * 7) % 27)).padStart(2, '0')}T09:00:00+08:00`;
  await exec(db, sql`
    INSERT INTO road_sections (name, road_id, chief_org_id, chief_person_id, geom, valid_from, updated_by)
    SELECT s.name, s.road_id, s.chief_org_id, s.chief_person_id,
           ST_Multi(ST_LineSubstring(r.geom, s.f0, s.f1)), s.valid_from::timestamptz, 'seed'
    FROM json_to_recordset(${json(chosen.map((s, i) => {
      const chief = chiefs[i] as Org;
      const person = chief.people[i % Math.min(3, chief.people.length)];
      return {
        i, name: sectionName(s), road_id: s.roadId, chief_org_id: chief.id, chief_person_id: person?.id ?? null,
        f0: s.f0, f1: extended.get(i) ?? s.f1, valid_from: validFrom(i),
      };
    }))}) AS s(i integer, name text, road_id integer, chief_org_id integer, chief_person_id integer, f0 float8, f1 float8, valid_from text)
    JOIN roads r ON r.id = s.road_id
    ORDER BY s.i`);
  await exec(db, sql`
    INSERT INTO road_section_versions (section_id, version, name, road_id, chief_org_id, chief_person_id, geom, valid_from, changed_at, changed_by, comment)
    SELECT id, version, name, road_id, chief_org_id, chief_person_id, geom, valid_from, valid_from, 'seed', '初始划定' FROM road_sections`);
  return { uncovered, overlapping };
}

function sectionName(s: Stretch): string {
  return `${s.road}（${s.from}—${s.to}段）`;
}
