import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { blackPng } from '../../../test/support/png.ts';
import { type PhotoCost, photoConcurrency, readPhotos } from './photo.ts';

const jpeg = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#468' } }).jpeg().toBuffer().then((b) => new Uint8Array(b));

describe('readPhotos', () => {
  it('refuses a photo over 50 MP from its header alone: a header that promises 400 MP over a truncated body is "too large", not "unreadable"', async () => {
    const whole = blackPng(20_000, 20_000);
    const headerOnly = whole.subarray(0, 60); // signature, IHDR and the start of IDAT: nothing decodable
    await expect(readPhotos([{ name: 'bomb.png', bytes: headerOnly }])).rejects.toMatchObject({ status: 413, code: 'image_too_large', details: { width: 20_000, height: 20_000 } });
  });

  it('checks every header before it charges or decodes anything', async () => {
    const charged: PhotoCost[] = [];
    const charge = async (cost: PhotoCost) => void charged.push(cost);
    const small = await jpeg(100, 50);
    await expect(readPhotos([{ name: 'a.jpg', bytes: small }, { name: 'b.png', bytes: blackPng(8000, 7000) }], charge)).rejects.toMatchObject({ code: 'image_too_large' });
    expect(charged).toEqual([]);
    // 100 × 50 + 40 × 30 pixels, and the bytes as sent
    const other = await jpeg(40, 30);
    const photos = await readPhotos([{ name: 'a.jpg', bytes: small }, { name: 'c.jpg', bytes: other }], charge);
    expect(charged).toEqual([{ bytes: small.byteLength + other.byteLength, pixels: 5000 + 1200 }]);
    expect(photos).toHaveLength(2);
  });

  it('a refused charge stops the photos before they are decoded', async () => {
    const refusal = new Error('over budget');
    await expect(readPhotos([{ name: 'a.jpg', bytes: await jpeg(100, 50) }], async () => Promise.reject(refusal))).rejects.toBe(refusal);
  });

  it('stores a wide photo at 2,560 px on its longer side in its own format, without metadata, and keeps small ones at their size', async () => {
    const wide = new Uint8Array(await sharp({ create: { width: 3000, height: 1000, channels: 3, background: '#864' } }).webp().withExif({ IFD0: { Make: 'TestCamMaker', Model: 'Model-X' } }).toBuffer());
    const [big, small] = await readPhotos([{ name: 'wide.webp', bytes: wide }, { name: 'small.jpg', bytes: await jpeg(640, 480) }]);
    const meta = await sharp(big!.bytes).metadata();
    // 3000 × 1000 → 2560 × 853 (1000 × 2560 / 3000 = 853.3)
    expect([big!.mime, meta.format, meta.width, meta.height, meta.exif]).toEqual(['image/webp', 'webp', 2560, 853, undefined]);
    expect(big!.size).toBe(big!.bytes.byteLength);
    const smallMeta = await sharp(small!.bytes).metadata();
    expect([smallMeta.width, smallMeta.height]).toEqual([640, 480]);
    expect((await sharp(small!.thumb).metadata()).width).toBe(320);
  });

  it('decodes one photo per spare core, and leaves the libuv pool a thread', () => {
    expect(photoConcurrency(2, 4)).toBe(1); // the 2-core server: one core for the event loop
    expect(photoConcurrency(1, 4)).toBe(1);
    expect(photoConcurrency(16, 4)).toBe(3); // a big host: the default pool of four keeps one for logins
    expect(photoConcurrency(16, 8)).toBe(7);
  });
});
