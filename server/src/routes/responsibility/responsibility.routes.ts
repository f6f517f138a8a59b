import { Hono } from 'hono';
import { z } from 'zod';
import type { Env } from '../../http/env.ts';
import { latitude, longitude } from '../../http/geo-params.ts';
import { validate } from '../../http/validate.ts';
import type { Services } from '../../deps.ts';

const pointQuery = z.object({ lon: longitude, lat: latitude });

export function responsibilityRoutes({ responsibility }: Services) {
  return new Hono<Env>().get('/', validate('query', pointQuery), async (c) => {
    const { lon, lat } = c.req.valid('query');
    return c.json(await responsibility.at(lon, lat));
  });
}
