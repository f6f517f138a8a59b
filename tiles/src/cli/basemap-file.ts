/**
 * Builds the offline basemap archive from the database: the district, its
 * neighbours, the river, the roads, the streets and the communities, cut into
 * gzipped MVT tiles at z8–16 and written atomically. Used by
 * `pnpm tiles:basemap`, the benchmarks and the browser test.
 */
import type { DB } from '@civgrid/db';
import type { Kysely } from 'kysely';
import { type BasemapLayer, buildBasemap } from '../basemap.ts';
import { type DatabaseLayerId, districtBounds, readLayers } from './database-layers.ts';
import { writeArchive } from './write-archive.ts';

export const BASEMAP_MIN_ZOOM = 8;
export const BASEMAP_MAX_ZOOM = 16;
const ATTRIBUTION = '© OpenStreetMap contributors (漓江); 区界 DataV';
const LAYERS: readonly DatabaseLayerId[] = ['district', 'neighbours', 'water', 'roads', 'streets', 'communities'];

export class NoDistrictError extends Error {
  constructor() {
    super('No district in the database: run `pnpm seed` first.');
  }
}

export async function buildBasemapFile(db: Kysely<DB>, out: string): Promise<{ tiles: number; size: number; layers: BasemapLayer[] }> {
  const bounds = await districtBounds(db);
  if (!bounds) throw new NoDistrictError();
  const layers = await readLayers(db, LAYERS);
  const { tiles, writeOptions } = buildBasemap(layers, {
    minZoom: BASEMAP_MIN_ZOOM,
    maxZoom: BASEMAP_MAX_ZOOM,
    bounds,
    attribution: ATTRIBUTION,
    name: 'civgrid basemap',
  });
  if (tiles.length === 0) throw new Error('The layers produced no tile.');
  const result = await writeArchive(out, tiles, writeOptions);
  return { tiles: tiles.length, size: result.size, layers };
}
