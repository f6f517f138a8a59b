import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import type { Feature } from 'geojson';
import { PbfReader } from 'pbf';
import { describe, expect, it } from 'vitest';
import { type BasemapLayer, buildBasemap } from './basemap.ts';
import { bytesSource, PMTilesReader } from './pmtiles-reader.ts';
import { writePMTiles } from './pmtiles-writer.ts';

const W = 110.2;
const S = 25.1;
const E = 110.3;
const N = 25.2;

const district: Feature = {
  type: 'Feature',
  properties: { name: '测试区', code: '450399' },
  geometry: { type: 'Polygon', coordinates: [[[W, S], [E, S], [E, N], [W, N], [W, S]]] },
};
const road: Feature = {
  type: 'Feature',
  properties: { name: '中山路', road_class: 'main' },
  geometry: { type: 'LineString', coordinates: [[110.22, 25.12], [110.28, 25.18]] },
};
// The river runs on past the district; tiles stop at the district's bounds.
const river: Feature = {
  type: 'Feature',
  properties: { name: '漓江' },
  geometry: { type: 'LineString', coordinates: [[110.25, 25.0], [110.26, 25.15], [110.25, 25.3]] },
};

const layers: BasemapLayer[] = [
  { id: 'district', features: [district] },
  { id: 'water', features: [river] },
  { id: 'roads', features: [road] },
  { id: 'streets', features: [] },
];

async function build() {
  const { tiles, writeOptions } = buildBasemap(layers, { minZoom: 10, maxZoom: 12, bounds: [W, S, E, N], attribution: '© test' });
  const reader = new PMTilesReader(bytesSource(writePMTiles(tiles, writeOptions)));
  return { tiles, reader };
}

describe('buildBasemap', () => {
  it('builds one tile per tile covering the district, every zoom', async () => {
    // Tile columns x = floor((lon + 180) / 360 · 2^z) and rows
    // y = floor((1 − asinh(tan φ) / π) / 2 · 2^z), worked out by hand:
    //   z10: x 825.46–825.74, y 437.89–438.20 → 1 × 2 = 2 tiles
    //   z11: x 1650.92–1651.48, y 875.78–876.41 → 2 × 2 = 4 tiles
    //   z12: x 3301.83–3302.97, y 1751.56–1752.82 → 2 × 2 = 4 tiles
    const { tiles, reader } = await build();
    expect(tiles).toHaveLength(10);
    const header = await reader.getHeader();
    expect(header).toMatchObject({ tileType: 'mvt', tileCompression: 'gzip', minZoom: 10, maxZoom: 12, numAddressedTiles: 10 });
    expect(header.minLon).toBeCloseTo(W, 6);
    expect(header.maxLat).toBeCloseTo(N, 6);
    expect((await reader.directoryStats()).addressedTiles).toBe(10);
    for (const [x, y] of [[825, 437], [825, 438]] as const) expect(await reader.getTile(10, x, y)).toBeDefined();
    expect(await reader.getTile(10, 826, 438)).toBeUndefined();

    const metadata = await reader.getMetadata();
    expect(metadata.attribution).toBe('© test');
    expect(metadata.vector_layers).toEqual([
      { id: 'district', fields: { name: 'String', code: 'String' }, minzoom: 10, maxzoom: 12 },
      { id: 'water', fields: { name: 'String' }, minzoom: 10, maxzoom: 12 },
      { id: 'roads', fields: { name: 'String', road_class: 'String' }, minzoom: 10, maxzoom: 12 },
      { id: 'streets', fields: {}, minzoom: 10, maxzoom: 12 },
    ]);
  });

  it('encodes the road with its name in the roads layer of a z12 tile', async () => {
    const { reader } = await build();
    // The road starts at tile coordinates (3302.06, 1752.57) at z12: inside tile 12/3302/1752.
    const gz = await reader.getTile(12, 3302, 1752);
    expect(gz).toBeDefined();
    const tile = new VectorTile(new PbfReader(gunzipSync(gz as Uint8Array)));
    expect(Object.keys(tile.layers).sort()).toEqual(['district', 'roads', 'water']);
    const roads = tile.layers.roads;
    expect(roads?.length).toBe(1);
    const feature = roads?.feature(0);
    expect(feature?.type).toBe(2);
    expect(feature?.properties).toEqual({ name: '中山路', road_class: 'main' });
    expect(roads?.extent).toBe(4096);
    expect(tile.layers.district?.feature(0).type).toBe(3);
  });

  it('leaves out tiles where no layer has a feature', () => {
    const { tiles } = buildBasemap([{ id: 'roads', features: [road] }], { minZoom: 12, maxZoom: 12, bounds: [W, S, E, N] });
    // At z12 the road runs from (3302.06, 1752.57) to (3302.74, 1751.81) in tile units: column 3302
    // only, more than the 64/4096 buffer away from column 3301, so the district's west column is empty.
    expect(tiles.map((t) => `${t.z}/${t.x}/${t.y}`).sort()).toEqual(['12/3302/1751', '12/3302/1752']);
  });
});
