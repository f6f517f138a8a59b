/**
 * `pnpm bench:problems`: the supervisor's view with a million problems (issue 7).
 *
 *   1. Problem tiles through the API (a cache miss each) against the same SQL
 *      run directly, p50 / p95, at the district, street and block zooms, with
 *      and without filters.
 *   2. The statistics a supervisor opens: indicators by owner, grid, community
 *      and street, the red/black list, and (when the server has them) the grid
 *      choropleth, the hot spots and the trend.
 *   3. Time to the first rendered heat map in headless Chromium: the problems
 *      as vector tiles against a GeoJSON source of the same points.
 *
 * The database is the one `pnpm seed --problems N` builds (DATABASE_URL, or the
 * embedded engine in CIVGRID_DATA_DIR / ./data); with fewer problems than
 * BENCH_PROBLEMS (default 1,000,000) it seeds them first. Prints; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STOP_IT_FIRST, migrateToLatest, openForCommand } from '@civgrid/db';
import { ensureDemoAccounts, seedDemo } from '@civgrid/db/seed';
import { createApp } from '@civgrid/server';
import { tilesInBBox } from '@civgrid/tiles';
import { sql } from 'kysely';
import { LayerRepository } from '../../server/src/repositories/layer.repository.ts';
import { type TileFilters, TileRepository } from '../../server/src/repositories/tile.repository.ts';
import { asUser } from '../support/api.ts';
import { launchChromium } from '../support/browser.ts';
import { ms, ratio, sample, stats, table } from './harness.ts';

const WANTED = Number(process.env.BENCH_PROBLEMS ?? 1_000_000);
const TILES_PER_ZOOM = Number(process.env.BENCH_TILES ?? 24);
const RENDER_ROUNDS = Number(process.env.BENCH_RENDER_ROUNDS ?? 3);
const here = dirname(fileURLToPath(import.meta.url));
const maplibreDist = join(here, '../../web/node_modules/maplibre-gl/dist');

const database = await openForCommand('bench:problems', { url: process.env.DATABASE_URL, dataDir: process.env.CIVGRID_DATA_DIR ?? './data' }, STOP_IT_FIRST);
try {
  await migrateToLatest(database.db as never);
  const counted = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM problems`.execute(database.db)).rows[0]!.n;
  if ((await counted()) < WANTED) {
    console.log(`seeding ${WANTED.toLocaleString('en')} problems…`);
    await seedDemo(database.db, { problems: WANTED, onProgress: (step) => console.log(`  ${step}`) });
  }
  await ensureDemoAccounts(database.db);
  const total = await counted();
  console.log(`# Problems with ${total.toLocaleString('en')} rows, ${database.engine} engine`);

  const app = asUser(createApp({ database, webRoot: '/nonexistent', demo: true }), 'admin');
  const bbox = (await new LayerRepository(database.db).districtBounds())!;
  const tileRepo = new TileRepository(database.db, database.engine);
  // Tiles a supervisor looks at: the ones under problems picked at random
  // (an even spread over the district's bbox would time mostly empty tiles).
  const { rows: picked } = await sql<{ x: number; y: number }>`
    SELECT ST_X(geom) AS x, ST_Y(geom) AS y FROM problems WHERE id % 997 = 0 ORDER BY md5(id::text) LIMIT 400`.execute(database.db);
  const tilesWithProblems = (z: number, n: number) => {
    const seen = new Map<string, { x: number; y: number }>();
    for (const p of picked) {
      const [t] = tilesInBBox([p.x, p.y, p.x, p.y], z);
      if (t && !seen.has(`${t.x}/${t.y}`)) seen.set(`${t.x}/${t.y}`, t);
      if (seen.size >= n) break;
    }
    return [...seen.values()];
  };

  // 1. Tiles. Each API request is a different tile or filter, so the LRU never
  // answers; the repository call is the same SQL and encoding without HTTP,
  // session and cache bookkeeping.
  const year = new Date().getUTCFullYear();
  const filterSets: [string, TileFilters, string][] = [
    ['all', {}, ''],
    ['not closed', { status: ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified'] }, 'status=reported,registered,dispatched,in_progress,fed_back,verified'],
    ['one year', { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` }, `from=${year - 1}-01-01&to=${year - 1}-12-31`],
  ];
  console.log(`\nProblem tiles through the API (uncached) against the same SQL run directly; up to ${TILES_PER_ZOOM} tiles per zoom`);
  const tileRows: string[][] = [];
  for (const z of [11, 13, 15, 16]) {
    const chosen = tilesWithProblems(z, TILES_PER_ZOOM);
    for (const [label, filters, query] of filterSets) {
      const api: number[] = [];
      const direct: number[] = [];
      let largest = 0;
      for (const t of chosen) {
        let t0 = performance.now();
        const body = await (await app.request(`/tiles/problems/${z}/${t.x}/${t.y}.mvt${query ? `?${query}` : ''}`)).arrayBuffer();
        api.push(performance.now() - t0);
        largest = Math.max(largest, body.byteLength);
        t0 = performance.now();
        await tileRepo.tile('problems', z, t.x, t.y, filters);
        direct.push(performance.now() - t0);
      }
      const [a, d] = [stats(api), stats(direct)];
      tileRows.push([`z${z} ${label}`, String(chosen.length), ms(a.p50), ms(d.p50), ratio(a.p50, d.p50), ms(a.p95), ms(d.p95), ratio(a.p95, d.p95), `${(largest / 1024).toFixed(1)} KB`]);
    }
  }
  table(['tiles', 'n', 'api p50', 'sql p50', 'p50 ratio', 'api p95', 'sql p95', 'p95 ratio', 'largest'], tileRows);

  // 2. Statistics, as the supervisor's screens ask for them (p50 of 3 after a warm-up).
  console.log('\nStatistics over the whole year (p50 / p95 of 3 after one warm-up)');
  const from = `${year - 1}-01-01`;
  const to = `${year}-12-31`;
  const statRows: string[][] = [];
  const paths = [
    ...['owner', 'grid', 'community', 'street'].map((by) => `/api/indicators?by=${by}&from=${from}&to=${to}`),
    `/api/rankings/communities?period=${year}-06-01`,
    `/api/problems/stats/grids?from=${from}&to=${to}`,
    `/api/problems/stats/grids?level=community&from=${from}&to=${to}`,
    `/api/problems/hotspots?from=${from}&to=${to}`,
    `/api/problems/trend?interval=week&from=${from}&to=${to}`,
    `/api/problems?status=dispatched&limit=50`,
  ];
  for (const path of paths) {
    const probe = await app.request(path);
    if (probe.status === 404) {
      statRows.push([path, 'not on this server', '', '']);
      continue;
    }
    if (!probe.ok) {
      statRows.push([path, `HTTP ${probe.status}: ${(await probe.text()).slice(0, 80)}`, '', '']);
      continue;
    }
    const s = await sample(async () => (await app.request(path)).arrayBuffer(), 3, 1);
    statRows.push([path, ms(s.p50), ms(s.p95), `${((await probe.arrayBuffer()).byteLength / 1024).toFixed(1)} KB`]);
  }
  table(['request', 'p50', 'p95', 'answer'], statRows);

  // 3. First rendered heat map: the same points as vector tiles or as one GeoJSON.
  console.log('\nTime to the first rendered heat map in headless Chromium (district view, 1280×800)');
  // GeoJSON of all the points, and of the first 100,000 and 250,000 of them: a
  // browser tab may not survive the whole million (it is then reported as crashed).
  const sizes = [...new Set([100_000, 250_000, total].filter((n) => n <= total))];
  const geojsons = new Map<number, Buffer>();
  for (const n of sizes) {
    const t = performance.now();
    geojsons.set(n, await problemsGeoJson(n));
    console.log(`  GeoJSON of ${n.toLocaleString('en')} points built in ${ms(performance.now() - t)}: ${(geojsons.get(n)!.byteLength / 1024 / 1024).toFixed(1)} MB`);
  }
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://bench');
    try {
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(bbox));
      } else if (url.pathname.startsWith('/maplibre/')) {
        const name = url.pathname.slice('/maplibre/'.length);
        if (!/^maplibre-gl(-worker|-shared)?\.(mjs|css)$/.test(name)) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': name.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(readFileSync(join(maplibreDist, name)));
      } else if (url.pathname === '/problems.geojson') {
        const geojson = geojsons.get(Number(url.searchParams.get('n')));
        if (!geojson) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/geo+json', 'content-length': geojson.byteLength }).end(geojson);
      } else if (url.pathname.startsWith('/tiles/')) {
        const answer = await app.request(url.pathname + url.search);
        const headers: Record<string, string> = {};
        answer.headers.forEach((value, key) => {
          headers[key] = value;
        });
        res.writeHead(answer.status, headers).end(Buffer.from(await answer.arrayBuffer()));
      } else res.writeHead(404).end();
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  try {
    // a new context each time: nothing cached in the browser; the server's
    // tile cache is warm after the first round, as it is for a second visitor
    const render = async (query: string): Promise<number | string> => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const tab = await context.newPage();
        const errors: string[] = [];
        tab.on('pageerror', (e) => errors.push(e.message));
        await tab.goto(`${origin}/?${query}`);
        const done = await tab.waitForFunction(() => (window as unknown as { benchDone?: number | string }).benchDone, undefined, { timeout: 600_000 });
        const value = (await done.jsonValue()) as number | string;
        return errors.length && typeof value === 'number' ? `${value} (errors: ${errors.join('; ')})` : value;
      } catch (error) {
        return /crash/i.test(String(error)) ? 'tab crashed' : `failed: ${String(error).split('\n')[0]}`;
      } finally {
        await context.close().catch(() => {});
      }
    };
    // Cold: a filter that keeps every problem but no earlier request used, so each
    // tile is made afresh (a new filter chosen by a supervisor). Warm: the server's
    // tile cache already holds the tiles (a second visitor).
    const sources: [string, (round: number) => string][] = [
      ['vector tiles, server cache cold', (round) => `mode=tiles&from=19${String(10 + round).padStart(2, '0')}-01-01`],
      ['vector tiles, server cache warm', () => 'mode=tiles'],
      ...sizes.map((n): [string, () => string] => [`GeoJSON, ${n.toLocaleString('en')} points`, () => `mode=geojson&n=${n}`]),
    ];
    const times = new Map<string, (number | string)[]>(sources.map(([label]) => [label, []]));
    await render('mode=tiles'); // fills the warm cache
    for (let round = 0; round < RENDER_ROUNDS; round++) {
      for (const [label, query] of sources) {
        const value = await render(query(round));
        times.get(label)!.push(value);
        console.log(`  round ${round + 1}, ${label}: ${typeof value === 'number' ? ms(value) : value}`);
      }
    }
    const p50 = (values: (number | string)[]) => {
      const numbers = values.filter((v): v is number => typeof v === 'number');
      return numbers.length === values.length ? stats(numbers).p50 : undefined;
    };
    const tilesP50 = p50(times.get(sources[0]![0])!)!;
    table(
      ['source', 'first round', 'p50 of rounds', 'against cold tiles'],
      sources.map(([label]) => {
        const values = times.get(label)!;
        const first = values[0]!;
        const median = p50(values);
        return [label, typeof first === 'number' ? ms(first) : first, median === undefined ? String(values.find((v) => typeof v === 'string')) : ms(median), median === undefined ? '—' : ratio(median, tilesP50)];
      }),
    );
  } finally {
    await browser.close();
    server.close();
  }
} finally {
  await database.close();
}

/** Every problem as a GeoJSON point with its status, built in slices so that neither engine holds one huge string. */
async function problemsGeoJson(limit: number): Promise<Buffer> {
  const parts: string[] = ['{"type":"FeatureCollection","features":['];
  let after = 0;
  let first = true;
  for (let left = limit; left > 0; ) {
    const { rows } = await sql<{ id: number; x: number; y: number; s: string }>`
      SELECT id, ST_X(geom) AS x, ST_Y(geom) AS y, status AS s FROM problems WHERE id > ${after} ORDER BY id LIMIT ${Math.min(left, 100_000)}`.execute(database.db);
    left -= rows.length;
    if (rows.length === 0) break;
    for (const r of rows) {
      parts.push(`${first ? '' : ','}{"type":"Feature","properties":{"status":"${r.s}"},"geometry":{"type":"Point","coordinates":[${r.x.toFixed(6)},${r.y.toFixed(6)}]}}`);
      first = false;
    }
    after = Number(rows[rows.length - 1]!.id);
  }
  parts.push(']}');
  return Buffer.from(parts.join(''));
}

/**
 * The bench page: a heat map of the problems over an empty background, the
 * district in view. `benchDone` is the time from creating the map to its first
 * `idle` (every tile or the whole GeoJSON loaded and drawn).
 */
function page(b: [number, number, number, number]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/maplibre/maplibre-gl.css">
<style>html,body,#map{margin:0;width:100%;height:100%}</style></head><body><div id="map"></div>
<script type="module">
import * as maplibregl from '/maplibre/maplibre-gl.mjs';
maplibregl.setWorkerUrl('/maplibre/maplibre-gl-worker.mjs');
const mode = new URLSearchParams(location.search).get('mode');
const from = new URLSearchParams(location.search).get('from');
const source = mode === 'tiles'
  ? { type: 'vector', tiles: [location.origin + '/tiles/problems/{z}/{x}/{y}.mvt' + (from ? '?from=' + from : '')], minzoom: 8, maxzoom: 16 }
  : { type: 'geojson', data: location.origin + '/problems.geojson?n=' + new URLSearchParams(location.search).get('n') };
const weight = mode === 'tiles' ? ['coalesce', ['get', 'count'], 1] : 1;
const started = performance.now();
const map = new maplibregl.Map({
  container: 'map', bounds: ${JSON.stringify([[b[0], b[1]], [b[2], b[3]]])}, fadeDuration: 0,
  style: { version: 8, sources: { problems: source }, layers: [
    { id: 'bg', type: 'background', paint: { 'background-color': '#f4f4f0' } },
    { id: 'heat', type: 'heatmap', source: 'problems', ...(mode === 'tiles' ? { 'source-layer': 'problems' } : {}),
      paint: { 'heatmap-weight': ['interpolate', ['linear'], weight, 1, 0.05, 200, 1], 'heatmap-radius': 18, 'heatmap-intensity': 1 } },
  ] },
});
map.on('error', (e) => { window.benchDone = 'error: ' + (e.error && e.error.message); });
map.once('idle', () => { window.benchDone = performance.now() - started; });
</script></body></html>`;
}
