import type { DB } from '@civgrid/db';
import { hashPassword } from '@civgrid/db';
import type { Kysely } from 'kysely';
import { AuditRepository } from '../repositories/audit.repository.ts';
import { checkPassword } from '../services/user.service.ts';

export interface NewAdmin {
  username: string;
  displayName?: string | undefined;
  password: string;
  role: 'admin' | 'planner' | 'supervisor' | 'inspector' | 'viewer';
  /** Territory code of the scope; omitted → the district. */
  scopeCode?: string | undefined;
}

/**
 * Creates an account outside the web (the first admin, a locked-out
 * installation): scoped to the district unless told otherwise, recorded in the
 * audit trail as done by `actor`. Errors say what to fix.
 */
export async function createAccount(db: Kysely<DB>, input: NewAdmin, actor: string): Promise<number> {
  checkPassword(input.password, input.username);
  const territory = input.scopeCode
    ? await db.selectFrom('territories').select(['id', 'level', 'code']).where('code', '=', input.scopeCode).executeTakeFirst()
    : await db.selectFrom('territories').select(['id', 'level', 'code']).where('level', '=', 'district').orderBy('code').executeTakeFirst();
  if (!territory) {
    throw new Error(input.scopeCode ? `No territory with code ${input.scopeCode}.` : 'There is no district yet: load the territory first (for the demo: pnpm seed).');
  }
  if (territory.level === 'grid') throw new Error('An account is scoped to a district, street or community, not a grid.');
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('users')
      .values({ username: input.username, display_name: input.displayName ?? input.username, password_hash: passwordHash, role: input.role, territory_id: territory.id })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === '23505') throw new Error(`The username "${input.username}" is taken.`);
        throw error;
      });
    await new AuditRepository(trx).record(trx, { userId: null, username: actor, requestId: null, ip: null }, {
      scopeCode: territory.code, action: 'create', entity: 'user', entityId: id, before: null, after: { username: input.username, role: input.role, territoryId: territory.id },
    });
    return id;
  });
}

/** On start: with no accounts at all and CIVGRID_ADMIN_* set, create that admin. */
export async function ensureFirstAdmin(db: Kysely<DB>, username: string, password: string): Promise<boolean> {
  const any = await db.selectFrom('users').select('id').where('demo', '=', false).limit(1).executeTakeFirst();
  if (any) return false;
  await createAccount(db, { username, password, role: 'admin', displayName: '系统管理员' }, 'config');
  return true;
}
