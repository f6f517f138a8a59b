/**
 * Exports keep their coordinates: every longitude and latitude a file
 * writes lies within 1e-7° (about 1 cm) of the point stored in PostGIS,
 * read here straight from the database with ST_X / ST_Y. The problems CSV
 * once wrote 2 decimals (up to 700 m off); the layer exports 6.
 */
import type { Database } from '@civgrid/db';
import { kml } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import { parse } from 'csv-parse/sync';
import type { FeatureCollection, Point } from 'geojson';
import { sql } from 'kysely';
import getShapefile from 'shpjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

const TOLERANCE = 1e-7;

let database: Database;
let admin: TestApp;

beforeAll(async () => {
  database = await freshDatabase();
  admin = testApp(database, 'admin');
});
afterAll(() => database?.close());

type Stored = Map<number, [number, number]>;

async function storedPoints(table: 'problems' | 'inspection_points'): Promise<Stored> {
  const { rows } = await sql<{ id: number; x: number; y: number }>`
    SELECT id, ST_X(geom)::float8 AS x, ST_Y(geom)::float8 AS y FROM ${sql.table(table)} WHERE geom IS NOT NULL`.execute(database.db);
  return new Map(rows.map((r) => [Number(r.id), [Number(r.x), Number(r.y)]]));
}

/** Rows of a CSV as objects by header (the BOM dropped). */
function readCsv(text: string): Record<string, string>[] {
  return parse(text, { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/** Compares exported positions with the stored points; returns how many were compared. */
function expectAtStoredPoints(exported: { id: number; lon: number; lat: number }[], stored: Stored): number {
  const off = exported.filter(({ id, lon, lat }) => {
    const at = stored.get(id);
    return !at || Math.abs(at[0] - lon) > TOLERANCE || Math.abs(at[1] - lat) > TOLERANCE;
  });
  expect(off.slice(0, 5).map(({ id, lon, lat }) => ({ id, lon, lat, stored: stored.get(id) }))).toEqual([]);
  return exported.length;
}

describe('coordinates in exports', () => {
  it('the stored points carry more than 2 decimals, so a rounded export would be caught', async () => {
    const stored = [...(await storedPoints('problems')).values()];
    expect(stored.length).toBeGreaterThan(100);
    // rounding to 2 decimals moves most points by more than the tolerance
    const moved = stored.filter(([x, y]) => Math.abs(x - Number(x.toFixed(2))) > TOLERANCE || Math.abs(y - Number(y.toFixed(2))) > TOLERANCE);
    expect(moved.length / stored.length).toBeGreaterThan(0.9);
  });

  it('GET /api/problems?format=csv writes each problem where it is stored', async () => {
    const stored = await storedPoints('problems');
    const exported: { id: number; lon: number; lat: number }[] = [];
    let before: number | undefined;
    // page through everything the admin may read (the CSV takes the same paging as the list)
    for (;;) {
      const res = await admin.request(`/api/problems?format=csv&limit=10000${before ? `&before=${before}` : ''}`);
      expect(res.status).toBe(200);
      const rows = readCsv(await res.text());
      for (const r of rows) {
        // 7 decimals written, not merely parsed back close enough
        expect(r.lon).toMatch(/^-?\d+\.\d{7}$/);
        expect(r.lat).toMatch(/^-?\d+\.\d{7}$/);
        exported.push({ id: Number(r.id), lon: Number(r.lon), lat: Number(r.lat) });
      }
      if (rows.length < 10000) break;
      before = Number(rows.at(-1)!.id);
    }
    expect(expectAtStoredPoints(exported, stored)).toBe(stored.size);
  });

  it('the readiness board CSV writes each inspection point where it is stored', async () => {
    const { rows } = await sql<{ id: number }>`SELECT id FROM inspection_rounds ORDER BY id LIMIT 1`.execute(database.db);
    expect(rows.length).toBe(1);
    const res = await admin.request(`/api/inspection/readiness?round=${rows[0]!.id}&format=csv`);
    expect(res.status).toBe(200);
    const board = readCsv(await res.text());
    expect(board.length).toBeGreaterThan(0);
    const { rows: codes } = await sql<{ id: number; code: string }>`SELECT id, code FROM inspection_points`.execute(database.db);
    const idOf = new Map(codes.map((c) => [c.code, Number(c.id)]));
    const exported = board.map((r) => ({ id: idOf.get(r.code!) ?? -1, lon: Number(r.lon), lat: Number(r.lat) }));
    expectAtStoredPoints(exported, await storedPoints('inspection_points'));
  });

  describe('the inspection-points layer export', () => {
    let stored: Stored;
    beforeAll(async () => {
      stored = await storedPoints('inspection_points');
    });
    const file = (format: string) => admin.request(`/api/export/inspection-points?format=${format}`);
    const positions = (fc: FeatureCollection) =>
      fc.features.map((f) => {
        const [lon, lat] = (f.geometry as Point).coordinates as [number, number];
        return { id: Number(f.properties?.id), lon, lat };
      });

    it('as GeoJSON', async () => {
      const fc = (await (await file('geojson')).json()) as FeatureCollection;
      expect(expectAtStoredPoints(positions(fc), stored)).toBe(stored.size);
    });

    it('as CSV with WKT', async () => {
      const rows = readCsv(await (await file('csv')).text());
      const exported = rows.map((r) => {
        const match = /^POINT \((-?[\d.]+) (-?[\d.]+)\)$/.exec(r.wkt ?? '');
        expect(match, r.wkt).not.toBeNull();
        return { id: Number(r.id), lon: Number(match![1]), lat: Number(match![2]) };
      });
      expect(expectAtStoredPoints(exported, stored)).toBe(stored.size);
    });

    it('as KML', async () => {
      const fc = kml(new DOMParser().parseFromString(await (await file('kml')).text(), 'text/xml')) as FeatureCollection;
      expect(expectAtStoredPoints(positions(fc), stored)).toBe(stored.size);
    });

    it('as a zipped Shapefile', async () => {
      const fc = (await getShapefile(Buffer.from(await (await file('shp')).arrayBuffer()))) as FeatureCollection;
      expect(expectAtStoredPoints(positions(fc), stored)).toBe(stored.size);
    });
  });
});
