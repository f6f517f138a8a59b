import { describe, expect, it } from 'vitest';
import { defaultFinalRounds, finalFormula, weightsComplete } from './planner.ts';

const round = (id: number, startsOn: string, weight: number) => ({ id, startsOn, endsOn: startsOn, weight });

describe('the final score’s default rounds', () => {
  it('ticks the newest campaign whose weights make 100 %, not every round', () => {
    // a finished quarter weighing 100 % alone, then this quarter's 40 % + 60 %
    const rounds = [round(1, '2026-07-01', 1), round(2, '2026-10-01', 0.4), round(3, '2026-11-15', 0.6)];
    expect(defaultFinalRounds(rounds)).toEqual([2, 3]);
  });

  it('skips a newer campaign that is not complete yet', () => {
    const rounds = [round(1, '2026-10-01', 0.4), round(2, '2026-11-15', 0.6), round(3, '2027-01-05', 0.5)];
    expect(defaultFinalRounds(rounds)).toEqual([1, 2]);
  });

  it('orders by dates, not by id', () => {
    const rounds = [round(7, '2026-11-15', 0.6), round(9, '2026-07-01', 1), round(8, '2026-10-01', 0.4)];
    expect(defaultFinalRounds(rounds)).toEqual([7, 8]);
  });

  it('adds weights without floating-point surprises (0.1 × 10 is 100 %)', () => {
    const rounds = Array.from({ length: 10 }, (_, i) => round(i + 1, `2026-0${Math.floor(i / 3) + 1}-1${i % 3}`, 0.1));
    expect(defaultFinalRounds(rounds)).toHaveLength(10);
  });

  it('falls back to the newest round alone when no run makes 100 %', () => {
    expect(defaultFinalRounds([round(1, '2026-01-01', 0.3), round(2, '2026-02-01', 0.5)])).toEqual([2]);
    expect(defaultFinalRounds([])).toEqual([]);
  });

  it('tells a complete set of weights from an incomplete one', () => {
    expect(weightsComplete(0.4 + 0.6)).toBe(true);
    expect(weightsComplete(0.1 + 0.2 + 0.7)).toBe(true);
    expect(weightsComplete(1.4)).toBe(false);
    expect(weightsComplete(0.6)).toBe(false);
  });

  it('writes out the weighted mean over the rounds that have a score', () => {
    // (0.4 × 80 + 0.6 × 90) / 1 = 86
    expect(finalFormula([{ weight: 0.4, score: 80 }, { weight: 0.6, score: 90 }])).toEqual({ terms: [{ weight: 0.4, score: 80 }, { weight: 0.6, score: 90 }], weightSum: 1, score: 86 });
    // a round without checks does not count: 90 over weight 0.6
    const partial = finalFormula([{ weight: 0.4, score: null }, { weight: 0.6, score: 90 }]);
    expect(partial.weightSum).toBeCloseTo(0.6);
    expect(partial.score).toBeCloseTo(90);
    expect(finalFormula([{ weight: 1, score: null }]).score).toBeNull();
  });
});
