import { describe, expect, it } from 'vitest';
import { balancedClusters } from './balanced-clusters.ts';
import { RoadGraph } from './dijkstra.ts';
import { type Matrix, nearestNeighbour, orderStops, orOpt, pathLength, twoOpt } from './route-order.ts';

/** Distances between places on a line: |a − b|, so the shortest open path is known by hand. */
const onLine = (xs: number[]): Matrix => xs.map((a) => xs.map((b) => Math.abs(a - b)));

/** The shortest open path by trying every order (the first index fixed when `start`). */
function bruteForce(matrix: Matrix, start?: number): number {
  const n = matrix.length;
  const rest = Array.from({ length: n }, (_, i) => i).filter((i) => i !== start);
  let best = Number.POSITIVE_INFINITY;
  const permute = (prefix: number[], left: number[]) => {
    if (left.length === 0) {
      best = Math.min(best, pathLength(matrix, start === undefined ? prefix : [start, ...prefix]));
      return;
    }
    for (let i = 0; i < left.length; i++) permute([...prefix, left[i]!], [...left.slice(0, i), ...left.slice(i + 1)]);
  };
  permute([], rest);
  return best;
}

function randomPlaces(seed: number, n: number): Matrix {
  let s = seed;
  const random = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const p = Array.from({ length: n }, () => [random() * 1000, random() * 1000] as const);
  return p.map((a) => p.map((b) => Math.hypot(a[0] - b[0], a[1] - b[1])));
}

describe('the visiting order', () => {
  it('walks places on a line from one end to the other, whichever comes first in the list', () => {
    // positions 3, 10, 0, 6, 1: the shortest open path is 0 → 1 → 3 → 6 → 10 (or back), 10 long
    const matrix = onLine([3, 10, 0, 6, 1]);
    const { order, length } = orderStops(matrix, { first: 0, restarts: false });
    expect(length).toBe(10);
    expect([order, [...order].reverse()]).toContainEqual([2, 4, 0, 3, 1]);
  });

  it('improves on nearest neighbour where it is trapped, from a fixed start', () => {
    // start at 0; points at 1, −2, 4, −8. Nearest neighbour: 0→1→−2→4→−8 = 1+3+6+12 = 22.
    // Best by hand: 0→1→4→−2→−8 = 1+3+6+6 = 16, or 0→4→1→−2→−8 = 4+3+3+6 = 16.
    const matrix = onLine([0, 1, -2, 4, -8]);
    expect(pathLength(matrix, nearestNeighbour(matrix, 0, [0, 1, 2, 3, 4]))).toBe(22);
    const result = orderStops(matrix, { start: 0 });
    expect(result.nearestNeighbourLength).toBe(22);
    expect(result.length).toBe(16);
    expect([[0, 1, 3, 2, 4], [0, 3, 1, 2, 4]]).toContainEqual(result.order);
  });

  it('keeps a fixed start first', () => {
    const matrix = onLine([5, 0, 10, 2]);
    const { order, length } = orderStops(matrix, { start: 0 });
    expect(order[0]).toBe(0);
    // from 5: to 10 first (5) then back to 2 and 0 (8 + 2) = 15, or to 2 and 0 first (5) then to 10 (10) = 15
    expect(length).toBe(15);
  });

  it('handles no point, one point and two points', () => {
    expect(orderStops([])).toEqual({ order: [], length: 0, nearestNeighbourLength: 0 });
    expect(orderStops([[0]]).order).toEqual([0]);
    expect(orderStops(onLine([0, 7])).length).toBe(7);
  });

  it('2-opt undoes a crossing and Or-opt moves a stop to its place', () => {
    // on a line: 0, 2, 1, 3 visited in that order crosses itself (2+1+2 = 5); the best is 3
    const matrix = onLine([0, 2, 1, 3]);
    const crossed = [0, 1, 2, 3];
    expect(twoOpt(matrix, crossed, true)).toBe(true);
    expect(pathLength(matrix, crossed)).toBe(3);
    const detour = [0, 3, 2, 1]; // 0 → 3 → 1 → 2: 3 + 2 + 1 = 6; moving "3" to the end gives 0,1,2,3 = 3
    const m2 = onLine([0, 2, 1, 3]);
    expect(orOpt(m2, detour, true)).toBe(true);
    expect(pathLength(m2, detour)).toBeLessThan(6);
  });

  it('comes within 10 % of the optimum found by trying every order (≤ 9 stops, 30 random sets)', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const n = 5 + (seed % 5); // 5…9
      const matrix = randomPlaces(seed, n);
      const free = orderStops(matrix, { first: 0 });
      expect(free.length).toBeLessThanOrEqual(bruteForce(matrix) * 1.1 + 1e-9);
      const fixed = orderStops(matrix, { start: 0 });
      expect(fixed.order[0]).toBe(0);
      expect(fixed.length).toBeLessThanOrEqual(bruteForce(matrix, 0) * 1.1 + 1e-9);
      expect(new Set(fixed.order).size).toBe(n);
    }
  });

  it('beats nearest neighbour alone on 50 random places', () => {
    for (let seed = 100; seed < 105; seed++) {
      const matrix = randomPlaces(seed, 50);
      const result = orderStops(matrix, { first: 0, restarts: false });
      expect(result.length).toBeLessThan(result.nearestNeighbourLength);
      expect(new Set(result.order).size).toBe(50);
    }
  });
});

describe('Dijkstra over the road graph', () => {
  // a block: 1 —100— 2 —100— 3, 1 —50— 4 —50— 3, and a dead end 3 —10— 5; 6 —1— 7 apart from it
  const graph = new RoadGraph([
    { id: 1, source: 1, target: 2, cost: 100 },
    { id: 2, source: 2, target: 3, cost: 100 },
    { id: 3, source: 4, target: 1, cost: 50 },
    { id: 4, source: 4, target: 3, cost: 50 },
    { id: 5, source: 3, target: 5, cost: 10 },
    { id: 6, source: 6, target: 7, cost: 1 },
  ]);

  it('finds the shortest path and walks each edge in its direction', () => {
    const tree = graph.from(1);
    expect(tree.dist.get(3)).toBe(100);
    expect(tree.dist.get(5)).toBe(110);
    expect(tree.dist.get(2)).toBe(100);
    expect(tree.pathTo(5)).toEqual([
      { edge: 3, reversed: true },
      { edge: 4, reversed: false },
      { edge: 5, reversed: false },
    ]);
    expect(tree.pathTo(1)).toEqual([]);
    expect(tree.pathTo(7)).toBeUndefined();
  });

  it('knows the largest connected part', () => {
    expect([...graph.largestComponent()].sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('balanced clusters', () => {
  it('gives every group ⌊n/k⌋ or ⌈n/k⌉ points and keeps separate blobs together', () => {
    // three blobs of 10 points 10 km apart, and k = 3: each blob is one group
    const blobs = [0, 1, 2].flatMap((b) => Array.from({ length: 10 }, (_, i) => ({ x: b * 10_000 + (i % 4) * 50, y: Math.floor(i / 4) * 50, blob: b })));
    const { labels } = balancedClusters(blobs, 3);
    for (const b of [0, 1, 2]) expect(new Set(labels.filter((_, i) => blobs[i]!.blob === b)).size).toBe(1);
    expect(new Set(labels).size).toBe(3);
  });

  it('splits 165 points into 18 groups of 9 or 10, the same way every time', () => {
    const points = Array.from({ length: 165 }, (_, i) => ({ x: ((i * 7919) % 997) * 10, y: ((i * 104729) % 991) * 10 }));
    const a = balancedClusters(points, 18);
    const sizes = Array.from({ length: 18 }, (_, g) => a.labels.filter((l) => l === g).length);
    expect(sizes.filter((s) => s === 10)).toHaveLength(165 - 18 * 9);
    expect(sizes.every((s) => s === 9 || s === 10)).toBe(true);
    expect(balancedClusters(points, 18).labels).toEqual(a.labels);
  });
});
