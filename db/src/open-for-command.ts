import { DataDirLockedError } from './data-dir-lock.ts';
import { createDatabase, type Database, type DatabaseOptions } from './database.ts';

/**
 * Opens the database for a command-line tool. When another process holds the
 * embedded data dir, prints who (pid, command, since when) and `hint` — what
 * to do instead — and ends the process with exit code 1, before anything is written.
 */
export async function openForCommand(command: string, options: DatabaseOptions, hint: string): Promise<Database> {
  try {
    return await createDatabase(options);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    console.error(`${command}: ${error.message}.\n${hint}`);
    process.exit(1);
  }
}

/** The usual hint: stop the holder first. */
export const STOP_IT_FIRST = 'Stop that process first (the civgrid server: Ctrl+C or SIGTERM), then run this again.';
