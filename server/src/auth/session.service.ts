import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { decoyHash, verifyPassword } from '@civgrid/db';
import { LRUCache } from 'lru-cache';
import type { SessionRecord, SessionRepository } from '../repositories/session.repository.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import type { Role } from './roles.ts';

/** Who is making the request: enough to authorise it without another query. */
export interface AuthUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  territoryId: number;
  /** The national code of the scope's territory; a place is in scope when its code starts with it. */
  scopeCode: string;
  organisationId: number | null;
  /** Signed in with a password an admin set: only changing it is allowed until then. */
  mustChangePassword: boolean;
}

export interface SessionInfo {
  tokenHash: string;
  csrfToken: string;
}

export interface SessionLifetime {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after login, however much it is used. */
  absoluteMs: number;
}

export const DEFAULT_LIFETIME: SessionLifetime = { idleMs: 8 * 3600_000, absoluteMs: 7 * 24 * 3600_000 };

/** Extending the expiry on every request would write on every tile; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;

export type Resolved = { kind: 'ok'; user: AuthUser; session: SessionInfo } | { kind: 'none' } | { kind: 'expired' };

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class SessionService {
  /**
   * Sessions resolved in the last few seconds, so a map loading 60 tiles does
   * not ask the database 60 times. Logout and revocation clear this process's
   * entries; another process may honour a revoked session for up to TTL.
   */
  private readonly cache = new LRUCache<string, { record: SessionRecord }>({ max: 5_000, ttl: 5_000 });

  constructor(
    private readonly sessions: SessionRepository,
    private readonly users: UserRepository,
    readonly lifetime: SessionLifetime = DEFAULT_LIFETIME,
  ) {}

  /**
   * Checks a username and password. Unknown users cost one hash verification
   * like known ones, and every failure looks the same to the caller.
   */
  async authenticate(username: string, password: string): Promise<number | undefined> {
    const account = await this.users.credentials(username);
    if (!account) {
      await verifyPassword(await decoyHash(), password);
      return undefined;
    }
    const ok = await verifyPassword(account.password_hash, password);
    return ok && account.active ? account.id : undefined;
  }

  async create(userId: number, meta: { ip: string; userAgent: string | undefined }): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(Date.now() + this.lifetime.idleMs);
    await this.sessions.insert({ tokenHash: sha256(token), userId, csrfToken, expiresAt, ip: meta.ip, userAgent: meta.userAgent });
    return { token, csrfToken, expiresAt };
  }

  async resolve(token: string): Promise<Resolved> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { kind: 'expired' };
    const tokenHash = sha256(token);
    const cached = this.cache.get(tokenHash);
    const record = cached?.record ?? (await this.sessions.find(tokenHash));
    if (!record?.active) return { kind: 'expired' };
    const now = Date.now();
    const hardEnd = record.createdAt.getTime() + this.lifetime.absoluteMs;
    if (record.expiresAt.getTime() <= now || hardEnd <= now) {
      this.cache.delete(tokenHash);
      await this.sessions.delete(tokenHash);
      return { kind: 'expired' };
    }
    if (now - record.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      const expiresAt = new Date(Math.min(now + this.lifetime.idleMs, hardEnd));
      await this.sessions.touch(tokenHash, expiresAt);
      record.lastSeenAt = new Date(now);
      record.expiresAt = expiresAt;
    }
    // cached once per database read: setting it again on every hit would restart its TTL and
    // keep a session revoked by another process alive for as long as it is used
    if (!cached) this.cache.set(tokenHash, { record });
    return {
      kind: 'ok',
      session: { tokenHash, csrfToken: record.csrfToken },
      user: {
        id: record.userId,
        username: record.username,
        displayName: record.displayName,
        role: record.role,
        territoryId: record.territoryId,
        scopeCode: record.scopeCode,
        organisationId: record.organisationId,
        mustChangePassword: record.mustChangePassword,
      },
    };
  }

  async end(session: SessionInfo): Promise<void> {
    this.cache.delete(session.tokenHash);
    await this.sessions.delete(session.tokenHash);
  }

  /** Forget what this process cached about a user's sessions (after a password reset, a role change). */
  forgetUser(userId: number): void {
    for (const [key, value] of this.cache.entries()) if (value.record.userId === userId) this.cache.delete(key);
  }
}
