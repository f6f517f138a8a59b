/**
 * The heat-map view's map styling as pure functions: the heat map of the
 * problems tiles (weighted by the cells' `count`), the circles that take
 * over at street level, and the grid choropleth's classes and colours.
 */
import type { ExpressionSpecification, LayerSpecification } from 'maplibre-gl';

export const HEAT_SOURCE = 'heat:problems';
export const HEAT_LAYER = 'heat:heatmap';
export const HEAT_POINTS = 'heat:points';
export const CHOROPLETH_LAYER = 'heat:choropleth';
export const CHOROPLETH_LINE = 'heat:choropleth-line';

/** Heat-map radius in pixels at a few zooms; the weights are worked out at the same zooms. */
export const RADIUS_STOPS: readonly (readonly [zoom: number, px: number])[] = [[9, 10], [11, 18], [13, 24], [15, 28], [16, 30]];
/** How much denser than the area's average a place must be to glow red, seen at the district's zoom. */
export const HOT_FACTOR = 8;
/** The district's zoom: at and below it the weights keep the picture the same at every zoom. */
export const DISTRICT_ZOOM = 11;
/** A point's Gaussian in MapLibre's heat map integrates to about this many px² times the radius² (0.4 × 2π/9). */
export const KERNEL_AREA = 0.279;
const EARTH_CIRCUMFERENCE = 40_075_016.686;

/** Ground metres per CSS pixel at a zoom (512-pixel tiles), at a latitude. */
export function metresPerPixel(zoom: number, lat: number): number {
  return (EARTH_CIRCUMFERENCE * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** zoom);
}

/**
 * The heat map's intensity: how much one problem weighs at each radius stop
 * (times the base intensity). Up to the district's
 * zoom, a place HOT_FACTOR times as dense as the area's average (total ÷
 * area) sums to 1 under one point's kernel, whatever the number of problems
 * the filters leave: the heat map shows where problems crowd, not how many
 * were chosen. A pixel covers a quarter of the ground a zoom further in, but
 * crowds are denser at their core than on average: holding the same rule
 * there would paint every street of a hot spot red, so above the district's
 * zoom the weight grows by 2 per zoom instead of 4, and only the cores of the
 * crowds stay hot (single problems show as circles from zoom 15 on).
 *
 * The weight goes into `heatmap-intensity`, not `heatmap-weight`: the two
 * multiply, and the weight per feature stays the cell's `count`. A change of
 * the intensity only repaints, while a new data-driven weight makes MapLibre
 * re-parse every tile of the source, and when that lands in the same frame as
 * `setTiles` for new filters (the statistics of the new filters change the
 * weights), MapLibre 6 drops the new URLs' reload and re-parses the old tiles
 * instead: the heat map kept showing the old filters.
 */
export function heatIntensity(total: number, areaM2: number, lat: number): ExpressionSpecification {
  const stops = RADIUS_STOPS.flatMap(([zoom]) => [zoom, baseIntensity(zoom) * problemWeight(zoom, total, areaM2, lat)]);
  return ['interpolate', ['exponential', 2], ['zoom'], ...stops] as unknown as ExpressionSpecification;
}

/** The heat map's own intensity at a zoom, before the weight of one problem: a little stronger further in. */
export function baseIntensity(zoom: number): number {
  return 0.9 + (0.4 * (Math.min(Math.max(zoom, 9), 16) - 9)) / 7;
}

/** How much one problem weighs at one of the radius stops' zooms (see heatIntensity). */
export function problemWeight(zoom: number, total: number, areaM2: number, lat: number): number {
  if (total <= 0 || areaM2 <= 0) return 0.05;
  const hot = (HOT_FACTOR * total) / areaM2; // problems per m²
  const radiusAt = (z: number) => RADIUS_STOPS.find(([stop]) => stop === z)![1];
  const even = (z: number) => 1 / (KERNEL_AREA * radiusAt(z) ** 2 * hot * metresPerPixel(z, lat) ** 2);
  if (zoom <= DISTRICT_ZOOM) return even(zoom);
  return even(DISTRICT_ZOOM) * 2 ** (zoom - DISTRICT_ZOOM) * (radiusAt(DISTRICT_ZOOM) / radiusAt(zoom)) ** 2;
}

/** Transparent → blue → yellow → red, by the heat map's density. */
const HEAT_COLORS: ExpressionSpecification = [
  'interpolate', ['linear'], ['heatmap-density'],
  0, 'rgba(37,99,235,0)',
  0.1, 'rgba(37,99,235,0.45)',
  0.3, 'rgb(34,197,94)',
  0.5, 'rgb(250,204,21)',
  0.75, 'rgb(249,115,22)',
  1, 'rgb(220,38,38)',
];

/** Open problems red, closed ones grey, voided ones pale (single problems, from zoom 16). */
const STATUS_COLOR: ExpressionSpecification = [
  'match', ['get', 'status'],
  'closed', '#64748b',
  'void', '#cbd5e1',
  '#dc2626',
];

/** The heat map, fading out at street level, where circles (cells sized by count, then single problems) fade in. */
export function heatLayers(intensity: ExpressionSpecification): LayerSpecification[] {
  const count: ExpressionSpecification = ['coalesce', ['get', 'count'], 1];
  return [
    {
      id: HEAT_LAYER, type: 'heatmap', source: HEAT_SOURCE, 'source-layer': 'problems', maxzoom: 17,
      paint: {
        'heatmap-weight': count,
        'heatmap-intensity': intensity,
        'heatmap-radius': ['interpolate', ['linear'], ['zoom'], ...RADIUS_STOPS.flat()] as unknown as ExpressionSpecification,
        'heatmap-color': HEAT_COLORS,
        'heatmap-opacity': ['interpolate', ['linear'], ['zoom'], 14.5, 0.85, 16.5, 0],
      },
    },
    {
      id: HEAT_POINTS, type: 'circle', source: HEAT_SOURCE, 'source-layer': 'problems', minzoom: 14.5,
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['sqrt', count], 1, 3.5, 10, 9, 40, 16],
        // a cell of several problems (below zoom 16) in the heat map's orange; single problems by status
        'circle-color': ['case', ['has', 'status'], STATUS_COLOR, '#c2410c'],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1,
        'circle-opacity': ['interpolate', ['linear'], ['zoom'], 14.5, 0, 16, 0.9],
        'circle-stroke-opacity': ['interpolate', ['linear'], ['zoom'], 14.5, 0, 16, 1],
      },
    },
  ];
}

/** Five classes, light to dark (ColorBrewer YlOrRd). */
export const CLASS_COLORS = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'] as const;
const NONE = 'rgba(0,0,0,0)';

/** `value` rounded up to two significant digits (nice legend bounds). */
function niceUp(value: number): number {
  if (value <= 0) return 0;
  const e = Math.floor(Math.log10(value)) - 1;
  // whole powers of ten on the side that keeps the arithmetic exact
  return e >= 0 ? Math.ceil(value / 10 ** e - 1e-9) * 10 ** e : Math.ceil(value * 10 ** -e - 1e-9) / 10 ** -e;
}

/**
 * Upper bounds of up to five classes: quantiles of the non-zero values
 * (counts of problems are skewed, equal intervals would paint nearly every
 * grid in the first class), rounded up to two significant digits; the last
 * is the largest value. Empty when nothing is above zero.
 */
export function classBreaks(values: readonly number[], classes = CLASS_COLORS.length): number[] {
  const sorted = values.filter((v) => v > 0).sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const max = sorted[sorted.length - 1]!;
  const breaks: number[] = [];
  for (let k = 1; k < classes; k++) {
    const q = sorted[Math.min(sorted.length - 1, Math.ceil((k / classes) * sorted.length) - 1)]!;
    const bound = Math.min(niceUp(q), max);
    if (bound > (breaks[breaks.length - 1] ?? 0) && bound < max) breaks.push(bound);
  }
  breaks.push(max);
  return breaks;
}

/** The class colour of a value (transparent for 0: no problems, no colour). */
export function classColor(value: number, breaks: readonly number[]): string {
  if (value <= 0 || breaks.length === 0) return NONE;
  const k = breaks.findIndex((b) => value <= b);
  const palette = paletteFor(breaks.length);
  return palette[k === -1 ? palette.length - 1 : k]!;
}

/** The palette's colours for `n` classes, spread from light to dark. */
export function paletteFor(n: number): string[] {
  if (n >= CLASS_COLORS.length) return [...CLASS_COLORS];
  if (n <= 1) return [CLASS_COLORS[CLASS_COLORS.length - 1]!];
  return Array.from({ length: n }, (_, i) => CLASS_COLORS[Math.round((i * (CLASS_COLORS.length - 1)) / (n - 1))]!);
}

/** The choropleth's fill colour: a `match` on the unit's code. */
export function choroplethColor(values: readonly { code: string; value: number }[], breaks: readonly number[]): ExpressionSpecification | string {
  const pairs = values.filter((v) => v.value > 0).flatMap((v) => [v.code, classColor(v.value, breaks)]);
  if (pairs.length === 0) return NONE;
  return ['match', ['get', 'code'], ...pairs, NONE] as unknown as ExpressionSpecification;
}

export interface LegendClass {
  color: string;
  /** Lower bound (exclusive, or the first value of a count class). */
  from: number;
  to: number;
}

/** The legend's rows: one per class, with its bounds; counts start a class at the next whole number. */
export function legendClasses(breaks: readonly number[], wholeNumbers: boolean): LegendClass[] {
  const palette = paletteFor(breaks.length);
  return breaks.map((to, k) => {
    const below = k === 0 ? 0 : breaks[k - 1]!;
    return { color: palette[k]!, from: wholeNumbers ? Math.floor(below) + 1 : below, to };
  });
}
