import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { actorOf, userOf } from '../../auth/actor.ts';
import type { AuthUser } from '../../auth/session.service.ts';
import type { ChecksPage } from '../../contracts/inspection.ts';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { AppError, badRequest } from '../../http/errors.ts';
import { idParam } from '../../http/geo-params.ts';
import { checkJsonText, JSON_BODY_LIMITS } from '../../http/nesting.ts';
import { validate } from '../../http/validate.ts';
import { rowId } from '../../http/write-params.ts';
import { InspectionPackageRepository } from '../../repositories/inspection-package.repository.ts';
import type { CheckInput, CheckPhoto } from '../../services/inspection-check.service.ts';
import { InspectionPackageService } from '../../services/inspection-package.service.ts';
import { readPhotos } from '../../services/photo.ts';

/** Photos one check may carry: a few of the whole point and of each failed item. */
export const MAX_CHECK_PHOTOS = 20;
/** Photos under one part name (`photo`, or `photo.<itemId>`). */
const MAX_PHOTOS_PER_PART = 4;
/** A device clock a little ahead is tolerated; a check from the future is not. */
const CLOCK_SKEW_MS = 3600_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const int32 = z.number().int().min(1).max(2 ** 31 - 1);

const checkBody = z
  .object({
    roundId: rowId,
    groupId: rowId,
    pointId: rowId,
    checkedAt: z.iso
      .datetime({ offset: true })
      .refine((v) => Date.parse(v) <= Date.now() + CLOCK_SKEW_MS, 'must not be in the future')
      .refine((v) => Date.parse(v) >= Date.parse('2000-01-01T00:00:00Z'), 'must be after 2000'),
    pointVersion: int32,
    packageVersion: z.string().trim().min(1).max(100).optional(),
    lon: z.number().min(-180).max(180).optional(),
    lat: z.number().min(-90).max(90).optional(),
    note: z.string().trim().max(2000).optional(),
    items: z
      .array(z.object({ itemId: rowId, result: z.enum(['pass', 'fail', 'serious']), note: z.string().trim().max(1000).optional() }))
      .min(1, 'a check has at least one item')
      .max(100),
  })
  .refine((v) => (v.lon === undefined) === (v.lat === undefined), { message: 'give lon and lat together, or neither', path: ['lon'] })
  .refine((v) => new Set(v.items.map((i) => i.itemId)).size === v.items.length, { message: 'an item appears twice', path: ['items'] });

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const listQuery = z.object({
  round: idParam.optional(),
  point: idParam.optional(),
  group: idParam.optional(),
  conflict: flag.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: idParam.optional(),
});
const roundList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()))
  .pipe(z.array(idParam).min(1).max(20))
  .refine((ids) => new Set(ids).size === ids.length, 'a round appears twice');

function parseCheck(value: unknown): CheckInput {
  const result = checkBody.safeParse(value);
  if (!result.success) {
    const details = result.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
    throw new AppError(400, 'invalid_request', `Invalid check: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  }
  return result.data;
}

function parseJson(text: string): unknown {
  if (text.includes('\u0000') || text.includes('\\u0000')) throw badRequest('invalid_request', 'NUL characters are not accepted.');
  // the form's `check` part does not pass the input guard's scan of JSON bodies
  checkJsonText(text, JSON_BODY_LIMITS);
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('invalid_json', 'The check is not valid JSON.');
  }
}

/**
 * The check from a JSON body, or from a multipart form: the part `check`
 * (the same JSON, as text) and image parts `photo` (the whole point) or
 * `photo.<itemId>` (one item), each judged by its bytes and decoded.
 */
async function readCheck(c: Context<Env>): Promise<{ input: CheckInput; photos: CheckPhoto[] }> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('multipart/form-data')) return { input: parseCheck(parseJson(await c.req.text())), photos: [] };
  let form: Record<string, string | File | (string | File)[]>;
  try {
    form = await c.req.parseBody({ all: true });
  } catch {
    throw badRequest('invalid_form', 'The multipart form could not be read.');
  }
  const check = form.check;
  if (typeof check !== 'string') throw badRequest('check_required', 'The form needs a part "check" with the check as JSON.');
  const input = parseCheck(parseJson(check));
  const files: { itemId: number | null; file: File }[] = [];
  for (const [name, value] of Object.entries(form)) {
    if (name === 'check') continue;
    const match = /^photo(?:\.([1-9][0-9]{0,9}))?$/.exec(name);
    if (!match) throw badRequest('invalid_form', `Unexpected part "${name.slice(0, 40)}": send "check", "photo" and "photo.<itemId>".`);
    const parts = ([] as (string | File)[]).concat(value);
    if (parts.some((p) => typeof p === 'string')) throw badRequest('invalid_form', `Part "${name}" must be a file.`);
    if (parts.length > MAX_PHOTOS_PER_PART) throw badRequest('too_many_photos', `At most ${MAX_PHOTOS_PER_PART} photos under "${name}".`);
    const itemId = match[1] === undefined ? null : Number(match[1]);
    if (itemId !== null && itemId > 2 ** 31 - 1) throw badRequest('invalid_form', `Part "${name}" names no item.`);
    for (const file of parts as File[]) files.push({ itemId, file });
  }
  if (files.length > MAX_CHECK_PHOTOS) throw badRequest('too_many_photos', `At most ${MAX_CHECK_PHOTOS} photos per check.`);
  const uploads = await Promise.all(files.map(async ({ file }) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
  // the same path as a report's photos: headers checked first, then decoded in the photo queue
  const decoded = await readPhotos(uploads);
  const photos: CheckPhoto[] = decoded.map((photo, i) => ({ itemId: files[i]!.itemId, photo }));
  return { input, photos };
}

/** The Idempotency-Key a check must carry: a UUID the device made when the check was filled in. */
function checkKeyOf(c: Context<Env>): string {
  const key = c.req.header('idempotency-key');
  if (key === undefined || key === '') throw badRequest('idempotency_key_required', 'A check needs an Idempotency-Key header (a UUID made on the device), so that a retry is stored once.');
  if (!UUID.test(key)) throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be a UUID, such as 0b6f3c2e-5d1a-4e8f-9a7b-2c4d6e8f0a1b.');
  return key.toLowerCase();
}

/**
 * Checklists, checks and scores of inspection rounds (H3 of issue 8), under
 * /api/inspection: the field app posts checks; the office reads them, with
 * the flagged conflicts, and the round and final scores.
 */
export function inspectionCheckRoutes({ database, inspectionChecks, inspectionRounds, problems }: Services) {
  // the version of a group's offline package now, to flag a check made with an older one (no basemap needed)
  const packages = new InspectionPackageService(new InspectionPackageRepository(database.db), () => problems.categories(), (round, group) => inspectionRounds.routes(round, group), undefined);
  const packageVersion = async (user: AuthUser, input: CheckInput): Promise<string | null> => {
    if (input.packageVersion === undefined) return null;
    try {
      return await packages.version(user, input.roundId, input.groupId);
    } catch {
      return null; // no such round or group, or not a member: the check's own validation names it
    }
  };
  return new Hono<Env>()
    .get('/checklists', validate('query', z.object({ type: z.string().trim().min(1).max(40).optional() })), async (c) =>
      c.json(await inspectionChecks.checklists(c.req.valid('query').type)),
    )
    .post('/checks', async (c) => {
      // the body first, so that a malformed check is named even without a key
      const { input, photos } = await readCheck(c);
      const key = checkKeyOf(c);
      const user = userOf(c);
      const answer = await inspectionChecks.submit(user, actorOf(c), input, photos, key, await packageVersion(user, input));
      return c.json(answer.body, answer.status as 200 | 201);
    })
    .get('/checks', validate('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const checks = await inspectionChecks.list({ roundId: q.round, pointId: q.point, groupId: q.group, conflict: q.conflict, limit: q.limit, before: q.before });
      const page: ChecksPage = { checks, next: checks.length === q.limit ? checks[checks.length - 1]!.id : null };
      return c.json(page);
    })
    .get('/checks/:id', validate('param', z.object({ id: idParam })), async (c) => c.json(await inspectionChecks.get(c.req.valid('param').id)))
    .get(
      '/checks/:id/photos/:photoId',
      validate('param', z.object({ id: idParam, photoId: idParam })),
      validate('query', z.object({ size: z.enum(['thumb', 'full']).default('full') })),
      async (c) => {
        const { id, photoId } = c.req.valid('param');
        const photo = await inspectionChecks.photo(id, photoId, c.req.valid('query').size === 'thumb');
        return c.body(photo.bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': photo.mime, 'cache-control': 'private, max-age=86400' });
      },
    )
    .get('/rounds/:id/scores', validate('param', z.object({ id: idParam })), async (c) => c.json(await inspectionChecks.roundScores(c.req.valid('param').id)))
    .get('/scores', validate('query', z.object({ rounds: roundList })), async (c) => c.json(await inspectionChecks.finalScores(c.req.valid('query').rounds)));
}
