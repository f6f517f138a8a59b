import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Basemap, basemapStyle, tiandituBasemap } from '@civgrid/tiles';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { notFound } from '../../http/errors.ts';
import { validate } from '../../http/validate.ts';

/** The built-in basemap archive's one URL, readable without a session (desktop, citizen page). */
export const PUBLIC_BASEMAP_URL = '/api/public/map/basemap.pmtiles';

/** One name for the built-in basemap, the same in the API and the UI (layers.basemapBuiltin). */
export const BUILTIN_BASEMAP_NAME = '内置离线底图';

/**
 * The basemaps this installation offers, in menu order, the first the default:
 * the built-in offline basemap (once its archive exists), plain, Tianditu,
 * configured ones. A missing archive is asked to be built (see BuiltinBasemapBuilder).
 */
export function availableBasemaps(deps: Pick<AppDeps, 'tilesDir' | 'basemaps' | 'basemapBuilder'>): Basemap[] {
  const list: Basemap[] = [];
  if (deps.tilesDir && existsSync(join(deps.tilesDir, 'basemap.pmtiles'))) {
    // its one public URL (the citizen page's too): the archive holds nothing a session guards, and a map
    // whose session ends keeps its basemap instead of tiles refused with 401 that MapLibre never asks for again
    list.push({ id: 'builtin', name: BUILTIN_BASEMAP_NAME, type: 'pmtiles', url: PUBLIC_BASEMAP_URL, attribution: '区界 DataV · 漓江 © OpenStreetMap contributors', schema: 'civgrid' });
  } else {
    deps.basemapBuilder?.request();
  }
  list.push({ id: 'none', name: '无底图' });
  if (deps.basemaps?.tiandituKey) list.push(tiandituBasemap(deps.basemaps.tiandituKey));
  list.push(...(deps.basemaps?.custom ?? []));
  return list;
}

/** Origins that basemap tiles come from, for the Content-Security-Policy. */
export function basemapOrigins(deps: Pick<AppDeps, 'basemaps'>): string[] {
  const origins = new Set<string>();
  if (deps.basemaps?.tiandituKey) origins.add('https://*.tianditu.gov.cn');
  for (const b of deps.basemaps?.custom ?? []) {
    for (const url of 'tiles' in b ? b.tiles : 'url' in b ? [b.url] : []) {
      if (/^https?:\/\//.test(url)) origins.add(new URL(url.replace(/\{[a-z]\}/g, '0')).origin);
    }
  }
  return [...origins];
}

export function mapRoutes(deps: Pick<AppDeps, 'tilesDir' | 'basemaps' | 'basemapBuilder'>) {
  return new Hono<Env>()
    .get('/basemaps', (c) => {
      // the key stays on the server side of the list; the style carries it only in tile URLs
      return c.json(availableBasemaps(deps).map((b) => ({ id: b.id, name: b.name, type: 'type' in b ? b.type : 'none' })));
    })
    .get('/style.json', validate('query', z.object({ basemap: z.string().max(40).optional() })), (c) => {
      const id = c.req.valid('query').basemap;
      // without a choice, the default: the first on offer
      const basemap = id === undefined ? availableBasemaps(deps)[0] : availableBasemaps(deps).find((b) => b.id === id);
      if (!basemap) {
        throw notFound('unknown_basemap', `No basemap "${id}" here`, { basemaps: availableBasemaps(deps).map((b) => b.id) });
      }
      return c.json(basemapStyle(basemap, new URL(c.req.url).origin));
    });
}
