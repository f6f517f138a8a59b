/**
 * Which date a period filters on (issue 16): the heat map and the problem
 * list by the report date, the indicators each column by its own date.
 * Spread into the catalogues of zh.ts and en.ts.
 */
export const periodBasisZh = {
  'period.byReported': '上报时间',
  'period.indicatorsBasis': '时段统计口径：应结案、按期结案按到期时间，时段内结案按结案时间，上报数按上报时间；超期未结案为当前数。',
  'period.rankingsBasis': '按到期时间统计',
};

export const periodBasisEn: Record<keyof typeof periodBasisZh, string> = {
  'period.byReported': 'Report date',
  'period.indicatorsBasis': 'How the period counts: due and closed on time by due date, closed in period by closing date, reported by report date; overdue open is as of now.',
  'period.rankingsBasis': 'by due date',
};
