/**
 * `pnpm bench:load`: many concurrent clients writing and reading against a
 * real server process for a fixed time; afterwards the zones written must be
 * exactly the writes acknowledged: nothing lost, nothing duplicated, even
 * though some clients give up on a request mid-flight and retry it with the
 * same Idempotency-Key (what a phone on a bad network does).
 *
 * Engine: embedded by default (a fresh data dir, seeded on first start), or
 * PostgreSQL with BENCH_DATABASE_URL (a fresh database is created on that
 * server and dropped afterwards). BENCH_CONCURRENCY (32), BENCH_SECONDS (30).
 * Prints throughput and latency per kind, and the same client's throughput
 * against GET /api/health as the baseline measured in the same run. Then the
 * same clients' read latency (p50, p95) alone and beside four anonymous
 * clients posting citizen reports with big-pixel photos (upload-client.ts),
 * BENCH_UPLOAD_SECONDS (15) each.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { booleanWithin, bbox as turfBbox, randomPoint } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import postgres from 'postgres';
import { table } from './harness.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WRITE_SHARE = 0.3;
const ABORT_SHARE = 0.1; // writes the client gives up on after a few ms, then retries
const DEMO_PASSWORD = 'civgrid-demo';
const UPLOAD_SECONDS = Number(process.env.BENCH_UPLOAD_SECONDS ?? 15);
/** What the four anonymous upload clients send, each report with four PNGs of one colour. */
const UPLOAD_SCENARIOS = [
  { label: '4 × 100 MP PNG per report, one address per client (the attack of issue 15)', photos: 4, width: 10_000, height: 10_000, addresses: 'per-client' as const },
  { label: '4 × 48 MP PNG per report, a fresh address per report', photos: 4, width: 8000, height: 6000, addresses: 'per-request' as const },
];
const root = resolve(import.meta.dirname, '../..');

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

async function startServer(): Promise<{ base: string; engine: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port), HOST: '127.0.0.1', CIVGRID_DEMO: 'true', CIVGRID_TRUST_PROXY: 'true', LOG_LEVEL: 'warn', CIVGRID_WEB_ROOT: '/nonexistent',
  };
  let cleanup = async () => {};
  let engine = 'embedded';
  if (process.env.BENCH_DATABASE_URL) {
    const name = `civgrid_load_${Date.now().toString(36)}`;
    const admin = postgres(process.env.BENCH_DATABASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.BENCH_DATABASE_URL);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    engine = 'postgres';
    cleanup = async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'civgrid-load-'));
    env.CIVGRID_DATA_DIR = dir;
    delete env.DATABASE_URL;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/src/main.ts')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    const ok = await fetch(`${base}/api/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() - started > 300_000) throw new Error('the server did not come up in 5 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`server up on the ${engine} engine in ${((Date.now() - started) / 1000).toFixed(1)} s (migrated and seeded on first start)`);
  return {
    base,
    engine,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await cleanup();
    },
  };
}

interface UploadResult {
  requests: number;
  p50: number;
  bytes: number;
  statuses: Record<string, number>;
}

/** Runs upload-client.ts in its own process; resolves with what it printed. */
function uploadClient(config: Record<string, unknown>): Promise<UploadResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'upload-client.ts'), JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? done(JSON.parse(out.trim().split('\n').at(-1)!) as UploadResult) : fail(new Error(`upload client exited with ${code}`))));
  });
}

interface Client {
  cookie: string;
  csrf: string;
  ip: string;
}

async function login(base: string, username: string, ip: string): Promise<Client> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  if (!res.ok) throw new Error(`login as ${username}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: body.csrfToken, ip };
}

const headers = (c: Client, extra: Record<string, string> = {}) => ({ cookie: c.cookie, 'x-csrf-token': c.csrf, 'x-forwarded-for': c.ip, ...extra });

type Street = Feature<Polygon | MultiPolygon, { code: string; name: string }>;

const server = await startServer();
const { base } = server;
try {
  const viewer = await login(base, 'viewer', '10.255.0.1');
  const me = (await (await fetch(`${base}/api/auth/me`, { headers: headers(await login(base, 'planner', '10.255.0.2')) })).json()) as { user: { scope: { id: number; code: string } } };
  const streets = (await (await fetch(`${base}/api/layers/streets`, { headers: headers(viewer) })).json()) as { features: Street[] };
  const street = streets.features.find((f) => f.properties.code === me.user.scope.code)!;
  const box = turfBbox(street) as [number, number, number, number];
  // places for ~30 m squares that lie wholly inside the planner's street
  const spots: [number, number][] = [];
  const side = 0.0003;
  const squareAt = ([lon, lat]: [number, number]) => ({ type: 'Polygon' as const, coordinates: [[[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]] });
  for (const p of randomPoint(5000, { bbox: box }).features) {
    const at = p.geometry.coordinates as [number, number];
    if (booleanWithin(squareAt(at), street)) spots.push(at);
    if (spots.length === 300) break;
  }
  const [lon0, lat0] = spots[0]!;
  const tile = (z: number, lon: number, lat: number) => {
    const n = 2 ** z;
    return `${z}/${Math.floor(((lon + 180) / 360) * n)}/${Math.floor(((1 - Math.asinh(Math.tan((lat * Math.PI) / 180)) / Math.PI) / 2) * n)}`;
  };
  const reads = [
    `/api/layers/zones?duty=frontage&bbox=${lon0 - 0.005},${lat0 - 0.005},${lon0 + 0.005},${lat0 + 0.005}`,
    `/api/responsibility?lon=${lon0}&lat=${lat0}`,
    `/tiles/zones/${tile(15, lon0, lat0)}.mvt?duty=frontage`,
  ];

  // one planner account per client, scoped like the demo planner, created through the API
  const admin = await login(base, 'admin', '10.255.0.3');
  const clients: Client[] = [];
  for (let w = 0; w < CONCURRENCY; w++) {
    const username = `load-planner-${w}`;
    const res = await fetch(`${base}/api/users`, {
      method: 'POST',
      headers: headers(admin, { 'content-type': 'application/json' }),
      body: JSON.stringify({ username, displayName: `压测规划 ${w}`, password: DEMO_PASSWORD, role: 'planner', territoryId: me.user.scope.id }),
    });
    if (res.status !== 201 && res.status !== 409) throw new Error(`creating ${username}: ${res.status} ${await res.text()}`);
    const client = await login(base, username, `10.9.${w}.1`);
    // an account an admin created opens with the admin's password, which must be changed first
    const changed = await fetch(`${base}/api/auth/password`, {
      method: 'POST',
      headers: headers(client, { 'content-type': 'application/json' }),
      body: JSON.stringify({ currentPassword: DEMO_PASSWORD, newPassword: `${DEMO_PASSWORD}-${w}` }),
    });
    if (changed.status !== 204) throw new Error(`password change for ${username}: ${changed.status}`);
    clients.push(client);
  }
  // baseline: the same clients on the lightest route, in this run
  const baseline = await run(5, async (c) => {
    const r = await fetch(`${base}/api/health`, { headers: headers(c) });
    await r.arrayBuffer();
    return r.status;
  });

  const runId = Date.now().toString(36);
  const acknowledged = new Map<string, number>(); // key → zone id
  const stats = { read: [] as number[], write: [] as number[], statuses: new Map<string, number>(), aborted: 0, retried: 0, mismatched: 0 };
  let seq = 0;
  const note = (kind: string, status: number) => stats.statuses.set(`${kind} ${status}`, (stats.statuses.get(`${kind} ${status}`) ?? 0) + 1);

  async function write(c: Client): Promise<void> {
    const key = `${runId}-${++seq}-${Math.random().toString(36).slice(2, 10)}`;
    const spot = spots[seq % spots.length]!;
    const body = JSON.stringify({ type: 'Feature', geometry: squareAt(spot), properties: { duty: 'frontage', name: `load-${runId}-${key}`, ownerOrgId: 1 } });
    let first = true;
    for (;;) {
      const abort = first && Math.random() < ABORT_SHARE;
      const controller = new AbortController();
      if (abort) setTimeout(() => controller.abort(), 3);
      const t = performance.now();
      try {
        const res = await fetch(`${base}/api/zones`, { method: 'POST', headers: headers(c, { 'content-type': 'application/json', 'idempotency-key': key }), body, signal: controller.signal });
        const answer = (await res.json()) as { zone?: { id: number } };
        stats.write.push(performance.now() - t);
        note('POST /api/zones', res.status);
        if (res.status === 201 && answer.zone) {
          const before = acknowledged.get(key);
          if (before !== undefined && before !== answer.zone.id) stats.mismatched++;
          acknowledged.set(key, answer.zone.id);
        }
        return;
      } catch {
        stats.aborted++;
        stats.retried++;
        first = false; // the answer was lost: send the same request again
      }
    }
  }

  async function read(c: Client, i: number): Promise<void> {
    const path = reads[i % reads.length]!;
    const t = performance.now();
    const res = await fetch(`${base}${path}`, { headers: headers(c) });
    await res.arrayBuffer();
    stats.read.push(performance.now() - t);
    note(`GET ${path.split('?')[0]!.split('/').slice(0, 3).join('/')}`, res.status);
  }

  async function run(seconds: number, step: (c: Client, i: number) => Promise<unknown>): Promise<{ n: number; seconds: number }> {
    const until = performance.now() + seconds * 1000;
    let n = 0;
    const t = performance.now();
    await Promise.all(clients.map(async (c) => {
      let i = 0;
      while (performance.now() < until) {
        await step(c, i++);
        n++;
      }
    }));
    return { n, seconds: (performance.now() - t) / 1000 };
  }

  console.log(`${CONCURRENCY} clients for ${SECONDS} s: ${Math.round(WRITE_SHARE * 100)} % writes (POST /api/zones with an Idempotency-Key, ${Math.round(ABORT_SHARE * 100)} % of them abandoned after 3 ms and retried), the rest reads`);
  const mixed = await run(SECONDS, (c, i) => (Math.random() < WRITE_SHARE ? write(c) : read(c, i)));

  // what the server holds now, read back through the API
  const [w, s, e, n] = box;
  const layer = (await (await fetch(`${base}/api/layers/zones?duty=frontage&bbox=${w},${s},${e},${n}`, { headers: headers(admin) })).json()) as { features: { id: number; properties: { name: string } }[] };
  const stored = layer.features.filter((f) => f.properties.name.startsWith(`load-${runId}-`));
  const names = new Set(stored.map((f) => f.properties.name));
  const lost = [...acknowledged.keys()].filter((k) => !names.has(`load-${runId}-${k}`));
  const duplicated = stored.length - names.size;
  const unacknowledged = [...names].filter((name) => !acknowledged.has(name.slice(`load-${runId}-`.length)));

  const pct = (xs: number[], q: number) => {
    const s2 = [...xs].sort((a, b) => a - b);
    return s2[Math.min(s2.length - 1, Math.floor(q * s2.length))] ?? 0;
  };
  console.log(`\n## ${server.engine}: results`);
  table(['what', 'requests', 'req/s', 'p50 ms', 'p99 ms'], [
    ['all (mixed)', String(mixed.n), (mixed.n / mixed.seconds).toFixed(0), '', ''],
    ['reads', String(stats.read.length), (stats.read.length / mixed.seconds).toFixed(0), pct(stats.read, 0.5).toFixed(1), pct(stats.read, 0.99).toFixed(1)],
    ['writes (answered)', String(stats.write.length), (stats.write.length / mixed.seconds).toFixed(0), pct(stats.write, 0.5).toFixed(1), pct(stats.write, 0.99).toFixed(1)],
    ['baseline: GET /api/health, same clients', String(baseline.n), (baseline.n / baseline.seconds).toFixed(0), '', ''],
  ]);
  console.log(`\nstatuses: ${[...stats.statuses].map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  console.log(`writes acknowledged: ${acknowledged.size}; zones stored: ${stored.length}; lost: ${lost.length}; duplicated: ${duplicated}; stored but never acknowledged: ${unacknowledged.length}; abandoned and retried: ${stats.retried}; retries answered with another zone: ${stats.mismatched}`);
  console.log(`mixed throughput / health baseline: ${((mixed.n / mixed.seconds) / (baseline.n / baseline.seconds)).toFixed(2)}×`);
  const failedReads = [...stats.statuses].filter(([k]) => k.startsWith('GET') && !/ (200|204|304)$/.test(k));
  if (failedReads.length) console.log(`reads that failed: ${failedReads.map(([k, v]) => `${k}: ${v}`).join('; ')}`);

  // Anonymous uploads (issue 15): the same clients' reads alone, then beside four anonymous
  // clients posting citizen reports with photos that are small to send and big to decode.
  console.log(`\n## ${server.engine}: other users' reads beside anonymous photo uploads (${UPLOAD_SECONDS} s each)`);
  const uploadRows: string[][] = [];
  let aloneP95 = 0;
  for (const scenario of [null, ...UPLOAD_SCENARIOS]) {
    const child = scenario && uploadClient({ url: `${base}/api/public/problems`, categoryId: 'evt-env-exposed-waste', lon: lon0, lat: lat0, concurrency: 4, seconds: UPLOAD_SECONDS, ...scenario });
    const latencies: number[] = [];
    let failed = 0;
    await run(UPLOAD_SECONDS, async (c, i) => {
      const t = performance.now();
      const res = await fetch(`${base}${reads[i % reads.length]!}`, { headers: headers(c) });
      await res.arrayBuffer();
      latencies.push(performance.now() - t);
      if (res.status >= 400) failed++;
    });
    const uploads = child ? await child : null;
    const p95 = pct(latencies, 0.95);
    if (!scenario) aloneP95 = p95;
    uploadRows.push([
      scenario?.label ?? 'no uploads (baseline)', String(latencies.length), pct(latencies, 0.5).toFixed(1), p95.toFixed(1), `${(p95 / aloneP95).toFixed(2)}×`, String(failed),
      uploads ? `${uploads.requests} (${(uploads.bytes / 1024).toFixed(0)} kB each; p50 ${uploads.p50.toFixed(0)} ms): ${Object.entries(uploads.statuses).map(([k, v]) => `${k} ×${v}`).join(', ')}` : '',
    ]);
  }
  table(['anonymous clients', 'reads', 'read p50 ms', 'read p95 ms', 'p95 / alone', 'failed reads', 'uploads: answers'], uploadRows);

  const ok = failedReads.length === 0 && lost.length === 0 && duplicated === 0 && unacknowledged.length === 0 && stats.mismatched === 0;
  console.log(ok ? 'OK: every acknowledged write is stored exactly once, and nothing else.' : 'FAILED: the stored rows differ from the acknowledged writes.');
  process.exitCode = ok ? 0 : 1;
} finally {
  await server.stop();
}
