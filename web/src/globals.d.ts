import type { Map as MapLibreMap } from 'maplibre-gl';

declare global {
  interface Window {
    /** The map, for the end-to-end test; see map/TestHook.svelte. */
    __civgridMap?: MapLibreMap;
  }
}
