/**
 * Travel balancing of an automatic assignment: the count-balanced compact
 * groups of balanced-clusters.ts, then a local search on the groups' route
 * durations (road length at the routes' speed plus the dwell at each point,
 * `durationOf`), each group's duration evaluated with the routes' own
 * ordering heuristic (`orderStops`) on one matrix of road distances between
 * every point (and every group's start place).
 *
 * The rule, each step (deterministic: fixed scan order, ties to the lower
 * index):
 * - Candidates touch the longest group or the shortest one and one of its
 *   neighbours: a boundary point of one group goes to a neighbour (a move), or
 *   boundary points of two neighbouring groups trade places (a swap, counts
 *   unchanged). A point is on the boundary towards group B when one of its
 *   `NEIGHBOURS` nearest points by road is in B — so points only ever cross to
 *   a group they already lie next to, and groups stay compact on the map (on
 *   the demo 87 % of the points stay nearest their own group's centre on the
 *   map, against 93 % for the count-only clustering).
 * - Counts: a move keeps every group within ⌊n/k⌋ − 1 … ⌈n/k⌉ + 1 points and
 *   the largest at most two more than the smallest (one more than the
 *   count-only clustering allows).
 * - A candidate is acceptable when neither the longest duration nor the spread
 *   (longest − shortest) grows, one of them falls by at least a second, and
 *   the total route length stays within 5 % of the count-only clustering's.
 *   The best acceptable one is taken (lowest longest duration, then lowest
 *   spread, then shortest total length); the search stops when none is left
 *   (or after `maxSteps`). Neither the longest duration nor the spread ever
 *   ends above the count-only clustering's.
 */
import { type Matrix, orderStops } from './route-order.ts';
import { durationOf, SECONDS_PER_POINT } from './routing.service.ts';

/** How many nearest points (by road) decide which groups a point lies next to. */
export const NEIGHBOURS = 3;
/** The total route length may grow by at most this share over the count-only clustering. */
export const MAX_LENGTH_GROWTH = 0.05;

export interface TravelBalanceInput {
  /** Road distances (metres, symmetric) between places: the n points first (0…n−1), then any start places. */
  matrix: Matrix;
  /** The group (0…k−1) of each of the n points: the count-balanced compact clustering. */
  labels: readonly number[];
  k: number;
  /** Per group, the matrix index of its start place (its route begins there), or undefined. */
  starts?: readonly (number | undefined)[] | undefined;
  /** Where nearest neighbour begins in a group without a start (as the routes do: the point nearest its centroid). */
  firstOf?: ((points: readonly number[]) => number) | undefined;
  /** Upper bound on accepted changes (default 500). */
  maxSteps?: number | undefined;
}

export interface GroupTravel {
  /** Route length along the roads, metres. */
  lengthM: number;
  /** Route time with the checks, seconds (`durationOf`). */
  durationS: number;
  points: number;
}

export interface TravelBalanceResult {
  labels: number[];
  /** Per group, before (the count-only clustering) and after balancing. */
  before: GroupTravel[];
  after: GroupTravel[];
  /** Accepted moves and swaps. */
  moves: number;
  swaps: number;
  /** Group routes ordered (the cache's misses): the work the search did. */
  evaluations: number;
}

/** Smallest improvement that counts, seconds. */
const GAIN = 1;

/**
 * The search's work is bounded so that large groups stay fast (three groups
 * of 55 points would otherwise order thousands of 55-point routes, each from
 * every start): a group of more than RESTART_LIMIT places is ordered from its
 * first place only while searching (the stored routes still use every start),
 * and the search stops, keeping what it has gained, once the orderings have
 * cost WORK_BUDGET units (places³ each, × places with restarts). Both depend on
 * the input alone, so the answer stays deterministic. Eighteen groups of nine
 * or ten use about 6 % of the budget.
 */
export const RESTART_LIMIT = 16;
export const WORK_BUDGET = 1e8;

export function balanceTravel(input: TravelBalanceInput): TravelBalanceResult {
  const { matrix, k } = input;
  const n = input.labels.length;
  const labels = [...input.labels];
  const members: number[][] = Array.from({ length: k }, () => []);
  labels.forEach((g, i) => {
    members[g]!.push(i);
  });

  let evaluations = 0;
  let work = 0;
  const cache = new Map<string, GroupTravel>();
  const travel = (g: number, points: readonly number[]): GroupTravel => {
    const key = `${g}:${points.join(',')}`;
    const hit = cache.get(key);
    if (hit) return hit;
    evaluations++;
    let result: GroupTravel;
    if (points.length === 0) {
      result = { lengthM: 0, durationS: 0, points: 0 };
    } else {
      const start = input.starts?.[g];
      const places = start === undefined ? [...points] : [start, ...points];
      const sub = places.map((a) => places.map((b) => matrix[a]![b]!));
      const first = input.firstOf ? points.indexOf(input.firstOf(points)) : 0;
      const m = places.length;
      const restarts = m <= RESTART_LIMIT;
      work += m ** 3 * (restarts ? m : 1);
      const { length } = orderStops(sub, start === undefined ? { first: Math.max(0, first), restarts } : { start: 0 });
      result = { lengthM: length, durationS: durationOf(length, points.length), points: points.length };
    }
    cache.set(key, result);
    return result;
  };

  const current = members.map((m, g) => travel(g, m));
  const before = [...current];
  if (k < 2 || n < 2) return { labels, before, after: [...current], moves: 0, swaps: 0, evaluations };

  // each point's nearest other points by road (ties: the lower index)
  const nearest = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => j)
      .filter((j) => j !== i)
      .sort((a, b) => matrix[i]![a]! - matrix[i]![b]! || a - b)
      .slice(0, NEIGHBOURS),
  );
  /** The other groups point i lies next to: one of its nearest points by road is theirs. */
  const nextTo = (i: number): number[] => [...new Set(nearest[i]!.map((j) => labels[j]!))].filter((g) => g !== labels[i]).sort((a, b) => a - b);

  const minSize = Math.max(1, Math.floor(n / k) - 1);
  const maxSize = Math.ceil(n / k) + 1;
  const lengthCap = (1 + MAX_LENGTH_GROWTH) * before.reduce((s, t) => s + t.lengthM, 0);
  const sizesOk = (from: number, to: number) => {
    const sizes = members.map((m) => m.length);
    sizes[from]!--;
    sizes[to]!++;
    return sizes[from]! >= minSize && sizes[to]! <= maxSize && Math.max(...sizes) - Math.min(...sizes) <= 2;
  };
  const without = (list: readonly number[], i: number) => list.filter((x) => x !== i);
  const withPoint = (list: readonly number[], i: number) => [...list, i].sort((a, b) => a - b);

  let moves = 0;
  let swaps = 0;
  const maxSteps = input.maxSteps ?? 500;
  for (let step = 0; step < maxSteps && work < WORK_BUDGET; step++) {
    const durations = current.map((t) => t.durationS);
    const longest = durations.indexOf(Math.max(...durations));
    const shortest = durations.indexOf(Math.min(...durations));
    const curMax = durations[longest]!;
    const curSpread = curMax - durations[shortest]!;
    const curTotal = current.reduce((s, t) => s + t.lengthM, 0);

    interface Candidate {
      a: number;
      b: number;
      /** Point leaving a for b. */
      p: number;
      /** Point leaving b for a (a swap), or undefined (a move). */
      q: number | undefined;
      ta: GroupTravel;
      tb: GroupTravel;
      max: number;
      spread: number;
      total: number;
    }
    let best: Candidate | undefined;
    const consider = (a: number, b: number, p: number, q: number | undefined) => {
      // a move adds a point's check to b, and a point more does not shorten the best path through b:
      // when that alone takes b past the longest duration, the move cannot help
      if (q === undefined && durations[b]! + SECONDS_PER_POINT > curMax) return;
      const ma = q === undefined ? without(members[a]!, p) : withPoint(without(members[a]!, p), q);
      const mb = q === undefined ? withPoint(members[b]!, p) : withPoint(without(members[b]!, q), p);
      // the group that gains a point first: past the longest duration it rules the candidate out alone
      const tb = travel(b, mb);
      if (tb.durationS > curMax) return;
      const ta = travel(a, ma);
      if (ta.durationS > curMax) return;
      const total = curTotal - current[a]!.lengthM - current[b]!.lengthM + ta.lengthM + tb.lengthM;
      if (total > lengthCap) return;
      let max = Number.NEGATIVE_INFINITY;
      let min = Number.POSITIVE_INFINITY;
      for (let g = 0; g < k; g++) {
        const d = g === a ? ta.durationS : g === b ? tb.durationS : durations[g]!;
        max = Math.max(max, d);
        min = Math.min(min, d);
      }
      const spread = max - min;
      if (max > curMax || spread > curSpread) return;
      if (max > curMax - GAIN && spread > curSpread - GAIN) return;
      const better = !best || max < best.max - 1e-9 || (max <= best.max + 1e-9 && (spread < best.spread - 1e-9 || (spread <= best.spread + 1e-9 && total < best.total - 1e-9)));
      if (better) best = { a, b, p, q, ta, tb, max, spread, total };
    };

    for (const g of longest === shortest ? [longest] : [longest, shortest]) {
      // the points of g on its boundary, and of its neighbours on their boundary with g
      for (const p of members[g]!) {
        for (const b of nextTo(p)) {
          if (g === longest && sizesOk(g, b)) consider(g, b, p, undefined);
          for (const q of members[b]!) if (nextTo(q).includes(g)) consider(g, b, p, q);
        }
      }
      if (g === shortest) {
        for (let b = 0; b < k; b++) {
          if (b === g) continue;
          for (const q of members[b]!) if (nextTo(q).includes(g) && sizesOk(b, g)) consider(b, g, q, undefined);
        }
      }
    }
    if (!best) break;
    const { a, b, p, q } = best as Candidate;
    members[a] = q === undefined ? without(members[a]!, p) : withPoint(without(members[a]!, p), q);
    members[b] = q === undefined ? withPoint(members[b]!, p) : withPoint(without(members[b]!, q), p);
    labels[p] = b;
    if (q !== undefined) labels[q] = a;
    current[a] = (best as Candidate).ta;
    current[b] = (best as Candidate).tb;
    if (q === undefined) moves++;
    else swaps++;
  }
  return { labels, before, after: current, moves, swaps, evaluations };
}
