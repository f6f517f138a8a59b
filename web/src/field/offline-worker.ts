import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { maplibregl } from '../map/maplibre.ts';

let ready: Promise<void> | undefined;

/**
 * MapLibre's worker started from a blob: URL of its code, read once through
 * fetch (which the service worker answers from its cache when offline), so
 * that a map made offline never waits on a worker script request the
 * browser may send past the service worker. Online or offline, the code is
 * the same file; if it cannot be read the worker URL stays as it was.
 */
export function offlineWorker(): Promise<void> {
  ready ??= (async () => {
    try {
      const response = await fetch(workerUrl);
      if (!response.ok) return;
      const code = new Blob([await response.text()], { type: 'text/javascript' });
      maplibregl.setWorkerUrl(URL.createObjectURL(code));
    } catch {
      // keep the asset URL
    }
  })();
  return ready;
}
