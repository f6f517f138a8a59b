import { sql, type Kysely } from 'kysely';

/**
 * A second territory an audit entry is about, when a change concerns two
 * places: a case transferred from the street it lies in to an organisation
 * of another street is read by the admins of both. NULL: only scope_code.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE audit_log ADD COLUMN also_scope_code text`.execute(db);
  await sql`CREATE INDEX audit_log_also_scope_idx ON audit_log (also_scope_code text_pattern_ops, id) WHERE also_scope_code IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX audit_log_also_scope_idx`.execute(db);
  await sql`ALTER TABLE audit_log DROP COLUMN also_scope_code`.execute(db);
}
