/**
 * No crash from one upload (issue 15, items 2 and 10). A Shapefile zip that
 * lists one small .shp 2,001 times, or holds more features than the import
 * takes, is refused from its central directory or its record headers,
 * before the features are built; GeoJSON, KML and JSON bodies nested 100,000
 * levels deep, or made of millions of tiny values, are refused from their
 * text before anything parses them. The memory an import takes is measured
 * here: the process's peak resident set (a high-water mark the kernel keeps)
 * after the request, against its resident set before it.
 *
 * The files are built here byte by byte from the formats' specifications
 * (the ESRI Shapefile technical description, PKWARE's APPNOTE for zips).
 */
import { crc32, deflateRawSync } from 'node:zlib';
import type { Database } from '@civgrid/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

let database: Database;
let admin: TestApp;

/** The budget the issue sets: any one import stays under ~256 MB above what the process held before it. */
const MEMORY_BUDGET = 256 * 1024 * 1024;

const fields = { layer: 'zones', duty: 'frontage' };

async function upload(file: string | Uint8Array, name: string): Promise<Response> {
  const form = new FormData();
  form.set('file', new Blob([file as BlobPart]), name);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return admin.request('/api/import', { method: 'POST', body: form });
}

/**
 * The answer to a request and how far the process's peak resident set rose
 * above its resident set before it. The peak is a high-water mark, so this
 * bounds the request's own peak from above (it can only over-count).
 */
async function measured(send: () => Promise<Response>): Promise<{ res: Response; text: string; growth: number }> {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const res = await send();
  const text = await res.text();
  const growth = process.resourceUsage().maxRSS * 1024 - before;
  if (process.env.SHOW_GROWTH) console.info(`peak growth ${(growth / 1048576).toFixed(1)} MB, rss before ${(before / 1048576).toFixed(0)} MB`);
  return { res, text, growth };
}

const code = (text: string) => (JSON.parse(text) as { error?: { code?: string } }).error?.code;

/* ------------------------------------------------------------- shapefiles */

/** A .shp of points (shape type 1): a 100-byte header, then per record 8 bytes of header and 20 of content. */
function pointShp(points: [number, number][]): Uint8Array {
  const size = 100 + points.length * 28;
  const view = new DataView(new ArrayBuffer(size));
  view.setInt32(0, 9994); // file code, big-endian
  view.setInt32(24, size / 2); // file length in 16-bit words, big-endian
  view.setInt32(28, 1000, true);
  view.setInt32(32, 1, true); // Point
  points.forEach(([x, y], i) => {
    const at = 100 + i * 28;
    view.setInt32(at, i + 1);
    view.setInt32(at + 4, 10); // content: 20 bytes = 10 words
    view.setInt32(at + 8, 1, true);
    view.setFloat64(at + 12, x, true);
    view.setFloat64(at + 20, y, true);
  });
  return new Uint8Array(view.buffer);
}

/** A .shp of polygons (shape type 5), one ring each. */
function polygonShp(rings: [number, number][][]): Uint8Array {
  const contentOf = (ring: [number, number][]) => 44 + 4 + ring.length * 16;
  const size = 100 + rings.reduce((sum, r) => sum + 8 + contentOf(r), 0);
  const view = new DataView(new ArrayBuffer(size));
  view.setInt32(0, 9994);
  view.setInt32(24, size / 2);
  view.setInt32(28, 1000, true);
  view.setInt32(32, 5, true); // Polygon
  let at = 100;
  rings.forEach((ring, i) => {
    view.setInt32(at, i + 1);
    view.setInt32(at + 4, contentOf(ring) / 2);
    const c = at + 8;
    view.setInt32(c, 5, true);
    const box = ring.reduce<[number, number, number, number]>(([a, b, c, d], [x, y]) => [Math.min(a, x), Math.min(b, y), Math.max(c, x), Math.max(d, y)], [Infinity, Infinity, -Infinity, -Infinity]);
    box.forEach((v, k) => {
      view.setFloat64(c + 4 + k * 8, v, true);
    });
    view.setInt32(c + 36, 1, true); // parts
    view.setInt32(c + 40, ring.length, true); // points
    view.setInt32(c + 44, 0, true); // the part starts at point 0
    ring.forEach(([x, y], k) => {
      view.setFloat64(c + 48 + k * 16, x, true);
      view.setFloat64(c + 56 + k * 16, y, true);
    });
    at += 8 + contentOf(ring);
  });
  return new Uint8Array(view.buffer);
}

/** `n` points on a grid near (110.3, 25.3) (Guilin). */
const gridPoints = (n: number, from = 0): [number, number][] =>
  Array.from({ length: n }, (_, i) => [110.3 + ((from + i) % 100) * 1e-4, 25.3 + Math.floor((from + i) / 100) * 1e-4]);

interface Stored {
  name: string;
  data: Uint8Array;
}

/**
 * A zip whose central directory may list stored entries more than once or
 * under other names: `directory` gives, per central record, its name and the
 * stored entry (index into `stored`) it points to.
 */
function zipOf(stored: Stored[], directory: { name: string; entry: number }[] = stored.map((s, entry) => ({ name: s.name, entry }))): Uint8Array {
  const parts: Buffer[] = [];
  const facts: { offset: number; crc: number; packed: number; size: number }[] = [];
  let offset = 0;
  for (const file of stored) {
    const name = Buffer.from(file.name, 'utf-8');
    const packed = deflateRawSync(file.data);
    const crc = crc32(file.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.byteLength, 18);
    local.writeUInt32LE(file.data.byteLength, 22);
    local.writeUInt16LE(name.byteLength, 26);
    parts.push(local, name, packed);
    facts.push({ offset, crc, packed: packed.byteLength, size: file.data.byteLength });
    offset += 30 + name.byteLength + packed.byteLength;
  }
  const centralStart = offset;
  for (const { name: text, entry } of directory) {
    const name = Buffer.from(text, 'utf-8');
    const f = facts[entry]!;
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(f.crc, 16);
    central.writeUInt32LE(f.packed, 20);
    central.writeUInt32LE(f.size, 24);
    central.writeUInt16LE(name.byteLength, 28);
    central.writeUInt32LE(f.offset, 42);
    parts.push(central, name);
    offset += 46 + name.byteLength;
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(directory.length, 8);
  end.writeUInt16LE(directory.length, 10);
  end.writeUInt32LE(offset - centralStart, 12);
  end.writeUInt32LE(centralStart, 16);
  return new Uint8Array(Buffer.concat([...parts, end]));
}

/* ------------------------------------------------------------------- text */

/** `{"a":{"a":…1…}}`, `depth` objects deep. */
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** A geometry whose coordinates are nested `depth` arrays deep. */
const deepGeometry = (depth: number) => `{"type":"Polygon","coordinates":${'['.repeat(depth)}${']'.repeat(depth)}}`;
const feature = (geometry: string, properties = '{}') => `{"type":"Feature","geometry":${geometry},"properties":${properties}}`;
const square = '{"type":"Polygon","coordinates":[[[110.29,25.28],[110.2905,25.28],[110.2905,25.2805],[110.29,25.2805],[110.29,25.28]]]}';

beforeAll(async () => {
  database = await freshDatabase();
  admin = testApp(database, 'admin');
  // signs in, so that the first measured request does not pay for it
  expect((await admin.request('/api/auth/me')).status).toBe(200);
});
afterAll(async () => {
  await database?.close();
});

describe('a zip is judged from its central directory before anything is inflated', () => {
  // 1,700 points: 47.7 KB, so 2,001 listings declare 95 MB, under the 100 MB the directory check allows
  const shp = pointShp(gridPoints(1_700));

  it('one .shp listed 201 times: 400 duplicate_zip_entry; 2,001 times (the attack): 413 zip_too_many_entries; both within the memory budget', async () => {
    for (const [times, status, error] of [[201, 400, 'duplicate_zip_entry'], [2_001, 413, 'zip_too_many_entries']] as const) {
      const zip = zipOf([{ name: 'x.shp', data: shp }], Array.from({ length: times }, () => ({ name: 'x.shp', entry: 0 })));
      expect(zip.byteLength).toBeLessThan(1024 * 1024);
      const { res, text, growth } = await measured(() => upload(zip, 'dup.zip'));
      expect(res.status, text.slice(0, 300)).toBe(status);
      expect(code(text)).toBe(error);
      expect(growth, `${times} times`).toBeLessThan(MEMORY_BUDGET);
    }
  });

  it('names that are one file on a disk or to a reader: case, backslashes, "." segments, Unicode forms', async () => {
    const data = pointShp(gridPoints(3));
    const pairs: [string, string][] = [
      ['a/x.shp', 'a/X.SHP'],
      ['a/x.shp', 'a\\x.shp'],
      ['a/x.shp', './a/./x.shp'],
      ['a/x.shp', 'a//x.shp'],
      // é precomposed (NFC) and as e + combining acute (NFD): macOS writes the second
      ['a/caf\u00e9.shp', 'a/cafe\u0301.shp'],
    ];
    for (const [first, second] of pairs) {
      const res = await upload(zipOf([{ name: first, data }, { name: second, data }]), 'pair.zip');
      expect(res.status, `${first} / ${second}`).toBe(400);
      expect((await errorOf(res)).code, `${first} / ${second}`).toBe('duplicate_zip_entry');
    }
  });

  it('paths that leave the archive or start at a root: 400 unsafe_zip_entry', async () => {
    const data = pointShp(gridPoints(3));
    for (const name of ['../x.shp', 'a/../../x.shp', '..\\x.shp', '/etc/x.shp', 'C:/x.shp', 'c:\\x.shp', 'a/x\u0001.shp']) {
      const res = await upload(zipOf([{ name, data }]), 'unsafe.zip');
      expect(res.status, name).toBe(400);
      expect((await errorOf(res)).code, name).toBe('unsafe_zip_entry');
    }
  });

  it('more than 1,000 entries: 413 zip_too_many_entries; distinct names sharing stored bytes: 400 overlapping_zip_entries', async () => {
    const many = zipOf([{ name: 'x0.shp', data: shp }], Array.from({ length: 1_001 }, (_, i) => ({ name: `x${i}.shp`, entry: 0 })));
    const { res, text, growth } = await measured(() => upload(many, 'many.zip'));
    expect(res.status, text.slice(0, 300)).toBe(413);
    expect(code(text)).toBe('zip_too_many_entries');
    expect(growth).toBeLessThan(MEMORY_BUDGET);

    const shared = zipOf([{ name: 'x0.shp', data: shp }], Array.from({ length: 1_000 }, (_, i) => ({ name: `x${i}.shp`, entry: 0 })));
    const second = await measured(() => upload(shared, 'shared.zip'));
    expect(second.res.status, second.text.slice(0, 300)).toBe(400);
    expect(code(second.text)).toBe('overlapping_zip_entries');
    expect(second.growth).toBeLessThan(MEMORY_BUDGET);
  });

  it('features are counted from the record headers while reading: 900 files of 1,700 points stop at the 5,000th, within the memory budget', async () => {
    // each file its own stored bytes: 1.53 million features in 43 MB, every entry honest
    const files = Array.from({ length: 900 }, (_, i) => ({ name: `layer${i}.shp`, data: pointShp(gridPoints(1_700, i * 1_700)) }));
    const zip = zipOf(files);
    expect(zip.byteLength).toBeLessThan(20 * 1024 * 1024);
    const { res, text, growth } = await measured(() => upload(zip, 'layers.zip'));
    expect(res.status, text.slice(0, 300)).toBe(413);
    expect(code(text)).toBe('too_many_features');
    expect(growth).toBeLessThan(MEMORY_BUDGET);
  });

  it('a few polygons of 60,000 vertices each: 413 too_many_positions before shpjs builds them', async () => {
    // 4 × 60,000 = 240,000 vertices, over the 150,000 a file may hold
    const ring = (n: number): [number, number][] => {
      const points = Array.from({ length: n - 1 }, (_, k): [number, number] => [110.3 + 0.01 * Math.cos((2 * Math.PI * k) / (n - 1)), 25.3 + 0.01 * Math.sin((2 * Math.PI * k) / (n - 1))]);
      return [...points, points[0]!];
    };
    const data = polygonShp(Array.from({ length: 4 }, () => ring(60_000)));
    const { res, text, growth } = await measured(() => upload(zipOf([{ name: 'rings.shp', data }]), 'rings.zip'));
    expect(res.status, text.slice(0, 300)).toBe(413);
    expect(code(text)).toBe('too_many_positions');
    expect(growth).toBeLessThan(MEMORY_BUDGET);
  });

  it('a file at the limits (150,000 vertices in 8 polygons) is previewed within the memory budget', { timeout: 300_000 }, async () => {
    // circles of 18,750 vertices (under the 20,000 a zone may have) in a row across the district's streets
    const features = Array.from({ length: 8 }, (_, f) => {
      const n = 18_750;
      const points = Array.from({ length: n - 1 }, (_, k) => [
        Number((110.25 + f * 0.01 + 0.004 * Math.cos((2 * Math.PI * k) / (n - 1))).toFixed(7)),
        Number((25.28 + 0.004 * Math.sin((2 * Math.PI * k) / (n - 1))).toFixed(7)),
      ]);
      return { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[...points, points[0]]] }, properties: { name: `圆 ${f + 1}` } };
    });
    const text = JSON.stringify({ type: 'FeatureCollection', features });
    const { res, text: answer, growth } = await measured(() => upload(text, 'limits.geojson'));
    expect(res.status, answer.slice(0, 300)).toBe(200);
    expect((JSON.parse(answer) as { summary: { total: number } }).summary.total).toBe(8);
    expect(growth).toBeLessThan(MEMORY_BUDGET);
  });

  it('an honest shapefile still imports, after all of the above', async () => {
    const res = await upload(zipOf([{ name: 'ok/points.shp', data: pointShp(gridPoints(3)) }]), 'ok.zip');
    // points are not zones: read, then each refused as the wrong shape, in a preview
    expect(res.status, (await res.clone().text()).slice(0, 300)).toBe(200);
    const body = (await res.json()) as { summary: { total: number } };
    expect(body.summary.total).toBe(3);
  });
});

describe('nesting and size are judged from the text before it is parsed', () => {
  it('GeoJSON nested 100,000 levels deep, in a geometry or in a property: 422 too_deeply_nested', async () => {
    const files = {
      geometry: feature(deepGeometry(100_000)),
      property: feature(square, `{"note":${deepObject(100_000)}}`),
      collection: `{"type":"FeatureCollection","features":[${feature(square, `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)}]}`,
    };
    for (const [label, text] of Object.entries(files)) {
      const res = await upload(text, `${label}.geojson`);
      expect(res.status, `${label}: ${(await res.clone().text()).slice(0, 300)}`).toBe(422);
      expect((await errorOf(res)).code, label).toBe('too_deeply_nested');
    }
  });

  it('nesting a real file has (a property 20 levels deep) is read', async () => {
    const res = await upload(feature(square, `{"name":"深","meta":${deepObject(20)}}`), 'fine.geojson');
    expect(res.status, (await res.clone().text()).slice(0, 300)).toBe(200);
  });

  it('20 MB of empty objects: 413 too_many_values, within the memory budget', async () => {
    const text = `[${'{},'.repeat(6_500_000)}{}]`;
    const { res, text: answer, growth } = await measured(() => upload(text, 'empty.geojson'));
    expect(res.status, answer.slice(0, 300)).toBe(413);
    expect(code(answer)).toBe('too_many_values');
    expect(growth).toBeLessThan(MEMORY_BUDGET);
  });

  it('KML nested 100,000 elements deep: 422 too_deeply_nested; a million empty elements: 413 too_many_values, within the memory budget', async () => {
    const placemark = '<Placemark><name>深</name><Point><coordinates>110.29,25.28</coordinates></Point></Placemark>';
    const deep = `<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>${'<Folder>'.repeat(100_000)}${placemark}${'</Folder>'.repeat(100_000)}</Document></kml>`;
    const res = await upload(deep, 'deep.kml');
    expect(res.status, (await res.clone().text()).slice(0, 300)).toBe(422);
    expect((await errorOf(res)).code).toBe('too_deeply_nested');

    const wide = `<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>${'<a/>'.repeat(1_000_000)}${placemark}</Document></kml>`;
    const { res: wideRes, text, growth } = await measured(() => upload(wide, 'wide.kml'));
    expect(wideRes.status, text.slice(0, 300)).toBe(413);
    expect(code(text)).toBe('too_many_values');
    expect(growth).toBeLessThan(MEMORY_BUDGET);
  });

  it('comments, CDATA and attribute values with angle brackets are not taken for elements', async () => {
    const kml = `<?xml version="1.0"?><!-- <a><a><a> --><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name><![CDATA[<b><b><b>]]></name><description title="a > b &lt; c">x</description><Point><coordinates>110.29,25.28</coordinates></Point></Placemark></Document></kml>`;
    const res = await upload(kml, 'fine.kml');
    expect(res.status, (await res.clone().text()).slice(0, 300)).toBe(200);
  });

  it('a JSON body nested 100,000 levels deep: 422 too_deeply_nested on every kind of route', async () => {
    const bodies: [string, string][] = [
      ['/api/zones/preview', `{"geometry":${deepGeometry(100_000)},"duty":"frontage"}`],
      ['/api/zones', `{"type":"Feature","geometry":${square},"properties":{"duty":"frontage","name":${deepObject(100_000)}}}`],
      ['/api/auth/login', `{"username":${deepObject(100_000)},"password":"x"}`],
    ];
    for (const [path, body] of bodies) {
      const res = await admin.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status, `${path}: ${(await res.clone().text()).slice(0, 300)}`).toBe(422);
      expect((await errorOf(res)).code, path).toBe('too_deeply_nested');
    }
  });

  it('an 8 MB body of 2.7 million empty objects: 413 too_many_values, within the memory budget', async () => {
    const body = `{"geometry":[${'{},'.repeat(2_700_000)}{}],"duty":"frontage"}`;
    expect(body.length).toBeLessThan(8 * 1024 * 1024);
    const { res, text, growth } = await measured(() => admin.request('/api/zones/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    expect(res.status, text.slice(0, 300)).toBe(413);
    expect(code(text)).toBe('too_many_values');
    expect(growth).toBeLessThan(MEMORY_BUDGET);
  });

  it("JSON in form fields is judged too: a field check's JSON part, a problem import's mapping", async () => {
    const mapping = new FormData();
    mapping.set('file', new Blob(['lon,lat,time\n110.3,25.3,2026-01-01\n']), 'problems.csv');
    mapping.set('mapping', `{"lon":"lon","lat":"lat","reportedAt":"time","category":{"default":"evt-env-exposed-waste"},"x":${deepObject(80_000)}}`);
    const imported = await admin.request('/api/problems/import', { method: 'POST', body: mapping });
    expect(imported.status, (await imported.clone().text()).slice(0, 300)).toBe(422);
    expect((await errorOf(imported)).code).toBe('too_deeply_nested');

    const form = new FormData();
    form.set('check', `{"roundId":1,"items":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const res = await admin.as('inspector').request('/api/inspection/checks', { method: 'POST', headers: { 'idempotency-key': 'deep-check-1' }, body: form });
    expect(res.status, (await res.clone().text()).slice(0, 300)).toBe(422);
    expect((await errorOf(res)).code).toBe('too_deeply_nested');
  });

  it('the server keeps answering', async () => {
    expect((await admin.request('/api/health')).status).toBe(200);
    expect((await upload(feature(square, '{"name":"好"}'), 'ok.geojson')).status).toBe(200);
  });
});
