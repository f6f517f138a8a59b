/**
 * 热力图 in headless Chromium against the real server on a fresh test
 * database (the demo's problems): a supervisor opens the view, the heat map
 * is drawn from the problems tiles with no console error, a filter gives the
 * tiles new URLs that carry it (and the statistics follow), the hot-spot list
 * matches the API and a click on one moves the map to it, the choropleth's
 * legend shows and switches to densities, and the English labels are
 * complete. A viewer has no heat-map button.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp/shots saves each step there.
 */
/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
const webRoot = resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;

/** The parts of the map (window.__civgridMap) and the heat map's hook (window.__civgridHeatmap) the test reads. */
interface TestMap {
  getCenter(): { lng: number; lat: number };
  getZoom(): number;
  getBounds(): { getWest(): number; getEast(): number; getSouth(): number; getNorth(): number };
  getLayer(id: string): unknown;
  getLayoutProperty(id: string, name: string): unknown;
  getPaintProperty(id: string, name: string): unknown;
  querySourceFeatures(source: string, options: { sourceLayer: string }): { properties: Record<string, unknown> }[];
}
type Hooked = Window & { __civgridMap?: TestMap; __civgridHeatmap?: { firstRenderMs: number | null; renders: number; tiles: string } };

interface Hotspot {
  rank: number;
  count: number;
  centroid: [number, number];
  bbox: [number, number, number, number];
  grid: { name: string } | null;
}

describe.skipIf(skipBrowser)('heat map', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const tileRequests: string[] = [];

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'index.html'))) {
      throw new Error(`${webRoot}/index.html is missing: run \`pnpm --filter @civgrid/web build\` first`);
    }
    database = await freshDatabase();
    const app = createApp({ database, webRoot, demo: true });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await signedIn('supervisor');
    page.on('request', (request) => {
      if (request.url().includes('/tiles/problems/')) tileRequests.push(request.url());
    });
    if (shots) mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  async function signedIn(username: string): Promise<Page> {
    const p = await watchedPage(browser, problems);
    const login = await p.context().request.post(`${baseUrl}/api/auth/login`, { data: { username, password: DEMO_PASSWORD } });
    expect(login.status()).toBe(200);
    await p.goto(baseUrl);
    await p.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 90_000 });
    expect(await p.evaluate(() => document.body.dataset.mapReady)).toBe('true');
    return p;
  }

  async function api<T>(path: string): Promise<T> {
    const response = await page.context().request.get(`${baseUrl}${path}`);
    expect(response.status(), path).toBe(200);
    return (await response.json()) as T;
  }

  function expectNoProblems(): void {
    const left = [...problems];
    problems.length = 0;
    expect(left).toEqual([]);
  }

  async function shot(name: string): Promise<void> {
    if (shots) await page.screenshot({ path: join(shots, `heatmap-${name}.png`) });
  }

  /**
   * Waits until the heat map has drawn the tiles of the filters it shows now:
   * their URL has `name=value` (value null: no such parameter; name null: no
   * query at all).
   */
  async function drawnWith(name: string | null, value: string | null): Promise<void> {
    await page.waitForFunction(
      ([n, v]) => {
        const hook = (window as Hooked).__civgridHeatmap;
        if (document.body.dataset.heatmapReady !== 'true' || !hook) return false;
        const search = new URLSearchParams(hook.tiles.split('?')[1] ?? '');
        if (n === null) return search.toString() === '';
        return search.get(n) === v;
      },
      [name, value] as const,
      { timeout: 90_000 },
    );
  }

  /** Pixels of the map between the panels, as raw RGB(A). */
  async function mapPixels(): Promise<{ data: Buffer; channels: number }> {
    const png = await page.screenshot({ clip: { x: 300, y: 46, width: 590, height: 750 } });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    return { data, channels: info.channels };
  }

  /** How many pixels the heat map changes: the map with it, against the map with it switched off. */
  async function heatPixels(): Promise<number> {
    const on = await mapPixels();
    await page.getByTestId('heat-show-heat').uncheck();
    await page.waitForTimeout(600);
    const off = await mapPixels();
    await page.getByTestId('heat-show-heat').check();
    let changed = 0;
    for (let i = 0; i < on.data.length; i += on.channels) {
      const d = Math.abs(on.data[i]! - off.data[i]!) + Math.abs(on.data[i + 1]! - off.data[i + 1]!) + Math.abs(on.data[i + 2]! - off.data[i + 2]!);
      if (d > 60) changed++;
    }
    return changed;
  }

  const mapState = () =>
    page.evaluate(() => {
      const map = (window as Hooked).__civgridMap!;
      const b = map.getBounds();
      return { center: map.getCenter(), zoom: map.getZoom(), bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] };
    });

  it('draws the heat map from the problems tiles, with no errors', async () => {
    await page.getByTestId('heatmap-toggle').click();
    await page.getByTestId('heatmap-panel').waitFor();
    // all time: the demo's problems lie in the year up to the day it was seeded (or re-anchored)
    await page.locator('[data-testid=heat-period] [data-value=all]').click();
    await drawnWith('from', null);
    await page.getByTestId('heat-hotspots').waitFor();

    const state = await page.evaluate(() => {
      const map = (window as Hooked).__civgridMap!;
      const cells = map.querySourceFeatures('heat:problems', { sourceLayer: 'problems' });
      return {
        hook: (window as Hooked).__civgridHeatmap,
        heat: map.getLayer('heat:heatmap') !== undefined,
        visible: map.getLayoutProperty('heat:heatmap', 'visibility') ?? 'visible',
        cells: cells.length,
        problems: cells.reduce((sum, f) => sum + Number(f.properties.count ?? 1), 0),
      };
    });
    expect(state.heat).toBe(true);
    expect(state.visible).toBe('visible');
    expect(state.cells).toBeGreaterThan(100);
    expect(state.problems).toBeGreaterThan(1000);
    expect(state.hook?.firstRenderMs).toBeGreaterThan(0);
    expect(state.hook?.tiles).toContain('/tiles/problems/{z}/{x}/{y}.mvt');
    // and it is seen: switching it off changes a good part of the map (the choropleth off, to tell them apart)
    await page.getByTestId('heat-show-choropleth').uncheck();
    await page.waitForTimeout(600);
    expect(await heatPixels()).toBeGreaterThan(5000);
    await page.getByTestId('heat-show-choropleth').check();
    expect(tileRequests.length).toBeGreaterThan(0);
    await page.waitForTimeout(800);
    await shot('district');
    expectNoProblems();
  });

  it('reloads the tiles with the filter in their URLs when a filter changes, and the statistics follow', async () => {
    const total = async () => (await page.getByTestId('heat-total').textContent()) ?? '';
    const allProblems = await total();
    tileRequests.length = 0;
    const stats = page.waitForResponse((r) => r.url().includes('/api/problems/stats/grids') && r.url().includes('status=closed'));
    await page.locator('[data-testid=heat-status] [data-value=closed]').click();
    await drawnWith('status', 'closed');
    await stats;
    // the statistics may answer before the map has asked for the new tiles: wait for the tiles' requests
    await expect.poll(() => tileRequests.length, { timeout: 15_000 }).toBeGreaterThan(0);
    for (const url of tileRequests) expect(new URL(url).searchParams.get('status')).toBe('closed');
    expect(await page.evaluate(() => (window as Hooked).__civgridHeatmap!.tiles)).toContain('status=closed');

    const closed = await api<{ total: number }>('/api/problems/stats/grids?status=closed');
    await expect.poll(total).not.toBe(allProblems);
    expect(await total()).toBe(`共 ${closed.total.toLocaleString('zh-CN')} 件问题`);
    await shot('closed');

    // a category class: the tiles carry it too
    tileRequests.length = 0;
    await page.getByTestId('heat-category').click();
    await page.getByTestId('heat-category-menu').waitFor();
    await shot('categories');
    await page.getByTestId('heat-category-menu').locator('label.major', { hasText: '市容环境' }).locator('input').check();
    await page.getByTestId('heat-category-menu').getByRole('button', { name: '完成' }).click();
    await expect.poll(() => tileRequests.some((url) => new URL(url).searchParams.get('category') === 'evt-env')).toBe(true);
    expect(await page.getByTestId('heat-category').textContent()).toContain('已选 5 类');
    expectNoProblems();
  });

  it('lists the hot spots the API finds and zooms the map to one on a click', async () => {
    const query = 'status=closed&category=evt-env&limit=10';
    const { hotspots } = await api<{ hotspots: Hotspot[] }>(`/api/problems/hotspots?${query}`);
    expect(hotspots.length).toBeGreaterThan(0);
    const list = page.getByTestId('heat-hotspots');
    await expect.poll(async () => list.locator('li').count()).toBe(hotspots.length);
    const first = list.locator('li').first();
    // the list may still show the unfiltered hot spots (also ten) until the filtered answer arrives
    await expect.poll(async () => first.textContent(), { timeout: 30_000 }).toContain(`${hotspots[0]!.count.toLocaleString('zh-CN')} 件`);
    if (hotspots[0]!.grid) expect(await first.textContent()).toContain(hotspots[0]!.grid.name);
    // one numbered marker per hot spot on the map
    expect(await page.getByTestId('heat-marker').count()).toBe(hotspots.length);

    const before = await mapState();
    await first.locator('button').click();
    await expect.poll(async () => (await mapState()).zoom, { timeout: 10_000 }).toBeGreaterThan(before.zoom + 1);
    // the fly ends and the tiles of the new view are drawn
    await page.waitForFunction(() => {
      const map = (window as Hooked).__civgridMap as unknown as { loaded(): boolean; areTilesLoaded(): boolean; isMoving(): boolean };
      return !map.isMoving() && map.loaded() && map.areTilesLoaded();
    }, null, { timeout: 60_000 });
    const after = await mapState();
    const [x, y] = hotspots[0]!.centroid;
    expect(x).toBeGreaterThan(after.bounds[0]!);
    expect(x).toBeLessThan(after.bounds[2]!);
    expect(y).toBeGreaterThan(after.bounds[1]!);
    expect(y).toBeLessThan(after.bounds[3]!);
    await shot('hotspot');
    expectNoProblems();
  });

  it('shows the grid choropleth with its legend, by count or by density', async () => {
    const legend = page.getByTestId('heat-legend');
    await legend.waitFor();
    expect(await legend.textContent()).toContain('网格问题数（件）');
    expect(await legend.locator('.swatch').count()).toBeGreaterThanOrEqual(3);
    const fill = await page.evaluate(() => (window as Hooked).__civgridMap!.getPaintProperty('heat:choropleth', 'fill-color'));
    expect(Array.isArray(fill) && fill[0] === 'match').toBe(true);

    await page.locator('[data-testid=heat-metric] [data-value=density]').click();
    await expect.poll(async () => legend.textContent()).toContain('网格问题密度（件/km²）');
    // back to the whole district, all problems, to see the classes over every grid
    await page.locator('[data-testid=heat-status] [data-value=all]').click();
    await page.getByTestId('heat-category').click();
    await page.getByTestId('heat-category-menu').getByRole('button', { name: '全部类别' }).click();
    await page.keyboard.press('Escape');
    await page.evaluate(() => (window as unknown as { __civgridMap: { zoomTo(z: number, o: object): void } }).__civgridMap.zoomTo(12.3, { duration: 0 }));
    await drawnWith(null, null);
    await page.waitForTimeout(1000);
    await shot('density');
    expectNoProblems();
  });

  it('reads in English, every label translated', async () => {
    await page.getByTestId('language-toggle').click();
    const panel = page.getByTestId('heatmap-panel');
    await expect.poll(async () => panel.textContent()).toContain('Problem heat map');
    const text = (await panel.textContent()) ?? '';
    for (const words of ['Category', 'All categories', 'Status', 'Closed', 'Overdue', '7 days', 'This year', 'Choropleth', 'Trend', 'Hot spots']) {
      expect(text).toContain(words);
    }
    expect(text).not.toMatch(/heat\.[a-z]/);
    expect(await page.getByTestId('heatmap-toggle').textContent()).toContain('Heat map');
    await shot('english');
    await page.getByTestId('language-toggle').click();
    expectNoProblems();
  });

  it('has no heat-map button for a viewer', async () => {
    const viewer = await signedIn('viewer');
    expect(await viewer.getByTestId('heatmap-toggle').count()).toBe(0);
    expect((await viewer.context().request.get(`${baseUrl}/api/problems/hotspots`)).status()).toBe(403);
    await viewer.context().close();
    expectNoProblems();
  });
});
