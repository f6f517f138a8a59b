/**
 * `pnpm tiles:basemap [out.pmtiles]`: writes the offline basemap (see
 * basemap-file.ts) to `<CIVGRID_DATA_DIR>/tiles/basemap.pmtiles` by default.
 */
import { join, resolve } from 'node:path';
import { migrateToLatest, openForCommand, STOP_IT_FIRST } from '@civgrid/db';
import { BASEMAP_MAX_ZOOM, BASEMAP_MIN_ZOOM, NoDistrictError, buildBasemapFile } from './basemap-file.ts';

const dataDir = process.env.CIVGRID_DATA_DIR ?? './data';
const out = resolve(process.argv[2] ?? join(dataDir, 'tiles', 'basemap.pmtiles'));
const started = performance.now();

const database = await openForCommand('tiles:basemap', { url: process.env.DATABASE_URL, dataDir }, STOP_IT_FIRST);
try {
  await migrateToLatest(database.db as never);
  const result = await buildBasemapFile(database.db, out);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${out}: ${result.tiles} tiles (z${BASEMAP_MIN_ZOOM}–${BASEMAP_MAX_ZOOM}), ${result.size.toLocaleString('en')} bytes, ${seconds} s`);
  for (const layer of result.layers) console.log(`  ${layer.id}: ${layer.features.length} features`);
} catch (error) {
  console.error(error instanceof NoDistrictError ? error.message : error);
  process.exitCode = 1;
} finally {
  await database.close();
}
