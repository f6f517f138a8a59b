/**
 * The demo's time line is relative to an anchor day (default: today in 桂林),
 * so that a demo seeded or re-anchored today always has problems up to today,
 * a current round and a finished one. The same anchor gives the same dates.
 */

export const DAY_MS = 86_400_000;
/** Beijing time, UTC+8 all year (no daylight saving). */
const CHINA_OFFSET_MS = 8 * 3_600_000;
const ANCHOR_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The calendar day in China at a moment, as 'YYYY-MM-DD'. */
export function chinaDay(at: Date = new Date()): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Whether a string is a real calendar day 'YYYY-MM-DD' (not 2026-02-30). */
export function isDay(value: string): boolean {
  const m = ANCHOR_PATTERN.exec(value);
  if (!m) return false;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === value;
}

/** Midnight at the start of a day in China, as epoch milliseconds. */
export function chinaMidnight(day: string): number {
  if (!isDay(day)) throw new Error(`not a day (YYYY-MM-DD): "${day}"`);
  return Date.parse(`${day}T00:00:00Z`) - CHINA_OFFSET_MS;
}

/** A day some days later (or earlier, for a negative count). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from one day to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * The moment the demo's problems stop: 08:00 on the anchor day in China, so
 * that "today", "this week" and "this month" have reports even on the 1st
 * (the night's camera and citizen reports), and nothing lies far in the future.
 */
export function referenceMoment(anchor: string): number {
  return chinaMidnight(anchor) + DEMO_MORNING_MS;
}

const DEMO_MORNING_MS = 8 * 3_600_000;

/**
 * The anchor a demo seeded or re-anchored now takes: today in China, but from
 * midnight to 08:00 still yesterday, so that its reference moment (08:00 on
 * the anchor day) has passed and no report lies in the future.
 */
export function demoToday(at: Date = new Date()): string {
  return chinaDay(new Date(at.getTime() - DEMO_MORNING_MS));
}

export interface DemoRound {
  name: string;
  startsOn: string;
  endsOn: string;
  weight: number;
  status: 'planning' | 'active' | 'closed';
}

const monthName = (day: string) => `${Number(day.slice(0, 4))}年${Number(day.slice(5, 7))}月`;

/**
 * The demo's three rounds around the anchor, in the order they are inserted
 * (so the current one keeps id 1 and the next one id 2, as in earlier demos):
 * the current round of a two-round assessment (started 9 days before the
 * anchor, ends 4 days after; weight 0.4), its second round three weeks on
 * (planning; weight 0.6, so the campaign sums to 100 %), and a finished round
 * about two months earlier (closed; weight 1).
 */
export function demoRounds(anchor: string): { current: DemoRound; next: DemoRound; finished: DemoRound } {
  const currentStart = addDays(anchor, -9);
  const campaign = `${monthName(currentStart)}文明城市测评`;
  const finishedStart = addDays(anchor, -70);
  return {
    current: { name: `${campaign} 第一轮`, startsOn: currentStart, endsOn: addDays(anchor, 4), weight: 0.4, status: 'active' },
    next: { name: `${campaign} 第二轮`, startsOn: addDays(anchor, 21), endsOn: addDays(anchor, 32), weight: 0.6, status: 'planning' },
    finished: { name: `${monthName(finishedStart)}文明城市测评`, startsOn: finishedStart, endsOn: addDays(finishedStart, 11), weight: 1, status: 'closed' },
  };
}

/** Monday to Friday from one day to another, both included, as 'YYYY-MM-DD'. */
export function weekdays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) out.push(day);
  }
  return out;
}

/** Office hours of a working day in minutes after midnight: 08:30–12:00 and 14:30–18:00, as the server's DEFAULT_SHIFTS. */
const SHIFTS = [[8 * 60 + 30, 12 * 60], [14 * 60 + 30, 18 * 60]] as const;

/**
 * The moment `hours` working hours after `start` on the mainland calendar
 * (holidays and worked weekends from holidays.ts), the rule by which the
 * server sets a dispatched case's due time (server/src/services/work-calendar.ts;
 * the seed cannot import the server, which depends on this package, and a
 * test holds the two to the same answers).
 */
export function addWorkingHours(start: number, hours: number, exceptions: ReadonlyMap<string, 'holiday' | 'workday'>): number {
  let remaining = Math.round(hours * 60) * 60_000;
  let day = chinaDay(new Date(start));
  let cursor = start;
  for (let guard = 0; guard < 3660; guard++, day = addDays(day, 1), cursor = chinaMidnight(day)) {
    const kind = exceptions.get(day);
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (kind === 'holiday' || (kind === undefined && (weekday === 0 || weekday === 6))) continue;
    const midnight = chinaMidnight(day);
    for (const [from, to] of SHIFTS) {
      const open = Math.max(midnight + from * 60_000, cursor);
      const close = midnight + to * 60_000;
      if (open >= close) continue;
      if (close - open >= remaining) return open + remaining;
      remaining -= close - open;
    }
  }
  throw new RangeError('no working time within ten years');
}
