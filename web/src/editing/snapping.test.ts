import { describe, expect, it } from 'vitest';
import { linesOf, nearestFraction, roundCoordinate, SnapIndex } from './snapping.ts';

/** A flat projection: 1 pixel per 1e-5 degree, y down. */
const project = (lon: number, lat: number) => ({ x: lon * 1e5, y: -lat * 1e5 });
const box: [number, number] = [1e-4, 1e-4];

describe('SnapIndex', () => {
  // a square zone with corners (0,0) and (0.001, 0.001): 100 pixels a side
  const square = { type: 'Polygon' as const, coordinates: [[[0, 0], [0.001, 0], [0.001, 0.001], [0, 0.001], [0, 0]]] };
  const index = new SnapIndex(linesOf(square));

  it('snaps to the nearest point of an edge within the tolerance, on the edge itself', () => {
    // 5 pixels east of the west edge, 40 pixels up
    const snapped = index.snap([0.00005, 0.0004], project, 8, box);
    expect(snapped?.kind).toBe('edge');
    expect(snapped?.coordinate[0]).toBe(0);
    expect(snapped?.coordinate[1]).toBeCloseTo(0.0004, 12);
    expect(snapped?.distance).toBeCloseTo(5, 9);
  });

  it('prefers a vertex in reach to a nearer edge', () => {
    const snapped = index.snap([0.00002, 0.00006], project, 8, box);
    expect(snapped).toMatchObject({ kind: 'vertex', coordinate: [0, 0] });
  });

  it('leaves the pointer alone beyond the tolerance', () => {
    expect(index.snap([0.0005, 0.0005], project, 8, box)).toBeUndefined();
    expect(index.snap([0.00009, 0.0005], project, 8, box)).toBeUndefined();
  });

  it('puts a point snapped to a slanted edge exactly on that edge', () => {
    const slanted = new SnapIndex([[[0, 0], [0.003, 0.001]]]);
    const snapped = slanted.snap([0.0015, 0.00053], project, 8, [3e-3, 3e-3]);
    expect(snapped?.kind).toBe('edge');
    const [x, y] = snapped!.coordinate;
    expect(y - x / 3).toBeCloseTo(0, 15); // on the line y = x / 3
  });

  it('reads rings, multipolygons and lines, and skips repeated positions', () => {
    const multi = { type: 'MultiPolygon' as const, coordinates: [square.coordinates, square.coordinates] };
    expect(linesOf(multi)).toHaveLength(2);
    expect(new SnapIndex(linesOf(multi)).size).toBe(8);
    expect(new SnapIndex([[[0, 0], [0, 0], [1, 1]]]).size).toBe(1);
    expect(linesOf({ type: 'Point', coordinates: [0, 0] })).toEqual([]);
    expect(linesOf(null)).toEqual([]);
  });
});

describe('nearestFraction and roundCoordinate', () => {
  it('clamps to the segment', () => {
    expect(nearestFraction({ x: -5, y: 1 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(0);
    expect(nearestFraction({ x: 4, y: 1 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBeCloseTo(0.4);
    expect(nearestFraction({ x: 15, y: 1 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(1);
    expect(nearestFraction({ x: 1, y: 1 }, { x: 2, y: 2 }, { x: 2, y: 2 })).toBe(0);
  });

  it('rounds to the given decimals', () => {
    expect(roundCoordinate([110.1234567891234, 25.98765432109], 9)).toEqual([110.123456789, 25.987654321]);
  });
});
