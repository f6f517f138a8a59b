import { Hono } from 'hono';
import { z } from 'zod';
import { actorOf, userOf } from '../../auth/actor.ts';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { badRequest } from '../../http/errors.ts';
import { idParam } from '../../http/geo-params.ts';
import { checkPolygonInput, polygonInput } from '../../http/geojson.ts';
import { validate } from '../../http/validate.ts';
import type { ZoneInput } from '../../services/zone.service.ts';

const id = z.number().int().positive().max(2 ** 31 - 1);
const version = z.coerce.number().int().positive().max(2 ** 31 - 1);

const properties = z.object({
  duty: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'must be a duty type id'),
  name: z.string().trim().min(1).max(100),
  ownerOrgId: id,
  personId: id.nullable().optional(),
  comment: z.string().trim().max(500).optional(),
});

const zoneFeature = z.object({
  type: z.literal('Feature'),
  geometry: polygonInput,
  properties,
});
const zoneUpdate = zoneFeature.extend({ properties: properties.extend({ version }) });

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;

function zoneInput(body: z.infer<typeof zoneFeature>): ZoneInput {
  const p = body.properties;
  return {
    duty: p.duty,
    name: p.name,
    ownerOrgId: p.ownerOrgId,
    personId: p.personId ?? null,
    comment: p.comment ?? null,
    geometry: checkPolygonInput(body.geometry),
  };
}

/** POST /api/zones, PUT and DELETE /api/zones/{id}: writes of responsibility zones (see ZoneService). */
export function zoneRoutes({ zones }: Services) {
  return new Hono<Env>()
    .post('/', validate('json', zoneFeature), async (c) => {
      const key = c.req.header('idempotency-key');
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 8–100 letters, digits, - or _.');
      const answer = await zones.create(userOf(c), actorOf(c), zoneInput(c.req.valid('json')), key);
      if (key) c.header('idempotency-key', key);
      return c.json(answer.body as object, answer.status as 201);
    })
    .put('/:id', validate('param', z.object({ id: idParam })), validate('json', zoneUpdate), async (c) => {
      const body = c.req.valid('json');
      const result = await zones.update(userOf(c), actorOf(c), c.req.valid('param').id, body.properties.version, zoneInput(body));
      return c.json(result);
    })
    .delete('/:id', validate('param', z.object({ id: idParam })), validate('query', z.object({ version, comment: z.string().max(500).optional() })), async (c) => {
      const { version: v, comment } = c.req.valid('query');
      await zones.remove(userOf(c), actorOf(c), c.req.valid('param').id, v, comment ?? null);
      return c.body(null, 204);
    });
}
