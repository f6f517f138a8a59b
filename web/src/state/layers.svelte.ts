import type { ToggleId } from '../map/style.ts';
import { zoneToggle } from '../map/style.ts';

/** Duty types whose zones are shown when the app opens: the two sanitation tiers, to show gaps and overlaps. */
export const DUTIES_ON_AT_START = ['sanitation-city', 'sanitation-town'];

/** What the layer list has switched on. */
export class LayerToggles {
  visible = $state<Partial<Record<ToggleId, boolean>>>({
    streets: true,
    communities: true,
    grids: true,
    roads: true,
    'road-sections': true,
    'inspection-points': true,
    ...Object.fromEntries(DUTIES_ON_AT_START.map((duty) => [zoneToggle(duty), true])),
  });
  /** Inspection point types switched off in the sub-legend. */
  hiddenPointTypes = $state<string[]>([]);

  isOn(id: ToggleId): boolean {
    return this.visible[id] === true;
  }

  toggle(id: ToggleId): void {
    this.visible[id] = !this.isOn(id);
  }

  isPointTypeOn(type: string): boolean {
    return !this.hiddenPointTypes.includes(type);
  }

  togglePointType(type: string): void {
    this.hiddenPointTypes = this.isPointTypeOn(type)
      ? [...this.hiddenPointTypes, type]
      : this.hiddenPointTypes.filter((hidden) => hidden !== type);
  }
}
