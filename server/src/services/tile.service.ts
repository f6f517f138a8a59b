import { LRUCache } from 'lru-cache';
import { notFound } from '../http/errors.ts';
import type { LayerVersions } from './layer-versions.ts';
import type { TileEncoder, TileFilters, TileLayerId, TileRepository } from '../repositories/tile.repository.ts';

export interface TileAnswer {
  /** null: no feature in this tile (answered 204). */
  body: Uint8Array | null;
  etag: string;
  cached: boolean;
}

/** Zoom levels below which a layer is not served (it would be clutter or too heavy). */
export const TILE_MINZOOM: Record<TileLayerId, number> = {
  district: 0, streets: 0, context: 0, communities: 8, grids: 10, roads: 8, 'road-sections': 8,
  'inspection-points': 8, zones: 8, problems: 8,
};
export const TILE_MAXZOOM = 22;
/** Zoom beyond which clients overzoom the last tile instead of asking. */
export const TILE_DATA_MAXZOOM = 16;

/**
 * Tiles with an ETag from the layer's data version and an in-process LRU
 * cache keyed by that version: a write anywhere bumps the version in the
 * database, so every server process stops serving its stale copies at once.
 */
export class TileService {
  private readonly cache = new LRUCache<string, { body: Uint8Array | null }>({
    max: 20_000,
    maxSize: 128 * 1024 * 1024,
    sizeCalculation: (entry) => Math.max(64, entry.body?.byteLength ?? 0),
  });

  constructor(
    private readonly tiles: TileRepository,
    private readonly engine: string,
    private readonly versions: LayerVersions,
  ) {}

  async tile(layer: TileLayerId, z: number, x: number, y: number, filters: TileFilters, encoder?: TileEncoder): Promise<TileAnswer> {
    // no round trip: versions arrive by NOTIFY (see LayerVersions)
    if (filters.duty !== undefined && !(await this.versions.dutyExists(filters.duty))) {
      throw notFound('unknown_duty_type', `Unknown duty type "${filters.duty}"`);
    }
    const version = await this.versions.version(layer);
    const query = JSON.stringify(filters);
    const etag = `"${this.engine}-${layer}-v${version}-${hash(query)}"`;
    const key = `${layer}|${version}|${z}/${x}/${y}|${query}|${encoder ?? ''}`;
    if (z < TILE_MINZOOM[layer]) return { body: null, etag, cached: false };
    const hit = this.cache.get(key);
    if (hit) return { body: hit.body, etag, cached: true };
    const body = await this.tiles.tile(layer, z, x, y, filters, encoder);
    this.cache.set(key, { body });
    return { body, etag, cached: false };
  }

  bumpVersion(layer: TileLayerId): Promise<void> {
    return this.versions.bump(layer);
  }
}

/** FNV-1a, enough to tell filter sets apart in an ETag. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}
