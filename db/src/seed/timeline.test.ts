import { describe, expect, it } from 'vitest';
import { HOLIDAYS } from './holidays.ts';
import { addDays, addWorkingHours, chinaDay, chinaMidnight, daysBetween, demoRounds, demoToday, isDay, referenceMoment, weekdays } from './timeline.ts';

describe('the demo time line', () => {
  it('takes yesterday as its day until 08:00 China time, so its last reports never lie ahead', () => {
    // 00:30 on 8 December in China is 16:30 UTC on the 7th: the demo still ends on the 7th at 08:00
    expect(demoToday(new Date('2026-12-07T16:30:00Z'))).toBe('2026-12-07');
    expect(referenceMoment(demoToday(new Date('2026-12-07T16:30:00Z')))).toBeLessThanOrEqual(Date.parse('2026-12-07T16:30:00Z'));
    // 08:30 in China: the 8th
    expect(demoToday(new Date('2026-12-08T00:30:00Z'))).toBe('2026-12-08');
    expect(referenceMoment('2026-12-08')).toBe(Date.parse('2026-12-08T00:00:00Z'));
  });

  it('reads the day in China, eight hours ahead of UTC', () => {
    expect(chinaDay(new Date('2026-12-06T15:59:00Z'))).toBe('2026-12-06');
    expect(chinaDay(new Date('2026-12-06T16:00:00Z'))).toBe('2026-12-07');
    expect(new Date(chinaMidnight('2026-12-07')).toISOString()).toBe('2026-12-06T16:00:00.000Z');
    expect(new Date(referenceMoment('2026-12-07')).toISOString()).toBe('2026-12-07T00:00:00.000Z');
  });

  it('takes only real days as anchors', () => {
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-2-1')).toBe(false);
    expect(() => chinaMidnight('yesterday')).toThrow();
  });

  it('counts days across months and years', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(daysBetween('2026-11-07', '2026-12-07')).toBe(30);
    expect(daysBetween('2026-12-07', '2026-11-07')).toBe(-30);
  });

  it('puts the anchor inside the current round, the next round after it and the finished one before', () => {
    for (const anchor of ['2026-12-07', '2027-01-01', '2027-03-31', '2028-02-29']) {
      const { current, next, finished } = demoRounds(anchor);
      expect(current.startsOn < anchor && anchor < current.endsOn, anchor).toBe(true);
      expect(next.startsOn > current.endsOn, anchor).toBe(true);
      expect(finished.endsOn < current.startsOn, anchor).toBe(true);
      expect([current.status, next.status, finished.status]).toEqual(['active', 'planning', 'closed']);
      // one campaign of two rounds whose weights sum to 100 %
      expect(current.weight + next.weight).toBe(1);
      expect(current.name.replace(/ 第一轮$/, '')).toBe(next.name.replace(/ 第二轮$/, ''));
      expect(new Set([current.name, next.name, finished.name]).size).toBe(3);
    }
    expect(demoRounds('2026-12-07').current.name).toBe('2026年11月文明城市测评 第一轮');
    expect(demoRounds('2026-12-07').finished.name).toBe('2026年9月文明城市测评');
  });

  it('lists working days Monday to Friday (2026-12-07 is a Monday)', () => {
    expect(weekdays('2026-12-05', '2026-12-14')).toEqual(['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-14']);
  });

  it('adds working hours as the server does (the cases of server/src/services/work-calendar.test.ts)', () => {
    const calendar = new Map(HOLIDAYS.map((h) => [h.day, h.kind]));
    const add = (from: string, hours: number) => chinaDay(new Date(addWorkingHours(Date.parse(`${from}:00+08:00`), hours, calendar)))
      + new Date(addWorkingHours(Date.parse(`${from}:00+08:00`), hours, calendar) + 8 * 3_600_000).toISOString().slice(10, 16).replace('T', ' ');
    expect(add('2026-11-23T09:00', 2)).toBe('2026-11-23 11:00');
    expect(add('2026-11-23T11:00', 2)).toBe('2026-11-23 15:30');
    expect(add('2026-11-20T16:00', 4)).toBe('2026-11-23 10:30');
    expect(add('2026-09-18T16:00', 4)).toBe('2026-09-20 10:30'); // a Sunday worked for 国庆
    expect(add('2026-09-30T17:00', 1.5)).toBe('2026-10-08 09:00'); // over the National Day holidays
    expect(add('2026-11-23T22:00', 1)).toBe('2026-11-24 09:30');
  });
});
