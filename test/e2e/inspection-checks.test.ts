/**
 * 检查记录 in headless Chromium against the real server on a fresh demo
 * database, as the campaign office (a supervisor) reads the field checks: a
 * round of two points in two groups; point A checked, point B checked with a
 * failed item; then A is moved to the other group and renamed on the server
 * (its version goes up) and checked again by the first group with the version
 * its device had → the server keeps it and flags it point_changed,
 * already_checked and reassigned. The 检查记录 tab lists the three newest
 * first; 仅看冲突 shows exactly the flagged one, with its reasons in Chinese;
 * opened, it shows the device's and the server's version side by side and A's
 * earlier check (openable), its items, the problem filed and the photo; the
 * map flies to A. In English, no catalogue key shows. The panel's header (title,
 * ×) and its tabs fit the panel in both languages.
 *
 * Needs `pnpm --filter @civgrid/web build` first (the server serves web/dist).
 * CIVGRID_SCREENSHOT_DIR=/tmp/shots saves each step there.
 */
/// <reference lib="dom" />
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const root = resolve(import.meta.dirname, '../..');
const webRoot = resolve(root, 'web/dist');
const shots = process.env.CIVGRID_SCREENSHOT_DIR;

interface Group {
  id: number;
  name: string;
}
interface Round {
  id: number;
  name: string;
  groups: Group[];
}
interface StopProps {
  kind: 'stop';
  pointId: number;
  code: string;
  name: string;
  pointType: string;
}
interface Routes {
  features: { geometry: { type: string; coordinates: unknown }; properties: StopProps | { kind: 'route' } }[];
}
interface ChecklistItem {
  id: number;
  points: number;
  label: string;
  labelEn: string;
}
interface Check {
  id: number;
  conflict: { reasons: string[]; serverPointVersion: number; otherCheckIds: number[]; assignedGroupId?: number | null } | null;
}
interface CheckAnswer {
  check: Check;
  problems: { id: number; itemId: number }[];
}

interface TestMap {
  isMoving(): boolean;
  getCanvas(): HTMLCanvasElement;
  project(at: [number, number]): { x: number; y: number };
}
type Hooked = Window & { __civgridMap?: TestMap };

describe.skipIf(skipBrowser)('inspection checks (检查记录) and their conflicts', () => {
  let database: Database;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  let me: { id: number; displayName: string };
  let round: Round;
  let a: StopProps;
  let b: StopProps;
  let aAt: [number, number];
  let first: CheckAnswer;
  let second: CheckAnswer;
  let flagged: CheckAnswer;
  let aVersion: number;
  let failedItem: ChecklistItem;

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

  async function send<T>(method: 'post' | 'patch', path: string, data: unknown, headers: Record<string, string> = {}): Promise<T> {
    const csrf = (await api<{ csrfToken: string }>('/api/auth/me')).csrfToken;
    const response = await page.context().request[method](`${baseUrl}${path}`, { data, headers: { 'x-csrf-token': csrf, origin: baseUrl, ...headers } });
    expect(response.status(), `${path}: ${await response.text()}`).toBeLessThan(300);
    return (await response.json()) as T;
  }

  function expectNoProblems(): void {
    const left = [...problems];
    problems.length = 0;
    expect(left).toEqual([]);
  }

  async function shot(name: string): Promise<void> {
    if (shots) await page.screenshot({ path: join(shots, `checks-${name}.png`) });
  }

  async function rawKeys(): Promise<string[]> {
    return page.evaluate(() => (document.body.textContent ?? '').match(/\brounds\.[a-z]+\.[a-zA-Z_.]+/g) ?? []);
  }

  /** The panel's header and tabs lie within the panel (nothing pushed off its right edge). */
  async function expectHeaderFits(): Promise<void> {
    const panel = (await page.getByTestId('inspection-panel').boundingBox())!;
    const right = panel.x + panel.width;
    const close = (await page.getByTestId('inspection-panel').locator('header .close').boundingBox())!;
    expect(close.x + close.width).toBeLessThanOrEqual(right);
    for (const tab of ['rounds', 'scores', 'checks']) {
      const box = (await page.getByTestId(`inspection-tab-${tab}`).boundingBox())!;
      expect(box.x + box.width, tab).toBeLessThanOrEqual(right);
      expect(box.x, tab).toBeGreaterThanOrEqual(panel.x);
    }
    // and no tab's label is cut
    const clipped = await page.locator('[role=tab]').evaluateAll((tabs) => tabs.filter((tab) => tab.scrollWidth > tab.clientWidth + 1).length);
    expect(clipped).toBe(0);
  }

  /** A check of a point by a group: the first `fail` items failed (with a note), the rest passed. */
  async function check(groupId: number, point: StopProps, pointVersion: number, fail: number, photo?: Buffer): Promise<CheckAnswer> {
    const items = checklistOf(point.pointType);
    const body = {
      roundId: round.id, groupId, pointId: point.pointId, checkedAt: new Date(Date.now() - 60_000).toISOString(), pointVersion,
      items: items.map((item, i) => (i < fail ? { itemId: item.id, result: 'fail', note: '地面有垃圾' } : { itemId: item.id, result: 'pass' })),
    };
    const csrf = (await api<{ csrfToken: string }>('/api/auth/me')).csrfToken;
    const headers = { 'x-csrf-token': csrf, origin: baseUrl, 'idempotency-key': randomUUID() };
    const response = photo
      ? await page.context().request.post(`${baseUrl}/api/inspection/checks`, {
          headers,
          multipart: { check: JSON.stringify(body), [`photo.${items[0]!.id}`]: { name: 'litter.jpg', mimeType: 'image/jpeg', buffer: photo } },
        })
      : await page.context().request.post(`${baseUrl}/api/inspection/checks`, { headers, data: body });
    expect(response.status(), await response.text()).toBe(201);
    return (await response.json()) as CheckAnswer;
  }

  let checklists: { pointType: string; items: ChecklistItem[] }[] = [];
  const checklistOf = (type: string) => checklists.find((t) => t.pointType === type)!.items;

  it('stores three checks of a two-point round, the last flagged as a conflict', async () => {
    me = await api<{ user: { id: number; displayName: string } }>('/api/auth/me').then((m) => m.user);
    checklists = (await api<{ types: { pointType: string; items: ChecklistItem[] }[] }>('/api/inspection/checklists')).types;
    // two points of the demo's first round, of types that have a checklist
    const demo = (await api<{ rounds: Round[] }>('/api/inspection/rounds')).rounds[0]!;
    const stops = (await api<Routes>(`/api/inspection/rounds/${demo.id}/routes`)).features
      .map((f) => f.properties)
      .filter((p): p is StopProps => p.kind === 'stop' && checklists.some((t) => t.pointType === p.pointType && t.items.length >= 2));
    [a, b] = stops as [StopProps, StopProps];
    const stopA = (await api<Routes>(`/api/inspection/rounds/${demo.id}/routes`)).features.find((f) => f.properties.kind === 'stop' && (f.properties as StopProps).pointId === a.pointId)!;
    aAt = stopA.geometry.coordinates as [number, number];

    round = await send<Round>('post', '/api/inspection/rounds', { name: '检查记录测试轮', startsOn: '2026-11-02', endsOn: '2026-11-06', weight: 0.5, pointIds: [a.pointId, b.pointId] });
    const { groups } = await send<{ groups: Group[] }>('post', `/api/inspection/rounds/${round.id}/groups`, { count: 2 });
    const [g1, g2] = groups as [Group, Group];
    round = { ...round, groups };
    await send('post', `/api/inspection/rounds/${round.id}/assign`, { mode: 'explicit', assignments: [{ pointId: a.pointId, groupId: g1.id }, { pointId: b.pointId, groupId: g1.id }] });

    aVersion = (await api<{ version: number }>(`/api/inspection-points/${a.pointId}`)).version;
    const bVersion = (await api<{ version: number }>(`/api/inspection-points/${b.pointId}`)).version;
    first = await check(g1.id, a, aVersion, 0);
    second = await check(g1.id, b, bVersion, 1);
    expect(first.check.conflict).toBeNull();
    expect(second.check.conflict).toBeNull();

    // meanwhile on the server: A goes to the second group and is renamed (its version goes up)
    await send('post', `/api/inspection/rounds/${round.id}/assign`, { mode: 'explicit', assignments: [{ pointId: a.pointId, groupId: g2.id }] });
    const renamed = await send<{ version: number }>('patch', `/api/inspection-points/${a.pointId}`, { version: aVersion, name: `${a.name}（已更名）` });
    expect(renamed.version).toBe(aVersion + 1);
    a = { ...a, name: `${a.name}（已更名）` };

    // the first group's device still has A as it was
    const litter = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#a53' } }).jpeg().toBuffer();
    flagged = await check(g1.id, a, aVersion, 1, litter);
    expect(flagged.check.conflict).toEqual({
      reasons: ['point_changed', 'already_checked', 'reassigned'], serverPointVersion: aVersion + 1, otherCheckIds: [first.check.id], assignedGroupId: g2.id,
    });
    expect(flagged.problems).toHaveLength(1);
    failedItem = checklistOf(a.pointType)[0]!;
  });

  it('lists the round’s checks newest first; 仅看冲突 shows exactly the flagged one with its reasons', async () => {
    await page.getByTestId('inspection-toggle').click();
    await page.getByTestId('inspection-panel').waitFor();
    await expectHeaderFits();
    await shot('rounds-zh');
    await page.getByTestId('inspection-tab-checks').click();
    await page.getByTestId('checks-view').waitFor();
    await page.getByTestId('checks-round').selectOption(String(round.id));
    const rows = page.getByTestId('checks-list').getByTestId('check-row');
    const ids = () => rows.evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.checkId)));
    await expect.poll(ids).toEqual([flagged.check.id, second.check.id, first.check.id]);
    await expect.poll(() => page.getByTestId('checks-conflict-count').textContent()).toBe('1');

    // a row: point, group, inspector, score and rating, failed items
    const [g1] = round.groups as [Group, Group];
    const rowB = page.locator(`[data-testid=check-row][data-check-id="${second.check.id}"]`);
    await expect.poll(() => rowB.textContent()).toContain(b.name);
    const text = (await rowB.textContent()) ?? '';
    expect(text).toContain(b.code);
    expect(text).toContain(g1.name);
    expect(await rowB.getByTestId('check-inspector').textContent()).toBe(me.displayName);
    expect(await rowB.getByTestId('check-fails').textContent()).toBe('不达标 1');
    const items = checklistOf(b.pointType);
    const max = items.reduce((sum, i) => sum + i.points, 0);
    const earned = max - items[0]!.points; // the first item failed (0), the rest passed
    expect(await rowB.getByTestId('check-score').textContent()).toBe(`${earned} / ${max} 分`);
    const score = Math.round((1000 * earned) / max) / 10;
    expect(await rowB.getByTestId('check-rating').textContent()).toBe(score >= 90 ? '好' : score >= 75 ? '中' : '差');
    expect(await rowB.getByTestId('conflict-chip').count()).toBe(0);
    await shot('list');

    await page.getByTestId('checks-conflict-only').check();
    await expect.poll(ids).toEqual([flagged.check.id]);
    const row = rows.first();
    expect(await row.getByTestId('conflict-chip').allTextContents()).toEqual(['点位信息已变更', '重复检查', '已改派他组']);
    expect(await row.textContent()).toContain(a.name);
    await shot('conflicts');
    expectNoProblems();
  });

  it('opens the flagged check: both versions side by side, the other check, items, problem and photo; the map flies there', async () => {
    const [g1, g2] = round.groups as [Group, Group];
    await page.waitForFunction(() => document.body.dataset.inspectionRoutes === 'ready');
    await page.getByTestId('checks-list').getByTestId('check-row').first().click();
    const detail = page.getByTestId('check-detail');
    await detail.waitFor();
    expect(Number(await detail.getAttribute('data-check-id'))).toBe(flagged.check.id);
    expect(await detail.getByTestId('check-point').textContent()).toBe(a.name);
    expect(await detail.getByTestId('conflict-chip').allTextContents()).toEqual(['点位信息已变更', '重复检查', '已改派他组']);
    expect(await detail.getByTestId('conflict-device-head').textContent()).toBe('设备上的数据');
    expect(await detail.getByTestId('conflict-server-head').textContent()).toBe('服务器上的数据');
    expect(await detail.getByTestId('conflict-device-version').textContent()).toBe(`第 ${aVersion} 版`);
    expect(await detail.getByTestId('conflict-server-version').textContent()).toBe(`第 ${aVersion + 1} 版`);
    expect(await detail.getByTestId('conflict-device-group').textContent()).toBe(g1.name);
    expect(await detail.getByTestId('conflict-server-group').textContent()).toBe(g2.name);
    const others = detail.getByTestId('conflict-other');
    await expect.poll(() => others.evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.checkId)))).toEqual([first.check.id]);

    // the items: each checklist item with its result; the failed one with its note, problem and photo
    const items = checklistOf(a.pointType);
    expect(await detail.getByTestId('check-item').count()).toBe(items.length);
    const failed = detail.locator(`[data-testid=check-item][data-item-id="${failedItem.id}"]`);
    expect(await failed.getAttribute('data-result')).toBe('fail');
    expect(await failed.textContent()).toContain(failedItem.label);
    expect(await failed.textContent()).toContain('地面有垃圾');
    expect(await failed.getByTestId('check-problem').textContent()).toBe(`#${flagged.problems[0]!.id}`);
    await expect.poll(() => failed.locator('[data-testid=check-photo] img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);

    // the map went to A: it lies at the centre of the part of the map the panels leave visible
    await page.waitForFunction(() => !(window as Hooked).__civgridMap!.isMoving());
    const seen = await page.evaluate(([lon, lat]) => {
      const map = (window as Hooked).__civgridMap!;
      const at = map.project([lon!, lat!]);
      const canvas = map.getCanvas().getBoundingClientRect();
      return document.elementFromPoint(canvas.left + at.x, canvas.top + at.y) === map.getCanvas();
    }, aAt);
    expect(seen).toBe(true);
    await shot('conflict-detail');

    // the earlier check opens, and back returns to the flagged one, then to the list
    await others.first().click();
    await expect.poll(() => detail.getAttribute('data-check-id')).toBe(String(first.check.id));
    expect(await detail.getByTestId('check-conflict').count()).toBe(0);
    await detail.getByTestId('check-back').click();
    await expect.poll(() => detail.getAttribute('data-check-id')).toBe(String(flagged.check.id));
    await detail.getByTestId('check-back').click();
    await page.getByTestId('checks-list').waitFor();
    expectNoProblems();
  });

  it('reads in English without catalogue keys, and the header fits', async () => {
    await page.getByTestId('language-toggle').click();
    await expect.poll(() => page.getByTestId('inspection-tab-checks').textContent()).toBe('Checks');
    await expectHeaderFits();
    const row = page.getByTestId('checks-list').getByTestId('check-row').first();
    expect(await row.getByTestId('conflict-chip').allTextContents()).toEqual(['Point changed', 'Checked twice', 'Moved to another group']);
    await shot('conflicts-en');
    await row.click();
    const detail = page.getByTestId('check-detail');
    await detail.waitFor();
    expect(await detail.getByTestId('conflict-device-head').textContent()).toBe('On the device');
    expect(await detail.getByTestId('conflict-server-version').textContent()).toBe(`version ${aVersion + 1}`);
    await expect.poll(() => detail.getByTestId('conflict-other').count()).toBe(1);
    expect(await detail.locator(`[data-testid=check-item][data-item-id="${failedItem.id}"]`).textContent()).toContain(failedItem.labelEn);
    expect(await rawKeys()).toEqual([]);
    await shot('conflict-detail-en');
    await detail.getByTestId('check-back').click();
    await page.getByTestId('inspection-tab-rounds').click();
    await expectHeaderFits();
    expect(await rawKeys()).toEqual([]);
    await shot('rounds-en');
    await page.getByTestId('language-toggle').click();
    expectNoProblems();
  });
});
