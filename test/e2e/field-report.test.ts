/**
 * Problems reported from the field app 网格巡查 (/field/), offline, in
 * headless Chromium on a phone-sized viewport (390×844) as the demo
 * inspector of 第1组 with the device's position emulated: at a point, offline,
 * 上报问题 with a category of the package's taxonomy, a description and a
 * photo, and a check of the same point; the outbox shows both (待同步 2, one
 * of them a report). Back online they sync; the server then has exactly one
 * such problem (source 'inspection', the category chosen, the photo, at the
 * device's position) although the answer to its first send was lost and the
 * browser sent it again with the same Idempotency-Key; the check carries the
 * device's position too. Without a position from the device, a report made
 * from the route is filed at the point chosen. A refused report stays in the
 * outbox with its reason in Chinese, to send again or discard.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp/shots saves every screen.
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
import { sql } from 'kysely';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBasemapFile } from '../../tiles/src/cli/basemap-file.ts';
import { launchChromium, skipBrowser } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
const webRoot = resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;
const PHONE = { width: 390, height: 844 };

interface Round {
  id: number;
  status: string;
  myGroupIds?: number[];
}
interface Pkg {
  points: { id: number; name: string; pointType: string; lon: number; lat: number }[];
  categories: { id: string; parentId: string | null; kind: string; nameZh: string }[];
}
interface ProblemRow {
  id: number;
  source: string;
  category_id: string;
  description: string | null;
  reporter: string | null;
  idempotency_key: string | null;
  lon: number;
  lat: number;
  photos: number;
}

describe.skipIf(skipBrowser)('field app 网格巡查: problems reported offline', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let photoFile: string;
  let round: Round;
  let groupId: number;
  let pkg: Pkg;
  /** The last check id before the test made any: the demo's own checks are not the test's. */
  let checksBefore = 0;
  let inspectorId: number;
  /** Where the phone is: 30 m or so from the first point of the route. */
  let device: { longitude: number; latitude: number; accuracy: number };
  /** The minor classes the reports are filed under (one per report, so each is found by it). */
  let category: Pkg['categories'][number];
  let other: Pkg['categories'][number];
  const problems: string[] = [];

  async function api<T>(username: string, path: string, init: RequestInit = {}): Promise<T> {
    const login = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const res = await fetch(`${baseUrl}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), cookie, 'x-csrf-token': csrfToken } });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return (await res.json()) as T;
  }

  async function shot(name: string, full = false): Promise<void> {
    if (shots) await page.screenshot({ path: join(shots, `field-report-${name}.png`), fullPage: full });
  }

  /** The inspector's problems of a category, as the server stores them. */
  const problemsOf = async (categoryId: string) =>
    (await sql<ProblemRow>`
      SELECT p.id, p.source, p.category_id, p.description, p.reporter, p.idempotency_key, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
             (SELECT count(*)::int FROM problem_photos f WHERE f.problem_id = p.id AND f.stage = 'report') AS photos
      FROM problems p WHERE p.category_id = ${categoryId} AND p.reporter = 'inspector' ORDER BY p.id`.execute(database.db)).rows;

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'field/index.html')) || !existsSync(resolve(webRoot, 'field/sw.js'))) {
      throw new Error(`${webRoot}/field is missing or has no service worker: run \`pnpm --filter @civgrid/web build\` first`);
    }
    database = await freshDatabase();
    const tilesDir = mkdtempSync(join(tmpdir(), 'civgrid-e2e-field-report-tiles-'));
    await buildBasemapFile(database.db, join(tilesDir, 'basemap.pmtiles'));
    const app = createApp({ database, webRoot, tilesDir, demo: true });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    inspectorId = (await sql<{ id: number }>`SELECT id FROM users WHERE username = 'inspector'`.execute(database.db)).rows[0]!.id;

    // the demo inspector's group in the active demo round; made through the API when the demo has none
    const mine = (await api<{ rounds: Round[] }>('inspector', '/api/inspection/rounds?member=me')).rounds.filter((r) => r.status === 'active' && (r.myGroupIds ?? []).length > 0);
    if (mine.length > 0) {
      round = mine[0]!;
      groupId = round.myGroupIds![0]!;
    } else {
      const points = (await sql<{ id: number }>`SELECT id FROM inspection_points ORDER BY code LIMIT 8`.execute(database.db)).rows.map((r) => r.id);
      const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      round = await api<Round>('admin', '/api/inspection/rounds', json({ name: '上报测试轮次', startsOn: '2026-11-01', endsOn: '2026-11-30', status: 'active', pointIds: points }));
      const { groups } = await api<{ groups: { id: number }[] }>('admin', `/api/inspection/rounds/${round.id}/groups`, json({ name: '第1组', memberIds: [inspectorId] }));
      groupId = groups[0]!.id;
      await api('admin', `/api/inspection/rounds/${round.id}/assign`, json({ mode: 'auto' }));
    }
    pkg = await api<Pkg>('inspector', `/api/inspection/rounds/${round.id}/package?group=${groupId}`);
    // the demo's current round has checks of its own (by the group's leader, the demo inspector): the test's come after
    checksBefore = Number((await sql<{ id: number | null }>`SELECT max(id) AS id FROM inspection_checks`.execute(database.db)).rows[0]?.id ?? 0);
    expect(pkg.points.length).toBeGreaterThan(2);
    const minors = pkg.categories.filter((c) => c.parentId !== null && c.kind === 'event');
    expect(minors.length).toBeGreaterThan(2);
    // two minor classes the inspector has not reported yet: each report is then found by its class
    [category, other] = [minors[1]!, minors[2]!];
    expect(await problemsOf(category.id)).toEqual([]);
    expect(await problemsOf(other.id)).toEqual([]);
    const first = pkg.points[0]!;
    // about 26 m east and 22 m north of the first point: the report must land here, not on the point
    device = { longitude: first.lon + 0.0003, latitude: first.lat + 0.0002, accuracy: 12 };

    photoFile = join(mkdtempSync(join(tmpdir(), 'civgrid-e2e-field-report-photo-')), 'IMG_4001.jpg');
    await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#8b7f6f' } })
      .composite([{ input: Buffer.from('<svg width="300" height="200"><rect width="300" height="200" fill="#3f6b2a"/></svg>'), left: 300, top: 300 }])
      .jpeg({ quality: 80 })
      .toFile(photoFile);

    browser = await launchChromium();
    context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', deviceScaleFactor: 1, serviceWorkers: 'allow' });
    await context.grantPermissions(['geolocation'], { origin: baseUrl });
    await context.setGeolocation(device);
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    if (shots) mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  function expectNoProblems(...expected: RegExp[]): void {
    const left = problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
    problems.length = 0;
    expect(left).toEqual([]);
  }
  const pending = () => page.getByTestId('sync-bar').getAttribute('data-pending');
  const pendingReports = () => page.getByTestId('sync-bar').getAttribute('data-pending-reports');

  it('downloads the route online', async () => {
    await page.goto(`${baseUrl}/field/`);
    await page.getByTestId('login-username').fill('inspector');
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`download-${groupId}`).click();
    await page.getByTestId(`open-${groupId}`).waitFor({ timeout: 30_000 });
    await page.getByTestId(`open-${groupId}`).click();
    await page.getByTestId('route-screen').waitFor();
    expect(await page.getByTestId('report-open').textContent()).toBe('上报问题');
    expectNoProblems(/status of 401 \(Unauthorized\)/);
  });

  it('reports a problem with a photo at a point offline, and checks the point: the outbox holds both', async () => {
    const first = pkg.points[0]!;
    await context.setOffline(true);
    const duplicateAsks: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/problems/duplicates')) duplicateAsks.push(request.url());
    });
    await page.getByTestId(`stop-${first.id}`).click();
    await page.getByTestId('point-screen').waitFor();
    await shot('1-point', true);
    await page.getByTestId('report-open').click();
    await page.getByTestId('report-screen').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe(`#/r/${round.id}/${groupId}/p/${first.id}/report`);
    // the device's position, found offline
    await expect.poll(() => page.getByTestId('report-place').getAttribute('data-located'), { timeout: 15_000 }).toBe('device');
    expect(await page.getByTestId('report-place').textContent()).toContain('本机定位 · 精度约 12 米');
    // the package's taxonomy, grouped major → minor as the staff form groups it
    const major = pkg.categories.find((c) => c.id === category.parentId)!;
    const group = await page.getByTestId('report-category').locator(`option[value="${category.id}"]`).evaluate((o) => (o.parentElement as HTMLOptGroupElement).label);
    expect(group).toBe(`事件 › ${major.nameZh}`);
    // saving without a category says what is missing
    await page.getByTestId('report-save').click();
    expect(await page.getByTestId('report-error').textContent()).toBe('请先选择问题类别。');
    await page.getByTestId('report-category').selectOption(category.id);
    await page.getByTestId('report-description').fill('人行道上堆放装修垃圾');
    await page.getByTestId('report-photo-input').setInputFiles(photoFile);
    await expect.poll(() => page.getByTestId('report-photo').count()).toBe(1);
    expect(await page.getByTestId('report-save').textContent()).toContain('保存上报');
    expect(await page.locator('.save .hint').textContent()).toBe('当前离线：先保存在本机，联网后自动上报。');
    await shot('2-form-offline', true);
    await page.getByTestId('report-save').click();

    // back on the point, the report waits in the outbox
    await page.getByTestId('point-screen').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe(`#/r/${round.id}/${groupId}/p/${first.id}`);
    const entry = page.getByTestId('report-entry');
    await entry.waitFor();
    expect(await entry.getAttribute('data-state')).toBe('pending');
    expect(await entry.getByTestId('report-state').textContent()).toBe('待同步');
    expect(await entry.textContent()).toContain(category.nameZh);
    expect(await entry.textContent()).toContain('照片 1 张');
    await expect.poll(pending).toBe('1');
    expect(await pendingReports()).toBe('1');

    // and a check of the same point, with the device's position
    await page.getByTestId('rest-pass').click();
    await page.getByTestId('save-check').click();
    await page.getByTestId('saved').waitFor();
    await expect.poll(pending).toBe('2');
    expect(await page.getByTestId('sync-pending').textContent()).toBe('待同步 2');
    expect(await page.getByTestId('sync-pending-reports').textContent()).toBe('（含上报问题 1）');
    await shot('3-point-pending', true);

    // offline, nobody asked the server for duplicates
    expect(duplicateAsks).toEqual([]);
    expect(await problemsOf(category.id)).toEqual([]);
    expectNoProblems(/ERR_INTERNET_DISCONNECTED/);
  });

  it('syncs when back online: one problem at the device position with its photo, although the first answer was lost', async () => {
    const first = pkg.points[0]!;
    const sent: string[] = [];
    let lost = 0;
    await page.route('**/api/problems', async (route) => {
      sent.push(route.request().headers()['idempotency-key'] ?? '');
      if (lost === 0) {
        lost++;
        const response = await route.fetch();
        expect(response.status()).toBe(201);
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });
    await context.setOffline(false);
    // the server stored the problem; the browser never heard of it and keeps it waiting
    await expect.poll(async () => (await problemsOf(category.id)).length, { timeout: 30_000 }).toBe(1);
    await expect.poll(pendingReports, { timeout: 30_000 }).toBe('1');
    await shot('4-answer-lost', true);
    await page.getByTestId('sync-now').click({ timeout: 30_000 });
    await expect.poll(pending, { timeout: 30_000 }).toBe('0');
    await page.getByTestId('sync-done').waitFor();
    await page.unroute('**/api/problems');

    // sent at least twice, always with the key made when the form opened; stored once
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(new Set(sent).size).toBe(1);
    const rows = await problemsOf(category.id);
    expect(rows).toHaveLength(1);
    const problem = rows[0]!;
    expect(problem).toMatchObject({ source: 'inspection', category_id: category.id, description: '人行道上堆放装修垃圾', reporter: 'inspector', photos: 1 });
    expect(problem.idempotency_key).toBe(`${inspectorId}:${sent[0]}`);
    expect(problem.lon).toBeCloseTo(device.longitude, 7);
    expect(problem.lat).toBeCloseTo(device.latitude, 7);

    // the entry shows the problem's number
    const entry = page.getByTestId('report-entry');
    expect(await entry.getAttribute('data-state')).toBe('synced');
    expect(await entry.getByTestId('report-answer').textContent()).toContain(`问题 #${problem.id}`);

    // the check went too, with the device's position
    const checks = (await sql<{ lon: number | null; lat: number | null }>`
      SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM inspection_checks WHERE round_id = ${round.id} AND point_id = ${first.id} AND user_id = ${inspectorId} AND id > ${checksBefore}`.execute(database.db)).rows;
    expect(checks).toHaveLength(1);
    expect(checks[0]!.lon).toBeCloseTo(device.longitude, 7);
    expect(checks[0]!.lat).toBeCloseTo(device.latitude, 7);
    await shot('5-synced', true);
    expectNoProblems(/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|Failed to load resource/);
  });

  it('online, shows the open problems of the class nearby before a second report', async () => {
    await page.getByTestId('report-open').click();
    await page.getByTestId('report-screen').waitFor();
    await expect.poll(() => page.getByTestId('report-place').getAttribute('data-located'), { timeout: 15_000 }).toBe('device');
    await page.getByTestId('report-category').selectOption(category.id);
    const dup = page.getByTestId('report-duplicates');
    await dup.waitFor({ timeout: 15_000 });
    const id = (await problemsOf(category.id))[0]!.id;
    expect(await dup.getByTestId('report-duplicate').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(`#${id}`)]));
    expect(await page.locator('.save .hint').textContent()).toContain('保存后立即上报');
    await shot('6-duplicates', true);
    await page.getByTestId('back').click();
    await page.getByTestId('point-screen').waitFor();
    expect(await problemsOf(category.id)).toHaveLength(1);
    expectNoProblems();
  });

  it('without a position from the device, a report from the route is filed at the point chosen', async () => {
    const second = pkg.points[1]!;
    await context.clearPermissions();
    await page.getByTestId('back').click();
    await page.getByTestId('route-screen').waitFor();
    await context.setOffline(true);
    await page.getByTestId('report-open').click();
    await page.getByTestId('report-screen').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe(`#/r/${round.id}/${groupId}/report`);
    await expect.poll(() => page.getByTestId('report-place').getAttribute('data-located'), { timeout: 20_000 }).toBe('none');
    expect(await page.getByTestId('report-place').textContent()).toContain('未取得本机定位');
    await page.getByTestId('report-category').selectOption(other.id);
    await page.getByTestId('report-save').click();
    expect(await page.getByTestId('report-error').textContent()).toBe('未取得本机定位，请选择附近的点位后再保存。');
    await page.getByTestId('report-point').selectOption(String(second.id));
    await expect.poll(() => page.getByTestId('report-place').getAttribute('data-located')).toBe('point');
    expect(await page.getByTestId('report-place').textContent()).toContain(`将以点位“${second.name}”的位置上报`);
    await shot('7-route-form-no-position', true);
    await page.getByTestId('report-save').click();
    await page.getByTestId('route-screen').waitFor();
    await expect.poll(pendingReports).toBe('1');
    // the route lists what was reported on this device
    await page.getByTestId('route-reports-toggle').click();
    expect(await page.getByTestId('route-reports').getByTestId('report-entry').count()).toBe(2);
    await shot('8-route-reports', true);

    // back online, the outbox sends it by itself
    await context.setOffline(false);
    await expect.poll(pending, { timeout: 30_000 }).toBe('0');
    const rows = await problemsOf(other.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'inspection', photos: 0, description: null });
    expect(rows[0]!.lon).toBeCloseTo(second.lon, 7);
    expect(rows[0]!.lat).toBeCloseTo(second.lat, 7);
    expectNoProblems(/ERR_INTERNET_DISCONNECTED|Failed to load resource/);
  });

  it('keeps a refused report with its reason in Chinese, to send again or discard', async () => {
    // the server refuses the report (simulated: the place outside the district, 422)
    await context.setOffline(true);
    await page.getByTestId('report-open').click();
    await page.getByTestId('report-screen').waitFor();
    await page.getByTestId('report-point').selectOption({ index: 1 });
    await page.getByTestId('report-category').selectOption(other.id);
    await page.route('**/api/problems', (route) =>
      route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ error: { code: 'outside_territory', message: 'The place is outside the district this system serves.' } }) }),
    );
    await page.getByTestId('report-save').click();
    await page.getByTestId('route-screen').waitFor();
    await context.setOffline(false);
    await page.getByTestId('sync-rejected').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('sync-rejected').textContent()).toBe('被拒绝 1');
    const refused = page.locator('[data-testid="report-entry"][data-state="rejected"]');
    await refused.waitFor();
    expect(await refused.getByTestId('report-rejection').textContent()).toBe('服务器拒绝了此次上报：上报位置不在本区范围内，服务器未接收。');
    await shot('9-refused', true);
    // sent again, it is taken (the server answers for real now)
    await page.unroute('**/api/problems');
    const key = await refused.getAttribute('data-key');
    await refused.getByTestId('report-retry').click();
    await expect.poll(() => page.locator(`[data-testid="report-entry"][data-key="${key}"]`).getAttribute('data-state'), { timeout: 30_000 }).toBe('synced');
    expect(await page.getByTestId('sync-bar').getAttribute('data-pending')).toBe('0');
    expect(await page.locator('[data-testid="report-entry"][data-state="rejected"]').count()).toBe(0);
    expect(await problemsOf(other.id)).toHaveLength(2);
    expectNoProblems(/ERR_INTERNET_DISCONNECTED|Failed to load resource/);
  });

  it('reads in English too', async () => {
    await page.getByTestId('language-toggle').click();
    await page.getByTestId('report-open').click();
    await page.getByTestId('report-screen').waitFor();
    expect(await page.getByTestId('report-save').textContent()).toContain('Save report');
    expect(await page.locator('.screen .titles strong').textContent()).toBe('Report a problem');
    await shot('10-english', true);
    await page.getByTestId('back').click();
    await page.getByTestId('route-screen').waitFor();
    expect(await page.getByTestId('route-reports-toggle').textContent()).toContain('Problems reported on this device · 3');
    await shot('11-english-route');
    await page.getByTestId('language-toggle').click();
    expectNoProblems();
  });
});
