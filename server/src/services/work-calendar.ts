/**
 * Working time on the Chinese government calendar: deadlines of problems run
 * in working hours (工作时), which pause at night, at lunch, on weekends and
 * on public holidays, and run on the weekends the State Council makes
 * working days (调休上班).
 *
 * Times are China Standard Time (UTC+8, no daylight saving), so a day is a
 * fixed 24 h block and the arithmetic needs no time-zone library.
 */
import { chinaDay } from '@civgrid/db';

const CST_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** A day that departs from the Monday–Friday rule. */
export interface CalendarException {
  /** YYYY-MM-DD */
  day: string;
  kind: 'holiday' | 'workday';
  name: string;
}

/** Office hours of a working day, as minutes after midnight, in order, not overlapping. */
export type Shifts = readonly (readonly [start: number, end: number])[];

/** 08:30–12:00 and 14:30–18:00: seven working hours a day, as most district offices keep. */
export const DEFAULT_SHIFTS: Shifts = [
  [8 * 60 + 30, 12 * 60],
  [14 * 60 + 30, 18 * 60],
];

export class WorkCalendar {
  private readonly exceptions: Map<string, CalendarException['kind']>;

  constructor(exceptions: readonly CalendarException[], private readonly shifts: Shifts = DEFAULT_SHIFTS) {
    this.exceptions = new Map(exceptions.map((e) => [e.day, e.kind]));
    for (const [i, [start, end]] of shifts.entries()) {
      if (!(start < end) || (i > 0 && shifts[i - 1]![1] > start)) throw new Error('shifts must be ordered and not overlap');
    }
  }

  /** Whether the China-time day containing `at` is a working day. */
  isWorkday(at: Date): boolean {
    const day = chinaDay(at);
    const exception = this.exceptions.get(day);
    if (exception) return exception === 'workday';
    const weekday = new Date(Date.parse(`${day}T00:00:00Z`)).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The instant `hours` working hours after `start` (a start outside office hours counts from the next opening). */
  addWorkingHours(start: Date, hours: number): Date {
    if (!(hours >= 0) || !Number.isFinite(hours)) throw new RangeError('hours must be a finite number ≥ 0');
    let remaining = Math.round(hours * 60) * MINUTE_MS;
    let dayStart = chinaMidnight(start);
    let cursor = start.getTime();
    for (let guard = 0; guard < 3660; guard++) {
      if (this.isWorkday(new Date(dayStart))) {
        for (const [from, to] of this.shifts) {
          const open = Math.max(dayStart + from * MINUTE_MS, cursor);
          const close = dayStart + to * MINUTE_MS;
          if (open >= close) continue;
          if (close - open >= remaining) return new Date(open + remaining);
          remaining -= close - open;
        }
      }
      dayStart += DAY_MS;
      cursor = dayStart;
    }
    throw new RangeError('no working time within ten years: the calendar has no working days');
  }

  /** Working hours between two instants (0 when `to` is not after `from`). */
  workingHoursBetween(from: Date, to: Date): number {
    if (to <= from) return 0;
    let total = 0;
    for (let dayStart = chinaMidnight(from); dayStart < to.getTime(); dayStart += DAY_MS) {
      if (!this.isWorkday(new Date(dayStart))) continue;
      for (const [a, b] of this.shifts) {
        const open = Math.max(dayStart + a * MINUTE_MS, from.getTime());
        const close = Math.min(dayStart + b * MINUTE_MS, to.getTime());
        if (close > open) total += close - open;
      }
    }
    return total / 3600_000;
  }
}

/** The instant of China-time midnight starting the day that contains `at`. */
function chinaMidnight(at: Date): number {
  return Date.parse(`${chinaDay(at)}T00:00:00Z`) - CST_MS;
}
