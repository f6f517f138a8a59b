/**
 * Backups of either engine with the engine's own tool: `pg_dump` / `pg_restore`
 * (custom format) on PostgreSQL, a gzipped tarball of the data dir on the
 * embedded engine. A backup file says what it is by its first bytes, so a file
 * restored into the wrong engine, or garbage, is refused before anything is
 * touched.
 */
import { spawn } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  createReadStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openAsBlob,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { createGunzip, gunzipSync, constants as zlib } from 'node:zlib';
import { sql } from 'kysely';
import postgres from 'postgres';
import { lockDataDir } from './data-dir-lock.ts';
import { createDatabase, type Database, type Engine } from './database.ts';
import { processesWithOpen } from './proc-fds.ts';

export interface BackupOptions {
  /** postgres:// URL; without it the embedded engine in `dataDir` is used. */
  url?: string | undefined;
  /** Folder of the embedded database (default `./data`). */
  dataDir?: string | undefined;
  /** Backup: overwrite an existing file. Restore: move a non-empty data dir aside. */
  force?: boolean | undefined;
}

export interface BackupResult {
  engine: Engine;
  /** What was backed up or restored into, for people: a data dir or `db on host:port`. */
  database: string;
  file: string;
  bytes: number;
  ms: number;
}

export interface RestoreResult extends BackupResult {
  /** Tables in the public schema after the restore (a sanity check). */
  tables: number;
  /** Where the previous embedded data dir went (`--force`); it is never deleted. */
  movedAside?: string;
}

/** What a file holds, told by its first bytes. */
export type ArchiveKind = 'pg_dump' | 'embedded-gzip' | 'embedded-tar';

// ---------------------------------------------------------------- dispatch

/** `pnpm db:backup`: pg_dump of `url`, else a dump of the embedded data dir. */
export async function backup(file: string, options: BackupOptions = {}): Promise<BackupResult> {
  if (options.url) return backupPostgres(options.url, file, options);
  const dir = resolve(options.dataDir ?? './data');
  const target = checkTarget(file, options.force);
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    throw new Error(`there is no embedded database in ${dir} (CIVGRID_DATA_DIR); run pnpm seed or pnpm start first, or set DATABASE_URL`);
  }
  // a backup inside the data dir would end up inside the next backup
  if (isInside(dir, target)) throw new Error(`write the backup outside the data dir ${dir}`);
  // DataDirLockedError names the civgrid process that has it open
  const lock = await lockDataDir(dir);
  let database: Database;
  try {
    refuseIfInUse(dir);
  } catch (error) {
    await lock.release();
    throw error;
  }
  try {
    database = await createDatabase({ dataDir: dir, lock });
  } catch (error) {
    throw new Error(`could not open the embedded database in ${dir}: ${message(error)}`);
  }
  try {
    return { ...(await backupEmbedded(database, target, options)), database: dir };
  } finally {
    await database.close();
  }
}

/** `pnpm db:restore`: into the server at `url`, else into the embedded data dir. */
export async function restore(file: string, options: BackupOptions = {}): Promise<RestoreResult> {
  if (options.url) return restorePostgres(options.url, file, options);
  return restoreEmbedded(options.dataDir ?? './data', file, options);
}

// ---------------------------------------------------------------- embedded engine

/** Writes an open embedded database to `file` as a gzipped data-dir tarball. */
export async function backupEmbedded(database: Database, file: string, options: { force?: boolean | undefined } = {}): Promise<BackupResult> {
  if (!database.pglite) throw new Error('backupEmbedded needs the embedded engine; use backupPostgres on PostgreSQL');
  const started = Date.now();
  const target = checkTarget(file, options.force);
  // flush shared buffers so the copy needs no WAL replay when it is opened
  await sql`CHECKPOINT`.execute(database.db);
  const blob = await database.pglite.dumpDataDir('gzip');
  await writeAtomically(target, async (partial) => {
    const handle = await open(partial, 'w');
    try {
      // in chunks: the dump is already in memory once, no need for a second copy
      const reader = blob.stream().getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) await handle.write(chunk.value);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
  const from = database.pglite.dataDir ?? 'memory://';
  return { engine: 'embedded', database: from, file: target, bytes: statSync(target).size, ms: Date.now() - started };
}

/**
 * Restores into the embedded data dir `dataDir`. The archive is unpacked into a
 * sibling folder and opened there first; only a database that opens and
 * answers replaces the data dir, so a bad file leaves it as it was. A
 * non-empty data dir needs `force` and is moved aside, never deleted.
 */
export async function restoreEmbedded(dataDir: string, file: string, options: { force?: boolean | undefined } = {}): Promise<RestoreResult> {
  const started = Date.now();
  // through a symlink to the real folder, so the restore lands on the same disk
  const dir = existsSync(dataDir) ? realpathSync(dataDir) : resolve(dataDir);
  const source = resolve(file);
  const kind = archiveKind(source);
  if (kind === 'pg_dump') {
    throw new Error(`${file} is a PostgreSQL pg_dump archive, not an embedded-engine backup; set DATABASE_URL to restore it into PostgreSQL`);
  }
  // held until the restored folder is in place, so nothing opens the data dir half-way;
  // DataDirLockedError names the civgrid process that has it open
  const lock = await lockDataDir(dir);
  try {
    return await restoreLocked(dir, source, file, kind, started, options.force ?? false);
  } finally {
    await lock.release();
  }
}

async function restoreLocked(dir: string, source: string, file: string, kind: ArchiveKind, started: number, force: boolean): Promise<RestoreResult> {
  const exists = existsSync(dir);
  if (exists && !statSync(dir).isDirectory()) throw new Error(`${dir} (CIVGRID_DATA_DIR) is a file, not a folder`);
  const occupied = exists && readdirSync(dir).length > 0;
  if (occupied && !force) {
    throw new Error(`${dir} (CIVGRID_DATA_DIR) is not empty; pass --force to move it aside to ${dir}.before-restore-<time> and restore`);
  }
  if (occupied) refuseIfInUse(dir);
  if (kind === 'embedded-gzip') await checkGzip(source);

  const stamp = timestamp();
  const staging = unusedPath(`${dir}.restoring-${stamp}`);
  mkdirSync(dirname(dir), { recursive: true });
  let tables: number;
  try {
    const type = kind === 'embedded-gzip' ? 'application/x-gzip' : 'application/x-tar';
    const database = await createDatabase({ dataDir: staging, loadDataDir: await openAsBlob(source, { type }) });
    try {
      tables = await publicTables(database);
    } finally {
      await database.close();
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`could not restore ${file}: ${message(error)}; ${dir} was not changed`);
  }

  let movedAside: string | undefined;
  if (occupied) {
    movedAside = unusedPath(`${dir}.before-restore-${stamp}`);
    renameSync(dir, movedAside);
  } else if (exists) {
    rmdirSync(dir); // an empty folder: nothing to keep
  }
  try {
    renameSync(staging, dir);
  } catch (error) {
    if (movedAside) renameSync(movedAside, dir);
    throw new Error(`could not move the restored database from ${staging} to ${dir}: ${message(error)}`);
  }
  return {
    engine: 'embedded',
    database: dir,
    file: source,
    bytes: statSync(source).size,
    ms: Date.now() - started,
    tables,
    ...(movedAside ? { movedAside } : {}),
  };
}

// ---------------------------------------------------------------- PostgreSQL

/** `pg_dump --format=custom` of the database at `url` into `file`; safe while the server runs. */
export async function backupPostgres(url: string, file: string, options: { force?: boolean | undefined } = {}): Promise<BackupResult> {
  const started = Date.now();
  const target = checkTarget(file, options.force);
  const server = await serverInfo(url);
  const pgDump = await clientTool('pg_dump', server.major, { atLeastServer: true });
  const connection = libpq(url);
  await writeAtomically(target, async (partial) => {
    const fd = openSync(partial, 'w');
    try {
      const { code, stderr } = await run(
        pgDump,
        ['--format=custom', '--no-owner', '--no-privileges', `--dbname=${connection.url}`],
        connection.env,
        fd,
      );
      if (code !== 0) throw new Error(`pg_dump failed (exit code ${code}): ${tail(stderr)}`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
  return { engine: 'postgres', database: describeUrl(url), file: target, bytes: statSync(target).size, ms: Date.now() - started };
}

/**
 * `pg_restore --clean --if-exists --single-transaction` of `file` into the
 * database at `url`: all or nothing, the server may keep running (its queries
 * wait for the restore to commit).
 */
/** The channel on which the servers hear of new layer versions (server/src/repositories/tile.repository.ts). */
const LAYER_VERSION_CHANNEL = 'civgrid_layer_versions';

export async function restorePostgres(url: string, file: string, options: { force?: boolean | undefined } = {}): Promise<RestoreResult> {
  const started = Date.now();
  const source = resolve(file);
  const kind = archiveKind(source);
  if (kind !== 'pg_dump') {
    throw new Error(
      `${file} is an embedded-engine backup (a data-dir archive), not a PostgreSQL pg_dump archive; unset DATABASE_URL to restore it into the embedded engine (CIVGRID_DATA_DIR)`,
    );
  }
  const server = await serverInfo(url);
  if (server.publicTables > 0 && !options.force) {
    throw new Error(
      `${describeUrl(url)} already has ${server.publicTables} table${server.publicTables === 1 ? '' : 's'}, which the restore replaces; pass --force if you mean it ` +
        '(take a backup of it first). Servers may keep running: their sessions end and their tile caches are told the data changed.',
    );
  }
  // an older pg_restore talks to a newer server fine; only the archive version matters (checked by pg_restore)
  const pgRestore = await clientTool('pg_restore', server.major, { atLeastServer: false });
  const connection = libpq(url);

  const listed = await run(pgRestore, ['--list', source], connection.env);
  if (listed.code !== 0) throw new Error(`${file} is not a readable pg_dump archive: ${tail(listed.stderr)}`);
  const work = mkdtempSync(join(tmpdir(), 'civgrid-restore-'));
  try {
    const list = join(work, 'toc.list');
    writeFileSync(list, restoreList(listed.stdout, server.extensions, server.extensionTables));
    const { code, stderr } = await run(
      pgRestore,
      [
        '--clean',
        '--if-exists',
        '--no-owner',
        '--no-privileges',
        '--single-transaction',
        '--exit-on-error',
        `--use-list=${list}`,
        `--dbname=${connection.url}`,
        source,
      ],
      connection.env,
    );
    if (code !== 0) {
      const hint = /extension/i.test(stderr) && /permission denied|must be/i.test(stderr)
        ? '\nCreate the extension as a superuser first (CREATE EXTENSION postgis), then restore again.'
        : /unsupported version/i.test(stderr)
          ? '\nThis pg_restore is older than the pg_dump that wrote the file; install a newer postgresql-client.'
          : '';
      throw new Error(`pg_restore failed (exit code ${code}); the database was not changed (one transaction): ${tail(stderr)}${hint}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const database = await createDatabase({ url, max: 1 });
  try {
    // a database that was empty had no servers reading it
    if (server.publicTables > 0) await afterRestore(database, server.layerVersions);
    const tables = await publicTables(database);
    return { engine: 'postgres', database: describeUrl(url), file: source, bytes: statSync(source).size, ms: Date.now() - started, tables };
  } finally {
    await database.close();
  }
}

/**
 * The archive's table of contents minus what belongs to extensions the target
 * already has. `--clean` would otherwise DROP EXTENSION postgis (only its
 * owner, usually a superuser, may) and COPY into its spatial_ref_sys; the
 * target's own PostGIS serves the restored tables instead. An extension the
 * target lacks stays in the list and is created inside the restore's transaction.
 */
export function restoreList(toc: string, installed: ReadonlySet<string>, extensionTables: ReadonlySet<string>): string {
  return toc
    .split('\n')
    .filter((line) => {
      const extension = /^\d+; \d+ \d+ (?:COMMENT - )?EXTENSION (?:- )?(\S+)/.exec(line);
      if (extension) return !installed.has(extension[1]!);
      const data = /^\d+; \d+ \d+ TABLE DATA (\S+) (\S+) /.exec(line);
      if (data) return !extensionTables.has(`${data[1]}.${data[2]}`);
      return true;
    })
    .join('\n');
}

/**
 * A restore winds the data back, but running servers remember the newest
 * layer versions they saw and the sessions they checked. Every layer version
 * is moved past anything seen before the restore (and the servers told), so
 * no tile cache keeps answering with data that no longer exists; sessions
 * restored from the file end, so nobody is signed in by an old backup.
 */
async function afterRestore(database: Database, before: ReadonlyMap<string, number>): Promise<void> {
  const exists = async (table: string) =>
    (await sql<{ ok: boolean }>`SELECT to_regclass(${`public.${table}`}) IS NOT NULL AS ok`.execute(database.db)).rows[0]?.ok ?? false;
  if (await exists('sessions')) await sql`DELETE FROM sessions`.execute(database.db);
  if (!(await exists('layer_versions'))) return;
  const floor = Math.max(0, ...before.values()) + 1;
  await sql`
    WITH v AS (UPDATE layer_versions SET version = version + ${floor}, updated_at = now() RETURNING layer, version)
    SELECT pg_notify(${LAYER_VERSION_CHANNEL}, v.layer || ':' || v.version) FROM v`.execute(database.db);
}

interface ServerInfo {
  major: number;
  extensions: Set<string>;
  /** `schema.table` of tables that belong to an extension (spatial_ref_sys). */
  extensionTables: Set<string>;
  /** Tables of our own in the public schema: a non-empty target needs --force. */
  publicTables: number;
  layerVersions: Map<string, number>;
}

async function serverInfo(url: string): Promise<ServerInfo> {
  const client = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const [version] = await client<{ v: string }[]>`SELECT current_setting('server_version_num') AS v`;
    const extensions = await client<{ name: string }[]>`SELECT extname AS name FROM pg_extension`;
    const [own] = await client<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'`;
    const [hasVersions] = await client<{ ok: boolean }[]>`SELECT to_regclass('public.layer_versions') IS NOT NULL AS ok`;
    const versions = hasVersions?.ok ? await client<{ layer: string; version: number }[]>`SELECT layer, version FROM layer_versions` : [];
    const tables = await client<{ name: string }[]>`
      SELECT n.nspname || '.' || c.relname AS name
      FROM pg_depend d JOIN pg_class c ON c.oid = d.objid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e' AND c.relkind = 'r'`;
    return {
      major: Math.floor(Number(version?.v) / 10_000),
      extensions: new Set(extensions.map((e) => e.name)),
      extensionTables: new Set(tables.map((t) => t.name)),
      publicTables: own?.n ?? 0,
      layerVersions: new Map(versions.map((v) => [v.layer, v.version])),
    };
  } catch (error) {
    throw new Error(`could not connect to ${describeUrl(url)}: ${message(error)}`);
  } finally {
    await client.end();
  }
}

/**
 * The client tool on PATH, checked against the server: pg_dump refuses (or
 * worse, misreads) a server of a newer major version.
 */
async function clientTool(name: 'pg_dump' | 'pg_restore', serverMajor: number, check: { atLeastServer: boolean }): Promise<string> {
  const install = `install the PostgreSQL client tools (Debian/Ubuntu: postgresql-client-${serverMajor}; version ${serverMajor} or later, at least the server's major version) and put them on PATH`;
  const binary = onPath(name);
  if (!binary) throw new Error(`${name} was not found on PATH; ${install}`);
  const { code, stdout } = await run(binary, ['--version'], process.env);
  const major = Number(/\(PostgreSQL\)\s+(\d+)/.exec(stdout)?.[1]);
  if (code !== 0 || !major) throw new Error(`could not tell the version of ${binary} (${stdout.trim()}); ${install}`);
  if (check.atLeastServer && major < serverMajor) {
    throw new Error(`${binary} is version ${major}, older than the server (PostgreSQL ${serverMajor}); ${install}`);
  }
  return binary;
}

function onPath(name: string): string | undefined {
  const file = process.platform === 'win32' ? `${name}.exe` : name;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, file);
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The URL for libpq without its password, which goes in PGPASSWORD so `ps` does not show it. */
function libpq(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { url: parsed.toString(), env: password ? { ...process.env, PGPASSWORD: password } : { ...process.env } };
}

/** `db on host:port`, without credentials, for messages. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${decodeURIComponent(parsed.pathname.slice(1)) || '(default database)'} on ${parsed.host}`;
  } catch {
    return 'the DATABASE_URL database';
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, stdout?: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env, stdio: ['ignore', stdout ?? 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code: code ?? 1, stdout: out, stderr: signal ? `${err}killed by ${signal}` : err }));
  });
}

// ---------------------------------------------------------------- files

/**
 * What `file` holds, from its first bytes: pg_dump's custom format starts with
 * "PGDMP", the embedded engine's dump is a tar ("ustar" at byte 257), usually
 * gzipped (1f 8b). Anything else is refused with the reason.
 */
export function archiveKind(file: string): ArchiveKind {
  let size: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new Error(`${file} is a folder; a backup is one file`);
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file} does not exist`);
    throw error;
  }
  if (size === 0) throw new Error(`${file} is empty; it is not a backup`);
  const head = readHead(file, 16 * 1024);
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'pg_dump';
  if (isTar(head)) return 'embedded-tar';
  if (head[0] === 0x1f && head[1] === 0x8b) {
    let inner: Buffer;
    try {
      // the start of the stream is enough to see the tar header
      inner = gunzipSync(head, { finishFlush: zlib.Z_SYNC_FLUSH });
    } catch (error) {
      throw new Error(`${file} is a damaged gzip file (${message(error)}); it is not a backup`);
    }
    if (isTar(inner)) return 'embedded-gzip';
    throw new Error(`${file} is a gzip file, but not of a database data dir; it is not a backup`);
  }
  if (/^(--|SET |CREATE |\\)/.test(head.subarray(0, 64).toString('latin1'))) {
    throw new Error(`${file} looks like a plain SQL dump; restore it with psql, or make a backup with pnpm db:backup`);
  }
  throw new Error(`${file} is not a backup: neither a PostgreSQL pg_dump custom-format archive nor an embedded-engine data-dir archive`);
}

/**
 * Reads a gzip file to its end, checking its CRC. PGlite decompresses a
 * damaged archive with promises nobody awaits, which crashes the process with
 * an unhandled rejection; a truncated download must get a clear error instead.
 */
async function checkGzip(file: string): Promise<void> {
  try {
    await pipeline(createReadStream(file), createGunzip(), new Writable({ write: (_chunk, _encoding, next) => next() }));
  } catch (error) {
    throw new Error(`${file} is damaged (${message(error)}): a truncated or corrupted backup; nothing was changed`);
  }
}

function isTar(bytes: Buffer): boolean {
  return bytes.length >= 262 && bytes.subarray(257, 262).toString('latin1') === 'ustar';
}

function readHead(file: string, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, readSync(fd, buffer, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

/** The absolute path of a backup to write, refusing to replace a file unless forced. */
function checkTarget(file: string, force: boolean | undefined): string {
  const target = resolve(file);
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw new Error(`${file} is a folder; give the name of the backup file to write`);
    if (!force) throw new Error(`${file} already exists; pass --force to overwrite it`);
  }
  return target;
}

/**
 * Writes through `<file>.partial` and renames it into place once complete and
 * synced, so a crash or a failed dump never leaves half a backup under the
 * final name.
 */
async function writeAtomically(file: string, write: (partial: string) => Promise<void>): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  try {
    await write(partial);
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Other processes with a file open in `dir` (Linux /proc; an empty list where
 * that cannot be read). Every civgrid command takes the data-dir lock
 * (data-dir-lock.ts), which names its holder; this also catches what does not
 * take it (a civgrid from before the lock, another tool): a running engine
 * keeps its relation files open, which is what this looks for.
 */
export function processesUsing(dir: string): number[] {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return [];
  }
  return processesWithOpen((target) => target === real || target.startsWith(real + sep));
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function refuseIfInUse(dir: string): void {
  const pids = processesUsing(dir);
  if (pids.length > 0) {
    throw new Error(
      `the embedded database in ${dir} is in use by process ${pids.join(', ')}, which holds files in it open; stop it first: the embedded engine opens its data dir in one process only`,
    );
  }
}

async function publicTables(database: Database): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`.execute(database.db);
  return rows[0]?.n ?? 0;
}

/** ISO 8601 basic format (20250101T120000Z): sortable and valid in file names everywhere. */
function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

function unusedPath(path: string): string {
  let candidate = path;
  for (let n = 2; existsSync(candidate); n++) candidate = `${path}-${n}`;
  return candidate;
}

function tail(text: string, lines = 12): string {
  return text.trim().split('\n').slice(-lines).join('\n') || '(no message)';
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `12.3 MB` */
export function formatSize(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** `4.2 s` */
export function formatDuration(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
