import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import { pgliteDialect } from './pglite-dialect.ts';
import { postgisCore } from './postgis-bundle.ts';
import type { DB } from './schema.ts';

export type Engine = 'embedded' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** The embedded instance, when the engine is embedded (for dumps and clones). */
  pglite?: PGlite;
  /** LISTEN on a channel; resolves to the function that stops listening. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; without it the embedded engine is used. */
  url?: string | undefined;
  /** Folder of the embedded database; `memory://` or undefined keeps it in memory. */
  dataDir?: string | undefined;
  /** A dump made by `dumpEmbedded` to start from (a migrated template in tests). */
  loadDataDir?: Blob | File | undefined;
  /** Connection pool size on PostgreSQL. */
  max?: number;
  /** What this process opens the data dir for, named to anyone refused by its lock (`civgrid server on port 3000`). */
  purpose?: string | undefined;
  /** A lock on `dataDir` the caller already holds (taken with `lockDataDir`); `close()` releases it. */
  lock?: DataDirLock | undefined;
  /**
   * Longest a statement may run on PostgreSQL before it is cancelled
   * (SQLSTATE 57014), set on every connection of the pool; omitted → no
   * limit (the migrator and the seed). The embedded engine ignores it: PGlite
   * runs a statement to its end on the caller's thread, with no timer to
   * interrupt it.
   */
  statementTimeoutMs?: number | undefined;
}

/** The one database factory used by the server, the migrator, the seed and the tests. */
export async function createDatabase(options: DatabaseOptions = {}): Promise<Database> {
  if (options.url) {
    const client = postgres(options.url, {
      max: options.max ?? 10,
      onnotice: () => {},
      connect_timeout: 5,
      ...(options.statementTimeoutMs ? { connection: { statement_timeout: Math.round(options.statementTimeoutMs) } } : {}),
      // integers and floats come back as numbers on both engines
      types: { numeric: { to: 0, from: [1700], serialize: String, parse: Number } } as never,
    });
    const db = new Kysely<DB>({ dialect: new PostgresJSDialect({ postgres: client }) });
    return {
      db,
      engine: 'postgres',
      async listen(channel, onMessage) {
        const { unlisten } = await client.listen(channel, onMessage);
        return unlisten;
      },
      async close() {
        await db.destroy();
      },
    };
  }
  const dataDir = options.dataDir && options.dataDir !== 'memory://' ? resolve(options.dataDir) : undefined;
  // one process per data dir: a second PGlite on the same folder corrupts it (data-dir-lock.ts)
  let lock = options.lock;
  if (dataDir && !lock) lock = await lockDataDir(dataDir, { purpose: options.purpose });
  let pg: PGlite;
  try {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    pg = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      extensions: { postgis: postgisCore },
    });
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const db = new Kysely<DB>({ dialect: pgliteDialect(pg) });
  return {
    db,
    engine: 'embedded',
    pglite: pg,
    async listen(channel, onMessage) {
      const unlisten = await pg.listen(channel, onMessage);
      return () => unlisten();
    },
    async close() {
      try {
        await db.destroy();
        if (!pg.closed) await pg.close();
      } finally {
        await lock?.release();
      }
    },
  };
}

/** Dump an embedded database so that tests can clone it cheaply. */
export async function dumpEmbedded(database: Database): Promise<Blob> {
  if (!database.pglite) throw new Error('dumpEmbedded needs the embedded engine');
  return database.pglite.dumpDataDir('none');
}

/** PostGIS version, or throws when the database cannot be reached. */
export async function postgisVersion(db: Kysely<DB>): Promise<string> {
  const { rows } = await sql<{ v: string }>`SELECT postgis_lib_version() AS v`.execute(db);
  const version = rows[0]?.v;
  if (!version) throw new Error('PostGIS is not installed');
  return version;
}
