/**
 * The start page in headless Chromium against the real server on a fresh test
 * database, signed in as the demo viewer: the district is drawn, nothing logs an error, the layer list
 * counts the 165 inspection points, clicking a point shows its responsible
 * people, clicking elsewhere asks who is responsible there, and the English
 * switch works and is remembered.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * Without Chromium it skips, unless CI is set: then it fails.
 * CIVGRID_SCREENSHOT=1 saves the start page to docs/screenshot.png.
 */
/// <reference lib="dom" />
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBasemapFile } from '../../tiles/src/cli/basemap-file.ts';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
const webRoot = resolve(root, 'web/dist');
/** The parts of the MapLibre map (exposed as `window.__civgridMap`) that the test uses. */
interface TestMap {
  getCanvas(): HTMLCanvasElement;
  project(lngLat: [number, number]): { x: number; y: number };
  getZoom(): number;
  getLayer(id: string): unknown;
  queryRenderedFeatures(
    geometry?: [number, number] | [[number, number], [number, number]] | { layers: string[] },
    options?: { layers: string[] },
  ): { id?: string | number; properties: Record<string, unknown>; geometry: { type: string; coordinates?: unknown } }[];
}
type Hooked = Window & { __civgridMap?: TestMap };

interface PointFeature {
  id: number;
  properties: { id: number; name: string; people_count: number };
  geometry: { type: 'Point'; coordinates: [number, number] };
}

describe.skipIf(skipBrowser)('start page', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const basemapRanges: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'index.html'))) {
      throw new Error(`${webRoot}/index.html is missing: run \`pnpm --filter @civgrid/web build\` first`);
    }
    database = await freshDatabase();
    // the offline basemap, built from the district's own data as `pnpm tiles:basemap` does
    const tilesDir = mkdtempSync(join(tmpdir(), 'civgrid-e2e-tiles-'));
    await buildBasemapFile(database.db, join(tilesDir, 'basemap.pmtiles'));
    const app = createApp({ database, webRoot, tilesDir });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    browser = await launchChromium();
    page = await watchedPage(browser, problems);
    // the basemap's Range requests from the first paint on: it is the default, so its tiles may all
    // be in before the basemap test starts
    page.on('request', (request) => {
      if (request.url().endsWith('/api/public/map/basemap.pmtiles')) basemapRanges.push(request.headers().range ?? '');
    });
    // signed in as the read-only demo account; the page's context keeps the session cookie
    const login = await page.context().request.post(`${baseUrl}/api/auth/login`, { data: { username: 'viewer', password: DEMO_PASSWORD } });
    expect(login.status()).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  /** A call with the page's session cookie. */
  async function api<T>(path: string): Promise<T> {
    const response = await page.context().request.get(`${baseUrl}${path}`);
    expect(response.status(), path).toBe(200);
    return (await response.json()) as T;
  }

  async function waitForMap(): Promise<void> {
    await page.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 90_000 });
    const state = await page.evaluate(() => document.body.dataset.mapReady);
    if (state !== 'true') {
      const banner = await page.locator('[data-testid=error-banner]').textContent().catch(() => null);
      throw new Error(`the map did not load: ${banner ?? state}`);
    }
  }

  it('draws the district with no errors and counts the inspection points', async () => {
    await page.goto(baseUrl);
    await waitForMap();

    expect(await page.title()).toBe('civgrid 网格化管理');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');

    const drawn = await page.evaluate(() => {
      const map = (window as Hooked).__civgridMap;
      if (!map) return null;
      const count = (layer: string) => map.queryRenderedFeatures({ layers: [layer] }).length;
      return {
        district: count('district:line'),
        streets: count('streets:line'),
        points: count('inspection-points'),
        cityZones: count('zones:sanitation-city:fill'),
        townZones: count('zones:sanitation-town:fill'),
        labels: count('streets:label'),
      };
    });
    expect(drawn).not.toBeNull();
    expect(drawn?.district).toBeGreaterThan(0);
    expect(drawn?.streets).toBeGreaterThan(0);
    expect(drawn?.points).toBeGreaterThan(100);
    expect(drawn?.cityZones).toBeGreaterThan(0);
    expect(drawn?.townZones).toBeGreaterThan(0);
    expect(drawn?.labels).toBeGreaterThan(0);

    const counts = await api<{ layers: { id: string; count: number }[] }>('/api/layers');
    expect(counts.layers.find((layer) => layer.id === 'inspection-points')?.count).toBe(165);
    await expect.poll(() => page.locator('[data-testid=count-inspection-points]').textContent()).toBe('165');
    await expect.poll(() => page.getByRole('heading', { name: '图层' }).count()).toBe(1);

    if (process.env.CIVGRID_SCREENSHOT === '1') {
      const file = resolve(root, 'docs/screenshot.png');
      mkdirSync(dirname(file), { recursive: true });
      await page.screenshot({ path: file });
    }
    expect(problems).toEqual([]);
  });

  it('shows the responsible people of a clicked inspection point', async () => {
    const points = await api<{ features: PointFeature[] }>('/api/layers/inspection-points');
    const staffed = new Set(points.features.filter((f) => f.properties.people_count > 0).map((f) => f.properties.id));

    // A staffed point in the open part of the map, well away from its neighbours on screen.
    const target = await page.evaluate((ids) => {
      const map = (window as Hooked).__civgridMap;
      if (!map) return null;
      const canvas = map.getCanvas().getBoundingClientRect();
      const rendered = map.queryRenderedFeatures({ layers: ['inspection-points'] });
      const placed = rendered.map((feature) => {
        const [lon, lat] = feature.geometry.coordinates as [number, number];
        const pixel = map.project([lon, lat]);
        return { id: Number(feature.properties.id), x: pixel.x, y: pixel.y };
      });
      const open = placed.filter((p) => ids.includes(p.id) && p.x > 330 && p.x < canvas.width - 380 && p.y > 40 && p.y < canvas.height - 60);
      let best: { id: number; x: number; y: number; gap: number } | null = null;
      for (const p of open) {
        const gap = Math.min(...placed.filter((q) => q.id !== p.id).map((q) => Math.hypot(q.x - p.x, q.y - p.y)));
        if (!best || gap > best.gap) best = { ...p, gap };
      }
      return best && { id: best.id, x: canvas.left + best.x, y: canvas.top + best.y, gap: best.gap };
    }, [...staffed]);
    expect(target, 'a staffed inspection point on screen').not.toBeNull();
    if (!target) return;
    expect(target.gap).toBeGreaterThan(12);

    await page.mouse.click(target.x, target.y);
    const panel = page.locator('[data-testid=detail-panel]');
    const people = panel.locator('[data-testid=point-people] li strong');
    await expect.poll(() => people.count(), { timeout: 15_000 }).toBeGreaterThan(0);

    const detail = await api<{ name: string; code: string; people: { name: string }[] }>(`/api/inspection-points/${target.id}`);
    expect(await panel.locator('h2').textContent()).toBe(detail.name);
    expect(await people.allTextContents()).toEqual(detail.people.map((person) => person.name));
    expect(problems).toEqual([]);
  });

  it('answers who is responsible for a clicked place', async () => {
    const dutyTypes = await api<{ id: string }[]>('/api/duty-types');
    // The middle of the district's screen box, nudged off any point.
    const spot = await page.evaluate(() => {
      const map = (window as Hooked).__civgridMap;
      if (!map) return null;
      const canvas = map.getCanvas().getBoundingClientRect();
      for (let step = 0; step < 200; step++) {
        const x = 420 + ((step * 37) % 400);
        const y = 200 + ((step * 53) % 400);
        const box: [[number, number], [number, number]] = [[x - 12, y - 12], [x + 12, y + 12]];
        const nearPoint = map.queryRenderedFeatures(box, { layers: ['inspection-points'] }).length > 0;
        const inDistrict = map.queryRenderedFeatures([x, y], { layers: ['district:fill'] }).length > 0;
        if (!nearPoint && inDistrict) return { x: canvas.left + x, y: canvas.top + y };
      }
      return null;
    });
    expect(spot).not.toBeNull();
    if (!spot) return;
    await page.mouse.click(spot.x, spot.y);
    const panel = page.locator('[data-testid=detail-panel]');
    await expect.poll(() => panel.locator('h2').textContent()).toBe('这里归谁管？');
    await expect.poll(() => panel.locator('[data-testid=duties] > li').count(), { timeout: 15_000 }).toBe(dutyTypes.length);
    expect(await panel.locator('[data-testid=territory] dd').count()).toBe(3);
    expect(problems).toEqual([]);
  });

  it('finds the blind spots between city and town sanitation, lists them, draws them and zooms to one', async () => {
    await page.getByTestId('blind-spot-toggle').click();
    const panel = page.getByTestId('blind-spot-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    // the cross-tier view is the default: what neither tier covers, and what both claim
    const expected = await api<{ features: { properties: { kind: string; sliver: boolean } }[] }>('/api/coverage/cross-tier?area=district');
    const neither = expected.features.filter((f) => f.properties.kind === 'neither' && !f.properties.sliver).length;
    const both = expected.features.filter((f) => f.properties.kind === 'both' && !f.properties.sliver).length;
    expect(neither).toBeGreaterThanOrEqual(3);
    await expect.poll(() => panel.getByTestId('blind-findings').locator('li').count(), { timeout: 30_000 }).toBe(expected.features.length);
    const totals = await panel.getByTestId('blind-totals').textContent();
    expect(totals).toContain(`盲区 ${neither} 处`);
    expect(totals).toContain(`重叠 ${both} 处`);
    // four streets in the summary table, and both downloads offered
    expect(await panel.getByTestId('blind-summary').locator('tbody tr').count()).toBe(4);
    expect(await panel.locator('a[href*="format=csv"]').count()).toBe(1);
    expect(await panel.locator('a[href^="/api/coverage/cross-tier"]').count()).toBe(2);

    await expect.poll(() => page.evaluate(() => (window as Hooked).__civgridMap?.queryRenderedFeatures({ layers: ['findings:fill'] }).length ?? 0)).toBeGreaterThan(0);
    const before = await page.evaluate(() => (window as Hooked).__civgridMap?.getZoom() ?? 0);
    await panel.getByTestId('blind-findings').locator('li button').first().click();
    await expect.poll(() => page.evaluate(() => (window as Hooked).__civgridMap?.getZoom() ?? 0), { timeout: 10_000 }).toBeGreaterThan(before + 1);
    if (process.env.CIVGRID_SCREENSHOT === '1') {
      await page.waitForTimeout(800);
      await page.screenshot({ path: resolve(root, 'docs/blind-spots.png') });
    }

    // one duty type on its own: town sanitation's gaps and overlaps
    await panel.getByRole('tab', { name: '按责任类型' }).click();
    await panel.getByTestId('blind-duty').selectOption('sanitation-town');
    const gaps = await api<{ features: unknown[] }>('/api/coverage/gaps?duty=sanitation-town&area=district');
    const overlaps = await api<{ features: unknown[] }>('/api/coverage/overlaps?duty=sanitation-town&area=district');
    await expect
      .poll(() => panel.getByTestId('blind-findings').locator('li').count(), { timeout: 30_000 })
      .toBe(Math.max(1, gaps.features.length + overlaps.features.length));
    // …within one community
    const communities = await api<{ features: { properties: { id: number } }[] }>('/api/layers/communities');
    const community = communities.features[0]!.properties.id;
    await panel.getByTestId('blind-area').selectOption(String(community));
    const inside = await api<{ features: unknown[] }>(`/api/coverage/gaps?duty=sanitation-town&area=${community}`);
    const insideOverlaps = await api<{ features: unknown[] }>(`/api/coverage/overlaps?duty=sanitation-town&area=${community}`);
    await expect
      .poll(() => panel.getByTestId('blind-findings').locator('li').count(), { timeout: 30_000 })
      .toBe(Math.max(1, inside.features.length + insideOverlaps.features.length));
    await page.getByTestId('blind-spot-toggle').click();
    await expect.poll(() => panel.count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('puts the built-in offline basemap under the map, read from PMTiles with Range requests', async () => {
    const ranges = basemapRanges;
    await page.getByTestId('basemap').selectOption('builtin');
    // the layers arrive with the basemap's style; querying them before would log an error
    await expect.poll(() => page.evaluate(() => Boolean((window as Hooked).__civgridMap?.getLayer('basemap:builtin:roads'))), { timeout: 20_000 }).toBe(true);
    await expect
      .poll(() => page.evaluate(() => (window as Hooked).__civgridMap?.queryRenderedFeatures({ layers: ['basemap:builtin:roads'] }).length ?? 0), { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.every((r) => r.startsWith('bytes='))).toBe(true);
    await expect.poll(() => page.locator('.maplibregl-ctrl-attrib').textContent()).toContain('OpenStreetMap');
    await page.getByTestId('basemap').selectOption('none');
    await expect
      .poll(() => page.evaluate(() => (window as Hooked).__civgridMap?.queryRenderedFeatures({ layers: ['district:line'] }).length ?? 0))
      .toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('switches to English and remembers it', async () => {
    await page.getByTestId('language-toggle').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByRole('heading', { name: 'Layers' }).count()).toBe(1);
    expect(await page.locator('[data-testid=detail-panel] h2').textContent()).toBe('Who is responsible here?');

    await page.reload();
    await waitForMap();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByRole('heading', { name: 'Layers' }).count()).toBe(1);
    expect(await page.title()).toBe('civgrid 网格化管理');
    expect(problems).toEqual([]);
  });
});
