/**
 * Issue 16, screens part C, in headless Chromium on a fresh test database: the
 * desktop's and the field app's login pages load without a console error, the
 * field app names itself and offers only the roles that may use it; the start
 * map's header groups its actions, MapLibre's attribution keeps clear of the
 * scale bar, the Chinese interface of the main screens shows no stray English
 * (only units, codes and names on an allow-list), and the English one names
 * problem categories in English.
 *
 * Needs `pnpm --filter @civgrid/web build` first. CIVGRID_SCREENSHOT_DIR saves
 * the screens it looks at.
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
import { POLICY } from '../../server/src/auth/policy.ts';
import { buildBasemapFile } from '../../tiles/src/cli/basemap-file.ts';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
const webRoot = resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;

/**
 * Latin words the Chinese interface may show: units, brands and names of
 * formats and sources, and the switch to English (which is in English on purpose).
 */
const ALLOWED = new Set([
  'civgrid', 'English', 'm', 'km', 'DataV', 'OpenStreetMap', 'contributors', 'OSM', 'MapLibre', 'PMTiles',
  'CSV', 'GeoJSON', 'KML', 'Shapefile', 'WGS84', 'GCJ-02', 'PDF', 'GPS',
]);
/** A code of the data (备检点 BJD-011, a grid's code): letters then digits. */
const CODE = /^[A-Z]{1,5}-?\d+$/;

/** The Latin words of what the page shows (its rendered text, not hidden nodes), minus the allowed ones. */
async function strayLatin(page: Page): Promise<string[]> {
  // request ids (UUIDs) are codes too
  // biome-ignore lint/performance/useDomNodeTextContent: what is rendered, not the text of hidden nodes (a closed <details>)
  const text = (await page.evaluate(() => document.body.innerText)).replace(/\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b/g, '');
  const words = text.match(/[A-Za-z][A-Za-z0-9._-]*/g) ?? [];
  return [...new Set(words.filter((word) => !ALLOWED.has(word) && !CODE.test(word)))];
}

interface Box { x: number; y: number; width: number; height: number }
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe.skipIf(skipBrowser)('screens part C', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'index.html'))) throw new Error(`${webRoot}/index.html is missing: run \`pnpm --filter @civgrid/web build\` first`);
    if (shots) mkdirSync(shots, { recursive: true });
    database = await freshDatabase();
    const tilesDir = mkdtempSync(join(tmpdir(), 'civgrid-e2e-tiles-'));
    await buildBasemapFile(database.db, join(tilesDir, 'basemap.pmtiles'));
    const app = createApp({ database, webRoot, tilesDir, demo: true });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  async function signedIn(username: string, problems: string[]): Promise<Page> {
    const page = await watchedPage(browser, problems);
    const login = await page.context().request.post(`${baseUrl}/api/auth/login`, { data: { username, password: DEMO_PASSWORD } });
    expect(login.status()).toBe(200);
    return page;
  }

  async function waitForMap(page: Page): Promise<void> {
    await page.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 90_000 });
    expect(await page.evaluate(() => document.body.dataset.mapReady)).toBe('true');
  }

  it('loads both login pages with no console error; the field app names itself and offers only its roles', async () => {
    const problems: string[] = [];
    const page = await watchedPage(browser, problems);

    await page.goto(`${baseUrl}/`);
    await page.getByTestId('demo-accounts').waitFor({ timeout: 30_000 });
    expect(await page.title()).toBe('civgrid 网格化管理');
    const everyone = await page.locator('[data-testid^=demo-account-]').count();
    await page.waitForLoadState('networkidle');
    if (shots) await page.screenshot({ path: join(shots, 'login-desktop.png') });

    await page.goto(`${baseUrl}/field/`);
    await page.getByTestId('demo-accounts').waitFor({ timeout: 30_000 });
    expect(await page.title()).toBe('网格巡查');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('登录网格巡查');
    const offered = await page.locator('[data-testid^=demo-account-]')
      .evaluateAll((buttons) => buttons.map((b) => (b.getAttribute('data-testid') ?? '').replace('demo-account-', '')));
    // the roles that may download a round's package, by the server's policy, and the demo accounts of those roles
    const rule = POLICY['GET /api/inspection/rounds/:id/package'];
    const roles: readonly string[] = rule?.access === 'roles' ? rule.roles : [];
    const demo = (await (await fetch(`${baseUrl}/api/auth/session`)).json()) as { demo: { accounts: { username: string; role: string }[] } };
    const expected = demo.demo.accounts.filter((a) => roles.includes(a.role)).map((a) => a.username);
    expect(offered.sort()).toEqual(expected.sort());
    expect(offered.length).toBeLessThan(everyone);
    const named = await page.getByTestId('login-roles').textContent();
    expect(named).toContain('巡查员');
    expect(named).not.toContain('只读用户');
    await page.waitForLoadState('networkidle');
    if (shots) await page.screenshot({ path: join(shots, 'login-field.png') });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows the start map with grouped actions, the attribution clear of the scale bar, and Chinese words only', async () => {
    const problems: string[] = [];
    const page = await signedIn('admin', problems);
    await page.goto(baseUrl);
    await waitForMap(page);

    // ten actions in four labelled groups; every action keeps its test id
    const groups = await page.locator('header [role=group]').evaluateAll((nodes) =>
      nodes.map((node) => ({ label: node.getAttribute('aria-label'), buttons: node.querySelectorAll(':scope > button').length })));
    expect(groups.map((g) => g.label)).toEqual(['业务', '分析', '巡查', '数据']);
    for (const group of groups) expect(group.buttons, group.label ?? '').toBeGreaterThanOrEqual(2);
    expect(groups.reduce((n, g) => n + g.buttons, 0)).toBe(9);
    for (const id of ['problems-toggle', 'edit-toggle', 'blind-spot-toggle', 'heatmap-toggle', 'indicators-toggle', 'inspection-toggle', 'readiness-toggle', 'import-toggle', 'export-open']) {
      expect(await page.getByTestId(id).count(), id).toBe(1);
    }

    const attribution = await page.locator('.maplibregl-ctrl-attrib').boundingBox();
    const scale = await page.locator('.maplibregl-ctrl-scale').boundingBox();
    expect(attribution && scale).toBeTruthy();
    expect(overlaps(attribution!, scale!)).toBe(false);
    if (shots) await page.screenshot({ path: join(shots, 'start-map.png') });

    expect(await strayLatin(page)).toEqual([]);
    // the main panels, one after another
    for (const [toggle, ready] of [
      ['problems-toggle', '[data-testid=problem-row]'],
      ['blind-spot-toggle', '[data-testid=blind-findings] li'],
      ['inspection-toggle', '[data-testid=round-row]'],
    ] as const) {
      await page.getByTestId(toggle).click();
      await page.locator(ready).first().waitFor({ timeout: 60_000 });
      if (shots) await page.screenshot({ path: join(shots, `panel-${toggle}.png`) });
      expect(await strayLatin(page), toggle).toEqual([]);
    }
    await page.getByTestId('user-menu').click();
    await page.getByTestId('menu-audit').click();
    await page.getByTestId('audit-sentence').first().waitFor({ timeout: 30_000 });
    if (shots) await page.screenshot({ path: join(shots, 'panel-audit.png') });
    expect(await strayLatin(page), 'audit log').toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 300_000);

  it('names problem categories in English in the English interface', async () => {
    const problems: string[] = [];
    const page = await signedIn('admin', problems);
    await page.addInitScript(() => localStorage.setItem('civgrid.locale', 'en'));
    await page.goto(baseUrl);
    await waitForMap(page);
    const categories = (await (await page.context().request.get(`${baseUrl}/api/categories`)).json()) as { categories: { nameZh: string; nameEn: string }[] };
    const english = new Map(categories.categories.map((c) => [c.nameZh, c.nameEn]));
    await page.getByTestId('problems-toggle').click();
    await page.getByTestId('problem-row').first().waitFor({ timeout: 60_000 });
    const shown = await page.locator('[data-testid=problem-row] .category').allTextContents();
    expect(shown.length).toBeGreaterThan(0);
    const known = new Set(english.values());
    for (const name of shown) expect(known, name).toContain(name);
    expect(shown.filter((name) => /[\u4e00-\u9fff]/.test(name))).toEqual([]);
    if (shots) await page.screenshot({ path: join(shots, 'problems-en.png') });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
