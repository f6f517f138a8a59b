import { describe, expect, it } from 'vitest';
import { distanceM, nearestPoint, within } from './field-position.ts';

describe('distanceM', () => {
  it('measures a degree of latitude as about 111.2 km and a degree of longitude at 60° as half that', () => {
    // 2πR/360 with R = 6371.0088 km: 111.195 km
    expect(distanceM({ lon: 116, lat: 39 }, { lon: 116, lat: 40 })).toBeCloseTo(111_195, -1);
    // along a parallel the haversine distance of 1° at 60° is 2R·asin(cos 60°·sin 0.5°) = 55.597 km
    expect(distanceM({ lon: 10, lat: 60 }, { lon: 11, lat: 60 })).toBeCloseTo(55_597, -1);
    expect(distanceM({ lon: 116.4, lat: 39.9 }, { lon: 116.4, lat: 39.9 })).toBe(0);
  });
});

describe('nearestPoint: the point a report from the route is made near', () => {
  const points = [
    { id: 1, lon: 116.4, lat: 39.9 },
    { id: 2, lon: 116.401, lat: 39.9 }, // about 85 m east of 1
    { id: 3, lon: 116.41, lat: 39.9 },
  ];
  it('takes the closest within the limit, and none when all are farther', () => {
    expect(nearestPoint(points, { lon: 116.4008, lat: 39.9 }, 500)?.id).toBe(2);
    expect(nearestPoint(points, { lon: 116.3999, lat: 39.9 }, 500)?.id).toBe(1);
    expect(nearestPoint(points, { lon: 116.5, lat: 39.9 }, 500)).toBeNull();
    expect(nearestPoint([], { lon: 116.4, lat: 39.9 }, 500)).toBeNull();
  });
});

describe('within', () => {
  it('gives the value that comes in time and null for one that does not', async () => {
    expect(await within(Promise.resolve(7), 1000)).toBe(7);
    expect(await within(new Promise<number>(() => {}), 5)).toBeNull();
  });
});
