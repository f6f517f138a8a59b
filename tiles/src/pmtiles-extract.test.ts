import { describe, expect, it } from 'vitest';
import { extractPMTiles } from './pmtiles-extract.ts';
import { bytesSource, PMTilesReader } from './pmtiles-reader.ts';
import { type TileInput, writePMTiles } from './pmtiles-writer.ts';
import { lonLatToTile } from './tile-math.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A source archive with every tile of z0–6 over the whole world, each tile's bytes naming it. */
function world(): Uint8Array {
  const tiles: TileInput[] = [];
  for (let z = 0; z <= 6; z++) {
    for (let x = 0; x < 2 ** z; x++) for (let y = 0; y < 2 ** z; y++) tiles.push({ z, x, y, data: utf8(`${z}/${x}/${y}`) });
  }
  return writePMTiles(tiles, { tileType: 'png', tileCompression: 'none', metadata: { name: 'world' } });
}

describe('extractPMTiles', () => {
  it('copies exactly the tiles covering the bbox at every zoom, byte for byte', async () => {
    const source = new PMTilesReader(bytesSource(world()));
    // 桂林 and a little around it: one tile at low zooms, a few at z6 (5.625° wide tiles)
    const bbox: [number, number, number, number] = [109.5, 24.5, 111.5, 26.5];
    const extract = await extractPMTiles(source, bbox);
    expect(extract).toBeDefined();
    const reader = new PMTilesReader(bytesSource(extract!.bytes));
    const header = await reader.getHeader();
    expect([header.minZoom, header.maxZoom]).toEqual([0, 6]);
    expect(header.tileType).toBe('png');
    expect(header.minLon).toBeCloseTo(109.5, 6);
    expect(header.maxLat).toBeCloseTo(26.5, 6);
    expect((await reader.getMetadata()).name).toBe('world');

    let count = 0;
    for await (const entry of reader.tileEntries()) count += entry.runLength;
    expect(count).toBe(extract!.tiles);
    for (let z = 0; z <= 6; z++) {
      for (const [lon, lat] of [[109.5, 24.5], [111.5, 26.5], [110.3, 25.27]] as const) {
        const { x, y } = lonLatToTile(lon, lat, z);
        expect(new TextDecoder().decode(await reader.getTile(z, x, y))).toBe(`${z}/${x}/${y}`);
      }
    }
    // nothing far away: London is in no tile of the extract at z3+
    const london = lonLatToTile(-0.12, 51.5, 3);
    expect(await reader.getTile(3, london.x, london.y)).toBeUndefined();
  });

  it('stops at the given zoom and answers undefined where the source has nothing', async () => {
    const source = new PMTilesReader(bytesSource(world()));
    const shallow = await extractPMTiles(source, [110, 25, 110.5, 25.5], { maxZoom: 3 });
    expect((await new PMTilesReader(bytesSource(shallow!.bytes)).getHeader()).maxZoom).toBe(3);
    expect(shallow!.tiles).toBe(4);

    const sparse = new PMTilesReader(bytesSource(writePMTiles([{ z: 5, x: 0, y: 0, data: utf8('corner') }], { tileType: 'png', tileCompression: 'none' })));
    expect(await extractPMTiles(sparse, [110, 25, 110.5, 25.5])).toBeUndefined();
    await expect(extractPMTiles(source, [-180, -80, 180, 80], { maxTiles: 100 })).rejects.toThrow(/more than 100/);
  });
});
