import type { FeatureCollection, Geometry } from 'geojson';
import { describe, expect, it } from 'vitest';
import { clipRing, labelPoint, labelPoints, poleOfInaccessibility } from './label-points.ts';

describe('poleOfInaccessibility', () => {
  it('finds the centre of a square', () => {
    const [x, y] = poleOfInaccessibility([[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]], 0.001);
    expect(x).toBeCloseTo(5, 2);
    expect(y).toBeCloseTo(5, 2);
  });

  it('stays inside an L shape, where the centroid would fall outside', () => {
    // L: a 10×2 foot and a 2×10 stem; the bounding-box centre (5, 5) is outside.
    const ring = [[0, 0], [10, 0], [10, 2], [2, 2], [2, 10], [0, 10], [0, 0]];
    const [x, y] = poleOfInaccessibility([ring], 0.001);
    const inFoot = y >= 0 && y <= 2 && x >= 0 && x <= 10;
    const inStem = x >= 0 && x <= 2 && y >= 0 && y <= 10;
    expect(inFoot || inStem).toBe(true);
  });

  it('avoids a hole', () => {
    const outer = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];
    const hole = [[3, 3], [7, 3], [7, 7], [3, 7], [3, 3]];
    const [x, y] = poleOfInaccessibility([outer, hole], 0.001);
    expect(x > 3 && x < 7 && y > 3 && y < 7).toBe(false);
  });
});

describe('labelPoint', () => {
  it('uses the largest part of a multipolygon', () => {
    const small = [[[110, 25], [110.001, 25], [110.001, 25.001], [110, 25.001], [110, 25]]];
    const large = [[[110.1, 25.1], [110.2, 25.1], [110.2, 25.2], [110.1, 25.2], [110.1, 25.1]]];
    const at = labelPoint({ type: 'MultiPolygon', coordinates: [small, large] });
    expect(at?.[0]).toBeCloseTo(110.15, 3);
    expect(at?.[1]).toBeCloseTo(25.15, 3);
  });
});

describe('labelPoints', () => {
  it('labels named polygons and skips the rest', () => {
    const square = { type: 'Polygon' as const, coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] };
    const collection: FeatureCollection<Geometry | null> = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', id: 1, geometry: square, properties: { name: '象山街道' } },
        { type: 'Feature', id: 2, geometry: square, properties: { name: '' } },
        { type: 'Feature', id: 3, geometry: { type: 'Point', coordinates: [0, 0] }, properties: { name: 'x' } },
        { type: 'Feature', id: 4, geometry: null, properties: { name: 'y' } },
      ],
    };
    const points = labelPoints(collection, 'street');
    expect(points).toHaveLength(1);
    expect(points[0]?.properties).toEqual({ kind: 'street', name: '象山街道', id: 1 });
  });
});

describe('clipRing', () => {
  it('clips a square to a box', () => {
    const ring = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];
    const clipped = clipRing(ring, [5, -5, 20, 5]);
    const xs = clipped.map((p) => p[0] as number);
    const ys = clipped.map((p) => p[1] as number);
    expect(Math.min(...xs)).toBe(5);
    expect(Math.max(...xs)).toBe(10);
    expect(Math.min(...ys)).toBe(0);
    expect(Math.max(...ys)).toBe(5);
  });

  it('drops a ring wholly outside', () => {
    expect(clipRing([[0, 0], [1, 0], [1, 1], [0, 0]], [5, 5, 6, 6])).toEqual([]);
  });

  it('puts the label of a huge neighbour inside the clip box', () => {
    const huge = { type: 'Polygon' as const, coordinates: [[[100, 20], [120, 20], [120, 30], [100, 30], [100, 20]]] };
    const at = labelPoint(huge, [110, 25, 111, 26]);
    expect(at?.[0]).toBeCloseTo(110.5, 2);
    expect(at?.[1]).toBeCloseTo(25.5, 2);
  });
});
