/**
 * The production build runs with plain node: `node server/dist/main.js` (what
 * `pnpm start`, the systemd units and the nginx test run), no pnpm, no tsx. The
 * build is made first when its sources changed (scripts/build-lib.mjs, the same
 * check `pnpm start` makes). The server starts on a copy of the seeded template
 * with no basemap, so it also shows a start building the built-in one.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { compiledServer } from '../support/compiled-server.ts';

let dataDir: string;
let databaseUrl: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;
let child: ChildProcess | undefined;
const output: string[] = [];

let server: { command: string; args: string[] };

beforeAll(async () => {
  server = compiledServer();

  dataDir = mkdtempSync(join(tmpdir(), 'civgrid-compiled-'));
  const template = inject('template');
  if (template.engine === 'embedded') {
    // the template is a dump of a migrated, seeded data dir: unpacked, it is one
    execFileSync('tar', ['-xf', template.file, '-C', dataDir], { stdio: 'ignore' });
  } else {
    const name = `civgrid_compiled_${process.pid}_${Date.now().toString(36)}`;
    const admin = postgres(template.url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template.database}`);
    await admin.end();
    const url = new URL(template.url);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const cleanup = postgres(template.url, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    };
  }
}, 180_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
  }
  await dropDatabase?.();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the compiled server on a free port; resolves with its origin once it listens. */
function startServer(): Promise<string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: tmpdir(),
    PORT: '0', HOST: '127.0.0.1', CIVGRID_DATA_DIR: dataDir, CIVGRID_DEMO: 'true', LOG_LEVEL: 'info',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  child = spawn(server.command, server.args, { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolvePort, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        output.push(line);
        const ready = /ready at http:\/\/localhost:(\d+)/.exec(line);
        if (ready) resolvePort(`http://127.0.0.1:${ready[1]}`);
      }
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.on('exit', (code) => reject(new Error(`the server ended with code ${code}:\n${output.join('\n')}`)));
  });
}

describe('node server/dist/main.js', () => {
  it('starts with plain node, answers /api/health, serves the basemap it built, and stops on SIGTERM', async () => {
    const origin = await startServer();
    const health = await fetch(`${origin}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', engine: databaseUrl ? 'postgres' : 'embedded' });

    const basemap = await fetch(`${origin}/api/public/map/basemap.pmtiles`, { headers: { range: 'bytes=0-126' } });
    expect(basemap.status).toBe(206);
    expect(new TextDecoder().decode(new Uint8Array(await basemap.arrayBuffer()).subarray(0, 7))).toBe('PMTiles');
    expect(output.some((l) => l.includes('built-in offline basemap built'))).toBe(true);

    const exited = new Promise<number | null>((done) => child!.once('exit', (code) => done(code)));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 180_000);
});
