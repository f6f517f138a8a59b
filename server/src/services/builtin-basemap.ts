import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DB } from '@civgrid/db';
import { buildBasemapFile, NoDistrictError } from '@civgrid/tiles/node';
import type { Kysely } from 'kysely';
import type { Logger } from '../http/logger.ts';

/** The archive of the built-in offline basemap in the tiles folder, as `pnpm tiles:basemap` writes it. */
export const BUILTIN_BASEMAP_FILE = 'basemap.pmtiles';

export type BasemapBuild = 'present' | 'built' | 'no-district' | 'off' | 'failed';

/**
 * Builds the built-in offline basemap from the database when the tiles folder
 * has none: at the first start (after the seed), and again when the archive
 * has gone missing (deleted by hand) and someone asks for it. One build at a
 * time; the archive is written beside its place and renamed over it, so a
 * reader never sees half of it. `enabled: false` (CIVGRID_BASEMAP_AUTOBUILD=false)
 * leaves the folder to `tiles:basemap` alone.
 */
export class BuiltinBasemapBuilder {
  private running: Promise<BasemapBuild> | undefined;

  constructor(
    private readonly db: Kysely<DB>,
    readonly tilesDir: string,
    private readonly logger: Logger,
    readonly enabled = true,
  ) {}

  get path(): string {
    return join(this.tilesDir, BUILTIN_BASEMAP_FILE);
  }

  /** Builds the archive when it is missing; resolves when it is there (or why not). */
  ensure(): Promise<BasemapBuild> {
    if (!this.enabled) return Promise.resolve('off');
    this.running ??= this.build().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** ensure() without waiting, for a request that found the archive missing; false when switched off. */
  request(): boolean {
    if (!this.enabled) return false;
    void this.ensure();
    return true;
  }

  private async build(): Promise<BasemapBuild> {
    if (await isFile(this.path)) return 'present';
    const started = performance.now();
    this.logger.info('building the built-in offline basemap', { path: this.path });
    try {
      const result = await buildBasemapFile(this.db, this.path);
      this.logger.info('built-in offline basemap built', { path: this.path, tiles: result.tiles, bytes: result.size, ms: Math.round(performance.now() - started) });
      return 'built';
    } catch (error) {
      if (error instanceof NoDistrictError) {
        this.logger.info('no built-in offline basemap yet: the database has no district (it is built at the next start after one is imported)');
        return 'no-district';
      }
      this.logger.error('could not build the built-in offline basemap', { error: (error as Error).message });
      return 'failed';
    }
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
