import { type Kysely, sql } from 'kysely';
import type { DB } from '../schema.ts';
import { demoSetting } from './setting.ts';
import { exec } from './sql-helpers.ts';
import { daysBetween, demoRounds, demoToday, isDay } from './timeline.ts';

export type ReanchorReport =
  | { shifted: true; from: string; to: string; days: number }
  | { shifted: false; reason: 'not_seeded' | 'no_anchor' | 'current' | 'touched'; anchor?: string };

/**
 * Moves an untouched demo forward to a later day (default: today in China),
 * so that a demo database opened weeks after it was seeded shows the same
 * year of problems up to today, its current round still current and its
 * checks as recent as on the day it was seeded: every date of the seeded
 * time line (problems and their histories, rounds, checks) shifts by the
 * days elapsed, in one transaction, and the `demo` setting records the new
 * anchor. Run it at start; on a database already at that day it does nothing.
 *
 * "Untouched" means that nobody has changed anything: the audit log has no
 * entry but the seed's own and sign-ins/outs (every write of the server goes
 * through it), and there is no account besides the demo ones. A database
 * anyone has written to keeps its dates, as real data must: the README says
 * to re-seed it (`pnpm seed --today …`) for a fresh demo.
 *
 * Shifting by SQL keeps ids and sessions (a signed-in user stays signed in)
 * and takes a second or two, where re-seeding takes most of a minute. The
 * shift is by whole days, so a round that began on a Monday may then begin on
 * another weekday; the working calendar (holidays) is real and does not move.
 */
export async function reanchorDemo(db: Kysely<DB>, today: string = demoToday()): Promise<ReanchorReport> {
  if (!isDay(today)) throw new Error(`today must be a day as YYYY-MM-DD, not "${today}"`);
  return db.transaction().execute(async (trx) => {
    // one re-anchoring at a time: several server processes may start together on one PostgreSQL
    await exec(trx, sql`SELECT key FROM settings WHERE key = 'demo' FOR UPDATE`);
    const setting = await demoSetting(trx);
    if (!setting) return { shifted: false, reason: 'not_seeded' };
    const from = setting.anchor;
    if (typeof from !== 'string' || !isDay(from)) return { shifted: false, reason: 'no_anchor' };
    const days = daysBetween(from, today);
    if (days <= 0) return { shifted: false, reason: 'current', anchor: from };
    if (await touched(trx)) return { shifted: false, reason: 'touched', anchor: from };

    const shift = sql`make_interval(days => ${days}::int)`;
    await exec(trx, sql`
      UPDATE problems SET
        reported_at = reported_at + ${shift}, registered_at = registered_at + ${shift}, dispatched_at = dispatched_at + ${shift},
        due_at = due_at + ${shift}, started_at = started_at + ${shift}, fed_back_at = fed_back_at + ${shift},
        verified_at = verified_at + ${shift}, closed_at = closed_at + ${shift}, updated_at = updated_at + ${shift}`);
    await exec(trx, sql`UPDATE problem_events SET at = at + ${shift}`);
    await exec(trx, sql`UPDATE inspection_checks SET checked_at = checked_at + ${shift}, received_at = received_at + ${shift}`);
    // the seeded rounds by their seeded names and dates, renamed for their new months
    const before = demoRounds(from);
    const after = demoRounds(today);
    for (const key of ['current', 'next', 'finished'] as const) {
      await exec(trx, sql`
        UPDATE inspection_rounds SET name = ${after[key].name}, starts_on = ${after[key].startsOn}::date, ends_on = ${after[key].endsOn}::date
        WHERE created_by = 'seed' AND name = ${before[key].name} AND starts_on = ${before[key].startsOn}::date`);
    }
    const value = JSON.stringify({ ...setting, anchor: today });
    await trx.updateTable('settings').set({ value }).where('key', '=', 'demo').execute();
    await trx.insertInto('audit_log').values({
      actor: 'seed', action: 'reanchor', entity: 'demo', entity_id: String(setting.seed ?? ''),
      before: JSON.stringify({ anchor: from }), after: JSON.stringify({ anchor: today, days }),
    }).execute();
    // the problems' tiles carry their status and warning; a new version makes clients fetch them again
    await exec(trx, sql`
      INSERT INTO layer_versions (layer, version, updated_at) VALUES ('problems', 2, now())
      ON CONFLICT (layer) DO UPDATE SET version = layer_versions.version + 1, updated_at = now()`);
    return { shifted: true, from, to: today, days };
  });
}

/** Whether anyone has written to the demo since it was seeded (see reanchorDemo). */
async function touched(db: Kysely<DB>): Promise<boolean> {
  const { rows } = await sql<{ edits: boolean; accounts: boolean }>`
    SELECT EXISTS (SELECT 1 FROM audit_log WHERE actor IS DISTINCT FROM 'seed' AND entity <> 'session') AS edits,
           EXISTS (SELECT 1 FROM users WHERE NOT demo) AS accounts`.execute(db);
  return rows[0]!.edits || rows[0]!.accounts;
}
