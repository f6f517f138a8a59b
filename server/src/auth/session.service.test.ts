import { describe, expect, it } from 'vitest';
import type { SessionRecord, SessionRepository } from '../repositories/session.repository.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import { SessionService } from './session.service.ts';

const TOKEN = 'a'.repeat(43);
const OTHER = 'b'.repeat(43);

/** Sessions in a map, counting reads; `announced` is what NOTIFY would carry to the other processes. */
function fakeSessions(records: Record<string, number>) {
  const rows = new Map<string, SessionRecord>();
  const reads: string[] = [];
  const announced: string[] = [];
  const now = Date.now();
  return {
    rows,
    reads,
    announced,
    repository: {
      async find(tokenHash: string) {
        reads.push(tokenHash);
        return rows.get(tokenHash);
      },
      async touch() {},
      async delete(tokenHash: string) {
        rows.delete(tokenHash);
      },
      async announceEnded(payload: string) {
        announced.push(payload);
      },
    } as unknown as SessionRepository,
    seed(hashOf: (token: string) => string) {
      for (const [token, userId] of Object.entries(records)) {
        rows.set(hashOf(token), {
          userId, username: `u${userId}`, displayName: `U${userId}`, role: 'viewer', territoryId: 1, scopeCode: '450304', organisationId: null,
          active: true, mustChangePassword: false, csrfToken: 'csrf', createdAt: new Date(now), lastSeenAt: new Date(now), expiresAt: new Date(now + 3600_000),
        });
      }
    },
  };
}

/** A LISTEN that the test speaks into, as another process's NOTIFY would. */
function fakeNotices() {
  let deliver: ((payload: string) => void) | undefined;
  return {
    database: {
      async listen(_channel: string, onMessage: (payload: string) => void) {
        deliver = onMessage;
        return async () => {};
      },
    },
    notify: (payload: string) => deliver?.(payload),
  };
}

async function setUp(withNotices: boolean) {
  const sessions = fakeSessions({ [TOKEN]: 7, [OTHER]: 8 });
  const notices = fakeNotices();
  const service = new SessionService(sessions.repository, {} as UserRepository, undefined, withNotices ? notices.database : undefined);
  // the hashes the service uses, learnt from its own reads
  await service.resolve(TOKEN);
  await service.resolve(OTHER);
  const [tokenHash, otherHash] = sessions.reads as [string, string];
  sessions.seed((t) => (t === TOKEN ? tokenHash : otherHash));
  sessions.reads.length = 0;
  return { sessions, notices, service, tokenHash, otherHash };
}

describe('SessionService cache across processes', () => {
  it('keeps a resolved session for a few seconds, and drops it when another process says it ended', async () => {
    const { sessions, notices, service, tokenHash } = await setUp(true);
    expect((await service.resolve(TOKEN)).kind).toBe('ok');
    expect((await service.resolve(TOKEN)).kind).toBe('ok');
    expect(sessions.reads).toEqual([tokenHash]); // the second from the cache
    // another process logged it out: the row is gone and the notice arrives
    sessions.rows.delete(tokenHash);
    notices.notify(`token:${tokenHash}`);
    expect((await service.resolve(TOKEN)).kind).toBe('expired');
  });

  it('drops every session of a user on a user notice, and only theirs', async () => {
    const { sessions, notices, service, tokenHash, otherHash } = await setUp(true);
    await service.resolve(TOKEN);
    await service.resolve(OTHER);
    sessions.rows.delete(tokenHash);
    notices.notify('user:7');
    expect((await service.resolve(TOKEN)).kind).toBe('expired');
    sessions.reads.length = 0;
    expect((await service.resolve(OTHER)).kind).toBe('ok');
    expect(sessions.reads).toEqual([]); // user 8 still cached
    expect(otherHash).not.toBe(tokenHash);
  });

  it('tells the other processes of a logout and of a user whose rights changed', async () => {
    const { sessions, service, tokenHash } = await setUp(true);
    await service.end({ tokenHash, csrfToken: 'csrf' });
    await service.forgetUser(8);
    expect(sessions.announced).toEqual([`token:${tokenHash}`, 'user:8']);
  });

  it('caches nothing when it cannot hear the other processes', async () => {
    const { sessions, service, tokenHash } = await setUp(false);
    await service.resolve(TOKEN);
    await service.resolve(TOKEN);
    expect(sessions.reads).toEqual([tokenHash, tokenHash]);
  });
});
