import { sql, type Kysely } from 'kysely';

/**
 * The citizen's receipt of a report (你拍我改): a short code to quote and a
 * secret shown once, so that the citizen (and nobody trying codes) can look
 * the report's progress up later. Only the SHA-256 of the secret is kept:
 * the secret is 80 random bits, so a fast hash is enough against a copy of
 * the table, and nothing here can show it again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE citizen_receipts (
      problem_id  integer PRIMARY KEY REFERENCES problems (id) ON DELETE CASCADE,
      code        text NOT NULL UNIQUE CHECK (code ~ '^[0-9A-Z]{3}-[0-9A-Z]{3}$'),
      secret_hash bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE citizen_receipts`.execute(db);
}
