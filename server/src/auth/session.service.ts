import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Database, decoyHash, verifyPassword } from '@civgrid/db';
import { LRUCache } from 'lru-cache';
import { SESSIONS_ENDED_CHANNEL, type SessionRecord, type SessionRepository } from '../repositories/session.repository.ts';
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
   * not ask the database 60 times. Logout and revocation clear the entries of
   * every server process: this one at once, the others by NOTIFY on
   * SESSIONS_ENDED_CHANNEL. A notice lost with a dropped connection leaves a
   * revoked session honoured for at most the TTL.
   */
  private readonly cache = new LRUCache<string, { record: SessionRecord }>({ max: 5_000, ttl: 5_000 });
  /** Whether this process hears other processes' notices (until then the cache is not used). */
  private listening: Promise<boolean> | undefined;

  constructor(
    private readonly sessions: SessionRepository,
    private readonly users: UserRepository,
    readonly lifetime: SessionLifetime = DEFAULT_LIFETIME,
    /** The database to LISTEN on; omitted → no cache (nothing would tell it of another process's logout). */
    private readonly notices?: Pick<Database, 'listen'>,
  ) {}

  /** Starts listening once; a failure is tried again on a later request, and meanwhile every request reads the database. */
  private hearsOthers(): Promise<boolean> {
    if (!this.notices) return Promise.resolve(false);
    this.listening ??= this.notices.listen(SESSIONS_ENDED_CHANNEL, (payload) => this.heard(payload)).then(
      () => true,
      () => {
        this.listening = undefined;
        return false;
      },
    );
    return this.listening;
  }

  private heard(payload: string): void {
    if (payload.startsWith('token:')) this.cache.delete(payload.slice('token:'.length));
    else if (payload.startsWith('user:')) this.dropUser(Number(payload.slice('user:'.length)));
  }

  private dropUser(userId: number): void {
    for (const [key, value] of this.cache.entries()) if (value.record.userId === userId) this.cache.delete(key);
  }

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
    const useCache = await this.hearsOthers();
    const cached = useCache ? this.cache.get(tokenHash) : undefined;
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
    if (useCache && !cached) this.cache.set(tokenHash, { record });
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
    await this.sessions.announceEnded(`token:${session.tokenHash}`);
  }

  /** Forget what every process cached about a user's sessions (after a password reset, a role change). */
  async forgetUser(userId: number): Promise<void> {
    this.dropUser(userId);
    await this.sessions.announceEnded(`user:${userId}`);
  }
}
