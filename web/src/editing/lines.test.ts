import { describe, expect, it } from 'vitest';
import { endsOf, isUsableLine, lineOf, linesOfSection, sameLine } from './lines.ts';
import { snapToPoint } from './snapping.ts';

const line = (...coordinates: number[][]) => ({ type: 'LineString' as const, coordinates });

describe('road-section lines', () => {
  it('takes the lines out of a MultiLineString, one LineString each', () => {
    const multi = { type: 'MultiLineString' as const, coordinates: [[[0, 0], [1, 0]], [[2, 0], [3, 0]]] };
    expect(linesOfSection(multi)).toEqual([line([0, 0], [1, 0]), line([2, 0], [3, 0])]);
    expect(linesOfSection({ type: 'Point', coordinates: [0, 0] })).toEqual([]);
    expect(linesOfSection(null)).toEqual([]);
  });

  it('makes a section of exactly one usable line', () => {
    expect(lineOf([line([0, 0], [1, 0])])).toEqual(line([0, 0], [1, 0]));
    // a line still being started (one position, or the same position twice) is not one
    expect(isUsableLine(line([0, 0]))).toBe(false);
    expect(isUsableLine(line([0, 0], [0, 0]))).toBe(false);
    expect(lineOf([line([0, 0], [0, 0]), line([0, 0], [2, 0])])).toEqual(line([0, 0], [2, 0]));
    // two lines are two sections' worth: none
    expect(lineOf([line([0, 0], [1, 0]), line([2, 0], [3, 0])])).toBeNull();
    expect(lineOf([])).toBeNull();
  });

  it('compares lines by their positions', () => {
    expect(sameLine(line([0, 0], [1, 0]), line([0, 0], [1, 0]))).toBe(true);
    expect(sameLine(line([0, 0], [1, 0]), line([1, 0], [0, 0]))).toBe(false);
    expect(sameLine(null, null)).toBe(true);
  });

  it('lists the two ends of every line', () => {
    expect(endsOf([[[0, 0], [1, 0], [2, 0]], [[5, 5], [6, 6]]])).toEqual([[0, 0], [2, 0], [5, 5], [6, 6]]);
  });
});

describe('snapToPoint', () => {
  /** 1 pixel per 1e-5 degree, y down. */
  const project = (lon: number, lat: number) => ({ x: lon * 1e5, y: -lat * 1e5 });
  const ends: [number, number][] = [[0, 0], [0.0001, 0]];

  it('snaps to the nearest end within the tolerance', () => {
    // 3 px from the first end, 7 px from the second
    expect(snapToPoint(ends, [0.00003, 0], project, 8, [1e-4, 1e-4])).toMatchObject({ coordinate: [0, 0], kind: 'vertex' });
    expect(snapToPoint(ends, [0.00003, 0], project, 8, [1e-4, 1e-4])?.distance).toBeCloseTo(3, 9);
  });

  it('leaves the pointer alone beyond the tolerance', () => {
    expect(snapToPoint(ends, [0.00005, 0.00005], project, 4, [1e-4, 1e-4])).toBeUndefined();
  });
});
