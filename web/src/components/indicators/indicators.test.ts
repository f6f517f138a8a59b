import { describe, expect, it } from 'vitest';
import {
  addDays, CSV_COLUMNS, chinaToday, type CsvColumn, type IndicatorRow, indicatorsCsv, lastFortnight, mondayOf, presetPeriod, sortRows,
} from './indicators.ts';

const row = (id: number | null, name: string | null, extra: Partial<IndicatorRow> = {}): IndicatorRow => ({
  id, name, due: 0, closed: 0, closedOnTime: 0, closedInPeriod: 0, reworked: 0, avgHandlingHours: null, reported: 0,
  blindSpots: 0, disputed: 0, overdueOpen: 0, closureRate: null, onTimeClosureRate: null, reworkRate: null, ...extra,
});

describe('periods', () => {
  it('takes the day in China time', () => {
    // 2026-12-06 17:30 UTC is already 01:30 on the 7th in 桂林
    expect(chinaToday(new Date(Date.UTC(2026, 11, 6, 17, 30)))).toBe('2026-12-07');
    expect(chinaToday(new Date(Date.UTC(2026, 11, 6, 15, 59)))).toBe('2026-12-06');
  });

  it('counts days across months and years', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('finds the Monday of a week (2026-12-06 is a Sunday)', () => {
    expect(mondayOf('2026-12-06')).toBe('2026-11-30');
    expect(mondayOf('2026-11-30')).toBe('2026-11-30');
    expect(mondayOf('2026-12-01')).toBe('2026-11-30');
  });

  it('offers this week, this month and the last two weeks, each ending today', () => {
    expect(presetPeriod('week', '2026-12-03')).toEqual({ from: '2026-11-30', to: '2026-12-03' });
    expect(presetPeriod('month', '2026-12-03')).toEqual({ from: '2026-12-01', to: '2026-12-03' });
    // 14 days including today
    expect(presetPeriod('twoWeeks', '2026-12-03')).toEqual({ from: '2026-11-20', to: '2026-12-03' });
  });

  it('starts the default red/black list at the Monday two weeks before this week', () => {
    expect(lastFortnight('2026-12-03')).toBe('2026-11-16');
  });
});

describe('sortRows', () => {
  const rows = [
    row(1, '乙街道', { due: 10, closureRate: 0.5 }),
    row(2, '甲街道', { due: 30, closureRate: 0.9 }),
    row(null, null, { due: 5, closureRate: null }),
    row(3, '丙街道', { due: 10, closureRate: 0.5 }),
  ];

  it('sorts numbers both ways and keeps rows without a value last', () => {
    expect(sortRows(rows, 'closureRate', 'desc').map((r) => r.id)).toEqual([2, 3, 1, null]);
    expect(sortRows(rows, 'closureRate', 'asc').map((r) => r.id)).toEqual([3, 1, 2, null]);
    expect(sortRows(rows, 'due', 'asc').map((r) => r.id)).toEqual([null, 3, 1, 2]);
  });

  it('sorts names in Chinese order, the unnamed row last', () => {
    const names = sortRows(rows, 'name', 'asc').map((r) => r.name);
    expect(names.at(-1)).toBeNull();
    expect(names.slice(0, 3)).toEqual(['丙街道', '甲街道', '乙街道'].sort((a, b) => a.localeCompare(b, 'zh-CN')));
  });
});

describe('indicatorsCsv', () => {
  const headers = Object.fromEntries(CSV_COLUMNS.map((c) => [c, `h-${c}`])) as Record<CsvColumn, string>;

  it('starts with a byte-order mark, ends lines with CRLF and writes rates in percent', () => {
    const csv = indicatorsCsv([row(1, '象山街道', { due: 8, closed: 7, closureRate: 0.875, onTimeClosureRate: 0.75, avgHandlingHours: 12.5 })], headers, '（无）');
    expect(csv.startsWith('\uFEFFh-name,h-due,')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines[1]!.split(',')).toEqual(['象山街道', '8', '7', '87.5', '0', '75', '0', '0', '', '12.5', '0', '0', '0', '0']);
  });

  it('quotes commas and quotes, and defuses formulas', () => {
    const csv = indicatorsCsv([row(1, '=HYPERLINK("x")'), row(2, 'a, "b"'), row(null, null)], headers, '（无）');
    const lines = csv.slice(1).split('\r\n');
    expect(lines[1]!.startsWith(`"'=HYPERLINK(""x"")"`)).toBe(true);
    expect(lines[2]!.startsWith('"a, ""b"""')).toBe(true);
    expect(lines[3]!.startsWith('（无）,')).toBe(true);
  });
});
