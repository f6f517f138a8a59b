/**
 * `pnpm db:backup <file> [--force]`: a backup of the database the server uses —
 * pg_dump (custom format) of DATABASE_URL, else a gzipped copy of the embedded
 * data dir in CIVGRID_DATA_DIR (only with the server stopped: it refuses a data dir in use).
 */
import { parseArgs } from 'node:util';
import { backup, formatDuration, formatSize } from '../backup.ts';
import { DataDirLockedError } from '../data-dir-lock.ts';

const usage = 'usage: pnpm db:backup <file> [--force]';

let file: string;
let force: boolean;
try {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { force: { type: 'boolean', short: 'f' } } });
  if (positionals.length !== 1) throw new Error(positionals.length === 0 ? 'give the file to write' : 'give one file only');
  file = positionals[0]!;
  force = values.force ?? false;
} catch (error) {
  // parseArgs explains at length how to pass '-' arguments; its first sentence is the point
  console.error(`db:backup: ${(error as Error).message.replace(/\. .*$/s, '')} (${usage})`);
  process.exit(2);
}

try {
  const result = await backup(file, { url: process.env.DATABASE_URL, dataDir: process.env.CIVGRID_DATA_DIR ?? './data', force });
  const from = result.engine === 'postgres' ? `PostgreSQL database ${result.database}` : `the embedded database in ${result.database}`;
  console.log(`Backed up ${from} to ${result.file}: ${formatSize(result.bytes)} in ${formatDuration(result.ms)}.`);
} catch (error) {
  console.error(`db:backup: ${(error as Error).message}`);
  if (error instanceof DataDirLockedError) console.error('Stop it first, then back up; on PostgreSQL (DATABASE_URL) pg_dump backs up a running server.');
  process.exitCode = 1;
}
