import type { LayerSpecification, SourceSpecification, StyleSpecification } from 'maplibre-gl';

/**
 * Basemaps the map can sit on, and the MapLibre style of each. Pure and
 * browser-safe: the server answers it as /api/map/style.json, the web app
 * puts its own operational layers on top.
 */
export type Basemap =
  | { id: 'none'; name: string }
  | {
      id: string;
      name: string;
      type: 'pmtiles';
      url: string;
      attribution: string;
      /** `civgrid`: a vector archive from `pnpm tiles:basemap`; `raster` (default for others): image tiles. */
      schema?: 'civgrid' | 'raster';
    }
  | { id: string; name: string; type: 'xyz'; tiles: string[]; attribution: string; tileSize?: number; maxzoom?: number };

export const BASEMAP_SOURCE_PREFIX = 'basemap';
/** Layers of a basemap style carry this metadata key, so the web app can swap them. */
export const BASEMAP_METADATA = 'civgrid:basemap';

/** 天地图 Tianditu: vector map and its Chinese labels (both Web Mercator, CGCS2000 ≈ WGS84). */
export function tiandituBasemap(key: string): Basemap {
  const wmts = (layer: string) =>
    [0, 1, 2, 3, 4, 5, 6, 7].map(
      (n) =>
        `https://t${n}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${encodeURIComponent(key)}`,
    );
  return {
    id: 'tianditu',
    name: '天地图',
    type: 'xyz',
    // the vector map and its annotation layer are drawn one over the other
    tiles: [...wmts('vec'), '|', ...wmts('cva')],
    attribution: '© 天地图 Tianditu',
    maxzoom: 18,
  };
}

const meta = { metadata: { [BASEMAP_METADATA]: true } };

/** The built-in vector basemap made by `pnpm tiles:basemap` (source layers: neighbours, water, district, roads, streets, communities). */
function builtinLayers(source: string): LayerSpecification[] {
  const layer = (l: Record<string, unknown> & { id: string; type: string; 'source-layer': string }) => ({ ...l, source, ...meta }) as LayerSpecification;
  return [
    layer({ id: `${source}:neighbours`, type: 'fill', 'source-layer': 'neighbours', paint: { 'fill-color': '#eef1f5', 'fill-outline-color': '#cbd5e1' } }),
    layer({ id: `${source}:district`, type: 'fill', 'source-layer': 'district', paint: { 'fill-color': '#fbfaf7' } }),
    layer({ id: `${source}:water`, type: 'line', 'source-layer': 'water', paint: { 'line-color': '#93c5fd', 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 2, 15, 14] } }),
    layer({
      id: `${source}:roads`, type: 'line', 'source-layer': 'roads',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#e5e7eb', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1, 16, 8] },
    }),
    layer({ id: `${source}:streets`, type: 'line', 'source-layer': 'streets', filter: ['==', ['get', 'kind'], 'area'], paint: { 'line-color': '#c4b5fd', 'line-width': 1 } }),
  ];
}

/** Sources and layers of a basemap (nothing for `none`). `origin` makes relative archive URLs absolute. */
export function basemapParts(basemap: Basemap, origin: string): { sources: Record<string, SourceSpecification>; layers: LayerSpecification[] } {
  if (!('type' in basemap)) return { sources: {}, layers: [] };
  if (basemap.type === 'pmtiles') {
    const url = new URL(basemap.url, `${origin}/`).toString();
    const source = `${BASEMAP_SOURCE_PREFIX}:${basemap.id}`;
    if (basemap.schema !== 'civgrid') {
      return {
        sources: { [source]: { type: 'raster', url: `pmtiles://${url}`, tileSize: 256, attribution: basemap.attribution } },
        layers: [{ id: source, type: 'raster', source, ...meta } as LayerSpecification],
      };
    }
    return {
      sources: { [source]: { type: 'vector', url: `pmtiles://${url}`, attribution: basemap.attribution } },
      layers: builtinLayers(source),
    };
  }
  // XYZ raster; several tile sets separated by '|' are stacked (a map and its labels)
  const sets: string[][] = [[]];
  for (const t of basemap.tiles) {
    if (t === '|') sets.push([]);
    else sets[sets.length - 1]!.push(t);
  }
  const sources: Record<string, SourceSpecification> = {};
  const layers: LayerSpecification[] = [];
  sets.forEach((tiles, i) => {
    const source = `${BASEMAP_SOURCE_PREFIX}:${basemap.id}:${i}`;
    sources[source] = {
      type: 'raster', tiles, tileSize: basemap.tileSize ?? 256, maxzoom: basemap.maxzoom ?? 19,
      ...(i === 0 ? { attribution: basemap.attribution } : {}),
    };
    layers.push({ id: source, type: 'raster', source, ...meta } as LayerSpecification);
  });
  return { sources, layers };
}

/** A complete style of the basemap alone, on a plain background. */
export function basemapStyle(basemap: Basemap, origin: string): StyleSpecification {
  const { sources, layers } = basemapParts(basemap, origin);
  return {
    version: 8,
    name: `civgrid · ${basemap.name}`,
    sources,
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f3f4f6' } }, ...layers],
    metadata: { 'civgrid:basemap-id': basemap.id },
  };
}
