import { type Kysely, sql } from 'kysely';

/**
 * A problem's photos belong to the step that brought them: the report's
 * photos to the report, the photos a handler sends with the feedback (反馈)
 * to that feedback, so that the timeline shows each step with its own
 * photos (a problem returned for rework is fed back twice). Photos stored
 * before this migration were all taken with the report: they are linked to
 * the problem's report event.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE problem_photos ADD COLUMN event_id integer REFERENCES problem_events (id) ON DELETE SET NULL`.execute(db);
  await sql`CREATE INDEX problem_photos_event_idx ON problem_photos (event_id)`.execute(db);
  await sql`
    UPDATE problem_photos ph SET event_id = (
      SELECT e.id FROM problem_events e WHERE e.problem_id = ph.problem_id AND e.action = 'report' ORDER BY e.id LIMIT 1)
    WHERE ph.stage = 'report'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE problem_photos DROP COLUMN event_id`.execute(db);
}
