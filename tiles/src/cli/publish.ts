/**
 * `pnpm tiles:publish <dir> [--layers a,b,…]`: writes a read-only snapshot of
 * the chosen layers (default: DEFAULT_SNAPSHOT_LAYERS) to `<dir>` — a PMTiles
 * archive, a MapLibre style and a static viewer that work from any static
 * file host (publish-snapshot.ts).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { migrateToLatest, openForCommand, STOP_IT_FIRST } from '@civgrid/db';
import { DEFAULT_SNAPSHOT_LAYERS, parseSnapshotLayers } from '../snapshot-layers.ts';
import { publishSnapshot } from './publish-snapshot.ts';

const usage = `usage: pnpm tiles:publish <dir> [--layers ${DEFAULT_SNAPSHOT_LAYERS.join(',')}]`;

let dir: string;
let layers: ReturnType<typeof parseSnapshotLayers>;
try {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { layers: { type: 'string' } } });
  if (positionals.length !== 1 || !positionals[0]) throw new Error('give one output directory');
  dir = resolve(positionals[0]);
  layers = parseSnapshotLayers(values.layers ?? DEFAULT_SNAPSHOT_LAYERS.join(','));
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}

const started = performance.now();
const dataDir = process.env.CIVGRID_DATA_DIR ?? './data';
const database = await openForCommand('tiles:publish', { url: process.env.DATABASE_URL, dataDir }, STOP_IT_FIRST);
try {
  await migrateToLatest(database.db as never);
  const report = await publishSnapshot(database.db, dir, layers);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${report.dir}: ${report.tiles} tiles (z8–16), civgrid.pmtiles ${report.archiveSize.toLocaleString('en')} bytes, ${seconds} s`);
  for (const layer of report.layers) console.log(`  ${layer.id}: ${layer.features} features`);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await database.close();
}
