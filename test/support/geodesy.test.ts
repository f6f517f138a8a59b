import { describe, expect, it } from 'vitest';
import { meridianLength, parallelLength, rectArea } from './geodesy.ts';

// The reference formulas must themselves be right before they judge PostGIS.
describe('reference geodesy', () => {
  it('gives the equatorial degree of longitude (111,319.49 m) and of latitude (110,574.4 m)', () => {
    expect(parallelLength(1)).toBeCloseTo(111319.49, 1);
    expect(meridianLength(0, 1)).toBeCloseTo(110574.4, 0);
  });
  it('agrees with length × width for a small rectangle at the equator', () => {
    const area = rectArea(0, 0, 0.01, 0.01);
    expect(area / (parallelLength(0.01) * meridianLength(0, 0.01))).toBeCloseTo(1, 6);
  });
  it('gives the whole ellipsoid 510,065,621.7 km²', () => {
    expect(rectArea(-180, -90, 180, 90) / 1e6).toBeCloseTo(510065621.7, 0);
  });
});
