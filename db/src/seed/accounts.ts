import { type Kysely, sql } from 'kysely';
import { hashPassword } from '../passwords.ts';
import type { DB, Role } from '../schema.ts';

/**
 * The demo mode's accounts: one per role, named after the role, all with the
 * one password the login page shows in demo mode. The planner is scoped to the
 * first street and the handler belongs to that street's town sanitation
 * service, so the demo shows scoping; the others see the whole district.
 */
export const DEMO_PASSWORD = 'civgrid-demo';

export const DEMO_ACCOUNTS: { username: Role; displayName: string; scope: 'district' | 'first-street' }[] = [
  { username: 'admin', displayName: '演示·系统管理员', scope: 'district' },
  { username: 'planner', displayName: '演示·规划编辑', scope: 'first-street' },
  { username: 'supervisor', displayName: '演示·督查', scope: 'district' },
  { username: 'handler', displayName: '演示·处置单位', scope: 'first-street' },
  { username: 'inspector', displayName: '演示·巡查员', scope: 'district' },
  { username: 'viewer', displayName: '演示·只读用户', scope: 'district' },
];

/**
 * Creates the demo accounts that are missing (an existing account keeps its
 * password); returns how many were created. Needs the seeded territory.
 */
export async function ensureDemoAccounts(db: Kysely<DB>): Promise<number> {
  const district = await db.selectFrom('territories').select('id').where('level', '=', 'district').orderBy('code').executeTakeFirst();
  const street = await db.selectFrom('territories').select('id').where('level', '=', 'street').orderBy('code').executeTakeFirst();
  if (!district || !street) return 0;
  const handlerOrg =
    (await db.selectFrom('organisations').select('id').where('kind', '=', 'sanitation_town').where('territory_id', '=', street.id).orderBy('id').executeTakeFirst()) ??
    (await db.selectFrom('organisations').select('id').orderBy('id').executeTakeFirst());
  if (!handlerOrg) return 0;

  const existing = new Set(
    (await db.selectFrom('users').select(sql<string>`lower(username)`.as('name')).execute()).map((r) => r.name),
  );
  const missing = DEMO_ACCOUNTS.filter((account) => !existing.has(account.username));
  // a hash (and so a random salt) of its own per account, so that one table row
  // cracked or precomputed says nothing about the others. Six argon2id hashes
  // (19 MiB, 2 passes) add about 0.3 s to seeding on a 2-core box; they run
  // side by side on the libuv pool, which helps where cores are free.
  const hashes = await Promise.all(missing.map(() => hashPassword(DEMO_PASSWORD)));
  let created = 0;
  for (const [i, account] of missing.entries()) {
    await db.insertInto('users').values({
      username: account.username,
      display_name: account.displayName,
      password_hash: hashes[i]!,
      role: account.username,
      territory_id: account.scope === 'district' ? district.id : street.id,
      organisation_id: account.username === 'handler' ? handlerOrg.id : null,
      demo: true,
    }).execute();
    created++;
  }
  return created;
}

/**
 * Outside demo mode the demo accounts, whose password is published, are
 * switched off and their sessions ended; returns how many were active.
 */
export async function disableDemoAccounts(db: Kysely<DB>): Promise<number> {
  const rows = await db.updateTable('users').set({ active: false, updated_at: new Date() }).where('demo', '=', true).where('active', '=', true).returning('id').execute();
  if (rows.length) await db.deleteFrom('sessions').where('user_id', 'in', rows.map((r) => r.id)).execute();
  return rows.length;
}
