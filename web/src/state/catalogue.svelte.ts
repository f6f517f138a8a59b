import { api } from '../api/client.ts';
import type { DutyType, LayerCounts } from '../api/types.ts';

/** Duty types and feature counts: what the layer list shows. */
export class Catalogue {
  dutyTypes = $state.raw<DutyType[]>([]);
  counts = $state.raw<LayerCounts | null>(null);

  async load(signal: AbortSignal): Promise<void> {
    const [dutyTypes, counts] = await Promise.all([api.dutyTypes(signal), api.layerCounts(signal)]);
    this.dutyTypes = dutyTypes;
    this.counts = counts;
  }

  layerCount(id: string): number | undefined {
    return this.counts?.layers.find((layer) => layer.id === id)?.count;
  }

  zoneCount(duty: string): number | undefined {
    return this.counts?.zones.find((zone) => zone.duty === duty)?.count;
  }

  /** Points of a type; undefined until the counts have loaded. */
  pointTypeCount(type: string): number | undefined {
    if (!this.counts) return undefined;
    return this.counts.pointTypes.find((entry) => entry.id === type)?.count ?? 0;
  }

  duty(id: string): DutyType | undefined {
    return this.dutyTypes.find((duty) => duty.id === id);
  }
}
