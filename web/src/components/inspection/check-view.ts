/**
 * Pure helpers of 检查记录 (the round's field checks): a check's score out of
 * 100 and its rating by the scoring rule of the server (inspection-score.ts),
 * its failed items counted, a conflict's reasons as catalogue keys, and who
 * is who among the round's people. No state, no fetch.
 */
import type { MessageKey } from '../../i18n/zh.ts';
import { CONFLICT_REASONS, type Check, type ConflictReason, type RatingKey, type RatingThresholds, type Round } from './inspection-api.ts';

/** 100 × max(0, Σ earned) ÷ Σ points, one decimal (0 when nothing was at stake). */
export function checkScore(check: Pick<Check, 'score' | 'maxScore'>): number {
  return check.maxScore > 0 ? Math.round((1000 * Math.max(0, check.score)) / check.maxScore) / 10 : 0;
}

/** The rating this check gives its point: good ≥ thresholds.good, fair ≥ thresholds.fair, else poor; a serious item caps it at fair. */
export function checkRating(check: Pick<Check, 'score' | 'maxScore' | 'items'>, thresholds: RatingThresholds): RatingKey {
  const score = checkScore(check);
  const rating: RatingKey = score >= thresholds.good ? 'good' : score >= thresholds.fair ? 'fair' : 'poor';
  return rating === 'good' && check.items.some((item) => item.result === 'serious') ? 'fair' : rating;
}

/** How many items failed, and how many of those seriously. */
export function failCounts(check: Pick<Check, 'items'>): { fail: number; serious: number } {
  let fail = 0;
  let serious = 0;
  for (const item of check.items) {
    if (item.result === 'fail') fail += 1;
    else if (item.result === 'serious') serious += 1;
  }
  return { fail, serious };
}

export function isConflictReason(reason: string): reason is ConflictReason {
  return (CONFLICT_REASONS as readonly string[]).includes(reason);
}

/** A conflict reason's label in the catalogue (a reason this web does not know yet: “other conflict”). */
export function reasonKey(reason: string): MessageKey {
  return isConflictReason(reason) ? `rounds.conflict.${reason}` : 'rounds.conflict.unknown';
}

/** The people the round knows by id: its groups' members and leaders, then the accounts listed for planning. */
export function peopleOf(round: Pick<Round, 'groups'> | null, accounts: readonly { id: number; displayName: string }[] = []): Map<number, string> {
  const names = new Map<number, string>();
  for (const account of accounts) names.set(account.id, account.displayName);
  for (const group of round?.groups ?? []) {
    for (const member of group.members) names.set(member.id, member.displayName);
    if (group.leader) names.set(group.leader.id, group.leader.displayName);
  }
  return names;
}
