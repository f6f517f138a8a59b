import { getContext, setContext } from 'svelte';
import type { Map as MapLibreMap } from 'maplibre-gl';

const MAP_KEY = Symbol('civgrid.map');

/** Holds the map once it has loaded its style; `map` is raw state (never proxied). */
export class MapHolder {
  map = $state.raw<MapLibreMap | null>(null);
}

export function setMapContext(holder: MapHolder): MapHolder {
  return setContext(MAP_KEY, holder);
}

/** The loaded map, for components rendered inside `MapView`. Throws before the map is ready. */
export function getMapContext(): MapLibreMap {
  const holder = getContext<MapHolder | undefined>(MAP_KEY);
  if (!holder) throw new Error('getMapContext() called outside <MapView>');
  if (!holder.map) throw new Error('getMapContext() called before the map was ready');
  return holder.map;
}
