import type { Database } from '@civgrid/db';
import { LAYER_VERSION_CHANNEL, type TileRepository } from '../repositories/tile.repository.ts';

/**
 * Each layer's data version, held in memory so that a tile request needs no
 * round trip to learn it, and kept right across server processes: every
 * process LISTENs for the NOTIFY that a version bump sends, and re-reads the
 * table every `refreshMs` in case a notification was lost with a connection.
 */
export class LayerVersions {
  private versions = new Map<string, number>();
  private duties = new Set<string>();
  private started: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopListening: (() => Promise<void>) | undefined;

  constructor(
    private readonly tiles: TileRepository,
    private readonly database: Pick<Database, 'listen'>,
    private readonly refreshMs = 30_000,
  ) {}

  private start(): Promise<void> {
    this.started ??= (async () => {
      // listen first, then read: a bump in between is not missed
      this.stopListening = await this.database.listen(LAYER_VERSION_CHANNEL, (payload) => this.heard(payload));
      await this.refresh();
      this.timer = setInterval(() => void this.refresh().catch(() => {}), this.refreshMs);
      this.timer.unref();
    })().catch((error: unknown) => {
      this.started = null; // try again on the next request
      throw error;
    });
    return this.started;
  }

  private heard(payload: string): void {
    const at = payload.lastIndexOf(':');
    const layer = payload.slice(0, at);
    const version = Number(payload.slice(at + 1));
    if (layer && Number.isInteger(version)) this.versions.set(layer, Math.max(version, this.versions.get(layer) ?? 0));
  }

  private async refresh(): Promise<void> {
    const [versions, duties] = await Promise.all([this.tiles.versions(), this.tiles.dutyTypeIds()]);
    for (const [layer, version] of versions) this.versions.set(layer, Math.max(version, this.versions.get(layer) ?? 0));
    this.duties = duties;
  }

  async version(layer: string): Promise<number> {
    await this.start();
    return this.versions.get(layer) ?? 0;
  }

  /** Whether a duty type exists; an id not seen yet is looked up again (it may be new). */
  async dutyExists(duty: string): Promise<boolean> {
    await this.start();
    if (this.duties.has(duty)) return true;
    this.duties = await this.tiles.dutyTypeIds();
    return this.duties.has(duty);
  }

  async bump(layer: Parameters<TileRepository['bumpVersion']>[0]): Promise<void> {
    await this.start();
    const version = await this.tiles.bumpVersion(layer);
    this.heard(`${layer}:${version}`);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.stopListening?.();
  }
}
