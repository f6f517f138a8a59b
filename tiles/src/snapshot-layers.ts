/**
 * The layers a published snapshot (`pnpm tiles:publish`) can hold, and how
 * each is named inside the archive. Pure: the CLI parses `--layers` with it,
 * the style builder and the database reader name their layers with it.
 */
import type { LayerId } from './layers.ts';

/** A catalogue layer, or the zones of one duty type (`zones:sanitation-city`). */
export type SnapshotLayerId = Exclude<LayerId, 'zones' | 'context'> | `zones:${string}`;

const PLAIN: readonly SnapshotLayerId[] = ['district', 'streets', 'communities', 'grids', 'roads', 'road-sections', 'inspection-points'];

export const DEFAULT_SNAPSHOT_LAYERS: readonly SnapshotLayerId[] = [...PLAIN, 'zones:sanitation-city', 'zones:sanitation-town'];

/** A duty type id as the seed and the API write it: lower-case words joined by hyphens. */
const DUTY_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function isSnapshotLayerId(value: string): value is SnapshotLayerId {
  if ((PLAIN as readonly string[]).includes(value)) return true;
  return value.startsWith('zones:') && DUTY_ID.test(value.slice('zones:'.length));
}

/** The duty type of a zones layer, or undefined for any other layer. */
export function zoneDuty(layer: SnapshotLayerId): string | undefined {
  return layer.startsWith('zones:') ? layer.slice('zones:'.length) : undefined;
}

/** The vector layer name inside the archive: the id, with `zones:x` written `zones-x`. */
export function sourceLayerName(layer: SnapshotLayerId): string {
  return layer.replace(':', '-');
}

/** Parses `--layers a,b,c`: trims, drops empty items, rejects unknown and repeated ids. */
export function parseSnapshotLayers(list: string): SnapshotLayerId[] {
  const layers: SnapshotLayerId[] = [];
  for (const item of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!isSnapshotLayerId(item)) {
      throw new Error(`unknown layer "${item}": choose from ${[...PLAIN, 'zones:<duty type>'].join(', ')}`);
    }
    if (layers.includes(item)) throw new Error(`layer "${item}" is given twice`);
    layers.push(item);
  }
  if (layers.length === 0) throw new Error('no layer chosen');
  return layers;
}
