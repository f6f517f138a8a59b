import { zoneApi } from '../api/client.ts';
import type { Collection, ZoneLayerProps } from '../api/types.ts';

/** 查看历史地图: a duty's zones as they stood at the end of a day, read-only, in place of the live layer. */
export class AsOfView {
  /** `YYYY-MM-DD` being shown, or null for now. */
  date = $state<string | null>(null);
  duty = $state<string | null>(null);
  zones = $state.raw<Collection<ZoneLayerProps> | null>(null);
  loading = $state(false);
  error = $state.raw<unknown>(null);

  async show(duty: string, date: string, signal: AbortSignal): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      const zones = await zoneApi.layer(duty, { asOf: date }, signal);
      if (signal.aborted) return;
      this.zones = zones;
      this.duty = duty;
      this.date = date;
    } catch (error) {
      if (!signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  clear(): void {
    this.date = null;
    this.duty = null;
    this.zones = null;
    this.error = null;
  }
}
