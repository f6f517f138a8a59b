/**
 * maplibre-gl, set up once: it is ESM-only and runs its tile work in a web
 * worker whose script Vite emits as an asset of its own.
 */
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { Protocol } from 'pmtiles';

maplibregl.setWorkerUrl(workerUrl);

// `pmtiles://` URLs (the built-in offline basemap) are read with HTTP Range requests; registered once.
const pmtilesProtocol = new Protocol();
maplibregl.addProtocol('pmtiles', pmtilesProtocol.tile);

// the field app adds its offline archives (held in IndexedDB) to the same protocol
export { maplibregl, pmtilesProtocol };

/** CSS font stack for Chinese labels, drawn by the browser (the style has no glyph server). */
export const CJK_FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';
