/**
 * The demo district as a user relies on it: the real 象山区 boundary, a
 * territory hierarchy that tiles itself, 165 inspection points, and sanitation
 * tiers with blind spots a person can see.
 */
import type { Database } from '@civgrid/db';
import { seedDemo } from '@civgrid/db/seed';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/database.ts';

let database: Database;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

const one = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(database.db)).rows[0] as T;

describe('demo district', () => {
  it('is 象山区 on its real boundary: about 92 km², converted from GCJ-02', async () => {
    const d = await one(sql<{ code: string; name: string; km2: number; lon: number; lat: number }>`
      SELECT code, name, ST_Area(geom::geography)::float8 / 1e6 AS km2,
             ST_X(ST_Centroid(geom))::float8 AS lon, ST_Y(ST_Centroid(geom))::float8 AS lat
      FROM territories WHERE level = 'district'`);
    expect(d.code).toBe('450304');
    expect(d.name).toBe('象山区');
    expect(d.km2).toBeGreaterThan(88);
    expect(d.km2).toBeLessThan(96);
    // 桂林 is at about 110.3°E 25.2°N
    expect(d.lon).toBeGreaterThan(110.1);
    expect(d.lon).toBeLessThan(110.5);
    expect(d.lat).toBeGreaterThan(25.0);
    expect(d.lat).toBeLessThan(25.4);
  });

  it('lines the district up with OpenStreetMap: the Li River runs within 150 m of its boundary', async () => {
    // unconverted GCJ-02 would sit ~390 m off (see SOURCES.md); converted, about 70 m
    const r = await one(sql<{ m: number }>`
      SELECT ST_Distance(ST_Boundary(d.geom)::geography, ST_Union(c.geom, 1e-10)::geography)::float8 AS m
      FROM territories d, context_features c WHERE d.level = 'district' AND c.kind = 'river' GROUP BY d.geom`);
    expect(r.m).toBeLessThan(150);
  });

  it('has four streets, ~40 communities and a few hundred grids, each level tiling its parent', async () => {
    const counts = await one(sql<{ streets: number; communities: number; grids: number }>`
      SELECT count(*) FILTER (WHERE level = 'street')::int AS streets, count(*) FILTER (WHERE level = 'community')::int AS communities,
             count(*) FILTER (WHERE level = 'grid')::int AS grids FROM territories`);
    expect(counts.streets).toBe(4);
    expect(counts.communities).toBeGreaterThanOrEqual(35);
    expect(counts.communities).toBeLessThanOrEqual(45);
    expect(counts.grids).toBeGreaterThanOrEqual(200);
    const { rows } = await sql<{ code: string; parent: number; children: number; overlap: number }>`
      SELECT p.code, ST_Area(p.geom::geography)::float8 AS parent,
             sum(ST_Area(c.geom::geography))::float8 AS children,
             coalesce((SELECT sum(ST_Area(ST_Intersection(a.geom, b.geom, 1e-10)::geography)) FROM territories a JOIN territories b
                        ON a.parent_id = p.id AND b.parent_id = p.id AND a.id < b.id AND ST_Intersects(a.geom, b.geom)), 0)::float8 AS overlap
      FROM territories p JOIN territories c ON c.parent_id = p.id
      WHERE p.level IN ('district', 'street') GROUP BY p.id, p.code, p.geom`.execute(database.db);
    for (const r of rows) {
      expect(Math.abs(r.children - r.parent) / r.parent, r.code).toBeLessThan(1e-6);
      expect(r.overlap, r.code).toBeLessThan(1);
    }
  });

  it('codes territories by the national rule, numbered west→east then north→south', async () => {
    const { rows } = await sql<{ level: string; code: string; parent: string | null }>`
      SELECT t.level, t.code, p.code AS parent FROM territories t LEFT JOIN territories p ON p.id = t.parent_id`.execute(database.db);
    for (const r of rows) {
      const digits = { district: 6, street: 9, community: 12, grid: 15 }[r.level as 'district'];
      expect(r.code, r.code).toMatch(new RegExp(`^\\d{${digits}}$`));
      if (r.parent) expect(r.code.startsWith(r.parent), r.code).toBe(true);
    }
    // the street coded 001 lies further north (or, in the same row, further west) than the one coded 004
    const { rows: streets } = await sql<{ code: string; x: number; y: number }>`
      SELECT code, ST_X(ST_Centroid(geom))::float8 AS x, ST_Y(ST_Centroid(geom))::float8 AS y
      FROM territories WHERE level = 'street' ORDER BY code`.execute(database.db);
    expect(streets[0]!.y > streets[3]!.y || streets[0]!.x < streets[3]!.x).toBe(true);
  });

  it('has exactly 165 inspection points of realistic types, each inside a community', async () => {
    const { rows } = await sql<{ point_type: string; n: number }>`
      SELECT point_type, count(*)::int AS n FROM inspection_points GROUP BY point_type`.execute(database.db);
    expect(rows.reduce((a, r) => a + r.n, 0)).toBe(165);
    expect(rows.map((r) => r.point_type)).toEqual(expect.arrayContaining(['主次干道', '背街小巷', '农贸市场', '居民小区', '学校周边', '公园广场', '车站', '医院', '公共厕所']));
    const outside = await one(sql<{ n: number }>`
      SELECT count(*)::int AS n FROM inspection_points ip
      WHERE NOT EXISTS (SELECT 1 FROM territories c WHERE c.id = ip.territory_id AND c.level = 'community' AND ST_Intersects(c.geom, ip.geom))`);
    expect(outside.n).toBe(0);
    const people = await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM people`);
    expect(people.n).toBeGreaterThanOrEqual(300);
  });

  it('leaves roads without a section, including a main road, among ~60 sections', async () => {
    const sections = await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM road_sections`);
    expect(sections.n).toBeGreaterThanOrEqual(50);
    expect(sections.n).toBeLessThanOrEqual(70);
    const lonely = await one(sql<{ n: number }>`
      SELECT count(*)::int AS n FROM roads r WHERE r.road_class IN ('main', 'trunk')
        AND NOT EXISTS (SELECT 1 FROM road_sections s WHERE s.road_id = r.id)`);
    expect(lonely.n).toBeGreaterThan(0);
  });

  it('plants at least three gaps and two overlaps of over 1,000 m² between 市环卫 and 镇环卫', async () => {
    const gaps = await one(sql<{ n: number }>`
      WITH u AS (SELECT ST_Union(geom, 1e-10) AS g FROM zones WHERE duty_type_id IN ('sanitation-city', 'sanitation-town'))
      SELECT count(*)::int AS n FROM (SELECT (ST_Dump(ST_Difference(t.geom, u.g, 1e-10))).geom AS g FROM territories t, u WHERE t.level = 'district') x
      WHERE ST_Area(g::geography) > 1000`);
    expect(gaps.n).toBeGreaterThanOrEqual(3);
    const overlaps = await one(sql<{ n: number }>`
      SELECT count(*)::int AS n FROM zones a JOIN zones b ON ST_Intersects(a.geom, b.geom)
      WHERE a.duty_type_id = 'sanitation-city' AND b.duty_type_id = 'sanitation-town'
        AND ST_Area(ST_Intersection(a.geom, b.geom, 1e-10)::geography) > 1000`);
    expect(overlaps.n).toBeGreaterThanOrEqual(2);
  });

  it('has 20,000 problems inside the district, and seeding again changes nothing', async () => {
    const before = await one(sql<{ n: number; outside: number; checksum: string }>`
      SELECT count(*)::int AS n,
             count(*) FILTER (WHERE NOT ST_Intersects(p.geom, d.geom))::int AS outside,
             md5(string_agg(p.id || ':' || ST_AsText(p.geom) || p.status, ',' ORDER BY p.id)) AS checksum
      FROM problems p, territories d WHERE d.level = 'district'`);
    expect(before.n).toBe(20000);
    expect(before.outside).toBe(0);
    const report = await seedDemo(database.db);
    expect(report.skipped).toBe(true);
    const after = await one(sql<{ checksum: string }>`
      SELECT md5(string_agg(p.id || ':' || ST_AsText(p.geom) || p.status, ',' ORDER BY p.id)) AS checksum FROM problems p`);
    expect(after.checksum).toBe(before.checksum);
  });
});
