/**
 * Issue 15, items 9 and 16: a report's photos are cheap to refuse and carry
 * no device data. A photo above 50 MP (read from its header) is refused
 * before it is decoded; the stored original is at most 2,560 px on its longer
 * side and has no EXIF, while the problem keeps the position and time the
 * EXIF gave; an address without an account has an hourly budget of photo
 * bytes and pixels, shared by every server process; and every demo account
 * has a password hash (and so a salt) of its own.
 */
import type { Database } from '@civgrid/db';
import { verifyPassword } from '@civgrid/db';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, ensureDemoAccounts } from '@civgrid/db/seed';
import { type AppDeps, createApp } from '@civgrid/server';
import exifr from 'exifr';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, errorOf } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';
import { blackPng } from '../support/png.ts';

const CATEGORY = 'evt-env-exposed-waste';
/** Limits high enough that only the photo budget under test can refuse. */
const OPEN = { loginPerIp: { max: 1000, windowSeconds: 60 }, loginPerUser: { max: 1000, windowSeconds: 60 }, publicPerIp: { max: 1000, windowSeconds: 60 } };

let database: Database;
/** A point well inside the first street. */
let at: [number, number];
let ipCounter = 0;
const freshIp = () => `203.0.113.${++ipCounter}`;

const app = (rateLimits: NonNullable<AppDeps['rateLimits']> = OPEN) => createApp({ database, webRoot: '/nonexistent-web-root', demo: true, trustProxy: true, rateLimits });

/** Degrees as EXIF's rational degrees/minutes/seconds. */
const dms = (v: number) => {
  const d = Math.floor(v);
  const m = Math.floor((v - d) * 60);
  const sec = ((v - d) * 60 - m) * 60;
  return `${d}/1 ${m}/1 ${Math.round(sec * 10000)}/10000`;
};

/** A phone-like JPEG: one colour, with the camera's make, model and serial, the time and the GPS position. */
const phonePhoto = (width: number, height: number, where: [number, number]) =>
  sharp({ create: { width, height, channels: 3, background: '#5a7' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'TestCamMaker', Model: 'TestCam Model-X' },
      IFD2: { DateTimeOriginal: '2026:12:01 09:30:00', BodySerialNumber: 'SN-0042-SECRET' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: dms(where[1]), GPSLongitudeRef: 'E', GPSLongitude: dms(where[0]) },
    })
    .toBuffer();

function reportForm(fields: Record<string, string>, photos: { name: string; bytes: Uint8Array; type?: string }[]): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const p of photos) form.append('photos', new Blob([p.bytes as Uint8Array<ArrayBuffer>], { type: p.type ?? 'image/jpeg' }), p.name);
  return form;
}

const publicReport = (a: ReturnType<typeof app>, ip: string, photos: { name: string; bytes: Uint8Array; type?: string }[], fields: Record<string, string> = { categoryId: CATEGORY, lon: String(at[0]), lat: String(at[1]) }) =>
  a.request('/api/public/problems', { method: 'POST', headers: { 'x-forwarded-for': ip }, body: reportForm(fields, photos) });

const count = async (table: 'problems' | 'problem_photos') => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(database.db)).rows[0]!.n);

beforeAll(async () => {
  database = await freshDatabase();
  const c = (await sql<{ lon: number; lat: number }>`
    SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (
      SELECT (ST_MaximumInscribedCircle(geom)).center AS c FROM territories WHERE level = 'street' ORDER BY code LIMIT 1) s`.execute(database.db)).rows[0]!;
  at = [c.lon, c.lat];
});
afterAll(async () => {
  await database?.close();
});

describe('photo pixel cap (item 9)', () => {
  it('refuses a photo above 50 MP from its header, with a clear 413, whoever sends it; nothing is stored', async () => {
    const before = [await count('problems'), await count('problem_photos')];
    // 12000 × 10000 = 120 MP and 9000 × 7000 = 63 MP, both over 50 MP, both a few kB to send
    for (const [width, height] of [[12000, 10000], [9000, 7000]] as const) {
      const png = blackPng(width, height);
      expect(png.byteLength).toBeLessThan(200 * 1024);
      const res = await publicReport(app(), freshIp(), [{ name: 'big.png', bytes: png, type: 'image/png' }]);
      expect(res.status, `${width}×${height}`).toBe(413);
      const error = await errorOf(res);
      expect(error.code).toBe('image_too_large');
      expect(error.details).toEqual({ width, height, maxPixels: 50_000_000 });
      // the staff report (and the field app's checks) read photos on the same path
      const staff = asUser(app(), 'inspector');
      const res2 = await staff.request('/api/problems', { method: 'POST', body: reportForm({ categoryId: CATEGORY, lon: String(at[0]), lat: String(at[1]) }, [{ name: 'big.png', bytes: png, type: 'image/png' }]) });
      expect(res2.status).toBe(413);
      expect((await errorOf(res2)).code).toBe('image_too_large');
    }
    expect([await count('problems'), await count('problem_photos')]).toEqual(before);
  });

  it('stores a large photo downscaled to 2,560 px on its longer side, upright and without EXIF; the problem keeps the position and time', async () => {
    const where: [number, number] = [at[0] + 0.0002, at[1] + 0.0001];
    const photo = await phonePhoto(4000, 3000, where);
    expect((await exifr.parse(photo, { pick: ['Model'] })) as { Model?: string }).toEqual({ Model: 'TestCam Model-X' }); // the fixture does carry it
    // no lon/lat given: the report is placed by the photo's GPS
    const res = await publicReport(app(), freshIp(), [{ name: 'IMG_0001.jpg', bytes: photo }], { categoryId: CATEGORY });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: number };

    const row = (await sql<{ lon: number; lat: number; taken_at: Date; plon: number; plat: number; bytes: Uint8Array; size: number; mime: string }>`
      SELECT ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat, ph.taken_at, ST_X(ph.geom) AS plon, ST_Y(ph.geom) AS plat, ph.bytes, ph.size, ph.mime
      FROM problems p JOIN problem_photos ph ON ph.problem_id = p.id WHERE p.id = ${id}`.execute(database.db)).rows[0]!;
    // position: EXIF stores seconds to 1/10000″ (3 mm); 1e-6° is 0.1 m
    expect(Math.abs(row.lon - where[0])).toBeLessThan(1e-6);
    expect(Math.abs(row.lat - where[1])).toBeLessThan(1e-6);
    expect(Math.abs(row.plon - where[0])).toBeLessThan(1e-6);
    expect(Math.abs(row.plat - where[1])).toBeLessThan(1e-6);
    // EXIF time has no zone: read as the server's local time
    expect(new Date(row.taken_at).getTime()).toBe(new Date(2026, 11, 1, 9, 30, 0).getTime());

    const stored = Buffer.from(row.bytes);
    expect(row.mime).toBe('image/jpeg');
    expect(row.size).toBe(stored.byteLength);
    const meta = await sharp(stored).metadata();
    // 4000 × 3000 scaled so that the longer side is 2560: 2560 × 1920
    expect([meta.width, meta.height]).toEqual([2560, 1920]);
    expect(meta.exif).toBeUndefined();
    expect(await exifr.parse(stored, true)).toBeUndefined();
    for (const secret of ['TestCamMaker', 'TestCam Model-X', 'SN-0042-SECRET']) expect(stored.includes(secret), secret).toBe(false);
  });

  it('turns a photo upright by its EXIF orientation before the orientation tag is dropped', async () => {
    // a 3000 × 2000 landscape frame the camera marks "rotate 90° clockwise" (orientation 6): upright it is 2000 × 3000
    const photo = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#a75' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const res = await publicReport(app(), freshIp(), [{ name: 'portrait.jpg', bytes: photo }]);
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: number };
    const row = (await sql<{ bytes: Uint8Array }>`SELECT bytes FROM problem_photos WHERE problem_id = ${id}`.execute(database.db)).rows[0]!;
    const meta = await sharp(Buffer.from(row.bytes)).metadata();
    // 2000 × 3000 scaled so that the longer side is 2560: 1707 × 2560 (2000 × 2560 / 3000 = 1706.7)
    expect([meta.width, meta.height]).toEqual([1707, 2560]);
    expect(meta.orientation).toBeUndefined();
  });
});

describe('photo budget of an address without an account (item 9)', () => {
  it('answers 429 with Retry-After once an address has sent its hour’s photo bytes, counted across server processes; other addresses go on', async () => {
    const photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 100 }).toBuffer();
    // room for one and a half of these photos: the first passes, the second does not
    const limits = { ...OPEN, publicPhotoKibPerIp: { max: Math.floor((1.5 * photo.byteLength) / 1024), windowSeconds: 3600 } };
    const one = app(limits);
    const two = app(limits); // a second server process on the same database
    const ip = freshIp();
    const file = [{ name: 'noise.jpg', bytes: photo }];
    expect((await publicReport(one, ip, file)).status).toBe(201);
    const before = [await count('problems'), await count('problem_photos')];
    const refused = await publicReport(two, ip, file);
    expect(refused.status).toBe(429);
    expect((await errorOf(refused)).code).toBe('photo_budget_exceeded');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect([await count('problems'), await count('problem_photos')]).toEqual(before);
    // a report without photos from that address still goes through; another address has its own budget
    const plain = await one.request('/api/public/problems', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ categoryId: CATEGORY, lon: at[0], lat: at[1] }) });
    expect(plain.status).toBe(201);
    expect((await publicReport(two, freshIp(), file)).status).toBe(201);
  });

  it('counts decoded pixels too: small one-colour photos cannot decode without bound', async () => {
    // 4000 × 3000 = 12 MP each; a budget of 30 MP takes two (24 MP), not a third (36 MP)
    const photo = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#777' } }).jpeg().toBuffer();
    const a = app({ ...OPEN, publicPhotoMegapixelsPerIp: { max: 30, windowSeconds: 3600 } });
    const ip = freshIp();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await publicReport(a, ip, [{ name: `grey-${i}.jpg`, bytes: photo }])).status);
    expect(statuses).toEqual([201, 201, 429]);
  });

  it('does not apply to signed-in staff', async () => {
    const photo = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#777' } }).jpeg().toBuffer();
    const staff = asUser(app({ ...OPEN, publicPhotoMegapixelsPerIp: { max: 1, windowSeconds: 3600 } }), 'inspector');
    const res = await staff.request('/api/problems', { method: 'POST', body: reportForm({ categoryId: CATEGORY, lon: String(at[0]), lat: String(at[1]) }, [{ name: 'grey.jpg', bytes: photo }]) });
    expect(res.status, await res.clone().text()).toBe(201);
  });
});

describe('demo accounts (item 16)', () => {
  it('each get a password hash of their own, with its own salt, that verifies the demo password', async () => {
    // set the seeded accounts aside and seed them anew with the code under test
    await sql`UPDATE users SET username = username || '-old' WHERE demo`.execute(database.db);
    expect(await ensureDemoAccounts(database.db)).toBe(DEMO_ACCOUNTS.length);
    const rows = (await sql<{ password_hash: string }>`SELECT password_hash FROM users WHERE demo AND username NOT LIKE '%-old'`.execute(database.db)).rows;
    expect(rows).toHaveLength(DEMO_ACCOUNTS.length);
    const hashes = rows.map((r) => r.password_hash);
    // PHC string: $argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>
    const salts = hashes.map((h) => h.split('$')[4]);
    expect(new Set(hashes).size).toBe(DEMO_ACCOUNTS.length);
    expect(new Set(salts).size).toBe(DEMO_ACCOUNTS.length);
    for (const h of hashes) expect(await verifyPassword(h, DEMO_PASSWORD)).toBe(true);
  });
});
