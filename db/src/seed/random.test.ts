import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, mulberry32 } from './random.ts';

describe('seeded randomness', () => {
  it('repeats the same stream for the same seed and differs for another', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  it('forks independent, stable streams by label', () => {
    expect(deriveSeed(1, 'roads')).toBe(deriveSeed(1, 'roads'));
    expect(deriveSeed(1, 'roads')).not.toBe(deriveSeed(1, 'zones'));
    const one = createRng(7).fork('points');
    const two = createRng(7).fork('points');
    expect([one.int(1, 100), one.int(1, 100)]).toEqual([two.int(1, 100), two.int(1, 100)]);
  });

  it('keeps int() within its bounds and picks by weight', () => {
    const rng = createRng(1);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 10_000; i++) {
      const n = rng.int(3, 5);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(5);
      counts[rng.weighted(['a', 'b'] as const, (x) => (x === 'a' ? 9 : 1))]++;
    }
    // 9:1 weights → about 90 % a
    expect(counts.a / 10_000).toBeGreaterThan(0.87);
    expect(counts.a / 10_000).toBeLessThan(0.93);
  });
});
