import { z } from 'zod';
import { filterInstant, type ProblemFilters } from '../repositories/problem-filter.ts';

export const PROBLEM_STATUSES = ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified', 'closed', 'void'] as const;

/** A comma-separated list of at most `max` items, each checked by `item`. */
const list = <T extends string>(item: z.ZodType<T, string>, max: number) =>
  z
    .string()
    .max(4000)
    .transform((v) => [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))])
    .pipe(z.array(item).max(max, `at most ${max} values`));

const filterDate = (edge: 'from' | 'to') =>
  z
    .string()
    .max(40)
    .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO date')
    .refine((v) => filterInstant(v, edge) !== null, 'must be a real date');

/**
 * The problem filters as query parameters, the same on the heat-map tiles and
 * the statistics: `status=closed,void`, `category=evt-env,evt-order-parking`
 * (a major class takes its minor classes in), `from`/`to` (days in China time,
 * both included, or instants), `overdue=true` (open and past the deadline).
 */
export const problemFilterQuery = {
  status: list(z.enum(PROBLEM_STATUSES), PROBLEM_STATUSES.length).optional(),
  category: list(z.string().regex(/^[a-z][a-z0-9-]{1,60}$/, 'must be a category id'), 100).optional(),
  from: filterDate('from').optional(),
  to: filterDate('to').optional(),
  overdue: z.enum(['true', 'false', '1', '0']).optional(),
};

type FilterQuery = { [K in keyof typeof problemFilterQuery]?: z.infer<(typeof problemFilterQuery)[K]> };

/**
 * The repository's filters from the parsed query. "Overdue" is judged at the
 * start of the current minute, so that an answer (a cached tile, its ETag)
 * holds for a minute and no longer.
 */
export function problemFiltersOf(q: FilterQuery, now = Date.now()): ProblemFilters {
  const overdue = q.overdue === 'true' || q.overdue === '1';
  return {
    ...(q.status?.length ? { status: q.status } : {}),
    ...(q.category?.length ? { category: q.category } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    ...(overdue ? { overdueAt: new Date(Math.floor(now / 60_000) * 60_000).toISOString() } : {}),
  };
}
