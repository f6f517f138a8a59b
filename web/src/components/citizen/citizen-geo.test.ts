import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { boxOf, pointInArea } from './citizen-geo.ts';

// a 10 × 10 square with a 2 × 2 hole in its middle
const square: Polygon = {
  type: 'Polygon',
  coordinates: [
    [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
    [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
  ],
};

describe('pointInArea', () => {
  it('finds points inside the outer ring and outside the hole', () => {
    expect(pointInArea([1, 1], square)).toBe(true);
    expect(pointInArea([9.9, 5], square)).toBe(true);
    expect(pointInArea([5, 5], square)).toBe(false);
    expect(pointInArea([11, 5], square)).toBe(false);
    expect(pointInArea([5, -0.1], square)).toBe(false);
  });

  it('reads every part of a MultiPolygon', () => {
    const two: MultiPolygon = { type: 'MultiPolygon', coordinates: [square.coordinates, [[[20, 0], [30, 0], [30, 10], [20, 0]]]] };
    expect(pointInArea([29, 1], two)).toBe(true);
    expect(pointInArea([21, 9], two)).toBe(false); // above the triangle's diagonal
    expect(pointInArea([1, 1], two)).toBe(true);
    expect(pointInArea([1, 1], { type: 'Point', coordinates: [1, 1] })).toBe(false);
  });
});

describe('boxOf', () => {
  it('spans every coordinate of every feature', () => {
    expect(
      boxOf([
        { type: 'Feature', properties: {}, geometry: square },
        { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [-3, 12] } },
      ]),
    ).toEqual([-3, 0, 10, 12]);
    expect(boxOf([])).toBeNull();
  });
});
