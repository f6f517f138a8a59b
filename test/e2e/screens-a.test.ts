/**
 * The desktop screens as a user found them on a fresh clone at 1280×800
 * (issue 16, item 5, part A), in headless Chromium against the real server
 * on a fresh test database:
 * - no data table clips a number, in Chinese and in English (the indicators
 *   table fits without scrolling; the others fit or scroll);
 * - the heat map ranks the communities and fits the map to the one clicked,
 *   its 最多 figure fits the map to that unit, a hot spot says how its count
 *   relates to its grid's, the trend says which period it covers against the
 *   panel's total;
 * - opening a round fits the map to its routes (after a point was focused
 *   elsewhere, which used to leave a padding behind: "Map cannot fit within
 *   canvas"), and every group card with stops shows its route's length;
 * - right panels end above the zoom buttons, the layer list folds (and stays
 *   folded after a reload), the editor's panels keep off the map's centre,
 *   and a map click with a panel open still answers who is responsible there.
 * Expectations come from the API and the database, never from the seed's dates.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp/shots saves the screens there.
 */
/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
const webRoot = resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;

type Box = { left: number; top: number; right: number; bottom: number };
type BBox = [number, number, number, number];
interface UnitRow {
  id: number;
  name: string;
  count: number;
  bbox: BBox;
}
interface Units {
  level: 'grid' | 'community';
  total: number;
  rows: UnitRow[];
}
interface Hotspot {
  rank: number;
  count: number;
  cells: number;
  grid: { id: number; name: string } | null;
}
interface Trend {
  from: string;
  to: string;
  totals: { reported: number; closed: number };
}
interface IndicatorRow {
  id: number | null;
  overdueOpen: number;
  due: number;
}
interface RouteFeature {
  geometry: { type: 'Point'; coordinates: number[] } | { type: 'MultiLineString'; coordinates: number[][][] };
  properties: { kind: 'route' | 'stop'; groupId: number; lengthM?: number };
}
interface Round {
  id: number;
  assignedCount: number;
  groups: { id: number; pointCount: number }[];
}

/** The map as the page has it (window.__civgridMap, web/src/map/TestHook.svelte). */
interface TestMap {
  project(lngLat: [number, number]): { x: number; y: number };
  getContainer(): HTMLElement;
  isMoving(): boolean;
  loaded(): boolean;
  getZoom(): number;
}
type Hooked = Window & { __civgridMap?: TestMap };

const intersects = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

// generous: the machine these run on is shared, and each test opens several panels
describe.skipIf(skipBrowser)('desktop screens: tables, heat map, rounds, layout', { timeout: 600_000 }, () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  const problems: string[] = [];
  /** MapLibre's warnings (console.warn), where "Map cannot fit within canvas" shows. */
  const warnings: string[] = [];

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
    if (shots) mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  /** A page of its own at 1280×800, signed in as `username`, in `locale`, with the map loaded. */
  async function signedIn(username: string, locale: 'zh' | 'en' = 'zh'): Promise<Page> {
    const p = await watchedPage(browser, problems);
    p.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await p.addInitScript((value) => localStorage.setItem('civgrid.locale', value), locale);
    const login = await p.context().request.post(`${baseUrl}/api/auth/login`, { data: { username, password: DEMO_PASSWORD } });
    expect(login.status()).toBe(200);
    await p.goto(baseUrl);
    await mapReady(p);
    return p;
  }

  async function mapReady(p: Page): Promise<void> {
    await p.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 90_000 });
    expect(await p.evaluate(() => document.body.dataset.mapReady)).toBe('true');
  }

  async function api<T>(p: Page, path: string): Promise<T> {
    const response = await p.context().request.get(`${baseUrl}${path}`);
    expect(response.status(), path).toBe(200);
    return (await response.json()) as T;
  }

  function expectNoProblems(): void {
    const left = [...problems];
    problems.length = 0;
    expect(left).toEqual([]);
  }

  async function shot(p: Page, name: string): Promise<void> {
    if (shots) await p.screenshot({ path: join(shots, `screens-a-${name}.png`) });
  }

  async function box(p: Page, selector: string): Promise<Box> {
    const rect = await p.locator(selector).first().boundingBox();
    expect(rect, selector).not.toBeNull();
    return { left: rect!.x, top: rect!.y, right: rect!.x + rect!.width, bottom: rect!.y + rect!.height };
  }

  /** Until the map stands still with its tiles loaded (a fit animates). */
  async function mapSettled(p: Page): Promise<void> {
    await p.waitForFunction(() => {
      const map = (window as Hooked).__civgridMap;
      return !!map && !map.isMoving() && map.loaded();
    }, null, { timeout: 60_000 });
  }

  /**
   * The part of the map no panel covers: the map's box less the layer list on
   * the left and the panels on the right (every element marked data-map-cover
   * that stands at a side).
   */
  async function visibleMap(p: Page): Promise<Box> {
    return p.evaluate(() => {
      const map = (window as Hooked).__civgridMap!;
      const area = map.getContainer().getBoundingClientRect();
      const out = { left: area.left, top: area.top, right: area.right, bottom: area.bottom };
      for (const element of Array.from(document.querySelectorAll<HTMLElement>('[data-map-cover]'))) {
        const r = element.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.width > area.width * 0.8) continue;
        if (r.left - area.left < area.right - r.right) out.left = Math.max(out.left, r.right);
        else out.right = Math.min(out.right, r.left);
      }
      return out;
    });
  }

  /** A box of longitudes and latitudes on the screen now. */
  async function onScreen(p: Page, bbox: BBox): Promise<Box> {
    return p.evaluate(([x0, y0, x1, y1]) => {
      const map = (window as Hooked).__civgridMap!;
      const area = map.getContainer().getBoundingClientRect();
      const a = map.project([x0, y1]);
      const b = map.project([x1, y0]);
      return { left: area.left + a.x, top: area.top + a.y, right: area.left + b.x, bottom: area.top + b.y };
    }, bbox);
  }

  /** The shape is inside the visible part of the map (1 px of rounding) and fills a fair part of it. */
  function expectFitted(shape: Box, visible: Box): void {
    expect(shape.left).toBeGreaterThanOrEqual(visible.left - 1);
    expect(shape.right).toBeLessThanOrEqual(visible.right + 1);
    expect(shape.top).toBeGreaterThanOrEqual(visible.top - 1);
    expect(shape.bottom).toBeLessThanOrEqual(visible.bottom + 1);
    const fill = Math.max((shape.right - shape.left) / (visible.right - visible.left), (shape.bottom - shape.top) / (visible.bottom - visible.top));
    expect(fill).toBeGreaterThan(0.25);
  }

  /**
   * The cells of a table that show digits and cannot be read whole. `strict`:
   * each must be visible as the panel stands (inside every box that clips it,
   * no scrolling); otherwise a box that clips it must scroll sideways to it.
   * A cell whose text overflows the cell itself (an ellipsis) always fails.
   */
  async function hiddenNumbers(p: Page, testid: string, strict: boolean): Promise<string[]> {
    const table = p.getByTestId(testid);
    await table.waitFor();
    return table.evaluate((element, strictly) => {
      const out: string[] = [];
      for (const td of Array.from(element.querySelectorAll('td'))) {
        const text = td.textContent?.trim() ?? '';
        if (!/\d/.test(text)) continue;
        if (td.scrollWidth > td.clientWidth + 1) out.push(`${text}: wider than its cell`);
        const r = td.getBoundingClientRect();
        if (r.right > window.innerWidth + 1) out.push(`${text}: beyond the window`);
        for (let up = td.parentElement; up; up = up.parentElement) {
          const style = getComputedStyle(up);
          if (style.overflowX === 'visible') continue;
          const a = up.getBoundingClientRect();
          const inside = r.left >= a.left - 1 && r.right <= a.right + 1;
          if (inside) continue;
          const scrolls = (style.overflowX === 'auto' || style.overflowX === 'scroll') && up.scrollWidth > up.clientWidth;
          if (strictly || !scrolls) out.push(`${text}: hidden by ${up.tagName.toLowerCase()}.${up.className.split(' ')[0] ?? ''}`);
          break;
        }
      }
      return out;
    }, strict);
  }

  /** The first and last day of the demo's problems, China time: a period with every problem in it. */
  async function problemPeriod(): Promise<{ from: string; to: string }> {
    const { rows } = await sql<{ from: string; to: string }>`
      SELECT to_char(min(reported_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS from,
             to_char(max(reported_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS to
      FROM problems`.execute(database.db);
    return rows[0]!;
  }

  it('clips no number in any table at 1280×800, in Chinese and in English', async () => {
    const period = await problemPeriod();
    for (const locale of ['zh', 'en'] as const) {
      const page = await signedIn('admin', locale);
      await page.getByTestId('indicators-toggle').click();
      await page.getByTestId('indicators-panel').waitFor();
      await page.getByTestId('indicators-from').fill(period.from);
      await page.getByTestId('indicators-to').fill(period.to);
      for (const by of ['street', 'community', 'owner'] as const) {
        await page.getByTestId(`indicators-by-${by}`).click();
        const { rows } = await api<{ rows: IndicatorRow[] }>(page, `/api/indicators?by=${by}&from=${period.from}&to=${period.to}`);
        await expect.poll(() => page.locator('[data-testid=indicators-row]').count()).toBe(rows.length);
        // the numbers are large enough to clip (four digits somewhere), and all of them are shown whole
        expect(Math.max(...rows.map((r) => r.due))).toBeGreaterThanOrEqual(100);
        expect(await hiddenNumbers(page, 'indicators-table', true), `${locale} by ${by}`).toEqual([]);
        const shown = await page.locator('[data-testid=indicators-row] td[data-col=overdueOpen]').allTextContents();
        expect(shown.map(Number).sort((a, b) => a - b)).toEqual(rows.map((r) => r.overdueOpen).sort((a, b) => a - b));
        if (by === 'street') await shot(page, `indicators-${locale}`);
      }
      // the red/black list of a fortnight with problems due in it
      await page.getByTestId('rankings-tab').click();
      const fortnight = new Date(Date.parse(`${period.to}T00:00:00Z`) - 10 * 86_400_000).toISOString().slice(0, 10);
      expect((await api<{ ranked: unknown[] }>(page, `/api/rankings/communities?period=${fortnight}`)).ranked.length).toBeGreaterThan(0);
      await page.getByTestId('rankings-period').fill(fortnight);
      await page.getByTestId('rankings-all-toggle').click();
      expect(await hiddenNumbers(page, 'rankings-all', false), `${locale} rankings`).toEqual([]);

      await page.getByTestId('user-menu').click();
      await page.getByTestId('menu-users').click();
      expect(await hiddenNumbers(page, 'users-table', false), `${locale} users`).toEqual([]);
      await page.getByTestId('user-menu').click();
      await page.getByTestId('menu-categories').click();
      expect(await hiddenNumbers(page, 'categories-table', false), `${locale} categories`).toEqual([]);
      await page.getByTestId('user-menu').click();
      await page.getByTestId('menu-categories').click(); // closes it

      await page.getByTestId('readiness-toggle').click();
      expect(await hiddenNumbers(page, 'readiness-streets', false), `${locale} readiness`).toEqual([]);

      await page.getByTestId('inspection-toggle').click();
      await page.getByTestId('inspection-tab-scores').click();
      await page.getByTestId('scores-view').waitFor();
      if (await page.getByTestId('scores-communities').count()) {
        expect(await hiddenNumbers(page, 'scores-communities', false), `${locale} scores`).toEqual([]);
        expect(await hiddenNumbers(page, 'scores-points', false), `${locale} point scores`).toEqual([]);
        await shot(page, `scores-${locale}`);
      }
      await page.close();
    }
    expectNoProblems();
  });

  it('ranks the communities, fits the map to one clicked and to the place with the most, and says how its figures relate', async () => {
    const page = await signedIn('supervisor');
    const answers = new Map<string, unknown>();
    page.on('response', async (response) => {
      const url = new URL(response.url());
      if (!url.pathname.startsWith('/api/problems/') || response.status() !== 200) return;
      const key = url.pathname.endsWith('/stats/grids') ? `units:${url.searchParams.get('level')}` : url.pathname.split('/').pop()!;
      answers.set(key, { params: url.searchParams, body: await response.json().catch(() => null) });
    });
    await page.getByTestId('heatmap-toggle').click();
    await page.getByTestId('heatmap-panel').waitFor();
    await page.getByTestId('heat-ranking').waitFor({ timeout: 60_000 });
    await page.getByTestId('heat-hotspots').waitFor({ timeout: 60_000 });
    await expect.poll(() => answers.has('units:community') && answers.has('trend') && answers.has('hotspots')).toBe(true);
    const filters = (answers.get('units:community') as { params: URLSearchParams }).params;
    filters.delete('level');

    // the ranking: the communities with problems, most first, as the API counts them under the panel's filters
    const communities = await api<Units>(page, `/api/problems/stats/grids?level=community&${filters}`);
    const ranked = communities.rows.filter((r) => r.count > 0).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, 'zh'));
    expect(ranked.length).toBeGreaterThan(2);
    const rows = page.getByTestId('heat-ranking-row');
    const listed = await rows.evaluateAll((buttons) => buttons.map((b) => Number((b as HTMLElement).dataset.count)));
    expect(listed).toEqual(ranked.slice(0, listed.length).map((r) => r.count));
    expect(await rows.first().textContent()).toContain(ranked[0]!.name);

    // a click on the third fits the map to that community, clear of the panels
    const third = ranked[2]!;
    await rows.nth(2).click();
    await mapSettled(page);
    expectFitted(await onScreen(page, third.bbox), await visibleMap(page));
    await shot(page, 'heat-ranking');

    // 最多: the grid with the most problems, and a click fits the map to it
    const grids = await api<Units>(page, `/api/problems/stats/grids?level=grid&${filters}`);
    const most = grids.rows.reduce((best, row) => (row.count > best.count ? row : best));
    const link = page.getByTestId('heat-most');
    expect(Number(await link.getAttribute('data-id'))).toBe(most.id);
    expect(await link.textContent()).toContain(most.name);
    await link.click();
    await mapSettled(page);
    expectFitted(await onScreen(page, most.bbox), await visibleMap(page));

    // a hot spot: its count, its extent (cells of cellM × cellM) and its grid's own count, which is another figure
    const { hotspots, cellM } = await api<{ hotspots: Hotspot[]; cellM: number }>(page, `/api/problems/hotspots?limit=10&${filters}`);
    expect(hotspots.length).toBeGreaterThan(0);
    const spot = hotspots[0]!;
    expect(Number(await page.getByTestId('heat-hotspot-count').first().getAttribute('data-count'))).toBe(spot.count);
    const extent = (await page.getByTestId('heat-hotspot-extent').first().textContent()) ?? '';
    expect(extent).toContain(`${((spot.cells * cellM * cellM) / 10_000).toLocaleString('zh-CN', { maximumFractionDigits: 1 })} 公顷`);
    if (spot.grid) {
      const gridCount = grids.rows.find((r) => r.id === spot.grid!.id)!.count;
      expect(extent).toContain(`“${spot.grid.name}”共 ${gridCount.toLocaleString('zh-CN')} 件`);
    }
    expect(await page.getByTestId('heat-hotspots-why').textContent()).toContain(`${cellM} 米方格`);

    // the trend against the total: the same period and count, or a sentence why not
    const note = page.getByTestId('heat-trend-note');
    const relation = async () => {
      const trend = (answers.get('trend') as { body: Trend }).body;
      const units = (answers.get('units:grid') as { body: Units }).body;
      const text = (await note.textContent()) ?? '';
      return { trend, units, text };
    };
    {
      const { trend, units, text } = await relation();
      const from = new Date(Date.parse(trend.from) + 8 * 3_600_000).toISOString().slice(0, 10);
      expect(text).toContain(`${from} 至`);
      if (trend.totals.reported === units.total) expect(text).toContain('与上方总数同期、同口径');
      else expect(text).toContain(`${Math.abs(trend.totals.reported - units.total).toLocaleString('zh-CN')} 件`);
    }
    // all time: the total counts every problem, the trend draws the server's last twelve months (by month)
    await page.getByTestId('heat-period').locator('[data-value=all]').click();
    const always = new URLSearchParams(filters);
    always.delete('from');
    always.delete('to');
    const allUnits = await api<Units>(page, `/api/problems/stats/grids?level=grid&${always}`);
    const allTrend = await api<Trend>(page, `/api/problems/trend?interval=month&${always}`);
    await expect.poll(() => page.getByTestId('heat-total').textContent()).toContain(allUnits.total.toLocaleString('zh-CN'));
    if (allTrend.totals.reported === allUnits.total) await expect.poll(() => note.textContent()).toContain('同口径');
    else {
      await expect.poll(() => note.textContent()).toContain('只画最近 12 个月');
      expect(await note.textContent()).toContain(`（${allTrend.totals.reported.toLocaleString('zh-CN')} 件）`);
      expect(await note.textContent()).toContain(`${allUnits.total.toLocaleString('zh-CN')} 件是全部时间的`);
    }
    await shot(page, 'heat-all');
    await page.close();
    expectNoProblems();
  });

  it('fits the map to a round opened after a point was focused, and shows each group’s computed route on its card', async () => {
    const page = await signedIn('supervisor');
    // a point focused on the readiness board first: the map eases to it beside that panel
    await page.getByTestId('readiness-toggle').click();
    const row = page.getByTestId('readiness-row').first();
    await row.waitFor({ timeout: 60_000 });
    await row.locator('button.row').click();
    await mapSettled(page);

    const { rounds } = await api<{ rounds: Round[] }>(page, '/api/inspection/rounds');
    const round = rounds.find((r) => r.assignedCount > 0);
    expect(round, 'a round with points assigned').toBeDefined();
    warnings.length = 0;
    await page.getByTestId('inspection-toggle').click();
    await page.locator(`[data-testid=round-row][data-id="${round!.id}"]`).click();
    // the round's cards, then its routes drawn (the list's empty routes were "ready" already) and the fit done
    await expect.poll(() => page.getByTestId('group-card').count(), { timeout: 120_000 }).toBe(round!.groups.length);
    await expect.poll(() => page.getByTestId('group-length').count(), { timeout: 120_000 }).toBeGreaterThan(0);
    await page.waitForFunction(() => document.body.dataset.inspectionRoutes === 'ready', null, { timeout: 120_000 });
    await mapSettled(page);
    expect(warnings.filter((w) => w.includes('cannot fit'))).toEqual([]);

    const routes = await api<{ features: RouteFeature[] }>(page, `/api/inspection/rounds/${round!.id}/routes`);
    const lons: number[] = [];
    const lats: number[] = [];
    for (const f of routes.features) {
      const positions = f.geometry.type === 'Point' ? [f.geometry.coordinates] : f.geometry.coordinates.flat();
      for (const [lon, lat] of positions) {
        lons.push(lon!);
        lats.push(lat!);
      }
    }
    expectFitted(await onScreen(page, [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)]), await visibleMap(page));

    // every card of a group with stops shows its route's length as the routes answer has it, none says 路线未计算
    const lengths = new Map(routes.features.filter((f) => f.properties.kind === 'route').map((f) => [f.properties.groupId, f.properties.lengthM!]));
    expect(lengths.size).toBeGreaterThan(0);
    const cards = page.getByTestId('group-card');
    await expect.poll(() => cards.count()).toBe(round!.groups.length);
    for (const card of await cards.all()) {
      const groupId = Number(await card.getAttribute('data-group-id'));
      if (!lengths.has(groupId)) continue;
      expect(Number(await card.getByTestId('group-length').getAttribute('data-length-m'))).toBe(lengths.get(groupId));
      expect(await card.textContent()).not.toContain('路线未计算');
    }
    await shot(page, 'round');
    await page.close();
    expectNoProblems();
  });

  it('keeps the zoom buttons clear of every right panel, folds the layer list and remembers it', async () => {
    const page = await signedIn('admin');
    const zoom = () => box(page, '.maplibregl-ctrl-zoom-in');
    const panels: [string, string, () => Promise<void>][] = [
      ['heatmap-toggle', 'heatmap-panel', async () => {}],
      ['inspection-toggle', 'inspection-panel', async () => {}],
      ['readiness-toggle', 'readiness-panel', async () => {}],
      ['problems-toggle', 'problems-panel', async () => {}],
      ['indicators-toggle', 'indicators-panel', async () => {}],
      ['user-menu', 'audit-panel', async () => page.getByTestId('menu-audit').click()],
    ];
    for (const [toggle, panel, then] of panels) {
      await page.getByTestId(toggle).click();
      await then();
      await page.getByTestId(panel).waitFor();
      expect(intersects(await box(page, `[data-testid=${panel}]`), await zoom()), panel).toBe(false);
      expect(intersects(await box(page, `[data-testid=${panel}]`), await box(page, '.maplibregl-ctrl-zoom-out')), panel).toBe(false);
      if (panel === 'heatmap-panel') await shot(page, 'zoom-buttons');
      if (panel === 'audit-panel') await page.getByTestId(panel).getByRole('button', { name: '关闭' }).click();
    }

    // the layer list folds to its title, stays folded after a reload, and opens again
    const layers = page.getByTestId('layer-panel');
    const open = await box(page, '[data-testid=layer-panel]');
    await page.getByTestId('layer-panel-toggle').click();
    expect(await page.locator('#layer-list').count()).toBe(0);
    const folded = await box(page, '[data-testid=layer-panel]');
    expect(folded.bottom - folded.top).toBeLessThan(60);
    expect(folded.right - folded.left).toBeLessThan(open.right - open.left);
    expect(await page.getByTestId('layer-panel-toggle').getAttribute('aria-expanded')).toBe('false');
    await shot(page, 'layers-folded');
    await page.reload();
    await mapReady(page);
    expect(await page.locator('#layer-list').count()).toBe(0);
    await page.getByTestId('layer-panel-toggle').click();
    await expect.poll(() => layers.locator('[data-testid=layer-streets]').count()).toBe(1);
    expect(await page.getByTestId('layer-panel-toggle').getAttribute('aria-expanded')).toBe('true');
    await page.close();
    expectNoProblems();
  });

  it('answers who is responsible for a place clicked while a panel is open, beside it', async () => {
    const page = await signedIn('supervisor');
    for (const [toggle, panel] of [['heatmap-toggle', 'heatmap-panel'], ['problems-toggle', 'problems-panel']] as const) {
      await page.getByTestId(toggle).click();
      await page.getByTestId(panel).waitFor();
      await mapSettled(page);
      // a place in the visible map, inside the district, off any problem or inspection point (a click on one opens it)
      const visible = await visibleMap(page);
      const candidates = await page.evaluate((v) => {
        const map = (window as Hooked).__civgridMap! as unknown as {
          unproject(p: [number, number]): { lng: number; lat: number };
          getLayer(id: string): unknown;
          queryRenderedFeatures(box: [[number, number], [number, number]], options: { layers: string[] }): unknown[];
        };
        const area = (window as Hooked).__civgridMap!.getContainer().getBoundingClientRect();
        const out: { x: number; y: number; lon: number; lat: number }[] = [];
        for (const fy of [0.4, 0.5, 0.3, 0.6]) {
          for (const fx of [0.5, 0.4, 0.6, 0.3, 0.7]) {
            const x = Math.round(v.left + (v.right - v.left) * fx);
            const y = Math.round(v.top + (v.bottom - v.top) * fy);
            const px: [number, number] = [x - area.left, y - area.top];
            const layers = ['problems:points', 'problems:duplicates', 'inspection-points'].filter((id) => map.getLayer(id));
            if (layers.length && map.queryRenderedFeatures([[px[0] - 12, px[1] - 12], [px[0] + 12, px[1] + 12]], { layers }).length) continue;
            const at = map.unproject(px);
            out.push({ x, y, lon: at.lng, lat: at.lat });
          }
        }
        return out;
      }, visible);
      let picked: { x: number; y: number; lon: number; lat: number } | undefined;
      let answer: { territory: { district: { name: string } | null; street: { name: string } | null } } | undefined;
      for (const candidate of candidates) {
        answer = await api(page, `/api/responsibility?lon=${candidate.lon.toFixed(6)}&lat=${candidate.lat.toFixed(6)}`);
        if (answer!.territory.district) {
          picked = candidate;
          break;
        }
      }
      expect(picked, 'a free place in the district on the visible map').toBeDefined();
      await page.mouse.click(picked!.x, picked!.y);
      const detail = page.getByTestId('detail-panel');
      await detail.waitFor();
      // the answer of the API for that place, shown beside the panel and off the zoom buttons
      await expect.poll(() => detail.getByTestId('territory').count(), { timeout: 30_000 }).toBe(1);
      await expect.poll(() => detail.getByTestId('territory').textContent()).toContain(answer!.territory.street?.name ?? answer!.territory.district!.name);
      const detailBox = await box(page, '[data-testid=detail-panel]');
      expect(intersects(detailBox, await box(page, `[data-testid=${panel}]`))).toBe(false);
      expect(intersects(detailBox, await box(page, '[data-testid=layer-panel]'))).toBe(false);
      expect(intersects(detailBox, await box(page, '.maplibregl-ctrl-zoom-in'))).toBe(false);
      await shot(page, `click-with-${panel}`);
      await detail.getByRole('button', { name: '关闭' }).click();
    }
    await page.close();
    expectNoProblems();
  });

  it('keeps the editor’s panels off the centre of the map', async () => {
    const page = await signedIn('planner');
    await page.getByTestId('edit-toggle').click();
    await page.getByTestId('edit-panel').waitFor();
    await page.getByTestId('blind-spot-toggle').click();
    await page.getByTestId('blind-spot-panel').waitFor();
    const map = await box(page, '.maplibregl-canvas');
    const cx = (map.left + map.right) / 2;
    const cy = (map.top + map.bottom) / 2;
    // a quarter of the map's width and height around its centre stays clear
    const centre = { left: cx - (map.right - map.left) / 8, right: cx + (map.right - map.left) / 8, top: cy - (map.bottom - map.top) / 8, bottom: cy + (map.bottom - map.top) / 8 };
    const edit = await box(page, '[data-testid=edit-panel]');
    const blind = await box(page, '[data-testid=blind-spot-panel]');
    expect(intersects(edit, centre)).toBe(false);
    expect(intersects(blind, centre)).toBe(false);
    expect(intersects(edit, blind)).toBe(false);
    expect(intersects(edit, await box(page, '.maplibregl-ctrl-zoom-in'))).toBe(false);
    expect(intersects(blind, await box(page, '[data-testid=layer-panel]'))).toBe(false);
    await shot(page, 'editing');
    await page.close();
    expectNoProblems();
  });
});
