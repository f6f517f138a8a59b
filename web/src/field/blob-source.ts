import { PMTiles, type RangeResponse, type Source } from 'pmtiles';
import { pmtilesProtocol } from '../map/maplibre.ts';

/**
 * A PMTiles source over a Blob held in IndexedDB: the pmtiles library reads
 * the archive by byte ranges through `getBytes`, which slices the Blob, so
 * the offline basemap is read with no network at all.
 */
export class BlobSource implements Source {
  constructor(
    private readonly key: string,
    private readonly blob: Blob,
  ) {}

  getKey(): string {
    return this.key;
  }

  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    return { data: await this.blob.slice(offset, offset + length).arrayBuffer() };
  }
}

/**
 * Adds the stored archive to the map's `pmtiles://` protocol under a URL of
 * its own (one per package version) and returns that URL; the style names
 * it as `pmtiles://<url>`.
 */
export function registerBlobArchive(version: string, blob: Blob): string {
  const url = `${location.origin}/field/offline/${version}.pmtiles`;
  if (!pmtilesProtocol.tiles.has(url)) pmtilesProtocol.add(new PMTiles(new BlobSource(url, blob)));
  return url;
}
