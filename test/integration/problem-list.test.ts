/**
 * The problem list as the screens read it (issue 16): the total count of
 * every page, the order by report time (newest first by default, oldest on
 * request) across pages, a handler's to-do (我的待办), and the history's
 * actors by display name. Expectations come from the database itself, never
 * from the seed's dates.
 */
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

let database: Database;
let supervisor: TestApp;
let handler: TestApp;
let viewer: TestApp;

interface Row {
  id: number;
  status: string;
  reportedAt: string;
  ownerOrgId: number | null;
}
interface Page {
  problems: Row[];
  next: number | null;
  total: number;
}

beforeAll(async () => {
  database = await freshDatabase();
  supervisor = testApp(database, 'supervisor');
  handler = supervisor.as('handler');
  viewer = supervisor.as('viewer');
});
afterAll(async () => {
  await database?.close();
});

async function page(client: TestApp, query: string): Promise<Page> {
  const res = await client.request(`/api/problems?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
}

const count = async (where: ReturnType<typeof sql>) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM problems WHERE ${where}`.execute(database.db)).rows[0]!.n);

describe('GET /api/problems: total and order', () => {
  it('counts every problem the filters match, not the page', async () => {
    expect((await page(supervisor, 'limit=5')).total).toBe(await count(sql`true`));
    const open = await page(supervisor, 'limit=5&status=reported,dispatched');
    expect(open.total).toBe(await count(sql`status IN ('reported', 'dispatched')`));
    expect(open.problems.length).toBeLessThanOrEqual(5);
  });

  it('sorts by report time, newest first by default, and pages on without a gap or a repeat', async () => {
    const first = await page(supervisor, 'limit=40');
    const second = await page(supervisor, `limit=40&before=${first.next}`);
    const rows = [...first.problems, ...second.problems];
    const expected = (await sql<{ id: number }>`SELECT id FROM problems ORDER BY reported_at DESC, id DESC LIMIT 80`.execute(database.db)).rows.map((r) => r.id);
    expect(rows.map((r) => r.id)).toEqual(expected);
    const times = rows.map((r) => Date.parse(r.reportedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('sorts oldest first on request, across pages', async () => {
    const first = await page(supervisor, 'limit=30&sort=oldest');
    const second = await page(supervisor, `limit=30&sort=oldest&before=${first.next}`);
    const expected = (await sql<{ id: number }>`SELECT id FROM problems ORDER BY reported_at ASC, id ASC LIMIT 60`.execute(database.db)).rows.map((r) => r.id);
    expect([...first.problems, ...second.problems].map((r) => r.id)).toEqual(expected);
    expect((await supervisor.request('/api/problems?limit=1&sort=sideways')).status).toBe(400);
  });
});

describe('GET /api/problems?todo=true', () => {
  it('gives a handler its organisation’s cases waiting for it to start or feed back', async () => {
    const org = (await sql<{ organisation_id: number }>`SELECT organisation_id FROM users WHERE username = 'handler'`.execute(database.db)).rows[0]!.organisation_id;
    const todo = await page(handler, 'todo=true&limit=500');
    const expected = await count(sql`owner_org_id = ${org} AND status IN ('dispatched', 'in_progress')`);
    expect(todo.total).toBe(expected);
    for (const row of todo.problems) {
      expect(row.ownerOrgId).toBe(org);
      expect(['dispatched', 'in_progress']).toContain(row.status);
    }
    // "all" is every case of the organisation, the to-do among them
    const all = await page(handler, 'limit=1');
    expect(all.total).toBe(await count(sql`owner_org_id = ${org}`));
    expect(all.total).toBeGreaterThanOrEqual(todo.total);
  });

  it('gives a supervisor the cases to register, dispatch, check and close; a viewer has none', async () => {
    const todo = await page(supervisor, 'todo=true&limit=1');
    expect(todo.total).toBe(await count(sql`status IN ('reported', 'registered', 'fed_back', 'verified')`));
    // a status filter narrows the to-do; one outside it leaves nothing
    expect((await page(supervisor, 'todo=true&status=reported&limit=1')).total).toBe(await count(sql`status = 'reported'`));
    expect((await page(supervisor, 'todo=true&status=in_progress&limit=1')).total).toBe(0);
    const none = await page(viewer, 'todo=true&limit=5');
    expect(none).toMatchObject({ problems: [], total: 0, next: null });
  });
});

describe('GET /api/problems/:id timeline', () => {
  it('names each step’s account by its display name', async () => {
    const row = (await page(supervisor, 'status=reported&limit=1')).problems[0]!;
    const before = (await (await supervisor.request(`/api/problems/${row.id}`)).json()) as { version: number };
    const res = await supervisor.request(`/api/problems/${row.id}/transitions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'register', version: before.version }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const detail = (await (await supervisor.request(`/api/problems/${row.id}`)).json()) as { timeline: { action: string; actor: string | null; actorName: string | null }[] };
    const name = (await sql<{ display_name: string }>`SELECT display_name FROM users WHERE username = 'supervisor'`.execute(database.db)).rows[0]!.display_name;
    expect(detail.timeline.at(-1)).toMatchObject({ action: 'register', actor: 'supervisor', actorName: name });
  });
});
