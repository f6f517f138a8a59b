/**
 * Issue 16's screens, part B, in headless Chromium against the real server
 * on a fresh test database: the problem list's total, order and a handler's
 * to-do (我的待办); an empty history and actors by name; the weighted final
 * ticking one campaign whose weights make 100 %; the citizen page's pin that
 * waits for a street-level zoom, its plain words, its receipt (code and
 * secret) and the progress lookup; and the working calendar (工作日历) that a
 * district admin marks and everybody else reads. Expectations are computed
 * from the database, never from the seed's dates.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp/… saves screens-b-*.png there.
 */
/// <reference lib="dom" />
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
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
const webRoot = process.env.CIVGRID_E2E_WEB_ROOT ?? resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;
const PHONE = { width: 390, height: 844 };

type LonLat = [number, number];
interface CitizenMap {
  project(lngLat: LonLat): { x: number; y: number };
  jumpTo(options: { center: LonLat; zoom: number }): void;
  getZoom(): number;
}
type Hooked = Window & { __civgridCitizenMap?: CitizenMap };

describe.skipIf(skipBrowser)('screens part B', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  const problems: string[] = [];

  const rows = <T>(query: ReturnType<typeof sql<T>>) => query.execute(database.db).then((r) => r.rows);
  const ids = (page: Page) => page.getByTestId('problem-row').evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.id)));

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'index.html'))) throw new Error(`${webRoot}/index.html is missing: run \`pnpm --filter @civgrid/web build\` first`);
    database = await freshDatabase();
    const app = createApp({
      database, webRoot, demo: true,
      rateLimits: { loginPerIp: { max: 200, windowSeconds: 300 }, loginPerUser: { max: 50, windowSeconds: 300 }, publicPerIp: { max: 600, windowSeconds: 60 } },
    });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  /** The login page asks who is signed in before anyone is: that 401 is expected. */
  const signedOut = [/^HTTP 401 .*\/api\/auth\/me$/, /^console error: Failed to load resource: the server responded with a status of 401/];

  function expectNoProblems(...expected: RegExp[]): void {
    const left = problems.filter((problem) => ![...signedOut, ...expected].some((pattern) => pattern.test(problem)));
    problems.length = 0;
    expect(left).toEqual([]);
  }

  async function shot(page: Page, name: string, fullPage = false): Promise<void> {
    if (shots) await page.screenshot({ path: join(shots, `screens-b-${name}.png`), fullPage });
  }

  async function signIn(username: string): Promise<Page> {
    const page = await watchedPage(browser, problems);
    await page.goto(baseUrl);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 180_000 });
    return page;
  }

  const total = async (page: Page) => Number(await page.getByTestId('problems-total').getAttribute('data-total'));

  it('opens a handler’s list on its to-do, counts it, and shows all it may see on request', { timeout: 300_000 }, async () => {
    const page = await signIn('handler');
    await page.getByTestId('problems-toggle').click();
    const [org] = await rows(sql<{ id: number }>`SELECT organisation_id AS id FROM users WHERE username = 'handler'`);
    const [todo] = await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE owner_org_id = ${org!.id} AND status IN ('dispatched', 'in_progress')`);
    const [all] = await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE owner_org_id = ${org!.id}`);
    expect(await page.getByTestId('problems-scope-todo').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => total(page), { timeout: 30_000 }).toBe(todo!.n);
    expect(await page.getByTestId('problems-total').textContent()).toBe(`共 ${todo!.n.toLocaleString()} 件`);
    const statuses = await page.getByTestId('problem-row').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.status));
    expect(statuses.every((s) => s === 'dispatched' || s === 'in_progress')).toBe(true);
    await shot(page, 'handler-todo');
    await page.getByTestId('problems-scope-all').click();
    await expect.poll(() => total(page), { timeout: 30_000 }).toBe(all!.n);
    expect(all!.n).toBeGreaterThan(todo!.n);
    await page.close();
    expectNoProblems();
  });

  it('sorts a supervisor’s list by report time, newest first, and oldest first on request', { timeout: 300_000 }, async () => {
    const page = await signIn('supervisor');
    await page.getByTestId('problems-toggle').click();
    // a supervisor's list opens on everything: its to-do is offered, not forced
    expect(await page.getByTestId('problems-scope-all').getAttribute('aria-pressed')).toBe('true');
    const [count] = await rows(sql<{ n: number }>`SELECT count(*)::int AS n FROM problems`);
    await expect.poll(() => total(page), { timeout: 30_000 }).toBe(count!.n);
    const newest = await rows(sql<{ id: number }>`SELECT id FROM problems ORDER BY reported_at DESC, id DESC LIMIT 50`);
    await expect.poll(() => ids(page), { timeout: 30_000 }).toEqual(newest.map((r) => r.id));
    await page.getByTestId('problems-sort').selectOption('oldest');
    const oldest = await rows(sql<{ id: number }>`SELECT id FROM problems ORDER BY reported_at ASC, id ASC LIMIT 50`);
    await expect.poll(() => ids(page), { timeout: 30_000 }).toEqual(oldest.map((r) => r.id));
    expect(await total(page)).toBe(count!.n);
    await page.close();
    expectNoProblems();
  });

  it('says so when a problem has no history, and names who acted by display name', { timeout: 300_000 }, async () => {
    // a problem that came without history (as an import or an older system leaves them), reported just now
    const [placed] = await rows(sql<{ id: number }>`
      INSERT INTO problems (category_id, status, source, geom, grid_id, street_id, owner_org_id, reported_at)
      SELECT 'evt-env-exposed-waste', 'reported', 'staff', ST_PointOnSurface(t.geom), NULL, t.id, NULL, now() + interval '1 minute'
      FROM territories t WHERE t.level = 'street' ORDER BY t.code LIMIT 1 RETURNING id`);
    const page = await signIn('supervisor');
    await page.getByTestId('problems-toggle').click();
    const row = page.locator(`[data-testid=problem-row][data-id="${placed!.id}"]`);
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    await row.click();
    await expect.poll(() => page.getByTestId('timeline-empty').textContent(), { timeout: 30_000 }).toContain('还没有人处理');
    await shot(page, 'empty-history');
    await page.getByTestId('action-register').click();
    await expect.poll(() => page.getByTestId('action-form').getAttribute('data-action')).toBe('register');
    await page.getByTestId('action-confirm').click();
    const [name] = await rows(sql<{ display_name: string }>`SELECT display_name FROM users WHERE username = 'supervisor'`);
    await expect.poll(() => page.getByTestId('timeline-actor').allTextContents(), { timeout: 30_000 }).toEqual([name!.display_name]);
    expect(await page.getByTestId('timeline-empty').count()).toBe(0);
    await page.close();
    expectNoProblems();
  });

  it('ticks by default the newest rounds whose weights make 100 %, and shows the sum it computed', { timeout: 300_000 }, async () => {
    // after every round there is: a campaign of 30 % + 70 %, then a newer round of a campaign not complete (50 %)
    const [last] = await rows(sql<{ day: string }>`SELECT to_char(coalesce(max(ends_on), current_date) + 30, 'YYYY-MM-DD') AS day FROM inspection_rounds`);
    const start = last!.day;
    const made = await rows(sql<{ id: number; name: string }>`
      INSERT INTO inspection_rounds (name, starts_on, ends_on, weight, status) VALUES
        ('测试·甲轮', ${start}::date, ${start}::date + 10, 0.3, 'planning'),
        ('测试·乙轮', ${start}::date + 20, ${start}::date + 30, 0.7, 'planning'),
        ('测试·新一期首轮', ${start}::date + 60, ${start}::date + 70, 0.5, 'planning')
      RETURNING id, name`);
    const campaign = made.filter((r) => r.name !== '测试·新一期首轮').map((r) => r.id).sort((a, b) => a - b);
    const page = await signIn('supervisor');
    await page.getByTestId('inspection-toggle').click();
    await page.getByTestId('inspection-tab-scores').click();
    await page.getByTestId('scores-view').waitFor();
    const ticked = async () => {
      const out: number[] = [];
      for (const box of await page.getByTestId('final-round').all()) if (await box.isChecked()) out.push(Number(await box.getAttribute('data-id')));
      return out.sort((a, b) => a - b);
    };
    await expect.poll(ticked, { timeout: 30_000 }).toEqual(campaign);
    const sum = page.getByTestId('final-weight-sum');
    await expect.poll(() => sum.getAttribute('data-sum'), { timeout: 30_000 }).toBe('100');
    expect(await sum.evaluate((el) => el.classList.contains('warn'))).toBe(false);
    await shot(page, 'scores-default');
    // one round less: the sum says 30 % and warns
    await page.locator(`[data-testid=final-round][data-id="${campaign[1]}"]`).uncheck();
    await expect.poll(() => sum.getAttribute('data-sum'), { timeout: 30_000 }).toBe('30');
    expect(await sum.evaluate((el) => el.classList.contains('warn'))).toBe(true);
    expect(await sum.textContent()).toContain('不是 100%');
    await page.close();
    expectNoProblems();
  });

  it('lets a citizen drop the pin only when zoomed in, in plain words, and look the report up with its code and secret', { timeout: 300_000 }, async () => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', deviceScaleFactor: 1, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
    });
    await page.goto(`${baseUrl}/report/`);
    const legends = page.locator('[data-testid=citizen-categories] legend .kind');
    await expect.poll(() => legends.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const kinds = new Set(await legends.allTextContents());
    // the trade's words 事件/部件 are not what a citizen reads (category names of their own may still hold them)
    expect(kinds).toEqual(new Set(['身边的事', '公共设施']));

    // the map opens on the whole district: a tap there zooms in and drops no pin
    await page.getByTestId('citizen-map-open').click();
    await page.waitForFunction(() => document.body.dataset.citizenMap === 'ready', null, { timeout: 60_000 });
    const hint = page.getByTestId('citizen-map-hint');
    await expect.poll(() => hint.getAttribute('data-close-enough')).toBe('false');
    expect(await hint.textContent()).toContain('请先放大');
    const [inside] = await rows(sql<{ lon: number; lat: number }>`
      SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM territories WHERE level = 'street' ORDER BY code LIMIT 1) s`);
    const at: LonLat = [Number(inside!.lon), Number(inside!.lat)];
    const tap = async () => {
      const map = page.getByTestId('citizen-map');
      await map.scrollIntoViewIfNeeded();
      const box = (await map.boundingBox())!;
      const px = await page.evaluate((p) => (window as Hooked).__civgridCitizenMap!.project(p), at);
      await page.mouse.click(box.x + px.x, box.y + px.y);
    };
    const zoomBefore = await page.evaluate(() => (window as Hooked).__civgridCitizenMap!.getZoom());
    expect(zoomBefore).toBeLessThan(15);
    await tap();
    await expect.poll(() => page.evaluate(() => (window as Hooked).__civgridCitizenMap!.getZoom()), { timeout: 10_000 }).toBeGreaterThan(zoomBefore + 1);
    expect(await page.getByTestId('citizen-place').count()).toBe(0);
    await shot(page, 'citizen-zoom-in', true);
    // at street level the same tap drops the pin
    await page.evaluate((p) => (window as Hooked).__civgridCitizenMap!.jumpTo({ center: p, zoom: 16 }), at);
    await expect.poll(() => hint.getAttribute('data-close-enough'), { timeout: 10_000 }).toBe('true');
    await tap();
    await expect.poll(() => page.getByTestId('citizen-place').textContent()).toContain('已在地图上选定位置');

    await page.getByTestId('citizen-category-evt-env-exposed-waste').click();
    await page.getByTestId('citizen-submit').click();
    await page.getByTestId('citizen-received').waitFor({ timeout: 30_000 });
    const code = (await page.getByTestId('citizen-receipt-code').textContent())!.trim();
    const secret = (await page.getByTestId('citizen-receipt-secret').textContent())!.trim();
    expect(code).toMatch(/^[0-9A-Z]{3}-[0-9A-Z]{3}$/);
    expect(secret).toMatch(/^([0-9A-Z]{4}-){3}[0-9A-Z]{4}$/);
    const id = Number(await page.getByTestId('citizen-problem-id').textContent());
    const [stored] = await rows(sql<{ code: string; hash: string }>`SELECT code, encode(secret_hash, 'hex') AS hash FROM citizen_receipts WHERE problem_id = ${id}`);
    expect(stored).toEqual({ code, hash: createHash('sha256').update(secret.replaceAll('-', '')).digest('hex') });
    await shot(page, 'citizen-receipt', true);

    // 我的上报 keeps it in this browser: one tap answers its progress
    const mine = page.locator(`[data-testid=citizen-my-report][data-code="${code}"]`);
    await expect.poll(() => mine.count()).toBe(1);
    // the office takes it on meanwhile
    const login = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'supervisor', password: DEMO_PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const [{ version }] = (await rows(sql<{ version: number }>`SELECT version FROM problems WHERE id = ${id}`)) as [{ version: number }];
    const registered = await fetch(`${baseUrl}/api/problems/${id}/transitions`, {
      method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' }, body: JSON.stringify({ action: 'register', version, note: '内部：已回访' }),
    });
    expect(registered.status).toBe(200);
    await mine.click();
    const answer = page.getByTestId('citizen-lookup-answer');
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: 30_000 }).toBe('registered');
    expect(await page.getByTestId('citizen-lookup-status').textContent()).toBe('已受理');
    expect(await page.locator('[data-testid=citizen-lookup-history] li').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.step))).toEqual(['report', 'register']);
    expect(await answer.textContent()).not.toContain('内部');
    await shot(page, 'citizen-lookup', true);

    // a wrong secret says "not found", as an unknown code would
    const wrong = `${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`;
    await page.getByTestId('citizen-lookup-secret').fill(wrong);
    await page.getByTestId('citizen-lookup-submit').click();
    await expect.poll(() => page.getByTestId('citizen-lookup-failure').getAttribute('data-failure'), { timeout: 30_000 }).toBe('not_found');
    expect(await page.getByTestId('citizen-lookup-answer').count()).toBe(0);
    // nothing wider than the phone
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await context.close();
    expectNoProblems(/^HTTP 404 .*\/api\/public\/problems\/lookup$/, /^console error: Failed to load resource: the server responded with a status of 404/);
  });

  /** The day the admin marks, read again by the viewer. */
  let marked = '';
  const openCalendar = async (target: Page) => {
    await target.getByTestId('user-menu').click();
    await target.getByTestId('menu-calendar').click();
    await target.getByTestId('calendar-panel').waitFor();
  };

  it('lets a district admin mark a holiday that is still there after a reload', { timeout: 300_000 }, async () => {
    // a weekday of this year (China time) that the calendar does not list yet
    const [free] = await rows(sql<{ day: string }>`
      SELECT to_char(d, 'YYYY-MM-DD') AS day FROM generate_series(date_trunc('year', (now() AT TIME ZONE 'Asia/Shanghai'))::date,
        (date_trunc('year', (now() AT TIME ZONE 'Asia/Shanghai')) + interval '1 year - 1 day')::date, interval '1 day') d
      WHERE extract(isodow FROM d) <= 5 AND NOT EXISTS (SELECT 1 FROM work_calendar w WHERE w.day = d::date)
      ORDER BY d DESC LIMIT 1`);
    const day = free!.day;
    marked = day;
    const page = await signIn('admin');
    await openCalendar(page);
    const cell = page.locator(`[data-testid=calendar-day][data-day="${day}"]`);
    await expect.poll(() => cell.getAttribute('data-kind'), { timeout: 30_000 }).toBe('workday');
    // the calendar's own holidays are drawn as such
    const listed = await rows(sql<{ day: string }>`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM work_calendar WHERE kind = 'holiday' AND extract(year FROM day) = ${Number(day.slice(0, 4))}`);
    for (const h of listed.slice(0, 3)) expect(await page.locator(`[data-testid=calendar-day][data-day="${h.day}"]`).getAttribute('data-kind')).toBe('holiday');
    await cell.click();
    await page.getByTestId('calendar-kind-holiday').check();
    await page.getByTestId('calendar-name').fill('测试假日');
    await page.getByTestId('calendar-save').click();
    await page.getByTestId('calendar-saved').waitFor({ timeout: 30_000 });
    await expect.poll(() => cell.getAttribute('data-kind')).toBe('holiday');
    expect(await rows(sql<{ kind: string; name: string }>`SELECT kind, name FROM work_calendar WHERE day = ${day}::date`)).toEqual([{ kind: 'holiday', name: '测试假日' }]);
    await shot(page, 'calendar-admin');

    await page.reload();
    await page.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 180_000 });
    await openCalendar(page);
    await expect.poll(() => page.locator(`[data-testid=calendar-day][data-day="${day}"]`).getAttribute('data-kind'), { timeout: 30_000 }).toBe('holiday');
    expect(await page.locator(`[data-testid=calendar-day][data-day="${day}"]`).getAttribute('title')).toContain('测试假日');
    await page.close();
    expectNoProblems();
  });

  it('shows a viewer the calendar read-only', { timeout: 300_000 }, async () => {
    expect(marked).not.toBe('');
    const day = marked;
    const viewer = await signIn('viewer');
    await openCalendar(viewer);
    await viewer.getByTestId('calendar-readonly').waitFor();
    const seen = viewer.locator(`[data-testid=calendar-day][data-day="${day}"]`);
    await expect.poll(() => seen.getAttribute('data-kind'), { timeout: 30_000 }).toBe('holiday');
    await seen.click();
    await viewer.getByTestId('calendar-editor').waitFor();
    expect(await viewer.getByTestId('calendar-selected-kind').textContent()).toContain('测试假日');
    expect(await viewer.getByTestId('calendar-save').count()).toBe(0);
    await shot(viewer, 'calendar-viewer');
    await viewer.close();
    expectNoProblems();
  });
});
