import { LAYERS, isLayerId } from '@civgrid/tiles';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { badRequest, notFound } from '../../http/errors.ts';
import { validate } from '../../http/validate.ts';
import { EXPORT_FORMATS } from '../../services/export.service.ts';

const exportQuery = z.object({
  format: z.enum(EXPORT_FORMATS).default('geojson'),
  duty: z.string().max(64).optional(),
});

/** Any map layer as a file to download: GeoJSON, zipped Shapefile, KML or CSV (see ExportService). */
export function exportRoutes({ exporter, dutyTypes }: Services) {
  return new Hono<Env>().get('/:layer', validate('query', exportQuery), async (c) => {
    const layer = c.req.param('layer');
    if (!isLayerId(layer)) throw notFound('unknown_layer', `Unknown layer "${layer.slice(0, 64)}"`, { layers: Object.keys(LAYERS) });
    const { format, duty } = c.req.valid('query');
    if (layer === 'zones') {
      if (!duty) throw badRequest('duty_required', 'The zones layer needs ?duty=<duty type id>');
      if (!(await dutyTypes.exists(duty))) throw notFound('unknown_duty_type', `Unknown duty type "${duty}"`);
    }
    const file = await exporter.export(layer, format, layer === 'zones' ? duty : undefined);
    return c.body(file.body, 200, {
      'content-type': file.contentType,
      // the name is ASCII (layer and duty ids, a date): no encoding needed
      'content-disposition': `attachment; filename="${file.fileName}"`,
    });
  });
}
