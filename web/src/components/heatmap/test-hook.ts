/**
 * What the heat-map view tells a test or a benchmark (`window.__civgridHeatmap`,
 * and `document.body.dataset.heatmapReady`: `false` while its tiles load,
 * `true` once they are drawn).
 */
export interface HeatmapHook {
  /** Milliseconds from opening the view to the first heat map drawn from its tiles; null until then. */
  firstRenderMs: number | null;
  /** Heat maps drawn so far: the first, then one per change of filters. */
  renders: number;
  /** The problems tiles' URL template now (it carries the filters). */
  tiles: string;
}

declare global {
  interface Window {
    __civgridHeatmap?: HeatmapHook;
  }
}

export function heatmapHook(): HeatmapHook {
  window.__civgridHeatmap ??= { firstRenderMs: null, renders: 0, tiles: '' };
  return window.__civgridHeatmap;
}

export function setHeatmapReady(ready: boolean): void {
  document.body.dataset.heatmapReady = String(ready);
}

export function clearHeatmapHook(): void {
  delete window.__civgridHeatmap;
  delete document.body.dataset.heatmapReady;
}
