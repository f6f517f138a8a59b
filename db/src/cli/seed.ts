/**
 * `pnpm seed [--seed N] [--problems N] [--force]`: migrate, then build the demo district
 * 象山区. Idempotent: the same options on an already seeded database do nothing.
 */
import { parseArgs } from 'node:util';
import { migrateToLatest, openForCommand, STOP_IT_FIRST } from '../index.ts';
import { DEFAULT_PROBLEMS, DEFAULT_SEED, seedDemo } from '../seed/index.ts';

function integer(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > max) {
    console.error(`--${name} must be a whole number from 0 to ${max.toLocaleString('en')}, not "${value}"`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({ options: { seed: { type: 'string' }, problems: { type: 'string' }, force: { type: 'boolean', default: false } } });
const seed = integer('seed', values.seed, DEFAULT_SEED, 2 ** 31 - 1);
const problems = integer('problems', values.problems, DEFAULT_PROBLEMS, 5_000_000);

const database = await openForCommand('seed', { url: process.env.DATABASE_URL, dataDir: process.env.CIVGRID_DATA_DIR ?? './data' }, STOP_IT_FIRST);
try {
  await migrateToLatest(database.db as never);
  const started = Date.now();
  const report = await seedDemo(database.db, {
    seed,
    problems,
    force: values.force,
    onProgress: (step) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${step}`),
  });
  if (report.skipped) console.log(`The demo district is already seeded with seed ${seed} and ${problems} problems; nothing to do.`);
  else console.log(`Seeded 象山区 on the ${database.engine} engine in ${(report.ms / 1000).toFixed(1)} s.`);
  console.table(report.counts);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await database.close();
}
