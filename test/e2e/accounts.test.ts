/**
 * Accounts in headless Chromium against the real server on a fresh test
 * database: the login page with the demo accounts, the uniform error for a
 * wrong password and the rate-limit message, a viewer who sees the map and no
 * admin entries, an admin who creates users through the form and finds the
 * creation in the audit log (filters, pages, an entry's geometry drawn on the
 * map), a reset password that must be changed before the app opens, and a
 * session that ends under the open app: the login dialog covers it, and after
 * signing in again everything typed is still there and the refused call goes
 * through; someone else signing in gets a fresh app; a refused map tile shows
 * the dialog too.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp also saves the login page, the users panel,
 * the audit log and the login dialog there.
 */
/// <reference lib="dom" />
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Database } from '@civgrid/db';
import { createApp } from '@civgrid/server';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBasemapFile } from '../../tiles/src/cli/basemap-file.ts';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
const webRoot = resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;

interface DemoAccounts {
  password: string;
  accounts: { username: string; role: string; displayName: string; scope: { id: number; name: string; level: string } }[];
}

/** The parts of the MapLibre map (`window.__civgridMap`) the test reads. */
interface TestMap {
  getZoom(): number;
  zoomTo(zoom: number, options: { duration: number }): void;
  style: { tileManagers: Record<string, { getIds(): string[]; getTileByID(id: string): { state: string } | undefined }> };
  getLayer(id: string): unknown;
  querySourceFeatures(source: string): unknown[];
  queryRenderedFeatures(options: { layers: string[] }): unknown[];
}
type Hooked = Window & { __civgridMap?: TestMap };

/** A vector tile's layer (with its query) and z/x/y, from its URL. */
function tileAddress(url: string): { layer: string; z: number; x: number; y: number } {
  const { pathname, search } = new URL(url);
  const match = /^\/tiles\/([^/]+)\/(\d+)\/(\d+)\/(\d+)\.mvt$/.exec(pathname);
  if (!match) throw new Error(`not a tile URL: ${url}`);
  return { layer: `${match[1]}${search}`, z: Number(match[2]), x: Number(match[3]), y: Number(match[4]) };
}

/** In the page: every tile the map holds for its view that is not loaded, as `source z/x/y state`. */
function unloadedTiles(): string[] {
  const managers = (window as Hooked).__civgridMap?.style.tileManagers ?? {};
  return Object.entries(managers).flatMap(([source, manager]) =>
    manager.getIds().map((id) => ({ id, state: manager.getTileByID(id)?.state })).filter(({ state }) => state !== 'loaded').map(({ id, state }) => `${source} ${id} ${state}`));
}

const ROLE_LABELS: Record<string, string> = {
  admin: '系统管理员', planner: '规划编辑', supervisor: '督查', handler: '处置单位', inspector: '巡查员', viewer: '只读用户',
};

describe.skipIf(skipBrowser)('accounts', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let demo: DemoAccounts;
  let tilesDir: string | undefined;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'index.html'))) {
      throw new Error(`${webRoot}/index.html is missing: run \`pnpm --filter @civgrid/web build\` first`);
    }
    database = await freshDatabase();
    // older entries in the audit trail, enough for the log to need a second page (50 a page)
    await sql`INSERT INTO audit_log (at, actor, action, entity, entity_id)
      SELECT now() - interval '2 days' + n * interval '1 minute', 'inspector', 'login', 'session', '5' FROM generate_series(1, 60) AS n`.execute(database.db);
    // the built-in basemap, on the map by default as after `pnpm start`
    tilesDir = mkdtempSync(join(tmpdir(), 'civgrid-e2e-accounts-tiles-'));
    await buildBasemapFile(database.db, join(tilesDir, 'basemap.pmtiles'));
    const app = createApp({
      database,
      webRoot,
      tilesDir,
      demo: true,
      // few wrong passwords per account before 429, so the test sees the message; plenty per address
      rateLimits: { loginPerIp: { max: 200, windowSeconds: 300 }, loginPerUser: { max: 3, windowSeconds: 300 }, publicPerIp: { max: 600, windowSeconds: 60 } },
    });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const response = await fetch(`${baseUrl}/api/auth/demo`);
    expect(response.status).toBe(200);
    demo = (await response.json()) as DemoAccounts;

    browser = await launchChromium();
    page = await watchedPage(browser, problems);
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
    if (tilesDir) rmSync(tilesDir, { recursive: true, force: true });
  });

  /** Nothing went wrong on the page since the last check, except what `expected` matches. */
  function expectNoProblems(...expected: RegExp[]): void {
    const left = problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
    problems.length = 0;
    expect(left).toEqual([]);
  }
  /** What the browser logs for a refused call: the response, and Chromium's console line about it. */
  const refused = (status: number, path: string) => [
    new RegExp(`^HTTP ${status} ${baseUrl.replace(/[.]/g, '\\.')}${path.replace(/[?]/g, '\\?')}`),
    new RegExp(`^console error: Failed to load resource: the server responded with a status of ${status}`),
  ];

  /** A call with the page's session cookie (the browser context shares it). */
  async function api<T>(path: string): Promise<T> {
    const response = await page.context().request.get(`${baseUrl}${path}`);
    expect(response.status(), path).toBe(200);
    return (await response.json()) as T;
  }

  async function waitForMap(): Promise<void> {
    await page.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 90_000 });
    expect(await page.evaluate(() => document.body.dataset.mapReady)).toBe('true');
  }

  async function signIn(username: string, password = demo.password): Promise<void> {
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
  }

  async function openMenu(): Promise<void> {
    await page.getByTestId('user-menu').click();
    await expect.poll(() => page.getByRole('menu').isVisible()).toBe(true);
  }

  it('shows the login page with the demo accounts, which fill in the form', async () => {
    await page.goto(baseUrl);
    const login = page.getByTestId('login-page');
    await expect.poll(() => login.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await page.title()).toBe('civgrid 网格化管理');
    expect(await login.getByRole('heading', { level: 1 }).textContent()).toBe('登录网格化管理平台');
    expect(await page.getByLabel('用户名').count()).toBe(1);
    expect(await page.getByLabel('密码').count()).toBe(1);
    expect(await page.getByRole('button', { name: '登录', exact: true }).count()).toBe(1);

    const list = page.getByTestId('demo-accounts');
    await expect.poll(() => list.isVisible()).toBe(true);
    expect(await page.getByTestId('demo-password').textContent()).toBe(demo.password);
    expect(demo.accounts.map((a) => a.username).sort()).toEqual(['admin', 'handler', 'inspector', 'planner', 'supervisor', 'viewer']);
    for (const account of demo.accounts) {
      const text = await page.getByTestId(`demo-account-${account.username}`).textContent();
      expect(text).toContain(account.username);
      expect(text).toContain(ROLE_LABELS[account.role]);
      expect(text).toContain(account.scope.name);
    }
    await page.getByTestId('demo-account-planner').click();
    expect(await page.getByTestId('login-username').inputValue()).toBe('planner');
    expect(await page.getByTestId('login-password').inputValue()).toBe(demo.password);
    if (shots) await page.screenshot({ path: join(shots, 'login.png') });
    // no session yet: /api/auth/me says so
    expectNoProblems(...refused(401, '/api/auth/me'));
  });

  it('answers a wrong password with one message, and too many with the wait', async () => {
    await signIn('admin', 'not-the-password');
    const error = page.getByTestId('login-error');
    await expect.poll(() => error.textContent()).toBe('用户名或密码不正确');
    // an account that does not exist gets the very same answer
    await signIn('nobody-here', 'not-the-password');
    await expect.poll(() => page.getByTestId('login-password').inputValue()).toBe('');
    expect(await error.textContent()).toBe('用户名或密码不正确');

    // the per-account limit is 3 in this test
    let status = 0;
    for (let attempt = 0; attempt < 6 && status !== 429; attempt++) {
      const answer = page.waitForResponse((response) => response.url().endsWith('/api/auth/login'));
      await signIn('inspector', 'still-not-the-password');
      status = (await answer).status();
    }
    expect(status).toBe(429);
    await expect.poll(() => error.textContent()).toMatch(/^尝试次数过多，请 \d+ 秒后再试$/);
    expect(await page.getByTestId('login-submit').isDisabled()).toBe(true);
    expectNoProblems(...refused(401, '/api/auth/login'), ...refused(429, '/api/auth/login'));
  });

  it('lets a viewer see the map, with no admin entries in the menu', async () => {
    await page.reload(); // a fresh form, without the countdown
    await expect.poll(() => page.getByTestId('login-page').isVisible(), { timeout: 30_000 }).toBe(true);
    await page.getByTestId('demo-account-viewer').click();
    await page.getByTestId('login-submit').click();
    await waitForMap();
    const viewer = demo.accounts.find((a) => a.username === 'viewer');
    expect(await page.getByTestId('user-name').textContent()).toBe(viewer?.displayName);
    expect(await page.getByTestId('user-role').textContent()).toBe('只读用户');
    expect(await page.getByTestId('user-scope').textContent()).toBe(viewer?.scope.name);

    await openMenu();
    expect(await page.getByRole('menuitem', { name: '修改密码' }).count()).toBe(1);
    expect(await page.getByRole('menuitem', { name: '退出登录' }).count()).toBe(1);
    expect(await page.getByRole('menuitem', { name: '用户管理' }).count()).toBe(0);
    expect(await page.getByRole('menuitem', { name: '审计日志' }).count()).toBe(0);
    expect(await page.getByText('用户管理').count()).toBe(0);

    await page.getByRole('menuitem', { name: '退出登录' }).click();
    await expect.poll(() => page.getByTestId('login-page').isVisible()).toBe(true);
    expect(await page.getByTestId('login-notice').textContent()).toBe('您已退出登录。');
    expectNoProblems(...refused(401, '/api/auth/me'));
  });

  it('lets an admin create users through the form and see them in the table', async () => {
    await page.getByTestId('demo-account-admin').click();
    await page.getByTestId('login-submit').click();
    await waitForMap();
    expect(await page.getByTestId('user-role').textContent()).toBe('系统管理员');

    await openMenu();
    if (shots) await page.screenshot({ path: join(shots, 'menu.png') });
    await page.getByRole('menuitem', { name: '用户管理' }).click();
    const panel = page.getByTestId('users-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    const users = await api<{ users: { username: string }[] }>('/api/users');
    await expect.poll(() => panel.locator('tbody tr[data-testid^=user-row-]').count()).toBe(users.users.length);
    expect(await panel.getByTestId('demo-badge').count()).toBe(6);

    const streets = await api<{ territories: { id: number; name: string }[] }>('/api/territories?level=street');
    const street = streets.territories[0]!;
    await panel.getByTestId('users-new').click();
    const form = panel.getByTestId('user-create-form');
    await form.getByTestId('new-username').fill('li.ming');
    await form.getByTestId('new-display-name').fill('李明');
    await form.getByTestId('new-password').fill('Guilin-2026-plan');
    await form.getByTestId('new-role').selectOption('planner');
    await form.getByTestId('new-scope').selectOption(String(street.id));
    await form.getByTestId('create-submit').click();

    const row = panel.getByTestId('user-row-li.ming');
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toContain('li.ming');
    expect(cells.slice(1, 6).map((c) => c.trim())).toEqual(['李明', '规划编辑', street.name, '—', '启用 待改密']);
    expect(await form.count()).toBe(0);

    // the same username again: said next to the field, and what was typed stays
    await panel.getByTestId('users-new').click();
    await form.getByTestId('new-username').fill('li.ming');
    await form.getByTestId('new-display-name').fill('李明二号');
    await form.getByTestId('new-password').fill('Another-long-one');
    await form.getByTestId('new-scope').selectOption(String(street.id));
    await form.getByTestId('create-submit').click();
    await expect.poll(() => form.getByTestId('error-username').textContent()).toBe('用户名已存在');
    expect(await form.getByTestId('new-display-name').inputValue()).toBe('李明二号');

    // a handler needs an organisation, found by name
    const organisations = await api<{ organisations: { id: number; name: string }[] }>('/api/organisations?q=&limit=1');
    const organisation = organisations.organisations[0]!;
    await form.getByTestId('new-username').fill('wang.fang');
    await form.getByTestId('new-display-name').fill('王芳');
    await form.getByTestId('new-role').selectOption('handler');
    await form.getByTestId('new-org-input').fill(organisation.name.slice(0, 4));
    await form.getByRole('option', { name: organisation.name, exact: true }).click();
    expect(await form.getByTestId('new-org-value').textContent()).toBe(organisation.name);
    await form.getByTestId('create-submit').click();
    const handler = panel.getByTestId('user-row-wang.fang');
    await expect.poll(() => handler.count(), { timeout: 15_000 }).toBe(1);
    expect(await handler.locator('td').nth(2).textContent()).toBe('处置单位');
    expect(await handler.locator('td').nth(4).textContent()).toBe(organisation.name);

    if (shots) await page.screenshot({ path: join(shots, 'users-panel.png') });
    expectNoProblems(...refused(409, '/api/users'));
  });

  it('lists the creation in the audit log, and draws an entry’s geometry on the map', async () => {
    // a zone edit as the zone service records it, with the shape before and after
    const square = (lon: number, lat: number, d: number) => ({
      type: 'Polygon',
      coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]],
    });
    const before = { name: '测试责任区', owner: '象山区环卫所', geometry: square(110.27, 25.2, 0.002) };
    const after = { name: '测试责任区（调整）', owner: '象山区环卫所', geometry: square(110.2715, 25.2005, 0.0025) };
    await sql`INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after)
      VALUES (now() - interval '1 hour', 'planner', 'update', 'zone', '9999', ${JSON.stringify(before)}::jsonb, ${JSON.stringify(after)}::jsonb)`.execute(database.db);

    await openMenu();
    await page.getByRole('menuitem', { name: '审计日志' }).click();
    const panel = page.getByTestId('audit-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    const entries = panel.getByTestId('audit-entry');
    await expect.poll(() => entries.count(), { timeout: 15_000 }).toBeGreaterThan(2);

    // newest first: the handler created last, li.ming before it
    const created = panel.locator('[data-testid=audit-entry][data-action=create][data-entity=user]');
    expect(await created.count()).toBe(2);
    const first = await created.nth(0).textContent();
    const second = await created.nth(1).textContent();
    expect(first).toContain('wang.fang');
    expect(second).toContain('li.ming');
    // a sentence naming the admin by their display name, the verb, the object and its name
    const admin = (await sql<{ name: string }>`SELECT display_name AS name FROM users WHERE username = 'admin'`.execute(database.db)).rows[0]!.name;
    expect(await created.nth(1).getByTestId('audit-sentence').textContent()).toBe(`${admin} 新建了用户 李明`);

    // only users' creations
    await panel.getByTestId('audit-entity').selectOption('user');
    await panel.getByTestId('audit-action').selectOption('create');
    await expect.poll(() => entries.count()).toBe(2);
    await panel.getByTestId('audit-entity').selectOption('');
    await panel.getByTestId('audit-action').selectOption('');
    await expect.poll(() => entries.count()).toBeGreaterThan(2);

    // nothing since a day to come; then everything, a page at a time
    await panel.getByTestId('audit-since').fill('2099-01-01');
    await expect.poll(() => panel.getByTestId('audit-entries').textContent()).toContain('没有符合条件的记录');
    await panel.getByRole('button', { name: '重置' }).click();
    const all = await api<{ entries: unknown[] }>('/api/audit?limit=500');
    expect(all.entries.length).toBeGreaterThan(60);
    await expect.poll(() => entries.count()).toBe(50);
    await panel.getByTestId('audit-more').click();
    await expect.poll(() => entries.count()).toBe(Math.min(100, all.entries.length));
    if (all.entries.length <= 100) expect(await panel.getByText('已显示全部记录').count()).toBe(1);

    const zone = panel.locator('[data-testid=audit-entry][data-entity=zone]');
    expect(await zone.textContent()).toContain('测试责任区（调整）');
    expect(await zone.locator('del').allTextContents()).toContain('测试责任区');
    const zoomBefore = await page.evaluate(() => (window as Hooked).__civgridMap?.getZoom() ?? 0);
    await zone.getByTestId('audit-show').click();
    await expect.poll(() => page.evaluate(() => (window as Hooked).__civgridMap?.getZoom() ?? 0), { timeout: 10_000 }).toBeGreaterThan(zoomBefore + 1);
    const drawn = () =>
      page.evaluate(() => {
        const map = (window as Hooked).__civgridMap;
        return {
          fill: map?.queryRenderedFeatures({ layers: ['audit:after:fill'] }).length ?? 0,
          before: map?.queryRenderedFeatures({ layers: ['audit:before:line'] }).length ?? 0,
        };
      });
    await expect.poll(async () => (await drawn()).fill, { timeout: 10_000 }).toBeGreaterThan(0);
    expect((await drawn()).before).toBeGreaterThan(0);
    if (shots) {
      await page.waitForTimeout(700);
      await page.screenshot({ path: join(shots, 'audit.png') });
    }
    await panel.getByTestId('audit-clear').click();
    await expect.poll(async () => (await drawn()).fill).toBe(0);
    expectNoProblems();
  });

  it('makes a user whose password an admin reset choose a new one before the app opens', async () => {
    await openMenu();
    await page.getByRole('menuitem', { name: '用户管理' }).click();
    const panel = page.getByTestId('users-panel');
    await panel.getByTestId('reset-li.ming').click();
    const reset = panel.getByTestId('password-reset-form');
    await reset.getByTestId('reset-password').fill('short');
    await reset.getByTestId('reset-submit').click();
    expect(await reset.locator('.field-error').textContent()).toBe('至少 10 个字符');
    await reset.getByTestId('reset-password').fill('Reset-by-admin-7');
    await reset.getByTestId('reset-submit').click();
    await expect.poll(() => reset.count()).toBe(0);
    await expect.poll(() => panel.getByTestId('user-row-li.ming').textContent()).toContain('待改密');

    // li.ming, in a browser of their own
    const theirs: string[] = [];
    const other = await watchedPage(browser, theirs);
    try {
      await other.goto(baseUrl);
      await other.getByTestId('login-username').fill('li.ming');
      await other.getByTestId('login-password').fill('Reset-by-admin-7');
      await other.getByTestId('login-submit').click();
      const form = other.getByTestId('password-form');
      await expect.poll(() => form.isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await other.evaluate(() => document.body.dataset.mapReady)).toBeUndefined(); // no app before the new password
      if (shots) await other.screenshot({ path: join(shots, 'must-change.png') });
      await form.getByTestId('password-current').fill('Reset-by-admin-7');
      await form.getByTestId('password-new').fill('Mine-and-only-mine');
      await form.getByTestId('password-again').fill('Mine-and-only-mine');
      await form.getByTestId('password-submit').click();
      await other.waitForFunction(() => document.body.dataset.mapReady === 'true', null, { timeout: 90_000 });
      expect(await other.getByTestId('user-name').textContent()).toBe('李明');
      expect(await other.getByTestId('user-role').textContent()).toBe('规划编辑');
      // a planner: no admin entries (the working calendar is there for everyone to read)
      await other.getByTestId('user-menu').click();
      expect(await other.getByRole('menuitem').allTextContents()).toEqual(['工作日历', '修改密码', '退出登录']);
    } finally {
      await other.context().close();
    }
    expect(theirs.filter((p) => !/status of 401|HTTP 401 .*\/api\/auth\/me$/.test(p))).toEqual([]);
    expectNoProblems();
  });

  it('keeps the app as it was when the session ends: the login dialog covers it, and signing in again carries on', async () => {
    await openMenu();
    await page.getByRole('menuitem', { name: '用户管理' }).click();
    const panel = page.getByTestId('users-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    await panel.getByTestId('users-new').click();
    const displayName = panel.getByTestId('new-display-name');
    await displayName.fill('正在填写的姓名');
    await panel.getByTestId('new-username').fill('zhao.lei');

    await sql`DELETE FROM sessions`.execute(database.db);
    await page.waitForTimeout(5_500); // the server keeps a resolved session for 5 s
    await panel.getByTestId('users-refresh').click();

    const dialog = page.getByTestId('login-dialog');
    await expect.poll(() => dialog.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await dialog.getByRole('heading').textContent()).toBe('登录已过期');
    expect(await dialog.getByTestId('login-username').inputValue()).toBe('admin');
    if (shots) await page.screenshot({ path: join(shots, 'expired.png') });
    // the app is still there underneath, as it was
    expect(await displayName.inputValue()).toBe('正在填写的姓名');

    await dialog.getByTestId('login-password').fill(demo.password);
    await dialog.getByTestId('login-submit').click();
    await expect.poll(() => dialog.count(), { timeout: 15_000 }).toBe(0);
    expect(await displayName.inputValue()).toBe('正在填写的姓名');
    expect(await panel.getByTestId('new-username').inputValue()).toBe('zhao.lei');
    // the refused call went through after signing in again
    await expect.poll(() => panel.getByTestId('user-row-li.ming').count()).toBe(1);
    expect(await page.evaluate(() => document.body.dataset.mapReady)).toBe('true');
    // on a loaded machine the map may still be fetching tiles when the session ends: those are
    // refused too, which is right (their fetching again is the last test's)
    expectNoProblems(...refused(401, '/api/users'), ...refused(401, '/tiles/'));
  });

  it('gives someone else who signs in over the ended session an app of their own', async () => {
    await sql`DELETE FROM sessions`.execute(database.db);
    await page.waitForTimeout(5_500);
    await page.getByTestId('users-panel').getByTestId('users-refresh').click();
    const dialog = page.getByTestId('login-dialog');
    await expect.poll(() => dialog.isVisible(), { timeout: 15_000 }).toBe(true);
    await dialog.getByTestId('login-username').fill('supervisor');
    await dialog.getByTestId('login-password').fill(demo.password);
    await dialog.getByTestId('login-submit').click();
    await expect.poll(() => dialog.count(), { timeout: 15_000 }).toBe(0);
    await waitForMap();
    expect(await page.getByTestId('user-role').textContent()).toBe('督查');
    expect(await page.getByTestId('users-panel').count()).toBe(0);
    await openMenu();
    expect(await page.getByRole('menuitem', { name: '用户管理' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    expectNoProblems(...refused(401, '/api/users'), ...refused(401, '/tiles/'));
  });

  it('shows the dialog for a map tile refused for want of a session too, and fetches the refused tiles again after', async () => {
    const tiles = new Map<string, number[]>();
    const basemap: number[] = [];
    const onResponse = (response: { url(): string; status(): number }) => {
      if (response.url().includes('basemap.pmtiles')) basemap.push(response.status());
      if (!response.url().includes('/tiles/')) return;
      // a tile by its layer and z/x/y: a layer's revision (`rev`, bumped when its data changes) may differ on the second ask
      const url = new URL(response.url());
      url.searchParams.delete('rev');
      tiles.set(url.toString(), [...(tiles.get(url.toString()) ?? []), response.status()]);
    };
    page.on('response', onResponse);
    await sql`DELETE FROM sessions`.execute(database.db);
    await page.waitForTimeout(5_500);
    // new tiles at a deeper zoom: the map fetches them itself, not through the API client
    await page.evaluate(() => (window as Hooked).__civgridMap?.zoomTo(15, { duration: 0 }));
    const dialog = page.getByTestId('login-dialog');
    await expect.poll(() => dialog.isVisible(), { timeout: 15_000 }).toBe(true);
    await dialog.getByTestId('login-password').fill(demo.password);
    await dialog.getByTestId('login-submit').click();
    await expect.poll(() => dialog.count(), { timeout: 15_000 }).toBe(0);
    const refusedTiles = () => [...tiles.entries()].filter(([, statuses]) => statuses[0] === 401);
    const served = (statuses: number[]) => statuses.slice(1).some((status) => status === 200 || status === 204);
    expect(refusedTiles().length).toBeGreaterThan(0);
    // every refused tile is asked for again and served, but for a stand-in: MapLibre asks for a refused tile's
    // parents to show meanwhile, and once the tile itself is served it rightly has no use for them
    const standsInForServed = (url: string) => {
      const tile = tileAddress(url);
      return refusedTiles().some(([other, statuses]) => {
        const child = tileAddress(other);
        return served(statuses) && child.layer === tile.layer && child.z > tile.z &&
          child.x >> (child.z - tile.z) === tile.x && child.y >> (child.z - tile.z) === tile.y;
      });
    };
    await expect
      .poll(() => refusedTiles().filter(([url, statuses]) => !served(statuses) && !standsInForServed(url)).map(([url]) => url), { timeout: 30_000 })
      .toEqual([]);
    // and the map has every tile of its view, none refused or left waiting (the basemap's included)
    await expect.poll(() => page.evaluate(unloadedTiles), { timeout: 30_000 }).toEqual([]);
    expect(await page.evaluate(() => Object.keys((window as Hooked).__civgridMap?.style.tileManagers ?? {}).some((id) => id.startsWith('basemap:')))).toBe(true);
    // the basemap (its archive read by ranges) is public: the ended session did not take it away
    expect(basemap.filter((status) => status >= 400)).toEqual([]);
    if (shots) await page.screenshot({ path: join(shots, 'tiles-after-renewal.png') });
    page.off('response', onResponse);
    expectNoProblems(new RegExp(`^HTTP 401 ${baseUrl.replace(/[.]/g, '\\.')}/tiles/`), /status of 401/);
  });
});
