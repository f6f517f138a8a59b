/**
 * 备检看板 in headless Chromium against the real server on a fresh copy of
 * the demo: a supervisor opens the board, whose tiles, reasons and list say
 * what GET /api/inspection/readiness says for the same round; filters by a
 * street; opens a point missing its people (the map flies there and colours
 * it red), fixes its people in the editor (the reason disappears, on the
 * board and in the API), and downloads the CSV. Screenshots in Chinese and
 * English.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp/shots saves the panels there.
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
import { downloadedBytes, launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
const webRoot = resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;

type Reason = { reason: string; duty?: string; count?: number; days?: number };
interface Board {
  round: { id: number; name: string };
  summary: { points: number; ready: number; notReady: number; reasons: Record<string, number>; streets: { id: number | null; name: string | null; points: number; ready: number }[] };
  points: { pointId: number; code: string; name: string; lon: number; lat: number; ready: boolean; reasons: Reason[]; street: { id: number; name: string } | null }[];
}

/** The parts of the MapLibre map (`window.__civgridMap`) the test reads. */
interface TestMap {
  getSource(id: string): { getData(): Promise<{ features: { properties: { id: number; ready: boolean } }[] }> } | undefined;
  isMoving(): boolean;
  loaded(): boolean;
  once(event: 'idle', listener: () => void): void;
  getZoom(): number;
  getCanvas(): HTMLCanvasElement;
  project(at: [number, number]): { x: number; y: number };
  queryRenderedFeatures(box: [[number, number], [number, number]], options: { layers: string[] }): { properties: Record<string, unknown> }[];
}
type Hooked = Window & { __civgridMap?: TestMap };

describe.skipIf(skipBrowser)('the readiness board', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(resolve(webRoot, 'index.html'))) {
      throw new Error(`${webRoot}/index.html is missing: run \`pnpm --filter @civgrid/web build\` first`);
    }
    database = await freshDatabase();
    // The demo seeds two rounds; should it not, the board gets one of all the points, half of them in a group.
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM inspection_rounds`.execute(database.db);
    if (rows[0]!.n === 0) {
      const round = (await sql<{ id: number }>`
        INSERT INTO inspection_rounds (name, starts_on, ends_on, status) VALUES ('备检测试轮次', '2026-11-02', '2026-11-13', 'active') RETURNING id`.execute(database.db)).rows[0]!.id;
      const group = (await sql<{ id: number }>`INSERT INTO inspection_groups (round_id, name) VALUES (${round}, '第1组') RETURNING id`.execute(database.db)).rows[0]!.id;
      await sql`INSERT INTO inspection_round_points (round_id, point_id, group_id)
        SELECT ${round}, id, CASE WHEN id % 2 = 0 THEN ${group}::int END FROM inspection_points`.execute(database.db);
    }
    const app = createApp({ database, webRoot, demo: true });
    server = await new Promise<ReturnType<typeof serve>>((done) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await signedIn('supervisor');
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

  async function board(query: string): Promise<Board> {
    const response = await page.context().request.get(`${baseUrl}/api/inspection/readiness?${query}`);
    expect(response.status(), query).toBe(200);
    return (await response.json()) as Board;
  }

  function expectNoProblems(): void {
    const left = [...problems];
    problems.length = 0;
    expect(left).toEqual([]);
  }

  async function shot(name: string): Promise<void> {
    if (shots) await page.screenshot({ path: join(shots, `readiness-${name}.png`) });
  }

  const text = async (testid: string) => (await page.getByTestId(testid).textContent())?.trim();
  const listedIds = () => page.$$eval('[data-testid="readiness-row"]', (rows) => rows.map((row) => Number((row as HTMLElement).dataset.pointId)));
  /** The point ids the map's readiness layer holds, with their readiness. */
  const mapPoints = () =>
    page.evaluate(async () => {
      const data = await (window as Hooked).__civgridMap?.getSource('readiness-points')?.getData();
      return (data?.features ?? []).map((f) => [f.properties.id, f.properties.ready] as const);
    });

  let roundId = 0;

  it('shows the numbers the API answers for the round', async () => {
    await page.getByTestId('readiness-toggle').click();
    await page.getByTestId('readiness-panel').waitFor();
    await page.getByTestId('readiness-total').waitFor();
    roundId = Number(await page.getByTestId('readiness-round').inputValue());
    expect(roundId).toBeGreaterThan(0);
    const answer = await board(`round=${roundId}`);
    expect(answer.summary.points).toBeGreaterThan(100);
    expect(await text('readiness-total')).toBe(String(answer.summary.points));
    expect(await text('readiness-ready')).toBe(String(answer.summary.ready));
    expect(await text('readiness-not-ready')).toBe(String(answer.summary.notReady));
    for (const [reason, count] of Object.entries(answer.summary.reasons)) {
      const chip = page.getByTestId(`readiness-reason-${reason}`);
      if (count === 0) expect(await chip.count(), reason).toBe(0);
      else expect((await chip.locator('strong').textContent())?.trim(), reason).toBe(String(count));
    }
    expect(await text('readiness-count')).toBe(`点位 ${answer.points.length} 个`);
    expect((await listedIds()).sort((a, b) => a - b)).toEqual(answer.points.map((p) => p.pointId).sort((a, b) => a - b));
    // the map holds every listed point, red or green as the board says
    await expect.poll(async () => (await mapPoints()).length, { timeout: 10_000 }).toBe(answer.points.length);
    const onMap = new Map(await mapPoints());
    for (const p of answer.points) expect(onMap.get(p.pointId), p.code).toBe(p.ready);
    // the streets' table sums to the district
    const rows = await page.$$eval('[data-testid="readiness-streets"] tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim())));
    expect(rows.map((r) => Number(r[1])).reduce((a, b) => a + b, 0)).toBe(answer.summary.points);
    expect(rows.map((r) => r[0])).toEqual(answer.summary.streets.map((s) => s.name ?? '（无街道）'));
    await shot('zh');
    expectNoProblems();
  });

  it('filters by a street', async () => {
    const all = await board(`round=${roundId}`);
    const street = all.summary.streets.find((s) => s.id !== null && s.points > 0)!;
    await page.getByTestId('readiness-filter-street').selectOption(String(street.id));
    const answer = await board(`round=${roundId}&street=${street.id}`);
    await expect.poll(() => text('readiness-count')).toBe(`点位 ${answer.points.length} 个`);
    expect(answer.points.length).toBe(street.points);
    expect((await listedIds()).sort((a, b) => a - b)).toEqual(answer.points.map((p) => p.pointId).sort((a, b) => a - b));
    expect(await text('readiness-total')).toBe(String(street.points));
    expect(await text('readiness-ready')).toBe(String(street.ready));
    await expect.poll(async () => (await mapPoints()).length).toBe(street.points);
    await page.getByTestId('readiness-clear').click();
    // the whole board is asked for again: under load that takes more than the poll's default second
    await expect.poll(() => text('readiness-count'), { timeout: 15_000 }).toBe(`点位 ${all.points.length} 个`);
    expectNoProblems();
  });

  let target: Board['points'][number];

  it('shows a not-ready point’s reasons and flies the map to it', async () => {
    const answer = await board(`round=${roundId}`);
    // the demo leaves two points without responsible people
    target = answer.points.find((p) => p.reasons.some((r) => r.reason === 'no_people'))!;
    expect(target, 'a point without people').toBeDefined();
    const row = page.locator(`[data-testid="readiness-row"][data-point-id="${target.pointId}"]`);
    await row.scrollIntoViewIfNeeded();
    expect(await row.getAttribute('data-ready')).toBe('false');
    const chips = await row.locator('.chip').allTextContents();
    expect(chips).toContain('缺责任人');
    expect(chips).toHaveLength(target.reasons.length);
    await row.locator('button.row').click();
    await row.getByTestId('readiness-detail').waitFor();
    // the map flies to it at street zoom, and it lands in the part of the map the panels leave visible
    await page.waitForFunction(
      ([lon, lat]) => {
        const map = (window as Hooked).__civgridMap;
        if (!map || map.isMoving() || map.getZoom() < 15.9) return false;
        const at = map.project([lon!, lat!]);
        const canvas = map.getCanvas().getBoundingClientRect();
        return document.elementFromPoint(canvas.left + at.x, canvas.top + at.y) === map.getCanvas();
      },
      [target.lon, target.lat],
      { timeout: 15_000 },
    );
    // drawn red where it is
    const hit = await page.evaluate(async ([id, lon, lat]) => {
      const map = (window as Hooked).__civgridMap!;
      await new Promise<void>((done) => (map.loaded() ? done() : map.once('idle', done)));
      const at = map.project([lon!, lat!]);
      return map.queryRenderedFeatures([[at.x - 4, at.y - 4], [at.x + 4, at.y + 4]], { layers: ['readiness:points'] }).find((f) => f.properties.id === id)?.properties;
    }, [target.pointId, target.lon, target.lat] as const);
    expect(hit).toMatchObject({ id: target.pointId, ready: false });
    await shot('point');
    expectNoProblems();
  });

  it('fixes the point’s people in the editor, and the reason disappears', async () => {
    const row = page.locator(`[data-testid="readiness-row"][data-point-id="${target.pointId}"]`);
    await row.getByTestId('readiness-edit').click();
    const editor = row.getByTestId('readiness-editor');
    await editor.getByTestId('readiness-people-none').waitFor();
    // people of the point's department, picked by the existing person picker
    await editor.getByTestId('readiness-add-person-input').click();
    const option = editor.locator('[data-testid="readiness-add-person"] [role="option"] button').first();
    await option.waitFor();
    const chosen = (await option.locator('span').first().textContent())!.trim();
    await option.click();
    await expect.poll(() => editor.getByTestId('readiness-people').locator('.name').allTextContents()).toEqual([chosen]);
    await shot('editor');
    await editor.getByTestId('readiness-save').click();
    await page.getByTestId('readiness-saved').waitFor();
    await expect.poll(() => row.locator('.chip').allTextContents()).not.toContain('缺责任人');
    const after = (await board(`round=${roundId}`)).points.find((p) => p.pointId === target.pointId)!;
    expect(after.reasons.map((r) => r.reason)).not.toContain('no_people');
    expect(after.reasons).toEqual(target.reasons.filter((r) => r.reason !== 'no_people'));
    expect(await row.locator('.chip').count()).toBe(after.reasons.length);
    const detail = await page.context().request.get(`${baseUrl}/api/inspection-points/${target.pointId}`);
    expect(((await detail.json()) as { people: { name: string }[] }).people.map((p) => p.name)).toEqual([chosen]);
    expectNoProblems();
  });

  it('downloads the board as CSV', async () => {
    const answer = await board(`round=${roundId}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('readiness-csv').click()]);
    expect(download.suggestedFilename()).toBe(`readiness-round-${roundId}.csv`);
    const bytes = await downloadedBytes(download);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + answer.points.length);
    expect(lines.some((line) => line.includes('从未检查') || line.includes('天未检查'))).toBe(true);
    expectNoProblems();
  });

  it('speaks English', async () => {
    await page.getByTestId('language-toggle').click();
    await expect.poll(() => page.locator('[data-testid="readiness-panel"] h2').textContent()).toBe('Readiness board');
    const answer = await board(`round=${roundId}`);
    expect(await text('readiness-count')).toBe(`${answer.points.length} points`);
    const chips = await page.locator('[data-testid="readiness-row"] .chip').allTextContents();
    expect(chips.length).toBeGreaterThan(0);
    // no Chinese left in the reasons (duty names come in English too)
    expect(chips.filter((chip) => /[\u4e00-\u9fff]/.test(chip))).toEqual([]);
    await page.locator(`[data-testid="readiness-row"][data-point-id="${target.pointId}"]`).scrollIntoViewIfNeeded();
    await shot('en');
    await page.getByTestId('language-toggle').click();
    expectNoProblems();
  });
});
