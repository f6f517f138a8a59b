import type { RoadSectionProps, ZoneProps } from '../api/types.ts';

export type LngLat = [lon: number, lat: number];

/** A feature found under a click, besides the place itself. */
export type ClickedFeature =
  | { kind: 'road-section'; properties: RoadSectionProps }
  | { kind: 'zone'; properties: ZoneProps };

export type Selected =
  | { kind: 'point'; id: number; at: LngLat }
  | { kind: 'place'; at: LngLat; features: ClickedFeature[] };

/** What the user clicked on the map; the side panel shows it. */
export class Selection {
  current = $state.raw<Selected | null>(null);

  selectPoint(id: number, at: LngLat): void {
    this.current = { kind: 'point', id, at };
  }

  selectPlace(at: LngLat, features: ClickedFeature[]): void {
    this.current = { kind: 'place', at, features };
  }

  clear(): void {
    this.current = null;
  }
}
