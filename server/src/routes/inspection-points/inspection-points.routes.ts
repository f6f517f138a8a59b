import { Hono } from 'hono';
import { z } from 'zod';
import { notFound } from '../../http/errors.ts';
import type { Env } from '../../http/env.ts';
import { idParam } from '../../http/geo-params.ts';
import { validate } from '../../http/validate.ts';
import type { Services } from '../../deps.ts';

export function inspectionPointRoutes({ inspectionPoints }: Services) {
  return new Hono<Env>().get('/:id', validate('param', z.object({ id: idParam })), async (c) => {
    const { id } = c.req.valid('param');
    const point = await inspectionPoints.findById(id);
    if (!point) throw notFound('inspection_point_not_found', `No inspection point with id ${id}`);
    return c.json(point);
  });
}
