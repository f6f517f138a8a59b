import { describe, expect, it } from 'vitest';
import { balancedClusters } from './balanced-clusters.ts';
import type { Matrix } from './route-order.ts';
import { balanceTravel, type GroupTravel, MAX_LENGTH_GROWTH, RESTART_LIMIT } from './travel-balance.ts';

/**
 * Places along one straight road: the road distance is |a − b| metres, so a
 * group's shortest open route runs from its westmost to its eastmost point
 * and is as long as their distance. A route's time: 25 km/h (0.144 s a metre)
 * plus 600 s at each point.
 */
const onRoad = (xs: number[]): Matrix => xs.map((a) => xs.map((b) => Math.abs(a - b)));
const minutes = (metres: number, points: number) => metres * 0.144 + 600 * points;

describe('travel balancing of an assignment', () => {
  it('swaps the one boundary point that shortens the longer route without lengthening the other past it', () => {
    // west group at 0, 100 and 1000 m (1000 m of road); east group at 900, 1100, 1200 (300 m).
    // Trading 1000 for 900 makes them 0–900 and 1000–1200: the longest route falls from
    // 1000 m to 900 m and the difference stays 700 m. No other swap or move shortens the longest:
    // any other swap leaves a group spanning at least 1000 m, and a move adds 600 s to a group
    // already within 600 s of the longest.
    const xs = [0, 100, 1000, 900, 1100, 1200];
    const result = balanceTravel({ matrix: onRoad(xs), labels: [0, 0, 0, 1, 1, 1], k: 2 });
    expect(result.labels).toEqual([0, 0, 1, 0, 1, 1]);
    expect(result.swaps).toBe(1);
    expect(result.moves).toBe(0);
    expect(result.before.map((g) => g.durationS)).toEqual([minutes(1000, 3), minutes(300, 3)].map((v) => expect.closeTo(v, 6)));
    expect(result.after.map((g) => g.durationS)).toEqual([minutes(900, 3), minutes(200, 3)].map((v) => expect.closeTo(v, 6)));
    expect(result.after.map((g) => g.lengthM)).toEqual([900, 200]);
  });

  it('moves a point out of a group whose road is so long that one check more elsewhere is cheaper', () => {
    // west 0, 100, 200 (200 m, 1828.8 s); east 300, 4000, 9000 (8700 m, 3052.8 s). The point at 300 lies
    // next to the west group; moved there, the groups take 300 m and 4 points (2443.2 s) and 5000 m and
    // 2 points (1920 s). Moving 4000 instead would leave 2976 s, moving 9000 3696 s; moving 300 back
    // or any swap afterwards makes the longest longer again. Counts 4 and 2: within ⌊6/2⌋ − 1 … ⌈6/2⌉ + 1.
    const xs = [0, 100, 200, 300, 4000, 9000];
    const result = balanceTravel({ matrix: onRoad(xs), labels: [0, 0, 0, 1, 1, 1], k: 2 });
    expect(result.labels).toEqual([0, 0, 0, 0, 1, 1]);
    expect(result.moves).toBe(1);
    expect(result.swaps).toBe(0);
    expect(result.after.map((g) => g.durationS)).toEqual([minutes(300, 4), minutes(5000, 2)].map((v) => expect.closeTo(v, 6)));
    expect(result.after.map((g) => g.points)).toEqual([4, 2]);
  });

  it('leaves groups alone when nothing lowers the longest time or the spread', () => {
    // two equal groups far apart: any change makes one of them longer
    const xs = [0, 100, 200, 5000, 5100, 5200];
    const result = balanceTravel({ matrix: onRoad(xs), labels: [0, 0, 0, 1, 1, 1], k: 2 });
    expect(result.labels).toEqual([0, 0, 0, 1, 1, 1]);
    expect(result.moves + result.swaps).toBe(0);
    expect(result.after).toEqual(result.before);
  });

  it('measures a group with a start place from its start, and is the same answer every time', () => {
    // the east group starts at 5000 m (index 6): its route runs 5000 → 1200 → … → 900, 4100 m
    const xs = [0, 100, 1000, 900, 1100, 1200, 5000];
    const input = { matrix: onRoad(xs), labels: [0, 0, 0, 1, 1, 1], k: 2, starts: [undefined, 6] };
    const result = balanceTravel(input);
    expect(result.before[1]!.lengthM).toBe(4100);
    expect(balanceTravel(input)).toEqual(result);
  });

  it('on a street grid: lowers the longest time and the spread, keeps counts in the window and the total length within 5 %', () => {
    expect(MAX_LENGTH_GROWTH).toBe(0.05);
    for (const seed of [1, 3, 42]) {
      // 30 places in a 6 × 3 km town of dense square blocks: the road distance is |dx| + |dy|
      let s = seed;
      const random = () => {
        s = (s * 1103515245 + 12345) % 2147483648;
        return s / 2147483648;
      };
      const at = Array.from({ length: 30 }, () => ({ x: random() * 6000, y: random() * 3000 }));
      const matrix = at.map((a) => at.map((b) => Math.abs(a.x - b.x) + Math.abs(a.y - b.y)));
      const { labels } = balancedClusters(at, 4);
      const result = balanceTravel({ matrix, labels, k: 4 });
      const longest = (t: GroupTravel[]) => Math.max(...t.map((g) => g.durationS));
      const spread = (t: GroupTravel[]) => longest(t) - Math.min(...t.map((g) => g.durationS));
      const total = (t: GroupTravel[]) => t.reduce((sum, g) => sum + g.lengthM, 0);
      expect(result.moves + result.swaps).toBeGreaterThan(0);
      expect(longest(result.after)).toBeLessThanOrEqual(longest(result.before));
      expect(spread(result.after)).toBeLessThan(spread(result.before));
      expect(total(result.after)).toBeLessThanOrEqual(1.05 * total(result.before) + 1e-6);
      // 30 / 4 = 7.5: 7 or 8 before, 6 … 9 after with at most 2 between the largest and the smallest
      const sizes = result.after.map((g) => g.points);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(6);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(9);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(2);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(30);
      // the labels and the reported groups agree
      expect(sizes).toEqual([0, 1, 2, 3].map((g) => result.labels.filter((l) => l === g).length));
    }
  });

  it('bounds its work on a few large groups (165 places in 3): stops with what it gained, never worse than before', () => {
    let s = 7;
    const random = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const at = Array.from({ length: 165 }, () => ({ x: random() * 6000, y: random() * 3000 }));
    const matrix = at.map((a) => at.map((b) => Math.abs(a.x - b.x) + Math.abs(a.y - b.y)));
    const { labels } = balancedClusters(at, 3);
    expect(Math.min(...[0, 1, 2].map((g) => labels.filter((l) => l === g).length))).toBeGreaterThan(RESTART_LIMIT);
    const result = balanceTravel({ matrix, labels, k: 3 });
    const longest = (t: GroupTravel[]) => Math.max(...t.map((g) => g.durationS));
    const spread = (t: GroupTravel[]) => longest(t) - Math.min(...t.map((g) => g.durationS));
    expect(longest(result.after)).toBeLessThanOrEqual(longest(result.before));
    expect(spread(result.after)).toBeLessThanOrEqual(spread(result.before));
    expect(result.after.reduce((n, g) => n + g.points, 0)).toBe(165);
    // the budget (places³ per ordering) allows at most 1e8 / 54³ ≈ 635 orderings before the step that crosses it
    expect(result.evaluations).toBeLessThan(2000);
  });
});
