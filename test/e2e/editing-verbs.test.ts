/**
 * The editor's other verbs in headless Chromium, against the real server on a
 * fresh test database (the first verbs — drawing with snapping, saving, the
 * conflict view — are in editing.test.ts):
 *
 * - the rectangle tool draws a 绿化 zone on free land, whose saved area is the
 *   rectangle's (the geodesic area of the clicked corners, computed here);
 * - a line drawn across it splits it in two zones whose areas add up to it;
 * - a zone is deleted and stays gone after a reload;
 * - the freehand tool draws an area about the size of the loop traced;
 * - two touching 市环卫 zones are merged (the area is the sum of theirs), and
 *   the version before the merge is restored from the history list;
 * - the blind-spot panel's 划给建议单位 grows the suggested zone by the gap's
 *   area and takes the gap off the list; 新建责任区 makes a zone of the gap for
 *   an owner chosen in the picker;
 * - road sections (责任路段): one drawn beside a road is laid onto it (its
 *   length is the road's between the drawn ends), split at a clicked point
 *   into two on the map, merged back end to end, a stale save shows the
 *   conflict view, an old version is restored; the panel reads in English too;
 * - a planner drawing or deleting outside their street reads why, in Chinese.
 *
 * Expected areas and lengths come from the API before the edit or from the
 * geometry the test clicked (test/support/geodesy.ts), never from the edit.
 * Needs `pnpm --filter @civgrid/web build` first. CIVGRID_SCREENSHOT_DIR saves verbs-*.png.
 */
/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Database } from '@civgrid/db';
import { createApp } from '@civgrid/server';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { formatArea } from '../../web/src/editing/format.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { rectArea } from '../support/geodesy.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
const webRoot = resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;

type LonLat = [number, number];
interface Pixel {
  x: number;
  y: number;
}

/** The parts of the MapLibre map (`window.__civgridMap`) the test uses. */
interface TestMap {
  project(lngLat: LonLat): Pixel;
  unproject(point: [number, number]): { lng: number; lat: number };
  jumpTo(options: { center: LonLat; zoom: number }): void;
  getZoom(): number;
  getCanvas(): HTMLCanvasElement;
  queryRenderedFeatures(options: { layers: string[] }): { id?: number | string; properties: Record<string, unknown> }[];
}
type Hooked = Window & { __civgridMap?: TestMap };

interface ZoneBody {
  id: number;
  geometry: { type: string; coordinates: number[][][] | number[][][][] };
  properties: { version: number; name: string; ownerOrgId: number; areaM2: number };
}
interface SectionBody {
  id: number;
  geometry: { type: 'MultiLineString'; coordinates: number[][][] };
  properties: { version: number; name: string; roadId: number | null; ownerOrgId: number; lengthM: number };
}
interface GapProps {
  id: number;
  kind: string;
  area_m2: number;
  suggested_owner?: { owner_id: number; owner_name: string; zone_id?: number } | null;
}
interface Gap {
  geometry: { type: string; coordinates: unknown };
  properties: GapProps;
}

/** Metres per degree at the demo district's latitude (25.2° N), near enough to lay out test shapes. */
const M_PER_DEG_LAT = 110_770;
const M_PER_DEG_LON = 100_760;
const within = (actual: number, expected: number, relative: number, absolute = 0) =>
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(Math.max(relative * Math.abs(expected), absolute));

describe.skipIf(skipBrowser)('the editor’s other verbs and road sections in the browser', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let password: string;
  const problems: string[] = [];

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
    const response = await fetch(`${baseUrl}/api/auth/demo`);
    expect(response.status).toBe(200);
    password = ((await response.json()) as { password: string }).password;
    browser = await launchChromium();
    page = await watchedPage(browser, problems);
    page.on('dialog', (dialog) => void dialog.accept()); // 确定删除…？
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  // —— helpers ——

  function expectNoProblems(on: string[], ...expected: RegExp[]): void {
    const left = on.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
    on.length = 0;
    expect(left).toEqual([]);
  }

  async function shot(target: Page, name: string): Promise<void> {
    if (shots) await target.screenshot({ path: join(shots, `verbs-${name}.png`) });
  }

  /** The API as a second admin session, from Node (for reading, and for the other planner’s write). */
  let session: { cookie: string; csrf: string } | undefined;
  async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
    if (!session) {
      const login = await fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }),
      });
      expect(login.status).toBe(200);
      session = { cookie: login.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await login.json()) as { csrfToken: string }).csrfToken };
    }
    const headers: Record<string, string> = { cookie: session.cookie, 'x-csrf-token': session.csrf };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as T };
  }

  async function zone(id: number): Promise<ZoneBody> {
    const { status, body } = await api<ZoneBody>(`/api/zones/${id}`);
    expect(status).toBe(200);
    return body;
  }

  /** Live zones of a duty whose name is one of `names`, by name. */
  async function zonesNamed(duty: string, ...names: string[]): Promise<Map<string, ZoneBody>> {
    const { rows } = await sql<{ id: number; name: string }>`
      SELECT id, name FROM zones WHERE duty_type_id = ${duty} AND valid_to IS NULL AND name = ANY(${names})`.execute(database.db);
    const found = new Map<string, ZoneBody>();
    for (const row of rows) found.set(row.name, await zone(row.id));
    return found;
  }

  async function gaps(duty: string): Promise<Gap[]> {
    const { status, body } = await api<{ features: Gap[] }>(`/api/coverage/gaps?duty=${duty}&area=district`);
    expect(status).toBe(200);
    return body.features.filter((f) => f.properties.kind === 'gap');
  }

  async function signIn(target: Page, username: string): Promise<void> {
    await target.goto(baseUrl);
    await target.getByTestId('login-username').fill(username);
    await target.getByTestId('login-password').fill(password);
    await target.getByTestId('login-submit').click();
    await waitForMap(target);
  }

  async function waitForMap(target: Page): Promise<void> {
    await target.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 90_000 });
    expect(await target.evaluate(() => document.body.dataset.mapReady)).toBe('true');
  }

  /** Page pixel of a position on the map; `offset` pixels along `normal` (east, north in metres), if given. */
  async function pixel(target: Page, at: LonLat, offset = 0, normal: [number, number] = [0, 1]): Promise<Pixel> {
    return target.evaluate(({ at, offset, normal }) => {
      const map = (window as Hooked).__civgridMap!;
      const rect = map.getCanvas().getBoundingClientRect();
      const p = map.project(at);
      const length = Math.hypot(normal[0], normal[1]);
      return { x: rect.left + p.x + (normal[0] / length) * offset, y: rect.top + p.y - (normal[1] / length) * offset };
    }, { at, offset, normal });
  }

  /** The position under a page pixel. */
  async function lonLat(target: Page, p: Pixel): Promise<LonLat> {
    return target.evaluate((p) => {
      const map = (window as Hooked).__civgridMap!;
      const rect = map.getCanvas().getBoundingClientRect();
      const at = map.unproject([p.x - rect.left, p.y - rect.top]);
      return [at.lng, at.lat] as LonLat;
    }, p);
  }

  async function clickAt(target: Page, p: Pixel): Promise<void> {
    await target.mouse.move(p.x, p.y, { steps: 3 });
    await target.mouse.click(p.x, p.y);
    await target.waitForTimeout(150);
  }

  async function view(target: Page, center: LonLat, zoom: number): Promise<void> {
    await target.evaluate(({ center, zoom }) => (window as Hooked).__civgridMap!.jumpTo({ center, zoom }), { center, zoom });
  }

  /** Names of the features drawn in a map layer. */
  function renderedNames(target: Page, layer: string): Promise<string[]> {
    return target.evaluate((layer) => (window as Hooked).__civgridMap!.queryRenderedFeatures({ layers: [layer] }).map((f) => String(f.properties.name)), layer);
  }

  /** Edit mode on (if off), the zones of `duty`, at a place, with the drawing tool and the snapping data loaded. */
  async function editZones(target: Page, duty: string, center: LonLat, zoom: number): Promise<void> {
    if (!(await target.getByTestId('edit-panel').isVisible())) await target.getByTestId('edit-toggle').click();
    await expect.poll(() => target.getByTestId('edit-panel').isVisible()).toBe(true);
    if ((await target.getByTestId('edit-layer-zones').getAttribute('aria-checked')) !== 'true') await target.getByTestId('edit-layer-zones').click();
    await target.getByTestId('edit-duty').selectOption(duty);
    await view(target, center, zoom);
    await target.waitForFunction(() => document.body.dataset.editDraw === 'ready' && document.body.dataset.editSnap !== undefined, null, { timeout: 30_000 });
  }

  async function pickOwner(target: Page, search: string, name: string): Promise<void> {
    const form = target.getByTestId('edit-form');
    if (await form.getByTestId('edit-org-value').isVisible()) await form.getByTestId('edit-org').getByRole('button', { name: '重新选择' }).click();
    await form.getByTestId('edit-org-input').fill(search);
    await form.getByRole('option', { name, exact: true }).click();
    await expect.poll(() => form.getByTestId('edit-org-value').textContent()).toBe(name);
  }

  const outcome = () => page.getByTestId('edit-outcome').textContent();

  /**
   * Waits for a live-check figure to settle near `expected` (the check also
   * runs while drawing, on the shape half drawn), then asserts it.
   */
  async function settlesNear(read: () => Promise<number>, expected: number, relative: number, absolute = 0): Promise<void> {
    const near = async () => Math.abs((await read()) - expected) <= Math.max(relative * expected, absolute);
    await expect.poll(near, { timeout: 20_000 }).toBe(true).catch(() => {});
    within(await read(), expected, relative, absolute);
  }

  // —— zones ——

  /** Free land for a 绿化 zone: a 60 m × 40 m rectangle, inside one community, with no 绿化 zone or gap finding of interest within 300 m. */
  interface Spot {
    centre: LonLat;
    communityId: number;
  }
  let spot: Spot;
  const RECT = '测试矩形绿化区';
  let rect: { id: number; areaM2: number };

  it('draws a rectangle with the rectangle tool and saves it as a 绿化 zone of the rectangle’s area', async () => {
    const { rows } = await sql<{ lon: number; lat: number; community: number }>`
      WITH c AS (SELECT id, geom, ST_PointOnSurface(geom) AS p FROM territories WHERE level = 'community')
      SELECT ST_X(c.p) AS lon, ST_Y(c.p) AS lat, c.id AS community FROM c
      WHERE ST_Covers(c.geom, ST_Buffer(c.p::geography, 80)::geometry)
        AND NOT EXISTS (SELECT 1 FROM zones z WHERE z.duty_type_id = 'greening' AND z.valid_to IS NULL AND ST_DWithin(z.geom::geography, c.p::geography, 300))
      ORDER BY c.id LIMIT 1`.execute(database.db);
    expect(rows.length).toBe(1);
    spot = { centre: [rows[0]!.lon, rows[0]!.lat], communityId: rows[0]!.community };

    await signIn(page, 'admin');
    await editZones(page, 'greening', spot.centre, 18);
    await page.getByTestId('edit-tool-rectangle').click();
    const half = [30 / M_PER_DEG_LON, 20 / M_PER_DEG_LAT];
    const nw = await pixel(page, [spot.centre[0] - half[0]!, spot.centre[1] + half[1]!]);
    const se = await pixel(page, [spot.centre[0] + half[0]!, spot.centre[1] - half[1]!]);
    await clickAt(page, nw);
    await page.mouse.move(se.x, se.y, { steps: 8 });
    await shot(page, 'rectangle-drawing');
    await page.mouse.click(se.x, se.y);
    // the corners as clicked: the rectangle's area on the ellipsoid, computed here
    const [a, b] = [await lonLat(page, nw), await lonLat(page, se)];
    const expected = rectArea(a[0], b[1], b[0], a[1]);
    expect(expected).toBeGreaterThan(2_000);

    await expect.poll(() => page.getByTestId('edit-tool-select').getAttribute('aria-pressed')).toBe('true');
    const summary = page.getByTestId('edit-feedback-summary');
    // free land: the rectangle fills its own area of blind spot
    const filled = async () => Number((await summary.textContent())?.match(/填补盲区 ([\d.,]+) m²/)?.[1]?.replaceAll(',', '') ?? 0);
    await settlesNear(filled, expected, 0.001);

    await page.getByTestId('edit-name').fill(RECT);
    await pickOwner(page, '园林', '桂林市园林局');
    await page.getByTestId('edit-save').click();
    await expect.poll(outcome, { timeout: 20_000 }).toContain('已保存，现为第 1 版');
    await shot(page, 'rectangle-saved');
    const saved = (await zonesNamed('greening', RECT)).get(RECT)!;
    rect = { id: saved.id, areaM2: saved.properties.areaM2 };
    within(rect.areaM2, expected, 0.001);
    expectNoProblems(problems, /^HTTP 401 .*\/api\/auth\/me$/, /status of 401/);
  });

  it('splits the zone in two with a line drawn across it; the two areas add up to the zone’s', async () => {
    await page.getByTestId('edit-tool-split').click();
    // a north–south line through the middle, from 25 m outside to 25 m outside
    const top = await pixel(page, [spot.centre[0], spot.centre[1] + 45 / M_PER_DEG_LAT]);
    const bottom = await pixel(page, [spot.centre[0], spot.centre[1] - 45 / M_PER_DEG_LAT]);
    await clickAt(page, top);
    await clickAt(page, bottom);
    await shot(page, 'split-line');
    await clickAt(page, bottom); // on the last point: the line is finished, the zone is cut
    await expect.poll(outcome, { timeout: 20_000 }).toContain('已分割为 2 个责任区');

    const pieces = await zonesNamed('greening', RECT, `${RECT}-2`);
    expect([...pieces.keys()].sort()).toEqual([RECT, `${RECT}-2`].sort());
    const kept = pieces.get(RECT)!;
    const other = pieces.get(`${RECT}-2`)!;
    expect(kept.id).toBe(rect.id);
    within(kept.properties.areaM2 + other.properties.areaM2, rect.areaM2, 0.001);
    // cut down the middle: about half each
    within(other.properties.areaM2, rect.areaM2 / 2, 0.1);
    expect(await page.getByTestId('edit-target').textContent()).toContain(`${RECT} · 第 2 版`);
    await expect.poll(() => renderedNames(page, 'zones:greening:fill'), { timeout: 20_000 }).toContain(`${RECT}-2`);
    await shot(page, 'split-done');
    expectNoProblems(problems);
  });

  it('deletes a zone, which stays gone after a reload', async () => {
    const other = (await zonesNamed('greening', `${RECT}-2`)).get(`${RECT}-2`)!;
    const ring = (other.geometry.type === 'MultiPolygon' ? (other.geometry.coordinates as number[][][][])[0]! : (other.geometry.coordinates as number[][][]))[0]!;
    const inside: LonLat = [ring.reduce((s, p) => s + p[0]!, 0) / ring.length, ring.reduce((s, p) => s + p[1]!, 0) / ring.length];
    await clickAt(page, await pixel(page, inside));
    await expect.poll(() => page.getByTestId('edit-target').textContent(), { timeout: 15_000 }).toContain(`${RECT}-2 · 第 1 版`);
    await page.getByTestId('edit-delete').click();
    await expect.poll(outcome, { timeout: 20_000 }).toContain(`已删除责任区“${RECT}-2”`);
    await shot(page, 'deleted');

    await page.reload();
    await waitForMap(page);
    await page.getByTestId('layer-zones-greening').locator('input').check();
    await view(page, spot.centre, 18);
    await expect.poll(() => renderedNames(page, 'zones:greening:fill'), { timeout: 20_000 }).toContain(RECT);
    expect(await renderedNames(page, 'zones:greening:fill')).not.toContain(`${RECT}-2`);
    expect((await api(`/api/zones/${other.id}`)).status).toBe(404);
    await shot(page, 'deleted-reloaded');
    expectNoProblems(problems);
  });

  it('draws an area with the freehand tool, about the size of the loop traced', async () => {
    // a loop of radius 25 m around a point 120 m east of the rectangle (still free land)
    const centre: LonLat = [spot.centre[0] + 120 / M_PER_DEG_LON, spot.centre[1]];
    await editZones(page, 'greening', centre, 18);
    await page.getByTestId('edit-tool-freehand').click();
    const points: Pixel[] = [];
    for (let i = 0; i <= 36; i++) {
      const angle = (i / 36) * 2 * Math.PI;
      points.push(await pixel(page, [centre[0] + (25 * Math.cos(angle)) / M_PER_DEG_LON, centre[1] + (25 * Math.sin(angle)) / M_PER_DEG_LAT]));
    }
    await page.mouse.move(points[0]!.x, points[0]!.y);
    await page.mouse.click(points[0]!.x, points[0]!.y);
    for (const p of points.slice(1)) await page.mouse.move(p.x, p.y, { steps: 2 });
    await shot(page, 'freehand-drawing');
    await page.mouse.click(points[points.length - 1]!.x, points[points.length - 1]!.y);
    await expect.poll(() => page.getByTestId('edit-target').textContent(), { timeout: 10_000 }).toContain('新建责任区');
    const summary = page.getByTestId('edit-feedback-summary');
    const filled = async () => Number((await summary.textContent())?.match(/填补盲区 ([\d.,]+) m²/)?.[1]?.replaceAll(',', '') ?? 0);
    // a 36-gon of radius 25 m: π r² within a few per cent (the tool thins the points it records)
    await settlesNear(filled, Math.PI * 25 * 25, 0.08);
    await shot(page, 'freehand');
    await page.getByTestId('edit-cancel').click();
    await expect.poll(() => page.getByTestId('edit-target').textContent()).toContain('用上方工具画出新的责任区');
    expectNoProblems(problems);
  });

  let merged: { a: ZoneBody; b: ZoneBody };

  it('merges two touching 市环卫 zones into one whose area is the sum of theirs', async () => {
    // the pair with the longest shared border, no overlap and one piece together; a point inside each near the border's middle
    const { rows } = await sql<{ a: number; b: number; alon: number; alat: number; blon: number; blat: number; mlon: number; mlat: number }>`
      WITH pairs AS (
        SELECT a.id AS a, b.id AS b, a.geom AS ga, b.geom AS gb,
               ST_CollectionExtract(ST_Intersection(ST_Boundary(a.geom), ST_Buffer(b.geom::geography, 0.05)::geometry), 2) AS border
        FROM zones a JOIN zones b ON a.duty_type_id = b.duty_type_id AND a.id < b.id AND ST_DWithin(a.geom, b.geom, 0.0000005)
        WHERE a.duty_type_id = 'sanitation-city' AND a.valid_to IS NULL AND b.valid_to IS NULL
          AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) < 0.5
          AND ST_NumGeometries(ST_Union(a.geom, b.geom, 1e-10)) = 1),
      best AS (
        SELECT *, (SELECT d.geom FROM ST_Dump(ST_LineMerge(border)) d ORDER BY ST_Length(d.geom::geography) DESC LIMIT 1) AS line
        FROM pairs ORDER BY ST_Length(border::geography) DESC LIMIT 1),
      near AS (SELECT *, ST_LineInterpolatePoint(line, 0.5) AS m, ST_Buffer(ST_LineInterpolatePoint(line, 0.5)::geography, 25)::geometry AS around FROM best)
      SELECT a, b, ST_X(pa) AS alon, ST_Y(pa) AS alat, ST_X(pb) AS blon, ST_Y(pb) AS blat, ST_X(m) AS mlon, ST_Y(m) AS mlat
      FROM near, LATERAL (SELECT ST_PointOnSurface(ST_Buffer(ST_Intersection(ga, around), -0.00003)) AS pa, ST_PointOnSurface(ST_Buffer(ST_Intersection(gb, around), -0.00003)) AS pb) p`
      .execute(database.db);
    const pair = rows[0]!;
    expect(pair).toBeDefined();
    merged = { a: await zone(pair.a), b: await zone(pair.b) };

    await editZones(page, 'sanitation-city', [pair.mlon, pair.mlat], 18);
    await expect.poll(() => renderedNames(page, 'zones:sanitation-city:fill'), { timeout: 20_000 })
      .toEqual(expect.arrayContaining([merged.a.properties.name, merged.b.properties.name]));
    await clickAt(page, await pixel(page, [pair.alon, pair.alat]));
    await expect.poll(() => page.getByTestId('edit-target').textContent(), { timeout: 15_000 }).toContain(`${merged.a.properties.name} · 第 1 版`);
    await page.keyboard.down('Shift');
    await clickAt(page, await pixel(page, [pair.blon, pair.blat]));
    await page.keyboard.up('Shift');
    await expect.poll(() => page.getByTestId('edit-merge-set').textContent(), { timeout: 10_000 }).toContain(merged.b.properties.name);
    await shot(page, 'merge-picked');
    await page.getByTestId('edit-merge').click();
    await expect.poll(outcome, { timeout: 30_000 }).toContain(`已合并为“${merged.a.properties.name}”`);

    const after = await zone(merged.a.id);
    within(after.properties.areaM2, merged.a.properties.areaM2 + merged.b.properties.areaM2, 0.001);
    expect(after.properties.version).toBe(2);
    expect((await api(`/api/zones/${merged.b.id}`)).status).toBe(404);
    await shot(page, 'merged');
    expectNoProblems(problems);
  });

  it('restores the version before the merge from the history list', async () => {
    await page.getByTestId('edit-history-toggle').click();
    const first = page.getByTestId('edit-version-1');
    await expect.poll(() => first.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('edit-version-2').textContent()).toContain('当前');
    await first.locator('button').first().click();
    await expect.poll(() => page.getByTestId('edit-restore').isVisible()).toBe(true);
    await shot(page, 'history');
    await page.getByTestId('edit-restore').click();
    await expect.poll(outcome, { timeout: 20_000 }).toContain('已恢复第 1 版，现为第 3 版');
    const restored = await zone(merged.a.id);
    expect(restored.properties.version).toBe(3);
    within(restored.properties.areaM2, merged.a.properties.areaM2, 0.001);
    await shot(page, 'restored');
    expectNoProblems(problems);
  });

  /** The blind-spot panel in 按责任类型 mode for a duty over the district; the row of the gap of `areaM2`. */
  async function gapRow(duty: string, areaM2: number) {
    const panel = page.getByTestId('blind-spot-panel');
    if (!(await panel.isVisible())) await page.getByTestId('blind-spot-toggle').click();
    await expect.poll(() => panel.isVisible()).toBe(true);
    await panel.getByRole('tab', { name: '按责任类型' }).click();
    await panel.getByTestId('blind-duty').selectOption(duty);
    await panel.getByTestId('blind-area').selectOption('district');
    await analysed(panel);
    // the panel's own way of writing an area
    const text = formatArea(areaM2);
    return { panel, row: panel.getByTestId('blind-findings').locator('li').filter({ hasText: text }), text };
  }

  /** Waits for the panel's analysis to end; fails with the panel's error if it ends in one. */
  async function analysed(panel: ReturnType<Page['getByTestId']>): Promise<void> {
    const state = async () => ((await panel.getByTestId('blind-totals').isVisible()) ? 'done' : (await panel.locator('p.error').isVisible()) ? 'error' : 'loading');
    await expect.poll(state, { timeout: 150_000, interval: 500 }).not.toBe('loading');
    if ((await state()) === 'error') throw new Error(`the blind-spot panel failed: ${await panel.locator('p.error').textContent()}`);
  }

  it('gives a blind spot to the suggested owner (划给建议单位): that zone grows by the gap’s area, the gap leaves the list', async () => {
    await page.getByTestId('edit-cancel').click();
    const before = await gaps('sanitation-town');
    const gap = before.filter((g) => g.properties.suggested_owner?.zone_id).sort((x, y) => x.properties.area_m2 - y.properties.area_m2)[0]!;
    expect(gap).toBeDefined();
    const owner = gap.properties.suggested_owner!;
    const target = await zone(owner.zone_id!);

    const { panel, row } = await gapRow('sanitation-town', gap.properties.area_m2);
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    expect(await row.textContent()).toContain(`建议归属：${owner.owner_name}`);
    await row.locator('button').first().click(); // zooms to it
    await page.waitForTimeout(800);
    await shot(page, 'fill-suggested-before');
    await row.getByTestId('fill-suggested').click();
    // the panel analyses again once the gap is given: the row is gone from the new list
    await expect.poll(async () => (await panel.getByTestId('blind-totals').isVisible()) && (await row.count()), { timeout: 150_000, interval: 500 }).toBe(0);

    const grown = await zone(target.id);
    within(grown.properties.areaM2 - target.properties.areaM2, gap.properties.area_m2, 0.001, 1);
    expect(grown.properties.version).toBe(target.properties.version + 1);
    const after = await gaps('sanitation-town');
    expect(after.length).toBe(before.length - 1);
    const total = (list: Gap[]) => list.reduce((sum, g) => sum + g.properties.area_m2, 0);
    within(total(before) - total(after), gap.properties.area_m2, 0.001, 1);
    await analysed(panel);
    expect(await panel.getByTestId('fill-result').textContent()).toBe(`盲区已划入“${target.properties.name}”`);
    await shot(page, 'fill-suggested-after');
    expectNoProblems(problems);
  }, 300_000);

  it('makes a new zone of a blind spot for an owner chosen in the picker (新建责任区)', async () => {
    const before = await gaps('greening');
    const gap = before.filter((g) => g.properties.suggested_owner).sort((x, y) => x.properties.area_m2 - y.properties.area_m2)[0]!;
    expect(gap).toBeDefined();
    const { panel, row } = await gapRow('greening', gap.properties.area_m2);
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    await row.locator('button').first().click();
    await page.waitForTimeout(800);
    await row.getByTestId('fill-new').click();
    await expect.poll(() => page.getByTestId('edit-target').textContent(), { timeout: 10_000 }).toContain('新建责任区');
    // the suggested owner is offered; the planner picks another
    expect(await page.getByTestId('edit-org-value').textContent()).toBe(gap.properties.suggested_owner!.owner_name);
    const chosen = (await sql<{ id: number; name: string }>`
      SELECT id, name FROM organisations WHERE id <> ${gap.properties.suggested_owner!.owner_id} AND name LIKE '%街道%' ORDER BY id LIMIT 1`.execute(database.db)).rows[0]!;
    await pickOwner(page, chosen.name, chosen.name);
    const NAME = '测试盲区新建绿化区';
    await page.getByTestId('edit-name').fill(NAME);
    const summary = page.getByTestId('edit-feedback-summary');
    await expect.poll(() => summary.textContent(), { timeout: 15_000 }).toMatch(/填补盲区/);
    await shot(page, 'fill-new-form');
    await page.getByTestId('edit-save').click();
    await expect.poll(outcome, { timeout: 20_000 }).toContain('已保存，现为第 1 版');

    const made = (await zonesNamed('greening', NAME)).get(NAME)!;
    expect(made.properties.ownerOrgId).toBe(chosen.id);
    within(made.properties.areaM2, gap.properties.area_m2, 0.001, 1);
    const after = await gaps('greening');
    expect(after.length).toBe(before.length - 1);
    await expect.poll(async () => (await panel.getByTestId('blind-totals').isVisible()) && (await row.count()), { timeout: 150_000, interval: 500 }).toBe(0);
    await shot(page, 'fill-new-saved');
    await page.getByTestId('blind-spot-toggle').click();
    expectNoProblems(problems);
  }, 300_000);

  // —— road sections ——

  /** A straight stretch of road, 250–650 m long, with no section within 30 m and no other road within 25 m. */
  interface Stretch {
    roadId: number;
    from: LonLat;
    to: LonLat;
    lengthM: number;
  }
  let stretch: Stretch;
  const SECTION = '测试责任路段';
  let section: SectionBody;
  /** A point `f` of the way along the stretch. */
  const along = (f: number): LonLat => [stretch.from[0] + f * (stretch.to[0] - stretch.from[0]), stretch.from[1] + f * (stretch.to[1] - stretch.from[1])];
  const normalOf = (): [number, number] => {
    const east = (stretch.to[0] - stretch.from[0]) * M_PER_DEG_LON;
    const north = (stretch.to[1] - stretch.from[1]) * M_PER_DEG_LAT;
    return [-north, east];
  };

  it('draws a road section beside a road: the live check shows the road it takes up, and the save lays it onto the road', async () => {
    const { rows } = await sql<{ id: number; x0: number; y0: number; x1: number; y1: number; len: number }>`
      WITH seg AS (SELECT r.id, (d).geom AS g FROM roads r, ST_DumpSegments(r.geom) d)
      SELECT id, ST_X(ST_StartPoint(g)) AS x0, ST_Y(ST_StartPoint(g)) AS y0, ST_X(ST_EndPoint(g)) AS x1, ST_Y(ST_EndPoint(g)) AS y1,
             ST_Length(g::geography) AS len
      FROM seg
      WHERE ST_Length(g::geography) BETWEEN 250 AND 650
        AND NOT EXISTS (SELECT 1 FROM road_sections s WHERE s.valid_to IS NULL AND ST_DWithin(s.geom::geography, seg.g::geography, 30))
        AND NOT EXISTS (SELECT 1 FROM roads o WHERE o.id <> seg.id AND ST_DWithin(o.geom::geography, seg.g::geography, 25))
        AND EXISTS (SELECT 1 FROM territories t WHERE t.level = 'street' AND ST_Covers(t.geom, seg.g))
      ORDER BY ST_Length(g::geography) DESC, id LIMIT 1`.execute(database.db);
    const r = rows[0]!;
    expect(r).toBeDefined();
    stretch = { roadId: r.id, from: [r.x0, r.y0], to: [r.x1, r.y1], lengthM: Number(r.len) };

    await page.getByTestId('edit-layer-road-sections').click();
    expect(await page.getByTestId('edit-panel').locator('h2').textContent()).toBe('编辑责任路段');
    await view(page, along(0.5), 17);
    await page.waitForFunction(() => document.body.dataset.editDraw === 'ready' && Number(document.body.dataset.editSnap ?? 0) > 0, null, { timeout: 30_000 });
    await page.getByTestId('section-tool-line').click();
    // from a quarter to three quarters of the stretch, each click 4 px off the road (about 4 m)
    const clicks = [];
    for (const f of [0.25, 0.5, 0.75]) clicks.push(await pixel(page, along(f), 4, normalOf()));
    for (const p of clicks) await clickAt(page, p);
    await shot(page, 'section-drawing');
    await clickAt(page, clicks[2]!); // on the last point: finished

    await expect.poll(() => page.getByTestId('section-tool-select').getAttribute('aria-pressed')).toBe('true');
    const summary = page.getByTestId('section-feedback-summary');
    const filled = async () => Number((await summary.textContent())?.match(/新覆盖道路 ([\d.]+) m/)?.[1] ?? 0);
    // half the stretch, and 2 m beyond each end (a section covers road within 2 m)
    await settlesNear(filled, 0.5 * stretch.lengthM + 4, 0, 2);
    expect(await summary.textContent()).toMatch(/^与 0 个路段重叠 0\.0 m · 新增无人负责道路 0\.0 m · 新覆盖道路 [\d.]+ m$/);
    expect(await page.getByTestId('section-feedback-snapped').textContent()).toBe('保存时将贴合到道路上（地图上的虚线）。');
    // where it will lie, and the road it takes up, are on the map
    await expect.poll(() => page.evaluate(() => (window as Hooked).__civgridMap!.queryRenderedFeatures({ layers: ['section-edit:saved', 'section-edit:filled'] })
      .map((f) => String(f.properties.kind)).sort()), { timeout: 10_000 }).toEqual(expect.arrayContaining(['filled', 'saved']));
    await shot(page, 'section-feedback');

    const form = page.getByTestId('edit-form');
    expect(await form.locator('.field span').first().textContent()).toBe('路段名称');
    await form.getByTestId('edit-name').fill(SECTION);
    const owner = (await sql<{ name: string }>`SELECT o.name FROM organisations o WHERE EXISTS (SELECT 1 FROM people p WHERE p.organisation_id = o.id) ORDER BY o.id LIMIT 1`.execute(database.db)).rows[0]!.name;
    await pickOwner(page, owner, owner);
    await form.getByTestId('edit-person-input').click();
    const person = form.getByRole('option').first();
    await expect.poll(() => person.isVisible(), { timeout: 10_000 }).toBe(true);
    await person.click();
    await shot(page, 'section-form');
    await form.getByTestId('edit-save').click();
    await expect.poll(outcome, { timeout: 20_000 }).toContain('已保存，现为第 1 版');
    expect(await outcome()).toContain('已贴合到道路。');
    expect(await page.getByTestId('edit-findings').textContent()).toMatch(/^新增无人负责道路 0\.0 m · 新覆盖道路 [\d.]+ m · 重叠 0 处$/);

    const id = (await sql<{ id: number }>`SELECT id FROM road_sections WHERE name = ${SECTION} AND valid_to IS NULL`.execute(database.db)).rows[0]!.id;
    section = (await api<SectionBody>(`/api/road-sections/${id}`)).body;
    expect(section.properties.roadId).toBe(stretch.roadId);
    expect(section.properties.ownerOrgId).toBeGreaterThan(0);
    within(section.properties.lengthM, 0.5 * stretch.lengthM, 0, 1.5);
    // laid onto the road: every vertex on it
    const off = (await sql<{ m: number }>`
      SELECT max(ST_Distance(p.geom::geography, r.geom::geography)) AS m FROM road_sections s, roads r, ST_DumpPoints(s.geom) p
      WHERE s.id = ${id} AND r.id = ${stretch.roadId}`.execute(database.db)).rows[0]!.m;
    expect(Number(off)).toBeLessThan(0.05);
    expect(await page.getByTestId('edit-target').textContent()).toContain(`${SECTION} · 第 1 版`);
    await shot(page, 'section-saved');
    expectNoProblems(problems);
  });

  it('splits the section at a clicked point into two sections, both on the map', async () => {
    await page.getByTestId('section-tool-split').click();
    expect(await page.getByTestId('edit-panel').textContent()).toContain('在所选路段上点击要打断的位置');
    await clickAt(page, await pixel(page, along(0.5)));
    await expect.poll(outcome, { timeout: 20_000 }).toMatch(new RegExp(`^已打断为 2 段：${SECTION}（[\\d.]+ m）、${SECTION}-2（[\\d.]+ m）`));

    const { rows } = await sql<{ id: number; name: string }>`SELECT id, name FROM road_sections WHERE name IN (${SECTION}, ${`${SECTION}-2`}) AND valid_to IS NULL ORDER BY id`.execute(database.db);
    expect(rows.map((r) => r.name)).toEqual([SECTION, `${SECTION}-2`]);
    const pieces = await Promise.all(rows.map(async (r) => (await api<SectionBody>(`/api/road-sections/${r.id}`)).body));
    within(pieces[0]!.properties.lengthM + pieces[1]!.properties.lengthM, section.properties.lengthM, 0, 0.2);
    for (const piece of pieces) within(piece.properties.lengthM, 0.25 * stretch.lengthM, 0, 1.5);
    await shot(page, 'section-split');

    // out of edit mode both are drawn from the layer's tiles
    await page.getByTestId('edit-close').click();
    await expect.poll(() => renderedNames(page, 'road-sections'), { timeout: 20_000 })
      .toEqual(expect.arrayContaining([SECTION, `${SECTION}-2`]));
    await shot(page, 'section-two');
    expectNoProblems(problems);
  });

  /** The middle of a section as stored (its first line's ends, halfway). */
  async function middleOf(id: number): Promise<LonLat> {
    const line = (await api<SectionBody>(`/api/road-sections/${id}`)).body.geometry.coordinates[0]!;
    const [first, last] = [line[0]!, line[line.length - 1]!];
    return [(first[0]! + last[0]!) / 2, (first[1]! + last[1]!) / 2];
  }

  it('merges the two sections back end to end (Shift+click, 合并): one section as long as both', async () => {
    await page.getByTestId('edit-toggle').click();
    await page.getByTestId('edit-layer-road-sections').click();
    await view(page, along(0.5), 17);
    await page.waitForFunction(() => document.body.dataset.editDraw === 'ready' && Number(document.body.dataset.editSnap ?? 0) > 0, null, { timeout: 30_000 });
    await expect.poll(() => renderedNames(page, 'road-sections'), { timeout: 20_000 }).toEqual(expect.arrayContaining([SECTION, `${SECTION}-2`]));
    const other = (await sql<{ id: number }>`SELECT id FROM road_sections WHERE name = ${`${SECTION}-2`} AND valid_to IS NULL`.execute(database.db)).rows[0]!.id;
    const [kept, added] = await Promise.all([api<SectionBody>(`/api/road-sections/${section.id}`), api<SectionBody>(`/api/road-sections/${other}`)]);
    // the piece that kept the section's id (the longer, or either of two equal ones), then the other with Shift
    await clickAt(page, await pixel(page, await middleOf(section.id)));
    await expect.poll(() => page.getByTestId('edit-target').textContent(), { timeout: 15_000 }).toContain(`${SECTION} · 第 2 版`);
    await page.keyboard.down('Shift');
    await clickAt(page, await pixel(page, await middleOf(other)));
    await page.keyboard.up('Shift');
    await expect.poll(() => page.getByTestId('edit-merge-set').textContent(), { timeout: 10_000 }).toContain(`${SECTION}-2`);
    expect(await page.getByTestId('edit-merge-set').textContent()).toContain('已选 2 个路段，可首尾合并');
    await shot(page, 'section-merge-picked');
    await page.getByTestId('edit-merge').click();
    await expect.poll(outcome, { timeout: 20_000 }).toContain(`已合并为“${SECTION}”`);
    const merged = (await api<SectionBody>(`/api/road-sections/${section.id}`)).body;
    expect(merged.properties.version).toBe(3);
    expect(merged.geometry.coordinates).toHaveLength(1);
    within(merged.properties.lengthM, kept.body.properties.lengthM + added.body.properties.lengthM, 0, 0.2);
    expect((await api(`/api/road-sections/${other}`)).status).toBe(404);
    await shot(page, 'section-merged');
    expectNoProblems(problems);
  });

  it('shows a road section’s conflict view when someone saved it meanwhile, and restores an old version', async () => {
    const current = (await api<SectionBody>(`/api/road-sections/${section.id}`)).body;
    expect(await page.getByTestId('edit-target').textContent()).toContain(`${SECTION} · 第 3 版`);

    // another planner renames it meanwhile: version 4
    const renamed = await api<SectionBody>(`/api/road-sections/${section.id}`, {
      method: 'PUT',
      body: { type: 'Feature', geometry: { type: 'LineString', coordinates: current.geometry.coordinates[0] }, properties: { name: `${SECTION}（他人修改）`, ownerOrgId: current.properties.ownerOrgId, version: 3 } },
    });
    expect(renamed.status).toBe(200);

    await page.getByTestId('edit-comment').fill('浏览器测试');
    await page.getByTestId('edit-save').click();
    const conflict = page.getByTestId('edit-conflict');
    await expect.poll(() => conflict.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await conflict.locator('h3').textContent()).toBe('保存冲突：此路段已被他人修改');
    expect(await page.getByTestId('edit-conflict-by').textContent()).toMatch(/^admin 于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 保存了第 4 版。$/);
    await expect.poll(() => page.evaluate(() => (window as Hooked).__civgridMap!.queryRenderedFeatures({ layers: ['section-edit:current', 'section-edit:mine'] })
      .map((f) => String(f.properties.kind)).sort()), { timeout: 10_000 }).toEqual(expect.arrayContaining(['current', 'mine']));
    await shot(page, 'section-conflict');
    await conflict.getByRole('button', { name: '采用当前版本' }).click();
    await expect.poll(() => page.getByTestId('edit-target').textContent()).toContain(`${SECTION}（他人修改） · 第 4 版`);

    // version 1 was the whole section, before the split
    await page.getByTestId('edit-history-toggle').click();
    await expect.poll(() => page.getByTestId('edit-version-1').isVisible(), { timeout: 15_000 }).toBe(true);
    await page.getByTestId('edit-version-1').locator('button').first().click();
    await page.getByTestId('edit-restore').click();
    await expect.poll(outcome, { timeout: 20_000 }).toContain('已恢复第 1 版，现为第 5 版');
    const restored = (await api<SectionBody>(`/api/road-sections/${section.id}`)).body;
    expect(restored.properties.name).toBe(SECTION);
    within(restored.properties.lengthM, section.properties.lengthM, 0, 0.2);
    await shot(page, 'section-restored');

    // the same panel in English
    await page.getByTestId('language-toggle').click();
    expect(await page.getByTestId('edit-panel').locator('h2').textContent()).toBe('Edit road sections');
    expect(await page.getByTestId('section-tool-line').textContent()).toBe('Draw section');
    expect(await page.getByTestId('edit-target').textContent()).toContain(`${SECTION} · version 5`);
    await shot(page, 'section-english');
    await page.getByTestId('language-toggle').click();
    expectNoProblems(problems, new RegExp(`^HTTP 409 .*/api/road-sections/${section.id}$`), /status of 409/);
  });

  // —— scope ——

  it('tells a planner in Chinese why a zone outside their street cannot be drawn or deleted', async () => {
    const theirs: string[] = [];
    const planner = await watchedPage(browser, theirs);
    planner.on('dialog', (dialog) => void dialog.accept());
    try {
      const { rows } = await sql<{ id: number; name: string; lon: number; lat: number }>`
        WITH scope AS (SELECT t.geom FROM users u JOIN territories t ON t.id = u.territory_id WHERE u.username = 'planner')
        SELECT z.id, z.name, ST_X(p) AS lon, ST_Y(p) AS lat
        FROM zones z, scope, LATERAL (SELECT ST_PointOnSurface(ST_GeometryN(z.geom, 1)) AS p) pt
        WHERE z.duty_type_id = 'frontage' AND z.valid_to IS NULL AND NOT ST_Intersects(z.geom, scope.geom)
        ORDER BY ST_Area(z.geom) DESC LIMIT 1`.execute(database.db);
      const far = rows[0]!;
      await signIn(planner, 'planner');
      await planner.getByTestId('edit-toggle').click();
      await planner.getByTestId('edit-duty').selectOption('frontage');
      await view(planner, [far.lon, far.lat], 18);
      await planner.waitForFunction(() => document.body.dataset.editDraw === 'ready' && document.body.dataset.editSnap !== undefined, null, { timeout: 30_000 });

      // a rectangle 60 m north of the zone: the live check says it lies outside, and saving is not offered
      await planner.getByTestId('edit-tool-rectangle').click();
      const a = await pixel(planner, [far.lon - 20 / M_PER_DEG_LON, far.lat + 80 / M_PER_DEG_LAT]);
      const b = await pixel(planner, [far.lon + 20 / M_PER_DEG_LON, far.lat + 60 / M_PER_DEG_LAT]);
      await clickAt(planner, a);
      await planner.mouse.move(b.x, b.y, { steps: 5 });
      await planner.mouse.click(b.x, b.y);
      const outside = planner.getByTestId('edit-outside-scope');
      await expect.poll(() => outside.isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await outside.textContent()).toMatch(/^有 [\d.,]+ m² 超出您的管辖范围，保存将被拒绝。$/);
      expect(await planner.getByTestId('edit-save').isDisabled()).toBe(true);
      if (shots) await planner.screenshot({ path: join(shots, 'verbs-scope-draw.png') });
      await planner.getByTestId('edit-cancel').click();

      // the neighbour street's zone opens (reading is district-wide), but deleting it is refused, in words
      await expect.poll(() => renderedNames(planner, 'zones:frontage:fill'), { timeout: 20_000 }).toContain(far.name);
      await clickAt(planner, await pixel(planner, [far.lon, far.lat]));
      await expect.poll(() => planner.getByTestId('edit-target').textContent(), { timeout: 15_000 }).toContain(far.name);
      await planner.getByTestId('edit-delete').click();
      const error = planner.getByTestId('edit-error');
      await expect.poll(() => error.isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await error.textContent()).toBe('超出您的管辖范围：您只能编辑“象山街道”内的责任区。');
      expect((await api(`/api/zones/${far.id}`)).status).toBe(200);
      if (shots) await planner.screenshot({ path: join(shots, 'verbs-scope-delete.png') });
      expectNoProblems(theirs, /^HTTP 401 .*\/api\/auth\/me$/, /status of 401/, new RegExp(`^HTTP 403 .*/api/zones/${far.id}\\?version=\\d+$`), /status of 403/);
    } finally {
      await planner.context().close();
    }
  });
});
