import { Hono } from 'hono';
import { z } from 'zod';
import { actorOf, userOf } from '../../auth/actor.ts';
import { notFound } from '../../http/errors.ts';
import type { Env } from '../../http/env.ts';
import { idParam } from '../../http/geo-params.ts';
import { validate } from '../../http/validate.ts';
import { rowId, rowVersion } from '../../http/write-params.ts';
import type { Services } from '../../deps.ts';

/** A change of a point's people or names, checked against the version it was read at. */
const pointChange = z
  .object({
    version: rowVersion,
    leaderPersonId: rowId.nullable().optional(),
    departmentOrgId: rowId.nullable().optional(),
    peopleIds: z.array(rowId).max(50).refine((ids) => new Set(ids).size === ids.length, 'must not repeat a person').optional(),
    name: z.string().trim().min(1).max(100).optional(),
    address: z.string().trim().max(200).nullable().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).some((key) => key !== 'version'), 'nothing to change');

export function inspectionPointRoutes({ inspectionPoints, inspectionPointEdits }: Services) {
  return new Hono<Env>()
    .get('/:id', validate('param', z.object({ id: idParam })), async (c) => {
      const { id } = c.req.valid('param');
      const point = await inspectionPoints.findById(id);
      if (!point) throw notFound('inspection_point_not_found', `No inspection point with id ${id}`);
      return c.json(point);
    })
    .patch('/:id', validate('param', z.object({ id: idParam })), validate('json', pointChange), async (c) => {
      const { version, address, ...changes } = c.req.valid('json');
      // an empty address is no address
      const point = await inspectionPointEdits.update(userOf(c), actorOf(c), c.req.valid('param').id, version, {
        ...changes,
        ...(address === undefined ? {} : { address: address || null }),
      });
      return c.json(point);
    });
}
