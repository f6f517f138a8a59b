/**
 * PostGIS for the embedded engine without the parts civgrid never loads.
 *
 * PGlite unpacks an extension's bundle at every open and compiles every
 * WebAssembly library in it. The PostGIS bundle carries three of 15–17 MB
 * each: postgis, postgis_raster and postgis_topology; civgrid creates only
 * the first (migration 0001). Compiling the other two cost about a third of
 * the CPU time of opening the database, on every start and in every test.
 * This keeps a copy of the bundle without raster, topology, the TIGER
 * geocoder and the contrib scripts in the system's temporary folder (made
 * once, in about a second, keyed by the original's path, size and time) and
 * hands that to PGlite instead.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Extension } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';

/** Entries of the bundle that only the PostGIS extensions civgrid does not create use. */
const UNUSED = /(^|\/)(postgis_raster|postgis_topology|postgis_tiger_geocoder|postgis_sfcgal|address_standardizer)[^/]*$|^share\/postgresql\/contrib\//;

const BLOCK = 512;

function field(header: Uint8Array, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
}

/**
 * A tar archive without the entries `drop` names (ustar: prefix + name; a
 * pax or GNU long-name header goes with the entry it precedes).
 */
export function filterTar(tar: Uint8Array, drop: (name: string) => boolean): Uint8Array {
  const kept: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const length = BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    const entry = tar.subarray(offset, offset + length);
    offset += length;
    const type = String.fromCharCode(header[156] ?? 0);
    if (type === 'x' || type === 'L' || type === 'K') {
      pending.push(entry);
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100);
    if (!drop(name)) kept.push(...pending, entry);
    pending = [];
  }
  kept.push(new Uint8Array(2 * BLOCK));
  const out = new Uint8Array(kept.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of kept) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The trimmed copy of `original` in the temporary folder, made when missing. */
function trimmedBundle(original: URL): URL {
  const path = fileURLToPath(original);
  const info = statSync(path);
  const key = createHash('sha256').update(`${path}\0${info.size}\0${info.mtimeMs}`).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'civgrid-pglite');
  const out = join(dir, `postgis-${key}.tar.gz`);
  try {
    statSync(out);
    return pathToFileURL(out);
  } catch {
    // not made yet
  }
  const tar = filterTar(gunzipSync(readFileSync(path)), (name) => UNUSED.test(name));
  mkdirSync(dir, { recursive: true });
  const temp = `${out}.${process.pid}.tmp`;
  writeFileSync(temp, gzipSync(tar, { level: 1 }));
  renameSync(temp, out); // atomic: a process opening at the same time reads the old name or the whole file
  return pathToFileURL(out);
}

/** The postgis extension for PGlite, loading the trimmed bundle (the full one if it cannot be made). */
export const postgisCore: Extension = {
  name: 'postgis',
  async setup(pg, emscriptenOpts) {
    const result = await postgis.setup(pg, emscriptenOpts);
    if (result.bundlePath?.protocol !== 'file:') return result;
    try {
      return { ...result, bundlePath: trimmedBundle(result.bundlePath) };
    } catch {
      return result; // e.g. a read-only temporary folder: slower, not broken
    }
  },
};
