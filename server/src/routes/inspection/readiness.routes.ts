import { Hono } from 'hono';
import { z } from 'zod';
import type { Services } from '../../deps.ts';
import { coordinateColumn, toCsv } from '../../http/csv.ts';
import type { Env } from '../../http/env.ts';
import { idParam } from '../../http/geo-params.ts';
import { validate } from '../../http/validate.ts';
import { DEFAULT_RADIUS_M, DEFAULT_STALE_DAYS, reasonZh } from '../../services/readiness.service.ts';

const whole = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^[0-9]{1,6}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min).max(max))
    .default(fallback);

const readinessQuery = z.object({
  round: idParam,
  group: z.union([z.literal('none'), idParam]).optional(),
  street: idParam.optional(),
  type: z.string().trim().min(1).max(40).optional(),
  ready: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  radius: whole(1, 5000, DEFAULT_RADIUS_M),
  staleDays: whole(1, 365, DEFAULT_STALE_DAYS),
  format: z.enum(['json', 'csv']).default('json'),
});

/**
 * The readiness board (备检看板) of an inspection round: per point ready or
 * not and why, with a summary for the district and per street; filters by
 * group, street, point type and readiness; a CSV of the same rows.
 */
export function readinessRoutes({ readiness }: Services) {
  return new Hono<Env>().get('/readiness', validate('query', readinessQuery), async (c) => {
    const q = c.req.valid('query');
    const board = await readiness.board({
      roundId: q.round, radiusM: q.radius, staleDays: q.staleDays, group: q.group, street: q.street, type: q.type, ready: q.ready,
    });
    if (q.format === 'csv') {
      const csv = toCsv(
        ['code', 'name', 'pointType', 'street', 'community', 'group', 'visitOrder', 'ready', 'reasons', 'leader', 'department', 'peopleCount',
          'openProblems', 'overdueProblems', 'lastCheckedAt', 'daysSinceCheck', 'checklistItems', coordinateColumn('lon'), coordinateColumn('lat')],
        board.points.map((p) => [
          p.code, p.name, p.pointType, p.street?.name, p.community?.name, p.group?.name, p.visitOrder, p.ready ? '是' : '否',
          p.reasons.map((r) => reasonZh(r, board.duties)).join('；'), p.leader?.name, p.department?.name, p.peopleCount,
          p.openProblems, p.overdueProblems, p.lastCheckedAt, p.daysSinceCheck, p.checklistItems, p.lon, p.lat,
        ]),
      );
      return c.body(csv, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="readiness-round-${board.round.id}.csv"`,
      });
    }
    return c.json(board);
  });
}
