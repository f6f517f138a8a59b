/**
 * Import (preview → commit) and export of layers, through the API. Files are
 * built here (GeoJSON, KML, zips) or written by third-party code: the
 * shapefile fixture by @mapbox/shp-write, the exports read back by shpjs,
 * togeojson and a CSV parser; the GCJ-02 case uses the real 象山区 boundary
 * and gcoord's conversion of it; areas are checked against the ellipsoid's
 * closed-form formula (geodesy.ts), not against what PostGIS printed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import shpwrite from '@mapbox/shp-write';
import type { Database } from '@civgrid/db';
import { kml } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import gcoord from 'gcoord';
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';
import { sql } from 'kysely';
import getShapefile from 'shpjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeZip } from '../../server/src/services/export-zip.ts';
import { addHeaders, errorOf, type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';
import { rectArea } from '../support/geodesy.ts';

let database: Database;
let admin: TestApp;
let planner: TestApp;
/** The first street's inner centre (the planner's scope), another street's, the district's; an organisation. */
let fx: { street: [number, number]; otherStreet: [number, number]; district: [number, number]; org: { id: number; name: string } };

interface PreviewFeature {
  index: number;
  name: string;
  ownerOrgId: number | null;
  ownerName: string | null;
  status: string;
  findings: { code: string; message: string; reason?: string; zones?: unknown[] }[];
  geometry: Geometry | null;
}
interface Preview {
  previewId: string;
  layer: string;
  duty: string | null;
  format: string;
  crs: { id: string; detected: boolean; source: string };
  fields: string[];
  mapping: { nameField: string | null; ownerField: string | null };
  features: PreviewFeature[];
  summary: { total: number; importable: number; blocked: number };
}

const DATA = join(import.meta.dirname, '../fixtures/import');

const square = ([lon, lat]: [number, number], d = 0.0005): Position[][] => [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]];
const polygonFeature = (coordinates: Position[][], properties: Record<string, unknown>): Feature => ({ type: 'Feature', geometry: { type: 'Polygon', coordinates }, properties });
const collection = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });

async function upload(app: TestApp, file: string | Uint8Array, name: string, fields: Record<string, string | number>): Promise<Response> {
  const form = new FormData();
  form.set('file', new Blob([file as BlobPart]), name);
  for (const [k, v] of Object.entries(fields)) form.set(k, String(v));
  return app.request('/api/import', { method: 'POST', body: form });
}

async function preview(app: TestApp, file: string | Uint8Array, name: string, fields: Record<string, string | number>): Promise<Preview> {
  const res = await upload(app, file, name, fields);
  const text = await res.text();
  expect(res.status, text.slice(0, 400)).toBe(200);
  return JSON.parse(text) as Preview;
}

const commit = (app: TestApp, id: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  app.request(`/api/import/${id}/commit`, addHeaders({ method: 'POST', body: JSON.stringify(body) }, { 'content-type': 'application/json', ...headers }));

const liveZones = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM zones WHERE valid_to IS NULL`.execute(database.db)).rows[0]!.n;

/** Web Mercator (EPSG:3857) of a WGS84 position, by the projection's formula. */
const mercator = ([lon, lat]: Position): Position => [(6378137 * lon! * Math.PI) / 180, 6378137 * Math.log(Math.tan(Math.PI / 4 + (lat! * Math.PI) / 360))];

/** Every position of a geometry (for bounding boxes). */
function positions(g: Geometry): Position[] {
  if (g.type === 'GeometryCollection') return g.geometries.flatMap(positions);
  const walk = (v: unknown): Position[] => (Array.isArray(v) && typeof v[0] === 'number' ? [v as Position] : (v as unknown[]).flatMap(walk));
  return walk(g.coordinates);
}
const bbox = (g: Geometry) => {
  const ps = positions(g);
  return [Math.min(...ps.map((p) => p[0]!)), Math.min(...ps.map((p) => p[1]!)), Math.max(...ps.map((p) => p[0]!)), Math.max(...ps.map((p) => p[1]!))];
};

/** RFC 4180 rows (quoted cells, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  return rows;
}

beforeAll(async () => {
  database = await freshDatabase();
  admin = testApp(database, 'admin');
  planner = admin.as('planner');
  const centre = async (level: string, order: 'ASC' | 'DESC') =>
    (await sql<{ lon: number; lat: number }>`
      SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (
        SELECT (ST_MaximumInscribedCircle(geom)).center AS c FROM territories WHERE level = ${level}
        ORDER BY code ${sql.raw(order)} LIMIT 1) s`.execute(database.db)).rows[0]!;
  const s1 = await centre('street', 'ASC');
  const s2 = await centre('street', 'DESC');
  const d = await centre('district', 'ASC');
  const org = (await sql<{ id: number; name: string }>`
    SELECT min(id) AS id, name FROM organisations GROUP BY name HAVING count(*) = 1 ORDER BY min(id) LIMIT 1`.execute(database.db)).rows[0]!;
  fx = { street: [s1.lon, s1.lat], otherStreet: [s2.lon, s2.lat], district: [d.lon, d.lat], org };
});
afterAll(async () => {
  await database?.close();
});

describe('GeoJSON import', () => {
  let zoneId: number;
  const name = '导入测试-GeoJSON';

  it('previews with the columns guessed, commits all in one go, and the zone is on the layer', async () => {
    const file = collection([polygonFeature(square(fx.street), { 名称: name, 责任单位: fx.org.name, note: 'x' })]);
    const p = await preview(planner, file, 'zones.geojson', { layer: 'zones', duty: 'frontage' });
    expect(p.format).toBe('geojson');
    expect(p.crs).toMatchObject({ id: 'wgs84', detected: false, source: 'default' });
    expect(p.fields).toEqual(['名称', '责任单位', 'note']);
    expect(p.mapping).toEqual({ nameField: '名称', ownerField: '责任单位' });
    const [f] = p.features;
    expect(f).toMatchObject({ index: 0, name, ownerOrgId: fx.org.id, ownerName: fx.org.name, status: 'ok' });
    expect(p.summary).toEqual({ total: 1, importable: 1, blocked: 0 });
    // kept for the commit as a JSON array (not a JSON string of one), for an hour
    const kept = await sql<{ kind: string; minutes: number }>`
      SELECT jsonb_typeof(features) AS kind, round(extract(epoch FROM expires_at - now()) / 60)::int AS minutes FROM import_previews WHERE id = ${p.previewId}`.execute(database.db);
    expect(kept.rows).toEqual([{ kind: 'array', minutes: 60 }]);

    const before = await liveZones();
    const res = await commit(planner, p.previewId, { comment: 'from a test file' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { created: number[]; count: number };
    expect(body.count).toBe(1);
    zoneId = body.created[0]!;
    expect(await liveZones()).toBe(before + 1);

    const layer = (await (await planner.request('/api/layers/zones?duty=frontage')).json()) as FeatureCollection;
    const stored = layer.features.find((z) => z.id === zoneId);
    expect(stored?.properties).toMatchObject({ name, owner_id: fx.org.id, version: 1 });
    expect(bbox(stored!.geometry)).toEqual(bbox({ type: 'Polygon', coordinates: square(fx.street) }).map((v) => expect.closeTo(v, 6)));
    // written like a drawn zone: a version row with the comment, and an audit entry
    const version = await sql<{ comment: string }>`SELECT comment FROM zone_versions WHERE zone_id = ${zoneId}`.execute(database.db);
    expect(version.rows).toEqual([{ comment: 'from a test file' }]);
    const audit = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'zone' AND entity_id = ${String(zoneId)} AND action = 'create'`.execute(database.db);
    expect(audit.rows[0]!.n).toBe(1);
  });

  it('a second commit of the same preview finds nothing; the same Idempotency-Key replays the answer', async () => {
    const file = collection([polygonFeature(square(fx.street, 0.0002).map((r) => r.map(([x, y]) => [x! + 0.001, y!])), { name: '导入测试-两次' })]);
    const p = await preview(planner, file, 'twice.geojson', { layer: 'zones', duty: 'frontage', ownerOrgId: fx.org.id });
    expect((await commit(planner, p.previewId)).status).toBe(201);
    const again = await commit(planner, p.previewId);
    expect(again.status).toBe(404);
    expect((await errorOf(again)).code).toBe('preview_not_found');

    const q = await preview(planner, file.replace('两次', '幂等'), 'again.geojson', { layer: 'zones', duty: 'frontage', ownerOrgId: fx.org.id });
    const first = await commit(planner, q.previewId, {}, { 'idempotency-key': 'import-key-0001' });
    const second = await commit(planner, q.previewId, {}, { 'idempotency-key': 'import-key-0001' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(await second.json()).toEqual(await first.json());
  });

  it('a preview belongs to its user; unknown ids are 404', async () => {
    const file = collection([polygonFeature(square(fx.street, 0.0002).map((r) => r.map(([x, y]) => [x! + 0.002, y!])), { name: '别人的' })]);
    const p = await preview(admin, file, 'mine.geojson', { layer: 'zones', duty: 'frontage', ownerOrgId: fx.org.id });
    expect((await errorOf(await commit(planner, p.previewId))).code).toBe('preview_not_found');
    expect((await commit(planner, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await commit(planner, 'not-a-preview')).status).toBe(404);
    // still there for its owner
    expect((await commit(admin, p.previewId)).status).toBe(201);
  });

  it('exports the committed zone as GeoJSON, Shapefile, KML and CSV, each readable by other software', async () => {
    const expected = bbox({ type: 'Polygon', coordinates: square(fx.street) });
    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const get = async (format: string) => {
      const res = await admin.as('viewer').request(`/api/export/zones?duty=frontage&format=${format}`);
      expect(res.status).toBe(200);
      return res;
    };

    const geojson = await get('geojson');
    expect(geojson.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(geojson.headers.get('content-disposition')).toBe(`attachment; filename="zones-frontage-${day}.geojson"`);
    const fc = (await geojson.json()) as FeatureCollection;
    const fromJson = fc.features.find((f) => f.properties?.name === name)!;
    expect(fromJson.id).toBe(zoneId);
    expect(bbox(fromJson.geometry).map((v, i) => Math.abs(v - expected[i]!))).toSatisfy((d: number[]) => d.every((x) => x < 1e-6));

    const shp = await get('shp');
    expect(shp.headers.get('content-type')).toBe('application/zip');
    expect(shp.headers.get('content-disposition')).toBe(`attachment; filename="zones-frontage-${day}.zip"`);
    const read = (await getShapefile(Buffer.from(await shp.arrayBuffer()))) as FeatureCollection;
    expect(read.features.length).toBe(fc.features.length);
    const fromShp = read.features.find((f) => f.properties?.name === name)!;
    expect(fromShp.properties).toMatchObject({ id: zoneId, owner_name: fx.org.name });
    expect(bbox(fromShp.geometry).map((v, i) => Math.abs(v - expected[i]!))).toSatisfy((d: number[]) => d.every((x) => x < 1e-6));

    const kmlRes = await get('kml');
    const doc = new DOMParser().parseFromString(await kmlRes.text(), 'text/xml');
    const fromKml = kml(doc).features.find((f) => f.properties?.name === name)!;
    expect(fromKml.properties?.owner_name).toBe(fx.org.name);
    expect(bbox(fromKml.geometry as Geometry).map((v, i) => Math.abs(v - expected[i]!))).toSatisfy((d: number[]) => d.every((x) => x < 1e-6));

    const csv = parseCsv(await (await get('csv')).text());
    const header = csv[0]!;
    expect(header).toContain('name');
    expect(header.at(-1)).toBe('wkt');
    const row = csv.find((r) => r[header.indexOf('name')] === name)!;
    expect(row[header.indexOf('id')]).toBe(String(zoneId));
    const wkt = row.at(-1)!;
    expect(wkt).toMatch(/^MULTIPOLYGON \(\(\(/);
    const numbers = wkt.match(/-?\d+\.?\d*/g)!.map(Number);
    const lons = numbers.filter((_, i) => i % 2 === 0);
    const lats = numbers.filter((_, i) => i % 2 === 1);
    expect([Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)].map((v, i) => Math.abs(v - expected[i]!))).toSatisfy((d: number[]) =>
      d.every((x) => x < 1e-6),
    );
  });

  it('exports any layer; refuses unknown layers and formats', async () => {
    const streets = (await (await admin.request('/api/layers/streets')).json()) as FeatureCollection;
    const res = await admin.request('/api/export/streets?format=shp');
    const read = (await getShapefile(Buffer.from(await res.arrayBuffer()))) as FeatureCollection;
    expect(read.features.map((f) => f.properties?.name).sort()).toEqual(streets.features.map((f) => f.properties?.name).sort());
    const points = await admin.request('/api/export/inspection-points?format=kml');
    expect(kml(new DOMParser().parseFromString(await points.text(), 'text/xml')).features.length).toBeGreaterThan(100);
    expect((await errorOf(await admin.request('/api/export/nothing?format=csv'))).code).toBe('unknown_layer');
    expect((await admin.request('/api/export/streets?format=xls')).status).toBe(400);
    expect((await errorOf(await admin.request('/api/export/zones?format=csv'))).code).toBe('duty_required');
  });
});

describe('coordinate systems', () => {
  it('GCJ-02: the 象山区 boundary lands where gcoord converts it, a few hundred metres from its raw coordinates', async () => {
    const text = readFileSync(join(DATA, 'xiangshan_450304_datav_gcj02.geojson'), 'utf8');
    const p = await preview(admin, text, 'xiangshan.geojson', { layer: 'zones', duty: 'greening', crs: 'gcj02', ownerOrgId: fx.org.id });
    expect(p.crs).toEqual({ id: 'gcj02', detected: false, source: 'request' });
    expect(p.features).toHaveLength(1);
    const [f] = p.features;
    expect(f!.name).toBe('象山区');
    // the stored district was snapped to a 1 cm grid: the file's boundary may stick out by slivers, which are cut off
    expect(['ok', 'repaired']).toContain(f!.status);
    const res = await commit(admin, p.previewId);
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { created: number[] }).created[0]!;

    const raw = JSON.parse(text) as FeatureCollection;
    const converted = gcoord.transform(structuredClone(raw.features[0]!.geometry) as never, gcoord.GCJ02, gcoord.WGS84) as unknown as Geometry;
    const { rows } = await sql<{ to_converted: number; to_raw: number; area: number; expected_area: number }>`
      WITH z AS (SELECT geom FROM zones WHERE id = ${id}),
      e AS (SELECT ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(converted)}), 4326)) AS g),
      r AS (SELECT ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(raw.features[0]!.geometry)}), 4326)) AS g)
      SELECT ST_Distance(ST_Centroid(z.geom)::geography, ST_Centroid(e.g)::geography) AS to_converted,
             ST_Distance(ST_Centroid(z.geom)::geography, ST_Centroid(r.g)::geography) AS to_raw,
             ST_Area(z.geom::geography) AS area, ST_Area(e.g::geography) AS expected_area
      FROM z, e, r`.execute(database.db);
    const r = rows[0]!;
    expect(r.to_converted).toBeLessThan(1);
    expect(r.to_raw).toBeGreaterThan(300);
    expect(r.to_raw).toBeLessThan(700);
    expect(Math.abs(r.area - r.expected_area) / r.expected_area).toBeLessThan(1e-5);
  });

  it('a zipped Shapefile in a folder, with a Web Mercator .prj: squares land on their WGS84 corners with their ellipsoidal area', async () => {
    const [cx, cy] = fx.district;
    const lon0 = Math.round(cx * 1000) / 1000;
    const lat0 = Math.round(cy * 1000) / 1000;
    const rects = [
      [lon0, lat0, lon0 + 0.002, lat0 + 0.002],
      [lon0 + 0.003, lat0, lon0 + 0.004, lat0 + 0.001],
    ] as const;
    // clockwise outer rings, as a shapefile wants them
    const ring = ([x0, y0, x1, y1]: readonly number[]) => [[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]].map((p) => mercator(p as Position));
    const fc = { type: 'FeatureCollection', features: rects.map((r, i) => ({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring(r)] }, properties: { name: `SQ${i + 1}` } })) };
    const prj =
      'PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]';
    const zip = await shpwrite.zip(fc, { folder: 'squares', outputType: 'nodebuffer', compression: 'DEFLATE', types: { polygon: 'squares' }, prj });
    const p = await preview(admin, new Uint8Array(zip), 'squares.zip', { layer: 'zones', duty: 'greening', ownerOrgId: fx.org.id });
    expect(p.format).toBe('shapefile');
    expect(p.crs).toMatchObject({ id: 'epsg3857', detected: true, source: 'prj' });
    expect(p.features.map((f) => [f.name, f.status])).toEqual([['SQ1', 'ok'], ['SQ2', 'ok']]);
    for (const [i, f] of p.features.entries()) expect(bbox(f.geometry!).map((v, k) => Math.abs(v - rects[i]![k]!))).toSatisfy((d: number[]) => d.every((x) => x < 1e-7));

    const res = await commit(admin, p.previewId);
    expect(res.status).toBe(201);
    const ids = ((await res.json()) as { created: number[] }).created;
    const areas = await sql<{ id: number; area: number }>`SELECT id, ST_Area(geom::geography) AS area FROM zones WHERE id = ANY(${ids}) ORDER BY id`.execute(database.db);
    for (const [i, row] of areas.rows.entries()) {
      const [x0, y0, x1, y1] = rects[i]!;
      expect(Math.abs(row.area - rectArea(x0, y0, x1, y1))).toBeLessThan(0.5);
    }
  });

  it('KML: WGS84, names and the owner from ExtendedData', async () => {
    const [lon, lat] = fx.street;
    const ring = square([lon + 0.003, lat], 0.0003)[0]!.map((p) => p.join(',')).join(' ');
    const file = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>导入测试-KML</name>
<ExtendedData><Data name="责任单位"><value>${fx.org.name}</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>${ring}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>`;
    const p = await preview(planner, file, 'zones.kml', { layer: 'zones', duty: 'frontage' });
    expect(p.format).toBe('kml');
    expect(p.crs).toMatchObject({ id: 'wgs84', detected: true, source: 'kml' });
    expect(p.features[0]).toMatchObject({ name: '导入测试-KML', ownerOrgId: fx.org.id, status: 'ok' });
    expect((await commit(planner, p.previewId)).status).toBe(201);
  });

  it('coordinates in metres without a declaration are taken as Web Mercator', async () => {
    const [lon, lat] = fx.district;
    const ring = square([lon + 0.006, lat], 0.0004)[0]!.map(mercator);
    const p = await preview(admin, collection([polygonFeature([ring], { name: 'metres' })]), 'm.json', { layer: 'zones', duty: 'greening', ownerOrgId: fx.org.id });
    expect(p.crs).toMatchObject({ id: 'epsg3857', detected: true, source: 'coordinates' });
    expect(bbox(p.features[0]!.geometry!)[0]).toBeCloseTo(lon + 0.006, 7);
  });
});

describe('per-feature findings and all-or-nothing', () => {
  it('repairs a bow-tie; refuses a 100,000-vertex polygon, wrong types, empty and out-of-range geometries; and then writes nothing', async () => {
    const [lon, lat] = fx.district;
    const d = 0.0004;
    const bowtie = [[[lon, lat], [lon + d, lat + d], [lon + d, lat], [lon, lat + d], [lon, lat]]];
    const big: Position[] = [];
    for (let i = 0; i < 100_000; i++) big.push([lon + 0.001 * Math.cos((i / 100_000) * 2 * Math.PI), lat + 0.001 * Math.sin((i / 100_000) * 2 * Math.PI)]);
    big.push(big[0]!);
    const file = collection([
      polygonFeature(bowtie, { name: 'bowtie' }),
      polygonFeature([big], { name: 'huge' }),
      { type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { name: 'point' } },
      polygonFeature([[[200, 100], [201, 100], [201, 101], [200, 100]]], { name: 'far' }),
      { type: 'Feature', geometry: { type: 'Polygon', coordinates: [] }, properties: { name: 'empty' } },
      { type: 'Feature', geometry: null, properties: { name: 'none' } },
      polygonFeature([[[lon, lat], [lon + d, lat], [lon + 2 * d, lat], [lon, lat]]], { name: 'flat' }),
    ]);
    const p = await preview(admin, file, 'bad.geojson', { layer: 'zones', duty: 'greening', crs: 'wgs84', ownerOrgId: fx.org.id });
    const byName = Object.fromEntries(p.features.map((f) => [f.name, f]));
    expect(byName.bowtie).toMatchObject({ status: 'repaired', geometry: { type: 'MultiPolygon' } });
    expect((byName.bowtie!.geometry as { coordinates: unknown[] }).coordinates).toHaveLength(2);
    expect(byName.bowtie!.findings.map((f) => f.code)).toContain('repaired');
    const reason = (n: string) => [byName[n]!.status, byName[n]!.findings.find((f) => f.code === 'invalid')?.reason];
    expect(reason('huge')).toEqual(['invalid', 'too_complex']);
    expect(reason('point')).toEqual(['invalid', 'wrong_geometry_type']);
    expect(reason('far')).toEqual(['invalid', 'coordinates_out_of_range']);
    expect(reason('empty')).toEqual(['invalid', 'empty_geometry']);
    expect(reason('none')).toEqual(['invalid', 'empty_geometry']);
    expect(reason('flat')).toEqual(['invalid', 'empty_geometry']);
    expect(p.summary).toEqual({ total: 7, importable: 1, blocked: 6 });

    const before = await liveZones();
    const res = await commit(admin, p.previewId);
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error.code).toBe('import_blocked');
    expect((error.details as { features: unknown[] }).features).toHaveLength(6);
    expect(await liveZones()).toBe(before);
  });

  it('a planner’s feature outside their street blocks the import: 422, nothing written', async () => {
    const file = collection([
      polygonFeature(square(fx.street, 0.0002).map((r) => r.map(([x, y]) => [x!, y! + 0.001])), { name: 'inside', owner: fx.org.id }),
      polygonFeature(square(fx.otherStreet, 0.0003), { name: 'outside', owner: fx.org.id }),
    ]);
    const p = await preview(planner, file, 'scope.geojson', { layer: 'zones', duty: 'frontage' });
    expect(p.mapping.ownerField).toBe('owner');
    expect(p.features.map((f) => [f.name, f.status])).toEqual([['inside', 'ok'], ['outside', 'outside_territory']]);
    const finding = p.features[1]!.findings.find((f) => f.code === 'outside_territory') as unknown as { outsideM2: number };
    expect(finding.outsideM2).toBeGreaterThan(1000);
    const before = await liveZones();
    const res = await commit(planner, p.previewId);
    expect(res.status).toBe(422);
    expect((await errorOf(res)).code).toBe('import_blocked');
    expect(await liveZones()).toBe(before);
    // the same file is fine for the admin of the whole district
    const q = await preview(admin, file, 'scope.geojson', { layer: 'zones', duty: 'frontage' });
    expect(q.summary.blocked).toBe(0);
  });

  it('an owner nobody knows blocks, unless a default owner is given; overlaps with existing zones are warnings', async () => {
    const ring = square(fx.street, 0.0002).map((r) => r.map(([x, y]) => [x! + 0.0005, y! + 0.0005]));
    const file = collection([polygonFeature(ring, { name: 'who', owner: '不存在的单位' })]);
    const p = await preview(planner, file, 'owner.geojson', { layer: 'zones', duty: 'frontage' });
    expect(p.features[0]).toMatchObject({ status: 'unknown_owner', ownerOrgId: null });
    const q = await preview(planner, file, 'owner.geojson', { layer: 'zones', duty: 'frontage', ownerOrgId: fx.org.id });
    expect(q.features[0]).toMatchObject({ ownerOrgId: fx.org.id });
    expect(q.features[0]!.findings.map((f) => f.code)).toContain('default_owner');
    // overlapping the first imported zone (same square area, same duty)
    const overlap = collection([polygonFeature(square(fx.street), { name: 'again', owner: fx.org.name })]);
    const r = await preview(planner, overlap, 'overlap.geojson', { layer: 'zones', duty: 'frontage' });
    expect(r.features[0]!.status).toBe('ok');
    expect(r.features[0]!.findings.find((f) => f.code === 'overlaps_existing')?.zones?.length).toBeGreaterThan(0);
  });

  it('imports road sections as lines', async () => {
    const [lon, lat] = fx.district;
    const file = collection([{ type: 'Feature', geometry: { type: 'LineString', coordinates: [[lon, lat + 0.002], [lon + 0.002, lat + 0.002]] }, properties: { 路段名称: '导入路段', 路段长单位: fx.org.name } }]);
    const p = await preview(admin, file, 'sections.geojson', { layer: 'road-sections' });
    expect(p.features[0]).toMatchObject({ name: '导入路段', ownerOrgId: fx.org.id, status: 'ok' });
    const wrong = await preview(admin, collection([polygonFeature(square(fx.district), { name: 'x' })]), 'x.geojson', { layer: 'road-sections', ownerOrgId: fx.org.id });
    expect(wrong.features[0]!.status).toBe('invalid');
    const res = await commit(admin, p.previewId);
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { created: number[] }).created[0]!;
    const layer = (await (await admin.request('/api/layers/road-sections')).json()) as FeatureCollection;
    expect(layer.features.find((f) => f.id === id)?.properties).toMatchObject({ name: '导入路段', owner_id: fx.org.id });
  });
});

describe('bad files', () => {
  const fields = { layer: 'zones', duty: 'frontage' };

  it('malformed KML, JSON and zips are 400 unreadable_file; a zip without a .shp too', async () => {
    const badKml = '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>x</name></Document></kml>';
    for (const [file, name] of [
      [badKml, 'bad.kml'],
      ['<?xml version="1.0"?><gpx></gpx>', 'track.gpx'],
      ['{"type":"FeatureCollection","features":[', 'bad.json'],
      ['{"hello":"world"}', 'not.geojson'],
      [new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8]), 'bad.zip'],
      [writeZip([{ name: 'readme.txt', data: new TextEncoder().encode('no shapefile here') }]), 'empty.zip'],
    ] as const) {
      const res = await upload(admin, file, name, fields);
      expect(res.status, name).toBe(400);
      const error = await errorOf(res);
      expect(error.code, name).toBe('unreadable_file');
      expect(error.message.length).toBeGreaterThan(30);
    }
    expect((await upload(admin, 'just some text', 'a.txt', fields)).status).toBe(415);
  });

  it('a zip bomb is refused from its directory, before inflating: 413 zip_too_large', async () => {
    const bomb = writeZip([{ name: 'bomb.shp', data: new Uint8Array(150 * 1024 * 1024) }]);
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    const res = await upload(admin, bomb, 'bomb.zip', fields);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('zip_too_large');
    // small in total, but compressed a thousand to one
    const dense = writeZip([{ name: 'a.shp', data: new Uint8Array(5 * 1024 * 1024) }]);
    expect((await errorOf(await upload(admin, dense, 'dense.zip', fields))).code).toBe('zip_too_large');
  });

  it('a file over 20 MB is 413; more than 5,000 features is 413', async () => {
    const big = `{"type":"FeatureCollection","features":[],"pad":"${'x'.repeat(20 * 1024 * 1024 + 10)}"}`;
    const res = await upload(admin, big, 'big.geojson', fields);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('file_too_large');
    const many = collection(Array.from({ length: 5001 }, (_, i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [110 + i * 1e-5, 25] }, properties: {} })));
    const tooMany = await upload(admin, many, 'many.geojson', fields);
    expect(tooMany.status).toBe(413);
    expect((await errorOf(tooMany)).code).toBe('too_many_features');
  });

  it('form mistakes are 400: no duty, an unknown duty, an unknown column, no file', async () => {
    const file = collection([polygonFeature(square(fx.street), { name: 'x' })]);
    expect((await errorOf(await upload(admin, file, 'a.geojson', { layer: 'zones' }))).code).toBe('duty_required');
    expect((await errorOf(await upload(admin, file, 'a.geojson', { layer: 'zones', duty: 'no-such-duty' }))).code).toBe('unknown_duty');
    expect((await errorOf(await upload(admin, file, 'a.geojson', { ...fields, nameField: '名字' }))).code).toBe('unknown_field');
    expect((await errorOf(await upload(admin, file, 'a.geojson', { ...fields, ownerOrgId: 999999 }))).code).toBe('unknown_organisation');
    const form = new FormData();
    form.set('layer', 'zones');
    expect((await admin.request('/api/import', { method: 'POST', body: form })).status).toBe(400);
    expect((await admin.request('/api/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(400);
  });
});
