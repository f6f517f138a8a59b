/**
 * 分类管理 and 考核指标 in headless Chromium against the real server on a fresh
 * test database: an admin edits a category's deadline (a value out of range
 * is refused next to the field; a good one is saved and still there after a
 * reload, and the API has it), the indicators table of a period shows the
 * same numbers as GET /api/indicators for that period, sorts and downloads as
 * CSV for Excel, and the red/black list of a fortnight shows the communities
 * and the rule the API answers. A supervisor has the indicators but not the
 * categories; a viewer has neither.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp/shots saves the panels there.
 */
/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD, demoSetting } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadedBytes, launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
const webRoot = resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;

interface Category {
  id: string;
  parentId: string | null;
  nameZh: string;
  deadlineHours: number | null;
}
interface IndicatorRow {
  id: number | null;
  name: string | null;
  due: number;
  closed: number;
  closureRate: number | null;
  onTimeClosureRate: number | null;
  reworkRate: number | null;
  avgHandlingHours: number | null;
  blindSpots: number;
  disputed: number;
  overdueOpen: number;
}
interface Rankings {
  rule: { periodDays: number; size: number; minDue: number };
  ranked: { id: number; name: string }[];
  red: { id: number; name: string; onTimeClosureRate: number | null }[];
  black: { id: number; name: string; onTimeClosureRate: number | null }[];
}

/** A day some days later (or earlier), as YYYY-MM-DD. */
const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
/** 2026-10-12 → 2026年10月12日, as the rankings' period label reads. */
const chineseDay = (day: string) => `${Number(day.slice(0, 4))}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;

describe.skipIf(skipBrowser)('categories and indicators', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  // the whole month before the one the demo's time line ends in, and a fortnight (Monday to Sunday) in it:
  // the demo is seeded relative to its anchor day, so these come from the database, not from the calendar
  let FROM: string;
  let TO: string;
  let FORTNIGHT: string;

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'index.html'))) {
      throw new Error(`${webRoot}/index.html is missing: run \`pnpm --filter @civgrid/web build\` first`);
    }
    database = await freshDatabase();
    const anchor = (await demoSetting(database.db))?.anchor;
    if (!anchor) throw new Error('the demo template records no anchor day');
    TO = addDays(`${anchor.slice(0, 8)}01`, -1);
    FROM = `${TO.slice(0, 8)}01`;
    const weekday = new Date(`${FROM}T00:00:00Z`).getUTCDay();
    FORTNIGHT = addDays(FROM, ((8 - weekday) % 7) + 7); // the second Monday of that month
    const app = createApp({ database, webRoot, demo: true });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await signedIn('admin');
    if (shots) mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  /** A page of its own, signed in as `username`, with the map loaded. */
  async function signedIn(username: string): Promise<Page> {
    const p = await watchedPage(browser, problems);
    const login = await p.context().request.post(`${baseUrl}/api/auth/login`, { data: { username, password: DEMO_PASSWORD } });
    expect(login.status()).toBe(200);
    await p.goto(baseUrl);
    await p.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 90_000 });
    expect(await p.evaluate(() => document.body.dataset.mapReady)).toBe('true');
    return p;
  }

  async function api<T>(path: string, on: Page = page): Promise<T> {
    const response = await on.context().request.get(`${baseUrl}${path}`);
    expect(response.status(), path).toBe(200);
    return (await response.json()) as T;
  }

  function expectNoProblems(): void {
    const left = [...problems];
    problems.length = 0;
    expect(left).toEqual([]);
  }

  async function shot(name: string): Promise<void> {
    if (shots) await page.screenshot({ path: join(shots, `indicators-${name}.png`) });
  }

  const CATEGORY = 'evt-env-waste-pile'; // 积存垃圾渣土, 24 working hours in the seed

  async function openCategories(): Promise<void> {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('menu-categories').click();
    await page.getByTestId(`category-row-${CATEGORY}`).waitFor();
  }

  it('lets an admin edit a category’s deadline: refused out of range, saved and kept after a reload', async () => {
    const before = (await api<{ categories: Category[] }>('/api/categories')).categories.find((c) => c.id === CATEGORY)!;
    expect(before.deadlineHours).toBe(24);
    await openCategories();
    const deadline = page.getByTestId(`category-deadline-${CATEGORY}`);
    expect(await deadline.inputValue()).toBe('24');
    expect(await page.getByTestId(`category-row-${CATEGORY}`).textContent()).toContain('积存垃圾渣土');
    // every minor class has a row
    const minors = (await api<{ categories: Category[] }>('/api/categories')).categories.filter((c) => c.parentId !== null);
    expect(await page.locator('[data-testid^=category-row-]').count()).toBe(minors.length);

    await deadline.fill('0');
    await page.getByTestId(`category-save-${CATEGORY}`).click();
    await expect.poll(() => page.getByTestId('category-error-deadlineHours').textContent()).toBe('须为 1–2000 的整数');
    expect(await deadline.getAttribute('aria-invalid')).toBe('true');
    await shot('category-error');

    await deadline.fill('36');
    expect(await page.getByTestId('category-error-deadlineHours').count()).toBe(0);
    await deadline.press('Enter');
    await expect.poll(() => page.getByTestId(`category-save-${CATEGORY}`).count()).toBe(0);
    await expect.poll(async () => (await api<{ categories: Category[] }>('/api/categories')).categories.find((c) => c.id === CATEGORY)!.deadlineHours).toBe(36);

    await page.reload();
    await page.waitForFunction(() => document.body.dataset.mapReady === 'true', null, { timeout: 90_000 });
    await openCategories();
    expect(await page.getByTestId(`category-deadline-${CATEGORY}`).inputValue()).toBe('36');
    await shot('categories');
    expectNoProblems();
  });

  it('shows the indicators of a period with the numbers GET /api/indicators gives, sorted and as CSV', async () => {
    await page.getByTestId('indicators-toggle').click();
    await page.getByTestId('indicators-panel').waitFor();
    await page.getByTestId('indicators-from').fill(FROM);
    await page.getByTestId('indicators-to').fill(TO);
    await page.getByTestId('indicators-by-street').click();

    const { rows } = await api<{ rows: IndicatorRow[] }>(`/api/indicators?by=street&from=${FROM}&to=${TO}`);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.some((r) => r.due > 0)).toBe(true);
    await expect.poll(() => page.getByTestId('indicators-count').textContent()).toBe(`共 ${rows.length} 行`);

    // one decimal always (the server rounds rates to 0.1 %)
    const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
    const cells = async (id: number | null) =>
      page.locator(`[data-testid=indicators-row][data-id="${id ?? ''}"] td`).evaluateAll((tds) => Object.fromEntries(tds.map((td) => [(td as HTMLElement).dataset.col, td.textContent?.trim()])));
    for (const row of rows) {
      const shown = await cells(row.id);
      expect(shown).toEqual({
        name: row.name ?? '（不在街道内）',
        due: String(row.due),
        closed: String(row.closed),
        closureRate: percent(row.closureRate),
        onTimeClosureRate: percent(row.onTimeClosureRate),
        reworkRate: percent(row.reworkRate),
        avgHandlingHours: row.avgHandlingHours === null ? '—' : row.avgHandlingHours.toFixed(1),
        blindSpots: String(row.blindSpots),
        disputed: String(row.disputed),
        overdueOpen: String(row.overdueOpen),
      });
    }
    await shot('table');

    // sorted by on-time closure rate, highest first; rows without a rate last
    await page.getByTestId('indicators-sort-onTimeClosureRate').click();
    const order = await page.locator('[data-testid=indicators-row]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.id));
    const expected = [...rows].sort((a, b) => (b.onTimeClosureRate ?? -1) - (a.onTimeClosureRate ?? -1));
    expect(order.map((id) => rows.find((r) => String(r.id ?? '') === id)!.onTimeClosureRate)).toEqual(expected.map((r) => r.onTimeClosureRate));
    expect(await page.locator('th[aria-sort=descending]').textContent()).toContain('按期结案率');

    // the CSV has a byte-order mark for Excel and one line per row
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('indicators-csv').click()]);
    expect(download.suggestedFilename()).toBe(`考核指标_街道_${FROM}_${TO}.csv`);
    const csv = (await downloadedBytes(download)).toString('utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines[0]!.split(',').slice(0, 4)).toEqual(['名称', '应结案', '已结案', '结案率(%)']);
    expect(lines).toHaveLength(rows.length + 1);
    const first = rows.find((r) => r.name !== null)!;
    const line = lines.find((l) => l.startsWith(`${first.name},`))!;
    expect(line.split(',').slice(1, 3)).toEqual([String(first.due), String(first.closed)]);

    // by unit: the same numbers as the API gives for owners
    await page.getByTestId('indicators-by-owner').click();
    const owners = (await api<{ rows: IndicatorRow[] }>(`/api/indicators?by=owner&from=${FROM}&to=${TO}`)).rows;
    await expect.poll(() => page.getByTestId('indicators-count').textContent()).toBe(`共 ${owners.length} 行`);
    const busiest = owners.find((r) => r.id !== null)!;
    const shown = await cells(busiest.id);
    expect([shown.name, shown.due, shown.closureRate]).toEqual([busiest.name, String(busiest.due), percent(busiest.closureRate)]);
    expectNoProblems();
  });

  it('shows the red and black lists of a fortnight with the API’s rule', async () => {
    await page.getByTestId('rankings-tab').click();
    await page.getByTestId('rankings-period').fill(FORTNIGHT);
    const rankings = await api<Rankings>(`/api/rankings/communities?period=${FORTNIGHT}`);
    expect(rankings.ranked.length).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('rankings-period-label').textContent()).toContain(`${chineseDay(FORTNIGHT)} 至 ${chineseDay(addDays(FORTNIGHT, 13))}（14 天）`);

    const names = (kind: 'red' | 'black') => page.locator(`[data-testid=ranking-${kind}-row] .name`).allTextContents();
    await expect.poll(() => names('red')).toEqual(rankings.red.map((r) => r.name));
    expect(await names('black')).toEqual(rankings.black.map((r) => r.name));
    const rule = await page.getByTestId('rankings-rule').textContent();
    expect(rule).toContain(`每 ${rankings.rule.periodDays} 天为一期`);
    expect(rule).toContain(`不足 ${rankings.rule.minDue} 件`);
    expect(rule).toContain(`前 ${rankings.rule.size} 名列入红榜，后 ${rankings.rule.size} 名列入黑榜`);
    await page.getByTestId('rankings-all-toggle').click();
    expect(await page.locator('[data-testid=rankings-all] tbody tr').count()).toBe(rankings.ranked.length);
    await shot('rankings');

    // the previous fortnight is another list
    await page.getByTestId('rankings-previous').click();
    await expect.poll(() => page.getByTestId('rankings-period').inputValue()).toBe(addDays(FORTNIGHT, -14));
    const earlier = await api<Rankings>(`/api/rankings/communities?period=${addDays(FORTNIGHT, -14)}`);
    await expect.poll(() => names('red')).toEqual(earlier.red.map((r) => r.name));
    expectNoProblems();
  });

  it('gives a supervisor the indicators but not the categories, and a viewer neither', async () => {
    const supervisor = await signedIn('supervisor');
    expect(await supervisor.getByTestId('indicators-toggle').count()).toBe(1);
    await supervisor.getByTestId('indicators-toggle').click();
    await supervisor.getByTestId('indicators-panel').waitFor();
    await supervisor.getByTestId('user-menu').click();
    expect(await supervisor.getByTestId('menu-categories').count()).toBe(0);
    await supervisor.close();

    const viewer = await signedIn('viewer');
    expect(await viewer.getByTestId('indicators-toggle').count()).toBe(0);
    await viewer.close();
    expectNoProblems();
  });
});
