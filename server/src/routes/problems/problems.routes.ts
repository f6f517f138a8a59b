import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { actorOf, userOf } from '../../auth/actor.ts';
import type { Services } from '../../deps.ts';
import { type CalendarYear, calendarEntry } from '../../contracts/calendar.ts';
import { lookupRequest, type Receipt } from '../../contracts/citizen-lookup.ts';
import { type ProblemPageMeta, problemListExtras } from '../../contracts/problems.ts';
import { coordinateColumn, toCsv } from '../../http/csv.ts';
import type { Env } from '../../http/env.ts';
import { AppError, badRequest } from '../../http/errors.ts';
import { bboxParam, idParam, latitude, longitude } from '../../http/geo-params.ts';
import { validate } from '../../http/validate.ts';
import { idempotencyKeyOf, rowId, rowVersion } from '../../http/write-params.ts';
import type { ProblemStatus } from '../../repositories/problem.repository.ts';
import { chargePublicPhotos } from '../../auth/rate-limit.middleware.ts';
import { MAX_PHOTOS, type Photo, type PhotoCost, readPhotos } from '../../services/photo.ts';
import { type Action, DEFAULT_RANKING_RULE, WORKFLOW } from '../../services/problem.service.ts';

const STATUSES = ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified', 'closed', 'void'] as const satisfies readonly ProblemStatus[];
const categoryId = z.string().regex(/^[a-z][a-z0-9-]{1,60}$/, 'must be a category id');

/** A number from JSON or a form field; an empty form field is no value. */
const formNumber = (min: number, max: number) => z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'string' ? Number(v) : v), z.number().min(min).max(max).optional());

const report = z.object({
  lon: formNumber(-180, 180),
  lat: formNumber(-90, 90),
  crs: z.enum(['wgs84', 'gcj02']).default('wgs84'),
  categoryId,
  description: z.string().trim().max(1000).optional(),
});
const staffReport = report.extend({ source: z.enum(['staff', 'grid_worker', 'inspection']).default('staff') });
const publicReport = report.extend({ contact: z.string().trim().max(60).optional() });

const day = z.iso.date();
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const listQuery = z.object({
  status: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()))
    .pipe(z.array(z.enum(STATUSES)))
    .optional(),
  category: categoryId.optional(),
  from: day.optional(),
  to: day.optional(),
  bbox: bboxParam.optional(),
  warning: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()))
    .pipe(z.array(z.enum(['none', 'yellow', 'red'])))
    .optional(),
  blindSpot: flag.optional(),
  disputed: flag.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  before: z.coerce.number().int().positive().max(2 ** 31 - 1).optional(),
  format: z.enum(['json', 'csv']).default('json'),
}).extend(problemListExtras.shape);
/** A transition, as JSON or as the fields of a multipart form that carries photos (feedback, verify). */
const transition = z.object({
  action: z.enum(Object.keys(WORKFLOW) as [Action, ...Action[]]),
  version: rowVersion,
  note: z.string().trim().max(1000).optional(),
  ownerOrgId: z.preprocess((v) => (v === '' ? undefined : typeof v === 'string' ? Number(v) : v), rowId.optional()),
});
const categoryUpdate = z
  .object({
    deadlineHours: z.number().int().min(1).max(2000).optional(),
    duplicateRadiusM: z.number().int().min(0).max(1000).optional(),
    dutyTypeId: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/).nullable().optional(),
    nameZh: z.string().trim().min(1).max(40).optional(),
    nameEn: z.string().trim().min(1).max(80).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

/**
 * The report (or transition) from a JSON body, or from a multipart form with
 * up to four photos (field "photos"), each judged by its bytes and header,
 * then (when `charge` lets them through) decoded in the photo queue.
 */
async function readReport<T extends z.ZodType>(c: Context<Env>, schema: T, charge?: (cost: PhotoCost) => Promise<void>): Promise<{ fields: z.infer<T>; photos: Photo[] }> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('multipart/form-data')) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw badRequest('invalid_json', 'The body is not valid JSON.');
    }
    return { fields: parseWith(schema, body), photos: [] };
  }
  let form: Record<string, string | File | (string | File)[]>;
  try {
    form = await c.req.parseBody({ all: true });
  } catch {
    throw badRequest('invalid_form', 'The multipart form could not be read.');
  }
  const files = ([] as (string | File)[]).concat(form.photos ?? []).filter((f): f is File => typeof f !== 'string');
  if (files.length > MAX_PHOTOS) throw badRequest('too_many_photos', `At most ${MAX_PHOTOS} photos per report.`);
  const fields = Object.fromEntries(Object.entries(form).filter(([k, v]) => k !== 'photos' && typeof v === 'string'));
  // the input guard reads no multipart body: a NUL character in a field is refused here (PostgreSQL cannot store it)
  if (Object.values(fields).some((v) => String(v).includes('\u0000'))) throw badRequest('invalid_request', 'NUL characters are not accepted.');
  const parsed = parseWith(schema, fields);
  const uploads = await Promise.all(files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
  return { fields: parsed, photos: await readPhotos(uploads, charge) };
}

function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = result.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
    throw new AppError(400, 'invalid_request', `Invalid body: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  }
  return result.data;
}

/** A China-time day's start, as an instant. */
const dayStart = (d: string) => new Date(`${d}T00:00:00+08:00`);

export function categoryRoutes({ problems }: Services) {
  return new Hono<Env>()
    .get('/', async (c) => c.json({ categories: await problems.categories() }))
    .put('/:id', validate('param', z.object({ id: categoryId })), validate('json', categoryUpdate), async (c) =>
      c.json(await problems.updateCategory(userOf(c), actorOf(c), c.req.valid('param').id, c.req.valid('json'))),
    );
}

const calendarDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'must be a real day');

/**
 * The working calendar deadlines run on (工作日历): public holidays and the
 * weekends worked in exchange (调休), seeded for 2026–2027; admins add,
 * change and remove days as the State Council announces them.
 */
export function calendarRoutes({ problems }: Services) {
  return new Hono<Env>()
    .get('/', validate('query', z.object({ year: z.coerce.number().int().min(2000).max(2100) })), async (c) => {
      const { year } = c.req.valid('query');
      const answer: CalendarYear = { year, days: await problems.calendarYear(year) };
      return c.json(answer);
    })
    .put('/:day', validate('param', z.object({ day: calendarDay })), validate('json', calendarEntry), async (c) =>
      c.json(await problems.setCalendarDay(userOf(c), actorOf(c), c.req.valid('param').day, c.req.valid('json'))),
    )
    .delete('/:day', validate('param', z.object({ day: calendarDay })), async (c) => {
      await problems.setCalendarDay(userOf(c), actorOf(c), c.req.valid('param').day, null);
      return c.body(null, 204);
    });
}

/** Problems (案件): reports by staff and citizens, lists and timelines, the workflow. */
export function problemRoutes({ problems }: Services) {
  return new Hono<Env>()
    .post('/', async (c) => {
      const { fields: body, photos } = await readReport(c, staffReport);
      const key = idempotencyKeyOf(c);
      const answer = await problems.report(actorOf(c), { ...body, description: body.description ?? null, reporter: userOf(c).username, photos }, key, userOf(c));
      return c.json(answer.problem, answer.status);
    })
    .get('/', validate('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const user = userOf(c);
      // a handler reads its own organisation's cases; the reporter only where the reader handles the case (problem-access.ts)
      const filter = {
        status: q.status, category: q.category, bbox: q.bbox, warning: q.warning, blindSpot: q.blindSpot, disputed: q.disputed, todo: q.todo,
        from: q.from ? dayStart(q.from) : undefined,
        to: q.to ? new Date(dayStart(q.to).getTime() + 86_400_000) : undefined,
      };
      const rows = await problems.listFor(user, { ...filter, sort: q.sort, limit: q.limit, before: q.before });
      if (q.format === 'csv') {
        const columns = ['id', 'categoryId', 'categoryName', 'status', 'lon', 'lat', 'ownerName', 'blindSpot', 'disputed', 'reportedAt', 'dispatchedAt', 'dueAt', 'closedAt', 'warning', 'description'] as const;
        const header = columns.map((k) => (k === 'lon' || k === 'lat' ? coordinateColumn(k) : k));
        const csv = toCsv(header, rows.map((r) => columns.map((k) => r[k] as unknown)));
        return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="problems.csv"' });
      }
      const meta: ProblemPageMeta = { next: rows.length === q.limit ? rows[rows.length - 1]!.id : null, total: await problems.countFor(user, filter) };
      return c.json({ problems: rows, ...meta });
    })
    .get('/duplicates', validate('query', z.object({ lon: longitude, lat: latitude, categoryId, crs: z.enum(['wgs84', 'gcj02']).default('wgs84') })), async (c) => {
      const q = c.req.valid('query');
      return c.json(await problems.duplicates(userOf(c), q.categoryId, q.lon, q.lat, q.crs));
    })
    .get('/:id/photos/:photoId', validate('param', z.object({ id: idParam, photoId: idParam })), validate('query', z.object({ size: z.enum(['thumb', 'full']).default('full') })), async (c) => {
      const { id, photoId } = c.req.valid('param');
      const photo = await problems.photo(userOf(c), id, photoId, c.req.valid('query').size === 'thumb');
      return c.body(photo.bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': photo.mime, 'cache-control': 'private, max-age=86400' });
    })
    .get('/:id', validate('param', z.object({ id: idParam })), async (c) => c.json(await problems.read(userOf(c), c.req.valid('param').id)))
    .post('/:id/transitions', validate('param', z.object({ id: idParam })), async (c) => {
      const { fields, photos } = await readReport(c, transition);
      return c.json(await problems.transition(userOf(c), actorOf(c), c.req.valid('param').id, { ...fields, photos }));
    });
}

const period = z.object({ from: day, to: day }).refine((p) => p.from <= p.to, 'from must not be after to');

/** Supervisors' figures: indicators by unit or place, and the fortnightly red and black lists. */
export function indicatorRoutes({ problems }: Services) {
  return new Hono<Env>()
    .get('/indicators', validate('query', period.and(z.object({ by: z.enum(['owner', 'grid', 'community', 'street']) }))), async (c) => {
      const q = c.req.valid('query');
      const rows = await problems.indicators(q.by, dayStart(q.from), new Date(dayStart(q.to).getTime() + 86_400_000));
      return c.json({ by: q.by, from: q.from, to: q.to, rows });
    })
    .get(
      '/rankings/communities',
      validate('query', z.object({ period: day, periodDays: z.coerce.number().int().min(1).max(366).optional(), size: z.coerce.number().int().min(1).max(50).optional(), minDue: z.coerce.number().int().min(0).max(10_000).optional() })),
      async (c) => {
        const q = c.req.valid('query');
        const rule = { ...DEFAULT_RANKING_RULE, ...(q.periodDays && { periodDays: q.periodDays }), ...(q.size && { size: q.size }), ...(q.minDue !== undefined && { minDue: q.minDue }) };
        return c.json(await problems.rankings(dayStart(q.period), rule));
      },
    );
}

/**
 * The citizen page's report ("你拍我改"): no account; rate-limited per address
 * by the auth middleware, and its photos charged to the address's hourly
 * photo budget (bytes and pixels) before they are decoded.
 */
export function publicProblemRoutes({ limiter, options, citizenLookup }: Services) {
  return new Hono<Env>()
    .post('/lookup', validate('json', lookupRequest), async (c) => {
      const { code, secret } = c.req.valid('json');
      return c.json(await citizenLookup.lookup(code, secret));
    })
    .post('/', async (c) => {
    const { fields: body, photos } = await readReport(c, publicReport, (cost) => chargePublicPhotos(c, limiter, options.rateLimits, cost));
    const answer = await citizenLookup.report(actorOf(c), { ...body, description: body.description ?? null, reporter: body.contact ?? null, photos }, idempotencyKeyOf(c));
    const p = answer.problem;
    // the citizen learns what happens to the report, not who reported what else; the receipt looks it up later
    const receipt: Receipt = answer.receipt;
    return c.json({ id: p.id, status: p.status, categoryName: p.categoryName, ownerName: p.ownerName, reportedAt: p.reportedAt, receipt }, answer.status);
  });
}
