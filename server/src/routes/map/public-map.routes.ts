import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Basemap, basemapStyle } from '@civgrid/tiles';
import { Hono } from 'hono';
import type { AppDeps, Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { notFound } from '../../http/errors.ts';
import { PublicMapRepository } from '../../repositories/public-map.repository.ts';
import { pmtilesFileRoutes } from '../pmtiles/pmtiles-file.routes.ts';
import { availableBasemaps, PUBLIC_BASEMAP_URL } from './map.routes.ts';

/** Where the citizen page reads the built-in basemap: the one archive of the tiles folder open without a session. */

/**
 * The basemap of the citizen page: one that needs no session. Tianditu first
 * (a real street map with names, when its key is configured), else the built-in
 * offline basemap, the default, read through its public URL, then another configured basemap whose
 * tiles come from elsewhere; none when nothing is on offer.
 */
export function publicBasemap(deps: Pick<AppDeps, 'tilesDir' | 'basemaps' | 'basemapBuilder'>): Basemap {
  const list = availableBasemaps(deps);
  const open = (b: Basemap) => 'type' in b && (b.type === 'xyz' ? b.tiles.every((t) => t === '|' || /^https?:\/\//.test(t)) : /^https?:\/\//.test(b.url));
  const tianditu = list.find((b) => b.id === 'tianditu');
  const builtin = list.find((b) => b.id === 'builtin');
  if (tianditu) return tianditu;
  if (builtin && 'type' in builtin && builtin.type === 'pmtiles') return { ...builtin, url: PUBLIC_BASEMAP_URL };
  return list.find((b) => b.id !== 'none' && open(b)) ?? { id: 'none', name: '无底图' };
}

/**
 * The map of the public citizen page (你拍我改), readable without an account:
 * a basemap style, the district's outline with its streets and communities by
 * name, and the built-in basemap archive. Nothing of the responsibility
 * layers, their owners and people, or the problems.
 */
export function publicMapRoutes(deps: Pick<AppDeps, 'tilesDir' | 'basemaps' | 'basemapBuilder'>, { database }: Services) {
  const area = new PublicMapRepository(database.db);
  const files = deps.tilesDir ? pmtilesFileRoutes({ dir: deps.tilesDir }) : null;
  return new Hono<Env>()
    .get('/style.json', (c) => c.json(basemapStyle(publicBasemap(deps), new URL(c.req.url).origin), 200, { 'cache-control': 'public, max-age=300' }))
    .get('/area.geojson', async (c) =>
      c.body(await area.area(), 200, { 'content-type': 'application/geo+json; charset=utf-8', 'cache-control': 'public, max-age=300' }),
    )
    .get('/basemap.pmtiles', (c) => {
      if (!files) throw notFound('no_basemap', 'This installation has no built-in basemap (pnpm tiles:basemap builds it).');
      if (deps.basemapBuilder && !existsSync(join(deps.tilesDir ?? '', 'basemap.pmtiles')) && deps.basemapBuilder.request()) {
        throw notFound('no_basemap', 'The built-in basemap is missing; it is being built, ask again in a few seconds.');
      }
      // only this one archive: the tiles folder may hold others (field packages) that need a session
      const url = new URL(c.req.url);
      url.pathname = '/basemap.pmtiles';
      url.search = '';
      return files.fetch(new Request(url, { method: c.req.method, headers: c.req.raw.headers }));
    });
}
