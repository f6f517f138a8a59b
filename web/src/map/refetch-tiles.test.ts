import type { SourceSpecification } from 'maplibre-gl';
import { describe, expect, it } from 'vitest';
import { refetchUnloadedTiles, type TileHolder, type TiledMap } from './refetch-tiles.ts';

/** A map whose sources hold tiles in the given states, recording what is done to them. */
function fakeMap(sources: Record<string, { spec: SourceSpecification; states: string[] }>) {
  const calls: string[] = [];
  const tileManagers: Record<string, TileHolder> = {};
  const handles: Record<string, { setTiles(tiles: string[]): void; setUrl(url: string): void }> = {};
  for (const [id, { states }] of Object.entries(sources)) {
    tileManagers[id] = {
      getIds: () => states.map((_, i) => String(i)),
      getTileByID: (tile) => {
        const state = states[Number(tile)];
        return state === undefined ? undefined : { state };
      },
      clearTiles: () => calls.push(`clear ${id}`),
    };
    handles[id] = {
      setTiles: (tiles) => calls.push(`setTiles ${id} ${tiles.join(' ')}`),
      setUrl: (url) => calls.push(`setUrl ${id} ${url}`),
    };
  }
  const map: TiledMap = {
    getStyle: () => ({ sources: Object.fromEntries(Object.entries(sources).map(([id, { spec }]) => [id, spec])) }),
    getSource: (id) => handles[id],
    style: { tileManagers },
  };
  return { map, calls };
}

const GRIDS = 'https://civgrid.example/tiles/grids/{z}/{x}/{y}.mvt';

describe('refetchUnloadedTiles', () => {
  it('drops the tiles of a source with a refused tile and fetches them anew from the same URLs', () => {
    const { map, calls } = fakeMap({ grids: { spec: { type: 'vector', tiles: [GRIDS] }, states: ['loaded', 'errored', 'loaded'] } });
    expect(refetchUnloadedTiles(map)).toEqual(['grids']);
    // cleared first: a refused tile reloaded in place would wait forever as 'loading'
    expect(calls).toEqual(['clear grids', `setTiles grids ${GRIDS}`]);
  });

  it('also fetches anew a source with tiles still on their way, which may have been asked for without the session', () => {
    const { map, calls } = fakeMap({
      roads: { spec: { type: 'vector', tiles: ['/tiles/roads/{z}/{x}/{y}.mvt'] }, states: ['loaded', 'loading'] },
      satellite: { spec: { type: 'raster', tiles: ['/tiles/sat/{z}/{x}/{y}.png'], tileSize: 256 }, states: ['reloading'] },
    });
    expect(refetchUnloadedTiles(map)).toEqual(['roads', 'satellite']);
    expect(calls).toEqual(['clear roads', 'setTiles roads /tiles/roads/{z}/{x}/{y}.mvt', 'clear satellite', 'setTiles satellite /tiles/sat/{z}/{x}/{y}.png']);
  });

  it('keeps a source whose tiles all loaded, so it does not blink', () => {
    const { map, calls } = fakeMap({
      'basemap:builtin': { spec: { type: 'vector', url: 'pmtiles:///api/public/map/basemap.pmtiles' }, states: ['loaded', 'loaded'] },
      grids: { spec: { type: 'vector', tiles: [GRIDS] }, states: ['errored'] },
    });
    expect(refetchUnloadedTiles(map)).toEqual(['grids']);
    expect(calls).not.toContain('clear basemap:builtin');
  });

  it('fetches a source given by its URL (a PMTiles archive, a TileJSON) through that URL', () => {
    const url = 'pmtiles://https://civgrid.example/tiles/basemap.pmtiles';
    const { map, calls } = fakeMap({ basemap: { spec: { type: 'vector', url }, states: ['loaded', 'errored'] } });
    expect(refetchUnloadedTiles(map)).toEqual(['basemap']);
    expect(calls).toEqual(['clear basemap', `setUrl basemap ${url}`]);
  });

  it('asks again for a tiled source that holds no tile at all: its TileJSON may have been refused', () => {
    const url = 'https://civgrid.example/tiles/problems.json';
    const { map, calls } = fakeMap({ problems: { spec: { type: 'vector', url }, states: [] } });
    expect(refetchUnloadedTiles(map)).toEqual(['problems']);
    expect(calls).toEqual(['clear problems', `setUrl problems ${url}`]);
  });

  it('leaves GeoJSON sources to the API calls that fill them', () => {
    const { map, calls } = fakeMap({ points: { spec: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } }, states: ['errored'] } });
    expect(refetchUnloadedTiles(map)).toEqual([]);
    expect(calls).toEqual([]);
  });
});
