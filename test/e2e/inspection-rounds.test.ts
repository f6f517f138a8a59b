/**
 * 检查轮次 in headless Chromium against the real server on a fresh demo
 * database, as the campaign office (a supervisor) uses it: a new round of
 * all inspection points weighted 40 %, three groups with a member and a
 * leader, 自动分配; every group's route and numbered stops are drawn on the
 * map (read back from the map's own source and rendered features), each
 * group card shows the length and point count the API gives; a stop picked
 * on the map is moved to another group; the route sheet (路线单) of that
 * group lists its points, people and checklists and prints to a PDF; the
 * scores view (测评得分) shows the round's score and rating 好/中/差 and the
 * weighted final over two rounds, computed here from the checks posted and
 * the scoring rule (pass earns the item's points, fail 0, serious −points).
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp/shots saves each step there (Chinese and English),
 * with the route sheet as the printer sees it and as a PDF.
 */
/// <reference lib="dom" />
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD } from '@civgrid/db/seed';
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

interface Group {
  id: number;
  name: string;
  color: string | null;
  pointCount: number;
  leader: { id: number; displayName: string } | null;
  members: { id: number; username: string; displayName: string }[];
  route: { lengthM: number; durationS: number; method: string } | null;
}
interface Round {
  id: number;
  name: string;
  weight: number;
  pointCount: number;
  assignedCount: number;
  version: number;
  groups: Group[];
}
interface StopProps {
  kind: 'stop';
  groupId: number;
  order: number;
  pointId: number;
  code: string;
  name: string;
  pointType: string;
  legM: number | null;
}
interface RouteProps {
  kind: 'route';
  groupId: number;
  lengthM: number;
  pointCount: number;
}
interface Routes {
  type: 'FeatureCollection';
  features: { geometry: { type: string; coordinates: unknown }; properties: StopProps | RouteProps }[];
}
interface ChecklistItem {
  id: number;
  points: number;
  label: string;
}
interface PointDetail {
  id: number;
  version: number;
  people: { name: string; phone: string | null }[];
}

/** The parts of the MapLibre map (`window.__civgridMap`, web/src/map/TestHook.svelte) the test reads. */
interface TestMap {
  getSource(id: string): { getData(): Promise<{ features: { properties: Record<string, unknown> }[] }> } | undefined;
  queryRenderedFeatures(options: { layers: string[] }): { properties: Record<string, unknown> }[];
  getPaintProperty(layer: string, name: string): unknown;
  jumpTo(options: { center: [number, number]; zoom: number }): void;
  loaded(): boolean;
}
type Hooked = Window & { __civgridMap?: TestMap };

const stopsOf = (routes: Routes, groupId?: number) =>
  routes.features
    .map((f) => f.properties)
    .filter((p): p is StopProps => p.kind === 'stop' && (groupId === undefined || p.groupId === groupId))
    .sort((a, b) => a.order - b.order);

/** A length as the card must print it: kilometres, one decimal (computed here, not by the web's helper). */
const kmText = (metres: number) => `${(Math.round(metres / 100) / 10).toFixed(1)} 公里`;

/** The scoring rule of the issue, on one check: 100 × max(0, Σ earned) ÷ Σ points, one decimal. */
function pointScore(items: { points: number; result: 'pass' | 'fail' | 'serious' }[]): number {
  const earned = items.reduce((sum, i) => sum + (i.result === 'pass' ? i.points : i.result === 'fail' ? 0 : -i.points), 0);
  const total = items.reduce((sum, i) => sum + i.points, 0);
  return Math.round((1000 * Math.max(0, earned)) / total) / 10;
}
const ratingOf = (score: number) => (score >= 90 ? '好' : score >= 75 ? '中' : '差');

describe.skipIf(skipBrowser)('inspection rounds, routes, route sheet and scores', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  let roundId = 0;
  /** The rounds the demo comes with. */
  let before = 0;
  let round: Round;
  let routes: Routes;
  /** The point moved by hand, and the group it went to. */
  let moved: { pointId: number; name: string; to: number; from: number };

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
    page = await watchedPage(browser, problems);
    const login = await page.context().request.post(`${baseUrl}/api/auth/login`, { data: { username: 'supervisor', password: DEMO_PASSWORD } });
    expect(login.status()).toBe(200);
    await page.goto(baseUrl);
    await page.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.mapReady ?? ''), null, { timeout: 90_000 });
    expect(await page.evaluate(() => document.body.dataset.mapReady)).toBe('true');
    if (shots) mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
  });

  async function api<T>(path: string): Promise<T> {
    const response = await page.context().request.get(`${baseUrl}${path}`);
    expect(response.status(), path).toBe(200);
    return (await response.json()) as T;
  }

  async function post<T>(path: string, data: unknown, headers: Record<string, string> = {}): Promise<T> {
    const me = (await api<{ csrfToken: string }>('/api/auth/me')).csrfToken;
    const response = await page.context().request.post(`${baseUrl}${path}`, { data, headers: { 'x-csrf-token': me, origin: baseUrl, ...headers } });
    expect(response.status(), `${path}: ${await response.text()}`).toBeLessThan(300);
    return (await response.json()) as T;
  }

  function expectNoProblems(): void {
    const left = [...problems];
    problems.length = 0;
    expect(left).toEqual([]);
  }

  async function shot(name: string, on: Page = page, fullPage = false): Promise<void> {
    if (shots) await on.screenshot({ path: join(shots, `rounds-${name}.png`), fullPage });
  }

  /** Text on the page that looks like a catalogue key (an untranslated `rounds.…`). */
  async function rawKeys(on: Page): Promise<string[]> {
    return on.evaluate(() => (document.body.textContent ?? '').match(/\brounds\.[a-z]+\.[a-zA-Z.]+/g) ?? []);
  }

  it('creates a round of every inspection point, weighted 40 %, with three groups', async () => {
    const points = (await api<{ features: unknown[] }>('/api/layers/inspection-points')).features.length;
    expect(points).toBeGreaterThan(100); // the demo has its 165
    before = (await api<{ rounds: Round[] }>('/api/inspection/rounds')).rounds.length; // the demo's own rounds

    await page.getByTestId('inspection-toggle').click();
    await page.getByTestId('inspection-panel').waitFor();
    await page.getByTestId('round-new').click();
    await page.getByTestId('round-name').fill('');
    await page.getByTestId('round-weight').fill('0');
    await page.getByTestId('round-save').click();
    // refused here, nothing sent
    expect(await page.getByTestId('round-form').locator('.field-error').allTextContents()).toEqual(['请填写轮次名称', '须为大于 0、不超过 100 的数']);
    await page.getByTestId('round-name').fill('2026 年第一轮测评');
    await page.getByTestId('round-starts').fill('2026-11-02');
    await page.getByTestId('round-ends').fill('2026-11-06');
    await page.getByTestId('round-weight').fill('40');
    await page.getByTestId('round-save').click();
    await page.getByTestId('round-detail').waitFor();
    await expect.poll(() => page.getByTestId('round-title').textContent()).toBe('2026 年第一轮测评');

    const rounds = (await api<{ rounds: Round[] }>('/api/inspection/rounds')).rounds;
    expect(rounds).toHaveLength(before + 1);
    round = rounds.find((r) => r.name === '2026 年第一轮测评')!;
    roundId = round.id;
    expect(round).toMatchObject({ name: '2026 年第一轮测评', weight: 0.4, pointCount: points, assignedCount: 0 });
    expect(await page.getByTestId('round-assigned').textContent()).toBe(`已分配 0 / ${points} 个点位`);

    await page.getByTestId('group-count').fill('3');
    await page.getByTestId('groups-create').click();
    await expect.poll(() => page.getByTestId('group-card').count()).toBe(3);
    expect(await page.getByTestId('group-name').allTextContents()).toEqual(['第1组', '第2组', '第3组'].map((name) => expect.stringContaining(name)));
    round = await api<Round>(`/api/inspection/rounds/${roundId}`);
    expect(round.groups.map((g) => g.name)).toEqual(['第1组', '第2组', '第3组']);
    expectNoProblems();
  });

  it('gives a group a member and a leader picked from the inspectors', async () => {
    const { users } = await api<{ users: { id: number; username: string; displayName: string; role: string }[] }>('/api/inspection/inspectors');
    const inspector = users.find((u) => u.username === 'inspector')!;
    expect(inspector).toBeDefined();
    const card = page.getByTestId('group-card').first();
    await card.getByTestId('group-members-edit').click();
    await card.locator(`[data-testid=member-option][data-user-id="${inspector.id}"]`).check();
    await card.getByTestId('group-leader').selectOption(String(inspector.id));
    await card.getByTestId('group-members-save').click();
    await expect.poll(() => card.getByTestId('group-members').count()).toBe(0);
    await expect.poll(() => card.locator('.member.leader').textContent()).toContain(inspector.displayName);
    const group = (await api<Round>(`/api/inspection/rounds/${roundId}`)).groups[0]!;
    expect(group.members.map((m) => m.id)).toEqual([inspector.id]);
    expect(group.leader?.id).toBe(inspector.id);
    expectNoProblems();
  });

  it('assigns every point automatically and draws each group’s route with numbered stops', { timeout: 300_000 }, async () => {
    await page.getByTestId('auto-assign').click();
    await expect.poll(() => page.getByTestId('group-length').count(), { timeout: 240_000 }).toBe(3);
    await page.getByTestId('assign-progress').waitFor({ state: 'detached' });

    round = await api<Round>(`/api/inspection/rounds/${roundId}`);
    routes = await api<Routes>(`/api/inspection/rounds/${roundId}/routes`);
    expect(round.assignedCount).toBe(round.pointCount);
    expect(await page.getByTestId('round-assigned').textContent()).toBe(`已分配 ${round.pointCount} / ${round.pointCount} 个点位`);
    expect(await page.getByTestId('round-unassigned').count()).toBe(0);
    // every point in exactly one group, each group's stops numbered 1…n
    const stops = stopsOf(routes);
    expect(new Set(stops.map((s) => s.pointId)).size).toBe(round.pointCount);
    for (const group of round.groups) {
      expect(stopsOf(routes, group.id).map((s) => s.order)).toEqual(Array.from({ length: group.pointCount }, (_, i) => i + 1));
    }

    // the cards: points, length and stops as the API has them
    for (const group of round.groups) {
      const card = page.locator(`[data-testid=group-card][data-group-id="${group.id}"]`);
      expect(group.route).not.toBeNull();
      expect(Number(await card.getByTestId('group-length').getAttribute('data-length-m'))).toBe(group.route!.lengthM);
      expect(await card.getByTestId('group-length').textContent()).toBe(kmText(group.route!.lengthM));
      expect(await card.getByTestId('group-points').textContent()).toBe(`${group.pointCount} 个点位`);
      const listed = await card.getByTestId('group-stop').evaluateAll((rows) => rows.map((row) => Number((row as HTMLElement).dataset.pointId)));
      expect(listed).toEqual(stopsOf(routes, group.id).map((s) => s.pointId));
      const line = routes.features.find((f) => f.properties.kind === 'route' && f.properties.groupId === group.id)!;
      expect((line.properties as RouteProps).lengthM).toBe(group.route!.lengthM);
    }

    // on the map: the source holds the API's routes, and lines, circles and numbers are rendered
    await page.waitForFunction(() => document.body.dataset.inspectionRoutes === 'ready');
    const drawn = await page.evaluate(async () => {
      const map = (window as Hooked).__civgridMap!;
      const data = await map.getSource('inspection-routes')!.getData();
      const rendered = (layer: string) => map.queryRenderedFeatures({ layers: [layer] });
      return {
        routes: data.features.filter((f) => f.properties.kind === 'route').map((f) => [f.properties.groupId, f.properties.color]),
        stops: data.features.filter((f) => f.properties.kind === 'stop').length,
        lines: new Set(rendered('inspection-routes:line').map((f) => f.properties.groupId)).size,
        circles: rendered('inspection-routes:stops').length,
        numbers: rendered('inspection-routes:numbers').length,
      };
    });
    expect(drawn.routes.map(([id]) => id).sort()).toEqual(round.groups.map((g) => g.id).sort());
    expect(new Set(drawn.routes.map(([, color]) => color)).size).toBe(3); // three colours
    expect(drawn.stops).toBe(round.pointCount);
    expect(drawn.lines).toBe(3);
    expect(drawn.circles).toBeGreaterThan(0);
    expect(drawn.numbers).toBeGreaterThan(0);
    await shot('assigned');

    // hovering a card dims the other groups' lines
    const second = round.groups[1]!;
    await page.locator(`[data-testid=group-card][data-group-id="${second.id}"]`).hover();
    const opacity = await page.evaluate(() => (window as Hooked).__civgridMap!.getPaintProperty('inspection-routes:line', 'line-opacity'));
    expect(opacity).toEqual(['case', ['==', ['get', 'groupId'], second.id], 0.95, 0.2]);
    await page.mouse.move(400, 400);
    expectNoProblems();
  });

  it('moves a stop picked on the map to another group; both routes follow', { timeout: 240_000 }, async () => {
    const [from, to] = round.groups as [Group, Group];
    const stop = stopsOf(routes, from.id)[0]!;
    const at = routes.features.find((f) => f.properties.kind === 'stop' && f.properties.pointId === stop.pointId)!.geometry.coordinates as [number, number];
    await page.evaluate(([lon, lat]) => (window as Hooked).__civgridMap!.jumpTo({ center: [lon!, lat!], zoom: 18 }), at);
    await page.waitForFunction(() => (window as Hooked).__civgridMap!.loaded());
    const box = (await page.locator('.maplibregl-canvas').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const bar = page.getByTestId('reassign-bar');
    await bar.waitFor();
    expect(Number(await bar.getAttribute('data-point-id'))).toBe(stop.pointId);
    expect(await bar.textContent()).toContain(stop.name);
    await bar.getByTestId('reassign-group').selectOption(String(to.id));
    await shot('reassign');
    await bar.getByTestId('reassign-confirm').click();
    await bar.waitFor({ state: 'detached', timeout: 120_000 });

    const after = await api<Round>(`/api/inspection/rounds/${roundId}`);
    routes = await api<Routes>(`/api/inspection/rounds/${roundId}/routes`);
    const count = (id: number) => after.groups.find((g) => g.id === id)!.pointCount;
    expect(count(from.id)).toBe(from.pointCount - 1);
    expect(count(to.id)).toBe(to.pointCount + 1);
    expect(stopsOf(routes, to.id).map((s) => s.pointId)).toContain(stop.pointId);
    expect(stopsOf(routes, from.id).map((s) => s.pointId)).not.toContain(stop.pointId);
    for (const group of after.groups) {
      const card = page.locator(`[data-testid=group-card][data-group-id="${group.id}"]`);
      await expect.poll(() => card.getByTestId('group-points').textContent()).toBe(`${group.pointCount} 个点位`);
      expect(await card.getByTestId('group-length').textContent()).toBe(kmText(group.route!.lengthM));
    }
    round = after;
    moved = { pointId: stop.pointId, name: stop.name, to: to.id, from: from.id };
    expectNoProblems();
  });

  it('prints the route sheet of a group: its points with people, a checklist for each, on A4', { timeout: 240_000 }, async () => {
    const group = round.groups.find((g) => g.id === moved.to)!;
    const stops = stopsOf(routes, group.id);
    const card = page.locator(`[data-testid=group-card][data-group-id="${group.id}"]`);
    const [sheet] = await Promise.all([page.context().waitForEvent('page'), card.getByTestId('group-sheet').click()]);
    const sheetProblems: string[] = [];
    sheet.on('pageerror', (error) => sheetProblems.push(`page error: ${error.message}`));
    sheet.on('console', (message) => {
      if (message.type() === 'error') sheetProblems.push(`console error: ${message.text()}`);
    });
    sheet.on('response', (response) => {
      if (response.status() >= 400) sheetProblems.push(`HTTP ${response.status()} ${response.url()}`);
    });
    expect(sheet.url()).toBe(`${baseUrl}/#/print/round/${roundId}/group/${group.id}`);
    await sheet.waitForFunction(() => ['true', 'error'].includes(document.body.dataset.sheetReady ?? ''), null, { timeout: 120_000 });
    expect(await sheet.evaluate(() => document.body.dataset.sheetReady)).toBe('true');

    // the points in visiting order, the moved one among them, each with a checklist
    const rows = await sheet.getByTestId('sheet-point-row').evaluateAll((trs) => trs.map((tr) => Number((tr as HTMLElement).dataset.pointId)));
    expect(rows).toEqual(stops.map((s) => s.pointId));
    expect(rows).toContain(moved.pointId);
    expect(await sheet.getByTestId('sheet-checklist').count()).toBe(stops.length);
    const text = await sheet.evaluate(() => document.body.textContent ?? '');
    for (const stop of stops) expect(text).toContain(stop.name);
    expect(text).toContain(round.name);
    expect(text).toContain(group.name);
    expect(text).toContain(group.members[0]?.displayName ?? '');
    // a point's people with their phones, as GET /api/inspection-points/:id has them
    const detail = await api<PointDetail>(`/api/inspection-points/${stops[0]!.pointId}`);
    const first = sheet.locator(`[data-testid=sheet-point-row][data-point-id="${stops[0]!.pointId}"]`);
    for (const person of detail.people) expect(await first.textContent()).toContain(person.phone ? `${person.name} ${person.phone}` : person.name);
    // a checklist has the items of its point type, each with three empty boxes
    const checklists = await api<{ types: { pointType: string; items: ChecklistItem[] }[] }>('/api/inspection/checklists');
    const items = checklists.types.find((t) => t.pointType === stops[0]!.pointType)?.items ?? [];
    expect(items.length).toBeGreaterThan(0);
    const list = sheet.locator(`[data-testid=sheet-checklist][data-point-id="${stops[0]!.pointId}"]`);
    expect(await list.locator('tbody tr').count()).toBe(items.length);
    expect(await list.locator('tbody td.box').count()).toBe(items.length * 3);
    // the map is an image, drawn
    const image = await sheet.getByTestId('sheet-map-image').evaluate((img) => ({
      src: (img as HTMLImageElement).src.slice(0, 22), width: (img as HTMLImageElement).naturalWidth,
    }));
    expect(image.src).toBe('data:image/png;base64,');
    expect(image.width).toBeGreaterThan(600);

    await shot('sheet-screen', sheet);
    await sheet.emulateMedia({ media: 'print' });
    await shot('sheet-print', sheet);
    const pdf = await sheet.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0;
    expect(pages).toBeGreaterThanOrEqual(2); // the table, then the checklists from a new page
    if (shots) writeFileSync(join(shots, 'rounds-sheet.pdf'), pdf);
    await sheet.emulateMedia({ media: 'screen' });

    // in English
    await sheet.getByTestId('language-toggle').click();
    await expect.poll(() => sheet.locator('h1').textContent()).toBe('Inspection route sheet');
    expect(await rawKeys(sheet)).toEqual([]);
    await shot('sheet-en', sheet);
    await sheet.getByTestId('language-toggle').click();
    await sheet.close();
    expect(sheetProblems).toEqual([]);
    expectNoProblems();
  });

  it('shows the round’s score and rating and the weighted final over two rounds', { timeout: 240_000 }, async () => {
    const checklists = await api<{ types: { pointType: string; items: ChecklistItem[] }[] }>('/api/inspection/checklists');
    const itemsOf = (type: string) => checklists.types.find((t) => t.pointType === type)!.items;
    /** One check of a point: the first `fail` items failed, `serious` more seriously, the rest passed. */
    async function check(rid: number, groupId: number, stop: StopProps, fail: number, serious = 0): Promise<number> {
      const items = itemsOf(stop.pointType);
      const results = items.map((item, i) => ({ itemId: item.id, points: item.points, result: (i < fail ? 'fail' : i < fail + serious ? 'serious' : 'pass') as 'pass' | 'fail' | 'serious' }));
      const { version } = await api<PointDetail>(`/api/inspection-points/${stop.pointId}`);
      await post('/api/inspection/checks', {
        roundId: rid, groupId, pointId: stop.pointId, checkedAt: new Date(Date.now() - 60_000).toISOString(), pointVersion: version,
        items: results.map(({ itemId, result }) => ({ itemId, result })),
      }, { 'idempotency-key': randomUUID() });
      return pointScore(results);
    }

    const group = round.groups[0]!;
    const [a, b] = stopsOf(routes, group.id) as [StopProps, StopProps];
    const scoreA = await check(roundId, group.id, a, 0);
    const scoreB = await check(roundId, group.id, b, 1);
    expect(scoreA).toBe(100);
    const first = Math.round(((scoreA + scoreB) / 2) * 10) / 10;

    // a second round of one point, weighted 60 %, checked with one serious failure
    const second = await post<Round>('/api/inspection/rounds', { name: '2026 年第二轮测评', startsOn: '2026-11-20', endsOn: '2026-11-21', weight: 0.6, pointIds: [a.pointId] });
    const { groups } = await post<{ groups: Group[] }>(`/api/inspection/rounds/${second.id}/groups`, { count: 1 });
    await post(`/api/inspection/rounds/${second.id}/assign`, { mode: 'auto' });
    const scoreC = await check(second.id, groups[0]!.id, a, 0, 1);
    const final = Math.round(((0.4 * first + 0.6 * scoreC) / (0.4 + 0.6)) * 10) / 10;

    await page.getByTestId('inspection-tab-scores').click();
    await page.getByTestId('scores-view').waitFor();
    await page.getByTestId('scores-round').selectOption(String(roundId));
    await expect.poll(() => page.getByTestId('round-score').textContent()).toBe(first.toFixed(1));
    expect(await page.getByTestId('round-rating').textContent()).toBe(ratingOf(first));
    const rows = page.getByTestId('scores-point-row');
    expect(await rows.count()).toBe(2);
    // sorted by score, best first; a click turns it round
    expect(await rows.evaluateAll((trs) => trs.map((tr) => Number((tr as HTMLElement).dataset.pointId)))).toEqual(
      scoreA >= scoreB ? [a.pointId, b.pointId] : [b.pointId, a.pointId],
    );
    await page.getByTestId('scores-sort-score').click();
    expect(await rows.first().getAttribute('data-point-id')).toBe(String(scoreA >= scoreB ? b.pointId : a.pointId));
    const csv = await Promise.all([page.waitForEvent('download'), page.getByTestId('scores-points-csv').click()]).then(([d]) => d);
    const body = (await downloadedBytes(csv)).toString('utf8');
    expect(body.startsWith('\uFEFF编号,点位,得分,等级,检查时间,严重')).toBe(true);
    expect(body).toContain(a.name);

    // the final over these two rounds (the demo's own are left out)
    for (const box of await page.getByTestId('final-round').all()) {
      const id = Number(await box.getAttribute('data-id'));
      await box.setChecked(id === roundId || id === second.id);
    }
    await expect.poll(() => page.getByTestId('final-score').textContent()).toBe(final.toFixed(1));
    expect(await page.getByTestId('final-rating').textContent()).toBe(ratingOf(final));
    await shot('scores');
    // the second round alone: its score
    await page.locator(`[data-testid=final-round][data-id="${roundId}"]`).uncheck();
    await expect.poll(() => page.getByTestId('final-score').textContent()).toBe(scoreC.toFixed(1));

    await page.getByTestId('language-toggle').click();
    await expect.poll(() => page.getByTestId('inspection-tab-scores').textContent()).toBe('Scores');
    expect(await rawKeys(page)).toEqual([]);
    await shot('scores-en');
    await page.getByTestId('inspection-tab-rounds').click();
    await page.getByTestId('round-back').click();
    await page.getByTestId('round-list').waitFor();
    expect(await page.getByTestId('round-row').count()).toBe(before + 2);
    await shot('list-en');
    await page.locator(`[data-testid=round-row][data-id="${roundId}"]`).click();
    await page.getByTestId('group-length').first().waitFor();
    expect(await rawKeys(page)).toEqual([]);
    await shot('detail-en');
    await page.getByTestId('language-toggle').click();
    expectNoProblems();
  });

  it('is read-only for an inspector, who still sees the routes', async () => {
    const other = await watchedPage(browser, problems);
    const login = await other.context().request.post(`${baseUrl}/api/auth/login`, { data: { username: 'inspector', password: DEMO_PASSWORD } });
    expect(login.status()).toBe(200);
    await other.goto(baseUrl);
    await other.waitForFunction(() => document.body.dataset.mapReady === 'true', null, { timeout: 90_000 });
    await other.getByTestId('inspection-toggle').click();
    await other.locator(`[data-testid=round-row][data-id="${roundId}"]`).click();
    await other.getByTestId('group-length').first().waitFor();
    expect(await other.getByTestId('group-card').count()).toBe(3);
    for (const control of ['round-new', 'round-edit', 'auto-assign', 'groups-create', 'group-rename', 'group-delete']) {
      expect(await other.getByTestId(control).count(), control).toBe(0);
    }
    await other.waitForFunction(() => document.body.dataset.inspectionRoutes === 'ready');
    await other.close();
    expectNoProblems();
  });
});
