/**
 * `pnpm bench:tiles`: the largest tile of every layer at every zoom over the
 * district, against the 500 KB budget. Meant for a database seeded with
 * `pnpm seed --problems 1000000`. Prints; asserts nothing.
 */
import { STOP_IT_FIRST, openForCommand } from '@civgrid/db';
import { tilesInBBox } from '@civgrid/tiles';
import { LayerRepository } from '../../server/src/repositories/layer.repository.ts';
import { TILE_SOURCES, type TileLayerId, TileRepository } from '../../server/src/repositories/tile.repository.ts';
import { TILE_DATA_MAXZOOM, TILE_MINZOOM } from '../../server/src/services/tile.service.ts';
import { table } from './harness.ts';

const BUDGET = 500 * 1024;
const database = await openForCommand('bench:tiles', { url: process.env.DATABASE_URL, dataDir: process.env.CIVGRID_DATA_DIR ?? './data' }, STOP_IT_FIRST);
const tiles = new TileRepository(database.db, database.engine);
const bbox = (await new LayerRepository(database.db).districtBounds())!;
const { rows } = await (await import('kysely')).sql<{ n: number }>`SELECT count(*)::int AS n FROM problems`.execute(database.db);
console.log(`engine ${database.engine}, ${rows[0]!.n.toLocaleString('en')} problems; largest tile per layer and zoom (budget 500 KB)`);

const out: string[][] = [];
let worst = 0;
for (const layer of Object.keys(TILE_SOURCES) as TileLayerId[]) {
  const duty = layer === 'zones' ? 'sanitation-town' : undefined;
  for (let z = Math.max(TILE_MINZOOM[layer], 8); z <= TILE_DATA_MAXZOOM; z++) {
    let largest = 0;
    let where = '';
    let ms = 0;
    for (const t of tilesInBBox(bbox, z)) {
      const started = performance.now();
      const bytes = await tiles.tile(layer, z, t.x, t.y, { duty });
      ms = Math.max(ms, performance.now() - started);
      if (bytes && bytes.byteLength > largest) {
        largest = bytes.byteLength;
        where = `${z}/${t.x}/${t.y}`;
      }
    }
    worst = Math.max(worst, largest);
    out.push([layer, String(z), where || '—', `${(largest / 1024).toFixed(1)} KB`, largest < BUDGET ? 'ok' : 'OVER', `${ms.toFixed(0)} ms`]);
  }
}
table(['layer', 'z', 'largest tile', 'size', '< 500 KB', 'slowest'], out);
console.log(`largest of all: ${(worst / 1024).toFixed(1)} KB`);
await database.close();
