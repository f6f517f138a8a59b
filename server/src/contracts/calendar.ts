import { z } from 'zod';

/**
 * The working calendar (工作日历) deadlines run on, as the API serves and
 * takes it: days that differ from the ordinary week, a public holiday
 * (节假日) or a weekend worked in exchange (调休上班).
 */

export const CALENDAR_KINDS = ['holiday', 'workday'] as const;
export type CalendarKind = (typeof CALENDAR_KINDS)[number];

/** `PUT /api/calendar/{day}`: what the day is and its name (国庆节, 国庆调休). */
export const calendarEntry = z.object({ kind: z.enum(CALENDAR_KINDS), name: z.string().trim().min(1).max(40) }).strict();
export type CalendarEntry = z.infer<typeof calendarEntry>;

export const MAX_CALENDAR_NAME = 40;

/** A day of the calendar, `day` as YYYY-MM-DD. */
export const calendarDay = calendarEntry.extend({ day: z.string() });
export type CalendarDay = z.infer<typeof calendarDay>;

/** `GET /api/calendar?year=`: the year's days that differ from the ordinary week. */
export const calendarYear = z.object({ year: z.number().int(), days: z.array(calendarDay) });
export type CalendarYear = z.infer<typeof calendarYear>;
