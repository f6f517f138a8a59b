import type { CalendarDay, CalendarKind } from '@civgrid/server/contracts/calendar';

/**
 * The working calendar's months as the screen draws them: weeks from Monday
 * (as Chinese calendars are printed), each day with what it is for the
 * deadlines: an ordinary working day, a weekend, a holiday (节假日) or a
 * weekend worked in exchange (调休上班).
 */

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup';

export interface CalendarCell {
  /** YYYY-MM-DD */
  day: string;
  date: number;
  weekday: number;
  kind: DayKind;
  name: string | null;
}

const pad = (n: number) => String(n).padStart(2, '0');
export const isoDay = (year: number, month: number, date: number) => `${year}-${pad(month)}-${pad(date)}`;

/** 0 = Monday … 6 = Sunday, of a calendar day (no time zone involved). */
export function weekdayOf(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

export const isWeekend = (day: string) => weekdayOf(day) >= 5;

/** What a day is, given the calendar's exceptions. */
export function dayKind(day: string, exception: { kind: CalendarKind } | undefined): DayKind {
  if (exception?.kind === 'holiday') return 'holiday';
  if (exception?.kind === 'workday') return isWeekend(day) ? 'makeup' : 'workday';
  return isWeekend(day) ? 'weekend' : 'workday';
}

/** A month (1–12) as weeks of seven cells from Monday; null pads the first and last week. */
export function monthWeeks(year: number, month: number, days: readonly CalendarDay[]): (CalendarCell | null)[][] {
  const byDay = new Map(days.map((d) => [d.day, d]));
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const cells: (CalendarCell | null)[] = Array.from({ length: weekdayOf(isoDay(year, month, 1)) }, () => null);
  for (let date = 1; date <= length; date++) {
    const day = isoDay(year, month, date);
    const exception = byDay.get(day);
    cells.push({ day, date, weekday: weekdayOf(day), kind: dayKind(day, exception), name: exception?.name ?? null });
  }
  while (cells.length % 7 !== 0) cells.push(null);
  return Array.from({ length: cells.length / 7 }, (_, i) => cells.slice(i * 7, i * 7 + 7));
}

/** Working days of a year under the calendar: Monday to Friday, less holidays, plus the weekends worked. */
export function workingDays(year: number, days: readonly CalendarDay[]): number {
  const byDay = new Map(days.map((d) => [d.day, d]));
  let n = 0;
  for (let month = 1; month <= 12; month++) {
    const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
    for (let date = 1; date <= length; date++) {
      const day = isoDay(year, month, date);
      const kind = dayKind(day, byDay.get(day));
      if (kind === 'workday' || kind === 'makeup') n++;
    }
  }
  return n;
}
