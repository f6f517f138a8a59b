import type { Context } from 'hono';
import type { Env } from '../http/env.ts';
import { AppError } from '../http/errors.ts';
import type { Limit, RateLimiter } from './rate-limiter.ts';

export interface RateLimits {
  /** Login attempts per client address. */
  loginPerIp: Limit;
  /** Login attempts on one username from one address; a success clears it. */
  loginPerUser: Limit;
  /**
   * Login attempts on one username from all addresses together: the brake on
   * a guesser with many addresses, set high enough that nobody can lock a
   * colleague out with a handful of wrong passwords.
   */
  loginPerUserAllAddresses?: Limit;
  /**
   * Past loginPerUserAllAddresses, attempts on that username from addresses
   * it has not signed in from recently share this trickle (default: one per
   * 30 s), while its owner's known addresses are not held back.
   */
  loginSlowLane?: Limit;
  /** Writes without an account (login, the citizen report) per client address. */
  publicPerIp: Limit;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  loginPerIp: { max: 30, windowSeconds: 300 },
  loginPerUser: { max: 10, windowSeconds: 900 },
  loginPerUserAllAddresses: { max: 100, windowSeconds: 900 },
  loginSlowLane: { max: 1, windowSeconds: 30 },
  publicPerIp: { max: 60, windowSeconds: 60 },
};

/** Counts a hit; over the limit → 429 with Retry-After, in the one error shape. */
export async function enforceLimit(c: Context<Env>, limiter: RateLimiter, key: string, limit: Limit): Promise<void> {
  const decision = await limiter.hit(key, limit);
  if (!decision.allowed) refuse(c, decision.retryAfterSeconds);
}

/** 429 with Retry-After, in the one error shape. */
export function refuse(c: Context<Env>, retryAfterSeconds: number): never {
  c.header('Retry-After', String(retryAfterSeconds));
  throw new AppError(429, 'rate_limited', `Too many attempts. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
}
