import type { DB } from '@civgrid/db';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from '@civgrid/db';
import type { Kysely } from 'kysely';
import type { AuthUser, SessionInfo, SessionService } from '../auth/session.service.ts';
import type { Role } from '../auth/roles.ts';
import { AppError, badRequest, conflict, forbidden, notFound, unauthorized } from '../http/errors.ts';
import type { Actor, AuditRepository } from '../repositories/audit.repository.ts';
import type { SessionRepository } from '../repositories/session.repository.ts';
import type { UserChanges, UserRepository, UserRow } from '../repositories/user.repository.ts';

export interface CreateUser {
  username: string;
  displayName: string;
  password: string;
  role: Role;
  territoryId: number;
  organisationId?: number | undefined;
}

/** A place is in a user's scope when its territory code starts with the scope's code (codes nest). */
export function inScope(user: Pick<AuthUser, 'scopeCode'>, territoryCode: string): boolean {
  return territoryCode.startsWith(user.scopeCode);
}

/** Rejects passwords that are too short, too long, or the username itself. */
export function checkPassword(password: string, username: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw badRequest('weak_password', `A password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`);
  }
  if (password.toLowerCase().includes(username.toLowerCase())) {
    throw badRequest('weak_password', 'A password may not contain the username.');
  }
}

/** What the audit trail keeps of a user: everything the API shows, never a hash. */
const audited = (u: UserRow) => ({
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  scope: u.scope.code,
  scopeName: u.scope.name,
  organisationId: u.organisation?.id ?? null,
  organisationName: u.organisation?.name ?? null,
  active: u.active,
});

/**
 * Accounts: created and changed by admins within their own scope, each change
 * in one transaction with its audit entry. Changing a role, scope, state or
 * password ends the user's sessions, so nothing keeps running on old rights.
 */
export class UserService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly users: UserRepository,
    private readonly sessionRows: SessionRepository,
    private readonly sessions: SessionService,
    private readonly audit: AuditRepository,
  ) {}

  list(admin: AuthUser): Promise<UserRow[]> {
    return this.users.listWithin(admin.scopeCode);
  }

  async get(admin: AuthUser, id: number): Promise<UserRow> {
    const user = await this.users.byId(id);
    if (!user || !inScope(admin, user.scope.code)) throw notFound('user_not_found', `No user ${id} within your scope.`);
    return user;
  }

  async me(user: AuthUser): Promise<UserRow> {
    const row = await this.users.byId(user.id);
    if (!row) throw unauthorized('unauthenticated', 'This account no longer exists.');
    return row;
  }

  async create(admin: AuthUser, actor: Actor, input: CreateUser): Promise<UserRow> {
    checkPassword(input.password, input.username);
    const passwordHash = await hashPassword(input.password);
    const id = await this.db.transaction().execute(async (trx) => {
      await this.checkPlacement(trx, admin, input.role, input.territoryId, input.organisationId ?? null);
      if (await this.users.usernameTaken(input.username, trx)) throw conflict('username_taken', `The username "${input.username}" is taken.`);
      const id = await this.users.insert(trx, {
        username: input.username,
        displayName: input.displayName,
        passwordHash,
        role: input.role,
        territoryId: input.territoryId,
        // only a handler belongs to an organisation (its cases); others keep none
        organisationId: input.role === 'handler' ? (input.organisationId ?? null) : null,
        // a password the admin knows is only good for choosing one's own
        mustChangePassword: true,
      });
      const created = (await this.users.byId(id, trx)) as UserRow;
      await this.audit.record(trx, actor, { scopeCode: created.scope.code, action: 'create', entity: 'user', entityId: id, before: null, after: audited(created) });
      return id;
    }).catch(uniqueUsername(input.username));
    return (await this.users.byId(id)) as UserRow;
  }

  async update(admin: AuthUser, actor: Actor, id: number, changes: UserChanges): Promise<UserRow> {
    if (id === admin.id && ((changes.role !== undefined && changes.role !== 'admin') || changes.active === false)) {
      throw conflict('cannot_lock_out_self', 'You cannot take away your own admin role or deactivate yourself; ask another admin.');
    }
    await this.db.transaction().execute(async (trx) => {
      const before = await this.users.byId(id, trx);
      if (!before || !inScope(admin, before.scope.code)) throw notFound('user_not_found', `No user ${id} within your scope.`);
      checkAdminOver(admin, before);
      const role = changes.role ?? before.role;
      const organisationId = changes.organisationId !== undefined ? changes.organisationId : role === 'handler' ? (before.organisation?.id ?? null) : null;
      await this.checkPlacement(trx, admin, role, changes.territoryId ?? before.scope.id, organisationId);
      await this.users.update(trx, id, { ...changes, organisationId: role === 'handler' ? organisationId : null });
      const after = (await this.users.byId(id, trx)) as UserRow;
      await this.audit.record(trx, actor, { scopeCode: after.scope.code, action: 'update', entity: 'user', entityId: id, before: audited(before), after: audited(after) });
      const rightsChanged = before.role !== after.role || before.scope.id !== after.scope.id || before.active !== after.active || before.organisation?.id !== after.organisation?.id;
      if (rightsChanged) await this.sessionRows.deleteForUser(trx, id);
    });
    await this.sessions.forgetUser(id);
    return (await this.users.byId(id)) as UserRow;
  }

  /** An admin sets a new password; the user must change it at the next login. */
  async resetPassword(admin: AuthUser, actor: Actor, id: number, password: string): Promise<void> {
    if (id === admin.id) throw conflict('use_password_change', 'Change your own password with your current one (POST /api/auth/password).');
    const target = await this.get(admin, id);
    checkAdminOver(admin, target);
    checkPassword(password, target.username);
    const passwordHash = await hashPassword(password);
    await this.db.transaction().execute(async (trx) => {
      await this.users.setPassword(trx, id, passwordHash, true);
      await this.sessionRows.deleteForUser(trx, id);
      await this.audit.record(trx, actor, { scopeCode: target.scope.code, action: 'reset_password', entity: 'user', entityId: id, before: null, after: { mustChangePassword: true } });
    });
    await this.sessions.forgetUser(id);
  }

  /** The user's own change: needs the current password; other sessions end, this one stays. */
  async changePassword(user: AuthUser, session: SessionInfo, actor: Actor, current: string, next: string): Promise<void> {
    const hash = await this.users.passwordHash(user.id);
    if (!hash || !(await verifyPassword(hash, current))) throw unauthorized('invalid_credentials', 'The current password is wrong.');
    checkPassword(next, user.username);
    if (current === next) throw badRequest('weak_password', 'The new password must differ from the current one.');
    const passwordHash = await hashPassword(next);
    await this.db.transaction().execute(async (trx) => {
      await this.users.setPassword(trx, user.id, passwordHash, false);
      await this.sessionRows.deleteForUser(trx, user.id, session.tokenHash);
      await this.audit.record(trx, actor, { scopeCode: user.scopeCode, action: 'change_password', entity: 'user', entityId: user.id, before: null, after: null });
    });
    await this.sessions.forgetUser(user.id);
  }

  /** The territory must exist within the admin's scope; a handler needs an existing organisation. */
  private async checkPlacement(trx: Kysely<DB>, admin: AuthUser, role: Role, territoryId: number, organisationId: number | null): Promise<void> {
    const territory = await this.users.territory(territoryId, trx);
    if (!territory || territory.level === 'grid') throw badRequest('invalid_scope', `Territory ${territoryId} is not a district, street or community.`);
    if (!inScope(admin, territory.code)) throw forbidden('out_of_scope', `${territory.name} is outside your scope.`);
    if (role === 'handler') {
      if (organisationId === null) throw badRequest('organisation_required', 'A handler belongs to an organisation: give organisationId.');
      const organisation = await this.users.organisation(organisationId, trx);
      if (!organisation) throw badRequest('invalid_organisation', `No organisation ${organisationId}.`);
      // the handler will see that organisation's cases: it must be the admin's to give.
      // Organisations without a territory (the district's departments) are the district's.
      if (!inScope(admin, organisation.territory_code ?? admin.scopeCode.slice(0, 6))) {
        throw forbidden('out_of_scope', `${organisation.name} is outside your scope.`);
      }
    }
  }
}

/**
 * An admin manages other admins only below their own level: a street admin
 * cannot reset or demote another street admin of the same street (or a
 * district admin); district admins recover each other with pnpm user:create.
 */
function checkAdminOver(admin: AuthUser, target: UserRow): void {
  if (target.id !== admin.id && target.role === 'admin' && target.scope.code.length <= admin.scopeCode.length) {
    throw forbidden('out_of_scope', 'Another admin of your level or above is managed from above, not by you.');
  }
}

/** Two admins creating the same username at once: the unique index decides, the loser gets 409. */
function uniqueUsername(username: string) {
  return (error: unknown): never => {
    if (error instanceof AppError) throw error;
    if ((error as { code?: string }).code === '23505') throw conflict('username_taken', `The username "${username}" is taken.`);
    throw error;
  };
}
