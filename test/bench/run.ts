/**
 * `pnpm bench`: each figure is a ratio against a baseline measured in the same
 * run on the same database. Results are recorded by hand in docs/benchmarks.md.
 * Never a timing assertion: this prints, it does not judge.
 *
 * Engine: embedded unless DATABASE_URL is set (run it both ways).
 */
import { createDatabase, migrateToLatest } from '@civgrid/db';
import { seedDemo } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { LayerRepository } from '../../server/src/repositories/layer.repository.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}

async function time(fn: () => Promise<unknown>, rounds = ROUNDS): Promise<number[]> {
  for (let i = 0; i < 3; i++) await fn(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples;
}

const database = await createDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.BENCH_DATA_DIR });
await migrateToLatest(database.db as never);
const seeded = await seedDemo(database.db);
console.log(`engine: ${database.engine}; demo seed ${seeded.skipped ? 'reused' : `built in ${seeded.ms} ms`}`);

const app = createApp({ database, webRoot: '/nonexistent' });
const direct = new LayerRepository(database.db);

console.log('\nlayer endpoint (GET /api/layers/{layer}) against the same SQL run directly');
console.log('layer'.padEnd(22), 'api p50'.padStart(9), 'sql p50'.padStart(9), 'ratio'.padStart(7), 'api p95'.padStart(9), 'sql p95'.padStart(9));
for (const [layer, query] of [
  ['inspection-points', ''],
  ['road-sections', ''],
  ['grids', ''],
  ['zones', '?duty=sanitation-town'],
] as const) {
  const api = stats(await time(async () => {
    const res = await app.request(`/api/layers/${layer}${query}`);
    await res.text();
  }));
  const sqlOnly = stats(await time(() => direct.featureCollection(layer, query ? { duty: 'sanitation-town' } : {})));
  console.log(
    layer.padEnd(22),
    `${api.p50.toFixed(2)}`.padStart(9),
    `${sqlOnly.p50.toFixed(2)}`.padStart(9),
    `${(api.p50 / sqlOnly.p50).toFixed(2)}×`.padStart(7),
    `${api.p95.toFixed(2)}`.padStart(9),
    `${sqlOnly.p95.toFixed(2)}`.padStart(9),
  );
}
await database.close();
