/**
 * One process per embedded data dir. PGlite takes no lock: two processes on one
 * folder both start, both acknowledge writes and corrupt each other's pages.
 *
 * The lock is a Unix socket bound to a name derived from the data dir's real
 * path — on Linux in the abstract namespace, which the kernel frees when the
 * process dies (even on `kill -9`), so a lock is never stale; on Windows a
 * named pipe, freed the same way. Binding is atomic: EADDRINUSE means someone
 * holds it. The holder answers a connection with who it is (pid, command,
 * since when), so the refusal names it. Elsewhere (macOS, BSD) a socket file
 * in the temp folder is used, and a file nobody answers on is stale and removed.
 *
 * Node has no flock; a native flock addon would have to compile on install,
 * a lock file alone would outlive a `kill -9`. The price: abstract names are
 * per network namespace, so containers with network namespaces of their own
 * sharing one data volume do not see each other's lock; and the socket-file
 * fallback has a small window in which two processes that both found a
 * stale file can both take it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { processesWithOpen } from './proc-fds.ts';

/** Who holds a data dir. */
export interface LockHolder {
  pid: number;
  /** The command that opened it (`pnpm start`, `db/src/cli/seed.ts`). */
  command: string;
  /** What it is for, when the opener said (`civgrid server on port 3000`). */
  purpose?: string | undefined;
  /** ISO 8601 time the lock was taken. */
  since: string;
}

export interface DataDirLock {
  /** The data dir's real path. */
  readonly dataDir: string;
  readonly holder: LockHolder;
  /** Frees the lock; calling it twice does nothing. */
  release(): Promise<void>;
}

export interface LockOptions {
  purpose?: string | undefined;
  /** Overrides how the lock is taken (tests of the socket-file fallback). */
  strategy?: LockStrategy | undefined;
  /** How long to wait for the holder to say who it is (default 3 s). */
  answerMs?: number | undefined;
}

/** `abstract`: Linux abstract socket; `pipe`: Windows named pipe; `file`: socket file, stale when nobody answers. */
export type LockStrategy = 'abstract' | 'pipe' | 'file';

/** Another process has the data dir open; `holder` is who, when it answered. */
export class DataDirLockedError extends Error {
  readonly code = 'data_dir_locked';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder
      ? `process ${holder.pid} (${holder.purpose ? `${holder.purpose}: ` : ''}${holder.command}, since ${holder.since})`
      : 'another process (which did not say who it is; it may be busy)';
    super(
      `the embedded database in ${dataDir} is in use by ${who}; the embedded engine opens its data dir in one process only, a second one would lose or corrupt data`,
    );
    this.name = 'DataDirLockedError';
  }
}

const ATTEMPTS = 5;

/** Takes the lock on `dir` (which need not exist yet) or throws DataDirLockedError. */
export async function lockDataDir(dir: string, options: LockOptions = {}): Promise<DataDirLock> {
  const dataDir = canonicalPath(dir);
  const strategy = options.strategy ?? defaultStrategy();
  const address = lockAddress(dataDir, strategy);
  const holder: LockHolder = {
    pid: process.pid,
    command: currentCommand(),
    ...(options.purpose ? { purpose: options.purpose } : {}),
    since: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const server = await bind(address, holder);
    if (server) {
      let released = false;
      return {
        dataDir,
        holder,
        async release() {
          if (released) return;
          released = true;
          // closing a socket-file server also removes its file
          await new Promise<void>((done) => server.close(() => done()));
        },
      };
    }
    const answer = await ask(address, options.answerMs ?? 3000);
    if (answer.kind === 'holder') throw new DataDirLockedError(dataDir, answer.holder);
    // too busy to answer (a long query blocks its event loop): on Linux, /proc still tells who listens
    if (answer.kind === 'silent') throw new DataDirLockedError(dataDir, listenerOf(address));
    // nobody listens: the holder just went away, or (socket file) it died and left the file
    if (strategy === 'file') {
      try {
        unlinkSync(address);
      } catch {
        // another process removed it first
      }
    }
    await new Promise((done) => setTimeout(done, 20 * (attempt + 1)));
  }
  // it keeps appearing and vanishing: someone is starting and stopping on it
  throw new DataDirLockedError(dataDir, undefined);
}

/**
 * The real path of `dir`, also when it does not exist yet (restore into a new
 * folder): the nearest existing ancestor resolved, the rest appended. Two
 * spellings of one folder (a symlink, `./data` and `/srv/civgrid/data`) get one lock.
 */
export function canonicalPath(dir: string): string {
  const absolute = resolve(dir);
  const rest: string[] = [];
  let current = absolute;
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) return absolute;
    rest.unshift(basename(current));
    current = parent;
  }
  return join(realpathSync(current), ...rest);
}

/** Where the lock of a data dir lives for a strategy; one name per real path. */
export function lockAddress(realDir: string, strategy: LockStrategy): string {
  const hash = createHash('sha256').update(realDir).digest('hex').slice(0, 32);
  if (strategy === 'abstract') return `\0civgrid-data-dir-${hash}`;
  if (strategy === 'pipe') return `\\\\?\\pipe\\civgrid-data-dir-${hash}`;
  // socket paths are limited to about 100 bytes, so not inside a deep data dir
  return join(tmpdir(), `civgrid-data-dir-${hash}.sock`);
}

function defaultStrategy(): LockStrategy {
  if (process.platform === 'linux') return 'abstract';
  if (process.platform === 'win32') return 'pipe';
  return 'file';
}

/** `pnpm seed` when run through that package script, else the script's path. */
function currentCommand(): string {
  const entry = process.argv[1];
  if (!entry) return basename(process.execPath);
  const rel = relative(process.cwd(), entry);
  const script = rel && !rel.startsWith('..') ? rel : entry;
  // children of a package script inherit its variables: only trust them when the script runs this file
  const event = process.env.npm_lifecycle_event;
  if (event && process.env.npm_lifecycle_script?.includes(script)) return `pnpm ${event}`;
  return script;
}

/** Listens on `address`, or resolves undefined when someone else does. */
function bind(address: string, holder: LockHolder): Promise<Server | undefined> {
  const reply = `${JSON.stringify(holder)}\n`;
  return new Promise((done, fail) => {
    const server = createServer((socket) => {
      socket.unref();
      socket.on('error', () => {});
      socket.end(reply);
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') done(undefined);
      else fail(new Error(`could not take the lock on the data dir (${address.replace('\0', '@')}): ${error.message}`));
    });
    server.listen(address, () => {
      // the lock must not keep a finished command alive
      server.unref();
      done(server);
    });
  });
}

type Answer = { kind: 'holder'; holder: LockHolder } | { kind: 'silent' } | { kind: 'gone' };

/** Asks the holder of `address` who it is. */
function ask(address: string, answerMs: number): Promise<Answer> {
  return new Promise((done) => {
    let text = '';
    let settled = false;
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      done(answer);
    };
    const socket = connect(address);
    const timer = setTimeout(() => finish({ kind: 'silent' }), answerMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 4096) finish({ kind: 'silent' });
    });
    socket.on('end', () => {
      const holder = parseHolder(text);
      finish(holder ? { kind: 'holder', holder } : { kind: 'silent' });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      finish(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? { kind: 'gone' } : { kind: 'silent' });
    });
  });
}

/**
 * Linux: the process listening on an abstract socket, from /proc (same network
 * namespace, and only processes whose file descriptors we may read).
 */
export function listenerOf(address: string): LockHolder | undefined {
  if (!address.startsWith('\0')) return undefined;
  try {
    // Num RefCount Protocol Flags Type St Inode Path; a listening socket has flag __SO_ACCEPTCON.
    // The path shows NUL as @, and Node binds the whole sun_path, padded with NULs.
    const name = `@${address.slice(1)}`;
    const fields = readFileSync('/proc/net/unix', 'utf8')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .find((f) => f[3] === '00010000' && f[7]?.replace(/@+$/, '') === name);
    if (!fields) return undefined;
    const link = `socket:[${fields[6]}]`;
    const [pid] = processesWithOpen((target) => target === link, { limit: 1, includeSelf: true });
    if (pid !== undefined) return describeProcess(pid);
  } catch {
    // no /proc
  }
  return undefined;
}

/** A process's command line and start time from /proc. */
function describeProcess(pid: number): LockHolder {
  const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name in parentheses; starttime (field 22) is in clock ticks after boot, USER_HZ = 100
  const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
  const since = Number.isFinite(startTicks) && Number.isFinite(boot) ? new Date((boot + startTicks / 100) * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : 'an unknown time';
  return { pid, command: command.replace(/[\p{Cc}]/gu, ' ').slice(0, 200) || `process ${pid}`, purpose: 'busy, did not answer', since };
}

/** The holder's answer, checked: it comes from another process. */
export function parseHolder(text: string): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, command, purpose, since } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(pid) || typeof command !== 'string' || typeof since !== 'string') return undefined;
  if (purpose !== undefined && typeof purpose !== 'string') return undefined;
  const clip = (s: string) => s.replace(/[\p{Cc}]/gu, ' ').slice(0, 200);
  return { pid: pid as number, command: clip(command), ...(purpose ? { purpose: clip(purpose) } : {}), since: clip(since) };
}
