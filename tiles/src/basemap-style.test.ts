import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import { type Basemap, basemapStyle, tiandituBasemap } from './basemap-style.ts';

const basemaps: Basemap[] = [
  { id: 'none', name: '无底图' },
  { id: 'builtin', name: '内置底图', type: 'pmtiles', url: '/tiles/basemap.pmtiles', attribution: '© OpenStreetMap contributors', schema: 'civgrid' },
  { id: 'toner', name: 'Toner', type: 'pmtiles', url: 'https://static.example.org/toner.pmtiles', attribution: 'Stamen' },
  tiandituBasemap('test-key'),
  { id: 'osm', name: 'OSM', type: 'xyz', tiles: ['https://tile.example.org/{z}/{x}/{y}.png'], attribution: '© OpenStreetMap contributors' },
];

describe('basemapStyle', () => {
  it.each(basemaps)('is a valid MapLibre style for $id', (basemap) => {
    const style = basemapStyle(basemap, 'http://localhost:3000');
    expect(validateStyleMin(style).map((e) => e.message)).toEqual([]);
  });

  it('points the built-in basemap at the archive through the pmtiles protocol', () => {
    const style = basemapStyle(basemaps[1]!, 'http://localhost:3000');
    expect(style.sources['basemap:builtin']).toMatchObject({ type: 'vector', url: 'pmtiles://http://localhost:3000/tiles/basemap.pmtiles' });
  });

  it('draws a configured PMTiles archive of another schema as raster tiles', () => {
    const style = basemapStyle(basemaps[2]!, 'http://x');
    expect(style.sources['basemap:toner']).toMatchObject({ type: 'raster', url: 'pmtiles://https://static.example.org/toner.pmtiles' });
  });

  it('stacks Tianditu labels over its vector map, with the key', () => {
    const style = basemapStyle(tiandituBasemap('abc'), 'http://x');
    const raster = style.layers.filter((l) => l.type === 'raster').map((l) => l.id);
    expect(raster).toEqual(['basemap:tianditu:0', 'basemap:tianditu:1']);
    const tiles = (style.sources['basemap:tianditu:1'] as { tiles: string[] }).tiles;
    expect(tiles[0]).toContain('LAYER=cva');
    expect(tiles[0]).toContain('tk=abc');
  });
});
