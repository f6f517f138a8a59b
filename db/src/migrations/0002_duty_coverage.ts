import { sql, type Kysely } from 'kysely';

/**
 * What "covered" means for a duty type, so the blind-spot engine can tell a
 * real blind spot from a place the duty simply does not apply to:
 * - coverage 'full': every place of the territory needs exactly one owner;
 * - coverage 'partial': only where the duty applies (frontage, greening);
 *   overlaps still count, gaps do not flag points;
 * - coverage_group: duty types that together must cover each place exactly
 *   once (市环卫 and 镇环卫 share 'sanitation').
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE duty_types ADD COLUMN coverage text NOT NULL DEFAULT 'full' CHECK (coverage IN ('full', 'partial'))`.execute(db);
  await sql`ALTER TABLE duty_types ADD COLUMN coverage_group text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE duty_types DROP COLUMN coverage_group`.execute(db);
  await sql`ALTER TABLE duty_types DROP COLUMN coverage`.execute(db);
}
