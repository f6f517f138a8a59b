/**
 * The map's style as pure functions of the data it draws and a theme: no map
 * object, no fetch. `mapStyle` is what MapLibre starts with (empty GeoJSON
 * sources, filled later with `setData`); the unit test validates it with
 * MapLibre's style validator for every theme.
 */
import { LAYERS, ROAD_CLASSES } from '@civgrid/tiles';
import type {
  DataDrivenPropertyValueSpecification, ExpressionSpecification,
  LayerSpecification, SourceSpecification, StyleSpecification,
} from 'maplibre-gl';
import type { Theme } from './theme.ts';

/** A group of map layers switched on and off together by one entry of the layer list. */
export type ToggleId =
  | 'streets' | 'communities' | 'grids' | 'roads' | 'road-sections' | 'inspection-points' | `zones:${string}`;

export interface DutyStyle {
  id: string;
  color: string;
}

export interface StyleData {
  /** Duty types with a zone layer, bottom to top. */
  duties: readonly DutyStyle[];
  /** Origin the vector tiles come from (`/tiles/{layer}/{z}/{x}/{y}.mvt`), e.g. `location.origin`. */
  tileBase: string;
  /** Which toggle groups are on; a group missing here is off. */
  visible: Partial<Record<ToggleId, boolean>>;
}

/** GeoJSON sources the app fills from `/api/layers/*`, plus computed ones. */
export const SOURCE = {
  context: 'context',
  district: 'district',
  streets: 'streets',
  communities: 'communities',
  grids: 'grids',
  roads: 'roads',
  roadSections: 'road-sections',
  points: 'inspection-points',
  /** Computed label points (one per street, community, neighbour), see `label-points.ts`. */
  labels: 'labels',
  selection: 'selection',
} as const;

export const zoneSource = (duty: string): string => `zones:${duty}`;
export const zoneToggle = (duty: string): ToggleId => `zones:${duty}`;

/** Layer ids that a click can hit. */
export const CLICKABLE = {
  points: 'inspection-points',
  roadSections: 'road-sections',
  zoneFill: (duty: string) => `zones:${duty}:fill`,
} as const;

const GROUP_KEY = 'civgrid:toggle';

/** The toggle group a style layer belongs to, if any. */
export function toggleOf(layer: LayerSpecification): ToggleId | undefined {
  const metadata = layer.metadata as Record<string, unknown> | undefined;
  const group = metadata?.[GROUP_KEY];
  return typeof group === 'string' ? (group as ToggleId) : undefined;
}

const EMPTY: SourceSpecification = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };

/**
 * The large layers (grids, roads, road sections, zones) come as vector tiles
 * from the server; the small ones (district, streets, communities, the 165
 * points, context) stay GeoJSON, which also feeds the computed labels.
 */
export const TILED: Partial<Record<string, { layer: string; minzoom: number }>> = {
  [SOURCE.grids]: { layer: 'grids', minzoom: 10 },
  [SOURCE.roads]: { layer: 'roads', minzoom: 8 },
  [SOURCE.roadSections]: { layer: 'road-sections', minzoom: 8 },
};
/** Zoom of the deepest tiles the server makes; MapLibre overzooms beyond it. */
const TILE_MAXZOOM = 16;

function vector(base: string, layer: string, minzoom: number, query = ''): SourceSpecification {
  return { type: 'vector', tiles: [`${base}/tiles/${layer}/{z}/{x}/{y}.mvt${query}`], minzoom, maxzoom: TILE_MAXZOOM };
}

export function mapSources(data: StyleData): Record<string, SourceSpecification> {
  const sources: Record<string, SourceSpecification> = {};
  for (const id of Object.values(SOURCE)) {
    const tiled = TILED[id];
    sources[id] = tiled ? vector(data.tileBase, tiled.layer, tiled.minzoom) : { ...EMPTY };
  }
  sources[SOURCE.context] = { ...EMPTY, attribution: '漓江 © OpenStreetMap contributors' } as SourceSpecification;
  sources[SOURCE.points] = { ...EMPTY, promoteId: 'id' } as SourceSpecification;
  for (const duty of data.duties) sources[zoneSource(duty.id)] = vector(data.tileBase, 'zones', 8, `?duty=${encodeURIComponent(duty.id)}`);
  return sources;
}

/** `source-layer` of a vector-tile source (the layer inside the tile has the layer's own name). */
function sourceLayer(source: string): { 'source-layer': string } | Record<string, never> {
  if (source.startsWith('zones:')) return { 'source-layer': 'zones' };
  const tiled = TILED[source];
  return tiled ? { 'source-layer': tiled.layer } : {};
}

const isPolygon: ExpressionSpecification = ['==', ['geometry-type'], 'Polygon'];
const isLine: ExpressionSpecification = ['==', ['geometry-type'], 'LineString'];

function pointColor(theme: Theme): DataDrivenPropertyValueSpecification<string> {
  const pairs = Object.entries(theme.pointColors).flat();
  if (pairs.length === 0) return theme.pointDefault;
  return ['match', ['get', 'point_type'], ...pairs, theme.pointDefault] as unknown as ExpressionSpecification;
}

function byZoom(stops: readonly (readonly [number, number])[]): ExpressionSpecification {
  return ['interpolate', ['exponential', 1.5], ['zoom'], ...stops.flat()] as ExpressionSpecification;
}

/**
 * Width of a duty zone's outline: 2.5 px at the district's opening zoom
 * (about 11), thinning to 1.2 px in the streets, where the fill shows.
 */
export const ZONE_LINE_WIDTH: ExpressionSpecification = ['interpolate', ['linear'], ['zoom'], 10, 2.8, 12, 2.2, 14, 1.2, 16, 1.6];

/** All layers, bottom to top. */
export function mapLayers(data: StyleData, theme: Theme): LayerSpecification[] {
  const on = (toggle: ToggleId) => (data.visible[toggle] ? 'visible' : 'none');
  const group = (toggle: ToggleId) => ({ metadata: { [GROUP_KEY]: toggle } });

  const layers: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': theme.background } },

    // Neighbouring districts and the Li River, for orientation.
    {
      id: 'context:neighbour-fill', type: 'fill', source: SOURCE.context,
      filter: ['all', ['==', ['get', 'kind'], 'neighbour'], isPolygon],
      paint: { 'fill-color': theme.neighbourFill, 'fill-outline-color': theme.neighbourLine },
    },
    {
      id: 'context:neighbour-line', type: 'line', source: SOURCE.context,
      filter: ['all', ['==', ['get', 'kind'], 'neighbour'], isPolygon],
      paint: { 'line-color': theme.neighbourLine, 'line-width': 1 },
    },
    { id: 'district:fill', type: 'fill', source: SOURCE.district, paint: { 'fill-color': theme.districtFill } },
    {
      id: 'context:water-fill', type: 'fill', source: SOURCE.context,
      filter: ['all', ['in', ['get', 'kind'], ['literal', ['river', 'water']]], isPolygon],
      paint: { 'fill-color': theme.river, 'fill-opacity': 0.55 },
    },
    {
      id: 'context:river-line', type: 'line', source: SOURCE.context,
      filter: ['all', ['in', ['get', 'kind'], ['literal', ['river', 'water']]], isLine],
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': theme.river, 'line-width': byZoom([[9, 2], [12, 5], [15, 16]]), 'line-opacity': 0.8 },
    },
  ];

  // Duty zones: translucent fills, so where two tiers overlap their colours
  // mix and where neither covers the ground the background shows (a gap).
  for (const duty of data.duties) {
    const toggle = zoneToggle(duty.id);
    layers.push(
      {
        id: CLICKABLE.zoneFill(duty.id), type: 'fill', source: zoneSource(duty.id), ...sourceLayer(zoneSource(duty.id)), ...group(toggle),
        layout: { visibility: on(toggle) },
        paint: { 'fill-color': duty.color, 'fill-opacity': theme.zoneFillOpacity },
      },
    );
  }

  layers.push(
    {
      id: 'grids:line', type: 'line', source: SOURCE.grids, ...sourceLayer(SOURCE.grids), minzoom: LAYERS.grids.minzoom, ...group('grids'),
      layout: { visibility: on('grids') },
      paint: { 'line-color': theme.gridLine, 'line-width': byZoom([[12, 0.5], [16, 1.2]]), 'line-opacity': 0.8 },
    },
    {
      id: 'communities:line', type: 'line', source: SOURCE.communities, minzoom: LAYERS.communities.minzoom,
      ...group('communities'),
      layout: { visibility: on('communities'), 'line-join': 'round' },
      paint: {
        'line-color': theme.communityLine, 'line-width': byZoom([[10, 0.6], [16, 1.8]]),
        'line-dasharray': [3, 2], 'line-opacity': 0.85,
      },
    },
    {
      id: 'streets:line', type: 'line', source: SOURCE.streets, ...group('streets'),
      layout: { visibility: on('streets'), 'line-join': 'round' },
      paint: { 'line-color': theme.streetLine, 'line-width': byZoom([[10, 1.2], [16, 3]]), 'line-opacity': 0.85 },
    },
    {
      id: 'district:line', type: 'line', source: SOURCE.district,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': theme.districtLine, 'line-width': byZoom([[9, 1.5], [16, 4]]) },
    },
  );

  // Roads, widest class on top, each with a thin white casing.
  const roadWidth = (base: number) => byZoom([[10, base * 0.5], [13, base * 1.2], [16, base * 4]]);
  const classes = [...ROAD_CLASSES].reverse();
  for (const road of classes) {
    layers.push({
      id: `roads:${road.id}:casing`, type: 'line', source: SOURCE.roads, ...sourceLayer(SOURCE.roads), ...group('roads'),
      filter: ['==', ['get', 'road_class'], road.id],
      layout: { visibility: on('roads'), 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': theme.roadCasing, 'line-width': roadWidth(road.width + 1), 'line-opacity': 0.9 },
    });
  }
  for (const road of classes) {
    layers.push({
      id: `roads:${road.id}`, type: 'line', source: SOURCE.roads, ...sourceLayer(SOURCE.roads), ...group('roads'),
      filter: ['==', ['get', 'road_class'], road.id],
      layout: { visibility: on('roads'), 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': theme.roads[road.id], 'line-width': roadWidth(road.width) },
    });
  }

  // Duty zones' outlines, above the roads: a zone only a street wide (市环卫 keeps the main roads'
  // corridors) is a pixel or two at the opening zoom, its translucent fill lost under the road
  // drawn on it; the outline, wider when zoomed out, keeps it visible as a band of its colour.
  // Top to bottom in the duties' order: where a lower tier's zones leave the upper tier's
  // corridors out (镇环卫 around 市环卫's roads), their shared edges show the upper tier's colour.
  for (const duty of [...data.duties].reverse()) {
    const toggle = zoneToggle(duty.id);
    layers.push({
      id: `zones:${duty.id}:line`, type: 'line', source: zoneSource(duty.id), ...sourceLayer(zoneSource(duty.id)), ...group(toggle),
      layout: { visibility: on(toggle), 'line-join': 'round' },
      paint: { 'line-color': duty.color, 'line-width': ZONE_LINE_WIDTH, 'line-opacity': 0.9 },
    });
  }

  layers.push(
    {
      id: CLICKABLE.roadSections, type: 'line', source: SOURCE.roadSections, ...sourceLayer(SOURCE.roadSections), ...group('road-sections'),
      layout: { visibility: on('road-sections'), 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': theme.roadSection, 'line-width': byZoom([[10, 2], [13, 3.5], [16, 8]]), 'line-opacity': 0.9 },
    },

    // Inspection points, above every shape; the labels come after them.
    {
      id: CLICKABLE.points, type: 'circle', source: SOURCE.points, ...group('inspection-points'),
      layout: { visibility: on('inspection-points') },
      paint: {
        'circle-color': pointColor(theme),
        'circle-radius': byZoom([[10, 3.5], [13, 5.5], [16, 8]]),
        'circle-stroke-color': theme.pointStroke,
        'circle-stroke-width': byZoom([[10, 1], [16, 2]]),
      },
    },
    // Labels above the points, so that no point hides a name (the halo keeps them legible over
    // a point). Labels are drawn by the browser's own fonts: the style has no `glyphs`
    // URL, so MapLibre rasterises every glyph locally (no font server, works offline).
    {
      id: 'roads:label', type: 'symbol', source: SOURCE.roads, ...sourceLayer(SOURCE.roads), minzoom: 14, ...group('roads'),
      filter: ['in', ['get', 'road_class'], ['literal', ['trunk', 'main', 'secondary']]],
      layout: {
        visibility: on('roads'), 'symbol-placement': 'line', 'text-field': ['get', 'name'],
        'text-size': 11, 'text-max-angle': 30, 'symbol-spacing': 300,
      },
      paint: { 'text-color': theme.labelText, 'text-halo-color': theme.labelHalo, 'text-halo-width': 1.5 },
    },
    {
      id: 'context:label', type: 'symbol', source: SOURCE.labels, maxzoom: 14,
      filter: ['==', ['get', 'kind'], 'neighbour'],
      layout: { 'text-field': ['get', 'name'], 'text-size': 13, 'text-letter-spacing': 0.2 },
      paint: { 'text-color': theme.neighbourText, 'text-halo-color': theme.neighbourFill, 'text-halo-width': 1.5 },
    },

    {
      id: 'communities:label', type: 'symbol', source: SOURCE.labels, minzoom: 13, ...group('communities'),
      filter: ['==', ['get', 'kind'], 'community'],
      layout: {
        visibility: on('communities'), 'text-field': ['get', 'name'], 'text-size': byZoom([[13, 11], [16, 14]]),
        'text-max-width': 6, 'text-padding': 4,
      },
      paint: { 'text-color': theme.communityLabel, 'text-halo-color': theme.labelHalo, 'text-halo-width': 1.4 },
    },
    {
      id: 'streets:label', type: 'symbol', source: SOURCE.labels, maxzoom: 15, ...group('streets'),
      filter: ['==', ['get', 'kind'], 'street'],
      layout: {
        visibility: on('streets'), 'text-field': ['get', 'name'], 'text-size': byZoom([[10, 12], [14, 17]]),
        'text-letter-spacing': 0.15, 'text-max-width': 8, 'text-allow-overlap': false,
      },
      paint: { 'text-color': theme.streetLabel, 'text-halo-color': theme.labelHalo, 'text-halo-width': 2 },
    },
    {
      id: 'selection:ring', type: 'circle', source: SOURCE.selection,
      paint: {
        'circle-radius': byZoom([[10, 8], [13, 10], [16, 14]]),
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': theme.selection,
        'circle-stroke-width': 2.5,
      },
    },
  );
  return layers;
}

export function mapStyle(data: StyleData, theme: Theme): StyleSpecification {
  return { version: 8, name: `civgrid-${theme.id}`, sources: mapSources(data), layers: mapLayers(data, theme) };
}
