import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type SessionHooks, adminApi, api, authApi, connectSession } from './client.ts';

type Call = { url: string; method: string; headers: Record<string, string>; body: unknown };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

const unauthenticated = () => json(401, { error: { code: 'unauthenticated', message: 'no session' } });

describe('API client and the session', () => {
  let calls: Call[];
  let answers: Response[];
  let disconnect: (() => void) | undefined;

  beforeEach(() => {
    calls = [];
    answers = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({
        url,
        method: init.method ?? 'GET',
        headers: init.headers as Record<string, string>,
        body: init.body ? JSON.parse(init.body as string) : undefined,
      });
      const next = answers.shift();
      if (!next) throw new Error(`no answer for ${url}`);
      return next;
    });
  });

  afterEach(() => {
    disconnect?.();
    vi.unstubAllGlobals();
  });

  function hooks(overrides: Partial<SessionHooks> = {}): SessionHooks {
    return {
      csrfToken: () => 'token-1',
      expired: () => Promise.reject(new Error('not expected')),
      refreshCsrf: () => Promise.reject(new Error('not expected')),
      forbidden: () => {},
      ...overrides,
    };
  }

  it('sends the CSRF token with unsafe methods only, and reads 201 and 204', async () => {
    disconnect = connectSession(hooks());
    answers.push(json(200, { users: [] }), json(201, { user: { id: 7 } }), json(204, null));
    await adminApi.users(new AbortController().signal);
    const created = await adminApi.createUser({ username: 'a', displayName: 'A', password: 'x'.repeat(10), role: 'viewer', territoryId: 1 });
    await adminApi.resetPassword(7, 'y'.repeat(10));
    expect(created.user.id).toBe(7);
    expect(calls.map((c) => [c.method, c.headers['x-csrf-token']])).toEqual([['GET', undefined], ['POST', 'token-1'], ['POST', 'token-1']]);
    expect(calls[1]?.body).toMatchObject({ username: 'a', role: 'viewer' });
  });

  it('waits for the person to sign in again after a 401, then sends the call once more', async () => {
    let renew: () => void = () => {};
    const expired = vi.fn(() => new Promise<void>((resolve) => (renew = resolve)));
    let token = 'old';
    disconnect = connectSession(hooks({ expired, csrfToken: () => token }));
    answers.push(unauthenticated());
    const pending = adminApi.updateUser(3, { active: false });
    await vi.waitFor(() => expect(expired).toHaveBeenCalledOnce());
    expect(calls).toHaveLength(1);
    token = 'new';
    answers.push(json(200, { user: { id: 3 } }));
    renew();
    expect(await pending).toEqual({ user: { id: 3 } });
    expect(calls.map((c) => c.headers['x-csrf-token'])).toEqual(['old', 'new']);
  });

  it('gives up when the session is not renewed, or when the caller aborts while waiting', async () => {
    disconnect = connectSession(hooks({ expired: (error) => Promise.reject(error) }));
    answers.push(unauthenticated());
    await expect(api.layerCounts(new AbortController().signal)).rejects.toMatchObject({ code: 'unauthenticated', status: 401 });

    disconnect();
    disconnect = connectSession(hooks({ expired: () => new Promise<void>(() => {}) }));
    const controller = new AbortController();
    answers.push(unauthenticated());
    const pending = api.layerCounts(controller.signal);
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('does not treat sign-in answers or a wrong current password as an ended session', async () => {
    const expired = vi.fn(() => Promise.resolve());
    disconnect = connectSession(hooks({ expired }));
    answers.push(json(401, { error: { code: 'invalid_credentials', message: 'wrong' } }));
    await expect(authApi.login('admin', 'nope')).rejects.toMatchObject({ code: 'invalid_credentials' });
    answers.push(json(401, { error: { code: 'session_expired', message: 'gone' } }));
    await expect(authApi.me()).rejects.toMatchObject({ code: 'session_expired' });
    answers.push(json(401, { error: { code: 'invalid_credentials', message: 'wrong current password' } }));
    await expect(authApi.changePassword('nope', 'z'.repeat(10))).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(expired).not.toHaveBeenCalled();
  });

  it('reads the wait of a 429 from the details or the Retry-After header', async () => {
    answers.push(json(429, { error: { code: 'rate_limited', message: 'slow down', details: { retryAfterSeconds: 42 } } }));
    await expect(authApi.login('a', 'b')).rejects.toMatchObject({ code: 'rate_limited', retryAfter: 42 });
    answers.push(json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '17' }));
    const error = await authApi.login('a', 'b').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).retryAfter).toBe(17);
  });

  it('refreshes a refused CSRF token once, and reports a refused permission', async () => {
    let token = 'stale';
    const forbidden = vi.fn();
    disconnect = connectSession(hooks({
      csrfToken: () => token,
      refreshCsrf: async () => {
        token = 'fresh';
      },
      forbidden,
    }));
    answers.push(json(403, { error: { code: 'csrf_failed', message: 'csrf' } }), json(204, null));
    await adminApi.resetPassword(1, 'p'.repeat(10));
    expect(calls.map((c) => c.headers['x-csrf-token'])).toEqual(['stale', 'fresh']);

    answers.push(json(403, { error: { code: 'forbidden', message: 'no' } }));
    await expect(adminApi.users(new AbortController().signal)).rejects.toMatchObject({ code: 'forbidden', status: 403 });
    expect(forbidden).toHaveBeenCalledOnce();
  });
});
