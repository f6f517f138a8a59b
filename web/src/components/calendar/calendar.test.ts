import { describe, expect, it } from 'vitest';
import { dayKind, monthWeeks, weekdayOf, workingDays } from './calendar.ts';

describe('the working calendar’s months', () => {
  it('knows the weekday of a day (Monday first)', () => {
    // 2026-10-01 is a Thursday, 2027-01-01 a Friday, 2026-02-29 does not exist: 2024-02-29 is a Thursday
    expect(weekdayOf('2026-10-01')).toBe(3);
    expect(weekdayOf('2027-01-01')).toBe(4);
    expect(weekdayOf('2024-02-29')).toBe(3);
    expect(weekdayOf('2026-12-06')).toBe(6);
  });

  it('lays a month out in weeks from Monday, padded', () => {
    // October 2026: starts on a Thursday (three blanks), 31 days, ends on a Saturday (one blank)
    const weeks = monthWeeks(2026, 10, []);
    expect(weeks).toHaveLength(5);
    expect(weeks[0]!.slice(0, 3)).toEqual([null, null, null]);
    expect(weeks[0]![3]).toMatchObject({ day: '2026-10-01', date: 1, kind: 'workday' });
    expect(weeks[0]![5]).toMatchObject({ day: '2026-10-03', kind: 'weekend' });
    expect(weeks[4]![5]).toMatchObject({ day: '2026-10-31' });
    expect(weeks[4]![6]).toBeNull();
    expect(weeks.flat().filter(Boolean)).toHaveLength(31);
  });

  it('marks holidays and weekends worked in exchange', () => {
    const days = [
      { day: '2026-10-01', kind: 'holiday' as const, name: '国庆节' },
      { day: '2026-10-10', kind: 'workday' as const, name: '国庆调休' },
    ];
    const cells = monthWeeks(2026, 10, days).flat();
    expect(cells.find((c) => c?.day === '2026-10-01')).toMatchObject({ kind: 'holiday', name: '国庆节' });
    expect(cells.find((c) => c?.day === '2026-10-10')).toMatchObject({ kind: 'makeup', name: '国庆调休' });
    // a "workday" on a weekday changes nothing
    expect(dayKind('2026-10-12', { kind: 'workday' })).toBe('workday');
  });

  it('counts a year’s working days', () => {
    // 2026 has 261 weekdays (365 days, 52 weeks and a Thursday)
    expect(workingDays(2026, [])).toBe(261);
    // one weekday holiday less, one weekend worked more; a holiday on a Sunday changes nothing
    expect(workingDays(2026, [
      { day: '2026-10-01', kind: 'holiday', name: 'a' },
      { day: '2026-10-10', kind: 'workday', name: 'b' },
      { day: '2026-10-04', kind: 'holiday', name: 'c' },
      { day: '2026-10-05', kind: 'holiday', name: 'd' },
    ])).toBe(261 - 1 + 1 - 1);
  });
});
