import type { DB, Role } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';

/** A user as the API shows it: never the hash. */
export interface UserRow {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  scope: { id: number; code: string; name: string; level: 'district' | 'street' | 'community' };
  organisation: { id: number; name: string } | null;
  active: boolean;
  mustChangePassword: boolean;
  demo: boolean;
  createdAt: string;
}

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  territoryId: number;
  organisationId: number | null;
  mustChangePassword: boolean;
}

export interface UserChanges {
  displayName?: string | undefined;
  role?: Role | undefined;
  territoryId?: number | undefined;
  organisationId?: number | null | undefined;
  active?: boolean | undefined;
}

type Db = Kysely<DB>;

function selectUsers(db: Db) {
  return db
    .selectFrom('users as u')
    .innerJoin('territories as t', 't.id', 'u.territory_id')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select([
      'u.id', 'u.username', 'u.display_name', 'u.role', 'u.active', 'u.must_change_password', 'u.demo', 'u.created_at',
      't.id as scope_id', 't.code as scope_code', 't.name as scope_name', 't.level as scope_level',
      'o.id as org_id', 'o.name as org_name',
    ]);
}

type Selected = Awaited<ReturnType<ReturnType<typeof selectUsers>['executeTakeFirstOrThrow']>>;

function toUser(r: Selected): UserRow {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    scope: { id: r.scope_id, code: r.scope_code, name: r.scope_name, level: r.scope_level as UserRow['scope']['level'] },
    organisation: r.org_id === null || r.org_name === null ? null : { id: r.org_id, name: r.org_name },
    active: r.active,
    mustChangePassword: r.must_change_password,
    demo: r.demo,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export class UserRepository {
  constructor(private readonly db: Db) {}

  async byId(id: number, db: Db = this.db): Promise<UserRow | undefined> {
    const row = await selectUsers(db).where('u.id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  /** The hash and state needed to check a login; the username matches regardless of case. */
  async credentials(username: string) {
    return this.db
      .selectFrom('users')
      .select(['id', 'password_hash', 'active'])
      .where(sql`lower(username)`, '=', username.toLowerCase())
      .executeTakeFirst();
  }

  async passwordHash(id: number): Promise<string | undefined> {
    return (await this.db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst())?.password_hash;
  }

  /** Users whose scope lies within the territory with this code (an admin sees their own subtree). */
  async listWithin(scopeCode: string): Promise<UserRow[]> {
    const rows = await selectUsers(this.db).where('t.code', 'like', `${scopeCode}%`).orderBy('u.username').execute();
    return rows.map(toUser);
  }

  /** The demo accounts that still exist and are active, in the given order. */
  async demoAccounts(usernames: string[]) {
    const rows = await selectUsers(this.db).where('u.demo', '=', true).where('u.active', '=', true).execute();
    return rows
      .map(toUser)
      .filter((u) => usernames.includes(u.username))
      .sort((a, b) => usernames.indexOf(a.username) - usernames.indexOf(b.username))
      .map((u) => ({ username: u.username, role: u.role, displayName: u.displayName, scope: { id: u.scope.id, name: u.scope.name, level: u.scope.level } }));
  }

  async usernameTaken(username: string, db: Db = this.db): Promise<boolean> {
    const row = await db.selectFrom('users').select('id').where(sql`lower(username)`, '=', username.toLowerCase()).executeTakeFirst();
    return row !== undefined;
  }

  async insert(db: Db, user: NewUser): Promise<number> {
    const { id } = await db
      .insertInto('users')
      .values({
        username: user.username,
        display_name: user.displayName,
        password_hash: user.passwordHash,
        role: user.role,
        territory_id: user.territoryId,
        organisation_id: user.organisationId,
        must_change_password: user.mustChangePassword,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }

  async update(db: Db, id: number, changes: UserChanges): Promise<void> {
    await db
      .updateTable('users')
      .set({
        ...(changes.displayName !== undefined && { display_name: changes.displayName }),
        ...(changes.role !== undefined && { role: changes.role }),
        ...(changes.territoryId !== undefined && { territory_id: changes.territoryId }),
        ...(changes.organisationId !== undefined && { organisation_id: changes.organisationId }),
        ...(changes.active !== undefined && { active: changes.active }),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
  }

  async setPassword(db: Db, id: number, passwordHash: string, mustChange: boolean): Promise<void> {
    await db
      .updateTable('users')
      .set({ password_hash: passwordHash, must_change_password: mustChange, password_changed_at: new Date(), updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  }

  async territory(id: number, db: Db = this.db) {
    return db.selectFrom('territories').select(['id', 'code', 'name', 'level']).where('id', '=', id).executeTakeFirst();
  }

  async organisation(id: number, db: Db = this.db) {
    return db
      .selectFrom('organisations as o')
      .leftJoin('territories as t', 't.id', 'o.territory_id')
      .select(['o.id', 'o.name', 't.code as territory_code'])
      .where('o.id', '=', id)
      .executeTakeFirst();
  }
}
