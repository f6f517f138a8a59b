import type { Context } from 'hono';
import type { Env } from '../http/env.ts';
import { unauthorized } from '../http/errors.ts';
import type { Actor } from '../repositories/audit.repository.ts';
import type { AuthUser, SessionInfo } from './session.service.ts';

/** Who the audit trail names for this request. */
export function actorOf(c: Context<Env>): Actor {
  const user = c.get('user');
  return { userId: user?.id ?? null, username: user?.username ?? null, requestId: c.get('requestId'), ip: c.get('ip') };
}

/** The signed-in user; the auth middleware has already refused requests without one on non-public routes. */
export function userOf(c: Context<Env>): AuthUser {
  const user = c.get('user');
  if (!user) throw unauthorized('unauthenticated', 'Sign in to do this.');
  return user;
}

export function sessionOf(c: Context<Env>): SessionInfo {
  const session = c.get('session');
  if (!session) throw unauthorized('unauthenticated', 'Sign in to do this.');
  return session;
}
