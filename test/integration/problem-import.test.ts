/**
 * Importing historical problems from CSV, tried on a real file: 2,424 Boston
 * 311 requests of 2025 (test/fixtures/problems, see SOURCES.md) into a test
 * district drawn as a rectangle around most of its points, in this file's
 * own database. What the server reports (rows read, importable, without
 * coordinates, outside the district, unmapped) is compared with counts this
 * test makes itself from the file, parsed here with csv-parse and judged
 * with a point-in-rectangle test; the times with the US daylight-saving
 * rule of 2025. Then: the commit writes exactly those rows, routed like
 * reports; a failing commit leaves nothing behind; committing or importing
 * again adds nothing; bad files and mappings get a 4xx with a clear code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '@civgrid/db';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemRepository } from '../../server/src/repositories/problem.repository.ts';
import { routedOwner } from '../../server/src/services/problem-import.ts';
import { errorOf, type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

const FILE = join(import.meta.dirname, '../fixtures/problems/boston_311_2025_subset.csv');
const BYTES = readFileSync(FILE);

/** The test district: most of Boston, leaving East Boston (east of −71.03°) outside. */
const DISTRICT = { w: -71.19, s: 42.22, e: -71.03, n: 42.4 };
type Rect = { w: number; s: number; e: number; n: number };
/** Two zones of 市容秩序 (street order): one owner in A, two owners where B lies over A. */
const ZONE_A = { w: -71.06, s: 42.32, e: -71.0, n: 42.34 };
const ZONE_B = { w: -71.035, s: 42.33, e: -71.0, n: 42.34 };
/** A zone of 市环卫 (city sanitation): it owns town-sanitation problems too (one coverage group). */
const ZONE_C = { w: -71.1, s: 42.27, e: -71.04, n: 42.31 };
/** 店外经营 is a 门前三包 (frontage) problem: with no frontage zone here, the zones of its fallback duty 市容秩序 decide. */
const FRONTAGE = 'evt-order-outside-shop';
/** 暴露垃圾 is a 镇环卫 (town sanitation) problem. */
const SANITATION = 'evt-env-exposed-waste';

const STATUS_MAP = { Open: 'dispatched', Closed: 'closed' } as const;
/** "Overcrowding" (a housing case) is left unmapped on purpose, with no default. */
const CATEGORY_MAP: Record<string, string> = {
  'Sidewalk Repair (Make Safe)': 'evt-emergency-collapse',
  'Street Light Outages': 'cmp-utility-streetlight',
  'Street Light Knock Downs': SANITATION,
  'Sidewalk Repair': FRONTAGE,
};
const MAPPING = {
  lon: 'longitude',
  lat: 'latitude',
  crs: 'wgs84',
  reportedAt: 'open_dt',
  closedAt: 'closed_dt',
  dueAt: 'sla_target_dt',
  timezone: 'America/New_York',
  status: { column: 'case_status', values: STATUS_MAP },
  category: { column: 'type', values: CATEGORY_MAP },
  description: ['case_title', 'location'],
  externalId: 'case_enquiry_id',
};

interface BostonRow {
  case_enquiry_id: string;
  open_dt: string;
  sla_target_dt: string;
  case_status: string;
  case_title: string;
  type: string;
  location: string;
  latitude: string;
  longitude: string;
}
type Reason = 'no_coordinates' | 'outside_territory' | 'bad_date' | 'unmapped_category' | 'unmapped_status' | 'duplicate_in_file';

interface Preview {
  previewId: string | null;
  rowCount: number;
  encoding: string;
  columns: { name: string; filled: number; distinct: number; top: { value: string; count: number }[] }[];
  sample: string[][];
  suggested: Record<string, unknown>;
  summary: { rows: number; importable: number; skipped: number; counts: Record<string, number>; categories: Record<string, number>; bounds: number[] | null } | null;
  issues: Record<string, { row: number; message: string }[]> | null;
}
interface Commit {
  imported: number;
  alreadyImported: number;
  outsideTerritory: number;
  blindSpots: number;
  disputed: number;
  unowned: number;
  firstId: number;
  lastId: number;
}

let database: Database;
let admin: TestApp;
let supervisor: TestApp;
let records: BostonRow[];
let orgs: { office: number; a: number; b: number; c: number; campaign: number };
let streetId: number;

const within = (r: Rect, lon: number, lat: number) => lon >= r.w && lon <= r.e && lat >= r.s && lat <= r.n;
const rect = (r: Rect) => sql`ST_Multi(ST_MakeEnvelope(${r.w}, ${r.s}, ${r.e}, ${r.n}, 4326))`;

/**
 * Who should own a problem, worked out here from the rectangles: the owners of
 * the zones of its duty holding the point; none → the street office and a
 * blind spot; several → the campaign office, disputed. A category without a
 * duty goes to the street office.
 */
function expectedOwner(categoryId: string, lon: number, lat: number): { owner: number; blindSpot: boolean; disputed: boolean } {
  const zones: [Rect, number][] | null = categoryId === FRONTAGE ? [[ZONE_A, orgs.a], [ZONE_B, orgs.b]] : categoryId === SANITATION ? [[ZONE_C, orgs.c]] : null;
  if (!zones) return { owner: orgs.office, blindSpot: false, disputed: false };
  const owners = [...new Set(zones.filter(([r]) => within(r, lon, lat)).map(([, org]) => org))];
  if (owners.length === 0) return { owner: orgs.office, blindSpot: true, disputed: false };
  if (owners.length === 1) return { owner: owners[0]!, blindSpot: false, disputed: false };
  return { owner: orgs.campaign, blindSpot: false, disputed: true };
}

/** What this test expects of each row, judged from the file alone, in the order the import applies its checks. */
function judge(rows: BostonRow[]): (Reason | 'ok')[] {
  const seen = new Set<string>();
  return rows.map((r) => {
    if (r.latitude.trim() === '' || r.longitude.trim() === '') return 'no_coordinates';
    if (!within(DISTRICT, Number(r.longitude), Number(r.latitude))) return 'outside_territory';
    if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(r.open_dt)) return 'bad_date';
    if (!(r.type in CATEGORY_MAP)) return 'unmapped_category';
    if (!(r.case_status in STATUS_MAP)) return 'unmapped_status';
    if (seen.has(r.case_enquiry_id)) return 'duplicate_in_file';
    seen.add(r.case_enquiry_id);
    return 'ok';
  });
}
function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

/**
 * Boston local time to an instant by the US rule since 2007: EDT (UTC−4) from
 * the second Sunday of March, 02:00, to the first Sunday of November, 02:00;
 * else EST (UTC−5). The file's times fall in 2025 and 2026.
 */
function bostonInstant(local: string): string {
  const year = Number(local.slice(0, 4));
  const sunday = (month: number, nth: number) => {
    const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    const day = 1 + ((7 - first) % 7) + (nth - 1) * 7;
    return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')} 02:00:00`;
  };
  const hours = local >= sunday(3, 2) && local < sunday(11, 1) ? 4 : 5;
  return new Date(Date.parse(`${local.replace(' ', 'T')}Z`) + hours * 3_600_000).toISOString();
}

function form(file: BlobPart, name: string, mapping?: unknown): FormData {
  const f = new FormData();
  f.set('file', new Blob([file]), name);
  if (mapping !== undefined) f.set('mapping', typeof mapping === 'string' ? mapping : JSON.stringify(mapping));
  return f;
}
const upload = (client: TestApp, f: FormData) => client.request('/api/problems/import', { method: 'POST', body: f });
async function preview(client: TestApp, file: BlobPart, mapping?: unknown, name = 'boston_311_2025_subset.csv'): Promise<Preview> {
  const res = await upload(client, form(file, name, mapping));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Preview;
}
const commit = (client: TestApp, previewId: string, key?: string) =>
  client.request(`/api/problems/import/${previewId}/commit`, { method: 'POST', headers: key ? { 'idempotency-key': key } : {} });
const count = async (where = sql`source = 'import'`) => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE ${where}`.execute(database.db)).rows[0]!.n);
const eventCount = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM problem_events`.execute(database.db)).rows[0]!.n);

beforeAll(async () => {
  database = await freshDatabase();
  admin = testApp(database, 'admin');
  supervisor = admin.as('supervisor');
  records = parse(BYTES, { columns: true, bom: true }) as BostonRow[];
  const db = database.db;
  // the test district and one street over it, with its street office (the seed's way: a territory row and an organisation)
  const district = (await sql<{ id: number }>`
    INSERT INTO territories (level, code, name, parent_id, geom) VALUES ('district', '990001', '波士顿测试区', NULL, ${rect(DISTRICT)}) RETURNING id`.execute(db)).rows[0]!.id;
  streetId = (await sql<{ id: number }>`
    INSERT INTO territories (level, code, name, parent_id, geom) VALUES ('street', '990001001', '波士顿测试街道', ${district}, ${rect(DISTRICT)}) RETURNING id`.execute(db)).rows[0]!.id;
  const street = streetId;
  const org = async (name: string, kind: string, territory: number | null) =>
    (await sql<{ id: number }>`INSERT INTO organisations (name, kind, territory_id) VALUES (${name}, ${kind}, ${territory}) RETURNING id`.execute(db)).rows[0]!.id;
  const campaign = (await sql<{ id: number }>`SELECT id FROM organisations WHERE kind = 'department' AND name LIKE '%创城办%' ORDER BY id LIMIT 1`.execute(db)).rows[0]!.id;
  orgs = {
    office: await org('波士顿测试街道办事处', 'street', street),
    a: await org('测试单位甲', 'city_unit', null),
    b: await org('测试单位乙', 'city_unit', null),
    c: await org('测试环卫', 'sanitation_city', null),
    campaign,
  };
  await sql`INSERT INTO zones (duty_type_id, name, owner_org_id, geom) VALUES ('city-order', '测试甲', ${orgs.a}, ${rect(ZONE_A)})`.execute(db);
  await sql`INSERT INTO zones (duty_type_id, name, owner_org_id, geom) VALUES ('city-order', '测试乙', ${orgs.b}, ${rect(ZONE_B)})`.execute(db);
  await sql`INSERT INTO zones (duty_type_id, name, owner_org_id, geom) VALUES ('sanitation-city', '测试丙', ${orgs.c}, ${rect(ZONE_C)})`.execute(db);
});
afterAll(async () => {
  await database?.close();
});

describe('the Boston 311 file, described', () => {
  it('lists its columns, their values and a first rows, and guesses the mapping', async () => {
    const p = await preview(supervisor, BYTES);
    expect(p.previewId).toBeNull();
    expect(p.rowCount).toBe(records.length);
    expect(records.length).toBe(2424);
    const header = Object.keys(records[0]!);
    expect(p.columns.map((c) => c.name)).toEqual(header.map((h, i) => h || `column ${i + 1}`));
    // the types, most frequent first, counted here from the parsed file
    const types = tally(records.map((r) => r.type));
    const byCount = Object.entries(types).sort((a, b) => b[1] - a[1]);
    const typeColumn = p.columns.find((c) => c.name === 'type')!;
    expect(typeColumn.top.map((t) => [t.value, t.count])).toEqual(byCount);
    expect(p.columns.find((c) => c.name === 'latitude')!.filled).toBe(records.filter((r) => r.latitude !== '').length);
    expect(p.sample[0]![header.indexOf('case_enquiry_id')]).toBe(records[0]!.case_enquiry_id);
    // &amp; in the file is & in what the import reads
    const locations = p.columns.find((c) => c.name === 'location')!;
    expect(records.some((r) => r.location.includes('&amp;'))).toBe(true);
    expect(JSON.stringify(p.sample) + JSON.stringify(locations.top)).not.toContain('&amp;');
    expect(p.suggested).toMatchObject({
      lon: 'longitude', lat: 'latitude', reportedAt: 'open_dt', closedAt: 'closed_dt', dueAt: 'sla_target_dt',
      status: { column: 'case_status' }, category: { column: 'type' }, description: ['case_title'], externalId: 'case_enquiry_id',
    });
  });
});

describe('importing it', () => {
  let checked: Preview;
  const verdicts = () => judge(records);

  it('previews the counts this test computes from the file: without coordinates, outside the district, unmapped', async () => {
    checked = await preview(supervisor, BYTES, MAPPING);
    const expected = tally(verdicts());
    // the file has what the test needs: rows without coordinates, outside, unmapped, and most importable
    expect(expected.no_coordinates).toBe(2);
    expect(expected.outside_territory).toBeGreaterThan(10);
    expect(expected.unmapped_category).toBeGreaterThan(0);
    expect(expected.ok).toBeGreaterThan(2000);
    const s = checked.summary!;
    expect(s.rows).toBe(records.length);
    expect(s.importable).toBe(expected.ok);
    expect(s.skipped).toBe(records.length - expected.ok!);
    for (const reason of ['no_coordinates', 'outside_territory', 'bad_date', 'unmapped_category', 'unmapped_status', 'duplicate_in_file', 'already_imported']) {
      expect(s.counts[reason], reason).toBe(expected[reason] ?? 0);
    }
    // row numbers as a spreadsheet shows them: the header is row 1
    const rowsOf = (reason: Reason) => verdicts().flatMap((v, i) => (v === reason ? [i + 2] : []));
    expect(checked.issues!.no_coordinates!.map((x) => x.row)).toEqual(rowsOf('no_coordinates'));
    expect(checked.issues!.outside_territory!.map((x) => x.row)).toEqual(rowsOf('outside_territory').slice(0, 20));
    expect(checked.issues!.unmapped_category!.map((x) => x.row)).toEqual(rowsOf('unmapped_category'));
    expect(checked.issues!.unmapped_category![0]!.message).toContain('Overcrowding');
    // per category, as mapped
    const perCategory = tally(records.filter((_, i) => verdicts()[i] === 'ok').map((r) => CATEGORY_MAP[r.type]!));
    expect(checked.summary!.categories).toEqual(perCategory);
  });

  it('counts an id repeated in the file once, and skips the repeat', async () => {
    const lines = BYTES.toString('utf-8').split('\n');
    const doubled = `${lines.join('\n')}${lines.slice(1, 4).join('\n')}\n`;
    const again = parse(doubled, { columns: true }) as BostonRow[];
    const expected = tally(judge(again));
    const p = await preview(supervisor, doubled, MAPPING);
    expect(expected.duplicate_in_file).toBe(judge(records.slice(0, 3)).filter((v) => v === 'ok').length);
    expect(p.summary!.counts.duplicate_in_file).toBe(expected.duplicate_in_file);
    expect(p.summary!.importable).toBe(expected.ok);
  });

  it('writes nothing when the commit fails part-way, and keeps the preview for a retry', async () => {
    // a database failure on the last importable row, after two chunks of 1,000 were written
    const last = records.filter((_, i) => verdicts()[i] === 'ok').at(-1)!.case_enquiry_id;
    await sql`CREATE FUNCTION civgrid_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.external_id = ${sql.lit(last)} THEN RAISE EXCEPTION 'simulated failure' USING ERRCODE = '22023'; END IF;
        RETURN NEW;
      END $$`.execute(database.db);
    await sql`CREATE TRIGGER civgrid_test_fail BEFORE INSERT ON problems FOR EACH ROW EXECUTE FUNCTION civgrid_test_fail()`.execute(database.db);
    const [problemsBefore, eventsBefore] = [await count(sql`true`), await eventCount()];
    const res = await commit(supervisor, checked.previewId!, 'boston-import-0001');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await errorOf(res)).code).toBe('invalid_value');
    expect(await count(sql`true`)).toBe(problemsBefore);
    expect(await eventCount()).toBe(eventsBefore);
    const audit = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE action = 'import' AND entity = 'problem'`.execute(database.db);
    expect(audit.rows[0]!.n).toBe(0);
    await sql`DROP TRIGGER civgrid_test_fail ON problems`.execute(database.db);
    await sql`DROP FUNCTION civgrid_test_fail()`.execute(database.db);
  });

  it('commits every importable row once, routed like a report, with the times of the file', { timeout: 300_000 }, async () => {
    const ok = records.filter((_, i) => verdicts()[i] === 'ok');
    const res = await commit(supervisor, checked.previewId!, 'boston-import-0001');
    expect(res.status, await res.clone().text()).toBe(201);
    const answer = (await res.json()) as Commit;
    expect(answer.imported).toBe(ok.length);
    expect(answer.alreadyImported).toBe(0);
    expect(await count()).toBe(ok.length);

    const rows = (await sql<{ external_id: string; id: number; category_id: string; status: string; description: string; owner_org_id: number | null; blind_spot: boolean; disputed: boolean; reported_at: string; due_at: string; lon: number; lat: number; grid_id: number | null; street_id: number | null }>`
      SELECT external_id, id, category_id, status, description, owner_org_id, blind_spot, disputed, reported_at, due_at, ST_X(geom) AS lon, ST_Y(geom) AS lat, grid_id, street_id
      FROM problems WHERE source = 'import' ORDER BY id`.execute(database.db)).rows;
    const byId = new Map(rows.map((r) => [r.external_id, r]));
    expect(new Set(byId.keys())).toEqual(new Set(ok.map((r) => r.case_enquiry_id)));
    let blind = 0;
    let disputed = 0;
    for (const r of ok) {
      const p = byId.get(r.case_enquiry_id)!;
      const [lon, lat] = [Number(r.longitude), Number(r.latitude)];
      expect(Number(p.lon)).toBeCloseTo(lon, 9);
      expect(Number(p.lat)).toBeCloseTo(lat, 9);
      expect(p.category_id).toBe(CATEGORY_MAP[r.type]);
      expect(p.status).toBe('dispatched');
      expect(new Date(p.reported_at).toISOString()).toBe(bostonInstant(r.open_dt));
      expect(new Date(p.due_at).toISOString()).toBe(bostonInstant(r.sla_target_dt));
      expect(p.description).toBe([r.case_title, r.location].map((v) => v.replaceAll('&amp;', '&').trim()).filter(Boolean).join(' · '));
      const routed = expectedOwner(p.category_id, lon, lat);
      expect({ owner: p.owner_org_id, blindSpot: p.blind_spot, disputed: p.disputed }, r.case_enquiry_id).toEqual(routed);
      expect(p.street_id).toBe(streetId);
      if (routed.blindSpot) blind++;
      if (routed.disputed) disputed++;
    }
    // the fixture exercises every branch of the routing: one owner (by the fallback duty and by the coverage group), none, two
    expect(blind).toBeGreaterThan(0);
    expect(disputed).toBeGreaterThan(0);
    for (const [category, org] of [[FRONTAGE, orgs.a], [SANITATION, orgs.c]] as const) {
      expect(rows.some((r) => r.category_id === category && r.owner_org_id === org), `${category} → ${org}`).toBe(true);
    }
    expect(answer).toMatchObject({ blindSpots: blind, disputed, unowned: 0 });

    // the same routing as a report: ProblemRepository.route at each point of every duty category, and of every 25th other row
    const reports = new ProblemRepository(database.db);
    const categories = new Map((await reports.categories()).map((c) => [c.id, c]));
    const compared = rows.filter((r, k) => categories.get(r.category_id)!.dutyTypeId !== null || k % 25 === 0);
    expect(compared.length).toBeGreaterThan(100);
    for (const p of compared) {
      const routing = await reports.route(database.db, p.category_id, Number(p.lon), Number(p.lat));
      const routed = routedOwner(categories.get(p.category_id)!, routing);
      expect({ owner: p.owner_org_id, blindSpot: p.blind_spot, disputed: p.disputed, grid: p.grid_id, street: p.street_id }, p.external_id).toEqual({
        owner: routed.owner?.id ?? null, blindSpot: routed.blindSpot, disputed: routed.disputed, grid: routing.gridId, street: routing.streetId,
      });
    }
    expect(rows.some((r) => r.description.includes(' & '))).toBe(true);

    // the timeline carries the file's times, and the API shows the problem
    const sample = byId.get(ok[0]!.case_enquiry_id)!;
    const detail = (await (await supervisor.request(`/api/problems/${sample.id}`)).json()) as { status: string; reportedAt: string; ownerName: string; timeline: { action: string; toStatus: string; at: string; note: string }[] };
    expect(detail.reportedAt).toBe(bostonInstant(ok[0]!.open_dt));
    expect(detail.timeline.map((e) => [e.action, e.toStatus])).toEqual([['report', 'reported'], ['import', 'dispatched']]);
    expect(detail.timeline[0]!.at).toBe(bostonInstant(ok[0]!.open_dt));
    expect(detail.timeline[0]!.note).toContain(ok[0]!.case_enquiry_id);
    const audit = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE action = 'import' AND entity = 'problem'`.execute(database.db);
    expect(audit.rows[0]!.n).toBe(1);
  });

  it('adds nothing when the same commit is sent again, or the same file imported again', async () => {
    const before = await count();
    const replay = await commit(supervisor, checked.previewId!, 'boston-import-0001');
    expect(replay.status).toBe(201);
    expect(((await replay.json()) as Commit).imported).toBe(before);
    const other = await commit(supervisor, checked.previewId!, 'boston-import-0002');
    expect(other.status).toBe(404);
    expect((await errorOf(other)).code).toBe('preview_not_found');

    const again = await preview(supervisor, BYTES, MAPPING);
    expect(again.summary!.importable).toBe(0);
    expect(again.summary!.counts.already_imported).toBe(before);
    expect(again.issues!.already_imported![0]!.message).toMatch(/imported before/);
    const nothing = await commit(supervisor, again.previewId!, 'boston-import-0003');
    expect(nothing.status).toBe(422);
    expect((await errorOf(nothing)).code).toBe('nothing_to_import');
    expect(await count()).toBe(before);
  });
});

describe('bad files and mappings', () => {
  const expectError = async (res: Response, status: number, code: string) => {
    const text = await res.clone().text();
    expect(res.status, text).toBe(status);
    expect((await errorOf(res.clone())).code, text).toBe(code);
  };

  it('refuses what is not a CSV table, judged by its bytes', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    await expectError(await upload(supervisor, form(png, 'problems.csv')), 415, 'unsupported_file');
    await expectError(await upload(supervisor, form('{"type":"FeatureCollection","features":[]}', 'problems.csv')), 415, 'unsupported_file');
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256);
    await expectError(await upload(supervisor, form(garbage, 'problems.csv')), 400, 'unreadable_file');
    await expectError(await upload(supervisor, form('a single column\nof text\n', 'problems.csv')), 400, 'not_a_table');
    await expectError(await upload(supervisor, form('id,lon,lat\n1,"110.2,25.3\n', 'problems.csv')), 400, 'unreadable_file');
    await expectError(await upload(supervisor, form('', 'problems.csv')), 400, 'empty_file');
    const noFile = new FormData();
    noFile.set('mapping', JSON.stringify(MAPPING));
    await expectError(await upload(supervisor, noFile), 400, 'invalid_request');
  });

  it('refuses a file over 20 MB or 100,000 rows with 413', async () => {
    const big = new Uint8Array(20 * 1024 * 1024 + 10).fill(0x41);
    await expectError(await upload(supervisor, form(big, 'big.csv')), 413, 'file_too_large');
    await expectError(await upload(supervisor, form(`a,b\n${'1,2\n'.repeat(100_001)}`, 'long.csv')), 413, 'too_many_rows');
  });

  it('names what is wrong with a mapping', async () => {
    await expectError(await upload(supervisor, form(BYTES, 'b.csv', '{not json')), 400, 'invalid_mapping');
    const { reportedAt: _r, ...noDate } = MAPPING;
    const res = await upload(supervisor, form(BYTES, 'b.csv', noDate));
    await expectError(res, 400, 'invalid_mapping');
    expect((await errorOf(res)).message).toContain('mapping.reportedAt');
    await expectError(await upload(supervisor, form(BYTES, 'b.csv', { ...MAPPING, lon: 'lng' })), 400, 'unknown_column');
    await expectError(await upload(supervisor, form(BYTES, 'b.csv', { ...MAPPING, category: { column: 'type', values: { 'Street Light Outages': 'evt-nope' } } })), 400, 'unknown_category');
    // a major class is not reportable: minor classes only
    await expectError(await upload(supervisor, form(BYTES, 'b.csv', { ...MAPPING, category: { column: 'type', default: 'evt-env' } })), 400, 'unknown_category');
    await expectError(await upload(supervisor, form(BYTES, 'b.csv', { ...MAPPING, timezone: 'Mars/Olympus' })), 400, 'unknown_timezone');
    await expectError(await upload(supervisor, form(BYTES, 'b.csv', { ...MAPPING, status: { column: 'case_status', values: { Open: 'fixed' } } })), 400, 'invalid_mapping');
    await expectError(await upload(supervisor, form(BYTES, 'b.csv', { ...MAPPING, lon: undefined, lat: undefined })), 400, 'invalid_mapping');
  });

  it('reports bad dates and bad coordinates per row, and reads a WKT or WKB point column instead of lon/lat', async () => {
    const csv = [
      'id,when,where,kind',
      '1,2026-02-30 10:00:00,POINT (-71.1 42.3),a',
      '2,2026-02-01 10:00:00,POINT (-71.1 42.3),a',
      '3,2026-02-01 10:00:00,"LINESTRING (0 0, 1 1)",a',
      // the first Boston row's geom_4326: (-71.03876661266787, 42.366865973300726), inside the test district
      '4,2026-02-01 10:00:00,0101000020E61000007465F5267BC251C0C1ABD676F52E4540,a',
      '5,2126-02-01 10:00:00,POINT (-71.1 42.3),a',
      '6,2026-02-01 10:00:00,,a',
      '7,2026-02-01 10:00:00,POINT (-70.99 42.36),a',
    ].join('\r\n');
    const p = await preview(supervisor, csv, { point: 'where', reportedAt: 'when', category: { column: 'kind', values: { a: 'evt-env-exposed-waste' } }, externalId: 'id' }, 'small.csv');
    expect(p.summary).toMatchObject({ rows: 7, importable: 2 });
    expect(p.summary!.counts).toMatchObject({ bad_date: 2, bad_coordinates: 1, no_coordinates: 1, outside_territory: 1 });
    expect(p.issues!.bad_date!.map((x) => x.row)).toEqual([2, 6]);
    expect(p.issues!.bad_coordinates!.map((x) => x.row)).toEqual([4]);
    expect(p.issues!.no_coordinates!.map((x) => x.row)).toEqual([7]);
    expect(p.issues!.outside_territory!.map((x) => x.row)).toEqual([8]);
    const [w, s, e, n] = p.summary!.bounds!;
    expect([w, s]).toEqual([-71.1, 42.3]);
    expect(e).toBeCloseTo(-71.03876661266787, 12);
    expect(n).toBeCloseTo(42.366865973300726, 12);
  });

  it('is for supervisors and admins only', async () => {
    for (const role of ['viewer', 'planner', 'handler', 'inspector']) {
      const res = await upload(admin.as(role), form(BYTES, 'b.csv'));
      expect(res.status, role).toBe(403);
    }
    expect((await upload(admin, form('a,b\n1,2\n', 'tiny.csv'))).status).toBe(200);
  });
});
