/**
 * How the groups' routes are drawn (the map beside the planner's panel and the
 * route sheet's map share it): each route a line in its group's colour over a
 * white casing, each stop a circle in that colour with its visiting order in
 * it. Pure functions of the highlighted group and the selected stop.
 */
import type { ExpressionSpecification, LayerSpecification } from 'maplibre-gl';

export const ROUTES_SOURCE = 'inspection-routes';

export const ROUTE_LAYER = {
  casing: 'inspection-routes:casing',
  line: 'inspection-routes:line',
  stops: 'inspection-routes:stops',
  numbers: 'inspection-routes:numbers',
  selected: 'inspection-routes:selected',
} as const;

const isRoute: ExpressionSpecification = ['==', ['get', 'kind'], 'route'];
const isStop: ExpressionSpecification = ['==', ['get', 'kind'], 'stop'];
const color: ExpressionSpecification = ['coalesce', ['get', 'color'], '#2563eb'];

/** `full` for the highlighted group (or every group when none is), `dim` for the others. */
export function byHighlight(highlight: number | null, full: number, dim: number): number | ExpressionSpecification {
  if (highlight === null) return full;
  return ['case', ['==', ['get', 'groupId'], highlight], full, dim];
}

/** The layers, bottom to top; `scale` enlarges them for a printed map. */
export function routeLayers(highlight: number | null, selectedPointId: number | null, scale = 1): LayerSpecification[] {
  const zoomed = (a: number, b: number): ExpressionSpecification => ['interpolate', ['linear'], ['zoom'], 11, a * scale, 16, b * scale];
  return [
    {
      id: ROUTE_LAYER.casing, type: 'line', source: ROUTES_SOURCE, filter: isRoute,
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#ffffff', 'line-width': zoomed(5, 10), 'line-opacity': byHighlight(highlight, 0.9, 0.25) },
    },
    {
      id: ROUTE_LAYER.line, type: 'line', source: ROUTES_SOURCE, filter: isRoute,
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': color, 'line-width': zoomed(3, 6), 'line-opacity': byHighlight(highlight, 0.95, 0.2) },
    },
    {
      id: ROUTE_LAYER.stops, type: 'circle', source: ROUTES_SOURCE, filter: isStop,
      paint: {
        'circle-color': color,
        'circle-radius': zoomed(7, 11),
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5 * scale,
        'circle-opacity': byHighlight(highlight, 1, 0.25),
        'circle-stroke-opacity': byHighlight(highlight, 1, 0.25),
      },
    },
    {
      id: ROUTE_LAYER.numbers, type: 'symbol', source: ROUTES_SOURCE, filter: isStop,
      layout: {
        'text-field': ['to-string', ['get', 'order']],
        'text-size': zoomed(9, 12),
        'text-allow-overlap': true,
        'text-ignore-placement': true,
        'symbol-sort-key': ['get', 'order'],
      },
      paint: { 'text-color': '#ffffff', 'text-opacity': byHighlight(highlight, 1, 0) },
    },
    {
      id: ROUTE_LAYER.selected, type: 'circle', source: ROUTES_SOURCE,
      filter: ['all', isStop, ['==', ['get', 'pointId'], selectedPointId ?? -1]],
      paint: { 'circle-radius': zoomed(11, 16), 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#0f172a', 'circle-stroke-width': 2.5 },
    },
  ];
}
