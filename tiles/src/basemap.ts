/**
 * Offline basemap builder: GeoJSON layers (EPSG:4326) in, gzipped MVT tiles
 * and the PMTiles header options out. geojson-vt cuts one index per layer
 * (clipping, simplifying and quantising to 4096 units with a 64-unit buffer);
 * @maplibre/vt-pbf encodes each tile's non-empty layers; tiles with no
 * feature in any layer are left out, as the PMTiles spec wants.
 *
 * Pure (no database, no files), but Node only for gzip: the CLI in
 * cli/basemap.ts reads the layers from PostGIS and writes the archive.
 */
import { gzipSync } from 'node:zlib';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Feature } from 'geojson';
import GeoJSONVT, { type LegacyTile } from 'geojson-vt';
import type { PMTilesWriteOptions, TileInput } from './pmtiles-writer.ts';
import { type BBox, tileRangesForBBox, zxyToTileId } from './tile-math.ts';

export interface BasemapLayer {
  /** Source layer name in the tiles (`roads`, `water`, …). */
  id: string;
  description?: string;
  features: Feature[];
}

export interface BasemapOptions {
  minZoom: number;
  maxZoom: number;
  /** [west, south, east, north] in degrees: tiles covering it are built (the district's extent). */
  bounds: BBox;
  attribution?: string;
  name?: string;
}

export interface BasemapBuild {
  /** Gzipped MVT tiles in ascending PMTiles tile id order, ready for `writePMTilesFile`. */
  tiles: TileInput[];
  /** Header options and TileJSON metadata (`vector_layers`, `attribution`) for the writer. */
  writeOptions: PMTilesWriteOptions;
}

/** MVT extent used by geojson-vt and written into every layer. */
const EXTENT = 4096;

type FieldType = 'String' | 'Number' | 'Boolean';

/** TileJSON 3.0 `vector_layers` entry. */
export interface VectorLayer {
  id: string;
  description?: string;
  fields: Record<string, FieldType>;
  minzoom: number;
  maxzoom: number;
}

function fieldsOf(features: readonly Feature[]): Record<string, FieldType> {
  const fields: Record<string, FieldType> = {};
  for (const f of features) {
    for (const [key, value] of Object.entries(f.properties ?? {})) {
      if (typeof value === 'string') fields[key] = 'String';
      else if (typeof value === 'number') fields[key] ??= 'Number';
      else if (typeof value === 'boolean') fields[key] ??= 'Boolean';
    }
  }
  return fields;
}

/** The deepest zoom (within the range) at which the bounds are at most about two tiles wide. */
function centerZoom([west, south, east, north]: BBox, minZoom: number, maxZoom: number): number {
  const span = Math.max(east - west, (north - south) * 1.2, 1e-9);
  return Math.min(maxZoom, Math.max(minZoom, Math.floor(Math.log2(360 / span))));
}

export function buildBasemap(layers: readonly BasemapLayer[], options: BasemapOptions): BasemapBuild {
  const { minZoom, maxZoom, bounds } = options;
  if (!Number.isInteger(minZoom) || !Number.isInteger(maxZoom) || minZoom < 0 || minZoom > maxZoom || maxZoom > 24) {
    throw new RangeError(`zooms must be integers with 0 ≤ minZoom ≤ maxZoom ≤ 24, got ${minZoom}–${maxZoom}`);
  }
  const ids = new Set<string>();
  for (const layer of layers) {
    if (ids.has(layer.id)) throw new Error(`layer ${layer.id} is given twice`);
    ids.add(layer.id);
  }

  const indexes = layers
    .filter((layer) => layer.features.length > 0)
    .map((layer) => ({
      id: layer.id,
      index: new GeoJSONVT({ type: 'FeatureCollection', features: layer.features }, { maxZoom, extent: EXTENT, indexMaxZoom: Math.min(maxZoom, 5) }),
    }));

  const tiles: TileInput[] = [];
  for (let z = minZoom; z <= maxZoom; z++) {
    const zoomTiles: (TileInput & { tileId: number })[] = [];
    for (const range of tileRangesForBBox(bounds, z)) {
      for (let x = range.minX; x <= range.maxX; x++) {
        for (let y = range.minY; y <= range.maxY; y++) {
          const tileLayers: Record<string, LegacyTile> = {};
          let empty = true;
          for (const { id, index } of indexes) {
            const tile = index.getTile(z, x, y);
            if (tile && tile.features.length > 0) {
              tileLayers[id] = tile;
              empty = false;
            }
          }
          if (empty) continue;
          const mvt = fromGeojsonVt(tileLayers as never, { version: 2, extent: EXTENT });
          zoomTiles.push({ z, x, y, data: gzipSync(mvt, { level: 9 }), tileId: zxyToTileId(z, x, y) });
        }
      }
    }
    // Tile ids grow with the zoom; within a zoom they follow the Hilbert curve.
    zoomTiles.sort((a, b) => a.tileId - b.tileId);
    for (const { z: tz, x, y, data } of zoomTiles) tiles.push({ z: tz, x, y, data });
  }

  const vectorLayers: VectorLayer[] = layers.map((layer) => ({
    id: layer.id,
    ...(layer.description ? { description: layer.description } : {}),
    fields: fieldsOf(layer.features),
    minzoom: minZoom,
    maxzoom: maxZoom,
  }));
  const [west, south, east, north] = bounds;
  return {
    tiles,
    writeOptions: {
      tileType: 'mvt',
      tileCompression: 'gzip',
      minZoom,
      maxZoom,
      bounds,
      center: [(west + east) / 2, (south + north) / 2, centerZoom(bounds, minZoom, maxZoom)],
      metadata: {
        name: options.name ?? 'civgrid basemap',
        format: 'pbf',
        type: 'baselayer',
        vector_layers: vectorLayers,
        ...(options.attribution ? { attribution: options.attribution } : {}),
      },
    },
  };
}
