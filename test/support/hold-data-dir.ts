/**
 * A process that holds a data dir, for tests of the data-dir lock:
 * `node --import tsx hold-data-dir.ts <dir> <lock|database|lock-and-leave> [abstract|file]`.
 * Prints one line of JSON once it holds the dir, then waits to be killed —
 * except `lock-and-leave`, which takes the lock and lets the process end on its own.
 */
import { createDatabase, lockDataDir } from '@civgrid/db';

const [dir, mode = 'lock', strategy] = process.argv.slice(2);
if (!dir) throw new Error('usage: hold-data-dir.ts <dir> <lock|database|lock-and-leave> [abstract|file]');
if (strategy !== undefined && strategy !== 'abstract' && strategy !== 'file') throw new Error(`unknown strategy ${strategy}`);

if (mode === 'database') await createDatabase({ dataDir: dir, purpose: 'test holder' });
else await lockDataDir(dir, { purpose: 'test holder', ...(strategy ? { strategy } : {}) });
console.log(JSON.stringify({ pid: process.pid, held: dir }));
if (mode !== 'lock-and-leave') setInterval(() => {}, 60_000);
