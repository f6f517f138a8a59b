import type { Context } from 'hono';
import type { Env } from '../http/env.ts';
import { DEFAULT_RATE_LIMITS, enforceLimit, type RateLimits, refuse } from './rate-limit.middleware.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** How long an address where an account signed in stays its owner's: a month of working days. */
export const KNOWN_ADDRESS_DAYS = 30;

/**
 * The brakes on password guessing, counted before the password is checked:
 *
 * 1. per address, whatever the username (loginPerIp);
 * 2. per username and address (loginPerUser; a success clears it), so a
 *    guesser at one address cannot lock the owner out from another;
 * 3. per username from all addresses (loginPerUserAllAddresses): past it the
 *    name is under a spread attack. The owner is not locked out: an address
 *    the account signed in from in the last KNOWN_ADDRESS_DAYS still gets
 *    through (limits 1 and 2 still apply there). Every other address shares
 *    a slow lane of one attempt per loginSlowLane window for that name, the
 *    first opening one window after the limit was crossed. A guesser with a
 *    thousand addresses thus gains a couple of tries a minute, while the
 *    owner at their desk signs in as usual, and at a new address may get the
 *    lane's next turn.
 *
 * `known` answers whether the account named so signed in from this address
 * since the given time; it is asked only once the name is over its limit.
 */
export async function enforceLoginLimits(
  c: Context<Env>,
  limiter: RateLimiter,
  limits: RateLimits,
  name: string,
  known: (name: string, ip: string, since: Date) => Promise<boolean>,
): Promise<{ perUserKey: string }> {
  const ip = c.get('ip');
  await enforceLimit(c, limiter, `login:ip:${ip}`, limits.loginPerIp);
  const perUserKey = `login:user:${name}:${ip}`;
  await enforceLimit(c, limiter, perUserKey, limits.loginPerUser);
  const allAddresses = limits.loginPerUserAllAddresses ?? DEFAULT_RATE_LIMITS.loginPerUserAllAddresses!;
  const spread = await limiter.hit(`login:user:${name}`, allAddresses);
  if (spread.allowed || (await known(name, ip, new Date(Date.now() - KNOWN_ADDRESS_DAYS * 86_400_000)))) return { perUserKey };
  const lane = await limiter.hit(`login:user-slow:${name}`, limits.loginSlowLane ?? DEFAULT_RATE_LIMITS.loginSlowLane!);
  // the attempt that crosses the limit opens the lane's first window without using it
  const crossing = spread.hits === allAddresses.max + 1;
  if (crossing || !lane.allowed) refuse(c, Math.min(lane.retryAfterSeconds, spread.retryAfterSeconds));
  return { perUserKey };
}
