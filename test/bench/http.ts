/**
 * `pnpm bench:http`: HTTP throughput with many concurrent clients, each figure
 * against a baseline measured in the same run with the same client:
 * - our PMTiles Range serving against nginx serving the same file;
 * - cached tile requests against uncached ones (the cache bypassed by a new
 *   data version before every round).
 * Needs nginx (Debian's nginx-light) for the first; prints, asserts nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { STOP_IT_FIRST, migrateToLatest, openForCommand } from '@civgrid/db';
import { ensureDemoAccounts, seedDemo } from '@civgrid/db/seed';
import { signIn } from '../support/api.ts';
import { createApp } from '@civgrid/server';
import { tilesInBBox } from '@civgrid/tiles';
import { LayerRepository } from '../../server/src/repositories/layer.repository.ts';
import { TileRepository } from '../../server/src/repositories/tile.repository.ts';
import { buildBasemapFile } from '../../tiles/src/cli/basemap-file.ts';
import { table } from './harness.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/** Runs the load client in a separate process (see load-client.ts) and returns its figures. */
function load(urls: string[], rangeOf?: number): Promise<{ rps: number; p50: number; p99: number; failures: number }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'load-client.ts'), JSON.stringify({ urls, concurrency: CONCURRENCY, seconds: SECONDS, rangeOf, cookie })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? done(JSON.parse(out.trim().split('\n').pop() ?? '{}')) : fail(new Error(`load client exited ${code}`))));
  });
}

const database = await openForCommand('bench:http', { url: process.env.DATABASE_URL, dataDir: process.env.BENCH_DATA_DIR }, STOP_IT_FIRST);
await migrateToLatest(database.db as never);
await seedDemo(database.db);
await ensureDemoAccounts(database.db);
const dir = mkdtempSync(join(tmpdir(), 'civgrid-bench-tiles-'));
const archive = join(dir, 'basemap.pmtiles');
await buildBasemapFile(database.db, archive);
const size = statSync(archive).size;
const app = createApp({ database, webRoot: '/nonexistent', tilesDir: dir });
const server = await new Promise<ReturnType<typeof serve>>((done) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(s));
});
const ours = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
// tiles and archives need a session: every client request carries the viewer's cookie
const { cookie } = await signIn(app, 'viewer');
console.log(`engine ${database.engine}; ${CONCURRENCY} concurrent clients, ${SECONDS} s each; archive ${(size / 1024).toFixed(0)} KB`);


const rows: string[][] = [];
const nginxBin = spawnSync('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
if (nginxBin) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
http { access_log off; types { application/vnd.pmtiles pmtiles; }
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server { listen 127.0.0.1:${port}; root ${dir}; location / { } } }`);
  const nginx = spawn(nginxBin, ['-c', conf, '-p', dir], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  // random 16 KB ranges of the archive, the shape of a PMTiles client's reads
  const n = await load([`http://127.0.0.1:${port}/basemap.pmtiles`], size);
  const o = await load([`${ours}/tiles/basemap.pmtiles`], size);
  nginx.kill('SIGTERM');
  rows.push(['PMTiles Range, nginx', n.rps.toFixed(0), n.p50.toFixed(2), n.p99.toFixed(2), String(n.failures)]);
  rows.push(['PMTiles Range, civgrid', o.rps.toFixed(0), o.p50.toFixed(2), o.p99.toFixed(2), String(o.failures)]);
  console.log(`ours/nginx throughput: ${(o.rps / n.rps).toFixed(2)}×`);
} else {
  console.log('(nginx not found: apt-get install nginx-light to compare PMTiles serving)');
}

// Tiles: the same z14 tiles, cached (the cache warm) against uncached (a new data version first,
// and each tile asked once in the round, so every request is a miss).
const bbox = (await new LayerRepository(database.db).districtBounds())!;
const tileUrls = tilesInBBox(bbox, 14).map((t) => `${ours}/tiles/grids/14/${t.x}/${t.y}.mvt`);
await load(tileUrls); // warm
const cached = await load(tileUrls);
const repo = new TileRepository(database.db, database.engine);
const misses: number[] = [];
for (let round = 0; round < 20; round++) {
  await repo.bumpVersion('grids');
  const t = performance.now();
  await Promise.all(tileUrls.map((url) => fetch(url, { headers: { cookie } }).then((r) => r.arrayBuffer())));
  misses.push((tileUrls.length * 1000) / (performance.now() - t));
}
const uncached = { rps: misses.reduce((a, b) => a + b, 0) / misses.length, p50: Number.NaN, p99: Number.NaN, failures: 0 };
const bumps = misses.length;
rows.push(['grid tiles z14, cached', cached.rps.toFixed(0), cached.p50.toFixed(2), cached.p99.toFixed(2), String(cached.failures)]);
rows.push([`grid tiles z14, uncached (${bumps} rounds of ${tileUrls.length}, all at once)`, uncached.rps.toFixed(0), '—', '—', '0']);
table(['what', 'req/s', 'p50 ms', 'p99 ms', 'failures'], rows);
console.log(`cached/uncached throughput: ${(cached.rps / uncached.rps).toFixed(2)}×`);
server.close();
await database.close();
