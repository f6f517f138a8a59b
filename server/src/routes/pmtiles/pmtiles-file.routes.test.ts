import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PMTilesFileSource, PMTilesReader, writePMTiles } from '@civgrid/tiles/node';
import { PMTiles, type RangeResponse, type Source } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseByteRange } from './byte-range.ts';
import { pmtilesFileRoutes } from './pmtiles-file.routes.ts';

const STAMEN = resolve(import.meta.dirname, '../../../../test/fixtures/pmtiles/world_stamen_toner_raster_z0-3.pmtiles');

let dir: string;
let app: ReturnType<typeof pmtilesFileRoutes>;
let ours: Uint8Array;
let stamen: Uint8Array;

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => app.request(path, { method, headers });
const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer());

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'civgrid-pmtiles-'));
  const tile = (z: number, x: number, y: number) => ({ z, x, y, data: new TextEncoder().encode(`tile ${z}/${x}/${y}`) });
  ours = writePMTiles([tile(0, 0, 0), tile(1, 0, 0), tile(1, 1, 1)], { tileType: 'mvt', tileCompression: 'none', metadata: { name: 'test' } });
  await writeFile(join(dir, 'ours.pmtiles'), ours);
  await copyFile(STAMEN, join(dir, 'stamen-toner.pmtiles'));
  stamen = new Uint8Array(await readFile(STAMEN));
  // Header intact, everything after the first KiB gone.
  await writeFile(join(dir, 'truncated.pmtiles'), stamen.subarray(0, 1024));
  await writeFile(join(dir, 'secret.txt'), 'not an archive');
  app = pmtilesFileRoutes({ dir });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('GET /:name.pmtiles', () => {
  it('answers 200 with the whole file and the caching headers', async () => {
    const res = await get('/ours.pmtiles');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.pmtiles');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(res.headers.get('content-length')).toBe(String(ours.length));
    expect(await bytes(res)).toEqual(ours);
  });

  it('answers a range with 206 and exactly those bytes of the file', async () => {
    const size = stamen.length;
    const cases: [string, number, number][] = [
      ['bytes=0-126', 0, 126],
      ['bytes=127-16383', 127, 16383],
      [`bytes=${size - 10}-${size + 1000}`, size - 10, size - 1],
      [`bytes=${size - 300}-`, size - 300, size - 1],
      ['bytes=-500', size - 500, size - 1],
      ['bytes=5-5', 5, 5],
    ];
    for (const [range, start, end] of cases) {
      const res = await get('/stamen-toner.pmtiles', { Range: range });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${size}`);
      expect(res.headers.get('content-length'), range).toBe(String(end - start + 1));
      expect(await bytes(res), range).toEqual(stamen.subarray(start, end + 1));
    }
  });

  it('honours If-Range: the range for the current version, the whole file for any other', async () => {
    const etag = (await get('/stamen-toner.pmtiles', { Range: 'bytes=0-0' })).headers.get('etag')!;
    const same = await get('/stamen-toner.pmtiles', { Range: 'bytes=0-126', 'If-Range': etag });
    expect(same.status).toBe(206);
    expect(await bytes(same)).toEqual(stamen.subarray(0, 127));
    // a client holding bytes of an older version must not splice this one's in: it gets it all
    for (const stale of ['"0-0"', `W/${etag}`, 'Tue, 01 Dec 2026 00:00:00 GMT']) {
      const res = await get('/stamen-toner.pmtiles', { Range: 'bytes=0-126', 'If-Range': stale });
      expect(res.status, stale).toBe(200);
      expect(res.headers.get('content-range'), stale).toBeNull();
      expect((await bytes(res)).length, stale).toBe(stamen.length);
    }
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await get('/stamen-toner.pmtiles', { Range: 'bytes=0-99' }, 'HEAD');
    expect(res.status).toBe(206);
    expect(res.headers.get('content-length')).toBe('100');
    expect(res.headers.get('content-range')).toBe(`bytes 0-99/${stamen.length}`);
    expect((await bytes(res)).length).toBe(0);
  });

  it('answers 304 when If-None-Match holds the ETag', async () => {
    const etag = (await get('/ours.pmtiles')).headers.get('etag') as string;
    const res = await get('/ours.pmtiles', { 'If-None-Match': etag });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect((await get('/ours.pmtiles', { 'If-None-Match': `"other", ${etag}` })).status).toBe(304);
    expect((await get('/ours.pmtiles', { 'If-None-Match': '"other"' })).status).toBe(200);
  });

  it('answers 416 in the error shape for a malformed, unsatisfiable or multiple range', async () => {
    for (const range of ['bytes=999999999-', 'bytes=abc', 'bytes=0-1,5-6', 'bytes=10-5', 'bytes=-0', 'items=0-5', 'bytes=-']) {
      const res = await get('/stamen-toner.pmtiles', { Range: range });
      expect(res.status, range).toBe(416);
      expect(res.headers.get('content-range'), range).toBe(`bytes */${stamen.length}`);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, range).toBe('range_not_satisfiable');
    }
  });

  it('answers 404 in the error shape for an unknown archive or a path outside the folder', async () => {
    for (const path of ['/nothing.pmtiles', '/..%2Fetc%2Fpasswd', '/..%2F..%2Fetc%2Fpasswd.pmtiles', '/secret.txt', '/../secret.txt', '/Ours.pmtiles']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code, path).toBe('not_found');
    }
  });

  it('answers 422 corrupt_pmtiles for a truncated archive, and keeps serving the others', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await get('/truncated.pmtiles', { Range: 'bytes=0-126' });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: { code: string; message: string; details: { reason: string } } };
      expect(body.error.code).toBe('corrupt_pmtiles');
      expect(body.error.details.reason).toBe('truncated');
    }
    expect((await get('/ours.pmtiles')).status).toBe(200);
  });

  it('serves the Stamen archive so that the official pmtiles reader gets the same tiles as from disk', async () => {
    class AppSource implements Source {
      requests = 0;
      getKey = () => 'app:/stamen-toner.pmtiles';
      getBytes = async (offset: number, length: number): Promise<RangeResponse> => {
        this.requests++;
        const res = await get('/stamen-toner.pmtiles', { Range: `bytes=${offset}-${offset + length - 1}` });
        if (res.status !== 206) throw new Error(`status ${res.status}`);
        return { data: await res.arrayBuffer(), etag: res.headers.get('etag') ?? undefined, cacheControl: res.headers.get('cache-control') ?? undefined };
      };
    }
    const source = new AppSource();
    const official = new PMTiles(source);
    const header = await official.getHeader();
    expect(header.maxZoom).toBe(3);

    const disk = await PMTilesFileSource.open(STAMEN);
    try {
      const reader = new PMTilesReader(disk);
      for (const [z, x, y] of [[0, 0, 0], [2, 1, 1], [3, 6, 3]] as const) {
        const served = await official.getZxy(z, x, y);
        const expected = await reader.getTile(z, x, y);
        expect(expected, `${z}/${x}/${y}`).toBeDefined();
        expect(new Uint8Array(served?.data ?? new ArrayBuffer(0)), `${z}/${x}/${y}`).toEqual(expected);
      }
    } finally {
      await disk.close();
    }
    expect(source.requests).toBeGreaterThan(0);
  });
});

describe('parseByteRange', () => {
  it('reads the three single-range forms and refuses the rest', () => {
    expect(parseByteRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseByteRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseByteRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseByteRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
    expect(parseByteRange('bytes=50-99999999999999999999', 100)).toEqual({ start: 50, end: 99 });
    expect(parseByteRange('bytes=100-', 100)).toBeUndefined();
    expect(parseByteRange('bytes=0-1, 5-6', 100)).toBeUndefined();
    expect(parseByteRange('bytes=1.5-2', 100)).toBeUndefined();
  });
});
