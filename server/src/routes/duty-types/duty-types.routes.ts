import { Hono } from 'hono';
import type { Env } from '../../http/env.ts';
import type { Services } from '../../deps.ts';

export function dutyTypeRoutes({ dutyTypes }: Services) {
  return new Hono<Env>().get('/', async (c) => c.json(await dutyTypes.list()));
}
