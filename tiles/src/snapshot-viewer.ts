/**
 * index.html of a published snapshot: a full-window MapLibre map over the
 * snapshot's own files (maplibre-gl, its worker and the pmtiles ESM build are
 * copied beside it). Every URL is relative, so the folder works from any
 * static host under any path prefix. Pure.
 */

export const SNAPSHOT_TITLE = 'civgrid 网格化管理 · 快照';
export const SNAPSHOT_ATTRIBUTION = '区界 DataV · 演示数据 · 漓江 © OpenStreetMap contributors';

/** The files the page loads, as named in the snapshot folder. */
export const SNAPSHOT_FILES = {
  archive: 'civgrid.pmtiles',
  style: 'style.json',
  maplibre: 'maplibre-gl.mjs',
  worker: 'maplibre-gl-worker.mjs',
  css: 'maplibre-gl.css',
  pmtiles: 'pmtiles.mjs',
  /** The pmtiles ESM build imports the bare name `fflate`; an import map points it here. */
  fflate: 'fflate.mjs',
} as const;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function snapshotViewerHtml(title = SNAPSHOT_TITLE): string {
  const f = SNAPSHOT_FILES;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="./${f.css}">
<style>
  html, body, #map { margin: 0; width: 100%; height: 100%; }
  body { font: 14px/1.4 system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; }
  h1 { position: absolute; top: 10px; left: 10px; z-index: 1; margin: 0; padding: 6px 12px; font-size: 16px;
       background: rgba(255, 255, 255, 0.92); border-radius: 6px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.2); }
</style>
<script type="importmap">{ "imports": { "fflate": "./${f.fflate}" } }</script>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div id="map"></div>
<script type="module">
import * as maplibregl from './${f.maplibre}';
import { PMTiles, Protocol } from './${f.pmtiles}';

maplibregl.setWorkerUrl('./${f.worker}');
const protocol = new Protocol();
maplibregl.addProtocol('pmtiles', protocol.tile);
// the style's source is pmtiles://${f.archive}: the same key, so the header is read once
const archive = new PMTiles('${f.archive}');
protocol.add(archive);

const [style, header] = await Promise.all([
  fetch('./${f.style}').then((response) => {
    if (!response.ok) throw new Error(\`${f.style}: HTTP \${response.status}\`);
    return response.json();
  }),
  archive.getHeader(),
]);
const map = new maplibregl.Map({
  container: 'map',
  style,
  bounds: [[header.minLon, header.minLat], [header.maxLon, header.maxLat]],
  fitBoundsOptions: { padding: 24 },
  attributionControl: { compact: false },
});
map.addControl(new maplibregl.NavigationControl(), 'top-right');
map.addControl(new maplibregl.ScaleControl(), 'bottom-left');
window.__snapshotMap = map;
</script>
</body>
</html>
`;
}
