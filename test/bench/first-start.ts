/**
 * `pnpm bench:first-start`: the steps of a first start on a fresh embedded
 * database (create, each migration, each stage of the seed), each with its
 * wall time and the CPU time of this process. PGlite runs on the caller's
 * thread, so the process CPU time is the database's work: the figure to
 * compare when other work loads the machine and wall times wander.
 * Prints and never judges; results go into docs/benchmarks.md ("Start time").
 *
 * BENCH_DATA_DIR: where to create the database (default: in memory).
 */
import { createDatabase, migrateToLatest } from '@civgrid/db';
import { seedDemo } from '@civgrid/db/seed';

interface Step {
  step: string;
  wall: number;
  cpu: number;
}

const steps: Step[] = [];
let wallMark = performance.now();
let cpuMark = process.cpuUsage();
let current = 'create the embedded database';

/** Closes the step running now and starts `next`. */
function lap(next: string): void {
  const wall = performance.now();
  const cpu = process.cpuUsage(cpuMark);
  steps.push({ step: current, wall: wall - wallMark, cpu: (cpu.user + cpu.system) / 1000 });
  wallMark = wall;
  cpuMark = process.cpuUsage();
  current = next;
}

const dataDir = process.env.BENCH_DATA_DIR;
const database = await createDatabase(dataDir ? { dataDir } : {});
lap('migrations');
await migrateToLatest(database.db as never, { onMigration: (name) => lap(`migration ${name}`) });
lap('seed');
await seedDemo(database.db, { onProgress: (stage) => lap(`seed: ${stage}`) });
lap('');
await database.close();

const s = (ms: number) => (ms / 1000).toFixed(2).padStart(7);
const total = steps.reduce((t, x) => ({ wall: t.wall + x.wall, cpu: t.cpu + x.cpu }), { wall: 0, cpu: 0 });
console.log(`${'wall s'.padStart(7)} ${'CPU s'.padStart(7)}  step`);
for (const x of steps.filter((x) => x.wall >= 50 || x.cpu >= 50)) console.log(`${s(x.wall)} ${s(x.cpu)}  ${x.step.slice(0, 90)}`);
console.log(`${s(total.wall)} ${s(total.cpu)}  total (without the basemap)`);
