import { Hono } from 'hono';
import { z } from 'zod';
import { actorOf, userOf } from '../../auth/actor.ts';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { AppError, badRequest, notFound } from '../../http/errors.ts';
import { checkJsonText, JSON_BODY_LIMITS } from '../../http/nesting.ts';
import { validate } from '../../http/validate.ts';
import { idempotencyKeyOf } from '../../http/write-params.ts';
import { type ProblemMapping, PROBLEM_STATUSES } from '../../services/problem-import.ts';
import { MAX_PROBLEM_CSV_BYTES } from '../../services/problem-import-read.ts';

const column = z.string().trim().min(1).max(100);
const categoryId = z.string().regex(/^[a-z][a-z0-9-]{1,60}$/, 'must be a category id');
/** A value map: at most 1,000 of the file's values, each onto one of ours. */
const valueMap = <T extends z.ZodType<string>>(target: T) =>
  z.object({
    column: column.optional(),
    values: z
      .record(z.string().max(200), target)
      .refine((v) => Object.keys(v).length <= 1000, 'at most 1,000 values')
      .default({}),
    default: target.optional(),
  });

const mappingSchema = z
  .object({
    lon: column.optional(),
    lat: column.optional(),
    point: column.optional(),
    crs: z.enum(['wgs84', 'gcj02']).default('wgs84'),
    reportedAt: column,
    closedAt: column.optional(),
    dueAt: column.optional(),
    timezone: z.string().regex(/^[A-Za-z][A-Za-z0-9_+\-/]{1,63}$/, 'must be an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
    dateOrder: z.enum(['ymd', 'mdy', 'dmy']).default('ymd'),
    status: valueMap(z.enum(PROBLEM_STATUSES)).optional(),
    category: valueMap(categoryId).refine((m) => m.column !== undefined || m.default !== undefined, 'needs a column or a default category'),
    description: z.union([column.transform((c) => [c]), z.array(column).min(1).max(5)]).optional(),
    externalId: column.optional(),
  })
  .refine((m) => m.point !== undefined || (m.lon !== undefined && m.lat !== undefined), { message: 'map lon and lat, or point', path: ['lon'] });

const importForm = z.object({
  file: z.instanceof(File, { message: 'must be a file' }),
  // JSON text; empty or absent: describe the file only
  mapping: z.string().max(500_000).optional(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The mapping form field: JSON, checked; a failure says which field is wrong. */
function readMapping(text: string | undefined): ProblemMapping | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  // a form field does not pass the input guard's scan of JSON bodies
  checkJsonText(text, JSON_BODY_LIMITS);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('invalid_mapping', 'The mapping is not valid JSON.');
  }
  const result = mappingSchema.safeParse(value);
  if (!result.success) {
    const details = result.error.issues.map((i) => ({ field: ['mapping', ...i.path].join('.'), message: i.message }));
    throw badRequest('invalid_mapping', `Invalid mapping: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  }
  return result.data;
}

/**
 * Imports of historical problems (POST /api/problems/import): a CSV as
 * multipart/form-data, with a `mapping` of its columns for a checked
 * preview; then the commit of the preview, all rows in one transaction.
 */
export function problemImportRoutes({ problemImports }: Services) {
  return new Hono<Env>()
    .post('/', validate('form', importForm), async (c) => {
      const form = c.req.valid('form');
      if (form.file.size > MAX_PROBLEM_CSV_BYTES) {
        throw new AppError(413, 'file_too_large', `The file has ${(form.file.size / 1048576).toFixed(1)} MB; the limit is ${MAX_PROBLEM_CSV_BYTES / 1048576} MB.`);
      }
      const mapping = readMapping(form.mapping);
      const bytes = new Uint8Array(await form.file.arrayBuffer());
      return c.json(await problemImports.preview(userOf(c), { fileName: form.file.name || 'problems.csv', bytes, mapping }));
    })
    .post('/:previewId/commit', async (c) => {
      const previewId = c.req.param('previewId');
      // Not a preview id we hand out: nothing to find, like an expired one.
      if (!UUID.test(previewId)) throw notFound('preview_not_found', 'No such import preview.');
      const key = idempotencyKeyOf(c);
      const answer = await problemImports.commit(userOf(c), actorOf(c), previewId.toLowerCase(), key);
      if (key) c.header('idempotency-key', key);
      return c.json(answer.body as object, answer.status as 201);
    });
}
