import { Hono } from 'hono';
import { z } from 'zod';
import { actorOf, userOf } from '../../auth/actor.ts';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { idParam } from '../../http/geo-params.ts';
import { type Bounds, boundsOf } from '../../http/geo-bounds.ts';
import { checkLineInput, checkPolygonInput, lineInput, MAX_EDIT_VERTICES, polygonInput } from '../../http/geojson.ts';
import { validate } from '../../http/validate.ts';
import { comment, idempotencyKeyOf, rowId, rowVersion, validFrom } from '../../http/write-params.ts';
import type { ZoneInput } from '../../services/zone.service.ts';

const id = rowId;
const version = rowVersion;

const properties = z.object({
  duty: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'must be a duty type id'),
  name: z.string().trim().min(1).max(100),
  ownerOrgId: id,
  personId: id.nullable().optional(),
  comment,
  validFrom,
});

const zoneFeature = z.object({
  type: z.literal('Feature'),
  geometry: polygonInput,
  properties,
});
const zoneUpdate = zoneFeature.extend({ properties: properties.extend({ version }) });

function zoneInput(body: z.infer<typeof zoneFeature>, bounds: Bounds): ZoneInput {
  const p = body.properties;
  return {
    duty: p.duty,
    name: p.name,
    ownerOrgId: p.ownerOrgId,
    personId: p.personId ?? null,
    comment: p.comment ?? null,
    validFrom: p.validFrom ?? null,
    geometry: checkPolygonInput(body.geometry, bounds, MAX_EDIT_VERTICES),
  };
}

const idParams = z.object({ id: idParam });
const preview = z.object({ geometry: polygonInput, duty: properties.shape.duty, excludeId: id.optional() });
const split = z.object({ version, line: lineInput, comment });
const merge = z.object({ zones: z.array(z.object({ id, version })).min(2).max(20), comment });
const restore = z.object({ version, currentVersion: version });
const fill = z.object({ version, geometry: polygonInput, comment });

/**
 * Responsibility zones (see ZoneService): one zone and its history; the live
 * feedback of an edit before it is saved; and the writes — create, update,
 * delete, split by a line, merge, fill a blind spot, restore a version.
 */
export function zoneRoutes({ zones }: Services) {
  return new Hono<Env>()
    .post('/preview', validate('json', preview), async (c) => {
      const body = c.req.valid('json');
      return c.json(await zones.preview(userOf(c), checkPolygonInput(body.geometry, await boundsOf(c), MAX_EDIT_VERTICES), body.duty, body.excludeId ?? null));
    })
    .post('/merge', validate('json', merge), async (c) => {
      return c.json(await zones.merge(userOf(c), actorOf(c), c.req.valid('json').zones));
    })
    .get('/:id', validate('param', idParams), async (c) => c.json(await zones.get(c.req.valid('param').id)))
    .get('/:id/history', validate('param', idParams), async (c) => c.json({ versions: await zones.history(c.req.valid('param').id) }))
    .post('/:id/split', validate('param', idParams), validate('json', split), async (c) => {
      const body = c.req.valid('json');
      return c.json({ zones: await zones.split(userOf(c), actorOf(c), c.req.valid('param').id, body.version, checkLineInput(body.line, await boundsOf(c))) });
    })
    .post('/:id/fill', validate('param', idParams), validate('json', fill), async (c) => {
      const body = c.req.valid('json');
      return c.json(await zones.fill(userOf(c), actorOf(c), c.req.valid('param').id, body.version, checkPolygonInput(body.geometry, await boundsOf(c), MAX_EDIT_VERTICES), body.comment ?? null));
    })
    .post('/:id/restore', validate('param', idParams), validate('json', restore), async (c) => {
      const body = c.req.valid('json');
      return c.json(await zones.restore(userOf(c), actorOf(c), c.req.valid('param').id, body.version, body.currentVersion));
    })
    .post('/', validate('json', zoneFeature), async (c) => {
      const key = idempotencyKeyOf(c);
      const answer = await zones.create(userOf(c), actorOf(c), zoneInput(c.req.valid('json'), await boundsOf(c)), key);
      if (key) c.header('idempotency-key', key);
      return c.json(answer.body as object, answer.status as 201);
    })
    .put('/:id', validate('param', z.object({ id: idParam })), validate('json', zoneUpdate), async (c) => {
      const body = c.req.valid('json');
      const result = await zones.update(userOf(c), actorOf(c), c.req.valid('param').id, body.properties.version, zoneInput(body, await boundsOf(c)));
      return c.json(result);
    })
    .delete('/:id', validate('param', z.object({ id: idParam })), validate('query', z.object({ version, comment: z.string().max(500).optional() })), async (c) => {
      const { version: v, comment } = c.req.valid('query');
      await zones.remove(userOf(c), actorOf(c), c.req.valid('param').id, v, comment ?? null);
      return c.body(null, 204);
    });
}
