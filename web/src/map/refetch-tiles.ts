import type { SourceSpecification } from 'maplibre-gl';

/** The parts of a MapLibre map that `refetchUnloadedTiles` reads (a `maplibregl.Map` is one). */
export interface TiledMap {
  getStyle(): { sources: Record<string, SourceSpecification> };
  getSource(id: string): unknown;
  style: { tileManagers: Record<string, TileHolder | undefined> };
}

/** What MapLibre's TileManager offers for this: the tiles it holds for the view, and dropping them. */
export interface TileHolder {
  getIds(): string[];
  getTileByID(id: string): { state: string } | undefined;
  clearTiles(): void;
}

/** Vector, raster and raster-dem sources: both setters fetch the tiles anew (and the TileJSON of a `url`). */
interface TiledSource {
  setTiles(tiles: string[]): unknown;
  setUrl(url: string): unknown;
}

const TILED = new Set(['vector', 'raster', 'raster-dem']);

/**
 * After an ended session is renewed: every tiled source that holds a tile
 * not loaded (refused with 401, or asked for without the session and still
 * on its way) drops its tiles and fetches the ones its view needs anew.
 * Sources whose tiles all loaded keep them, so they do not blink.
 *
 * Dropped, not reloaded in place: MapLibre reloads a failed tile as
 * 'loading' and then waits on it forever, and a request still on its way
 * would answer 401 after the renewal and end the session again. The tiles
 * refused only as stand-ins (MapLibre asks for a missing tile's parents to
 * show meanwhile) are not asked for again once the tiles they stood in for
 * are there, rightly. Returns the ids of the sources fetched anew.
 *
 * A PMTiles archive behind the session would not recover this way: the
 * `pmtiles` protocol throws a refusal without its status (no dialog) and
 * keeps a refused header for good. Hence the built-in basemap's public URL.
 */
export function refetchUnloadedTiles(map: TiledMap): string[] {
  const refetched: string[] = [];
  for (const [id, spec] of Object.entries(map.getStyle().sources)) {
    if (!TILED.has(spec.type)) continue;
    const manager = map.style.tileManagers[id];
    if (!manager) continue;
    const ids = manager.getIds();
    // none at all: possibly its TileJSON was refused; fetching it again costs little
    if (ids.length > 0 && ids.every((tile) => manager.getTileByID(tile)?.state === 'loaded')) continue;
    const tiles = 'tiles' in spec ? spec.tiles : undefined;
    const url = 'url' in spec ? spec.url : undefined;
    if (!tiles && !url) continue;
    manager.clearTiles();
    const source = map.getSource(id) as TiledSource | undefined;
    if (tiles) source?.setTiles(tiles);
    else if (url) source?.setUrl(url);
    refetched.push(id);
  }
  return refetched;
}
