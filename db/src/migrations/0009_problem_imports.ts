import { type Kysely, sql } from 'kysely';

/**
 * Imports of historical problems from CSV (issue 7, interchange): the id a
 * problem had in the system it came from, unique per source, so that the
 * same file imported twice adds nothing; and the previews waiting for their
 * commit (the rows as read and checked, so that the commit writes exactly
 * what the user saw). A preview belongs to its user and lasts an hour.
 * The problems' `source` check already allows 'import' (0001).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE problems ADD COLUMN external_id text CHECK (length(external_id) BETWEEN 1 AND 200)`.execute(db);
  await sql`CREATE UNIQUE INDEX problems_external_idx ON problems (source, external_id) WHERE external_id IS NOT NULL`.execute(db);
  await sql`
    CREATE TABLE problem_import_previews (
      id          uuid PRIMARY KEY,
      user_id     integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      file_name   text,
      rows        jsonb NOT NULL,
      summary     jsonb NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now(),
      expires_at  timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX problem_import_previews_expires_idx ON problem_import_previews (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE problem_import_previews`.execute(db);
  await sql`DROP INDEX problems_external_idx`.execute(db);
  await sql`ALTER TABLE problems DROP COLUMN external_id`.execute(db);
}
