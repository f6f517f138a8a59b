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
  /**
   * Photo kilobytes (KiB) an address may send with reports without an
   * account; counted before the photos are decoded. Default 64 MiB an hour.
   */
  publicPhotoKibPerIp?: Limit;
  /**
   * Photo megapixels an address may have decoded with reports without an
   * account: what decoding costs in CPU, which a small PNG of one colour
   * hides from the byte count. Default 400 MP an hour (about thirty 12 MP photos).
   */
  publicPhotoMegapixelsPerIp?: Limit;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  loginPerIp: { max: 30, windowSeconds: 300 },
  loginPerUser: { max: 10, windowSeconds: 900 },
  loginPerUserAllAddresses: { max: 100, windowSeconds: 900 },
  loginSlowLane: { max: 1, windowSeconds: 30 },
  publicPerIp: { max: 60, windowSeconds: 60 },
  publicPhotoKibPerIp: { max: 64 * 1024, windowSeconds: 3600 },
  publicPhotoMegapixelsPerIp: { max: 400, windowSeconds: 3600 },
};

/** What a budget counts and says when it is spent (a plain rate limit: one hit, "Too many attempts"). */
export interface Charge {
  cost?: number;
  code?: string;
  message?: string;
}

/** Counts a hit (or `cost` units); over the limit → 429 with Retry-After, in the one error shape. */
export async function enforceLimit(c: Context<Env>, limiter: RateLimiter, key: string, limit: Limit, charge: Charge = {}): Promise<void> {
  const decision = await limiter.hit(key, limit, charge.cost ?? 1);
  if (!decision.allowed) refuse(c, decision.retryAfterSeconds, charge);
}

/** 429 with Retry-After, in the one error shape. */
export function refuse(c: Context<Env>, retryAfterSeconds: number, charge: Pick<Charge, 'code' | 'message'> = {}): never {
  c.header('Retry-After', String(retryAfterSeconds));
  throw new AppError(429, charge.code ?? 'rate_limited', `${charge.message ?? 'Too many attempts.'} Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
}

/**
 * Charges the photos of a report without an account to the sender's
 * address: their bytes and their decoded pixels, per hour, counted in the
 * database so that every server process shares the count. Over either
 * budget → 429 with Retry-After, before anything is decoded or stored.
 */
export async function chargePublicPhotos(c: Context<Env>, limiter: RateLimiter, limits: RateLimits, cost: { bytes: number; pixels: number }): Promise<void> {
  const ip = c.get('ip');
  const spent = { code: 'photo_budget_exceeded', message: 'This address has sent too many photos for now.' };
  await enforceLimit(c, limiter, `photo-kib:${ip}`, limits.publicPhotoKibPerIp ?? DEFAULT_RATE_LIMITS.publicPhotoKibPerIp!, { ...spent, cost: cost.bytes / 1024 });
  await enforceLimit(c, limiter, `photo-mp:${ip}`, limits.publicPhotoMegapixelsPerIp ?? DEFAULT_RATE_LIMITS.publicPhotoMegapixelsPerIp!, { ...spent, cost: cost.pixels / 1e6 });
}
