/**
 * `publishSnapshot(db, dir, layers)`: a read-only snapshot of chosen layers
 * that works from any static file host. Writes into `dir`:
 * - `civgrid.pmtiles`: one archive, z8–16 over the district, one vector layer per chosen layer;
 * - `style.json`: the MapLibre style (../snapshot-style.ts);
 * - `index.html`: the viewer (../snapshot-viewer.ts), with maplibre-gl, its
 *   worker and CSS, and the pmtiles and fflate ESM builds copied beside it.
 * Node only; the CLI is publish.ts.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DB } from '@civgrid/db';
import type { Kysely } from 'kysely';
import { buildBasemap } from '../basemap.ts';
import { type SnapshotLayerId, zoneDuty } from '../snapshot-layers.ts';
import { snapshotStyle } from '../snapshot-style.ts';
import { SNAPSHOT_ATTRIBUTION, SNAPSHOT_FILES, snapshotViewerHtml } from '../snapshot-viewer.ts';
import { districtBounds, readDutyTypes, readLayers } from './database-layers.ts';
import { writeArchive } from './write-archive.ts';

export const SNAPSHOT_MIN_ZOOM = 8;
export const SNAPSHOT_MAX_ZOOM = 16;

export interface SnapshotReport {
  dir: string;
  tiles: number;
  /** Bytes of civgrid.pmtiles. */
  archiveSize: number;
  layers: { id: string; features: number }[];
}

/** Browser files the viewer loads: [file in the snapshot, file in node_modules]. */
function browserFiles(): [string, string][] {
  const require = createRequire(import.meta.url);
  const maplibre = join(dirname(require.resolve('maplibre-gl/package.json')), 'dist');
  const pmtilesPackage = require.resolve('pmtiles/package.json');
  const pmtiles = join(dirname(pmtilesPackage), 'dist', 'esm', 'index.js');
  // the fflate that pmtiles itself depends on, in its browser ESM build
  const fflate = join(dirname(createRequire(pmtilesPackage).resolve('fflate/package.json')), 'esm', 'browser.js');
  return [
    [SNAPSHOT_FILES.maplibre, join(maplibre, 'maplibre-gl.mjs')],
    [SNAPSHOT_FILES.worker, join(maplibre, 'maplibre-gl-worker.mjs')],
    [SNAPSHOT_FILES.css, join(maplibre, 'maplibre-gl.css')],
    [SNAPSHOT_FILES.pmtiles, pmtiles],
    [SNAPSHOT_FILES.fflate, fflate],
  ];
}

export async function publishSnapshot(db: Kysely<DB>, dir: string, layers: readonly SnapshotLayerId[]): Promise<SnapshotReport> {
  if (layers.length === 0) throw new Error('no layer chosen');
  const bounds = await districtBounds(db);
  if (!bounds) throw new Error('No district in the database: run `pnpm seed` first.');
  const read = await readLayers(db, layers);
  const duties = new Set(layers.map(zoneDuty).filter((duty) => duty !== undefined));
  const dutyColors = Object.fromEntries((await readDutyTypes(db)).filter((d) => duties.has(d.id)).map((d) => [d.id, d.color]));

  const { tiles, writeOptions } = buildBasemap(read, {
    minZoom: SNAPSHOT_MIN_ZOOM,
    maxZoom: SNAPSHOT_MAX_ZOOM,
    bounds,
    attribution: SNAPSHOT_ATTRIBUTION,
    name: 'civgrid snapshot',
  });
  if (tiles.length === 0) throw new Error('The chosen layers produced no tile.');

  await mkdir(dir, { recursive: true });
  const archive = await writeArchive(join(dir, SNAPSHOT_FILES.archive), tiles, writeOptions);
  const style = snapshotStyle({ layers, dutyColors, url: `pmtiles://${SNAPSHOT_FILES.archive}`, attribution: SNAPSHOT_ATTRIBUTION });
  await writeFile(join(dir, SNAPSHOT_FILES.style), `${JSON.stringify(style, null, 1)}\n`);
  await writeFile(join(dir, 'index.html'), snapshotViewerHtml());
  for (const [name, from] of browserFiles()) await copyFile(from, join(dir, name));

  return { dir, tiles: tiles.length, archiveSize: archive.size, layers: read.map((l) => ({ id: l.id, features: l.features.length })) };
}
