import { describe, expect, it } from 'vitest';
import { filterTar } from './postgis-bundle.ts';

/** A ustar entry: a 512-byte header (name, octal size, checksum, type) and its data padded to 512. */
function entry(name: string, data: string, type = '0'): Uint8Array {
  const body = new TextEncoder().encode(data);
  const header = new Uint8Array(512);
  header.set(new TextEncoder().encode(name), 0);
  header.set(new TextEncoder().encode(`${body.length.toString(8).padStart(11, '0')}\0`), 124);
  header[156] = type.charCodeAt(0);
  header.set(new TextEncoder().encode('ustar\0'), 257);
  const out = new Uint8Array(512 + Math.ceil(body.length / 512) * 512);
  out.set(header);
  out.set(body, 512);
  return out;
}

function tar(...entries: Uint8Array[]): Uint8Array {
  const size = entries.reduce((n, e) => n + e.length, 0) + 1024;
  const out = new Uint8Array(size);
  let at = 0;
  for (const e of entries) {
    out.set(e, at);
    at += e.length;
  }
  return out;
}

function names(archive: Uint8Array): string[] {
  const found: string[] = [];
  for (let at = 0; at + 512 <= archive.length; ) {
    const header = archive.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = new TextDecoder().decode(header.subarray(0, 100)).replace(/\0.*$/s, '');
    const size = Number.parseInt(new TextDecoder().decode(header.subarray(124, 136)).replace(/\0.*$/s, ''), 8);
    found.push(`${String.fromCharCode(header[156]!)}:${name}`);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return found;
}

describe('filterTar', () => {
  it('drops the named entries with their data and keeps the rest intact, ending with two zero blocks', () => {
    const big = 'x'.repeat(1300);
    const source = tar(entry('lib/postgis-3.so', big), entry('lib/postgis_raster-3.so', big), entry('share/postgis.control', 'default_version'));
    const out = filterTar(source, (name) => name.includes('raster'));
    expect(names(out)).toEqual(['0:lib/postgis-3.so', '0:share/postgis.control']);
    expect(out.length).toBe(512 + 1536 + 512 + 512 + 1024);
    expect(out.subarray(out.length - 1024).every((b) => b === 0)).toBe(true);
    // the kept file's bytes are the source's
    expect(new TextDecoder().decode(out.subarray(512, 512 + 1300))).toBe(big);
  });

  it('a pax header goes with the entry it precedes', () => {
    const source = tar(entry('PaxHeader', '30 path=lib/postgis_raster-3.so\n', 'x'), entry('lib/postgis_raster-3.so', 'r'), entry('PaxHeader', '20 mtime=1\n', 'x'), entry('lib/keep.so', 'k'));
    expect(names(filterTar(source, (name) => name.includes('raster')))).toEqual(['x:PaxHeader', '0:lib/keep.so']);
  });
});
