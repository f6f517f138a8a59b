/**
 * Cuts a smaller PMTiles archive out of a bigger one: every tile of the source
 * that covers a bounding box, at every zoom of the source (or up to a given
 * one), copied byte for byte into a new archive with the same tile type,
 * compression and metadata. The field app's offline package carries such an
 * extract of the built-in basemap around a group's route.
 *
 * Node only (it writes through pmtiles-writer.ts).
 */
import { PMTilesError } from './pmtiles-error.ts';
import type { PMTilesHeader } from './pmtiles-format.ts';
import { bytesSource, PMTilesReader } from './pmtiles-reader.ts';
import { writePMTiles, type TileInput } from './pmtiles-writer.ts';
import { type BBox, countTilesInBBox, tilesInBBox } from './tile-math.ts';

export interface ExtractOptions {
  /** Deepest zoom to copy; defaults to the source's max zoom (never deeper). */
  maxZoom?: number;
  /** Refuse a bbox that would ask for more tiles than this (a guard against a whole-province box); default 50,000. */
  maxTiles?: number;
}

export interface PMTilesExtract {
  bytes: Uint8Array;
  /** The extract's header as a reader sees it. */
  header: PMTilesHeader;
  /** Tiles copied (addressed tiles of the extract). */
  tiles: number;
}

/**
 * The tiles of `source` covering `bbox` ([west, south, east, north], degrees)
 * as a new archive, or undefined when the source has no tile there. The
 * extract's bounds are the bbox (clipped to the source's bounds), its zooms
 * the source's min zoom to `maxZoom`.
 */
export async function extractPMTiles(source: PMTilesReader, bbox: BBox, options: ExtractOptions = {}): Promise<PMTilesExtract | undefined> {
  const header = await source.getHeader();
  const maxZoom = Math.min(options.maxZoom ?? header.maxZoom, header.maxZoom);
  const limit = options.maxTiles ?? 50_000;
  let wanted = 0;
  for (let z = header.minZoom; z <= maxZoom; z++) wanted += countTilesInBBox(bbox, z);
  if (wanted > limit) throw new PMTilesError('invalid_input', `the extract would need ${wanted} tiles, more than ${limit}`);

  const tiles: TileInput[] = [];
  for (let z = header.minZoom; z <= maxZoom; z++) {
    for (const { x, y } of tilesInBBox(bbox, z)) {
      const data = await source.getTile(z, x, y);
      if (data && data.length > 0) tiles.push({ z, x, y, data });
    }
  }
  if (tiles.length === 0) return undefined;

  const bounds: BBox = [
    Math.max(bbox[0], header.minLon),
    Math.max(bbox[1], header.minLat),
    Math.min(bbox[2], header.maxLon),
    Math.min(bbox[3], header.maxLat),
  ];
  const usable = bounds[0] < bounds[2] && bounds[1] < bounds[3];
  const box = usable ? bounds : bbox;
  const metadata = { ...(await source.getMetadata()), 'civgrid:extract': { bbox: box, sourceMaxZoom: header.maxZoom } };
  const centerZoom = Math.min(Math.max(header.centerZoom, header.minZoom), maxZoom);
  const bytes = writePMTiles(tiles, {
    tileType: header.tileType,
    tileCompression: header.tileCompression,
    metadata,
    minZoom: header.minZoom,
    maxZoom,
    bounds: box,
    center: [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, centerZoom],
  });
  return { bytes, header: await new PMTilesReader(bytesSource(bytes)).getHeader(), tiles: tiles.length };
}
