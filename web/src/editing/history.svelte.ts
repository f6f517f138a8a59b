import { zoneApi } from '../api/client.ts';
import type { ZoneVersion } from '../api/types.ts';

/** 历史版本: the versions of the open zone, newest first, and the one drawn on the map. */
export class ZoneHistory {
  open = $state(false);
  zoneId = $state<number | null>(null);
  versions = $state.raw<ZoneVersion[]>([]);
  loading = $state(false);
  error = $state.raw<unknown>(null);
  shown = $state.raw<ZoneVersion | null>(null);

  async load(id: number, signal: AbortSignal): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      const answer = await zoneApi.history(id, signal);
      if (signal.aborted) return;
      this.zoneId = id;
      this.versions = answer.versions;
    } catch (error) {
      if (!signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  show(version: ZoneVersion | null): void {
    this.shown = this.shown?.version === version?.version ? null : version;
  }

  reset(): void {
    this.open = false;
    this.zoneId = null;
    this.versions = [];
    this.shown = null;
    this.error = null;
  }
}
