/**
 * `pnpm seed [--seed N] [--problems N] [--today YYYY-MM-DD] [--force]`: migrate, then build
 * the demo district 象山区 with its time line ending on `--today` (or CIVGRID_DEMO_TODAY;
 * default today in China). Idempotent: the same options on an already seeded database do
 * nothing; without --today an untouched demo seeded on an earlier day is moved forward to today.
 */
import { parseArgs } from 'node:util';
import { migrateToLatest, openForCommand, STOP_IT_FIRST } from '../index.ts';
import { DEFAULT_PROBLEMS, DEFAULT_SEED, isDay, reanchorDemo, seedDemo } from '../seed/index.ts';

function integer(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > max) {
    console.error(`--${name} must be a whole number from 0 to ${max.toLocaleString('en')}, not "${value}"`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: { seed: { type: 'string' }, problems: { type: 'string' }, today: { type: 'string' }, force: { type: 'boolean', default: false } },
});
const seed = integer('seed', values.seed, DEFAULT_SEED, 2 ** 31 - 1);
const problems = integer('problems', values.problems, DEFAULT_PROBLEMS, 5_000_000);
const today = values.today ?? (process.env.CIVGRID_DEMO_TODAY || undefined);
if (today !== undefined && !isDay(today)) {
  console.error(`--today (or CIVGRID_DEMO_TODAY) must be a day as YYYY-MM-DD, not "${today}"`);
  process.exit(2);
}

const database = await openForCommand('seed', { url: process.env.DATABASE_URL, dataDir: process.env.CIVGRID_DATA_DIR ?? './data' }, STOP_IT_FIRST);
try {
  await migrateToLatest(database.db as never);
  const started = Date.now();
  const report = await seedDemo(database.db, {
    seed,
    problems,
    today,
    force: values.force,
    onProgress: (step) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${step}`),
  });
  if (report.skipped) {
    const moved = today === undefined ? await reanchorDemo(database.db) : undefined;
    if (moved?.shifted) console.log(`The demo district was seeded for ${moved.from}; its dates moved ${moved.days} day(s) forward to ${moved.to}.`);
    else if (moved?.reason === 'touched') console.log(`The demo district (seeded for ${moved.anchor}) has been edited, so its dates are kept; --today YYYY-MM-DD --force re-seeds it.`);
    else console.log(`The demo district is already seeded with seed ${seed} and ${problems} problems for ${report.anchor}; nothing to do.`);
  } else console.log(`Seeded 象山区 for ${report.anchor} on the ${database.engine} engine in ${(report.ms / 1000).toFixed(1)} s.`);
  console.table(report.counts);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await database.close();
}
