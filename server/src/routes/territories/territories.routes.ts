import { Hono } from 'hono';
import { z } from 'zod';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { validate } from '../../http/validate.ts';

const territoryQuery = z.object({ level: z.enum(['district', 'street', 'community']).optional() });
const organisationQuery = z.object({
  q: z.string().trim().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const peopleQuery = organisationQuery.extend({ org: z.coerce.number().int().positive().max(2 ** 31 - 1).optional() });

/** `%` and `_` typed by the user are matched literally. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/** The territory above the grids (the scopes an account can have) and the organisations, for pickers. */
export function territoryRoutes({ database }: Services) {
  return new Hono<Env>().get('/', validate('query', territoryQuery), async (c) => {
    const { level } = c.req.valid('query');
    let query = database.db
      .selectFrom('territories')
      .select(['id', 'code', 'name', 'level', 'parent_id as parentId'])
      .where('level', 'in', level ? [level] : ['district', 'street', 'community']);
    query = query.orderBy('code');
    return c.json({ territories: await query.execute() });
  });
}

export function organisationRoutes({ database }: Services) {
  return new Hono<Env>().get('/', validate('query', organisationQuery), async (c) => {
    const { q, limit } = c.req.valid('query');
    let query = database.db.selectFrom('organisations').select(['id', 'name', 'kind', 'territory_id as territoryId']);
    if (q) query = query.where('name', 'like', likePattern(q));
    return c.json({ organisations: await query.orderBy('name').limit(limit).execute() });
  });
}

/** Responsible people (责任人) for the owner pickers: of one organisation, by name or phone. */
export function peopleRoutes({ database }: Services) {
  return new Hono<Env>().get('/', validate('query', peopleQuery), async (c) => {
    const { q, org, limit } = c.req.valid('query');
    let query = database.db.selectFrom('people').select(['id', 'name', 'phone', 'title', 'organisation_id as organisationId']);
    if (org) query = query.where('organisation_id', '=', org);
    if (q) query = query.where((eb) => eb.or([eb('name', 'like', likePattern(q)), eb('phone', 'like', likePattern(q))]));
    return c.json({ people: await query.orderBy('name').orderBy('id').limit(limit).execute() });
  });
}
