import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import type { StyleSpecification } from 'maplibre-gl';
import { describe, expect, it } from 'vitest';
import { AREA_SOURCE, citizenStyle } from './citizen-style.ts';

const area = { type: 'FeatureCollection' as const, features: [] };
const background = { id: 'background', type: 'background' as const, paint: { 'background-color': '#f3f4f6' } };
const plain: StyleSpecification = { version: 8, sources: {}, layers: [background] };
// as GET /api/public/map/style.json answers with the built-in basemap
const builtin: StyleSpecification = {
  version: 8,
  sources: { 'basemap:builtin': { type: 'vector', url: 'pmtiles://http://localhost/api/public/map/basemap.pmtiles' } },
  layers: [background, { id: 'basemap:builtin:roads', type: 'line', source: 'basemap:builtin', 'source-layer': 'roads' }],
};

describe('citizen map style', () => {
  it('passes the MapLibre style validator with and without the built-in basemap', () => {
    for (const basemap of [plain, builtin]) expect(validateStyleMin(citizenStyle(basemap, area)).map((e) => e.message)).toEqual([]);
  });

  it('keeps the basemap underneath and draws road names only from the built-in basemap', () => {
    const withBuiltin = citizenStyle(builtin, area).layers.map((l) => l.id);
    expect(withBuiltin.slice(0, 2)).toEqual(['background', 'basemap:builtin:roads']);
    expect(withBuiltin).toContain('citizen:road-names');
    expect(citizenStyle(plain, area).layers.map((l) => l.id)).not.toContain('citizen:road-names');
  });

  it('draws from sources the style has, with unique layer ids', () => {
    const style = citizenStyle(builtin, area);
    expect(style.sources[AREA_SOURCE]).toEqual({ type: 'geojson', data: area });
    const ids = style.layers.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const layer of style.layers) if ('source' in layer) expect(style.sources).toHaveProperty([layer.source as string]);
  });
});
