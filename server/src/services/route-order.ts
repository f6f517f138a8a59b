/**
 * The visiting order of a group's points: an open path (the group starts at
 * its start place, or at one of its points, and does not come back — an
 * inspection group ends its day at its last point), built by nearest
 * neighbour and improved by 2-opt and Or-opt until neither finds a shorter
 * path.
 *
 * Distances come in a square matrix of road lengths in metres between the
 * stops. The matrix is symmetric (the road graph is undirected), which the
 * 2-opt delta relies on. Index `start` (when given) is the group's start place
 * and stays first; every other index is a point to visit.
 */
export type Matrix = readonly (readonly number[])[];

/** Smallest gain an improving move must make, in metres: floating-point noise is not a gain. */
const EPSILON = 1e-7;

export interface OrderOptions {
  /** Index of a fixed first stop (the group's start place); omitted → any point may come first. */
  start?: number | undefined;
  /** Where nearest neighbour begins when there is no start: the point nearest the group's centroid. */
  first?: number | undefined;
  /** Also run nearest neighbour from every point and keep the best improved path (free start only; default true). */
  restarts?: boolean | undefined;
}

export interface OrderResult {
  /** Indexes of the matrix in visiting order (the start first, when given). */
  order: number[];
  length: number;
  /** Length of nearest neighbour alone from the same first stop: the baseline the improvement is measured against. */
  nearestNeighbourLength: number;
}

export function pathLength(matrix: Matrix, order: readonly number[]): number {
  let total = 0;
  for (let i = 1; i < order.length; i++) total += matrix[order[i - 1]!]![order[i]!]!;
  return total;
}

/** Nearest neighbour from `first` through every index of `stops` (ties: the lower index). */
export function nearestNeighbour(matrix: Matrix, first: number, stops: readonly number[]): number[] {
  const left = new Set(stops.filter((s) => s !== first));
  const order = [first];
  let at = first;
  while (left.size > 0) {
    let best = -1;
    let bestD = Number.POSITIVE_INFINITY;
    for (const s of left) {
      const d = matrix[at]![s]!;
      if (d < bestD || (d === bestD && s < best) || best === -1) {
        best = s;
        bestD = d;
      }
    }
    order.push(best);
    left.delete(best);
    at = best;
  }
  return order;
}

/**
 * 2-opt on an open path: reverse order[i..j] when that shortens the path.
 * With `fixedFirst` position 0 never moves. Returns whether anything changed.
 */
export function twoOpt(matrix: Matrix, order: number[], fixedFirst: boolean): boolean {
  const n = order.length;
  const d = (a: number, b: number) => matrix[order[a]!]![order[b]!]!;
  let changed = false;
  let improved = true;
  while (improved) {
    improved = false;
    for (let i = fixedFirst ? 1 : 0; i < n - 1; i++) {
      for (let j = i + 1; j < n; j++) {
        const before = (i > 0 ? d(i - 1, i) : 0) + (j < n - 1 ? d(j, j + 1) : 0);
        const after = (i > 0 ? d(i - 1, j) : 0) + (j < n - 1 ? d(i, j + 1) : 0);
        if (after < before - EPSILON) {
          reverse(order, i, j);
          improved = changed = true;
        }
      }
    }
  }
  return changed;
}

/**
 * Or-opt on an open path: move a run of 1–3 consecutive stops (kept or
 * reversed) to the place where it costs least, when that shortens the path.
 * Returns whether anything changed.
 */
export function orOpt(matrix: Matrix, order: number[], fixedFirst: boolean): boolean {
  const dist = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? 0 : matrix[a]![b]!);
  let changed = false;
  let improved = true;
  while (improved) {
    improved = false;
    search: for (let len = 1; len <= 3; len++) {
      for (let i = fixedFirst ? 1 : 0; i + len <= order.length; i++) {
        const run = order.slice(i, i + len);
        const prev = order[i - 1];
        const next = order[i + len];
        const removed = dist(prev, run[0]) + dist(run[len - 1], next) - dist(prev, next);
        const rest = [...order.slice(0, i), ...order.slice(i + len)];
        for (let k = fixedFirst ? 1 : 0; k <= rest.length; k++) {
          if (k === i) continue; // its own place
          const a = rest[k - 1];
          const b = rest[k];
          for (const piece of len > 1 ? [run, [...run].reverse()] : [run]) {
            const added = dist(a, piece[0]) + dist(piece[len - 1], b) - dist(a, b);
            if (added < removed - EPSILON) {
              order.splice(0, order.length, ...rest.slice(0, k), ...piece, ...rest.slice(k));
              improved = changed = true;
              continue search;
            }
          }
        }
      }
    }
  }
  return changed;
}

/** 2-opt and Or-opt in turn until neither improves the path. */
export function improve(matrix: Matrix, order: number[], fixedFirst: boolean): number[] {
  for (;;) {
    const a = twoOpt(matrix, order, fixedFirst);
    const b = orOpt(matrix, order, fixedFirst);
    if (!a && !b) return order;
  }
}

/**
 * The visiting order of every index of the matrix. With a start it is the
 * nearest-neighbour path from the start, improved. Without one, nearest
 * neighbour begins at `first` (the point nearest the centroid) and, unless
 * `restarts` is false, also at every other point; the shortest improved path
 * wins (ties: the run from `first`).
 */
export function orderStops(matrix: Matrix, options: OrderOptions = {}): OrderResult {
  const n = matrix.length;
  if (n === 0) return { order: [], length: 0, nearestNeighbourLength: 0 };
  const all = Array.from({ length: n }, (_, i) => i);
  const fixed = options.start !== undefined;
  const first = options.start ?? options.first ?? 0;
  const baseline = nearestNeighbour(matrix, first, all);
  let best = improve(matrix, [...baseline], fixed);
  let bestLength = pathLength(matrix, best);
  if (!fixed && options.restarts !== false) {
    for (const other of all) {
      if (other === first) continue;
      const candidate = improve(matrix, nearestNeighbour(matrix, other, all), false);
      const length = pathLength(matrix, candidate);
      if (length < bestLength - EPSILON) {
        best = candidate;
        bestLength = length;
      }
    }
  }
  return { order: best, length: bestLength, nearestNeighbourLength: pathLength(matrix, baseline) };
}

function reverse(order: number[], i: number, j: number): void {
  for (let a = i, b = j; a < b; a++, b--) {
    const t = order[a]!;
    order[a] = order[b]!;
    order[b] = t;
  }
}
