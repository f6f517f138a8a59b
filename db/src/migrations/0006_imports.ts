import { type Kysely, sql } from 'kysely';

/**
 * Imports wait here between their preview and their commit: the features
 * as read from the file, converted to WGS84 and repaired, with what the
 * checks found, so that the commit writes exactly what the planner saw.
 * A preview belongs to its user and lasts an hour; a commit deletes it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE import_previews (
      id           uuid PRIMARY KEY,
      user_id      integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      layer        text NOT NULL CHECK (layer IN ('zones', 'road-sections')),
      duty_type_id text REFERENCES duty_types (id),
      file_name    text,
      features     jsonb NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now(),
      expires_at   timestamptz NOT NULL,
      CHECK ((layer = 'zones') = (duty_type_id IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX import_previews_expires_idx ON import_previews (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE import_previews`.execute(db);
}
