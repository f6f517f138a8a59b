/**
 * The deployment of deploy/: two server processes on one PostgreSQL
 * database behind nginx on loopback, nginx running deploy/nginx/civgrid.conf
 * itself (with this test's ports and folders swapped in). Each answer names
 * the process that gave it (X-Civgrid-Instance), so every check below is made
 * with requests that are seen to reach both processes:
 *
 * - a session made on one process is honoured by the other, and a logout on
 *   one ends it on the other (the session cache is dropped by NOTIFY);
 * - login attempts and citizen reports are counted across the processes
 *   (the counters are rows in PostgreSQL), per client address as nginx
 *   forwards it, whatever X-Forwarded-For the client sends;
 * - a tile cached by one process shows an edit made through the other;
 * - an Idempotency-Key replayed on the other process (and sent to both at
 *   once) writes once and answers the same;
 * - PMTiles byte ranges pass through nginx (206, If-Range), JSON is gzipped,
 *   hashed assets are cached for a year, bodies over the upload limit are
 *   refused in the API's error shape.
 *
 * Skipped without DATABASE_URL (the embedded engine opens its data dir in
 * one process only) or without nginx (.ci/run installs it). Each client
 * address is a loopback address of its own (127.0.0.x), so the checks do not
 * share rate-limit counters.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { lonLatToTile } from '@civgrid/tiles';
import postgres from 'postgres';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../server/src/auth/rate-limit.middleware.ts';
import { compiledServer } from '../support/compiled-server.ts';
import { clonePostgresTemplate } from '../support/database.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const NGINX_CONF = join(ROOT, 'deploy/nginx/civgrid.conf');
const SYSTEMD_DIR = join(ROOT, 'deploy/systemd');
const PMTILES_FIXTURE = join(ROOT, 'test/fixtures/pmtiles/world_stamen_toner_raster_z0-3.pmtiles');
const DEMO_PASSWORD = 'civgrid-demo';

/** How a server process is started: the compiled entry point the systemd unit runs, `node server/dist/main.js`. */
const serverCommand = compiledServer;

function findNginx(): string | undefined {
  for (const path of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) if (existsSync(path)) return path;
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const nginxBinary = findNginx();
const skipReason = !process.env.DATABASE_URL
  ? 'DATABASE_URL is unset: several server processes share a PostgreSQL database only'
  : !nginxBinary
    ? 'nginx is not installed (apt-get install nginx-light; .ci/run does)'
    : undefined;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The process that answered (X-Civgrid-Instance), or '' when nginx answered itself. */
  instance: string;
  text(): string;
  json<T = Record<string, unknown>>(): T;
}

interface Call {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The client's own address (a loopback address): the one nginx forwards as X-Forwarded-For. */
  from?: string;
}

/** An HTTP request with node:http (no automatic decompression, a chosen source address). */
function call(port: number, path: string, { method = 'GET', headers = {}, body, from = '127.0.0.1' }: Call = {}): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers, localAddress: from, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const instance = res.headers['x-civgrid-instance'];
        done({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: bytes,
          instance: typeof instance === 'string' ? instance : '',
          text: () => bytes.toString('utf8'),
          json: <T,>() => JSON.parse(bytes.toString('utf8')) as T,
        });
      });
    });
    req.on('error', fail);
    req.end(body);
  });
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** deploy/nginx/civgrid.conf with this test's ports and folders; fails loudly when the sample no longer has what it swaps. */
function renderNginxConfig(sample: string, o: { listen: number; upstreams: number[]; webRoot: string }): string {
  const swap = (text: string, pattern: RegExp, replacement: string) => {
    if (!pattern.test(text)) throw new Error(`deploy/nginx/civgrid.conf no longer matches ${pattern}: update this test's renderNginxConfig`);
    return text.replace(pattern, replacement);
  };
  let text = swap(sample, /^(\s*)server 127\.0\.0\.1:3001 (.*)$/m, `$1server 127.0.0.1:${o.upstreams[0]} $2`);
  text = swap(text, /^(\s*)server 127\.0\.0\.1:3002 (.*)$/m, `$1server 127.0.0.1:${o.upstreams[1]} $2`);
  text = swap(text, /^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${o.listen};`);
  text = swap(text, /^\s*listen \[::\]:80;\n/m, '');
  text = swap(text, /\/opt\/civgrid\/web\/dist/g, o.webRoot);
  return text;
}

// said where the run shows it, not only in a skipped test's name
if (skipReason) console.info(`deploy.test.ts skipped: ${skipReason}`);
const describeDeploy = skipReason ? describe.skip : describe;

describeDeploy(`two server processes behind nginx${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let dir: string;
  let clone: { url: string; drop(): Promise<void> };
  let sql: postgres.Sql;
  const servers: { name: string; port: number; child: ChildProcess; log: string[] }[] = [];
  let nginx: ChildProcess | undefined;
  let nginxLog: string[] = [];
  let port: number;
  let webRoot: string;
  let basemap: Buffer;

  const via = (path: string, init?: Call) => call(port, path, init);

  /** Sends (a safe request) until each process has answered once; returns the answers by process. */
  async function fromBoth(path: string, init?: Call): Promise<Map<string, Answer>> {
    const seen = new Map<string, Answer>();
    for (let i = 0; i < 20 && seen.size < 2; i++) {
      const answer = await via(path, init);
      if (!seen.has(answer.instance)) seen.set(answer.instance, answer);
    }
    expect([...seen.keys()].sort()).toEqual(['a', 'b']);
    return seen;
  }

  /** Sends (a safe request) until a process other than `not` answers. */
  async function fromOtherThan(not: string, path: string, init?: Call): Promise<Answer> {
    for (let i = 0; i < 20; i++) {
      const answer = await via(path, init);
      if (answer.instance !== not) return answer;
    }
    throw new Error(`only ${not} answered ${path}`);
  }

  /** A category problems are reported under (the one most used so far). */
  async function reportedCategory(): Promise<{ id: string }> {
    const [row] = await sql<{ id: string }[]>`SELECT category_id AS id FROM problems GROUP BY category_id ORDER BY count(*) DESC, category_id LIMIT 1`;
    expect(row).toBeDefined();
    return row!;
  }

  async function signIn(username: string, from: string): Promise<{ cookie: string; csrf: string; instance: string }> {
    const res = await via('/api/auth/login', {
      method: 'POST', from, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    expect(res.status, res.text()).toBe(200);
    const setCookie = res.headers['set-cookie'];
    const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0];
    expect(cookie).toBeTruthy();
    return { cookie: cookie!, csrf: res.json<{ csrfToken: string }>().csrfToken, instance: res.instance };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'civgrid-deploy-'));
    // nginx's workers (nobody, when this runs as root) read the web root
    execFileSync('chmod', ['755', dir]);
    webRoot = join(dir, 'web');
    await mkdir(join(webRoot, 'assets'), { recursive: true });
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>civgrid</title><script type="module" src="/assets/index-3f9a1c2b.js"></script>');
    await writeFile(join(webRoot, 'assets/index-3f9a1c2b.js'), `console.log(${JSON.stringify('civgrid '.repeat(400))});\n`);
    await mkdir(join(dir, 'data/tiles'), { recursive: true });
    await copyFile(PMTILES_FIXTURE, join(dir, 'data/tiles/basemap.pmtiles'));
    basemap = await readFile(PMTILES_FIXTURE);

    clone = await clonePostgresTemplate();
    sql = postgres(clone.url, { max: 2, onnotice: () => {} });

    const [portA, portB] = [await freePort(), await freePort()];
    const { command, args } = serverCommand();
    for (const [name, serverPort] of [['a', portA], ['b', portB]] as const) {
      const log: string[] = [];
      const child = spawn(command, args, {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'production',
          PORT: String(serverPort),
          DATABASE_URL: clone.url,
          CIVGRID_DATA_DIR: join(dir, 'data'),
          CIVGRID_WEB_ROOT: webRoot,
          CIVGRID_DEMO: 'true',
          CIVGRID_TRUST_PROXY: 'true',
          CIVGRID_TRUSTED_PROXIES: '127.0.0.1',
          CIVGRID_INSTANCE: name,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
      servers.push({ name, port: serverPort, child, log });
    }
    // both processes up (each migrates under the migrator's lock and finds the demo seeded)
    for (const server of servers) {
      for (let attempt = 0; ; attempt++) {
        if (server.child.exitCode !== null) throw new Error(`server ${server.name} exited ${server.child.exitCode}:\n${server.log.join('')}`);
        const health = await call(server.port, '/api/health').catch(() => undefined);
        if (health?.status === 200) break;
        if (attempt > 600) throw new Error(`server ${server.name} did not answer /api/health:\n${server.log.join('')}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    port = await freePort();
    const prefix = join(dir, 'nginx');
    await mkdir(prefix, { recursive: true });
    const site = renderNginxConfig(await readFile(NGINX_CONF, 'utf8'), { listen: port, upstreams: [portA, portB], webRoot });
    await writeFile(join(prefix, 'civgrid.conf'), site);
    // the http context a distribution's nginx.conf gives the sample, with every path under the prefix
    await writeFile(
      join(prefix, 'nginx.conf'),
      [
        process.getuid?.() === 0 ? 'user root;' : '',
        'worker_processes 1;',
        `pid ${prefix}/nginx.pid;`,
        `error_log ${prefix}/error.log warn;`,
        'events { worker_connections 256; }',
        'http {',
        existsSync('/etc/nginx/mime.types') ? '  include /etc/nginx/mime.types;' : '  types { text/html html; application/javascript js; text/css css; }',
        '  default_type application/octet-stream;',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${prefix}/${t}_temp;`),
        `  include ${prefix}/civgrid.conf;`,
        '}',
      ].join('\n'),
    );
    nginxLog = [];
    nginx = spawn(nginxBinary!, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nginx.stdout?.on('data', (chunk: Buffer) => nginxLog.push(chunk.toString()));
    nginx.stderr?.on('data', (chunk: Buffer) => nginxLog.push(chunk.toString()));
    for (let attempt = 0; ; attempt++) {
      if (nginx.exitCode !== null) throw new Error(`nginx exited ${nginx.exitCode}:\n${nginxLog.join('')}`);
      const health = await via('/api/health').catch(() => undefined);
      if (health?.status === 200) break;
      if (attempt > 100) throw new Error(`nginx did not answer:\n${nginxLog.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    const stopped = (child: ChildProcess | undefined) =>
      child && child.exitCode === null ? new Promise<void>((done) => child.once('exit', () => done())) : Promise.resolve();
    const waits = [nginx, ...servers.map((s) => s.child)].map(stopped);
    nginx?.kill('SIGQUIT');
    for (const server of servers) server.child.kill('SIGTERM');
    await Promise.all(waits);
    await sql?.end();
    await clone?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('round-robins over both processes, each naming itself', async () => {
    const health = await fromBoth('/api/health');
    for (const [name, answer] of health) expect(answer.json()).toMatchObject({ status: 'ok', engine: 'postgres', instance: name });
    // directly, too: the name is the process's, not nginx's
    expect((await call(servers[0]!.port, '/api/health')).instance).toBe('a');
    expect((await call(servers[1]!.port, '/api/health')).instance).toBe('b');
  });

  it('honours a session on the other process, and ends it on both at logout', async () => {
    const session = await signIn('viewer', '127.0.0.20');
    const headers = { cookie: session.cookie };
    const other = await fromOtherThan(session.instance, '/api/auth/me', { headers, from: '127.0.0.20' });
    expect(other.status).toBe(200);
    expect(other.json<{ user: { username: string } }>().user.username).toBe('viewer');
    // both processes have the session in their caches now
    const both = await fromBoth('/api/auth/me', { headers, from: '127.0.0.20' });
    for (const answer of both.values()) expect(answer.status).toBe(200);

    const logout = await via('/api/auth/logout', { method: 'POST', from: '127.0.0.20', headers: { ...headers, 'x-csrf-token': session.csrf } });
    expect(logout.status).toBeLessThan(300);
    const after = await fromOtherThan(logout.instance, '/api/auth/me', { headers, from: '127.0.0.20' });
    expect(after.status).toBe(401);
    expect((await via('/api/auth/me', { headers, from: '127.0.0.20' })).status).toBe(401);
  });

  it('counts login attempts across the processes, per client address whatever X-Forwarded-For says', async () => {
    const from = '127.0.0.30';
    const { max } = DEFAULT_RATE_LIMITS.loginPerUser; // per username and address
    const instances = new Set<string>();
    for (let i = 0; i < max; i++) {
      const res = await via('/api/auth/login', {
        method: 'POST', from,
        // a different forged address each time: nginx replaces the header, so the count stays this address's
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i + 1}` },
        body: JSON.stringify({ username: 'supervisor', password: `wrong-${i}` }),
      });
      expect(res.status, res.text()).toBe(401);
      instances.add(res.instance);
    }
    expect([...instances].sort()).toEqual(['a', 'b']);
    // the next attempt is refused on either process, even with the right password
    for (let i = 0; i < 2; i++) {
      const refused = await via('/api/auth/login', {
        method: 'POST', from, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'supervisor', password: DEMO_PASSWORD }),
      });
      expect(refused.status, refused.text()).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      instances.add(refused.instance);
    }
    // counted once, in the database, under the address nginx saw
    const [row] = await sql<{ hits: number }[]>`SELECT hits FROM rate_limits WHERE key = ${`login:user:supervisor:${from}`}`;
    expect(row?.hits).toBe(max + 2);
    const forged = await sql`SELECT key FROM rate_limits WHERE key LIKE ${'%198.51.100.%'}`;
    expect(forged).toHaveLength(0);
    // another address is not held back
    expect((await signIn('supervisor', '127.0.0.31')).cookie).toBeTruthy();
  });

  it('counts citizen reports across the processes', async () => {
    const from = '127.0.0.40';
    const [place] = await sql<{ lon: number; lat: number }[]>`
      SELECT ST_X(p)::float8 AS lon, ST_Y(p)::float8 AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM territories WHERE level = 'grid' ORDER BY code LIMIT 1) s`;
    const category = await reportedCategory();
    const { max } = DEFAULT_RATE_LIMITS.publicPerIp; // writes without an account, per address and window
    const report = (i: number) =>
      via('/api/public/problems', {
        method: 'POST', from,
        // a browser's Origin: nginx passes the Host with its port, so the server sees the same origin
        headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` },
        body: JSON.stringify({ lon: place!.lon, lat: place!.lat, categoryId: category!.id, description: `部署测试 ${i}` }),
      });
    const instances = new Set<string>();
    for (let i = 0; i < max; i++) {
      const res = await report(i);
      expect(res.status, res.text()).toBe(201);
      instances.add(res.instance);
    }
    expect([...instances].sort()).toEqual(['a', 'b']);
    const refused = [await report(max), await report(max + 1)];
    expect(refused.map((r) => r.status)).toEqual([429, 429]);
    expect(new Set(refused.map((r) => r.instance)).size).toBe(2);
    const [count] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM problems WHERE description LIKE '部署测试 %'`;
    expect(count?.n).toBe(max);
  });

  it('shows an edit made through one process in the tiles of the other', async () => {
    const session = await signIn('inspector', '127.0.0.50');
    const headers = { cookie: session.cookie };
    const [place] = await sql<{ lon: number; lat: number }[]>`
      SELECT ST_X(p)::float8 AS lon, ST_Y(p)::float8 AS lat
      FROM (SELECT ST_PointOnSurface(geom) AS p FROM territories WHERE level = 'grid' ORDER BY code DESC LIMIT 1) s`;
    const category = await reportedCategory();
    const z = 16;
    const { x, y } = lonLatToTile(place!.lon, place!.lat, z);
    const tilePath = `/tiles/problems/${z}/${x}/${y}.mvt`;
    const ids = (answer: Answer): number[] => {
      if (answer.status === 204) return [];
      expect(answer.status).toBe(200);
      const bytes = answer.headers['content-encoding'] === 'gzip' ? gunzipSync(answer.body) : answer.body;
      const layer = new VectorTile(new PbfReader(new Uint8Array(bytes))).layers.problems;
      return layer ? Array.from({ length: layer.length }, (_, i) => Number(layer.feature(i).id)) : [];
    };
    // both processes have the tile in their caches
    const before = await fromBoth(tilePath, { headers, from: '127.0.0.50' });
    const known = new Set([...before.values()].flatMap(ids));

    const made = await via('/api/problems', {
      method: 'POST', from: '127.0.0.50',
      headers: { ...headers, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ lon: place!.lon, lat: place!.lat, categoryId: category!.id, description: '部署测试：瓦片' }),
    });
    expect(made.status, made.text()).toBe(201);
    const id = made.json<{ id: number }>().id;
    expect(known.has(id)).toBe(false);

    const other = await fromOtherThan(made.instance, tilePath, { headers, from: '127.0.0.50' });
    expect(ids(other)).toContain(id);
    // and the process that made it
    const same = await fromOtherThan(other.instance, tilePath, { headers, from: '127.0.0.50' });
    expect(ids(same)).toContain(id);
  });

  it('replays an Idempotency-Key on the other process: one write, the same answer', async () => {
    const session = await signIn('inspector', '127.0.0.60');
    const [place] = await sql<{ lon: number; lat: number }[]>`
      SELECT ST_X(p)::float8 AS lon, ST_Y(p)::float8 AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM territories WHERE level = 'grid' ORDER BY code LIMIT 1 OFFSET 1) s`;
    const category = await reportedCategory();
    const post = (key: string, description: string) =>
      via('/api/problems', {
        method: 'POST', from: '127.0.0.60',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ lon: place!.lon, lat: place!.lat, categoryId: category!.id, description }),
      });
    const rowsOf = async (description: string) =>
      (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM problems WHERE description = ${description}`)[0]!.n;

    // one after the other, until both processes have answered
    const first = await post('deploy-replay-0001', '部署测试：重放');
    expect(first.status, first.text()).toBe(201);
    const answers = [first];
    while (!answers.some((a) => a.instance !== first.instance)) {
      if (answers.length > 10) throw new Error('one process answered every replay');
      answers.push(await post('deploy-replay-0001', '部署测试：重放'));
    }
    // a replay answers 200 (not created again) with the body of the first answer
    for (const answer of answers.slice(1)) {
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual(first.json());
    }
    expect(await rowsOf('部署测试：重放')).toBe(1);

    // at the same time on both: the key is claimed in the database, so one writes and the rest replay it
    const together = await Promise.all(Array.from({ length: 6 }, () => post('deploy-replay-0002', '部署测试：并发重放')));
    expect(new Set(together.map((a) => a.instance)).size).toBe(2);
    expect(together.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(together.map((a) => a.json<{ id: number }>().id)).size).toBe(1);
    expect(await rowsOf('部署测试：并发重放')).toBe(1);
  });

  it('passes PMTiles byte ranges through: 206, Accept-Ranges, If-Range, a day of caching, never gzipped', async () => {
    const path = '/api/public/map/basemap.pmtiles';
    const range = await via(path, { headers: { range: 'bytes=0-126', 'accept-encoding': 'gzip' } });
    expect(range.status).toBe(206);
    expect(range.headers['content-range']).toBe(`bytes 0-126/${basemap.length}`);
    expect(range.headers['accept-ranges']).toBe('bytes');
    expect(range.headers['content-encoding']).toBeUndefined();
    expect(range.headers['cache-control']).toBe('public, max-age=86400');
    expect(range.body.equals(basemap.subarray(0, 127))).toBe(true);
    const etag = range.headers.etag as string;
    expect(etag).toMatch(/^"/);

    const middle = await via(path, { headers: { range: 'bytes=1000-1999', 'if-range': etag } });
    expect(middle.status).toBe(206);
    expect(middle.body.equals(basemap.subarray(1000, 2000))).toBe(true);
    // a client holding another version gets the whole file
    const stale = await via(path, { headers: { range: 'bytes=1000-1999', 'if-range': '"0-0"' } });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(basemap)).toBe(true);

    // the signed-in copy is private to the browser
    const session = await signIn('viewer', '127.0.0.70');
    const signedIn = await via('/tiles/basemap.pmtiles', { from: '127.0.0.70', headers: { cookie: session.cookie, range: 'bytes=0-126' } });
    expect(signedIn.status).toBe(206);
    expect(signedIn.headers['cache-control']).toBe('private, max-age=86400');
  });

  it('gzips JSON, keeps the API uncached and caches hashed assets for a year', async () => {
    const direct = await call(servers[0]!.port, '/api/public/map/area.geojson');
    expect(direct.status).toBe(200);
    expect(direct.body.length).toBeGreaterThan(1024);
    const zipped = await via('/api/public/map/area.geojson', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/i);
    const unzipped = gunzipSync(zipped.body);
    expect(JSON.parse(unzipped.toString('utf8'))).toEqual(direct.json());
    expect(zipped.body.length).toBeLessThan(unzipped.length / 2);

    const session = await signIn('viewer', '127.0.0.71');
    const api = await via('/api/layers/streets', { from: '127.0.0.71', headers: { cookie: session.cookie, 'accept-encoding': 'gzip' } });
    expect(api.status).toBe(200);
    expect(api.headers['content-encoding']).toBe('gzip');
    expect(api.headers['cache-control']).toBe('no-store');

    const asset = await via('/assets/index-3f9a1c2b.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.instance).toBe(''); // from disk, by nginx
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect((await via('/assets/index-00000000.js')).status).toBe(404);
    // the page that names the assets is revalidated, so an upgrade is seen at once
    const page = await via('/');
    expect(page.status).toBe(200);
    expect(page.text()).toContain('/assets/index-3f9a1c2b.js');
    expect(page.headers['cache-control']).toBe('no-cache');
  });

  it('refuses a body over the upload limit in the API error shape; smaller ones reach the server', async () => {
    const tooLarge = await via('/api/import', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(21 * 1024 * 1024 + 1) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.instance).toBe('');
    expect(tooLarge.json()).toEqual({ error: { code: 'payload_too_large', message: expect.stringContaining('21 MB') } });
    // 9 MB of JSON passes nginx and is judged by the server (its JSON limit is 8 MB)
    const json = await via('/api/auth/login', { method: 'POST', from: '127.0.0.80', headers: { 'content-type': 'application/json' }, body: `{"username":"${'x'.repeat(9 * 1024 * 1024)}"}` });
    expect(json.status).toBe(413);
    expect(['a', 'b']).toContain(json.instance);
    expect(json.json<{ error: { code: string } }>().error.code).toBe('payload_too_large');
  });

  it('migrates and stops with --migrate-only, as civgrid-migrate.service runs it before the servers', async () => {
    const { command, args } = serverCommand();
    const child = spawn(command, [...args, '--migrate-only'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: clone.url, CIVGRID_DATA_DIR: join(dir, 'data'), CIVGRID_DEMO: 'true', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code, output.join('')).toBe(0);
    expect(output.join('')).toContain('database is up to date (--migrate-only)');
    expect(output.join('')).not.toContain('ready at');
  });

  it.skipIf(!existsSync('/usr/bin/systemd-analyze'))('has systemd units that systemd-analyze accepts', async () => {
    const units = join(dir, 'units');
    await mkdir(units);
    for (const file of ['civgrid@.service', 'civgrid-migrate.service', 'civgrid-backup.service', 'civgrid-backup.timer', 'civgrid.target']) {
      await copyFile(join(SYSTEMD_DIR, file), join(units, file));
    }
    await copyFile(join(SYSTEMD_DIR, 'civgrid@.service'), join(units, 'civgrid@3001.service'));
    const files = ['civgrid@3001.service', 'civgrid-migrate.service', 'civgrid-backup.service', 'civgrid-backup.timer', 'civgrid.target'].map((f) => join(units, f));
    const run = spawnSync('/usr/bin/systemd-analyze', ['verify', '--man=no', ...files], { encoding: 'utf8' });
    // what only the target machine has (its node, the civgrid user) is not this check's to find
    const complaints = `${run.stdout}${run.stderr}`
      .split('\n')
      .filter((line) => line.trim() && !/Command \/usr\/bin\/node is not executable|user civgrid|"civgrid"|Failed to resolve user/i.test(line));
    expect(complaints).toEqual([]);
  });
});
