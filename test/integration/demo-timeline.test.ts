/**
 * A demo that never ages (issue 16): its time line ends on the day it is
 * seeded or re-anchored, so the "last 7 days", "this month" and "this
 * fortnight" views have data on the day a user starts it, the readiness
 * board is part green and part red for reasons one can state, every seeded
 * check has its inspector and every seeded problem its history. Expectations
 * come from the database and from the anchor day, not from fixed dates.
 */
import type { Database } from '@civgrid/db';
import { demoSetting, demoToday, reanchorDemo, seedTimeline } from '@civgrid/db/seed';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../support/api.ts';
import { WorkCalendar } from '../../server/src/services/work-calendar.ts';
import { freshDatabase } from '../support/database.ts';

const DAY_MS = 86_400_000;
const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

let database: Database;
let supervisor: TestApp;
let today: string;
/** Days the template's demo was moved forward at the start of this file (0 when it was seeded today). */
let reanchoredBy = 0;

const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(database.db)).rows;
const one = async <T>(query: ReturnType<typeof sql<T>>) => (await rows(query))[0] as T;
async function get<T>(path: string): Promise<T> {
  const res = await supervisor.request(path);
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
}
const anchorOf = async () => (await demoSetting(database.db))?.anchor;

beforeAll(async () => {
  database = await freshDatabase();
  // the template may have been seeded on an earlier day: today's user sees it re-anchored at start
  // (the demo's day turns at 08:00 China time, when its reports of the night end)
  today = demoToday();
  const moved = await reanchorDemo(database.db, today);
  if (moved.shifted) reanchoredBy = moved.days;
  supervisor = testApp(database, 'supervisor');
});
afterAll(async () => {
  await database?.close();
});

describe('the demo on the day it is started', () => {
  it('ends its time line today', async () => {
    expect(await anchorOf()).toBe(today);
    const span = await one(sql<{ first: string; last: string }>`
      SELECT to_char(min(reported_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS first,
             to_char(max(reported_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS last FROM problems`);
    expect(span.last).toBe(today);
    expect(span.first >= addDays(today, -366)).toBe(true);
    // and nothing happens in the future, whatever the hour it was seeded at
    const future = await one(sql<{ n: number }>`
      SELECT count(*)::int AS n FROM problems
      WHERE greatest(reported_at, registered_at, dispatched_at, started_at, fed_back_at, verified_at, closed_at) > now()`);
    expect(future.n).toBe(0);
  });

  it('has reports and closures in the last 7 days, this week, this month and the last fortnight', async () => {
    const periods = {
      last7: { from: addDays(today, -6), to: today },
      // on the 1st of a month "this month" is just today: the night's reports are in it
      month: { from: `${today.slice(0, 8)}01`, to: today },
      fortnight: { from: addDays(today, -13), to: today },
    };
    for (const [name, p] of Object.entries(periods)) {
      const trend = await get<{ totals: { reported: number; closed: number } }>(`/api/problems/trend?interval=day&from=${p.from}&to=${p.to}`);
      expect(trend.totals.reported, name).toBeGreaterThan(0);
      const grids = await get<{ features?: unknown[] } | unknown[]>(`/api/problems/stats/grids?level=community&from=${p.from}&to=${p.to}`);
      expect(JSON.stringify(grids).length, name).toBeGreaterThan(2);
    }
    const week = await get<{ totals: { reported: number; closed: number } }>(`/api/problems/trend?interval=day&from=${periods.last7.from}&to=${today}`);
    expect(week.totals.closed).toBeGreaterThan(0);
    const indicators = await get<{ rows: { due: number; reported: number; overdueOpen: number }[] }>(`/api/indicators?by=street&from=${periods.fortnight.from}&to=${today}`);
    expect(indicators.rows.reduce((s, r) => s + r.due, 0)).toBeGreaterThan(0);
    expect(indicators.rows.reduce((s, r) => s + r.reported, 0)).toBeGreaterThan(0);
  });

  it('has recent cases mostly open, older ones mostly closed, and a minority of the open ones overdue', async () => {
    const shares = await one(sql<{ recent: number; recent_open: number; old: number; old_open: number; open: number; overdue: number }>`
      SELECT count(*) FILTER (WHERE reported_at > now() - interval '2 days')::int AS recent,
             count(*) FILTER (WHERE reported_at > now() - interval '2 days' AND status NOT IN ('closed', 'void'))::int AS recent_open,
             count(*) FILTER (WHERE reported_at < now() - interval '60 days')::int AS old,
             count(*) FILTER (WHERE reported_at < now() - interval '60 days' AND status NOT IN ('closed', 'void'))::int AS old_open,
             count(*) FILTER (WHERE status NOT IN ('closed', 'void'))::int AS open,
             count(*) FILTER (WHERE status NOT IN ('closed', 'void') AND due_at < now())::int AS overdue
      FROM problems`);
    expect(shares.recent_open / shares.recent).toBeGreaterThan(0.5);
    expect(shares.old_open / shares.old).toBeLessThan(0.02);
    expect(shares.overdue).toBeGreaterThan(0);
    expect(shares.overdue / shares.open).toBeLessThan(0.6);
  });

  it('closes cases after they are reported, and due dates follow the category deadline in working hours from dispatch', async () => {
    const order = await one(sql<{ n: number }>`
      SELECT count(*) FILTER (WHERE NOT (reported_at <= coalesce(registered_at, reported_at) AND coalesce(registered_at, reported_at) <= coalesce(dispatched_at, registered_at, reported_at)
                                         AND (closed_at IS NULL OR closed_at > coalesce(dispatched_at, reported_at))))::int AS n
      FROM problems`);
    expect(order.n).toBe(0);
    // the server's own calendar (the one a dispatch uses) on every 50th dispatched case, on the dates they were
    // seeded with (re-anchoring moves whole days, which the working-hour rule does not survive across weekends)
    const calendar = new WorkCalendar((await rows(sql<{ day: string; kind: 'holiday' | 'workday'; name: string }>`
      SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name FROM work_calendar`)));
    const sample = await rows(sql<{ dispatched_at: Date; due_at: Date; hours: number }>`
      SELECT p.dispatched_at, p.due_at, c.deadline_hours AS hours FROM problems p JOIN problem_categories c ON c.id = p.category_id
      WHERE p.dispatched_at IS NOT NULL AND p.id % 50 = 0 ORDER BY p.id`);
    expect(sample.length).toBeGreaterThan(100);
    const shift = reanchoredBy * DAY_MS;
    for (const p of sample) {
      expect(new Date(p.due_at).getTime() - shift).toBe(calendar.addWorkingHours(new Date(new Date(p.dispatched_at).getTime() - shift), p.hours).getTime());
    }
  });

  it('gives every seeded problem its history, from its report on, by accounts that exist', async () => {
    const history = await one(sql<{ without_report: number; unknown_actor: number; steps_mismatch: number }>`
      SELECT (SELECT count(*) FROM problems p WHERE NOT EXISTS (
                SELECT 1 FROM problem_events e WHERE e.problem_id = p.id AND e.action = 'report' AND e.at = p.reported_at))::int AS without_report,
             (SELECT count(*) FROM problem_events e WHERE e.actor <> 'citizen' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.username = e.actor))::int AS unknown_actor,
             -- the last event leads to the problem's status
             (SELECT count(*) FROM problems p WHERE p.status <> (
                SELECT e.to_status FROM problem_events e WHERE e.problem_id = p.id ORDER BY e.at DESC, e.id DESC LIMIT 1))::int AS steps_mismatch`);
    expect(history).toEqual({ without_report: 0, unknown_actor: 0, steps_mismatch: 0 });
    // and the API shows it
    const closed = await one(sql<{ id: number }>`SELECT id FROM problems WHERE status = 'closed' ORDER BY id LIMIT 1`);
    const shown = await get<{ timeline: { action: string; actor: string | null }[] }>(`/api/problems/${closed.id}`);
    expect(shown.timeline.map((e) => e.action)).toEqual(['report', 'register', 'dispatch', 'start', 'feedback', 'verify', 'close']);
  });

  it('has a finished round, a current one around today and the next one, with every seeded check by an existing inspector', async () => {
    const rounds = await rows(sql<{ id: number; status: string; starts_on: string; ends_on: string; checks: number }>`
      SELECT r.id, r.status, to_char(r.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(r.ends_on, 'YYYY-MM-DD') AS ends_on,
             (SELECT count(*) FROM inspection_checks c WHERE c.round_id = r.id)::int AS checks
      FROM inspection_rounds r ORDER BY r.starts_on`);
    expect(rounds.map((r) => r.status)).toEqual(['closed', 'active', 'planning']);
    const [finished, current, next] = rounds as [typeof rounds[0], typeof rounds[0], typeof rounds[0]];
    expect(finished.ends_on < today).toBe(true);
    expect(current.starts_on <= today && today <= current.ends_on).toBe(true);
    expect(next.starts_on > today).toBe(true);
    expect(finished.checks).toBe(165);
    expect(current.checks).toBeGreaterThan(0);
    expect(current.checks).toBeLessThan(165); // the round is not over
    expect(next.checks).toBe(0);
    const checks = await one(sql<{ without: number; future: number; outside: number }>`
      SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = c.user_id))::int AS without,
             count(*) FILTER (WHERE c.checked_at > now())::int AS future,
             count(*) FILTER (WHERE (c.checked_at AT TIME ZONE 'Asia/Shanghai')::date NOT BETWEEN r.starts_on AND r.ends_on)::int AS outside
      FROM inspection_checks c JOIN inspection_rounds r ON r.id = c.round_id`);
    expect(checks).toEqual({ without: 0, future: 0, outside: 0 });
  });

  it('shows the current round on the readiness board part green, part red, for reasons the data bears out', async () => {
    const current = await one(sql<{ id: number }>`SELECT id FROM inspection_rounds WHERE status = 'active' ORDER BY id LIMIT 1`);
    const board = await get<{
      staleDays: number;
      summary: { ready: number; notReady: number };
      points: { pointId: number; ready: boolean; reasons: { reason: string }[]; daysSinceCheck: number | null; overdueProblems: number }[];
    }>(`/api/inspection/readiness?round=${current.id}`);
    expect(board.summary.ready).toBeGreaterThan(0);
    expect(board.summary.notReady).toBeGreaterThan(0);
    const last = new Map((await rows(sql<{ point_id: number; days: number }>`
      SELECT point_id, floor(extract(epoch FROM now() - max(checked_at)) / 86400)::int AS days FROM inspection_checks GROUP BY point_id`)).map((r) => [r.point_id, r.days]));
    for (const point of board.points) {
      // green: checked within the window, no overdue case nearby, no other reason
      if (point.ready) {
        expect(point.reasons).toEqual([]);
        expect(last.get(point.pointId)!).toBeLessThanOrEqual(board.staleDays);
      }
    }
    const reasons = new Set(board.points.flatMap((p) => p.reasons.map((r) => r.reason)));
    // red for old checks (visited in the finished round, not yet in this one) and for overdue cases nearby
    expect(reasons).toContain('check_stale');
    expect(reasons).toContain('overdue_problems');
    const stale = board.points.filter((p) => p.reasons.some((r) => r.reason === 'check_stale'));
    for (const p of stale) expect(last.get(p.pointId)!, String(p.pointId)).toBeGreaterThan(board.staleDays - 1);
  });
});

describe('re-anchoring', () => {
  it('moves an untouched demo forward by the days elapsed, once', { timeout: 240_000 }, async () => {
    const later = addDays(today, 20);
    const before = await one(sql<{ last: Date; events: Date; checks: Date; starts: string; n: number }>`
      SELECT (SELECT max(reported_at) FROM problems) AS last, (SELECT max(at) FROM problem_events) AS events,
             (SELECT max(checked_at) FROM inspection_checks) AS checks,
             (SELECT to_char(min(starts_on), 'YYYY-MM-DD') FROM inspection_rounds) AS starts, (SELECT count(*)::int FROM problems) AS n`);
    expect(await reanchorDemo(database.db, later)).toEqual({ shifted: true, from: today, to: later, days: 20 });
    const after = await one(sql<typeof before>`
      SELECT (SELECT max(reported_at) FROM problems) AS last, (SELECT max(at) FROM problem_events) AS events,
             (SELECT max(checked_at) FROM inspection_checks) AS checks,
             (SELECT to_char(min(starts_on), 'YYYY-MM-DD') FROM inspection_rounds) AS starts, (SELECT count(*)::int FROM problems) AS n`);
    expect(new Date(after.last).getTime() - new Date(before.last).getTime()).toBe(20 * DAY_MS);
    expect(new Date(after.events).getTime() - new Date(before.events).getTime()).toBe(20 * DAY_MS);
    expect(new Date(after.checks).getTime() - new Date(before.checks).getTime()).toBe(20 * DAY_MS);
    expect(after.starts).toBe(addDays(before.starts, 20));
    expect(after.n).toBe(before.n);
    expect(await anchorOf()).toBe(later);
    // on the same day again: nothing to do
    expect(await reanchorDemo(database.db, later)).toEqual({ shifted: false, reason: 'current', anchor: later });
  });

  it('leaves a database someone has edited alone', async () => {
    const admin = supervisor.as('admin');
    const category = await one(sql<{ id: string; deadline_hours: number }>`SELECT id, deadline_hours FROM problem_categories WHERE deadline_hours IS NOT NULL ORDER BY id LIMIT 1`);
    const res = await admin.request(`/api/categories/${category.id}`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deadlineHours: category.deadline_hours + 1 }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const anchor = await anchorOf();
    const last = (await one(sql<{ last: Date }>`SELECT max(reported_at) AS last FROM problems`)).last;
    expect(await reanchorDemo(database.db, addDays(anchor!, 30))).toEqual({ shifted: false, reason: 'touched', anchor });
    expect((await one(sql<{ last: Date }>`SELECT max(reported_at) AS last FROM problems`)).last).toEqual(last);
    expect(await anchorOf()).toBe(anchor);
  });
});

describe('the seeded time line for two anchors a month apart', () => {
  it('has the same cases, rounds and checks, shifted by the days between them', { timeout: 300_000 }, async () => {
    type Snapshot = { problems: string[]; statuses: Record<string, number>; events: number; rounds: string[]; checks: string[]; onAnchorDay: number };
    const snapshot = async (anchor: string): Promise<Snapshot> => {
      await database.db.transaction().execute((trx) => seedTimeline(trx, { seed: 7, problems: 3000, anchor }));
      const base = Date.parse(`${anchor}T00:00:00+08:00`);
      // every time as an offset from the anchor day's midnight, so two anchors compare directly
      const rel = (column: string) => sql.raw(`coalesce((extract(epoch FROM ${column}) * 1000 - ${base})::bigint::text, '-')`);
      return {
        problems: (await rows(sql<{ r: string }>`
          SELECT concat_ws('|', id, category_id, ST_AsText(geom), source, ${rel('reported_at')}, ${rel('registered_at')}, ${rel('dispatched_at')}) AS r
          FROM problems ORDER BY id`)).map((r) => r.r),
        statuses: Object.fromEntries((await rows(sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM problems GROUP BY status`)).map((r) => [r.status, r.n])),
        events: (await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM problem_events`)).n,
        rounds: (await rows(sql<{ r: string }>`SELECT concat_ws('|', id, status, weight, starts_on - ${anchor}::date, ends_on - ${anchor}::date) AS r FROM inspection_rounds ORDER BY id`)).map((r) => r.r),
        checks: (await rows(sql<{ r: string }>`SELECT concat_ws('|', round_id, point_id, user_id, score) AS r FROM inspection_checks ORDER BY round_id, point_id`)).map((r) => r.r),
        onAnchorDay: (await one(sql<{ n: number }>`
          SELECT count(*)::int AS n FROM problems WHERE (reported_at AT TIME ZONE 'Asia/Shanghai')::date = ${anchor}::date`)).n,
      };
    };
    // the 1st of a month: "this month" is that one day, and it has reports; four weeks later, the same weekday
    const first = await snapshot('2027-03-01');
    const second = await snapshot('2027-03-29');
    expect(first.problems).toHaveLength(3000);
    expect(first.onAnchorDay).toBeGreaterThan(0);
    // the same cases, places and report times relative to the anchor, so the same counts per day and month shifted
    expect(second.problems).toEqual(first.problems);
    expect(second.rounds).toEqual(first.rounds);
    expect(second.checks).toEqual(first.checks);
    // due times run in working hours, and other holidays fall in each year: the outcomes agree within a few cases
    for (const status of new Set([...Object.keys(first.statuses), ...Object.keys(second.statuses)])) {
      expect(Math.abs((second.statuses[status] ?? 0) - (first.statuses[status] ?? 0)), status).toBeLessThanOrEqual(Math.max(5, 0.03 * (first.statuses[status] ?? 0)));
    }
    expect(Math.abs(second.events - first.events)).toBeLessThanOrEqual(0.01 * first.events);
    expect(first.events).toBeGreaterThan(3000 * 4);
    // and the same anchor again gives the same rows
    expect(await snapshot('2027-03-29')).toEqual(second);
  });
});
