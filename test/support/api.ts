import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD } from '@civgrid/db/seed';
import { type AppDeps, createApp } from '@civgrid/server';

export type App = ReturnType<typeof createApp>;

/** An app seen through one account: every request carries its session cookie and CSRF token. */
export interface TestApp {
  request(path: string, init?: RequestInit): Promise<Response>;
  /** The app itself, for requests without a session. */
  app: App;
  /** The same app as another account (signs in on first use). */
  as(username: string | null, password?: string): TestApp;
}

export interface Session {
  cookie: string;
  csrfToken: string;
}

/** Signs in through the API, as a browser would. */
export async function signIn(app: App, username: string, password = DEMO_PASSWORD, headers: Record<string, string> = {}): Promise<Session> {
  const res = await app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error('sign-in set no cookie');
  const body = (await res.json()) as { csrfToken: string };
  return { cookie, csrfToken: body.csrfToken };
}

/** Adds a session's cookie (and, on writes, its CSRF token) to a request. */
export function withSession(session: Session | null, init: RequestInit = {}): RequestInit {
  if (!session) return init;
  const headers = new Headers(init.headers);
  headers.set('cookie', session.cookie);
  if (!['GET', 'HEAD', undefined].includes(init.method?.toUpperCase())) headers.set('x-csrf-token', session.csrfToken);
  return { ...init, headers };
}

/** An app as a signed-in user (null: anonymous). Sign-in happens on the first request. */
export function asUser(app: App, username: string | null, password = DEMO_PASSWORD): TestApp {
  let session: Promise<Session | null> | undefined;
  return {
    app,
    async request(path, init) {
      session ??= username === null ? Promise.resolve(null) : signIn(app, username, password);
      return app.request(path, withSession(await session, init));
    },
    as: (other, otherPassword) => asUser(app, other, otherPassword),
  };
}

/**
 * The app over a test database, without a web root (API only), in demo mode
 * (the template has the demo accounts), signed in as `username` — the
 * read-only viewer unless a test needs more.
 */
export function testApp(database: Database, username: string | null = 'viewer', deps: Partial<AppDeps> = {}): TestApp {
  return asUser(createApp({ database, webRoot: '/nonexistent-web-root', demo: true, ...deps }), username);
}

/** Asserts our one error shape and returns it. */
export async function errorOf(res: Response): Promise<{ code: string; message: string; details?: unknown }> {
  const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
  if (!body.error || typeof body.error.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`not an error body: ${JSON.stringify(body)}`);
  }
  return body.error as { code: string; message: string };
}

/** A request's init with more headers set. */
export function addHeaders(init: RequestInit | undefined, extra: Record<string, string>): RequestInit {
  const headers = new Headers(init?.headers);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return { ...init, headers };
}
