/**
 * `pnpm bench`: every figure is a ratio against a baseline measured in the
 * same run (the same SQL run directly on the same database; the other engine).
 * It prints and never judges; results are recorded in docs/benchmarks.md.
 *
 * Engines: the embedded one always; PostgreSQL too when BENCH_DATABASE_URL
 * (or DATABASE_URL) points at a server — the bench creates and drops its own
 * database there.
 */
import { type Database, STOP_IT_FIRST, createDatabase, migrateToLatest, openForCommand } from '@civgrid/db';
import { ensureDemoAccounts, seedDemo } from '@civgrid/db/seed';
import { asUser } from '../support/api.ts';
import { createApp } from '@civgrid/server';
import postgres from 'postgres';
import { CoverageRepository } from '../../server/src/repositories/coverage.repository.ts';
import { AreaRepository } from '../../server/src/repositories/area.repository.ts';
import { LayerRepository } from '../../server/src/repositories/layer.repository.ts';
import { ZoneRepository } from '../../server/src/repositories/zone.repository.ts';
import { sql } from 'kysely';
import { type TileLayerId, TileRepository } from '../../server/src/repositories/tile.repository.ts';
import { tilesInBBox } from '@civgrid/tiles';
import { BENCH_DUTY, ensureCoverageFixture } from './fixtures.ts';
import { compare, ms, ratio, stats, table } from './harness.ts';
import { benchRouting } from './routing.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const COVERAGE_ROUNDS = Number(process.env.BENCH_COVERAGE_ROUNDS ?? 5);

async function openEngines(): Promise<{ name: string; open: () => Promise<Database>; cleanup?: () => Promise<void> }[]> {
  const engines: { name: string; open: () => Promise<Database>; cleanup?: () => Promise<void> }[] = [
    { name: 'embedded', open: () => openForCommand('bench', { dataDir: process.env.BENCH_DATA_DIR }, STOP_IT_FIRST) },
  ];
  const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (url) {
    const name = 'civgrid_bench';
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
    await admin.end();
    const target = new URL(url);
    target.pathname = `/${name}`;
    engines.push({
      name: 'postgres',
      open: () => createDatabase({ url: target.toString() }),
      cleanup: async () => {
        const a = postgres(url, { max: 1, onnotice: () => {} });
        await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    });
  } else {
    console.log('(PostgreSQL skipped: set BENCH_DATABASE_URL=postgres://… to compare engines)');
  }
  return engines;
}

const perEngine: Record<string, Record<string, number>> = {};

for (const engine of await openEngines()) {
  const database = await engine.open();
  perEngine[engine.name] = {};
  const record = (key: string, p50: number) => {
    perEngine[engine.name]![key] = p50;
  };
  try {
    await migrateToLatest(database.db as never);
    let t = performance.now();
    const seeded = await seedDemo(database.db);
    console.log(`\n## ${engine.name}: demo district ${seeded.skipped ? 'reused' : `seeded in ${ms(performance.now() - t)}`}`);
    await ensureDemoAccounts(database.db); // a demo seeded before accounts existed
    // as a signed-in viewer: the figures include the session check every map read now pays
    const app = asUser(createApp({ database, webRoot: '/nonexistent' }), 'viewer');

    console.log('\nGET /api/layers/{layer} against the same SQL run directly (p50 / p95)');
    const layers = new LayerRepository(database.db);
    const layerRows: string[][] = [];
    for (const [layer, duty] of [['inspection-points'], ['road-sections'], ['grids'], ['zones', 'sanitation-town']] as const) {
      const path = `/api/layers/${layer}${duty ? `?duty=${duty}` : ''}`;
      const r = await compare(
        async () => (await app.request(path)).text(),
        () => layers.featureCollection(layer, { duty }),
        ROUNDS,
      );
      record(`layer ${layer}`, r.a.p50);
      layerRows.push([layer, ms(r.a.p50), ms(r.b.p50), ratio(r.a.p50, r.b.p50), ms(r.a.p95), ms(r.b.p95)]);
    }
    table(['layer', 'api p50', 'sql p50', 'ratio', 'api p95', 'sql p95'], layerRows);

    // The editor's live feedback: a planner drags a zone 10 m east; the preview must come back
    // while they still look at it. Against the same repository SQL (repair + findings) run directly.
    console.log('\nPOST /api/zones/preview (live feedback while drawing) against the same SQL run directly (p50 / p95)');
    const admin = app.as('admin');
    const zoneRepo = new ZoneRepository(database.db);
    const district = (await sql<{ id: number }>`SELECT id FROM territories WHERE level = 'district'`.execute(database.db)).rows[0]!.id;
    const previewRows: string[][] = [];
    for (const duty of ['frontage', 'sanitation-town', 'sanitation-city']) {
      const zone = (await sql<{ id: number; g: string; n: number }>`
        SELECT id, ST_AsGeoJSON(ST_Translate(geom, 0.0001, 0), 7) AS g, ST_NPoints(geom) AS n FROM zones
        WHERE duty_type_id = ${duty} AND valid_to IS NULL ORDER BY ST_NPoints(geom) DESC LIMIT 1`.execute(database.db)).rows[0];
      if (!zone) continue;
      const geometry = JSON.parse(zone.g);
      const body = JSON.stringify({ geometry, duty, excludeId: zone.id });
      const r = await compare(
        async () => (await admin.request('/api/zones/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text(),
        async () => {
          const prepared = await zoneRepo.prepare(database.db, geometry, district);
          return zoneRepo.preview(database.db, prepared.ewkt!, duty, zone.id);
        },
        ROUNDS,
      );
      record(`preview ${duty}`, r.a.p50);
      previewRows.push([`${duty} (${zone.n} vertices)`, ms(r.a.p50), ms(r.b.p50), ratio(r.a.p50, r.b.p50), ms(r.a.p95), ms(r.b.p95)]);
    }
    table(['zone moved', 'api p50', 'sql p50', 'ratio', 'api p95', 'sql p95'], previewRows);

    // Vector tiles: every z14 tile over the district, each asked once through the API (a cache miss)
    // and once straight from the repository; then the same tiles again through the API (cache hits).
    const bbox = (await layers.districtBounds())!;
    const tileSet = tilesInBBox(bbox, 14);
    const tileRepo = new TileRepository(database.db, database.engine);
    console.log(`\nVector tiles: ${tileSet.length} tiles at z14 over the district (p50 / p95 per tile)`);
    const tileRows: string[][] = [];
    for (const [layer, duty] of [['grids'], ['zones', 'sanitation-town'], ['roads'], ['problems']] as [TileLayerId, string?][]) {
      const api: number[] = [];
      const direct: number[] = [];
      const cached: number[] = [];
      let largest = 0;
      for (const tile of tileSet) {
        const path = `/tiles/${layer}/14/${tile.x}/${tile.y}.mvt${duty ? `?duty=${duty}` : ''}`;
        let t0 = performance.now();
        const size = (await (await app.request(path)).arrayBuffer()).byteLength;
        api.push(performance.now() - t0);
        largest = Math.max(largest, size);
        t0 = performance.now();
        await tileRepo.tile(layer, 14, tile.x, tile.y, { duty });
        direct.push(performance.now() - t0);
      }
      for (const tile of tileSet) {
        const t0 = performance.now();
        await (await app.request(`/tiles/${layer}/14/${tile.x}/${tile.y}.mvt${duty ? `?duty=${duty}` : ''}`)).arrayBuffer();
        cached.push(performance.now() - t0);
      }
      const [a, d, c] = [stats(api), stats(direct), stats(cached)];
      record(`tile ${layer} uncached`, a.p50);
      tileRows.push([layer, ms(a.p50), ms(d.p50), `${ratio(a.p50, d.p50)} (${(a.p50 - d.p50).toFixed(2)} ms)`, ms(a.p95), ms(c.p50), ratio(a.p50, c.p50), `${(largest / 1024).toFixed(1)} KB`]);
    }
    table(['layer', 'api p50', 'sql p50', 'api/sql', 'api p95', 'cached p50', 'uncached/cached', 'largest'], tileRows);
    if (database.engine === 'postgres') {
      console.log('\nJavaScript encoder (the embedded path) against ST_AsMVT, same database, same tiles');
      const encRows: string[][] = [];
      for (const [layer, duty] of [['grids'], ['zones', 'sanitation-town'], ['roads'], ['problems']] as [TileLayerId, string?][]) {
        const js: number[] = [];
        const pg: number[] = [];
        for (const tile of tileSet) {
          let t0 = performance.now();
          await tileRepo.tile(layer, 14, tile.x, tile.y, { duty }, 'js');
          js.push(performance.now() - t0);
          t0 = performance.now();
          await tileRepo.tile(layer, 14, tile.x, tile.y, { duty }, 'postgis');
          pg.push(performance.now() - t0);
        }
        encRows.push([layer, ms(stats(js).p50), ms(stats(pg).p50), ratio(stats(js).p50, stats(pg).p50)]);
      }
      table(['layer', 'js p50', 'ST_AsMVT p50', 'js/ST_AsMVT'], encRows);
    }

    t = performance.now();
    const areaId = await ensureCoverageFixture(database.db);
    console.log(`\nCoverage on 10,000 unit grids and 2,000 zones (fixture ready in ${ms(performance.now() - t)}); API against the same SQL run directly`);
    const coverage = new CoverageRepository(database.db);
    const area = new AreaRepository(database.db).territoryGeom(areaId);
    const covRows: string[][] = [];
    for (const kind of ['gaps', 'overlaps'] as const) {
      const path = `/api/coverage/${kind}?duty=${BENCH_DUTY}&area=${areaId}`;
      let findings = 0;
      const r = await compare(
        async () => {
          const body = (await (await app.request(path)).json()) as { features: unknown[] };
          findings = body.features.length;
        },
        () => (kind === 'gaps' ? coverage.gaps(area, BENCH_DUTY) : coverage.overlaps(area, BENCH_DUTY)),
        COVERAGE_ROUNDS,
        1,
      );
      record(`coverage ${kind}`, r.a.p50);
      covRows.push([kind, String(findings), ms(r.a.p50), ms(r.b.p50), ratio(r.a.p50, r.b.p50), ms(r.a.p95), ms(r.b.p95)]);
    }
    table(['query', 'findings', 'api p50', 'sql p50', 'ratio', 'api p95', 'sql p95'], covRows);

    await benchRouting(database, app, record);
  } finally {
    await database.close();
    await engine.cleanup?.();
  }
}

if (perEngine.embedded && perEngine.postgres) {
  console.log('\nEmbedded against PostgreSQL (API p50)');
  table(
    ['measure', 'embedded', 'postgres', 'embedded/postgres'],
    Object.keys(perEngine.embedded).map((k) => [k, ms(perEngine.embedded![k]!), ms(perEngine.postgres![k]!), ratio(perEngine.embedded![k]!, perEngine.postgres![k]!)]),
  );
}
