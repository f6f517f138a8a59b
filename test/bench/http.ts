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
import { createDatabase, migrateToLatest } from '@civgrid/db';
import { seedDemo } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { tilesInBBox } from '@civgrid/tiles';
import { LayerRepository } from '../../server/src/repositories/layer.repository.ts';
import { TileRepository } from '../../server/src/repositories/tile.repository.ts';
import { buildBasemapFile } from '../../tiles/src/cli/basemap-file.ts';
import { stats, table } from './harness.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/** Many clients, each asking `next()` for a request until the time is up. */
async function load(next: () => { url: string; headers?: Record<string, string> }, seconds = SECONDS) {
  const until = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  let failures = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const { url, headers } = next();
        const t = performance.now();
        const res = await fetch(url, { headers }).catch(() => null);
        if (!res || res.status >= 400) failures++;
        await res?.arrayBuffer();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const s = stats(latencies);
  const p99 = [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length * 0.99)] ?? 0;
  return { rps: latencies.length / seconds, p50: s.p50, p99, failures };
}

const database = await createDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.BENCH_DATA_DIR });
await migrateToLatest(database.db as never);
await seedDemo(database.db);
const dir = mkdtempSync(join(tmpdir(), 'civgrid-bench-tiles-'));
const archive = join(dir, 'basemap.pmtiles');
await buildBasemapFile(database.db, archive);
const size = statSync(archive).size;
const app = createApp({ database, webRoot: '/nonexistent', tilesDir: dir });
const server = await new Promise<ReturnType<typeof serve>>((done) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(s));
});
const ours = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
console.log(`engine ${database.engine}; ${CONCURRENCY} concurrent clients, ${SECONDS} s each; archive ${(size / 1024).toFixed(0)} KB`);

// Random 16 KB ranges of the archive, the shape of a PMTiles client's reads.
const range = () => {
  const start = Math.floor(Math.random() * Math.max(1, size - 16384));
  return { 'range': `bytes=${start}-${Math.min(size - 1, start + 16383)}` };
};

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
  const n = await load(() => ({ url: `http://127.0.0.1:${port}/basemap.pmtiles`, headers: range() }));
  const o = await load(() => ({ url: `${ours}/tiles/basemap.pmtiles`, headers: range() }));
  nginx.kill('SIGTERM');
  rows.push(['PMTiles Range, nginx', n.rps.toFixed(0), n.p50.toFixed(2), n.p99.toFixed(2), String(n.failures)]);
  rows.push(['PMTiles Range, civgrid', o.rps.toFixed(0), o.p50.toFixed(2), o.p99.toFixed(2), String(o.failures)]);
  console.log(`ours/nginx throughput: ${(o.rps / n.rps).toFixed(2)}×`);
} else {
  console.log('(nginx not found: apt-get install nginx-light to compare PMTiles serving)');
}

// Tiles: the same set of z14 tiles, cached (repeat) against uncached (new data version every request).
const bbox = (await new LayerRepository(database.db).districtBounds())!;
const tileSet = tilesInBBox(bbox, 14);
let i = 0;
const tileUrl = () => {
  const t = tileSet[i++ % tileSet.length]!;
  return { url: `${ours}/tiles/grids/14/${t.x}/${t.y}.mvt` };
};
const cached = await load(tileUrl);
const repo = new TileRepository(database.db, database.engine);
let bumps = 0;
const uncached = await load(() => {
  // a new version now and then makes every following request a miss until the cache fills again
  if (i % tileSet.length === 0) {
    void repo.bumpVersion('grids');
    bumps++;
  }
  return tileUrl();
});
rows.push(['grid tiles z14, cached', cached.rps.toFixed(0), cached.p50.toFixed(2), cached.p99.toFixed(2), String(cached.failures)]);
rows.push([`grid tiles z14, uncached (${bumps} version bumps)`, uncached.rps.toFixed(0), uncached.p50.toFixed(2), uncached.p99.toFixed(2), String(uncached.failures)]);
table(['what', 'req/s', 'p50 ms', 'p99 ms', 'failures'], rows);
console.log(`cached/uncached throughput: ${(cached.rps / uncached.rps).toFixed(2)}×`);
server.close();
await database.close();
