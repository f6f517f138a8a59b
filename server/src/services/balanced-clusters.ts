/**
 * Points into k groups of equal size (⌊n/k⌋ or ⌈n/k⌉ each), compact on the
 * map: a seeded capacitated k-means on projected coordinates (metres).
 *
 * 1. k-means++ picks k centres (seeded, so the same input gives the same groups).
 * 2. Capacitated assignment: every (point, centre) pair in order of distance;
 *    a pair is taken while its centre has room (⌊n/k⌋, or ⌈n/k⌉ for the first
 *    n mod k centres to fill up). Centres move to their points' mean; repeat
 *    until the assignment holds.
 * 3. A balancing pass: a point moves from a group of ⌈n/k⌉ to one of ⌊n/k⌋,
 *    or two points of different groups swap, whenever that lowers the sum of
 *    squared distances to the centres (boundary points go to the group they
 *    lie nearer); then centres move again, until nothing improves.
 * Several seeded restarts; the lowest sum of squared distances wins.
 */
export interface XY {
  x: number;
  y: number;
}

export interface Clustering {
  /** The group index (0…k−1) of every point. */
  labels: number[];
  centres: XY[];
  /** Sum of squared distances (m²) of the points to their group's centre. */
  cost: number;
}

const d2 = (a: XY, b: XY) => (a.x - b.x) ** 2 + (a.y - b.y) ** 2;

/** mulberry32: a small seeded generator, enough for picking centres. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function balancedClusters(points: readonly XY[], k: number, seed = 20261122, restarts = 6): Clustering {
  const n = points.length;
  if (k < 1) throw new Error('k must be at least 1');
  if (n === 0) return { labels: [], centres: [], cost: 0 };
  let best: Clustering | undefined;
  for (let r = 0; r < restarts; r++) {
    const run = once(points, k, rng(seed + r * 7919));
    if (!best || run.cost < best.cost - 1e-6) best = run;
  }
  return best!;
}

function once(points: readonly XY[], k: number, random: () => number): Clustering {
  const n = points.length;
  let centres = kMeansPlusPlus(points, Math.min(k, n), random);
  while (centres.length < k) centres.push({ ...centres[centres.length - 1]! });
  let labels = assign(points, centres);
  for (let iteration = 0; iteration < 100; iteration++) {
    centres = means(points, labels, centres);
    const next = assign(points, centres);
    const moved = next.some((l, i) => l !== labels[i]);
    labels = next;
    if (!moved) break;
  }
  for (let pass = 0; pass < 50; pass++) {
    const changed = balance(points, labels, centres, k);
    centres = means(points, labels, centres);
    if (!changed) break;
  }
  const cost = points.reduce((s, p, i) => s + d2(p, centres[labels[i]!]!), 0);
  return { labels, centres, cost };
}

function kMeansPlusPlus(points: readonly XY[], k: number, random: () => number): XY[] {
  const centres: XY[] = [{ ...points[Math.floor(random() * points.length)]! }];
  const nearest = points.map((p) => d2(p, centres[0]!));
  while (centres.length < k) {
    const total = nearest.reduce((s, v) => s + v, 0);
    let pick = 0;
    if (total > 0) {
      let r = random() * total;
      for (pick = 0; pick < points.length - 1; pick++) {
        r -= nearest[pick]!;
        if (r <= 0) break;
      }
    } else {
      pick = Math.floor(random() * points.length);
    }
    const c = { ...points[pick]! };
    centres.push(c);
    points.forEach((p, i) => {
      nearest[i] = Math.min(nearest[i]!, d2(p, c));
    });
  }
  return centres;
}

/** The capacitated assignment: closest pairs first, each centre up to its size. */
function assign(points: readonly XY[], centres: readonly XY[]): number[] {
  const n = points.length;
  const k = centres.length;
  const base = Math.floor(n / k);
  let extra = n % k;
  const pairs: [number, number, number][] = [];
  points.forEach((p, i) => {
    centres.forEach((c, j) => {
      pairs.push([d2(p, c), i, j]);
    });
  });
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const labels = new Array<number>(n).fill(-1);
  const size = new Array<number>(k).fill(0);
  let left = n;
  for (const [, i, j] of pairs) {
    if (left === 0) break;
    if (labels[i] !== -1) continue;
    if (size[j]! < base) {
      labels[i] = j;
    } else if (size[j] === base && extra > 0) {
      labels[i] = j;
      extra--;
    } else {
      continue;
    }
    size[j]!++;
    left--;
  }
  return labels;
}

function means(points: readonly XY[], labels: readonly number[], previous: readonly XY[]): XY[] {
  const sum = previous.map(() => ({ x: 0, y: 0, n: 0 }));
  points.forEach((p, i) => {
    const s = sum[labels[i]!]!;
    s.x += p.x;
    s.y += p.y;
    s.n++;
  });
  return sum.map((s, j) => (s.n ? { x: s.x / s.n, y: s.y / s.n } : previous[j]!));
}

/** One pass of moves (⌈n/k⌉ → ⌊n/k⌋ groups) and swaps that lower the cost; whether any was made. */
function balance(points: readonly XY[], labels: number[], centres: readonly XY[], k: number): boolean {
  const n = points.length;
  const base = Math.floor(n / k);
  const size = new Array<number>(k).fill(0);
  for (const l of labels) size[l]!++;
  let changed = false;
  for (let i = 0; i < n; i++) {
    const a = labels[i]!;
    const p = points[i]!;
    // a move keeps the sizes within ⌊n/k⌋…⌈n/k⌉ only from a larger group to a smaller one
    if (size[a]! > base) {
      for (let b = 0; b < k; b++) {
        if (b === a || size[b]! !== base) continue;
        if (d2(p, centres[b]!) < d2(p, centres[a]!) - 1e-6) {
          labels[i] = b;
          size[a]!--;
          size[b]!++;
          changed = true;
          break;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = labels[i]!;
      const b = labels[j]!;
      if (a === b) continue;
      const pi = points[i]!;
      const pj = points[j]!;
      const gain = d2(pi, centres[a]!) + d2(pj, centres[b]!) - d2(pi, centres[b]!) - d2(pj, centres[a]!);
      if (gain > 1e-6) {
        labels[i] = b;
        labels[j] = a;
        changed = true;
      }
    }
  }
  return changed;
}
