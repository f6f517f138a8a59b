import type { FeatureCollection } from 'geojson';
import type { FilterSpecification, LayerSpecification, SourceSpecification, StyleSpecification } from 'maplibre-gl';

/** The district's outline, its streets and the street and community labels (GET /api/public/map/area.geojson). */
export const AREA_SOURCE = 'citizen:area';
/** The built-in basemap's source in the public style (road names are drawn from it). */
const BUILTIN_SOURCE = 'basemap:builtin';

const kind = (k: string): FilterSpecification => ['==', ['get', 'kind'], k];

/**
 * The layers the citizen page draws over the public basemap: a light wash
 * over the district when there is no basemap to show the land, its outline, the
 * street boundaries, road names when the built-in basemap is there, and the
 * street and community names. Labels use the browser's own fonts (no glyph
 * server), as the staff map does.
 */
export function citizenLayers(options: { builtin: boolean }): LayerSpecification[] {
  const layers: LayerSpecification[] = [
    { id: 'citizen:district-fill', type: 'fill', source: AREA_SOURCE, filter: kind('district'), paint: { 'fill-color': '#ffffff', 'fill-opacity': options.builtin ? 0 : 0.55 } },
    {
      id: 'citizen:streets', type: 'line', source: AREA_SOURCE, filter: kind('street'),
      paint: { 'line-color': '#7c3aed', 'line-width': 1, 'line-opacity': 0.55, 'line-dasharray': [3, 2] },
    },
    {
      id: 'citizen:district', type: 'line', source: AREA_SOURCE, filter: kind('district'),
      layout: { 'line-join': 'round' },
      paint: { 'line-color': '#1d4ed8', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 2, 16, 4] },
    },
  ];
  if (options.builtin) {
    layers.push({
      id: 'citizen:road-names', type: 'symbol', source: BUILTIN_SOURCE, 'source-layer': 'roads', minzoom: 14,
      layout: { 'symbol-placement': 'line', 'text-field': ['get', 'name'], 'text-size': 12, 'text-max-angle': 30, 'symbol-spacing': 280 },
      paint: { 'text-color': '#334155', 'text-halo-color': '#ffffff', 'text-halo-width': 1.6 },
    });
  }
  layers.push(
    {
      id: 'citizen:community-names', type: 'symbol', source: AREA_SOURCE, filter: kind('community-label'), minzoom: 13.5,
      layout: { 'text-field': ['get', 'name'], 'text-size': 12, 'text-max-width': 6, 'text-padding': 4 },
      paint: { 'text-color': '#0f766e', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 },
    },
    {
      id: 'citizen:street-names', type: 'symbol', source: AREA_SOURCE, filter: kind('street-label'), maxzoom: 14,
      layout: { 'text-field': ['get', 'name'], 'text-size': ['interpolate', ['linear'], ['zoom'], 10, 12, 13, 15], 'text-max-width': 8 },
      paint: { 'text-color': '#5b21b6', 'text-halo-color': '#ffffff', 'text-halo-width': 2 },
    },
  );
  return layers;
}

/** The public basemap style with the citizen layers on top and the area as their source. */
export function citizenStyle(basemap: StyleSpecification, area: FeatureCollection): StyleSpecification {
  const builtin = BUILTIN_SOURCE in basemap.sources;
  const source: SourceSpecification = { type: 'geojson', data: area };
  return {
    ...basemap,
    sources: { ...basemap.sources, [AREA_SOURCE]: source },
    layers: [...basemap.layers, ...citizenLayers({ builtin })],
  };
}
