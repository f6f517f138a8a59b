import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { canonicalPath, DataDirLockedError, type LockStrategy, lockAddress, lockDataDir, parseHolder } from './data-dir-lock.ts';

const work = realpathSync(mkdtempSync(join(tmpdir(), 'civgrid-lock-unit-')));
const holderScript = resolve(import.meta.dirname, '../../test/support/hold-data-dir.ts');
const children: ChildProcess[] = [];
let dirs = 0;

const newDir = () => {
  const dir = join(work, `data-${dirs++}`);
  mkdirSync(dir);
  return dir;
};

/** Another process holding `dir`; resolves once it says so. */
function holder(dir: string, mode: 'lock' | 'lock-and-leave', strategy?: LockStrategy): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', holderScript, dir, mode, ...(strategy ? [strategy] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      if (out.includes('\n')) done(child);
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk));
    child.on('exit', (code) => fail(new Error(`holder exited (${code}) before holding: ${err}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => done({ code, signal }));
  });

async function refusal(dir: string, options: Parameters<typeof lockDataDir>[1] = {}): Promise<DataDirLockedError> {
  const error = await lockDataDir(dir, options).then(
    async (lock) => {
      await lock.release();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataDirLockedError);
  return error as DataDirLockedError;
}

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

// several tests start node processes, slow on a machine the other suites share
describe('data-dir lock', { timeout: 60_000 }, () => {
  it('refuses a second holder in the same process, naming the first, until it is released', async () => {
    const dir = newDir();
    const first = await lockDataDir(dir, { purpose: 'first opener' });
    const error = await refusal(dir);
    expect(error.dataDir).toBe(dir);
    expect(error.holder).toMatchObject({ pid: process.pid, purpose: 'first opener', since: first.holder.since });
    expect(error.message).toContain(`in use by process ${process.pid} (first opener: `);
    expect(error.message).toContain(dir);
    await first.release();
    await first.release(); // twice is harmless
    const again = await lockDataDir(dir);
    await again.release();
  });

  it('gives one lock to every spelling of a folder: relative, through a symlink, not yet created', async () => {
    const dir = newDir();
    const link = join(work, `link-${dirs}`);
    symlinkSync(dir, link);
    const lock = await lockDataDir(link);
    expect(lock.dataDir).toBe(dir);
    await refusal(dir);
    await refusal(`${dir}/../${dir.split('/').pop()}`);
    await lock.release();

    const future = join(work, `later-${dirs++}`, 'data');
    const early = await lockDataDir(future);
    mkdirSync(future, { recursive: true });
    await refusal(future);
    await early.release();
    expect(canonicalPath(join(link, 'x', 'y'))).toBe(join(dir, 'x', 'y'));
  });

  it('lets different folders be held at once', async () => {
    const a = await lockDataDir(newDir());
    const b = await lockDataDir(newDir());
    expect(a.dataDir).not.toBe(b.dataDir);
    await Promise.all([a.release(), b.release()]);
  });

  it('names a holder in another process; kill -9 of it frees the lock at once', async () => {
    const dir = newDir();
    const child = await holder(dir, 'lock');
    const error = await refusal(dir);
    expect(error.holder).toMatchObject({ pid: child.pid, purpose: 'test holder', command: expect.stringContaining('hold-data-dir.ts') });
    child.kill('SIGKILL');
    expect(await exited(child)).toEqual({ code: null, signal: 'SIGKILL' });
    const lock = await lockDataDir(dir);
    await lock.release();
  });

  it('does not keep a finished process alive', async () => {
    const child = await holder(newDir(), 'lock-and-leave');
    expect(await exited(child)).toEqual({ code: 0, signal: null });
  });

  it('names a holder too busy to answer from /proc, and invents nothing where it cannot', async () => {
    const dir = newDir();
    const address = lockAddress(dir, process.platform === 'linux' ? 'abstract' : 'file');
    const mute = createServer(() => {}); // accepts, never answers
    await new Promise<void>((done) => mute.listen(address, done));
    try {
      const error = await refusal(dir, { answerMs: 200 });
      if (process.platform === 'linux') {
        // /proc still tells who listens: this very process, started before now
        expect(error.holder).toMatchObject({ pid: process.pid, purpose: 'busy, did not answer', command: expect.stringContaining('node') });
        expect(Date.parse(error.holder!.since)).toBeLessThanOrEqual(Date.now());
        expect(error.message).toContain(`in use by process ${process.pid} (busy, did not answer: `);
      } else {
        expect(error.holder).toBeUndefined();
        expect(error.message).toMatch(/in use by another process/);
      }
    } finally {
      await new Promise((done) => mute.close(done));
    }
  });

  it('socket-file fallback: refuses while held, and a file left by kill -9 is stale', async () => {
    const dir = newDir();
    const child = await holder(dir, 'lock', 'file');
    const address = lockAddress(dir, 'file');
    expect((await refusal(dir, { strategy: 'file' })).holder?.pid).toBe(child.pid);
    child.kill('SIGKILL');
    await exited(child);
    expect(existsSync(address)).toBe(true); // the kernel does not remove a socket file
    const lock = await lockDataDir(dir, { strategy: 'file' });
    expect(lock.holder.pid).toBe(process.pid);
    await lock.release();
    expect(existsSync(address)).toBe(false);
  });

  it('trusts nothing but a well-formed answer', () => {
    expect(parseHolder('{"pid":12,"command":"pnpm start","since":"2026-01-01T00:00:00Z"}')).toEqual({ pid: 12, command: 'pnpm start', since: '2026-01-01T00:00:00Z' });
    expect(parseHolder('{"pid":"12","command":"x","since":"y"}')).toBeUndefined();
    expect(parseHolder('{"pid":1.5,"command":"x","since":"y"}')).toBeUndefined();
    expect(parseHolder('{"pid":12,"command":"x","since":"y","purpose":7}')).toBeUndefined();
    expect(parseHolder('null')).toBeUndefined();
    expect(parseHolder('not json')).toBeUndefined();
    expect(parseHolder('{"pid":1,"command":"a\\u001b[2Jb","since":"y"}')?.command).toBe('a [2Jb');
  });
});
