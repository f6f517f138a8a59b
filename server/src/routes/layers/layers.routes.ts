import { LAYERS, isLayerId } from '@civgrid/tiles';
import { Hono } from 'hono';
import { z } from 'zod';
import { badRequest, notFound } from '../../http/errors.ts';
import type { Env } from '../../http/env.ts';
import { bboxParam } from '../../http/geo-params.ts';
import { validate } from '../../http/validate.ts';
import type { Services } from '../../deps.ts';

const layerQuery = z.object({
  bbox: bboxParam.optional(),
  duty: z.string().max(64).optional(),
  /** A day (YYYY-MM-DD): the zones or road sections as they stood at its end, China time. */
  asOf: z.iso.date().optional(),
});

const historyQuery = z.object({
  duty: z.string().max(64).optional(),
  /** The `next` cursor of the previous page: `<ISO instant>,<id>,<version>`. */
  before: z
    .string()
    .regex(/^[0-9T:.+Z-]{10,40},\d{1,10},\d{1,10}$/, 'must be the next cursor of the previous page')
    .transform((v) => {
      const [changedAt, id, version] = v.split(',') as [string, string, string];
      return { changedAt, id: Number(id), version: Number(version) };
    })
    .refine((c) => !Number.isNaN(Date.parse(c.changedAt)) && c.id <= 2 ** 31 - 1 && c.version <= 2 ** 31 - 1, 'must be the next cursor of the previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function layerRoutes({ layers, dutyTypes }: Services) {
  return new Hono<Env>()
    .get('/', async (c) => c.json(await layers.counts()))
    // The history of a whole layer: who saved which zone or section when, newest first.
    .get('/:layer/history', validate('query', historyQuery), async (c) => {
      const layer = c.req.param('layer');
      if (layer !== 'zones' && layer !== 'road-sections') throw notFound('unversioned_layer', 'Only the zones and road-sections layers have versions.');
      const { duty, before, limit } = c.req.valid('query');
      if (layer === 'zones') {
        if (!duty) throw badRequest('duty_required', 'The zones layer needs ?duty=<duty type id>');
        if (!(await dutyTypes.exists(duty))) throw notFound('unknown_duty_type', `Unknown duty type "${duty}"`);
      }
      const changes = await layers.history(layer, duty, before, limit);
      const last = changes.length === limit ? changes[changes.length - 1] : undefined;
      return c.json({ changes, next: last?.cursor ?? null });
    })
    .get('/:layer', validate('query', layerQuery), async (c) => {
      const layer = c.req.param('layer');
      if (!isLayerId(layer)) {
        throw notFound('unknown_layer', `Unknown layer "${layer.slice(0, 64)}"`, { layers: Object.keys(LAYERS) });
      }
      const { bbox, duty, asOf } = c.req.valid('query');
      if (layer === 'zones') {
        if (!duty) throw badRequest('duty_required', 'The zones layer needs ?duty=<duty type id>');
        if (!(await dutyTypes.exists(duty))) throw notFound('unknown_duty_type', `Unknown duty type "${duty}"`);
      }
      if (asOf && layer !== 'zones' && layer !== 'road-sections') throw badRequest('as_of_not_versioned', 'asOf applies to the zones and road-sections layers, the ones with versions.');
      const body = await layers.featureCollection(layer, { bbox, duty, asOf: asOf ? new Date(`${asOf}T24:00:00+08:00`) : undefined });
      return c.body(body, 200, { 'content-type': 'application/geo+json; charset=utf-8' });
    });
}
