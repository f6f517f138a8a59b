import { sql, type Kysely } from 'kysely';

/**
 * The territory an audit entry is about (the national code of a user's
 * scope, of a zone's community …), so that an admin of a street reads the
 * trail of that street only. NULL: installation-wide (the seed), read by
 * district admins.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE audit_log ADD COLUMN scope_code text`.execute(db);
  await sql`CREATE INDEX audit_log_scope_idx ON audit_log (scope_code text_pattern_ops, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX audit_log_scope_idx`.execute(db);
  await sql`ALTER TABLE audit_log DROP COLUMN scope_code`.execute(db);
}
