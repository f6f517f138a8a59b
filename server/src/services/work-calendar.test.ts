import { chinaDay } from '@civgrid/db';
import { HOLIDAYS } from '@civgrid/db/seed';
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from './work-calendar.ts';

const cal = new WorkCalendar(HOLIDAYS);
/** An instant given in China time. */
const cst = (s: string) => new Date(`${s}+08:00`);
const iso = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('working days', () => {
  it('follows the 2026 schedule: holidays off, adjusted weekends on, ordinary weekends off', () => {
    expect(cal.isWorkday(cst('2026-10-01T10:00'))).toBe(false); // 国庆节
    expect(cal.isWorkday(cst('2026-10-10T10:00'))).toBe(true); // a Saturday made a working day
    expect(cal.isWorkday(cst('2026-11-21T10:00'))).toBe(false); // an ordinary Saturday
    expect(cal.isWorkday(cst('2026-11-23T10:00'))).toBe(true); // an ordinary Monday
    // 00:30 China time on a Monday is still Sunday in UTC: the China day counts
    expect(cal.isWorkday(cst('2026-11-23T00:30'))).toBe(true);
    expect(chinaDay(cst('2026-11-23T00:30'))).toBe('2026-11-23');
  });
});

describe('adding working hours (08:30–12:00, 14:30–18:00)', () => {
  it('stays within a shift', () => {
    expect(iso(cal.addWorkingHours(cst('2026-11-23T09:00'), 2))).toBe('2026-11-23 11:00');
  });
  it('skips lunch: 11:00 + 2 h = 1 h before noon + 1 h from 14:30', () => {
    expect(iso(cal.addWorkingHours(cst('2026-11-23T11:00'), 2))).toBe('2026-11-23 15:30');
  });
  it('skips the night and the weekend: Friday 16:00 + 4 h = 2 h on Friday + 2 h on Monday from 08:30', () => {
    expect(iso(cal.addWorkingHours(cst('2026-11-20T16:00'), 4))).toBe('2026-11-23 10:30');
  });
  it('works the adjusted Sunday before 国庆: Friday 18 September 16:00 + 4 h lands on Sunday the 20th', () => {
    expect(iso(cal.addWorkingHours(cst('2026-09-18T16:00'), 4))).toBe('2026-09-20 10:30');
  });
  it('pauses over the 国庆 week: 30 September 17:00 + 1 h lands on Thursday 8 October at 08:30 + 0.5 h', () => {
    // 17:00–18:00 on the 30th is one hour; so + 1.5 h runs 0.5 h into the 8th (1–7 October off)
    expect(iso(cal.addWorkingHours(cst('2026-09-30T17:00'), 1.5))).toBe('2026-10-08 09:00');
  });
  it('counts a report made at night from the next opening', () => {
    expect(iso(cal.addWorkingHours(cst('2026-11-23T22:00'), 1))).toBe('2026-11-24 09:30');
  });
  it('a working day is 7 hours: 24 working hours from Monday 08:30 end on Thursday at 11:30', () => {
    // Mon 7 + Tue 7 + Wed 7 = 21; 3 more on Thursday from 08:30 → 11:30
    expect(iso(cal.addWorkingHours(cst('2026-11-23T08:30'), 24))).toBe('2026-11-26 11:30');
  });
});

describe('working hours between two instants', () => {
  it('is the inverse of adding them', () => {
    for (const [from, hours] of [['2026-09-18T16:00', 4], ['2026-11-23T11:00', 2], ['2026-09-30T17:00', 1.5], ['2026-02-13T10:00', 30]] as const) {
      const due = cal.addWorkingHours(cst(from), hours);
      expect(cal.workingHoursBetween(cst(from), due)).toBeCloseTo(hours, 6);
    }
  });
  it('is zero over a holiday week and for a reversed interval', () => {
    expect(cal.workingHoursBetween(cst('2026-10-01T00:00'), cst('2026-10-07T23:59'))).toBe(0);
    expect(cal.workingHoursBetween(cst('2026-11-24T10:00'), cst('2026-11-23T10:00'))).toBe(0);
  });
  it('refuses nonsense', () => {
    expect(() => cal.addWorkingHours(cst('2026-11-23T10:00'), -1)).toThrow(RangeError);
    expect(() => new WorkCalendar([], [[600, 500]])).toThrow();
  });
});
