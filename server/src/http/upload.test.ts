import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { checkUpload, sniff } from './upload.ts';

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

const repo = resolve(import.meta.dirname, '../../..');

describe('sniff', () => {
  it('knows a real PNG (the README screenshot) and a real gzip by their bytes', () => {
    expect(sniff(readFileSync(resolve(repo, 'docs/screenshot.png')))).toBe('png');
    expect(sniff(gzipSync('hello'))).toBe('gzip');
  });

  it('knows the image formats a phone sends, by their published signatures', () => {
    expect(sniff(bytes([0xff, 0xd8, 0xff, 0xe1], 'Exif'))).toBe('jpeg');
    expect(sniff(bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '))).toBe('webp');
    expect(sniff(bytes([0, 0, 0, 0x18], 'ftypheic', [0, 0, 0, 0], 'mif1heic'))).toBe('heic');
    expect(sniff(bytes('GIF89a', [1, 0]))).toBe('gif');
  });

  it('knows the import formats: zipped Shapefiles, KML, GeoJSON', () => {
    expect(sniff(bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0]))).toBe('zip');
    expect(sniff(bytes([0xef, 0xbb, 0xbf], '<?xml version="1.0"?><kml>'))).toBe('xml');
    expect(sniff(bytes('  <kml xmlns="http://www.opengis.net/kml/2.2">'))).toBe('xml');
    expect(sniff(bytes('\n{"type":"FeatureCollection"}'))).toBe('json');
  });

  it('calls anything else unknown', () => {
    expect(sniff(bytes('<!doctype html><script>'))).toBe('unknown');
    expect(sniff(bytes('MZ', [0x90, 0]))).toBe('unknown');
    expect(sniff(new Uint8Array())).toBe('unknown');
  });
});

describe('checkUpload', () => {
  const photo = { allowed: ['jpeg', 'png', 'webp', 'heic'] as const, maxBytes: 1024 };
  const status = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error instanceof AppError ? `${error.status} ${error.code}` : 'other';
    }
    return 'accepted';
  };

  it('goes by content, not by name: a page called photo.jpg is refused, a PNG called photo.jpg is a PNG', () => {
    expect(status(() => checkUpload('photo.jpg', bytes('<html><script>alert(1)</script>'), photo))).toBe('415 unsupported_file');
    expect(checkUpload('photo.jpg', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), photo)).toBe('png');
  });

  it('refuses empty and oversized files', () => {
    expect(status(() => checkUpload('a.png', new Uint8Array(), photo))).toBe('400 empty_file');
    expect(status(() => checkUpload('a.png', new Uint8Array(2048).fill(0xff), photo))).toBe('413 file_too_large');
  });

  it('does not echo a hostile file name', () => {
    try {
      checkUpload('<img src=x onerror=alert(1)>.png', bytes('nope'), photo);
    } catch (error) {
      expect((error as Error).message).not.toContain('<');
    }
  });
});
