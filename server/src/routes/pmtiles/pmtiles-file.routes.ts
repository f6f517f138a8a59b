/**
 * Serves the PMTiles archives of one folder (`GET`/`HEAD /<name>.pmtiles`)
 * with HTTP range requests, which is all a PMTiles client needs: it reads
 * the header and root directory, then each tile, by byte range.
 *
 * Each archive is checked once per version (size + mtime) by opening its
 * header and root directory with our reader, so a corrupt or truncated file
 * is answered 422 `corrupt_pmtiles` instead of feeding clients garbage.
 * Bytes come from the same open file as the ETag, so a file replaced by
 * rename mid-request is never mixed with its successor.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { PMTilesError, PMTilesFileSource, PMTilesReader } from '@civgrid/tiles/node';
import { Hono } from 'hono';
import type { Env } from '../../http/env.ts';
import { errorBody } from '../../http/errors.ts';
import { parseByteRange } from './byte-range.ts';

export const PMTILES_CONTENT_TYPE = 'application/vnd.pmtiles';
const NAME = /^[a-z0-9-]+\.pmtiles$/;

export interface PMTilesFileRoutesOptions {
  /** Folder holding the archives; nothing outside it is ever opened. */
  dir: string;
}

/** Strong validator of one version of a file: its size and modification time. */
function etagOf(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.floor(mtimeMs * 1000).toString(16)}"`;
}

function matchesEtag(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

export function pmtilesFileRoutes(options: PMTilesFileRoutesOptions) {
  const dir = resolve(options.dir);
  /** Per archive name: the version last checked and what the check found (undefined when sound). */
  const checks = new Map<string, { etag: string; problem: Promise<PMTilesError | undefined> }>();

  async function check(path: string): Promise<PMTilesError | undefined> {
    const source = await PMTilesFileSource.open(path);
    try {
      await new PMTilesReader(source).getHeader();
      return undefined;
    } catch (error) {
      if (error instanceof PMTilesError) return error;
      throw error;
    } finally {
      await source.close();
    }
  }

  function checked(name: string, path: string, etag: string): Promise<PMTilesError | undefined> {
    const known = checks.get(name);
    if (known?.etag === etag) return known.problem;
    const problem = check(path);
    checks.set(name, { etag, problem });
    // An I/O failure is not a verdict on the archive: try again next time.
    problem.catch(() => {
      if (checks.get(name)?.problem === problem) checks.delete(name);
    });
    return problem;
  }

  const app = new Hono<Env>();
  app.notFound((c) => c.json(errorBody('not_found', `Nothing at ${c.req.path}`), 404));

  // Hono answers HEAD with the GET handler and drops the body.
  app.get('/:name{[a-z0-9-]+\\.pmtiles}', async (c) => {
    const name = c.req.param('name');
    const path = join(dir, name);
    const unknown = () => c.json(errorBody('not_found', `No tile archive ${name}`), 404);
    if (!NAME.test(name) || !path.startsWith(dir + sep)) return unknown();

    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isMissing(error)) return unknown();
      throw error;
    }
    let streaming = false;
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return unknown();
      const { size } = stat;
      const etag = etagOf(size, stat.mtimeMs);

      const problem = await checked(name, path, etag);
      if (problem) {
        return c.json(errorBody('corrupt_pmtiles', `${name} is not a readable PMTiles archive: ${problem.message}`, { reason: problem.code }), 422);
      }

      const headers: Record<string, string> = {
        'Accept-Ranges': 'bytes',
        ETag: etag,
        'Cache-Control': 'private, max-age=300', // behind a session: browsers may keep it, shared caches may not
      };
      const ifNoneMatch = c.req.header('If-None-Match');
      if (ifNoneMatch && matchesEtag(ifNoneMatch, etag)) return c.body(null, 304, headers);

      // If-Range (RFC 9110 §13.1.5): the range only if the client's copy is this version
      // (a strong ETag match; a date never matches, as no Last-Modified is sent); else the whole file
      const ifRange = c.req.header('If-Range');
      const rangeHeader = ifRange === undefined || ifRange.trim() === etag ? c.req.header('Range') : undefined;
      let start = 0;
      let end = size - 1;
      let status: 200 | 206 = 200;
      if (rangeHeader !== undefined) {
        const range = parseByteRange(rangeHeader, size);
        if (!range) {
          return c.json(
            errorBody('range_not_satisfiable', `Range "${rangeHeader.slice(0, 100)}" is not one satisfiable byte range of ${size} bytes.`),
            416,
            { ...headers, 'Content-Range': `bytes */${size}` },
          );
        }
        ({ start, end } = range);
        status = 206;
        headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
      }
      headers['Content-Type'] = PMTILES_CONTENT_TYPE;
      headers['Content-Length'] = String(end - start + 1);
      if (c.req.method === 'HEAD' || end < start) return c.body(null, status, headers);

      // The stream closes the file when it ends, fails or is destroyed (a client gone away).
      const stream = handle.createReadStream({ start, end });
      streaming = true;
      return c.body(Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>, status, headers);
    } finally {
      if (!streaming) await handle.close();
    }
  });
  return app;
}
