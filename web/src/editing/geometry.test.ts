import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { areaOf, isUsableRing, partsOf, ringArea2, rounded, sameArea, vertexCount } from './geometry.ts';

const square = (x: number, y: number, d: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]],
});

describe('zone geometry for the drawing tool', () => {
  it('splits a MultiPolygon into its parts and joins them again', () => {
    const multi = { type: 'MultiPolygon' as const, coordinates: [square(0, 0, 1).coordinates, square(2, 0, 1).coordinates] };
    const parts = partsOf(multi);
    expect(parts).toHaveLength(2);
    expect(parts[1]).toEqual(square(2, 0, 1));
    expect(areaOf(parts)).toEqual(multi);
    expect(areaOf([square(0, 0, 1)])).toEqual(square(0, 0, 1));
    expect(partsOf({ type: 'LineString', coordinates: [[0, 0], [1, 1]] })).toEqual([]);
  });

  it('measures rings: the unit square has twice-area 2, counter-clockwise positive', () => {
    expect(ringArea2(square(0, 0, 1).coordinates[0]!)).toBe(2);
    expect(ringArea2([...square(0, 0, 1).coordinates[0]!].reverse())).toBe(-2);
  });

  it('leaves out rings that enclose nothing: too short, open, flat or a point repeated', () => {
    expect(isUsableRing(square(0, 0, 1).coordinates[0])).toBe(true);
    expect(isUsableRing([[0, 0], [1, 0], [0, 0]])).toBe(false);
    expect(isUsableRing([[0, 0], [1, 0], [1, 1], [0, 1]])).toBe(false);
    expect(isUsableRing([[0, 0], [1, 1], [2, 2], [0, 0]])).toBe(false);
    expect(isUsableRing([[0, 0], [0, 0], [0, 0], [0, 0]])).toBe(false);
    expect(areaOf([{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] }])).toBeNull();
  });

  it('rounds to the drawing tool precision and drops repeated positions', () => {
    const part: Polygon = { type: 'Polygon', coordinates: [[[0.1234567891234, 0], [0.1234567891, 0], [1, 0], [1, 1], [0.1234567891234, 0]]] };
    expect(rounded(part).coordinates[0]).toEqual([[0.123456789, 0], [1, 0], [1, 1], [0.123456789, 0]]);
  });

  it('compares and counts', () => {
    expect(sameArea(square(0, 0, 1), { type: 'MultiPolygon', coordinates: [square(0, 0, 1).coordinates] })).toBe(true);
    expect(sameArea(square(0, 0, 1), square(0, 0, 2))).toBe(false);
    expect(sameArea(null, null)).toBe(true);
    expect(vertexCount(square(0, 0, 1))).toBe(5);
  });
});
