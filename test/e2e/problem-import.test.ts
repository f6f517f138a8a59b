/**
 * 导入历史问题 in headless Chromium against the real server on a fresh test
 * database with a test district around most of Boston: a supervisor opens
 * 导入 (only the problems tab is theirs), picks the real Boston 311 file,
 * finds the columns guessed, maps the request types onto our categories
 * (leaving "Overcrowding" out) and the time zone, previews, reads the counts
 * (computed here from the file), commits, and finds the rows in the
 * database. An admin sees both tabs.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp/shots also saves problem-import-mapping.png,
 * problem-import-preview.png and problem-import-done.png there.
 */
/// <reference lib="dom" />
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Database } from '@civgrid/db';
import { createApp } from '@civgrid/server';
import { serve } from '@hono/node-server';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
const webRoot = resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;
const FILE = resolve(root, 'test/fixtures/problems/boston_311_2025_subset.csv');
const DISTRICT = { w: -71.19, s: 42.22, e: -71.03, n: 42.4 };
const CATEGORY_MAP: Record<string, string> = {
  'Sidewalk Repair (Make Safe)': 'evt-emergency-collapse',
  'Street Light Outages': 'cmp-utility-streetlight',
  'Street Light Knock Downs': 'cmp-utility-streetlight',
  'Sidewalk Repair': 'evt-emergency-collapse',
};

describe.skipIf(skipBrowser)('importing past problems', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let password: string;
  const problems: string[] = [];
  /** Counted here from the file: rows without coordinates, outside the district, of an unmapped type, and the rest. */
  const expected = { rows: 0, noCoordinates: 0, outside: 0, unmapped: 0, importable: 0 };

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'index.html'))) {
      throw new Error(`${webRoot}/index.html is missing: run \`pnpm --filter @civgrid/web build\` first`);
    }
    const records = parse(readFileSync(FILE), { columns: true }) as { latitude: string; longitude: string; type: string }[];
    for (const r of records) {
      expected.rows++;
      if (!r.latitude || !r.longitude) expected.noCoordinates++;
      else if (!(Number(r.longitude) >= DISTRICT.w && Number(r.longitude) <= DISTRICT.e && Number(r.latitude) >= DISTRICT.s && Number(r.latitude) <= DISTRICT.n)) expected.outside++;
      else if (!(r.type in CATEGORY_MAP)) expected.unmapped++;
      else expected.importable++;
    }
    database = await freshDatabase();
    await sql`INSERT INTO territories (level, code, name, parent_id, geom)
              VALUES ('district', '990001', '波士顿测试区', NULL, ST_Multi(ST_MakeEnvelope(${DISTRICT.w}, ${DISTRICT.s}, ${DISTRICT.e}, ${DISTRICT.n}, 4326)))`.execute(database.db);
    const app = createApp({ database, webRoot, demo: true });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    password = ((await (await fetch(`${baseUrl}/api/auth/demo`)).json()) as { password: string }).password;
    browser = await launchChromium();
    page = await watchedPage(browser, problems);
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  async function signIn(username: string): Promise<void> {
    await page.goto(baseUrl);
    await expect.poll(() => page.getByTestId('login-page').isVisible(), { timeout: 30_000 }).toBe(true);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 90_000 });
    // signed out, the page first asked who it is (401)
    problems.splice(0, problems.length, ...problems.filter((p) => !/\/api\/auth\/me|status of 401/.test(p)));
  }

  it('maps, previews and imports the Boston file as a supervisor', async () => {
    await signIn('supervisor');
    await page.getByTestId('import-toggle').click();
    const panel = page.getByTestId('import-panel');
    await expect.poll(() => panel.getByTestId('problem-import').isVisible()).toBe(true);
    // a supervisor imports problems, not layers: no tabs, no layer options
    expect(await panel.getByTestId('import-tab-layers').count()).toBe(0);

    await panel.getByTestId('import-file').setInputFiles({ name: 'boston_311_2025_subset.csv', mimeType: 'text/csv', buffer: readFileSync(FILE) });
    await expect.poll(() => panel.getByTestId('problem-import-read').textContent(), { timeout: 30_000 }).toContain(`${expected.rows.toLocaleString('zh-CN')} 行`);
    // the guesses from the column names
    expect(await panel.getByTestId('problem-import-lon').inputValue()).toBe('longitude');
    expect(await panel.getByTestId('problem-import-lat').inputValue()).toBe('latitude');
    expect(await panel.getByTestId('problem-import-reported').inputValue()).toBe('open_dt');
    expect(await panel.getByTestId('problem-import-category-column').inputValue()).toBe('type');
    expect(await panel.getByTestId('problem-import-external-id').inputValue()).toBe('case_enquiry_id');
    await panel.getByTestId('problem-import-timezone').selectOption('America/New_York');

    // the request types, most frequent first, each onto a category; "Overcrowding" left out
    const values = panel.getByTestId('problem-import-category-values');
    const listed = await values.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-value')));
    expect(listed).toEqual(['Sidewalk Repair (Make Safe)', 'Street Light Outages', 'Street Light Knock Downs', 'Sidewalk Repair', 'Overcrowding']);
    for (const [value, category] of Object.entries(CATEGORY_MAP)) {
      await values.locator(`tr[data-value="${value}"] select`).selectOption(category);
    }
    // "Open" is recognised as 已上报
    expect(await panel.getByTestId('problem-import-status-values').locator('tr[data-value="Open"] select').inputValue()).toBe('reported');
    if (shots) await page.screenshot({ path: join(shots, 'problem-import-mapping.png') });

    await panel.getByTestId('problem-import-check').click();
    const total = panel.getByTestId('problem-import-total');
    await expect.poll(() => total.isVisible(), { timeout: 30_000 }).toBe(true);
    const n = (x: number) => x.toLocaleString('zh-CN');
    expect(await total.textContent()).toBe(`共 ${n(expected.rows)} 行：可导入 ${n(expected.importable)} 行，跳过 ${n(expected.rows - expected.importable)} 行`);
    const reasons = panel.getByTestId('problem-import-reasons');
    expect(await reasons.locator('li[data-reason="no_coordinates"] .count').textContent()).toBe(n(expected.noCoordinates));
    expect(await reasons.locator('li[data-reason="outside_territory"] .count').textContent()).toBe(n(expected.outside));
    expect(await reasons.locator('li[data-reason="unmapped_category"] .count').textContent()).toBe(n(expected.unmapped));
    expect(await reasons.locator('li[data-reason="unmapped_category"]').textContent()).toContain('“Overcrowding”');
    await panel.getByTestId('problem-import-summary').scrollIntoViewIfNeeded();
    if (shots) await page.screenshot({ path: join(shots, 'problem-import-preview.png') });

    await panel.getByTestId('problem-import-commit').click();
    await expect.poll(() => panel.getByTestId('problem-import-done').textContent(), { timeout: 60_000 }).toContain(`已导入 ${n(expected.importable)} 条历史问题`);
    await panel.getByTestId('problem-import-done').scrollIntoViewIfNeeded();
    if (shots) await page.screenshot({ path: join(shots, 'problem-import-done.png') });
    const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE source = 'import'`.execute(database.db);
    expect(count.rows[0]!.n).toBe(expected.importable);
    expect(problems).toEqual([]);
  });

  it('offers an admin both tabs, the layer import first', async () => {
    // leave the supervisor's map first: its tile requests still in flight would answer 401 once the cookie is gone
    await page.goto('about:blank');
    await page.context().clearCookies();
    await signIn('admin');
    await page.getByTestId('import-toggle').click();
    const panel = page.getByTestId('import-panel');
    await expect.poll(() => panel.getByTestId('import-tab-layers').isVisible()).toBe(true);
    expect(await panel.getByTestId('import-duty').isVisible()).toBe(true);
    await panel.getByTestId('import-tab-problems').click();
    await expect.poll(() => panel.getByTestId('problem-import').isVisible()).toBe(true);
    expect(await panel.getByTestId('import-duty').count()).toBe(0);

    // the same file again, in English, with every type as 路灯损坏 by default: only the two rows left out before are new
    await page.getByTestId('language-toggle').click();
    await panel.getByTestId('import-file').setInputFiles({ name: 'boston_311_2025_subset.csv', mimeType: 'text/csv', buffer: readFileSync(FILE) });
    await expect.poll(() => panel.getByTestId('problem-import-read').textContent(), { timeout: 30_000 }).toContain(`${expected.rows.toLocaleString('en-GB')} rows`);
    await panel.getByTestId('problem-import-timezone').selectOption('America/New_York');
    await panel.getByTestId('problem-import-category-default').selectOption('cmp-utility-streetlight');
    await panel.getByTestId('problem-import-check').click();
    const total = panel.getByTestId('problem-import-total');
    await expect.poll(() => total.isVisible(), { timeout: 30_000 }).toBe(true);
    const en = (x: number) => x.toLocaleString('en-GB');
    expect(await total.textContent()).toBe(`${en(expected.rows)} rows: ${en(expected.unmapped)} can be imported, ${en(expected.rows - expected.unmapped)} skipped`);
    expect(await panel.getByTestId('problem-import-reasons').locator('li[data-reason="already_imported"] .count').textContent()).toBe(en(expected.importable));
    await panel.getByTestId('problem-import-summary').scrollIntoViewIfNeeded();
    if (shots) await page.screenshot({ path: join(shots, 'problem-import-again-en.png') });
    await page.getByTestId('language-toggle').click();
    expect(problems).toEqual([]);
  });
});
