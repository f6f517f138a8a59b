// Browser-safe entry: the web app imports this one.
export * from './layers.ts';
export * from './tile-math.ts';
export * from './pmtiles-error.ts';
export * from './pmtiles-format.ts';
export * from './pmtiles-reader.ts';
export * from './mvt-encode.ts';
export * from './basemap-style.ts';
export { ROUTE_COLORS, routeColor } from '@civgrid/db/route-colors';
