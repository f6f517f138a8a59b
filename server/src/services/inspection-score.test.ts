import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, earned, mean, pointScore, rate, weightedMean } from './inspection-score.ts';

describe('inspection scoring', () => {
  it('earns the points for a pass, nothing for a fail and minus the points for a serious failure', () => {
    expect([earned('pass', 10), earned('fail', 10), earned('serious', 10)]).toEqual([10, 0, -10]);
  });

  it('scores a point out of 100 and never below 0', () => {
    // 10 + 10 + 20 points: pass, fail, pass → 30 / 40
    expect(pointScore(10 + 0 + 20, 40)).toBe(75);
    // every item seriously failing: −40 of 40 → 0, not −100
    expect(pointScore(-40, 40)).toBe(0);
    expect(pointScore(2, 3)).toBe(66.7);
  });

  it('rates good from 90 and fair from 75, a point with a serious failure at most fair', () => {
    expect([rate(90, DEFAULT_THRESHOLDS), rate(89.9, DEFAULT_THRESHOLDS), rate(75, DEFAULT_THRESHOLDS), rate(74.9, DEFAULT_THRESHOLDS)]).toEqual(['good', 'fair', 'fair', 'poor']);
    expect(rate(98, DEFAULT_THRESHOLDS, true)).toBe('fair');
    expect(rate(60, DEFAULT_THRESHOLDS, true)).toBe('poor');
    expect(rate(60, { good: 55, fair: 30 })).toBe('good');
  });

  it('weights rounds: 0.4 × 80 + 0.6 × 95 = 89', () => {
    expect(weightedMean([{ weight: 0.4, score: 80 }, { weight: 0.6, score: 95 }])).toBe(89);
    // a round without a checked point does not count, and does not dilute the others
    expect(weightedMean([{ weight: 0.4, score: null }, { weight: 0.6, score: 95 }])).toBe(95);
    expect(weightedMean([{ weight: 1, score: null }])).toBeNull();
    expect(mean([75, 60, 100])).toBe(78.3);
    expect(mean([])).toBeNull();
  });
});
