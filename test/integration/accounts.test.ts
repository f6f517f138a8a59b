/**
 * Accounts, sessions, CSRF, rate limits, scoped user administration and the
 * audit trail, through the HTTP API as a browser uses it.
 */
import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD, seedDemo } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, errorOf, type Session, signIn, withSession } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

let database: Database;
let app: App;
let ids: { district: number; street1: number; street2: number; street1Code: string; org: number };

beforeAll(async () => {
  database = await freshDatabase();
  app = createApp({ database, webRoot: '/nonexistent', demo: true, trustProxy: true });
  const streets = (await sql<{ id: number; code: string }>`SELECT id, code FROM territories WHERE level = 'street' ORDER BY code`.execute(database.db)).rows;
  const district = (await sql<{ id: number }>`SELECT id FROM territories WHERE level = 'district'`.execute(database.db)).rows[0]!;
  const org = (await sql<{ id: number }>`SELECT id FROM organisations ORDER BY id LIMIT 1`.execute(database.db)).rows[0]!;
  ids = { district: district.id, street1: streets[0]!.id, street2: streets[1]!.id, street1Code: streets[0]!.code, org: org.id };
});
afterAll(async () => {
  await database?.close();
});

let ipCounter = 0;
/** A client address of its own per test, so the per-address login limit of one test does not touch another. */
const freshIp = () => `198.51.100.${++ipCounter}`;

const post = (path: string, body: unknown, session: Session | null = null, headers: Record<string, string> = {}) =>
  app.request(path, withSession(session, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }));
const get = (path: string, session: Session | null = null) => app.request(path, withSession(session));
const login = (username: string, password: string, ip = freshIp()) => post('/api/auth/login', { username, password }, null, { 'x-forwarded-for': ip });
const as = (username: string, password = DEMO_PASSWORD) => signIn(app, username, password, { 'x-forwarded-for': freshIp() });
/** Signs in with the password an admin set and changes it, as the first sign-in of a new account must. */
async function asNew(username: string, password: string): Promise<Session> {
  const session = await as(username, password);
  const res = await post('/api/auth/password', { currentPassword: password, newPassword: `${password}-own` }, session);
  if (res.status !== 204) throw new Error(`password change for ${username}: ${res.status}`);
  return session;
}

describe('signing in', () => {
  it('sets an HttpOnly, SameSite session cookie and answers the user with role and scope', async () => {
    const res = await login('planner', DEMO_PASSWORD);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^civgrid_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/); // plain http here
    const body = (await res.json()) as { user: { username: string; role: string; scope: { id: number; level: string } }; csrfToken: string };
    expect(body.user).toMatchObject({ username: 'planner', role: 'planner', scope: { id: ids.street1, level: 'street' } });
    expect(body.csrfToken.length).toBeGreaterThanOrEqual(32);
    expect(JSON.stringify(body)).not.toContain('argon2');
  });

  it('marks the cookie Secure behind an https proxy', async () => {
    const res = await post('/api/auth/login', { username: 'viewer', password: DEMO_PASSWORD }, null, { 'x-forwarded-for': freshIp(), 'x-forwarded-proto': 'https' });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('gives the same 401 for a wrong password and for a user that does not exist', async () => {
    const wrong = await login('planner', 'not-the-password');
    const nobody = await login('nobody-here', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(nobody.status).toBe(401);
    const a = await errorOf(wrong);
    const b = await errorOf(nobody);
    expect(a).toEqual(b);
    expect(a.code).toBe('invalid_credentials');
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('matches usernames regardless of case', async () => {
    expect((await login('PLANNER', DEMO_PASSWORD)).status).toBe(200);
  });

  it('answers 400 for a malformed login body, not 500', async () => {
    const res = await app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    expect(res.status).toBe(400);
    expect((await post('/api/auth/login', { username: 'x' })).status).toBe(400);
  });

  it('answers /me with the user, and 401 without a session', async () => {
    const session = await as('supervisor');
    const me = await get('/api/auth/me', session);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { role: string } }).user.role).toBe('supervisor');
    const none = await get('/api/auth/me');
    expect(none.status).toBe(401);
    expect((await errorOf(none)).code).toBe('unauthenticated');
  });

  it('lists the demo accounts in demo mode only', async () => {
    const res = await get('/api/auth/demo');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { password: string; accounts: { username: string; role: string }[] };
    expect(body.password).toBe(DEMO_PASSWORD);
    expect(body.accounts.map((a) => a.username)).toEqual(['admin', 'planner', 'supervisor', 'handler', 'inspector', 'viewer']);
    const production = createApp({ database, webRoot: '/nonexistent' });
    expect((await production.request('/api/auth/demo')).status).toBe(404);
  });

  it('answers /session with 200 signed in or not, so a login page loads without a failed request', async () => {
    const session = await as('inspector');
    const mine = await get('/api/auth/session', session);
    expect(mine.status).toBe(200);
    const body = (await mine.json()) as { user: { role: string }; csrfToken: string; expired: boolean; demo: { accounts: unknown[] } | null };
    expect(body.user.role).toBe('inspector');
    expect(body.csrfToken.length).toBeGreaterThan(10);
    expect(body.expired).toBe(false);
    const none = await get('/api/auth/session');
    expect(none.status).toBe(200);
    expect(await none.json()).toMatchObject({ user: null, csrfToken: null, expired: false, demo: { password: DEMO_PASSWORD } });
    const stale = await get('/api/auth/session', { cookie: 'civgrid_session=no-such-session', csrfToken: '' });
    expect(stale.status).toBe(200);
    expect(await stale.json()).toMatchObject({ user: null, expired: true });
    const production = createApp({ database, webRoot: '/nonexistent' });
    const plain = await production.request('/api/auth/session');
    expect(plain.status).toBe(200);
    expect(await plain.json()).toMatchObject({ user: null, demo: null });
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After after 10 attempts on one username from one address, even with the right password then', async () => {
    const guesser = freshIp();
    for (let i = 0; i < 10; i++) expect((await login('inspector', `wrong-${i}`, guesser)).status).toBe(401);
    const blocked = await login('inspector', DEMO_PASSWORD, guesser);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const error = await errorOf(blocked);
    expect(error.code).toBe('rate_limited');
    // the counter is shared through the database: a second app (another server process) sees it too
    const other = createApp({ database, webRoot: '/nonexistent', trustProxy: true });
    const res = await other.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': guesser }, body: JSON.stringify({ username: 'inspector', password: DEMO_PASSWORD }) });
    expect(res.status).toBe(429);
    // …while the inspector at their own desk still signs in: a guesser cannot lock them out
    expect((await login('inspector', DEMO_PASSWORD)).status).toBe(200);
  });

  it('stops a guesser spread over many addresses at 100 attempts per username', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) statuses.push((await login('spread-target', `wrong-${i}`)).status);
    expect(statuses.slice(0, 100).every((s) => s === 401)).toBe(true);
    expect(statuses[100]).toBe(429);
  });

  it('limits login attempts per address across usernames', async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await login(`someone-${i}`, 'whatever-password', ip)).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});

describe('public writes', () => {
  it('are counted per address across processes: over the limit → 429', async () => {
    const limits = { loginPerIp: { max: 1000, windowSeconds: 60 }, loginPerUser: { max: 1000, windowSeconds: 60 }, publicPerIp: { max: 3, windowSeconds: 60 } };
    const one = createApp({ database, webRoot: '/nonexistent', trustProxy: true, rateLimits: limits });
    const two = createApp({ database, webRoot: '/nonexistent', trustProxy: true, rateLimits: limits });
    const ip = freshIp();
    const attempt = (a: App) => a.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ username: 'viewer', password: 'wrong-password' }) });
    expect([(await attempt(one)).status, (await attempt(two)).status, (await attempt(one)).status]).toEqual([401, 401, 401]);
    const blocked = await attempt(two);
    expect(blocked.status).toBe(429);
    expect((await errorOf(blocked)).code).toBe('rate_limited');
  });
});

describe('housekeeping', () => {
  it('deletes ended sessions and keeps live ones', async () => {
    const live = await as('viewer');
    await sql`UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE token_hash IN (SELECT token_hash FROM sessions ORDER BY created_at LIMIT 2)`.execute(database.db);
    const { sweep } = await import('../../server/src/services/housekeeping.ts');
    const swept = await sweep(database.db);
    expect(swept.sessions).toBe(2);
    expect((await get('/api/auth/me', live)).status).toBe(200);
  });
});

describe('sessions', () => {
  it('ends a session on logout: the old cookie no longer works', async () => {
    const session = await as('viewer');
    expect((await get('/api/duty-types', session)).status).toBe(200);
    const out = await post('/api/auth/logout', {}, session);
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/civgrid_session=;/);
    const after = await get('/api/duty-types', session);
    expect(after.status).toBe(401);
    expect((await errorOf(after)).code).toBe('session_expired');
  });

  it('expires an idle session with 401 session_expired', async () => {
    const short = createApp({ database, webRoot: '/nonexistent', sessionLifetime: { idleMs: 300, absoluteMs: 3_600_000 } });
    const session = await signIn(short, 'viewer');
    expect((await short.request('/api/duty-types', withSession(session))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    const res = await short.request('/api/duty-types', withSession(session));
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('session_expired');
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sessions WHERE expires_at < now()`.execute(database.db);
    expect(left.rows[0]!.n).toBe(0); // the expired row was removed
  });

  it('ends a session revoked by another process within seconds, however often it is used', async () => {
    const processA = createApp({ database, webRoot: '/nonexistent' });
    const admin = await as('admin');
    const created = (await (await post('/api/users', { username: 'revoked-user', displayName: 'x', password: 'revoke-password-1', role: 'viewer', territoryId: ids.district }, admin)).json()) as { user: { id: number } };
    const session = await signIn(processA, 'revoked-user', 'revoke-password-1');
    expect((await processA.request('/api/auth/me', withSession(session))).status).toBe(200);
    // process B (the test's app) deactivates the account; process A keeps being asked every 0.5 s
    await app.request(`/api/users/${created.user.id}`, withSession(admin, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ active: false }) }));
    const started = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - started < 12_000) {
      status = (await processA.request('/api/auth/me', withSession(session))).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toBe(401);
    expect(Date.now() - started).toBeLessThan(7_000); // the cache keeps a resolved session 5 s at most
  });

  it('refuses a forged cookie', async () => {
    const res = await app.request('/api/duty-types', { headers: { cookie: `civgrid_session=${'A'.repeat(43)}` } });
    expect(res.status).toBe(401);
  });
});

describe('CSRF', () => {
  it('refuses a write with the cookie but without the session’s token', async () => {
    const session = await as('admin');
    const body = { username: 'csrf-victim', displayName: 'x', password: 'a-long-password-1', role: 'viewer', territoryId: ids.district };
    const bare = await app.request('/api/users', { method: 'POST', headers: { 'content-type': 'application/json', cookie: session.cookie }, body: JSON.stringify(body) });
    expect(bare.status).toBe(403);
    expect((await errorOf(bare)).code).toBe('csrf_failed');
    const forged = await app.request('/api/users', { method: 'POST', headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': 'x'.repeat(32) }, body: JSON.stringify(body) });
    expect(forged.status).toBe(403);
    const users = await sql<{ n: number }>`SELECT count(*)::int AS n FROM users WHERE username = 'csrf-victim'`.execute(database.db);
    expect(users.rows[0]!.n).toBe(0);
  });

  it('refuses a login posted from another site', async () => {
    const res = await post('/api/auth/login', { username: 'admin', password: DEMO_PASSWORD }, null, { origin: 'https://evil.example', host: 'localhost' });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('csrf_failed');
    const same = await post('/api/auth/login', { username: 'admin', password: DEMO_PASSWORD }, null, { origin: 'http://localhost', host: 'localhost', 'x-forwarded-for': freshIp() });
    expect(same.status).toBe(200);
  });
});

describe('password change', () => {
  it('needs the current password, refuses weak ones, ends the other sessions and keeps this one', async () => {
    const admin = await as('admin');
    const created = await post('/api/users', { username: 'li.lei', displayName: '李雷', password: 'first-password-1', role: 'viewer', territoryId: ids.district }, admin);
    expect(created.status).toBe(201);
    const phone = await as('li.lei', 'first-password-1');
    const desk = await as('li.lei', 'first-password-1');

    const wrong = await post('/api/auth/password', { currentPassword: 'nope-nope-nope', newPassword: 'second-password-2' }, desk);
    expect(wrong.status).toBe(401);
    const weak = await post('/api/auth/password', { currentPassword: 'first-password-1', newPassword: 'short' }, desk);
    expect(weak.status).toBe(400);
    expect((await errorOf(weak)).code).toBe('weak_password');
    const named = await post('/api/auth/password', { currentPassword: 'first-password-1', newPassword: 'li.lei-forever' }, desk);
    expect((await errorOf(named)).code).toBe('weak_password');

    expect((await post('/api/auth/password', { currentPassword: 'first-password-1', newPassword: 'second-password-2' }, desk)).status).toBe(204);
    expect((await get('/api/auth/me', desk)).status).toBe(200);
    // another process (no cached session) sees the phone's session gone
    const other = createApp({ database, webRoot: '/nonexistent' });
    expect((await other.request('/api/auth/me', withSession(phone))).status).toBe(401);
    expect((await login('li.lei', 'first-password-1')).status).toBe(401);
    expect((await login('li.lei', 'second-password-2')).status).toBe(200);
  });
});

describe('user administration', () => {
  it('lets an admin create users; the username is unique regardless of case', async () => {
    const admin = await as('admin');
    const res = await post('/api/users', { username: 'Han.Meimei', displayName: '韩梅梅', password: 'a-good-password', role: 'planner', territoryId: ids.street2 }, admin);
    expect(res.status).toBe(201);
    const { user } = (await res.json()) as { user: { id: number; role: string; scope: { id: number }; mustChangePassword: boolean } };
    expect(user).toMatchObject({ role: 'planner', scope: { id: ids.street2 } });
    const again = await post('/api/users', { username: 'han.meimei', displayName: 'x', password: 'a-good-password', role: 'viewer', territoryId: ids.district }, admin);
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('username_taken');
  });

  it('refuses a handler without an organisation, and unknown territories', async () => {
    const admin = await as('admin');
    const noOrg = await post('/api/users', { username: 'handler-2', displayName: 'x', password: 'a-good-password', role: 'handler', territoryId: ids.district }, admin);
    expect(noOrg.status).toBe(400);
    expect((await errorOf(noOrg)).code).toBe('organisation_required');
    const withOrg = await post('/api/users', { username: 'handler-2', displayName: 'x', password: 'a-good-password', role: 'handler', territoryId: ids.district, organisationId: ids.org }, admin);
    expect(withOrg.status).toBe(201);
    const nowhere = await post('/api/users', { username: 'nowhere', displayName: 'x', password: 'a-good-password', role: 'viewer', territoryId: 999999 }, admin);
    expect(nowhere.status).toBe(400);
  });

  it('keeps a street admin inside their street: they list and create only there', async () => {
    const admin = await as('admin');
    await post('/api/users', { username: 'street-admin', displayName: '街道管理员', password: 'street-password-1', role: 'admin', territoryId: ids.street1 }, admin);
    const streetAdmin = await asNew('street-admin', 'street-password-1');
    const outside = await post('/api/users', { username: 'too-wide', displayName: 'x', password: 'a-good-password', role: 'viewer', territoryId: ids.district }, streetAdmin);
    expect(outside.status).toBe(403);
    expect((await errorOf(outside)).code).toBe('out_of_scope');
    const inside = await post('/api/users', { username: 'street-viewer', displayName: 'x', password: 'a-good-password', role: 'viewer', territoryId: ids.street1 }, streetAdmin);
    expect(inside.status).toBe(201);
    const list = (await (await get('/api/users', streetAdmin)).json()) as { users: { username: string; scope: { code: string } }[] };
    expect(list.users.length).toBeGreaterThan(0);
    expect(list.users.every((u) => u.scope.code.startsWith(ids.street1Code))).toBe(true);
    expect(list.users.map((u) => u.username)).toContain('planner'); // the demo planner works in street 1
    expect(list.users.map((u) => u.username)).not.toContain('admin');
  });

  it('ends a user’s sessions when an admin changes their role or deactivates them', async () => {
    const admin = await as('admin');
    const created = (await (await post('/api/users', { username: 'wang.wu', displayName: '王五', password: 'wang-password-1', role: 'planner', territoryId: ids.district }, admin)).json()) as { user: { id: number } };
    const wang = await as('wang.wu', 'wang-password-1');
    const patch = (body: unknown) => app.request(`/api/users/${created.user.id}`, withSession(admin, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    const res = await patch({ role: 'viewer' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { role: string } }).user.role).toBe('viewer');
    expect((await get('/api/auth/me', wang)).status).toBe(401);
    expect((await patch({ active: false })).status).toBe(200);
    const denied = await login('wang.wu', 'wang-password-1');
    expect(denied.status).toBe(401);
    expect((await errorOf(denied)).code).toBe('invalid_credentials');
  });

  it('does not let an admin lock themselves out', async () => {
    const admin = await as('admin');
    const me = (await (await get('/api/auth/me', admin)).json()) as { user: { id: number } };
    const res = await app.request(`/api/users/${me.user.id}`, withSession(admin, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ active: false }) }));
    expect(res.status).toBe(409);
  });

  it('resets a password: the user must change it, and old sessions end', async () => {
    const admin = await as('admin');
    const created = (await (await post('/api/users', { username: 'zhao.liu', displayName: '赵六', password: 'zhao-password-1', role: 'viewer', territoryId: ids.district }, admin)).json()) as { user: { id: number } };
    const zhao = await as('zhao.liu', 'zhao-password-1');
    expect((await post(`/api/users/${created.user.id}/password`, { password: 'temporary-pass-9' }, admin)).status).toBe(204);
    expect((await get('/api/auth/me', zhao)).status).toBe(401);
    const res = await login('zhao.liu', 'temporary-pass-9');
    const body = (await res.json()) as { user: { mustChangePassword: boolean }; csrfToken: string };
    expect(body.user.mustChangePassword).toBe(true);
    // until they change it, the password the admin knows opens nothing but the change itself
    const temp: Session = { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrfToken: body.csrfToken };
    const blocked = await get('/api/duty-types', temp);
    expect(blocked.status).toBe(403);
    expect((await errorOf(blocked)).code).toBe('password_change_required');
    expect((await get('/api/auth/me', temp)).status).toBe(200);
    expect((await post('/api/auth/password', { currentPassword: 'temporary-pass-9', newPassword: 'zhao-own-password' }, temp)).status).toBe(204);
    expect((await get('/api/duty-types', temp)).status).toBe(200);
  });
});

describe('scope of user administration', () => {
  it('stores no organisation for roles other than handler, and refuses an unknown one with 400', async () => {
    const admin = await as('admin');
    const res = await post('/api/users', { username: 'viewer-org', displayName: 'x', password: 'a-good-password', role: 'viewer', territoryId: ids.district, organisationId: ids.org }, admin);
    expect(((await res.json()) as { user: { organisation: unknown } }).user.organisation).toBeNull();
    const unknown = await post('/api/users', { username: 'handler-x', displayName: 'x', password: 'a-good-password', role: 'handler', territoryId: ids.district, organisationId: 999999 }, admin);
    expect(unknown.status).toBe(400);
  });

  it('lets a street admin give handlers only organisations of their street', async () => {
    const admin = await as('admin');
    await post('/api/users', { username: 'street-admin-2', displayName: '街道管理员二', password: 'street-password-2', role: 'admin', territoryId: ids.street1 }, admin);
    const streetAdmin = await asNew('street-admin-2', 'street-password-2');
    const orgs = (await sql<{ own: number; other: number; department: number }>`
      SELECT (SELECT o.id FROM organisations o JOIN territories t ON t.id = o.territory_id WHERE t.code LIKE ${`${ids.street1Code}%`} ORDER BY o.id LIMIT 1) AS own,
             (SELECT o.id FROM organisations o JOIN territories t ON t.id = o.territory_id WHERE t.code NOT LIKE ${`${ids.street1Code}%`} AND t.level <> 'district' ORDER BY o.id LIMIT 1) AS other,
             (SELECT id FROM organisations WHERE territory_id IS NULL ORDER BY id LIMIT 1) AS department`.execute(database.db)).rows[0]!;
    const make = (username: string, organisationId: number) =>
      post('/api/users', { username, displayName: 'x', password: 'a-good-password', role: 'handler', territoryId: ids.street1, organisationId }, streetAdmin);
    expect((await make('h-own', orgs.own)).status).toBe(201);
    expect((await make('h-other', orgs.other)).status).toBe(403);
    expect((await make('h-department', orgs.department)).status).toBe(403);
    // the district admin may give a district department
    expect((await post('/api/users', { username: 'h-dept', displayName: 'x', password: 'a-good-password', role: 'handler', territoryId: ids.district, organisationId: orgs.department }, admin)).status).toBe(201);
  });

  it('sends an admin to their own password change, and keeps peers from resetting each other', async () => {
    const admin = await as('admin');
    const me = (await (await get('/api/auth/me', admin)).json()) as { user: { id: number } };
    const self = await post(`/api/users/${me.user.id}/password`, { password: 'some-new-password' }, admin);
    expect(self.status).toBe(409);
    expect((await errorOf(self)).code).toBe('use_password_change');
    const peer = (await (await post('/api/users', { username: 'peer-admin', displayName: '同级', password: 'peer-password-1', role: 'admin', territoryId: ids.street1 }, admin)).json()) as { user: { id: number } };
    const other = (await (await post('/api/users', { username: 'peer-admin-2', displayName: '同级二', password: 'peer-password-2', role: 'admin', territoryId: ids.street1 }, admin)).json()) as { user: { id: number } };
    const peerSession = await asNew('peer-admin', 'peer-password-1');
    const takeover = await post(`/api/users/${other.user.id}/password`, { password: 'taken-over-123' }, peerSession);
    expect(takeover.status).toBe(403);
    const demote = await app.request(`/api/users/${other.user.id}`, withSession(peerSession, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ active: false }) }));
    expect(demote.status).toBe(403);
    // the district admin, above them, may
    expect((await post(`/api/users/${peer.user.id}/password`, { password: 'reset-from-above' }, admin)).status).toBe(204);
  });
});

describe('audit trail', () => {
  it('shows a street admin the entries of their street only', async () => {
    const admin = await as('admin');
    await post('/api/users', { username: 'far-away', displayName: '别处', password: 'far-password-1', role: 'viewer', territoryId: ids.street2 }, admin);
    await post('/api/users', { username: 'street-audit-admin', displayName: '街道审计', password: 'street-audit-1', role: 'admin', territoryId: ids.street1 }, admin);
    const streetAdmin = await asNew('street-audit-admin', 'street-audit-1');
    const mine = (await (await get('/api/audit?limit=500', streetAdmin)).json()) as { entries: { entity: string; after: { username?: string } | null }[] };
    expect(mine.entries.length).toBeGreaterThan(0);
    expect(mine.entries.some((e) => e.after?.username === 'far-away')).toBe(false);
    expect(mine.entries.some((e) => e.entity === 'demo')).toBe(false); // the seed is installation-wide
    const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE scope_code IS NULL OR scope_code NOT LIKE ${`${ids.street1Code}%`}`.execute(database.db);
    expect(rows.rows[0]!.n).toBeGreaterThan(0);
    const all = (await (await get('/api/audit?limit=500', admin)).json()) as { entries: { after: { username?: string } | null }[] };
    expect(all.entries.some((e) => e.after?.username === 'far-away')).toBe(true);
  });

  it('records who created and changed a user, with before and after, and never a password hash', async () => {
    const admin = await as('admin');
    const created = (await (await post('/api/users', { username: 'audited', displayName: '审计对象', password: 'audit-password-1', role: 'viewer', territoryId: ids.district }, admin)).json()) as { user: { id: number } };
    await app.request(`/api/users/${created.user.id}`, withSession(admin, { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' }, body: JSON.stringify({ displayName: '改过的名字' }) }));
    const res = await get(`/api/audit?entity=user&entityId=${created.user.id}`, admin);
    expect(res.status).toBe(200);
    const { entries } = (await res.json()) as { entries: { action: string; actor: string; before: any; after: any; requestId: string; ip: string }[] };
    expect(entries.map((e) => e.action)).toEqual(['update', 'create']);
    expect(entries[0]).toMatchObject({ actor: 'admin', before: { displayName: '审计对象' }, after: { displayName: '改过的名字' } });
    expect(entries[0]!.requestId).toBeTruthy();
    expect(entries[0]!.ip).toBe('203.0.113.7');
    const all = await sql<{ t: string }>`SELECT string_agg(coalesce(before::text, '') || coalesce(after::text, ''), '') AS t FROM audit_log`.execute(database.db);
    expect(all.rows[0]!.t).not.toContain('argon2');
  });

  it('pages newest first and filters by time', async () => {
    const admin = await as('admin');
    const first = (await (await get('/api/audit?limit=3', admin)).json()) as { entries: { id: number }[]; nextBefore: number | null };
    expect(first.entries).toHaveLength(3);
    expect(first.nextBefore).toBe(first.entries[2]!.id);
    const next = (await (await get(`/api/audit?limit=3&before=${first.nextBefore}`, admin)).json()) as { entries: { id: number }[] };
    expect(Math.max(...next.entries.map((e) => e.id))).toBeLessThan(first.entries[2]!.id);
    const future = (await (await get('/api/audit?since=2999-01-01', admin)).json()) as { entries: unknown[] };
    expect(future.entries).toEqual([]);
    expect((await get('/api/audit?since=yesterday', admin)).status).toBe(400);
  });

  it('is for admins only', async () => {
    const res = await get('/api/audit', await as('supervisor'));
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('forbidden');
  });
});

describe('re-seeding', () => {
  it('refuses to delete real accounts without --force', async () => {
    await expect(seedDemo(database.db, { seed: 1, problems: 10 })).rejects.toThrow(/user account/);
    const users = await sql<{ n: number }>`SELECT count(*)::int AS n FROM users WHERE NOT demo`.execute(database.db);
    expect(users.rows[0]!.n).toBeGreaterThan(0);
  });
});
