/**
 * The MapLibre style of a published snapshot: one vector source (the
 * snapshot's PMTiles archive) and the chosen layers coloured as in the web
 * app (LAYERS, POINT_TYPES, ROAD_CLASSES and the duty types' colours).
 * No `glyphs` and no symbol layers, so it draws offline with no font server.
 * Pure and browser-safe.
 */
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import { LAYERS, POINT_TYPES, ROAD_CLASSES } from './layers.ts';
import { type SnapshotLayerId, sourceLayerName, zoneDuty } from './snapshot-layers.ts';

export const SNAPSHOT_SOURCE = 'civgrid';
/** The circle layer of the inspection points (the same id as in the web app). */
export const SNAPSHOT_POINTS_LAYER = 'inspection-points';

export interface SnapshotStyleOptions {
  layers: readonly SnapshotLayerId[];
  /** Colour of each duty type in `layers` (`duty_types.color`); a missing one falls back to the zones colour. */
  dutyColors: Readonly<Record<string, string>>;
  /** `pmtiles://` URL of the archive, relative to the page: `pmtiles://civgrid.pmtiles`. */
  url: string;
  attribution: string;
  name?: string;
}

const BACKGROUND = '#e9edf1';
const DISTRICT_FILL = '#fbfbf8';
const ZONE_FILL_OPACITY = 0.34;

function byZoom(stops: readonly (readonly [number, number])[]): ExpressionSpecification {
  return ['interpolate', ['exponential', 1.5], ['zoom'], ...stops.flat()] as ExpressionSpecification;
}

const isArea: ExpressionSpecification = ['==', ['get', 'kind'], 'area'];

function pointColor(): ExpressionSpecification {
  return ['match', ['get', 'point_type'], ...POINT_TYPES.flatMap((type) => [type.id, type.color]), LAYERS['inspection-points'].color] as unknown as ExpressionSpecification;
}

/** The style layers of one snapshot layer, in drawing order within it. */
function layersOf(layer: SnapshotLayerId, dutyColors: Readonly<Record<string, string>>): LayerSpecification[] {
  const on = { source: SNAPSHOT_SOURCE, 'source-layer': sourceLayerName(layer) };
  const duty = zoneDuty(layer);
  if (duty !== undefined) {
    const color = dutyColors[duty] ?? LAYERS.zones.color;
    return [
      { id: `${layer}:fill`, type: 'fill', ...on, paint: { 'fill-color': color, 'fill-opacity': ZONE_FILL_OPACITY } },
      {
        id: `${layer}:line`, type: 'line', ...on, layout: { 'line-join': 'round' },
        paint: { 'line-color': color, 'line-width': byZoom([[10, 0.6], [15, 1.6]]), 'line-opacity': 0.9 },
      },
    ];
  }
  switch (layer) {
    case 'district':
      // the fill is drawn first of all (see snapshotStyle), the outline here
      return [{
        id: 'district:line', type: 'line', ...on, layout: { 'line-join': 'round' },
        paint: { 'line-color': LAYERS.district.color, 'line-width': byZoom([[9, 1.5], [16, 4]]) },
      }];
    case 'streets':
      return [{
        id: 'streets:line', type: 'line', ...on, filter: isArea, layout: { 'line-join': 'round' },
        paint: { 'line-color': LAYERS.streets.color, 'line-width': byZoom([[10, 1.2], [16, 3]]), 'line-opacity': 0.85 },
      }];
    case 'communities':
      return [{
        id: 'communities:line', type: 'line', ...on, filter: isArea, minzoom: LAYERS.communities.minzoom, layout: { 'line-join': 'round' },
        paint: { 'line-color': LAYERS.communities.color, 'line-width': byZoom([[10, 0.6], [16, 1.8]]), 'line-dasharray': [3, 2], 'line-opacity': 0.85 },
      }];
    case 'grids':
      return [{
        id: 'grids:line', type: 'line', ...on, minzoom: LAYERS.grids.minzoom,
        paint: { 'line-color': LAYERS.grids.color, 'line-width': byZoom([[12, 0.5], [16, 1.2]]), 'line-opacity': 0.8 },
      }];
    case 'roads': {
      // widest class on top, each over a thin white casing
      const classes = [...ROAD_CLASSES].reverse();
      const width = (base: number) => byZoom([[10, base * 0.5], [13, base * 1.2], [16, base * 4]]);
      const layout = { 'line-cap': 'round', 'line-join': 'round' } as const;
      return [
        ...classes.map((road): LayerSpecification => ({
          id: `roads:${road.id}:casing`, type: 'line', ...on, filter: ['==', ['get', 'road_class'], road.id], layout,
          paint: { 'line-color': '#ffffff', 'line-width': width(road.width + 1), 'line-opacity': 0.9 },
        })),
        ...classes.map((road): LayerSpecification => ({
          id: `roads:${road.id}`, type: 'line', ...on, filter: ['==', ['get', 'road_class'], road.id], layout,
          paint: { 'line-color': LAYERS.roads.color, 'line-width': width(road.width) },
        })),
      ];
    }
    case 'road-sections':
      return [{
        id: 'road-sections', type: 'line', ...on, layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: { 'line-color': LAYERS['road-sections'].color, 'line-width': byZoom([[10, 2], [13, 3.5], [16, 8]]), 'line-opacity': 0.9 },
      }];
    case 'inspection-points':
      return [{
        id: SNAPSHOT_POINTS_LAYER, type: 'circle', ...on,
        paint: {
          'circle-color': pointColor(),
          'circle-radius': byZoom([[10, 3.5], [13, 5.5], [16, 8]]),
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': byZoom([[10, 1], [16, 2]]),
        },
      }];
    default:
      throw new Error(`no style for layer ${layer}`);
  }
}

/** Drawing order, bottom to top: zones, then boundaries, roads, road sections and points. */
const ORDER = ['zones', 'grids', 'communities', 'streets', 'district', 'roads', 'road-sections', 'inspection-points'] as const;
const rank = (layer: SnapshotLayerId) => ORDER.indexOf(zoneDuty(layer) !== undefined ? 'zones' : (layer as (typeof ORDER)[number]));

export function snapshotStyle(options: SnapshotStyleOptions): StyleSpecification {
  const { layers, dutyColors } = options;
  const ordered = [...layers].sort((a, b) => rank(a) - rank(b));
  const style: LayerSpecification[] = [{ id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } }];
  if (layers.includes('district')) {
    style.push({ id: 'district:fill', type: 'fill', source: SNAPSHOT_SOURCE, 'source-layer': 'district', paint: { 'fill-color': DISTRICT_FILL } });
  }
  for (const layer of ordered) style.push(...layersOf(layer, dutyColors));
  return {
    version: 8,
    name: options.name ?? 'civgrid snapshot',
    sources: { [SNAPSHOT_SOURCE]: { type: 'vector', url: options.url, attribution: options.attribution } },
    layers: style,
  };
}
