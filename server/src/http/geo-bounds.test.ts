import { describe, expect, it } from 'vitest';
import { FALLBACK_BOUNDS, neighbourhood } from './geo-bounds.ts';

describe('neighbourhood', () => {
  it('is the extent with a degree around it', () => {
    expect(neighbourhood([110.2, 25.1, 110.4, 25.4])).toEqual([109.2, 24.1, 111.4, 26.4]);
  });
  it('stays inside the globe and off the poles', () => {
    expect(neighbourhood([-179.5, -89.9, 179.5, 89.9])).toEqual([-180, -85, 180, 85]);
  });
  it('falls back to China and its seas before any territory exists', () => {
    expect(neighbourhood(null)).toEqual(FALLBACK_BOUNDS);
    const [minLon, minLat, maxLon, maxLat] = FALLBACK_BOUNDS;
    // Beijing, Ürümqi, Harbin and Sanya lie inside
    for (const [lon, lat] of [[116.4, 39.9], [87.6, 43.8], [126.6, 45.8], [109.5, 18.3]] as const) {
      expect(lon >= minLon && lon <= maxLon && lat >= minLat && lat <= maxLat).toBe(true);
    }
  });
});
