import { Hono } from 'hono';
import { z } from 'zod';
import { userOf } from '../../auth/actor.ts';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { validate } from '../../http/validate.ts';

const word = z.string().regex(/^[a-z][a-z0-9_-]{0,40}$/, 'must be a lower-case name such as "user" or "zone"');
const instant = z.iso.datetime({ offset: true }).or(z.iso.date()).transform((v) => new Date(v));

const query = z.object({
  entity: word.optional(),
  entityId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  action: word.optional(),
  actor: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/).optional(),
  since: instant.optional(),
  until: instant.optional(),
  before: z.coerce.number().int().positive().max(2 ** 31 - 1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The audit trail, newest first, a page at a time (`before` = the last id seen). */
export function auditRoutes({ audit }: Services) {
  return new Hono<Env>().get('/', validate('query', query), async (c) => c.json(await audit.list(c.req.valid('query'), userOf(c).scopeCode)));
}
