/**
 * The citizen page 你拍我改 (/report/) in headless Chromium on a phone-sized
 * viewport, not signed in, against the real server on a fresh test database:
 * it opens without an account and without the staff app, says clearly what is
 * missing or wrong (no place or category, a file that is no photo, a HEIC
 * photo, a place outside the district, too many reports), and a report with a
 * photo made here and a place tapped on the map is received — its number and
 * the unit that will handle it shown — and exists for an admin, once, even
 * though the first attempt's answer was lost and the page sent it again.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp/shots saves the page at phone and desktop sizes.
 */
/// <reference lib="dom" />
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { serve } from '@hono/node-server';
import type { FeatureCollection, Point } from 'geojson';
import type { Browser, Page, Request } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBasemapFile } from '../../tiles/src/cli/basemap-file.ts';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
const webRoot = resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;
const PHONE = { width: 390, height: 844 };

/** The parts of the citizen map (`window.__civgridCitizenMap`) the test uses. */
interface TestMap {
  project(lngLat: [number, number]): { x: number; y: number };
}
type Hooked = Window & { __civgridCitizenMap?: TestMap };

interface ProblemDetail {
  id: number;
  categoryId: string;
  source: string;
  description: string | null;
  lon: number;
  lat: number;
  ownerName: string | null;
  photos: { id: number; stage: string; mime: string }[];
}

describe.skipIf(skipBrowser)('citizen page 你拍我改', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let adminCookie: string;
  let inside: [number, number];
  let photoFile: string;
  let notPhotoFile: string;
  let heicFile: string;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'report/index.html'))) {
      throw new Error(`${webRoot}/report/index.html is missing: run \`pnpm --filter @civgrid/web build\` first`);
    }
    database = await freshDatabase();
    const tilesDir = mkdtempSync(join(tmpdir(), 'civgrid-e2e-tiles-'));
    await buildBasemapFile(database.db, join(tilesDir, 'basemap.pmtiles'));
    const app = createApp({
      database, webRoot, tilesDir, demo: true,
      // a few public writes per address, so that the page meets the limit at the end
      rateLimits: { loginPerIp: { max: 100, windowSeconds: 600 }, loginPerUser: { max: 100, windowSeconds: 600 }, publicPerIp: { max: 12, windowSeconds: 600 } },
    });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const login = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    adminCookie = login.headers.get('set-cookie')!.split(';')[0]!;

    // a place surely inside the district: the label point of a street (ST_PointOnSurface)
    const area = (await (await fetch(`${baseUrl}/api/public/map/area.geojson`)).json()) as FeatureCollection;
    const label = area.features.find((f) => f.properties?.kind === 'street-label');
    inside = (label!.geometry as Point).coordinates as [number, number];

    const dir = mkdtempSync(join(tmpdir(), 'civgrid-e2e-photos-'));
    photoFile = join(dir, 'IMG_2041.jpg');
    await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#5b8a72' } })
      .composite([{ input: Buffer.from('<svg width="600" height="400"><rect width="600" height="400" fill="#8b5e3c"/></svg>'), left: 500, top: 500 }])
      .jpeg({ quality: 80 })
      .toFile(photoFile);
    notPhotoFile = join(dir, 'notes.jpg');
    await import('node:fs/promises').then((fs) => fs.writeFile(notPhotoFile, '这不是照片，只是一段文字。'));
    // the first bytes of an iPhone photo: an ISO-BMFF "ftyp" box with the HEIC brand
    heicFile = join(dir, 'IMG_2042.HEIC');
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(heicFile, Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(256, 1)])),
    );

    browser = await launchChromium();
    page = await watchedPage(browser, problems, PHONE);
    page.on('request', (request: Request) => requests.push(request.url()));
    if (shots) mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  /** Nothing went wrong on the page since the last check, except what `expected` matches. */
  function expectNoProblems(...expected: RegExp[]): void {
    const left = problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
    problems.length = 0;
    expect(left).toEqual([]);
  }
  const refused = (status: number) => [
    new RegExp(`^HTTP ${status} ${baseUrl.replace(/[.]/g, '\\.')}/api/public/problems$`),
    new RegExp(`^console error: Failed to load resource: the server responded with a status of ${status}`),
  ];

  async function asAdmin<T>(path: string): Promise<T> {
    const response = await fetch(`${baseUrl}${path}`, { headers: { cookie: adminCookie } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  }

  async function shot(name: string, target: Page = page): Promise<void> {
    if (shots) await target.screenshot({ path: join(shots, `citizen-${name}.png`), fullPage: true });
  }

  /** Taps the citizen map at a place (scrolled into view first). */
  async function tapMap(lonLat: [number, number]): Promise<void> {
    await page.waitForFunction(() => document.body.dataset.citizenMap === 'ready', null, { timeout: 60_000 });
    const map = page.getByTestId('citizen-map');
    await map.scrollIntoViewIfNeeded();
    const box = (await map.boundingBox())!;
    const at = await page.evaluate((p) => (window as Hooked).__civgridCitizenMap!.project(p), lonLat);
    expect(at.x).toBeGreaterThan(0);
    expect(at.x).toBeLessThan(box.width);
    expect(at.y).toBeGreaterThan(0);
    expect(at.y).toBeLessThan(box.height);
    await page.mouse.click(box.x + at.x, box.y + at.y);
  }

  const alertText = () => page.getByTestId('citizen-error').textContent();

  it('opens at /report without an account, and without the staff app', async () => {
    await page.goto(`${baseUrl}/report`);
    await expect.poll(() => page.title()).toBe('你拍我改 · 象山区');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('你拍我改');

    // every minor class of the public taxonomy is a button, grouped under its major class
    const { categories } = (await (await fetch(`${baseUrl}/api/categories`)).json()) as { categories: { id: string; parentId: string | null; nameZh: string }[] };
    const minors = categories.filter((c) => c.parentId !== null);
    await expect.poll(() => page.locator('[data-testid=citizen-categories] [role=radio]').count()).toBe(minors.length);
    expect(await page.getByTestId('citizen-category-evt-env-exposed-waste').textContent()).toContain('暴露垃圾');
    expect(await page.locator('[data-testid=citizen-categories] legend').first().textContent()).toContain('市容环境');

    // big enough to tap: every category button and the photo buttons at least 44 px high
    const heights = await page.locator('[data-testid=citizen-categories] [role=radio], [data-testid=citizen-camera], [data-testid=citizen-album]').evaluateAll(
      (elements) => elements.map((e) => e.getBoundingClientRect().height),
    );
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
    // nothing wider than the phone
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // no session asked for, no staff script, no map library until a place is to be chosen
    expect(requests.filter((url) => /\/api\/(auth|layers|duty-types)/.test(url))).toEqual([]);
    expect(requests.filter((url) => /\/assets\/(main|maplibre)-/.test(url))).toEqual([]);
    await shot('phone-start');
    expectNoProblems();
  });

  it('says what is missing, and why a photo or a place is refused', async () => {
    await page.getByTestId('citizen-submit').click();
    await expect.poll(() => page.getByTestId('citizen-missing').textContent()).toBe('还需填写：问题位置、问题类型');

    // the device says we are in Beijing: the page warns at once, the server refuses it
    await page.context().grantPermissions(['geolocation'], { origin: baseUrl });
    await page.context().setGeolocation({ longitude: 116.3975, latitude: 39.9087, accuracy: 25 });
    await page.getByTestId('citizen-locate').click();
    await expect.poll(() => page.getByTestId('citizen-place').textContent(), { timeout: 60_000 }).toContain('该位置不在象山区范围内');
    await page.getByTestId('citizen-category-evt-env-exposed-waste').click();
    expect(await page.getByTestId('citizen-category-evt-env-exposed-waste').getAttribute('aria-checked')).toBe('true');
    await page.getByTestId('citizen-submit').click();
    await expect.poll(alertText).toContain('该位置不在象山区范围内，本平台只受理象山区的问题');
    expectNoProblems(...refused(422));

    // a tap on the map inside the district puts the pin there
    await page.waitForFunction(() => document.body.dataset.citizenMap === 'ready', null, { timeout: 60_000 });
    await page.evaluate((p) => (window as Window & { __civgridCitizenMap?: { jumpTo(o: unknown): void } }).__civgridCitizenMap!.jumpTo({ center: p, zoom: 15 }), inside);
    await tapMap(inside);
    await expect.poll(() => page.getByTestId('citizen-place').textContent()).toContain('已在地图上选定位置');
    expect(await page.getByTestId('citizen-error').count()).toBe(0);

    // a file that says .jpg and is text
    await page.getByTestId('citizen-photo-input').setInputFiles(notPhotoFile);
    await page.getByTestId('citizen-submit').click();
    await expect.poll(alertText).toContain('所选文件不是照片，请选择 JPEG、PNG 或 WebP 格式的图片');
    expectNoProblems(...refused(415));
    await page.getByRole('button', { name: '删除第 1 张照片' }).click();

    // an iPhone's HEIC photo
    await page.getByTestId('citizen-photo-input').setInputFiles(heicFile);
    await page.getByTestId('citizen-submit').click();
    await expect.poll(alertText).toContain('暂不支持 HEIC 格式的照片');
    await shot('phone-heic');
    expectNoProblems(...refused(415));
    await page.getByRole('button', { name: '删除第 1 张照片' }).click();
    expect(await page.locator('[data-testid=citizen-photos] li').count()).toBe(0);
    // the refused photo gone, its message goes too
    expect(await page.getByTestId('citizen-error').count()).toBe(0);
  });

  it('reports with a photo and a place tapped on the map, once, though the first answer was lost', async () => {
    await page.getByTestId('citizen-photo-input').setInputFiles(photoFile);
    await expect.poll(() => page.locator('[data-testid=citizen-photos] img').count()).toBe(1);
    const description = `路口垃圾桶满溢，周边散落垃圾（${Date.now()}）`;
    await page.getByTestId('citizen-description').fill(description);
    await page.getByTestId('citizen-contact').fill('138 0000 0000');
    await shot('phone-filled');

    // the first attempt reaches the server, but its answer never reaches the phone
    const keys: string[] = [];
    await page.route('**/api/public/problems', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.getByTestId('citizen-submit').click();
    await expect.poll(alertText).toContain('网络连接失败');
    expectNoProblems(/net::ERR_CONNECTION_RESET/, /Failed to load resource/);
    await page.unroute('**/api/public/problems');

    // sent again: the same key, the same problem
    page.on('request', (request) => {
      if (request.url().endsWith('/api/public/problems')) keys.push(request.headers()['idempotency-key'] ?? '');
    });
    await page.getByTestId('citizen-submit').click();
    await page.getByTestId('citizen-received').waitFor({ timeout: 60_000 });
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(keys[1]).toBe(keys[0]);

    expect(await page.getByRole('heading', { name: '已收到' }).count()).toBe(1);
    const id = Number(await page.getByTestId('citizen-problem-id').textContent());
    expect(Number.isInteger(id) && id > 0).toBe(true);
    const owner = (await page.getByTestId('citizen-owner').textContent())!.trim();
    await shot('phone-received');

    // as an admin sees it: one problem with this description, routed to the owner the page named
    const problem = await asAdmin<ProblemDetail>(`/api/problems/${id}`);
    expect(problem.categoryId).toBe('evt-env-exposed-waste');
    expect(problem.source).toBe('citizen');
    expect(problem.description).toBe(description);
    expect(problem.ownerName).not.toBeNull();
    expect(owner).toBe(problem.ownerName);
    expect(problem.photos.map((p) => [p.stage, p.mime])).toEqual([['report', 'image/jpeg']]);
    // the tapped place, within a few metres (a pixel at zoom 15 is about 4 m here)
    const metres = Math.hypot((problem.lon - inside[0]) * 101_000, (problem.lat - inside[1]) * 111_000);
    expect(metres).toBeLessThan(15);
    const { problems: listed } = await asAdmin<{ problems: { id: number; description: string | null }[] }>('/api/problems?category=evt-env-exposed-waste&limit=10000');
    expect(listed.filter((p) => p.description === description).map((p) => p.id)).toEqual([id]);
    expectNoProblems();
  });

  it('says so when too many reports come from one place', async () => {
    await page.getByTestId('citizen-again').click();
    await page.getByTestId('citizen-submit').waitFor();
    expect(await page.getByTestId('citizen-description').inputValue()).toBe('');
    await page.context().setGeolocation({ longitude: inside[0], latitude: inside[1], accuracy: 12 });
    await page.getByTestId('citizen-locate').click();
    await expect.poll(() => page.getByTestId('citizen-place').textContent(), { timeout: 60_000 }).toContain('已定位，精度约 12 米');
    await page.getByTestId('citizen-category-evt-order-parking').click();

    // use up this address's public writes
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${baseUrl}/api/public/problems`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      await res.arrayBuffer();
      if (res.status === 429) break;
    }
    await page.getByTestId('citizen-submit').click();
    // the test's window is 600 s: said in minutes
    await expect.poll(alertText).toMatch(/提交太频繁了，请 (10|9) 分钟后再试。/);
    await shot('phone-too-many');
    expectNoProblems(...refused(429));
  });

  it('looks right on a desktop screen too', async () => {
    const desktop = await watchedPage(browser, problems, { width: 1280, height: 800 });
    await desktop.goto(`${baseUrl}/report/`);
    await desktop.getByTestId('citizen-map-open').click();
    await desktop.waitForFunction(() => document.body.dataset.citizenMap === 'ready', null, { timeout: 60_000 });
    const width = await desktop.locator('main').evaluate((e) => e.getBoundingClientRect().width);
    expect(width).toBeLessThanOrEqual(640);
    // the outline and the street names are drawn
    const drawn = await desktop.evaluate(() => {
      const map = (window as Window & { __civgridCitizenMap?: { queryRenderedFeatures(o: { layers: string[] }): unknown[] } }).__civgridCitizenMap!;
      return { outline: map.queryRenderedFeatures({ layers: ['citizen:district'] }).length, names: map.queryRenderedFeatures({ layers: ['citizen:street-names'] }).length };
    });
    expect(drawn.outline).toBeGreaterThan(0);
    expect(drawn.names).toBeGreaterThan(0);
    // English is complete here too, and switching keeps the map as it is
    await desktop.evaluate(() => {
      (window as Window & { __sameMap?: unknown; __civgridCitizenMap?: unknown }).__sameMap = (window as Window & { __civgridCitizenMap?: unknown }).__civgridCitizenMap;
    });
    await desktop.getByTestId('language-toggle').click();
    await expect.poll(() => desktop.getByRole('heading', { level: 1 }).textContent()).toContain('Snap it, we fix it');
    expect(await desktop.getByTestId('citizen-locate').textContent()).toContain('Use my location');
    await shot('desktop-en', desktop);
    await desktop.getByTestId('language-toggle').click();
    expect(await desktop.evaluate(() => {
      const w = window as Window & { __sameMap?: unknown; __civgridCitizenMap?: unknown };
      return w.__sameMap === w.__civgridCitizenMap;
    })).toBe(true);
    await shot('desktop', desktop);
    await desktop.close();
    expectNoProblems();
  });
});
