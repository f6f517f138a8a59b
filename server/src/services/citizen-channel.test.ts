import { describe, expect, it } from 'vitest';
import { COARSE_CELL_DEGREES, coarsen, isPublished, publicPosition } from './citizen-channel.ts';

describe('coarsen', () => {
  it('answers the centre of the 0.0015° cell holding the point', () => {
    // 110.2901 / 0.0015 = 73526.73… → cell 73526 → centre (73526.5 × 0.0015) = 110.28975
    // 25.2733 / 0.0015 = 16848.87 → cell 16848 → centre 25.27275
    expect(coarsen(110.2901, 25.2733)).toEqual({ lon: 110.28975, lat: 25.27275 });
  });

  it('gives every point of a cell the same answer, within half a cell of each axis', () => {
    const centre = coarsen(110.28975, 25.27275);
    for (const [dx, dy] of [[-0.00074, -0.00074], [0.00074, 0.00074], [0.0003, -0.0006], [0, 0]] as const) {
      const p = coarsen(110.28975 + dx, 25.27275 + dy);
      expect(p).toEqual(centre);
    }
    for (let i = 0; i < 1000; i++) {
      const lon = 110 + i * 0.000_731;
      const lat = 25 + i * 0.000_419;
      const c = coarsen(lon, lat);
      expect(Math.abs(c.lon - lon)).toBeLessThanOrEqual(COARSE_CELL_DEGREES / 2 + 1e-7);
      expect(Math.abs(c.lat - lat)).toBeLessThanOrEqual(COARSE_CELL_DEGREES / 2 + 1e-7);
    }
  });
});

describe('the citizen channel', () => {
  it('publishes citizens’ reports that are not void', () => {
    expect(isPublished({ source: 'citizen', status: 'reported' })).toBe(true);
    expect(isPublished({ source: 'citizen', status: 'closed' })).toBe(true);
    expect(isPublished({ source: 'citizen', status: 'void' })).toBe(false);
    for (const source of ['staff', 'inspection', 'grid_worker', 'camera', 'import']) expect(isPublished({ source, status: 'reported' })).toBe(false);
  });

  it('coarsens the positions of categories that point at a person, and only those', () => {
    expect(publicPosition('evt-order-laundry', 110.2901, 25.2733)).toEqual({ lon: 110.28975, lat: 25.27275 });
    expect(publicPosition('evt-env-exposed-waste', 110.2901, 25.2733)).toEqual({ lon: 110.2901, lat: 25.2733 });
  });
});
