/** Pure helpers of the readiness board: the default round, sorting the points, the reasons as text. */
import type { ReadinessAnswer, ReadinessPoint, Reason, RoundOption } from './readiness-api.ts';

export type SortKey = 'code' | 'name' | 'group' | 'reasons' | 'days';
export type SortDirection = 'asc' | 'desc';

/** The round the board opens on: an active one (the latest to start), else the latest to start. */
export function defaultRound(rounds: readonly RoundOption[]): RoundOption | undefined {
  const latest = (list: readonly RoundOption[]) =>
    [...list].sort((a, b) => b.startsOn.localeCompare(a.startsOn) || b.id - a.id)[0];
  return latest(rounds.filter((r) => r.status === 'active')) ?? latest(rounds);
}

/** Days since the last check for sorting: never checked sorts as the oldest. */
const days = (p: ReadinessPoint) => p.daysSinceCheck ?? Number.POSITIVE_INFINITY;

const COMPARE: Record<SortKey, (a: ReadinessPoint, b: ReadinessPoint) => number> = {
  code: (a, b) => a.code.localeCompare(b.code),
  name: (a, b) => a.name.localeCompare(b.name, 'zh-CN'),
  group: (a, b) => (a.group?.name ?? '\uffff').localeCompare(b.group?.name ?? '\uffff', 'zh-CN', { numeric: true }) || (a.visitOrder ?? 0) - (b.visitOrder ?? 0),
  reasons: (a, b) => a.reasons.length - b.reasons.length,
  days: (a, b) => (days(a) === days(b) ? 0 : days(a) < days(b) ? -1 : 1),
};

/** The points sorted by a column (ties by code, so the order is stable). */
export function sortPoints(points: readonly ReadinessPoint[], key: SortKey, direction: SortDirection): ReadinessPoint[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...points].sort((a, b) => sign * COMPARE[key](a, b) || a.code.localeCompare(b.code));
}

/** The i18n function, as far as the reasons need it. */
export type Translate = (key: `readiness.chip.${Reason['reason']}`, params?: Record<string, string | number>) => string;

/** The duty a reason names, in the language asked for (its id when the board does not know it). */
export function dutyName(reason: Reason, duties: ReadinessAnswer['duties'], locale: 'zh' | 'en'): string {
  if (reason.duty === undefined) return '';
  const names = duties[reason.duty];
  return names ? (locale === 'zh' ? names.nameZh : names.nameEn) : reason.duty;
}

/** A reason as a short chip text: "缺责任人", "市容秩序 无责任单位", "10 天未检查". */
export function reasonText(reason: Reason, duties: ReadinessAnswer['duties'], locale: 'zh' | 'en', t: Translate): string {
  return t(`readiness.chip.${reason.reason}`, { duty: dutyName(reason, duties, locale), count: reason.count ?? 0, days: reason.days ?? 0 });
}

/** Share of ready points as a whole percentage (0 for none). */
export function readyPercent(ready: number, points: number): number {
  return points === 0 ? 0 : Math.round((100 * ready) / points);
}
