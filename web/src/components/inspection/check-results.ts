/**
 * The three results of a check item (达标 / 不达标 / 严重不达标), one
 * definition for the printed route sheet, the planner's check view and the
 * field app on the phone, so that paper and phone say the same words.
 */
export const CHECK_RESULTS = ['pass', 'fail', 'serious'] as const;
export type CheckResultId = (typeof CHECK_RESULTS)[number];

/** Catalogue key of a result's label. */
export const CHECK_RESULT_LABEL = {
  pass: 'rounds.result.pass',
  fail: 'rounds.result.fail',
  serious: 'rounds.result.serious',
} as const satisfies Record<CheckResultId, string>;
