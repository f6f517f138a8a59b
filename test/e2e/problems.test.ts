/**
 * The staff problems workspace (问题) in headless Chromium against the real
 * server on a fresh test database: a supervisor reports a problem by
 * clicking the map, with a photo; the first send is cut off after the server
 * took it, and the second send (the same Idempotency-Key) answers the same
 * problem — one problem in the database. The routed owner is the owner of
 * the town-sanitation zone at that place. A second report at the same place
 * is offered the first as 可能重复 and opens it instead. The case is walked
 * 立案 → 派遣 (supervisor) → 开始处置 → 反馈 with a photo (the handler, in a
 * browser of its own) → 核查 → 结案 (supervisor), with only the allowed
 * buttons shown, a 409 for an action the state no longer allows (the
 * supervisor's page was stale) and a stale version reloaded and said so;
 * the timeline, the photos, the list's filters (checked against SQL), paging
 * and the CSV download; and a report at the device's position in a blind
 * spot, which says 盲区 and names the street office.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp saves problems-*.png there.
 */
/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW as SERVER_WORKFLOW } from '../../server/src/services/problem.service.ts';
import { WORKFLOW as WEB_WORKFLOW } from '../../web/src/components/problems/workflow.ts';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
/** The built web app; CIVGRID_E2E_WEB_ROOT points at a copy of it (a build running meanwhile then cannot change it under the test). */
const webRoot = process.env.CIVGRID_E2E_WEB_ROOT ?? resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;

type LonLat = [number, number];
const CATEGORY = 'evt-env-exposed-waste';

/** The parts of the MapLibre map (`window.__civgridMap`) the test uses. */
interface TestMap {
  project(lngLat: LonLat): { x: number; y: number };
  jumpTo(options: { center: LonLat; zoom: number }): void;
  getCanvas(): HTMLCanvasElement;
  getLayer(id: string): unknown;
  queryRenderedFeatures(options: { layers: string[] }): { properties: Record<string, unknown> }[];
}
type Hooked = Window & { __civgridMap?: TestMap };

it('offers in the browser exactly the workflow the server keeps', () => {
  expect(JSON.parse(JSON.stringify(WEB_WORKFLOW))).toEqual(JSON.parse(JSON.stringify(SERVER_WORKFLOW)));
});

describe.skipIf(skipBrowser)('the problems workspace', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let handlerPage: Page;
  const problems: string[] = [];
  /** A place in the demo handler's town-sanitation zone, no city zone near, no open 暴露垃圾 within about 200 m. */
  let owned: LonLat;
  let ownerName: string;
  /** The middle of the largest place neither sanitation tier covers (a blind spot), and its street office. */
  let blind: LonLat;
  let streetOffice: string;
  let id = 0;

  const rows = <T>(query: ReturnType<typeof sql<T>>) => query.execute(database.db).then((r) => r.rows);

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'index.html'))) {
      throw new Error(`${webRoot}/index.html is missing: run \`pnpm --filter @civgrid/web build\` first`);
    }
    database = await freshDatabase();
    const [spot] = await rows(sql<{ lon: number; lat: number; owner: string }>`
      WITH h AS (SELECT organisation_id AS id FROM users WHERE username = 'handler'),
      z AS (SELECT z.geom, ST_Buffer(z.geom, -0.0003) AS inner, o.name AS owner
            FROM zones z JOIN organisations o ON o.id = z.owner_org_id, h
            WHERE z.valid_to IS NULL AND z.duty_type_id = 'sanitation-town' AND z.owner_org_id = h.id),
      pts AS (SELECT ST_SetSRID(ST_MakePoint(x, y), 4326) AS g FROM z,
        generate_series(ST_XMin(z.geom)::numeric, ST_XMax(z.geom)::numeric, 0.0007) x, generate_series(ST_YMin(z.geom)::numeric, ST_YMax(z.geom)::numeric, 0.0007) y)
      SELECT ST_X(p.g) AS lon, ST_Y(p.g) AS lat, z.owner FROM pts p, z
      WHERE ST_Contains(z.inner, p.g)
        AND NOT EXISTS (SELECT 1 FROM zones c WHERE c.valid_to IS NULL AND c.duty_type_id = 'sanitation-city' AND ST_Intersects(c.geom, ST_Expand(p.g, 0.0003)))
        AND NOT EXISTS (SELECT 1 FROM problems q WHERE q.category_id = ${CATEGORY} AND q.status NOT IN ('closed', 'void') AND q.geom && ST_Expand(p.g, 0.002))
      ORDER BY ST_Distance(p.g, ST_Centroid(z.geom)) LIMIT 1`);
    expect(spot, 'a place in the handler’s zone').toBeDefined();
    owned = [Number(spot!.lon), Number(spot!.lat)];
    ownerName = spot!.owner;
    const [gap] = await rows(sql<{ lon: number; lat: number; office: string }>`
      WITH s AS (SELECT ST_Union(geom) AS g FROM zones WHERE valid_to IS NULL AND duty_type_id IN ('sanitation-city', 'sanitation-town')),
      d AS (SELECT geom FROM territories WHERE level = 'district'),
      gap AS (SELECT (ST_Dump(ST_Difference(d.geom, s.g, 1e-10))).geom AS g FROM d, s),
      c AS (SELECT (ST_MaximumInscribedCircle(g)).center AS c, (ST_MaximumInscribedCircle(g)).radius AS r FROM gap ORDER BY r DESC LIMIT 1)
      SELECT ST_X(c.c) AS lon, ST_Y(c.c) AS lat, o.name AS office
      FROM c JOIN territories t ON t.level = 'street' AND ST_Intersects(t.geom, c.c)
      JOIN organisations o ON o.kind = 'street' AND o.territory_id = t.id ORDER BY o.id LIMIT 1`);
    expect(gap, 'a blind spot of the sanitation tiers').toBeDefined();
    blind = [Number(gap!.lon), Number(gap!.lat)];
    streetOffice = gap!.office;

    const app = createApp({
      database, webRoot, demo: true,
      rateLimits: { loginPerIp: { max: 200, windowSeconds: 300 }, loginPerUser: { max: 50, windowSeconds: 300 }, publicPerIp: { max: 600, windowSeconds: 60 } },
    });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await watchedPage(browser, problems);
    handlerPage = await watchedPage(browser, problems);
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  /** Nothing went wrong on the pages since the last check, except what `expected` matches. */
  function expectNoProblems(...expected: RegExp[]): void {
    const left = problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
    problems.length = 0;
    expect(left).toEqual([]);
  }
  const refused = (status: number) => [
    new RegExp(`^HTTP ${status} ${baseUrl.replace(/[.]/g, '\\.')}/api/problems/\\d+/transitions$`),
    new RegExp(`^console error: Failed to load resource: the server responded with a status of ${status}`),
  ];

  /** The login page asks who is signed in first: nobody yet (401). */
  const signedOut = () => [
    new RegExp(`^HTTP 401 ${baseUrl.replace(/[.]/g, '\\.')}/api/auth/me$`),
    /^console error: Failed to load resource: the server responded with a status of 401/,
  ];

  async function signIn(target: Page, username: string): Promise<void> {
    await target.goto(baseUrl);
    await target.getByTestId('login-username').fill(username);
    await target.getByTestId('login-password').fill(DEMO_PASSWORD);
    await target.getByTestId('login-submit').click();
    await target.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 90_000 });
    expect(await target.evaluate(() => document.body.dataset.mapReady)).toBe('true');
  }

  /** Centres the map on `at` and clicks there. */
  async function clickMapAt(target: Page, at: LonLat, zoom = 17): Promise<void> {
    const pixel = await target.evaluate(({ at, zoom }) => {
      const map = (window as Hooked).__civgridMap!;
      map.jumpTo({ center: at, zoom });
      const rect = map.getCanvas().getBoundingClientRect();
      const p = map.project(at);
      return { x: rect.left + p.x, y: rect.top + p.y };
    }, { at, zoom });
    await target.mouse.click(pixel.x, pixel.y);
  }

  const jpeg = (colour: string) => sharp({ create: { width: 640, height: 480, channels: 3, background: colour } }).jpeg().toBuffer();
  const detail = (target: Page) => target.getByTestId('problem-detail');
  const statusText = (target: Page) => target.getByTestId('problem-status').textContent();
  /** The workflow buttons the detail offers, in order. */
  const actionsShown = (target: Page) =>
    target.getByTestId('problem-actions').locator('.buttons button').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.testid));

  async function act(target: Page, action: string, fill?: () => Promise<void>): Promise<void> {
    await target.getByTestId(`action-${action}`).click();
    await expect.poll(() => target.getByTestId('action-form').getAttribute('data-action')).toBe(action);
    await fill?.();
    await target.getByTestId('action-confirm').click();
  }

  it('shows the list of problems to a signed-in supervisor, newest first, as points on the map', async () => {
    await signIn(page, 'supervisor');
    await page.getByTestId('problems-toggle').click();
    const panel = page.getByTestId('problems-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('problem-row').count(), { timeout: 30_000 }).toBe(50);
    const newest = await rows(sql<{ id: number }>`SELECT id FROM problems ORDER BY reported_at DESC, id DESC LIMIT 50`);
    expect(await page.getByTestId('problem-row').evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.id)))).toEqual(newest.map((r) => r.id));
    // the page's problems are drawn on the map
    const drawn = await page.evaluate(() => {
      const map = (window as Hooked).__civgridMap!;
      return map.getLayer('problems:points') ? 'layer' : 'none';
    });
    expect(drawn).toBe('layer');
    if (shots) await page.screenshot({ path: join(shots, 'problems-list.png') });
    expectNoProblems(...signedOut());
  });

  it('reports a problem at a clicked place with a photo; a send cut off after the server took it, sent again, makes one problem', async () => {
    await page.getByTestId('problems-tab-report').click();
    await expect.poll(() => page.getByTestId('report-form').isVisible()).toBe(true);
    await clickMapAt(page, owned);
    const location = page.getByTestId('report-location');
    await expect.poll(() => location.isVisible()).toBe(true);
    const [lon, lat] = ((await location.locator('code').textContent()) ?? '').split(',').map(Number) as [number, number];
    // a click lands within a pixel (about a metre at zoom 17) of the place
    expect(Math.abs(lon - owned[0])).toBeLessThan(2e-5);
    expect(Math.abs(lat - owned[1])).toBeLessThan(2e-5);
    expect(await page.getByTestId('report-marker').count()).toBe(1);

    await page.getByTestId('report-category').selectOption(CATEGORY);
    await page.getByTestId('report-description').fill('路边有暴露垃圾（浏览器测试）');
    await page.getByTestId('report-photos-input').setInputFiles({ name: 'before.jpg', mimeType: 'image/jpeg', buffer: await jpeg('#3a6') });
    await expect.poll(() => page.getByTestId('report-photos-preview').count()).toBe(1);
    await expect.poll(() => page.getByTestId('report-no-duplicates').textContent()).toBe('30 米内没有同类未结问题');
    if (shots) await page.screenshot({ path: join(shots, 'problems-report-form.png') });

    // the first send reaches the server, but its answer is lost on the way back
    let taken: number | null = null;
    await page.route((url) => url.pathname === '/api/problems', async (route) => {
      if (route.request().method() !== 'POST' || taken !== null) return route.continue();
      const response = await route.fetch();
      taken = ((await response.json()) as { id: number }).id;
      await route.abort('failed');
    });
    await page.getByTestId('report-submit').click();
    await expect.poll(() => page.getByTestId('report-error').textContent()).toContain('同一份上报不会重复登记');
    expect(taken).not.toBeNull();
    await page.unrouteAll();
    await page.getByTestId('report-submit').click();
    const result = page.getByTestId('report-result');
    await expect.poll(() => result.isVisible()).toBe(true);
    id = Number(await result.getAttribute('data-id'));
    expect(id).toBe(taken);
    const here = await rows(sql<{ n: number }>`
      SELECT count(*)::int AS n FROM problems WHERE category_id = ${CATEGORY} AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(${owned[0]}, ${owned[1]}), 4326)::geography, 10)`);
    expect(here[0]!.n).toBe(1);
    // routed to the owner of the town-sanitation zone there, with no flag
    expect(await page.getByTestId('report-owner').textContent()).toBe(`已派给：${ownerName}`);
    expect(await page.getByTestId('report-flag-blind').count()).toBe(0);
    expect(await page.getByTestId('report-flag-disputed').count()).toBe(0);
    const photos = await rows(sql<{ stage: string; size: number }>`SELECT stage, size FROM problem_photos WHERE problem_id = ${id}`);
    expect(photos.map((p) => p.stage)).toEqual(['report']);
    if (shots) await page.screenshot({ path: join(shots, 'problems-reported.png') });
    expectNoProblems(/^console error: Failed to load resource: net::ERR_FAILED$/);
  });

  it('offers the first report as a possible duplicate of a second one at the same place, and opens it instead', async () => {
    await page.getByTestId('report-again').click();
    await expect.poll(() => page.getByTestId('report-form').isVisible()).toBe(true);
    expect(await page.getByTestId('report-category').inputValue()).toBe(CATEGORY); // the class stays for the next report
    await clickMapAt(page, owned);
    const offer = page.getByTestId('report-duplicates');
    await expect.poll(() => offer.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await offer.locator('p strong').textContent()).toBe('可能重复：30 米内已有同类未结问题');
    const item = offer.getByTestId('report-duplicate');
    expect(await item.count()).toBe(1);
    expect(Number(await item.getAttribute('data-id'))).toBe(id);
    expect(await item.textContent()).toMatch(new RegExp(`^#${id} · 待立案 · 相距 [0-2] 米`));
    expect(await page.getByTestId('report-submit').textContent()).toContain('仍要上报');
    if (shots) await page.screenshot({ path: join(shots, 'problems-duplicate.png') });
    await item.click();
    await expect.poll(() => detail(page).getAttribute('data-id')).toBe(String(id));
    const count = await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE category_id = ${CATEGORY} AND description = '路边有暴露垃圾（浏览器测试）'`);
    expect(count[0]!.n).toBe(1);
    expectNoProblems();
  });

  it('registers and dispatches as a supervisor, offering only the actions the state allows', async () => {
    await expect.poll(() => statusText(page)).toBe('待立案');
    expect(await page.getByTestId('problem-owner').textContent()).toBe(ownerName);
    expect(await actionsShown(page)).toEqual(['action-register', 'action-transfer', 'action-void']);
    await act(page, 'register');
    await expect.poll(() => statusText(page)).toBe('已立案');
    expect(await actionsShown(page)).toEqual(['action-dispatch', 'action-transfer', 'action-void']);
    await act(page, 'dispatch', () => page.getByTestId('action-note').fill('请尽快清理'));
    await expect.poll(() => statusText(page)).toBe('已派遣');
    // 暴露垃圾 has 2 working hours: the deadline is shown with its due time
    expect(await page.getByTestId('problem-deadline').textContent()).toMatch(/2 个工作小时 · .+ 到期/);
    // a supervisor may start the work too (the handler usually does)
    expect(await actionsShown(page)).toEqual(['action-start', 'action-transfer', 'action-urge', 'action-escalate', 'action-void']);
    if (shots) await page.screenshot({ path: join(shots, 'problems-dispatched.png') });
    expectNoProblems();
  });

  it('lets the owning unit’s handler start and feed back with a photo; a note is required', async () => {
    await signIn(handlerPage, 'handler');
    await handlerPage.getByTestId('problems-toggle').click();
    const row = handlerPage.locator(`[data-testid=problem-row][data-id="${id}"]`);
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    // a handler lists its own organisation's cases only
    const handlerOrg = await rows(sql<{ id: number }>`SELECT organisation_id AS id FROM users WHERE username = 'handler'`);
    const listed = await handlerPage.getByTestId('problem-row').evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.id)));
    const owners = await rows(sql<{ owner: number }>`SELECT DISTINCT owner_org_id AS owner FROM problems WHERE id IN (${sql.join(listed)})`);
    expect(owners.map((o) => o.owner)).toEqual([handlerOrg[0]!.id]);
    await row.click();
    await expect.poll(() => statusText(handlerPage)).toBe('已派遣');
    expect(await actionsShown(handlerPage)).toEqual(['action-start']);
    await act(handlerPage, 'start');
    await expect.poll(() => statusText(handlerPage)).toBe('处置中');
    expect(await actionsShown(handlerPage)).toEqual(['action-feedback']);

    await handlerPage.getByTestId('action-feedback').click();
    await handlerPage.getByTestId('action-confirm').click();
    expect(await handlerPage.getByTestId('action-form').locator('.field-error').textContent()).toBe('请填写说明');
    await handlerPage.getByTestId('action-note').fill('已清理干净，附现场照片');
    await handlerPage.getByTestId('action-photos-input').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await jpeg('#6a3') });
    await expect.poll(() => handlerPage.getByTestId('action-photos-preview').count()).toBe(1);
    if (shots) await handlerPage.screenshot({ path: join(shots, 'problems-feedback-form.png') });
    await handlerPage.getByTestId('action-confirm').click();
    await expect.poll(() => statusText(handlerPage)).toBe('已反馈');
    expect(await handlerPage.getByTestId('problem-no-actions').textContent()).toBe('当前状态下，您的角色没有可办理的操作');
    const feedback = handlerPage.locator('[data-testid=timeline-entry][data-action=feedback]');
    expect(await feedback.locator('.note').textContent()).toBe('已清理干净，附现场照片');
    await expect.poll(() => feedback.locator('.mini img').count()).toBe(1);
    const stored = await rows(sql<{ stage: string; event: string }>`
      SELECT ph.stage, e.action AS event FROM problem_photos ph JOIN problem_events e ON e.id = ph.event_id WHERE ph.problem_id = ${id} ORDER BY ph.id`);
    expect(stored).toEqual([{ stage: 'report', event: 'report' }, { stage: 'feedback', event: 'feedback' }]);
    if (shots) await handlerPage.screenshot({ path: join(shots, 'problems-fed-back.png') });
    expectNoProblems(...signedOut());
  });

  it('shows the server’s 409 on a page that was stale, reloads, and says so for a stale version', async () => {
    // the supervisor's page still shows 已派遣 and offers 催办, which a fed-back case no longer takes
    expect(await statusText(page)).toBe('已派遣');
    await act(page, 'urge');
    const message = page.getByTestId('action-message');
    await expect.poll(() => message.getAttribute('data-tone')).toBe('error');
    expect(await message.locator('strong').textContent()).toBe('服务器拒绝了此操作（409）');
    expect(await message.locator('span').textContent()).toBe('问题当前为“已反馈”，“催办”只能在“已派遣、处置中”时办理。');
    await expect.poll(() => statusText(page)).toBe('已反馈');
    expect(await actionsShown(page)).toEqual(['action-verify', 'action-return', 'action-escalate', 'action-void']);
    if (shots) await page.screenshot({ path: join(shots, 'problems-409.png') });
    expectNoProblems(...refused(409));

    // someone escalates it meanwhile (another session of the supervisor): the page's version is stale
    const me = (await (await page.context().request.get(`${baseUrl}/api/auth/me`)).json()) as { csrfToken: string };
    const version = Number(await detail(page).getAttribute('data-version'));
    const escalated = await page.context().request.post(`${baseUrl}/api/problems/${id}/transitions`, {
      headers: { 'x-csrf-token': me.csrfToken, origin: baseUrl }, data: { action: 'escalate', version, note: '督查组督办' },
    });
    expect(escalated.status()).toBe(200);
    await act(page, 'verify');
    await expect.poll(() => message.getAttribute('data-tone')).toBe('info');
    expect(await message.locator('span').textContent()).toBe('此问题刚被他人更新，已重新加载最新状态，请确认后再办理。');
    await expect.poll(() => detail(page).getAttribute('data-version')).toBe(String(version + 1));
    expect(await statusText(page)).toBe('已反馈');
    expectNoProblems(...refused(409));
  });

  it('verifies and closes; the timeline tells who did what, with the photos of each step', async () => {
    await act(page, 'verify');
    await expect.poll(() => statusText(page)).toBe('已核查');
    await act(page, 'close', () => page.getByTestId('action-note').fill('现场已核实'));
    await expect.poll(() => statusText(page)).toBe('已结案');
    expect(await page.getByTestId('problem-no-actions').count()).toBe(1);
    const entries = page.getByTestId('timeline-entry');
    await expect.poll(() => entries.count()).toBe(8);
    expect(await entries.evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.action))).toEqual(
      ['report', 'register', 'dispatch', 'start', 'feedback', 'escalate', 'verify', 'close'],
    );
    const lines = await entries.locator('.line').allTextContents();
    // each step names its account by display name, not by username
    const names = Object.fromEntries((await rows(sql<{ username: string; name: string }>`SELECT username, display_name AS name FROM users WHERE username IN ('supervisor', 'handler')`)).map((u) => [u.username, u.name]));
    const [sv, hd] = [names.supervisor!, names.handler!];
    expect(lines.map((l) => l.replace(/\s+/g, ' ').trim().replace(/ \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/, ''))).toEqual([
      `上报 → 待立案 ${sv}`, `立案 → 已立案 ${sv}`, `派遣 → 已派遣 ${sv}`, `开始处置 → 处置中 ${hd}`,
      `反馈 → 已反馈 ${hd}`, `督办 ${sv}`, `核查通过 → 已核查 ${sv}`, `结案 → 已结案 ${sv}`,
    ]);
    expect(await page.getByTestId('problem-photo').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.stage))).toEqual(['report', 'feedback']);
    if (shots) await page.screenshot({ path: join(shots, 'problems-closed.png'), fullPage: true });

    // a thumbnail opens the photo at full size
    await page.getByTestId('problem-photo').nth(1).click();
    const viewer = page.getByTestId('photo-viewer');
    await expect.poll(() => viewer.isVisible()).toBe(true);
    await expect.poll(() => viewer.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(640);
    if (shots) await page.screenshot({ path: join(shots, 'problems-photo.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.count()).toBe(0);
    expectNoProblems();
  });

  it('filters the list by status, category, flag and warning, pages it, and downloads the filter as CSV', async () => {
    await page.getByTestId('problem-back').click();
    await page.getByTestId('problems-filter-status').selectOption('closed');
    await page.getByTestId('problems-filter-category').selectOption(CATEGORY);
    await page.getByTestId('problems-search').click();
    const ids = () => page.getByTestId('problem-row').evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.id)));
    const closed = await rows(sql<{ id: number }>`SELECT id FROM problems WHERE status = 'closed' AND category_id = ${CATEGORY} ORDER BY reported_at DESC, id DESC LIMIT 50`);
    await expect.poll(ids, { timeout: 15_000 }).toEqual(closed.map((r) => r.id));
    expect(closed[0]!.id).toBe(id); // ours, just closed, is the newest
    const csvHref = await page.getByTestId('problems-csv').getAttribute('href');
    const csv = await page.context().request.get(`${baseUrl}${csvHref}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const total = await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE status = 'closed' AND category_id = ${CATEGORY}`);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toContain('categoryName');
    expect(lines).toHaveLength(Math.min(total[0]!.n, 10_000) + 1);

    // the open ones (every state before 结案 and 作废), two pages of them
    await page.getByTestId('problems-filter-status').selectOption('open');
    await page.getByTestId('problems-filter-category').selectOption('');
    await page.getByTestId('problems-search').click();
    const open = await rows(sql<{ id: number }>`SELECT id FROM problems WHERE status NOT IN ('closed', 'void') ORDER BY reported_at DESC, id DESC LIMIT 100`);
    expect(open).toHaveLength(100);
    await expect.poll(ids, { timeout: 15_000 }).toEqual(open.slice(0, 50).map((r) => r.id));
    await page.getByTestId('problems-next').click();
    await expect.poll(ids, { timeout: 15_000 }).toEqual(open.slice(50, 100).map((r) => r.id));
    expect(await page.getByTestId('problems-page').textContent()).toContain('第 2 页');
    await page.getByTestId('problems-prev').click();
    await expect.poll(ids, { timeout: 15_000 }).toEqual(open.slice(0, 50).map((r) => r.id));

    // the blind spots (管理盲区), each row flagged
    await page.getByTestId('problems-filter-status').selectOption('');
    await page.getByTestId('problems-filter-flag').selectOption('blindSpot');
    await page.getByTestId('problems-search').click();
    const blindIds = await rows(sql<{ id: number }>`SELECT id FROM problems WHERE blind_spot ORDER BY reported_at DESC, id DESC LIMIT 50`);
    expect(blindIds.length).toBeGreaterThan(0);
    await expect.poll(ids, { timeout: 15_000 }).toEqual(blindIds.map((r) => r.id));
    expect(await page.locator('[data-testid=problem-row] .flag.blind').count()).toBe(blindIds.length);

    // overdue (红色超期): the demo's open cases dispatched weeks ago
    await page.getByTestId('problems-filter-flag').selectOption('');
    await page.getByTestId('problems-filter-warning').selectOption('red');
    await page.getByTestId('problems-search').click();
    // the blind-spot list had 50 rows too: wait for the rows of this search, not for a count
    const warnings = () => page.getByTestId('problem-row').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.warning));
    await expect.poll(async () => new Set(await warnings()), { timeout: 30_000 }).toEqual(new Set(['red']));
    expect(await page.getByTestId('problem-row').count()).toBe(50);
    // every one of them open, dispatched, and past its due time
    const listed = await ids();
    const late = await rows(sql<{ n: number }>`
      SELECT count(*)::int AS n FROM problems WHERE id IN (${sql.join(listed)}) AND status NOT IN ('closed', 'void') AND dispatched_at IS NOT NULL AND due_at < now()`);
    expect(late[0]!.n).toBe(50);
    if (shots) await page.screenshot({ path: join(shots, 'problems-filtered.png') });
    await page.getByTestId('problems-filter-warning').selectOption('');
    await page.getByTestId('problems-search').click();
    expectNoProblems();
  });

  it('reports at the device’s position in a blind spot: sent to the street office, flagged 盲区', async () => {
    await page.context().grantPermissions(['geolocation'], { origin: baseUrl });
    await page.context().setGeolocation({ longitude: blind[0], latitude: blind[1], accuracy: 5 });
    // the form as it was left when the duplicate was opened instead; the device's position replaces the clicked one
    await page.getByTestId('problems-tab-report').click();
    await page.getByTestId('report-use-mine').click();
    const location = page.getByTestId('report-location');
    await expect.poll(() => location.locator('code').textContent()).toBe(`${blind[0].toFixed(6)}, ${blind[1].toFixed(6)}`);
    expect(await location.locator('small').textContent()).toBe('设备定位（WGS84）');
    await page.getByTestId('report-category').selectOption(CATEGORY);
    await expect.poll(() => page.getByTestId('report-submit').isDisabled()).toBe(false);
    await page.getByTestId('report-submit').click();
    const result = page.getByTestId('report-result');
    await expect.poll(() => result.isVisible()).toBe(true);
    expect(await page.getByTestId('report-owner').textContent()).toBe(`已派给：${streetOffice}`);
    expect(await page.getByTestId('report-flag-blind').textContent()).toContain('盲区');
    const stored = await rows(sql<{ lon: number; lat: number; blind: boolean }>`
      SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat, blind_spot AS blind FROM problems WHERE id = ${Number(await result.getAttribute('data-id'))}`);
    expect(stored[0]!.blind).toBe(true);
    expect(Math.abs(Number(stored[0]!.lon) - blind[0])).toBeLessThan(1e-6);
    expect(Math.abs(Number(stored[0]!.lat) - blind[1])).toBeLessThan(1e-6);
    if (shots) await page.screenshot({ path: join(shots, 'problems-blind-spot.png') });

    // the same in English, then the detail of that problem
    await page.getByTestId('language-toggle').click();
    await expect.poll(() => result.locator('.form-ok').textContent()).toMatch(/^Reported as problem #\d+$/);
    expect(await page.getByTestId('report-owner').textContent()).toBe(`Sent to: ${streetOffice}`);
    await page.getByTestId('report-view').click();
    await expect.poll(() => statusText(page)).toBe('Reported');
    expect(await actionsShown(page)).toEqual(['action-register', 'action-transfer', 'action-void']);
    expect(await page.getByTestId('action-register').textContent()).toBe('Register');
    if (shots) await page.screenshot({ path: join(shots, 'problems-english.png') });
    await page.getByTestId('language-toggle').click();
    expectNoProblems();
  });
});
