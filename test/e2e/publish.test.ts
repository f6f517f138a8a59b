/**
 * `pnpm tiles:publish` end to end: publish the seeded demo database into a
 * temporary folder, serve that folder with a plain static file server (Range
 * requests, no civgrid code), open index.html in headless Chromium and check
 * that the snapshot draws the inspection points with no error.
 *
 * Without Chromium it skips, unless CI is set: then it fails.
 * The screenshot goes to /tmp/publish.png.
 */
/// <reference lib="dom" />
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import type { Database } from '@civgrid/db';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishSnapshot, type SnapshotReport } from '../../tiles/src/cli/publish-snapshot.ts';
import { DEFAULT_SNAPSHOT_LAYERS } from '../../tiles/src/snapshot-layers.ts';
import { SNAPSHOT_POINTS_LAYER } from '../../tiles/src/snapshot-style.ts';
import { SNAPSHOT_TITLE } from '../../tiles/src/snapshot-viewer.ts';
import { launchChromium, skipBrowser, watchedPage } from '../support/browser.ts';
import { freshDatabase } from '../support/database.ts';
import { stopServer } from '../support/stop-server.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.pmtiles': 'application/octet-stream',
};

const notFound: string[] = [];

/** A plain static file server over `root`: 200, 206 for `Range: bytes=a-b`, 404 (and 416 for a range past the end). */
function staticServer(root: string): Server {
  return createServer(async (request, response) => {
    const path = normalize(join(root, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith(sep) ? join(path, 'index.html') : path;
    const info = file.startsWith(root + sep) ? await stat(file).catch(() => null) : null;
    if (!info?.isFile()) {
      notFound.push(request.url ?? '');
      response.writeHead(404).end();
      return;
    }
    const body = await readFile(file);
    const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'accept-ranges': 'bytes' };
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
    if (!range) {
      response.writeHead(200, { ...headers, 'content-length': body.length }).end(body);
      return;
    }
    const [, from = '', to = ''] = range;
    const start = from === '' ? Math.max(0, body.length - Number(to)) : Number(from);
    const end = from === '' || to === '' ? body.length - 1 : Math.min(Number(to), body.length - 1);
    if (start > end || start >= body.length) {
      response.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    const part = body.subarray(start, end + 1);
    response.writeHead(206, { ...headers, 'content-length': part.length, 'content-range': `bytes ${start}-${end}/${body.length}` }).end(part);
  });
}

/** The parts of the MapLibre map (exposed as `window.__snapshotMap`) that the test uses. */
interface TestMap {
  loaded(): boolean;
  once(type: 'idle', listener: () => void): void;
  triggerRepaint(): void;
  getZoom(): number;
  queryRenderedFeatures(options: { layers: string[] }): { properties: Record<string, unknown> }[];
}
type Hooked = Window & { __snapshotMap?: TestMap };

describe.skipIf(skipBrowser)('published snapshot', () => {
  let database: Database;
  let root: string;
  let report: SnapshotReport;
  let server: Server;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  let rangeRequests = 0;

  beforeAll(async () => {
    database = await freshDatabase();
    // published into a sub-folder and served from its parent, as under a path prefix on a
    // static host: every URL in the snapshot must be relative
    root = await mkdtemp(join(tmpdir(), 'civgrid-publish-'));
    report = await publishSnapshot(database.db, join(root, 'snapshot'), DEFAULT_SNAPSHOT_LAYERS);

    server = staticServer(root);
    server.on('request', (request) => {
      if (request.headers.range && request.url?.endsWith('.pmtiles')) rangeRequests++;
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/snapshot`;

    browser = await launchChromium();
    page = await watchedPage(browser, problems);
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    await database?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('writes one archive with a vector layer per chosen layer', () => {
    expect(report.layers.map((l) => l.id)).toEqual([
      'district', 'streets', 'communities', 'grids', 'roads', 'road-sections', 'inspection-points', 'zones-sanitation-city', 'zones-sanitation-town',
    ]);
    expect(report.layers.find((l) => l.id === 'inspection-points')?.features).toBe(165);
    for (const layer of report.layers) expect(layer.features, layer.id).toBeGreaterThan(0);
    expect(report.tiles).toBeGreaterThan(100);
    console.log(`[publish] ${report.tiles} tiles, civgrid.pmtiles ${report.archiveSize.toLocaleString('en')} bytes`);
  });

  it('draws the snapshot from the static folder with no error', async () => {
    await page.goto(`${baseUrl}/index.html`);
    expect(await page.title()).toBe(SNAPSHOT_TITLE);
    await page.waitForFunction(() => (window as Hooked).__snapshotMap?.loaded() === true, null, { timeout: 90_000 });
    await page.evaluate(
      () =>
        new Promise<void>((done) => {
          const map = (window as Hooked).__snapshotMap;
          if (!map) throw new Error('no map');
          map.once('idle', () => done());
          map.triggerRepaint();
        }),
    );

    const drawn = await page.evaluate((layer) => {
      const map = (window as Hooked).__snapshotMap;
      if (!map) return null;
      const count = (id: string) => map.queryRenderedFeatures({ layers: [id] }).length;
      return {
        zoom: map.getZoom(),
        points: count(layer),
        district: count('district:line'),
        cityZones: count('zones:sanitation-city:fill'),
        townZones: count('zones:sanitation-town:fill'),
      };
    }, SNAPSHOT_POINTS_LAYER);
    expect(drawn).not.toBeNull();
    expect(drawn?.points).toBeGreaterThan(100);
    expect(drawn?.district).toBeGreaterThan(0);
    expect(drawn?.cityZones).toBeGreaterThan(0);
    expect(drawn?.townZones).toBeGreaterThan(0);
    // the archive was read in ranges, not downloaded whole
    expect(rangeRequests).toBeGreaterThan(0);
    expect(await page.locator('.maplibregl-ctrl-attrib').textContent()).toContain('区界 DataV · 演示数据 · 漓江 © OpenStreetMap contributors');

    await page.screenshot({ path: '/tmp/publish.png' });
    expect(notFound).toEqual([]);
    expect(problems).toEqual([]);
  });
});
