/**
 * The scoring rule of inspection rounds (测评打分), a pure function of the
 * stored checks so that the numbers can be checked by hand:
 *
 * - an item that passes earns its points, a failed one 0, a seriously
 *   failing one −points (严重问题 costs more than it is worth);
 * - a point's score = 100 × max(0, Σ earned) / Σ points of the items in its
 *   LATEST check in the round (by the time checked, then the later stored);
 * - a community's score = the mean of its checked points' scores;
 * - a round's score = the mean of its checked points' scores;
 * - the final score over rounds = Σ weight × round score / Σ weight, over
 *   the rounds that have a score;
 * - rating: good (好) ≥ 90, fair (中) ≥ 75, else poor (差); the thresholds are
 *   the setting `inspection_rating`. A point with any seriously failing item
 *   is at most fair.
 *
 * Scores are given to one decimal, and the rating is taken of the number
 * shown, so a reader never sees 90.0 rated fair.
 */
import type { CheckResult, Rating, RatingThresholds } from '../contracts/inspection.ts';

export type { CheckResult, Rating, RatingThresholds };

export const DEFAULT_THRESHOLDS: RatingThresholds = { good: 90, fair: 75 };

/** What an item's result earns of its points. */
export function earned(result: CheckResult, points: number): number {
  return result === 'pass' ? points : result === 'fail' ? 0 : -points;
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** A check's score out of 100 from its raw sum of earned points and its points at stake. */
export function pointScore(sumEarned: number, maxScore: number): number {
  return maxScore > 0 ? round1((100 * Math.max(0, sumEarned)) / maxScore) : 0;
}

export function rate(score: number, thresholds: RatingThresholds, serious = false): Rating {
  const rating: Rating = score >= thresholds.good ? 'good' : score >= thresholds.fair ? 'fair' : 'poor';
  return serious && rating === 'good' ? 'fair' : rating;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : round1(values.reduce((s, v) => s + v, 0) / values.length);
}

/** Σ weight × score / Σ weight over the entries that have a score; null when none has. */
export function weightedMean(entries: readonly { weight: number; score: number | null }[]): number | null {
  const scored = entries.filter((e): e is { weight: number; score: number } => e.score !== null);
  const weights = scored.reduce((s, e) => s + e.weight, 0);
  return weights > 0 ? round1(scored.reduce((s, e) => s + e.weight * e.score, 0) / weights) : null;
}
