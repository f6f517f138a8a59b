/**
 * One process per embedded data dir (issue 15, item 1). A running server holds
 * its CIVGRID_DATA_DIR: a second server and every command that opens the
 * embedded engine (user:create, seed, migrate, db:backup, db:restore,
 * tiles:basemap, tiles:publish) exit non-zero naming the holder and write
 * nothing; `kill -9` of the holder frees the dir at once. The embedded data
 * dir is what is locked, so this runs the same on both engines; on PostgreSQL
 * it also checks that DATABASE_URL processes never take the lock.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { backupEmbedded, createDatabase, DataDirLockedError, migrateToLatest } from '@civgrid/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const template = inject('template');
const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'civgrid-lock-test-'));
const dataDir = join(work, 'data');
const backupFile = join(work, 'before.tar.gz');
/** How long a command may run before it counts as not refusing (it would otherwise hang the test on a bug). */
const GIVE_UP_MS = 60_000;

let server: ChildProcess;
let serverPort = 0;
let dataDirFiles: string[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a command on the embedded data dir: never DATABASE_URL. */
function embeddedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CIVGRID_DATA_DIR: dataDir, CIVGRID_DEMO: 'false', LOG_LEVEL: 'warn', ...extra };
  delete env.DATABASE_URL;
  return env;
}

function start(script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(root, script), ...args], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs a command to its end (killed after GIVE_UP_MS, then `code` is null). */
function run(script: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Run> {
  const child = start(script, args, options.env ?? embeddedEnv());
  child.stdin!.end(options.input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), GIVE_UP_MS);
  return new Promise((done) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    }),
  );
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const address = probe.address();
  await new Promise((done) => probe.close(done));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function healthy(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/api/health`).then(
    (response) => response.ok,
    () => false,
  );
}

/** Starts the server on the data dir and waits until it answers. */
async function startServer(port: number): Promise<ChildProcess> {
  const child = start('server/src/main.ts', [], embeddedEnv({ PORT: String(port), HOST: '127.0.0.1' }));
  child.stdin!.end();
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  child.stdout!.resume();
  for (const started = Date.now(); Date.now() - started < GIVE_UP_MS; ) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${stderr}`);
    if (await healthy(port)) return child;
    await new Promise((done) => setTimeout(done, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not come up: ${stderr}`);
}

const exited = (child: ChildProcess) =>
  new Promise<void>((done) => (child.exitCode !== null || child.signalCode !== null ? done() : child.once('exit', () => done())));

/** What the data dir holds, read once nobody holds it: accounts and seeded rows. */
async function contents(): Promise<{ users: string[]; zones: number; problems: number }> {
  const database = await createDatabase({ dataDir });
  try {
    const users = await database.db.selectFrom('users').select('username').orderBy('username').execute();
    const count = async (table: 'zones' | 'problems') =>
      Number((await database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { users: users.map((row) => row.username), zones: await count('zones'), problems: await count('problems') };
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  // a migrated data dir with a district and no accounts, and a backup of it to try restoring
  const database = await createDatabase({ dataDir });
  try {
    await migrateToLatest(database.db as never);
    await sql`INSERT INTO territories (level, code, name, geom)
              VALUES ('district', '450304', '锁测试区', ST_Multi(ST_MakeEnvelope(110.29, 25.27, 110.30, 25.28, 4326)))`.execute(database.db);
    await backupEmbedded(database, backupFile);
  } finally {
    await database.close();
  }
  serverPort = await freePort();
  server = await startServer(serverPort);
  dataDirFiles = readdirSync(dataDir).sort();
});

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGKILL');
    await exited(server);
  }
  rmSync(work, { recursive: true, force: true });
});

// each test spawns processes that load the whole server on a machine the other suites share
describe('one process per embedded data dir', { timeout: 180_000 }, () => {
  it('refuses a second server on the same data dir, naming the first', async () => {
    const second = await run('server/src/main.ts', [], { env: embeddedEnv({ PORT: String(await freePort()), HOST: '127.0.0.1' }) });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`in use by process ${server.pid} (civgrid server on port ${serverPort}: server/src/main.ts, since `);
    expect(second.stderr).toContain(dataDir);
    expect(second.stderr).toMatch(/CIVGRID_DATA_DIR/);
    expect(await healthy(serverPort)).toBe(true);
  });

  it('refuses every command on the held data dir, which writes nothing', async () => {
    const out = join(work, 'out');
    const [userCreate, seed, migrate, backup, restore, basemap, publish] = await Promise.all([
      run('server/src/cli/user-create.ts', ['--admin', '--username', 'refused.admin'], { input: 'a-long-enough-password\n' }),
      run('db/src/cli/seed.ts', ['--problems', '10']),
      run('db/src/cli/migrate.ts', []),
      run('db/src/cli/backup.ts', [join(out, 'while-running.tar.gz')]),
      run('db/src/cli/restore.ts', [backupFile, '--force']),
      run('tiles/src/cli/basemap.ts', [join(out, 'basemap.pmtiles')]),
      run('tiles/src/cli/publish.ts', [join(out, 'snapshot')]),
    ]);
    const refusal = `in use by process ${server.pid} (civgrid server on port ${serverPort}`;
    for (const [name, result] of Object.entries({ userCreate, seed, migrate, backup, restore, basemap, publish })) {
      expect({ name, code: result.code }).toEqual({ name, code: 1 });
      expect(result.stderr, name).toContain(refusal);
    }
    expect(userCreate.stdout).not.toContain('Created');
    // where the account can be made instead
    expect(userCreate.stderr).toContain('POST /api/users');
    expect(userCreate.stderr).toContain('用户管理');
    expect(migrate.stderr).toMatch(/the server also applies new migrations/);

    expect(existsSync(out)).toBe(false); // no backup, basemap or snapshot, not even a folder
    expect(readdirSync(work).sort()).toEqual(['before.tar.gz', 'data']); // restore moved nothing aside, left no staging
    expect(readdirSync(dataDir).sort()).toEqual(dataDirFiles);
    expect(await healthy(serverPort)).toBe(true);
  });

  it('is free again the moment the holder is killed with -9, and the refused writes never happened', async () => {
    server.kill('SIGKILL');
    await exited(server);
    const created = await run('server/src/cli/user-create.ts', ['--admin', '--username', 'after.kill'], { input: 'a-long-enough-password\n' });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created admin "after.kill"');
    // the refused user:create and seed left no account and no demo district
    expect(await contents()).toEqual({ users: ['after.kill'], zones: 0, problems: 0 });
  });

  it('refuses a second open in the same process too, and frees the dir on close', async () => {
    const first = await createDatabase({ dataDir, purpose: 'first open' });
    try {
      const error = await createDatabase({ dataDir }).then(
        async (database) => {
          await database.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataDirLockedError);
      expect((error as DataDirLockedError).holder).toMatchObject({ pid: process.pid, purpose: 'first open' });
    } finally {
      await first.close();
    }
    const second = await createDatabase({ dataDir });
    await second.close();
  });

  it.runIf(template.engine === 'postgres')('takes no lock with DATABASE_URL: servers on PostgreSQL may share a data dir for tiles', async () => {
    if (template.engine !== 'postgres') return;
    const url = new URL(template.url);
    url.pathname = `/${template.database}`;
    const holder = await createDatabase({ dataDir, purpose: 'embedded holder' });
    try {
      const migrate = await run('db/src/cli/migrate.ts', [], { env: { ...embeddedEnv(), DATABASE_URL: url.toString() } });
      expect(migrate.stderr).toBe('');
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toContain('database is up to date');
    } finally {
      await holder.close();
    }
  });
});
