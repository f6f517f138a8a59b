import { Hono } from 'hono';
import { z } from 'zod';
import { actorOf, userOf } from '../../auth/actor.ts';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { idParam } from '../../http/geo-params.ts';
import { type Bounds, boundsOf, checkPositionWithin } from '../../http/geo-bounds.ts';
import { checkLineInput, lineInput } from '../../http/geojson.ts';
import { validate } from '../../http/validate.ts';
import { comment, idempotencyKeyOf, rowId, rowVersion, validFrom } from '../../http/write-params.ts';
import type { SectionInput } from '../../services/road-section.service.ts';

const properties = z.object({
  name: z.string().trim().min(1).max(100),
  ownerOrgId: rowId,
  personId: rowId.nullable().optional(),
  comment,
  validFrom,
});
const sectionFeature = z.object({ type: z.literal('Feature'), geometry: lineInput, properties });
const sectionUpdate = sectionFeature.extend({ properties: properties.extend({ version: rowVersion }) });

function sectionInput(body: z.infer<typeof sectionFeature>, bounds: Bounds): SectionInput {
  const p = body.properties;
  return {
    name: p.name,
    ownerOrgId: p.ownerOrgId,
    personId: p.personId ?? null,
    comment: p.comment ?? null,
    validFrom: p.validFrom ?? null,
    geometry: checkLineInput(body.geometry, bounds),
  };
}

const idParams = z.object({ id: idParam });
/** A point as [lon, lat], in range (the JSON body form of geo-params' lon/lat). */
const point = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
const preview = z.object({ geometry: lineInput, excludeId: rowId.optional() });
const split = z.object({ version: rowVersion, point });
const merge = z.object({ sections: z.array(z.object({ id: rowId, version: rowVersion })).min(2).max(20) });
const restore = z.object({ version: rowVersion, currentVersion: rowVersion });

/**
 * Responsibility road sections (责任路段, see RoadSectionService): the zones'
 * verbs, with a split at a point and a merge end to end.
 */
export function roadSectionRoutes({ roadSections }: Services) {
  return new Hono<Env>()
    .post('/preview', validate('json', preview), async (c) => {
      const body = c.req.valid('json');
      return c.json(await roadSections.preview(userOf(c), checkLineInput(body.geometry, await boundsOf(c)), body.excludeId ?? null));
    })
    .post('/merge', validate('json', merge), async (c) => c.json(await roadSections.merge(userOf(c), actorOf(c), c.req.valid('json').sections)))
    .post('/', validate('json', sectionFeature), async (c) => {
      const key = idempotencyKeyOf(c);
      const answer = await roadSections.create(userOf(c), actorOf(c), sectionInput(c.req.valid('json'), await boundsOf(c)), key);
      if (key) c.header('idempotency-key', key);
      return c.json(answer.body as object, answer.status as 201);
    })
    .get('/:id', validate('param', idParams), async (c) => c.json(await roadSections.get(c.req.valid('param').id)))
    .get('/:id/history', validate('param', idParams), async (c) => c.json({ versions: await roadSections.history(c.req.valid('param').id) }))
    .put('/:id', validate('param', idParams), validate('json', sectionUpdate), async (c) => {
      const body = c.req.valid('json');
      return c.json(await roadSections.update(userOf(c), actorOf(c), c.req.valid('param').id, body.properties.version, sectionInput(body, await boundsOf(c))));
    })
    .delete('/:id', validate('param', idParams), validate('query', z.object({ version: rowVersion, comment })), async (c) => {
      const { version, comment: note } = c.req.valid('query');
      await roadSections.remove(userOf(c), actorOf(c), c.req.valid('param').id, version, note ?? null);
      return c.body(null, 204);
    })
    .post('/:id/split', validate('param', idParams), validate('json', split), async (c) => {
      const body = c.req.valid('json');
      checkPositionWithin(body.point, await boundsOf(c), 'The split point');
      return c.json({ sections: await roadSections.split(userOf(c), actorOf(c), c.req.valid('param').id, body.version, body.point) });
    })
    .post('/:id/restore', validate('param', idParams), validate('json', restore), async (c) => {
      const body = c.req.valid('json');
      return c.json(await roadSections.restore(userOf(c), actorOf(c), c.req.valid('param').id, body.version, body.currentVersion));
    });
}
