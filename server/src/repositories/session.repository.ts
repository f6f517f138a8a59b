import type { DB, Role } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';

/**
 * NOTIFY channel on which a process says that sessions ended (`token:<hash>`
 * or `user:<id>`), so that every server process drops its cached copy.
 */
export const SESSIONS_ENDED_CHANNEL = 'civgrid_sessions_ended';

export interface SessionRecord {
  userId: number;
  username: string;
  displayName: string;
  role: Role;
  territoryId: number;
  scopeCode: string;
  organisationId: number | null;
  active: boolean;
  mustChangePassword: boolean;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export class SessionRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(session: { tokenHash: string; userId: number; csrfToken: string; expiresAt: Date; ip: string; userAgent: string | undefined }) {
    await this.db
      .insertInto('sessions')
      .values({
        token_hash: session.tokenHash,
        user_id: session.userId,
        csrf_token: session.csrfToken,
        expires_at: session.expiresAt,
        ip: session.ip,
        user_agent: session.userAgent?.slice(0, 300) ?? null,
      })
      .execute();
  }

  async find(tokenHash: string): Promise<SessionRecord | undefined> {
    const row = await this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .innerJoin('territories as t', 't.id', 'u.territory_id')
      .select([
        'u.id as user_id', 'u.username', 'u.display_name', 'u.role', 'u.territory_id', 't.code as scope_code', 'u.organisation_id', 'u.active', 'u.must_change_password',
        's.csrf_token', 's.created_at', 's.last_seen_at', 's.expires_at',
      ])
      .where('s.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      userId: row.user_id,
      username: row.username,
      displayName: row.display_name,
      role: row.role,
      territoryId: row.territory_id,
      scopeCode: row.scope_code,
      organisationId: row.organisation_id,
      active: row.active,
      mustChangePassword: row.must_change_password,
      csrfToken: row.csrf_token,
      createdAt: new Date(row.created_at),
      lastSeenAt: new Date(row.last_seen_at),
      expiresAt: new Date(row.expires_at),
    };
  }

  async touch(tokenHash: string, expiresAt: Date): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: new Date(), expires_at: expiresAt }).where('token_hash', '=', tokenHash).execute();
  }

  async delete(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  /** Tells every server process listening on SESSIONS_ENDED_CHANNEL that sessions ended. */
  async announceEnded(payload: `token:${string}` | `user:${number}`): Promise<void> {
    await sql`SELECT pg_notify(${SESSIONS_ENDED_CHANNEL}, ${payload})`.execute(this.db);
  }

  /** Ends every session of a user but, optionally, the one making the request. */
  async deleteForUser(db: Kysely<DB>, userId: number, except?: string): Promise<void> {
    let query = db.deleteFrom('sessions').where('user_id', '=', userId);
    if (except) query = query.where('token_hash', '<>', except);
    await query.execute();
  }
}
