import { type RawBuilder, sql } from 'kysely';

/**
 * The filters a supervisor sets on problems, shared by the heat-map tiles
 * and the statistics beside them, so that the map and the figures always
 * count the same problems.
 */
export interface ProblemFilters {
  status?: string[] | undefined;
  /** Category ids; a major class (大类) stands for its minor classes. */
  category?: string[] | undefined;
  /** A day (`YYYY-MM-DD`, China time) or an instant; problems reported from it on. */
  from?: string | undefined;
  /** A day (`YYYY-MM-DD`, China time, included) or an instant (excluded); problems reported before it. */
  to?: string | undefined;
  /** An instant: only open problems whose deadline had passed by then (超期). */
  overdueAt?: string | undefined;
  /** Only this organisation's problems: what a handler may read (services/problem-access.ts). */
  ownerOrgId?: number | undefined;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ZONED = /(Z|[+-]\d{2}:?\d{2})$/;
/** Days in the filters are days in China (UTC+8, no daylight saving). */
const CHINA = '+08:00';
const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/**
 * The instant a filter date stands for: a day starts at 00:00 China time,
 * and a day given as `to` is included (the bound is the next day's start);
 * an instant without an offset is read in China time. Invalid → null.
 */
export function filterInstant(value: string, edge: 'from' | 'to'): Date | null {
  if (DAY.test(value)) {
    const [y, m, d] = value.split('-').map(Number) as [number, number, number];
    const midnightUtc = new Date(Date.UTC(y, m - 1, d));
    // 2026-02-31 is no day (Date would roll it over into March)
    if (midnightUtc.getUTCFullYear() !== y || midnightUtc.getUTCMonth() !== m - 1 || midnightUtc.getUTCDate() !== d) return null;
    return new Date(midnightUtc.getTime() - CHINA_OFFSET_MS + (edge === 'to' ? DAY_MS : 0));
  }
  const at = new Date(ZONED.test(value) ? value : `${value}${CHINA}`);
  return Number.isNaN(at.getTime()) ? null : at;
}

const instant = (value: string, edge: 'from' | 'to'): string => {
  const at = filterInstant(value, edge);
  if (!at) throw new RangeError(`not a date: ${value}`); // the edge validates before
  return at.toISOString();
};

/**
 * The filters as one SQL condition on the problems table under `alias`.
 * Every part can use an index of its own (status, category, reported_at, the
 * open problems' deadline); none needs a join per row.
 */
export function problemWhere(f: ProblemFilters, alias = 'p'): RawBuilder<boolean> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  const where: RawBuilder<unknown>[] = [];
  if (f.status?.length) where.push(sql`${col('status')} IN (${sql.join(f.status)})`);
  if (f.category?.length) {
    const ids = sql.join(f.category);
    where.push(sql`${col('category_id')} IN (SELECT c.id FROM problem_categories c WHERE c.id IN (${ids}) OR c.parent_id IN (${ids}))`);
  }
  if (f.from) where.push(sql`${col('reported_at')} >= ${instant(f.from, 'from')}::timestamptz`);
  if (f.to) where.push(sql`${col('reported_at')} < ${instant(f.to, 'to')}::timestamptz`);
  if (f.ownerOrgId !== undefined) where.push(sql`${col('owner_org_id')} = ${f.ownerOrgId}`);
  if (f.overdueAt) where.push(sql`${col('status')} NOT IN ('closed', 'void') AND ${col('due_at')} < ${f.overdueAt}::timestamptz`);
  return (where.length > 0 ? sql`(${sql.join(where, sql` AND `)})` : sql`true`) as RawBuilder<boolean>;
}
