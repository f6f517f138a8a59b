/**
 * `pnpm db:restore <file> [--force]`: puts a backup made by `pnpm db:backup`
 * back — with pg_restore into DATABASE_URL (one transaction), else into the
 * embedded data dir CIVGRID_DATA_DIR, whose previous contents `--force` moves
 * aside (never deletes).
 */
import { parseArgs } from 'node:util';
import { formatDuration, formatSize, restore } from '../backup.ts';
import { DataDirLockedError } from '../data-dir-lock.ts';

const usage = 'usage: pnpm db:restore <file> [--force]';

let file: string;
let force: boolean;
try {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { force: { type: 'boolean', short: 'f' } } });
  if (positionals.length !== 1) throw new Error(positionals.length === 0 ? 'give the backup file to restore' : 'give one file only');
  file = positionals[0]!;
  force = values.force ?? false;
} catch (error) {
  // parseArgs explains at length how to pass '-' arguments; its first sentence is the point
  console.error(`db:restore: ${(error as Error).message.replace(/\. .*$/s, '')} (${usage})`);
  process.exit(2);
}

try {
  const result = await restore(file, { url: process.env.DATABASE_URL, dataDir: process.env.CIVGRID_DATA_DIR ?? './data', force });
  if (result.movedAside) console.log(`Moved the previous data dir aside to ${result.movedAside} (delete it once you have checked the restore).`);
  const into = result.engine === 'postgres' ? `PostgreSQL database ${result.database}` : `the embedded database in ${result.database}`;
  console.log(`Restored ${result.file} (${formatSize(result.bytes)}) into ${into} in ${formatDuration(result.ms)}: ${result.tables} tables.`);
} catch (error) {
  console.error(`db:restore: ${(error as Error).message}`);
  if (error instanceof DataDirLockedError) console.error('Stop it first, then restore.');
  process.exitCode = 1;
}
