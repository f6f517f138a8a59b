import { MAX_PASSWORD_LENGTH } from '@civgrid/db';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '@civgrid/db/seed';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { actorOf, sessionOf, userOf } from '../../auth/actor.ts';
import { isHttps, SESSION_COOKIE } from '../../auth/auth.middleware.ts';
import { enforceLoginLimits } from '../../auth/login-limits.ts';
import { enforceLimit } from '../../auth/rate-limit.middleware.ts';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { notFound, unauthorized } from '../../http/errors.ts';
import { validate } from '../../http/validate.ts';

const login = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

const passwordChange = z.object({
  currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  newPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

/** One message for every failed login: it never tells whether the account exists. */
const INVALID = 'The username or password is wrong.';

export function authRoutes(services: Services) {
  const { sessions, users, audit, limiter, options } = services;
  return new Hono<Env>()
    .post('/login', validate('json', login), async (c) => {
      const { username, password } = c.req.valid('json');
      const { perUserKey: userKey } = await enforceLoginLimits(c, limiter, options.rateLimits, username.toLowerCase(), (name, ip, since) => audit.signedInFrom(name, ip, since));
      const userId = await sessions.authenticate(username, password);
      if (userId === undefined) {
        c.get('logger').warn('login failed', { requestId: c.get('requestId'), ip: c.get('ip') });
        throw unauthorized('invalid_credentials', INVALID);
      }
      await limiter.reset(userKey);
      const session = await sessions.create(userId, { ip: c.get('ip'), userAgent: c.req.header('user-agent') });
      setCookie(c, SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'Lax',
        secure: isHttps(c, options.proxies),
        path: '/',
        maxAge: Math.floor(sessions.lifetime.absoluteMs / 1000),
      });
      const user = await services.userRepository.byId(userId);
      if (!user) throw unauthorized('invalid_credentials', INVALID);
      await audit.record(services.database.db, { ...actorOf(c), userId, username: user.username }, {
        scopeCode: user.scope.code, action: 'login', entity: 'session', entityId: userId, before: null, after: null,
      });
      return c.json({ user, csrfToken: session.csrfToken });
    })
    .post('/logout', async (c) => {
      const session = sessionOf(c);
      const user = userOf(c);
      await sessions.end(session);
      await audit.record(services.database.db, actorOf(c), { scopeCode: user.scopeCode, action: 'logout', entity: 'session', entityId: user.id, before: null, after: null });
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    })
    .get('/me', async (c) => {
      const user = await users.me(userOf(c));
      return c.json({ user, csrfToken: sessionOf(c).csrfToken });
    })
    .post('/password', validate('json', passwordChange), async (c) => {
      const { currentPassword, newPassword } = c.req.valid('json');
      await enforceLimit(c, limiter, `password:user:${userOf(c).id}`, options.rateLimits.loginPerUser);
      await users.changePassword(userOf(c), sessionOf(c), actorOf(c), currentPassword, newPassword);
      return c.body(null, 204);
    })
    // The page's first question, answered 200 whether or not anyone is signed in (a login page
    // then loads without a failed request): the user and CSRF token, whether a session cookie
    // came but has ended, and the demo accounts on a demo installation.
    .get('/session', async (c) => {
      const user = c.get('user');
      const demo = options.demo
        ? { password: DEMO_PASSWORD, accounts: await services.userRepository.demoAccounts(DEMO_ACCOUNTS.map((a) => a.username)) }
        : null;
      if (user) return c.json({ user: await users.me(user), csrfToken: sessionOf(c).csrfToken, expired: false, demo });
      return c.json({ user: null, csrfToken: null, expired: getCookie(c, SESSION_COOKIE) !== undefined, demo });
    })
    .get('/demo', async (c) => {
      if (!options.demo) throw notFound('not_found', 'There are no demo accounts on this installation.');
      const accounts = await services.userRepository.demoAccounts(DEMO_ACCOUNTS.map((a) => a.username));
      return c.json({ password: DEMO_PASSWORD, accounts });
    });
}
