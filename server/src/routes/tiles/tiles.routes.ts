import { Hono } from 'hono';
import { z } from 'zod';
import { userOf } from '../../auth/actor.ts';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { badRequest, notFound } from '../../http/errors.ts';
import { problemFilterQuery, problemFiltersOf } from '../../http/problem-filter-params.ts';
import { validate } from '../../http/validate.ts';
import { TILE_SOURCES, type TileFilters, type TileLayerId } from '../../repositories/tile.repository.ts';
import { ownerLimitOf } from '../../services/problem-access.ts';
import { TILE_DATA_MAXZOOM, TILE_MAXZOOM, TILE_MINZOOM } from '../../services/tile.service.ts';

// the problems layer takes the heat map's filters (status, category, from, to, overdue)
const tileQuery = z.object({ duty: z.string().max(64).optional(), ...problemFilterQuery });

const isTileLayer = (layer: string): layer is TileLayerId => Object.hasOwn(TILE_SOURCES, layer);

function tileCoordinates(zText: string, xText: string, file: string): { z: number; x: number; y: number } {
  const yText = /^(\d{1,8})\.mvt$/.exec(file)?.[1];
  if (!/^\d{1,2}$/.test(zText) || !/^\d{1,8}$/.test(xText) || yText === undefined) {
    throw badRequest('invalid_tile', 'A tile is /tiles/{layer}/{z}/{x}/{y}.mvt with whole numbers z, x and y.');
  }
  const [zz, x, y] = [Number(zText), Number(xText), Number(yText)];
  if (zz > TILE_MAXZOOM) throw badRequest('invalid_tile', `z must be between 0 and ${TILE_MAXZOOM}.`);
  const n = 2 ** zz;
  if (x >= n || y >= n) throw badRequest('invalid_tile', `At z=${zz}, x and y must be below ${n}.`);
  return { z: zz, x, y };
}

export function tileRoutes({ tiles, dutyTypes, layers }: Services) {
  async function layerAndFilters(layer: string, query: z.infer<typeof tileQuery>, forJson = false): Promise<{ layer: TileLayerId; filters: TileFilters }> {
    if (!isTileLayer(layer)) throw notFound('unknown_layer', `Unknown tile layer "${layer.slice(0, 64)}"`, { layers: Object.keys(TILE_SOURCES) });
    if (layer === 'zones' && !query.duty) throw badRequest('duty_required', 'The zones layer needs ?duty=<duty type id>');
    if (layer === 'zones' && forJson && !(await dutyTypes.exists(query.duty ?? ''))) {
      throw notFound('unknown_duty_type', `Unknown duty type "${query.duty}"`);
    }
    // a tile checks the duty type in the same query that reads the layer's version
    return { layer, filters: { duty: layer === 'zones' ? query.duty : undefined, ...(layer === 'problems' ? problemFiltersOf(query) : {}) } };
  }

  return new Hono<Env>()
    .get('/:name{[a-z-]+\\.json}', validate('query', tileQuery), async (c) => {
      const { layer, filters } = await layerAndFilters(c.req.param('name').replace(/\.json$/, ''), c.req.valid('query'), true);
      const origin = new URL(c.req.url).origin;
      const search = new URL(c.req.url).search;
      const bounds = await layers.districtBounds();
      return c.json({
        tilejson: '3.0.0',
        name: layer,
        tiles: [`${origin}/tiles/${layer}/{z}/{x}/{y}.mvt${search}`],
        minzoom: TILE_MINZOOM[layer],
        maxzoom: TILE_DATA_MAXZOOM,
        ...(bounds ? { bounds, center: [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 12] } : {}),
        vector_layers: [
          {
            id: layer,
            fields: Object.fromEntries(TILE_SOURCES[layer].properties.map((p) => [p, 'String'])),
            minzoom: TILE_MINZOOM[layer],
            maxzoom: TILE_DATA_MAXZOOM,
          },
        ],
        attribution: '区界 DataV · 演示数据 · 漓江 © OpenStreetMap contributors',
        ...(filters.duty ? { duty: filters.duty } : {}),
      });
    })
    .get('/:layer/:z/:x/:file', validate('query', tileQuery), async (c) => {
      const { z: zoom, x, y } = tileCoordinates(c.req.param('z'), c.req.param('x'), c.req.param('file'));
      const { layer, filters: asked } = await layerAndFilters(c.req.param('layer'), c.req.valid('query'));
      // a handler's problems tiles hold its own organisation's cases only (services/problem-access.ts); the
      // limit is part of the filters, so of the tile cache's key and the ETag: one role's tile never serves another
      const ownerOrgId = layer === 'problems' ? ownerLimitOf(userOf(c)) : undefined;
      const filters = ownerOrgId === undefined ? asked : { ...asked, ownerOrgId };
      const answer = await tiles.tile(layer, zoom, x, y, filters);
      const headers = {
        etag: answer.etag,
        'cache-control': 'private, max-age=60, stale-while-revalidate=600', // tiles need a session: no shared caches
        vary: 'Cookie', // …and what a tile holds depends on who asks: a browser keeps one copy per session
        'x-tile-cache': answer.cached ? 'hit' : 'miss',
      };
      const match = c.req.header('if-none-match');
      if (match?.split(',').some((tag) => tag.trim() === answer.etag)) return c.body(null, 304, headers);
      if (!answer.body) return c.body(null, 204, headers);
      return c.body(answer.body as Uint8Array<ArrayBuffer>, 200, { ...headers, 'content-type': 'application/vnd.mapbox-vector-tile' });
    });
}
