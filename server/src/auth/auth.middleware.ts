import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { matchedRoutes } from 'hono/route';
import { clientAddress, fromTrustedProxy, type TrustedProxies } from '../http/client-address.ts';
import type { Env } from '../http/env.ts';
import { errorBody } from '../http/errors.ts';
import { ruleFor } from './policy.ts';
import { enforceLimit, type RateLimits } from './rate-limit.middleware.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { type SessionService, safeEqual } from './session.service.ts';

export const SESSION_COOKIE = 'civgrid_session';
export const CSRF_HEADER = 'x-csrf-token';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** What a user whose password an admin set may do before changing it. */
const PASSWORD_CHANGE_ROUTES = new Set(['GET /api/auth/me', 'POST /api/auth/logout', 'POST /api/auth/password']);

export interface AuthOptions {
  /** Behind reverse proxies: those whose X-Forwarded-For / -Proto are believed; null: none. */
  proxies: TrustedProxies | null;
  limiter: RateLimiter;
  rateLimits: RateLimits;
}

/**
 * The socket's address; null for a request made in-process (app.request in
 * tests and scripts), whose environment has no node request at all. A socket
 * whose address cannot be read is 'unknown', which no proxy list trusts.
 */
function peerOf(c: Context<Env>): string | null {
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null || !('incoming' in env || 'server' in env)) return null;
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The client's address: see clientAddress (X-Forwarded-For only from a trusted proxy). */
export function clientIp(c: Context<Env>, proxies: TrustedProxies | null): string {
  return clientAddress(peerOf(c), c.req.header('x-forwarded-for'), proxies);
}

/** Whether the client used https: the URL's scheme, or X-Forwarded-Proto from a trusted proxy. */
export function isHttps(c: Context<Env>, proxies: TrustedProxies | null): boolean {
  if (fromTrustedProxy(peerOf(c), proxies) && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https') return true;
  return new URL(c.req.url).protocol === 'https:';
}

/**
 * The route the request will be answered by: the first matched non-middleware
 * route in registration order (middleware is registered for ALL methods).
 */
function routeKey(c: Context<Env>): { method: string; path: string } {
  const route = matchedRoutes(c).find((r) => r.method !== 'ALL');
  return route ? { method: route.method, path: route.path } : { method: 'ALL', path: '/api/*' };
}

/**
 * Resolves the session cookie, then applies the route's rule from POLICY:
 * 401 without a (live) session, 403 for a role the rule does not name, and
 * CSRF checks on every unsafe method: the session's token in X-CSRF-Token
 * when signed in; a same-origin Origin otherwise (the login form, the public
 * report), so another site cannot post in a user's name.
 */
export function authMiddleware(sessions: SessionService, options: AuthOptions): MiddlewareHandler<Env> {
  return async (c, next) => {
    c.set('ip', clientIp(c, options.proxies));
    const { method, path } = routeKey(c);
    const rule = ruleFor(method, path);
    if (!rule) {
      c.get('logger').error('route without an access rule', { method, path });
      return c.json(errorBody('forbidden', 'This route has no access rule.'), 403);
    }

    const token = getCookie(c, SESSION_COOKIE);
    let expired = false;
    if (token) {
      const resolved = await sessions.resolve(token);
      if (resolved.kind === 'ok') {
        c.set('user', resolved.user);
        c.set('session', resolved.session);
      } else expired = true;
    }
    const user = c.get('user');

    if (rule.access !== 'public') {
      if (!user) {
        return expired
          ? c.json(errorBody('session_expired', 'Your session has ended. Sign in again.'), 401)
          : c.json(errorBody('unauthenticated', 'Sign in to do this.'), 401);
      }
      if (user.mustChangePassword && !PASSWORD_CHANGE_ROUTES.has(`${method} ${path}`)) {
        return c.json(errorBody('password_change_required', 'Change the password an administrator set before going on.'), 403);
      }
      if (rule.access === 'roles' && !rule.roles.includes(user.role)) {
        return c.json(errorBody('forbidden', 'Your role may not do this.'), 403);
      }
    }

    if (UNSAFE.has(c.req.method)) {
      // writes anyone may make (login, the citizen report) are counted per address
      if (rule.access === 'public') await enforceLimit(c, options.limiter, `public:${c.get('ip')}`, options.rateLimits.publicPerIp);
      const session = c.get('session');
      if (session && rule.access !== 'public') {
        const sent = c.req.header(CSRF_HEADER);
        if (!sent || !safeEqual(sent, session.csrfToken)) {
          return c.json(errorBody('csrf_failed', 'The request lacks this session’s CSRF token (X-CSRF-Token).'), 403);
        }
      } else if (!sameOrigin(c)) {
        return c.json(errorBody('csrf_failed', 'Cross-site requests are not accepted.'), 403);
      }
    }
    await next();
  };
}

function sameOrigin(c: Context<Env>): boolean {
  if (c.req.header('sec-fetch-site') === 'cross-site') return false;
  const origin = c.req.header('origin');
  if (!origin) return true; // not a browser form or fetch: curl, the field app's retries
  const host = c.req.header('host');
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
