/**
 * The field app 网格巡查 (/field/) in headless Chromium on a phone-sized
 * viewport (390×844), as the demo inspector of 第1组: sign in, download the
 * group's route, go offline and reload (the service worker serves the app,
 * IndexedDB the route and its basemap), fill two checks offline (one with a
 * failed item and its photo), see 待同步 2, come back online and see them
 * synced; the server then has exactly those two checks, once each, and the
 * failed item's problem, although the answer to the first was lost on the way
 * and the browser sent it again. A package made stale on the server shows the
 * banner, and downloading again keeps the outbox.
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
  name: string;
  status: string;
  groups: { id: number; name: string; pointCount: number }[];
  myGroupIds?: number[];
}
interface Pkg {
  version: string;
  points: { id: number; name: string; pointType: string; version: number }[];
  checklists: Record<string, { id: number; categoryId: string | null }[]>;
}

describe.skipIf(skipBrowser)('field app 网格巡查', () => {
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
  /** The package's points the demo has not checked in this round, in visiting order: the ones the test checks. */
  let unchecked: Pkg['points'] = [];
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

  /** The screen as the phone shows it (`full`: the whole scrolled page, for the long point screen). */
  async function shot(name: string, full = false): Promise<void> {
    if (shots) await page.screenshot({ path: join(shots, `field-${name}.png`), fullPage: full });
  }

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'field/index.html')) || !existsSync(resolve(webRoot, 'field/sw.js'))) {
      throw new Error(`${webRoot}/field is missing or has no service worker: run \`pnpm --filter @civgrid/web build\` first`);
    }
    database = await freshDatabase();
    const tilesDir = mkdtempSync(join(tmpdir(), 'civgrid-e2e-field-tiles-'));
    await buildBasemapFile(database.db, join(tilesDir, 'basemap.pmtiles'));
    const app = createApp({ database, webRoot, tilesDir, demo: true });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // the demo inspector's group in the active demo round (第1组); made through the API when the demo has none
    const mine = (await api<{ rounds: Round[] }>('inspector', '/api/inspection/rounds?member=me')).rounds.filter((r) => r.status === 'active' && (r.myGroupIds ?? []).length > 0);
    if (mine.length > 0) {
      round = mine[0]!;
      groupId = round.myGroupIds![0]!;
    } else {
      const inspector = (await sql<{ id: number }>`SELECT id FROM users WHERE username = 'inspector'`.execute(database.db)).rows[0]!.id;
      const points = (await sql<{ id: number }>`SELECT id FROM inspection_points ORDER BY code LIMIT 8`.execute(database.db)).rows.map((r) => r.id);
      const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      round = await api<Round>('admin', '/api/inspection/rounds', json({ name: '外业测试轮次', startsOn: '2026-11-01', endsOn: '2026-11-30', status: 'active', pointIds: points }));
      const { groups } = await api<{ groups: { id: number }[] }>('admin', `/api/inspection/rounds/${round.id}/groups`, json({ name: '第1组', memberIds: [inspector] }));
      groupId = groups[0]!.id;
      await api('admin', `/api/inspection/rounds/${round.id}/assign`, json({ mode: 'auto' }));
    }
    pkg = await api<Pkg>('inspector', `/api/inspection/rounds/${round.id}/package?group=${groupId}`);
    // the demo's current round has checks of its own (by the group's leader, the demo inspector): the test's come after,
    // on points not checked yet (a second check of a point is flagged 重复检查)
    checksBefore = Number((await sql<{ id: number | null }>`SELECT max(id) AS id FROM inspection_checks`.execute(database.db)).rows[0]?.id ?? 0);
    const checked = new Set((await sql<{ point_id: number }>`SELECT point_id FROM inspection_checks WHERE round_id = ${round.id}`.execute(database.db)).rows.map((r) => r.point_id));
    unchecked = pkg.points.filter((p) => !checked.has(p.id));
    expect(pkg.points.length).toBeGreaterThan(2);

    photoFile = join(mkdtempSync(join(tmpdir(), 'civgrid-e2e-field-photo-')), 'IMG_3001.jpg');
    await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#7a8b6f' } })
      .composite([{ input: Buffer.from('<svg width="400" height="300"><rect width="400" height="300" fill="#6b4f2a"/></svg>'), left: 400, top: 300 }])
      .jpeg({ quality: 80 })
      .toFile(photoFile);

    browser = await launchChromium();
    context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', deviceScaleFactor: 1, serviceWorkers: 'allow' });
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

  /** Nothing went wrong on the page since the last look, except what `expected` matches. */
  function expectNoProblems(...expected: RegExp[]): void {
    const left = problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
    problems.length = 0;
    expect(left).toEqual([]);
  }
  const pending = () => page.getByTestId('sync-bar').getAttribute('data-pending');

  it('signs in with the normal session, lists my group and installs its service worker', async () => {
    await page.goto(`${baseUrl}/field/`);
    await page.getByTestId('login-form').waitFor();
    await shot('1-login');
    await page.getByTestId('login-username').fill('inspector');
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('rounds-screen').waitFor();
    await page.getByTestId(`group-card-${groupId}`).waitFor();
    await expect.poll(() => page.getByTestId(`group-card-${groupId}`).textContent()).toContain(round.name);
    expect(await page.getByTestId(`download-${groupId}`).textContent()).toContain('下载我的路线');
    expect(await page.title()).toBe('网格巡查');
    // the service worker has taken the page: /field/ will open without a network
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null), { timeout: 30_000 }).toBe(`${baseUrl}/field/sw.js`);
    const manifest = await page.evaluate(async () => (await fetch('/field/manifest.webmanifest')).json());
    expect(manifest).toMatchObject({ name: '网格巡查', start_url: '/field/', display: 'standalone' });
    await shot('2-rounds');
    // the login page asks who is signed in first: nobody yet
    expectNoProblems(/status of 401 \(Unauthorized\)/);
  });

  it('downloads the route and shows it on the stored basemap with numbered stops', async () => {
    await page.getByTestId(`download-${groupId}`).click();
    await page.getByTestId(`open-${groupId}`).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId(`downloaded-${groupId}`).textContent()).toMatch(/已下载 · \d+ KB/);
    await shot('3-downloaded');
    await page.getByTestId(`open-${groupId}`).click();
    await page.getByTestId('route-screen').waitFor();
    expect(await page.getByTestId('stops').locator('li').count()).toBe(pkg.points.length);
    expect(await page.getByTestId('stops').locator('li').first().textContent()).toContain(pkg.points[0]!.name);
    await page.waitForFunction(() => document.body.dataset.fieldMap === 'ready', undefined, { timeout: 30_000 });
    await expect.poll(() => page.locator('.stop-marker').count()).toBe(pkg.points.length);
    await shot('4-route');
    expectNoProblems();
  });

  it('opens offline after a reload: the app from the service worker, the route and its basemap from IndexedDB', async () => {
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toBe(`#/r/${round.id}/${groupId}`);
    await context.setOffline(true);
    await page.reload();
    await page.getByTestId('route-screen').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('field-user').textContent()).toContain('离线使用中');
    expect(await page.getByTestId('stops').locator('li').count()).toBe(pkg.points.length);
    expect(await page.getByTestId('offline').isVisible()).toBe(true);
    await page.waitForFunction(() => document.body.dataset.fieldMap === 'ready', undefined, { timeout: 30_000 });
    // the basemap's roads are drawn from the archive in IndexedDB, with no network at all
    await expect
      .poll(() => page.evaluate(() => {
        const map = (window as Window & { __civgridFieldMap?: { queryRenderedFeatures(o: { layers: string[] }): unknown[] } }).__civgridFieldMap;
        return map?.queryRenderedFeatures({ layers: ['basemap:field:roads'] }).length ?? 0;
      }), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await shot('5-offline-route');
    // what failed offline is the session check, nothing of the app or its data
    expectNoProblems(/Failed to load resource: net::ERR_INTERNET_DISCONNECTED/);
  });

  it('fills two checks offline, one with a failed item and its photo: the outbox shows 2', async () => {
    const [first, second] = [unchecked[0]!, unchecked[1]!];
    await page.getByTestId(`stop-${first.id}`).click();
    await page.getByTestId('point-screen').waitFor();
    await shot('6-point', true);
    await page.getByTestId('rest-pass').click();
    await page.getByTestId('save-check').click();
    await page.getByTestId('saved').waitFor();
    expect(await page.getByTestId('check-state').textContent()).toContain('待同步');
    await page.getByTestId('back').click();
    expect(await page.getByTestId(`stop-state-${first.id}`).textContent()).toBe('待同步');

    await page.getByTestId(`stop-${second.id}`).click();
    await page.getByTestId('point-screen').waitFor();
    const failed = pkg.checklists[second.pointType]!.find((i) => i.categoryId !== null)!;
    await page.getByTestId(`item-${failed.id}-fail`).click();
    await page.getByTestId(`item-${failed.id}-note`).fill('路面有暴露垃圾');
    await page.getByTestId(`item-${failed.id}-photo`).setInputFiles(photoFile);
    await page.getByTestId(`item-${failed.id}-photo-taken`).waitFor();
    await shot('7-point-failed-item', true);
    await page.getByTestId('rest-pass').click();
    await page.getByTestId('save-check').click();
    await page.getByTestId('saved').waitFor();
    await expect.poll(pending).toBe('2');
    expect(await page.getByTestId('sync-pending').textContent()).toBe('待同步 2');
    await shot('8-saved-offline', true);
    await page.getByTestId('back').click();
    await page.getByTestId('route-screen').waitFor();
    await shot('9-route-pending');
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    expectNoProblems(/ERR_INTERNET_DISCONNECTED/);
  });

  it('syncs when back online, each check once although the answer to the first was lost and it was sent again', async () => {
    const [first, second] = [unchecked[0]!, unchecked[1]!];
    const checksOf = async (pointId: number) =>
      (await sql<{ id: number; idempotency_key: string }>`
        SELECT c.id, c.idempotency_key FROM inspection_checks c JOIN users u ON u.id = c.user_id
        WHERE c.round_id = ${round.id} AND c.point_id = ${pointId} AND u.username = 'inspector' AND c.id > ${checksBefore}`.execute(database.db)).rows;
    expect(await checksOf(first.id)).toEqual([]);
    expect(await checksOf(second.id)).toEqual([]);

    // the first answer is lost on the way back: the server has stored the check, the browser never hears of it
    const sent: string[] = [];
    let lost = 0;
    await page.route('**/api/inspection/checks', async (route) => {
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
    // back online: the session is asked for again, the outbox tries; one answer lost, one check still waiting
    await expect.poll(() => sent.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await page.getByTestId('sync-bar').waitFor();
    await expect.poll(async () => (await checksOf(first.id)).length + (await checksOf(second.id)).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(pending, { timeout: 10_000 }).not.toBe('0');
    await shot('10-answer-lost');
    // the retry: the button, unless the outbox's timer or the online event got there first
    // (on a loaded machine the button can stay disabled through a running sync and then leave)
    const syncNow = page.getByTestId('sync-now');
    await expect.poll(async () => (await pending()) === '0' || (await syncNow.isEnabled().catch(() => false)), { timeout: 30_000 }).toBe(true);
    if ((await pending()) !== '0') await syncNow.click({ timeout: 5_000 }).catch(async (error: unknown) => {
      if ((await pending()) !== '0') throw error;
    });
    await expect.poll(pending, { timeout: 30_000 }).toBe('0');
    await page.getByTestId('sync-done').waitFor();
    expect(await page.getByTestId('sync-done').textContent()).toBe('已同步');
    await shot('11-synced');
    await page.unroute('**/api/inspection/checks');

    // the lost one went twice with its one key; the server has each check once
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(new Set(sent).size).toBe(2);
    const a = await checksOf(first.id);
    const b = await checksOf(second.id);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(sent.filter((key) => key === sent[0]).length).toBeGreaterThanOrEqual(2);

    // the failed item has its problem, filed by the inspection, and its photo
    const failed = pkg.checklists[second.pointType]!.find((i) => i.categoryId !== null)!;
    const items = (await sql<{ item_id: number; result: string; note: string | null; problem_id: number | null; source: string | null; category_id: string | null }>`
      SELECT ci.item_id, ci.result, ci.note, ci.problem_id, p.source, p.category_id
      FROM inspection_check_items ci LEFT JOIN problems p ON p.id = ci.problem_id WHERE ci.check_id = ${b[0]!.id}`.execute(database.db)).rows;
    expect(items.filter((i) => i.result !== 'pass').map((i) => i.item_id)).toEqual([failed.id]);
    const bad = items.find((i) => i.item_id === failed.id)!;
    expect(bad).toMatchObject({ result: 'fail', note: '路面有暴露垃圾', source: 'inspection', category_id: failed.categoryId });
    expect(bad.problem_id).not.toBeNull();
    const photos = (await sql<{ item_id: number | null }>`SELECT item_id FROM inspection_check_photos WHERE check_id = ${b[0]!.id}`.execute(database.db)).rows;
    expect(photos).toEqual([{ item_id: failed.id }]);
    const firstItems = (await sql<{ n: number; passed: number }>`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE result = 'pass')::int AS passed FROM inspection_check_items WHERE check_id = ${a[0]!.id}`.execute(database.db)).rows[0]!;
    expect(firstItems).toEqual({ n: pkg.checklists[first.pointType]!.length, passed: pkg.checklists[first.pointType]!.length });

    await expect.poll(() => page.getByTestId(`stop-state-${first.id}`).textContent()).toBe('已同步');
    expectNoProblems(/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|Failed to load resource/);
  });

  it('shows a stale package and downloads it again without losing what waits in the outbox', async () => {
    const third = unchecked[2]!;
    // a check waits offline, then the point changes on the server
    await context.setOffline(true);
    await page.getByTestId(`stop-${third.id}`).click();
    await page.getByTestId('rest-pass').click();
    await page.getByTestId('save-check').click();
    await page.getByTestId('saved').waitFor();
    await page.getByTestId('back').click();
    await expect.poll(pending).toBe('1');
    await sql`UPDATE inspection_points SET version = version + 1, name = name || '（新）' WHERE id = ${third.id}`.execute(database.db);
    // hold the check back for now, so that the banner can be seen with it waiting
    await page.route('**/api/inspection/checks', (route) => route.abort('connectionrefused'));
    await context.setOffline(false);
    await page.reload();
    await page.getByTestId('stale-banner').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('stale-banner').textContent()).toContain('本机路线已过期');
    await shot('12-stale');
    await page.getByTestId('stale-redownload').click();
    await page.getByTestId('stale-banner').waitFor({ state: 'detached', timeout: 30_000 });
    await expect.poll(() => page.getByTestId('stops').textContent()).toContain(`${third.name}（新）`);
    expect(await pending()).toBe('1');
    await page.unroute('**/api/inspection/checks');
    await page.getByTestId('sync-now').click();
    await expect.poll(pending, { timeout: 30_000 }).toBe('0');
    // the check was made on the old version of the point: stored, and flagged
    await page.getByTestId(`stop-${third.id}`).click();
    await page.getByTestId('check-entry').first().waitFor();
    await shot('13-after-redownload', true);
    const checks = (await sql<{ conflict: unknown }>`SELECT conflict FROM inspection_checks WHERE round_id = ${round.id} AND point_id = ${third.id} AND id > ${checksBefore}`.execute(database.db)).rows;
    expect(checks).toHaveLength(1);
    const conflict = typeof checks[0]!.conflict === 'string' ? JSON.parse(checks[0]!.conflict) : checks[0]!.conflict;
    expect((conflict as { reasons: string[] }).reasons).toContain('point_changed');
    expect(await page.getByTestId('conflict').textContent()).toContain('点位信息在您下载后被修改过');
    expect(await page.getByTestId('check-state').textContent()).toBe('有冲突');
    await shot('14-conflict', true);
    expectNoProblems(/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_REFUSED|Failed to load resource/);
  });

  it('reads in English too', async () => {
    await page.getByTestId('language-toggle').click();
    await page.getByTestId('back').click();
    await page.getByTestId('route-screen').waitFor();
    await page.waitForFunction(() => document.body.dataset.fieldMap === 'ready', undefined, { timeout: 30_000 });
    expect(await page.getByTestId('sync-bar').textContent()).toContain('All synced');
    expect(await page.getByTestId('route-title').textContent()).toMatch(/points$/);
    await shot('15-english');
    await page.getByTestId('language-toggle').click();
    expectNoProblems();
  });
});
