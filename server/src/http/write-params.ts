import type { Context } from 'hono';
import { z } from 'zod';
import { badRequest } from './errors.ts';

/** Parameters shared by the versioned writes (zones, road sections). */
export const rowId = z.number().int().positive().max(2 ** 31 - 1);
export const rowVersion = z.coerce.number().int().positive().max(2 ** 31 - 1);
export const comment = z.string().trim().max(500).optional();

/** Today's date in China (UTC+8), as YYYY-MM-DD. */
const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** The day a responsibility starts; not in the future (a row cannot end before it starts). */
export const validFrom = z.iso
  .date()
  .refine((day) => day <= chinaToday(), 'must not be after today')
  .optional();

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;

/** The request's Idempotency-Key, checked; undefined when there is none. */
export function idempotencyKeyOf(c: Context): string | undefined {
  const key = c.req.header('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 8–100 letters, digits, - or _.');
  return key;
}
