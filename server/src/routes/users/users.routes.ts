import { MAX_PASSWORD_LENGTH } from '@civgrid/db';
import { Hono } from 'hono';
import { z } from 'zod';
import { actorOf, userOf } from '../../auth/actor.ts';
import { ROLES } from '../../auth/roles.ts';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { idParam } from '../../http/geo-params.ts';
import { validate } from '../../http/validate.ts';

const username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$/, 'must be 2–40 letters, digits, dots, dashes or underscores');
const displayName = z.string().trim().min(1).max(60);
const id = z.number().int().positive().max(2 ** 31 - 1);

const createUser = z.object({
  username,
  displayName,
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  role: z.enum(ROLES),
  territoryId: id,
  organisationId: id.optional(),
});

const updateUser = z
  .object({
    displayName: displayName.optional(),
    role: z.enum(ROLES).optional(),
    territoryId: id.optional(),
    organisationId: id.nullable().optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

const resetPassword = z.object({ password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });

export function userRoutes({ users }: Services) {
  return new Hono<Env>()
    .get('/', async (c) => c.json({ users: await users.list(userOf(c)) }))
    .post('/', validate('json', createUser), async (c) => {
      const user = await users.create(userOf(c), actorOf(c), c.req.valid('json'));
      return c.json({ user }, 201);
    })
    .patch('/:id', validate('param', z.object({ id: idParam })), validate('json', updateUser), async (c) => {
      const user = await users.update(userOf(c), actorOf(c), c.req.valid('param').id, c.req.valid('json'));
      return c.json({ user });
    })
    .post('/:id/password', validate('param', z.object({ id: idParam })), validate('json', resetPassword), async (c) => {
      await users.resetPassword(userOf(c), actorOf(c), c.req.valid('param').id, c.req.valid('json').password);
      return c.body(null, 204);
    });
}
