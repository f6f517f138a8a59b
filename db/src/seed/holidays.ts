/**
 * Public holidays (放假) and adjusted working weekends (调休上班) on the
 * mainland, for working-hour deadlines. 2026 is the State Council's
 * published schedule. For 2027 only the statutory holidays themselves are
 * listed (the law fixes them; the lunar dates are computed): the State
 * Council publishes the bridging days and working weekends late in the year
 * before, and an admin enters them then (the calendar is editable).
 */
export interface HolidayRow {
  day: string;
  kind: 'holiday' | 'workday';
  name: string;
}

const range = (from: string, to: string, kind: HolidayRow['kind'], name: string): HolidayRow[] => {
  const out: HolidayRow[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    out.push({ day: new Date(t).toISOString().slice(0, 10), kind, name });
  }
  return out;
};

export const HOLIDAYS: readonly HolidayRow[] = [
  // 2026
  ...range('2026-01-01', '2026-01-03', 'holiday', '元旦'),
  { day: '2026-01-04', kind: 'workday', name: '元旦调休上班' },
  { day: '2026-02-14', kind: 'workday', name: '春节调休上班' },
  ...range('2026-02-15', '2026-02-23', 'holiday', '春节'),
  { day: '2026-02-28', kind: 'workday', name: '春节调休上班' },
  ...range('2026-04-04', '2026-04-06', 'holiday', '清明节'),
  ...range('2026-05-01', '2026-05-05', 'holiday', '劳动节'),
  { day: '2026-05-09', kind: 'workday', name: '劳动节调休上班' },
  ...range('2026-06-19', '2026-06-21', 'holiday', '端午节'),
  { day: '2026-09-20', kind: 'workday', name: '国庆节调休上班' },
  ...range('2026-09-25', '2026-09-27', 'holiday', '中秋节'),
  ...range('2026-10-01', '2026-10-07', 'holiday', '国庆节'),
  { day: '2026-10-10', kind: 'workday', name: '国庆节调休上班' },
  // 2027: statutory days only (provisional until the State Council's schedule is entered)
  { day: '2027-01-01', kind: 'holiday', name: '元旦' },
  ...range('2027-02-05', '2027-02-08', 'holiday', '春节'),
  { day: '2027-04-05', kind: 'holiday', name: '清明节' },
  ...range('2027-05-01', '2027-05-02', 'holiday', '劳动节'),
  { day: '2027-06-09', kind: 'holiday', name: '端午节' },
  { day: '2027-09-15', kind: 'holiday', name: '中秋节' },
  ...range('2027-10-01', '2027-10-03', 'holiday', '国庆节'),
];
