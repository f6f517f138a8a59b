import type { Geometry } from 'geojson';
import { zoneApi } from '../api/client.ts';
import type { ZoneVersion } from '../api/types.ts';

/** One version of a zone or section as its history lists it. */
export interface VersionRow {
  version: number;
  name: string;
  ownerName: string | null;
  deleted: boolean;
  changedAt: string;
  changedBy: string | null;
  comment: string | null;
  geometry: Geometry | null;
}

type Load<V> = (id: number, signal: AbortSignal) => Promise<{ versions: V[] }>;

/** 历史版本: the versions of the open zone or section, newest first, and the one drawn on the map. */
export class VersionHistory<V extends VersionRow = VersionRow> {
  open = $state(false);
  /** The zone or section whose versions are listed (null: none loaded, or to load again). */
  targetId = $state<number | null>(null);
  versions = $state.raw<V[]>([]);
  loading = $state(false);
  error = $state.raw<unknown>(null);
  shown = $state.raw<V | null>(null);
  readonly #load: Load<V>;

  constructor(load: Load<V>) {
    this.#load = load;
  }

  async load(id: number, signal: AbortSignal): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      const answer = await this.#load(id, signal);
      if (signal.aborted) return;
      this.targetId = id;
      this.versions = answer.versions;
    } catch (error) {
      if (!signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  show(version: V | null): void {
    this.shown = this.shown?.version === version?.version ? null : version;
  }

  reset(): void {
    this.open = false;
    this.targetId = null;
    this.versions = [];
    this.shown = null;
    this.error = null;
  }
}

/** The versions of a responsibility zone. */
export class ZoneHistory extends VersionHistory<ZoneVersion> {
  constructor() {
    super((id, signal) => zoneApi.history(id, signal));
  }
}
