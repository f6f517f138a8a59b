/**
 * A fresh start shows streets from the built-in offline basemap everywhere,
 * with nobody choosing it: the server is prepared the way `pnpm start` does
 * (server/src/startup.ts builds the archive into an empty tiles folder), then
 * the desktop map, the citizen page (/report/) and the field app's route each
 * draw the basemap's roads. CIVGRID_SCREENSHOT_DIR keeps a screenshot of each.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
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
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../server/src/http/logger.ts';
import { BuiltinBasemapBuilder } from '../../server/src/services/builtin-basemap.ts';
import { prepareDatabase } from '../../server/src/startup.ts';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const webRoot = resolve(import.meta.dirname, '../../web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;

interface RenderedMap {
  getLayer(id: string): unknown;
  queryRenderedFeatures(options: { layers: string[] }): unknown[];
}
type Hooked = Window & { __civgridMap?: RenderedMap; __civgridCitizenMap?: RenderedMap; __civgridFieldMap?: RenderedMap };

/** How many of the layer's features the map on the page (under `hook`) draws; 0 until the layer exists. */
function drawn(page: Page, hook: keyof Hooked, layer: string): Promise<number> {
  return page.evaluate(
    ([h, l]) => {
      const map = (window as unknown as Record<string, RenderedMap | undefined>)[h];
      return map?.getLayer(l) ? map.queryRenderedFeatures({ layers: [l] }).length : 0;
    },
    [hook, layer] as const,
  );
}

describe.skipIf(skipBrowser)('the built-in offline basemap on a fresh start', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'index.html'))) throw new Error(`${webRoot}/index.html is missing: run \`pnpm --filter @civgrid/web build\` first`);
    database = await freshDatabase();
    const tilesDir = join(mkdtempSync(join(tmpdir(), 'civgrid-e2e-start-')), 'tiles');
    const builder = new BuiltinBasemapBuilder(database.db, tilesDir, silentLogger);
    expect((await prepareDatabase(database, silentLogger, { demo: true, basemap: builder })).basemap).toBe('built');
    const app = createApp({ database, webRoot, tilesDir, basemapBuilder: builder, demo: true });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    if (shots) mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  it('the desktop map draws it by default, named 内置离线底图 in the layer panel', async () => {
    const page = await watchedPage(browser, problems);
    const login = await page.context().request.post(`${baseUrl}/api/auth/login`, { data: { username: 'viewer', password: DEMO_PASSWORD } });
    expect(login.status()).toBe(200);
    await page.goto(baseUrl);
    await page.waitForFunction(() => document.body.dataset.mapReady === 'true', null, { timeout: 90_000 });
    await expect.poll(() => drawn(page, '__civgridMap', 'basemap:builtin:roads'), { timeout: 30_000 }).toBeGreaterThan(0);
    const selected = page.getByTestId('basemap');
    expect(await selected.inputValue()).toBe('builtin');
    expect(await selected.locator('option:checked').textContent()).toBe('内置离线底图');
    if (shots) await page.screenshot({ path: join(shots, 'start-desktop.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the citizen page draws it under the district', async () => {
    const page = await watchedPage(browser, problems, { width: 1280, height: 800 });
    await page.goto(`${baseUrl}/report/`);
    await page.getByTestId('citizen-map-open').click();
    await page.waitForFunction(() => document.body.dataset.citizenMap === 'ready', null, { timeout: 60_000 });
    await expect.poll(() => drawn(page, '__civgridCitizenMap', 'basemap:builtin:roads'), { timeout: 30_000 }).toBeGreaterThan(0);
    if (shots) await page.screenshot({ path: join(shots, 'start-report.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the field app draws it under the downloaded route', async () => {
    // the demo inspector's group in a current round, made through the API when the demo has none
    const session = async (username: string) => {
      const login = await fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }),
      });
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      return { cookie: login.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': csrfToken };
    };
    const inspector = await session('inspector');
    type Round = { id: number; status: string; myGroupIds?: number[] };
    const rounds = ((await (await fetch(`${baseUrl}/api/inspection/rounds?member=me`, { headers: inspector })).json()) as { rounds: Round[] }).rounds;
    let groupId = rounds.find((r) => r.status === 'active' && (r.myGroupIds ?? []).length > 0)?.myGroupIds?.[0];
    if (groupId === undefined) {
      const admin = { ...(await session('admin')), 'content-type': 'application/json' };
      const post = async <T>(path: string, body: unknown): Promise<T> => {
        const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
        expect(res.status, path).toBeLessThan(300);
        return (await res.json()) as T;
      };
      const today = new Date().toISOString().slice(0, 10);
      const inspectorId = (await database.db.selectFrom('users').select('id').where('username', '=', 'inspector').executeTakeFirstOrThrow()).id;
      const pointIds = (await database.db.selectFrom('inspection_points').select('id').orderBy('code').limit(8).execute()).map((r) => r.id);
      const round = await post<Round>('/api/inspection/rounds', { name: '底图测试轮次', startsOn: today, endsOn: today, status: 'active', pointIds });
      const { groups } = await post<{ groups: { id: number }[] }>(`/api/inspection/rounds/${round.id}/groups`, { name: '第1组', memberIds: [inspectorId] });
      groupId = groups[0]!.id;
      await post(`/api/inspection/rounds/${round.id}/assign`, { mode: 'auto' });
    }

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', serviceWorkers: 'block' });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${baseUrl}/field/`);
    await page.getByTestId('login-form').waitFor();
    await page.getByTestId('login-username').fill('inspector');
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`download-${groupId}`).click();
    await page.getByTestId(`open-${groupId}`).waitFor({ timeout: 60_000 });
    await page.getByTestId(`open-${groupId}`).click();
    await page.getByTestId('route-screen').waitFor();
    await page.waitForFunction(() => document.body.dataset.fieldMap === 'ready', undefined, { timeout: 30_000 });
    await expect.poll(() => drawn(page, '__civgridFieldMap', 'basemap:field:roads'), { timeout: 30_000 }).toBeGreaterThan(0);
    if (shots) await page.screenshot({ path: join(shots, 'start-field-route.png') });
    expect(problems).toEqual([]);
    await context.close();
  });
});
