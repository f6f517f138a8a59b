import { Hono } from 'hono';
import { z } from 'zod';
import { actorOf } from '../../auth/actor.ts';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { idParam } from '../../http/geo-params.ts';
import { validate } from '../../http/validate.ts';
import { idempotencyKeyOf } from '../../http/write-params.ts';
import type { ProblemStatus } from '../../repositories/problem.repository.ts';
import { publicPosition } from '../../services/citizen-channel.ts';
import type { ProblemView } from '../../services/problem.service.ts';

/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), JSON only:
 * our minor categories are its services, the citizens' reports its requests
 * (what it publishes, and where it blurs the position: citizen-channel.ts). Its two
 * states map onto our workflow: closed and void are "closed", every other
 * state is "open". Posting a request is the citizen report (no account,
 * rate-limited, form-encoded as the specification says), through the same
 * path as the citizen page (CitizenLookupService.report), so it gets the same
 * receipt.
 *
 * The POST answer carries the specification's fields (`service_request_id`,
 * `service_notice`, `account_id`) and two of our own beside them:
 * `receipt_code` and `receipt_secret`, the receipt the citizen page shows,
 * given once, that `POST /api/public/problems/lookup` takes to answer the
 * report's progress. The specification's `token` is not used for it: a
 * token stands in for a `service_request_id` not yet known and is exchanged
 * at `GET /tokens/{token}`; ours is known at once, and the secret must not
 * travel in an address.
 */
const OPEN311_CLOSED: readonly ProblemStatus[] = ['closed', 'void'];

const NOTES: Record<ProblemStatus, string> = {
  reported: '已受理 received', registered: '已立案 registered', dispatched: '已派遣 dispatched', in_progress: '处置中 in progress',
  fed_back: '已反馈 fed back', verified: '已核查 verified', closed: '已结案 closed', void: '已作废 void',
};

/** A published case as a GeoReport request: no reporter, ever; a sensitive category's position coarsened. */
function request(p: ProblemView) {
  const at = publicPosition(p.categoryId, p.lon, p.lat);
  return {
    service_request_id: String(p.id),
    status: OPEN311_CLOSED.includes(p.status) ? 'closed' : 'open',
    status_notes: NOTES[p.status],
    service_name: p.categoryName,
    service_code: p.categoryId,
    description: p.description ?? '',
    agency_responsible: p.ownerName ?? '',
    service_notice: '',
    requested_datetime: p.reportedAt,
    updated_datetime: p.closedAt ?? p.verifiedAt ?? p.fedBackAt ?? p.startedAt ?? p.dispatchedAt ?? p.registeredAt ?? p.reportedAt,
    expected_datetime: p.dueAt ?? '',
    address: '',
    lat: at.lat,
    long: at.lon,
    media_url: '',
  };
}

const requestsQuery = z.object({
  service_code: z.string().regex(/^[a-z][a-z0-9-]{1,60}$/).optional(),
  start_date: z.iso.datetime({ offset: true }).optional(),
  end_date: z.iso.datetime({ offset: true }).optional(),
  status: z.enum(['open', 'closed']).optional(),
});

const newRequest = z.object({
  service_code: z.string().regex(/^[a-z][a-z0-9-]{1,60}$/, 'must be a service_code from services.json'),
  lat: z.coerce.number().min(-90).max(90),
  long: z.coerce.number().min(-180).max(180),
  description: z.string().trim().max(1000).optional(),
  email: z.string().trim().max(100).optional(),
  phone: z.string().trim().max(30).optional(),
});

/** One created request in the POST answer: GeoReport v2's fields, and the receipt (our extension, see above). */
interface Open311Created {
  service_request_id: string;
  service_notice: string;
  account_id: null;
  receipt_code: string;
  receipt_secret: string;
}

export function open311Routes({ problems, citizenLookup }: Services) {
  return new Hono<Env>()
    .get('/services.json', async (c) => {
      const categories = await problems.categories();
      const majors = new Map(categories.filter((x) => !x.parentId).map((x) => [x.id, x]));
      return c.json(
        categories
          .filter((x) => x.parentId)
          .map((x) => ({
            service_code: x.id,
            service_name: x.nameZh,
            description: `${x.nameZh} · ${x.nameEn}`,
            metadata: false,
            type: 'realtime',
            keywords: x.nameEn,
            group: majors.get(x.parentId!)?.nameZh ?? '',
          })),
      );
    })
    .get('/requests.json', validate('query', requestsQuery), async (c) => {
      const q = c.req.valid('query');
      const rows = await problems.published({
        category: q.service_code,
        from: q.start_date ? new Date(q.start_date) : undefined,
        to: q.end_date ? new Date(q.end_date) : undefined,
        status: q.status === 'closed' ? [...OPEN311_CLOSED] : q.status === 'open' ? ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified'] : undefined,
        limit: 1000,
      });
      return c.json(rows.map(request));
    })
    .post('/requests.json', async (c) => {
      let form: Record<string, unknown>;
      try {
        form = (c.req.header('content-type') ?? '').includes('json') ? await c.req.json() : await c.req.parseBody();
      } catch {
        throw new AppError(400, 'invalid_request', 'The request could not be read: send it form-encoded as GeoReport v2 says.');
      }
      const parsed = newRequest.safeParse(form);
      if (!parsed.success) {
        throw new AppError(400, 'invalid_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      }
      const r = parsed.data;
      const answer = await citizenLookup.report(
        actorOf(c),
        { lon: r.long, lat: r.lat, crs: 'wgs84', categoryId: r.service_code, description: r.description ?? null, reporter: r.phone ?? r.email ?? null },
        idempotencyKeyOf(c),
      );
      const created: Open311Created = {
        service_request_id: String(answer.problem.id),
        service_notice: NOTES[answer.problem.status],
        account_id: null,
        receipt_code: answer.receipt.code,
        receipt_secret: answer.receipt.secret,
      };
      return c.json([created], answer.status);
    })
    .get('/requests/:file{[0-9]+\\.json}', async (c) => {
      const id = idParam.safeParse(c.req.param('file').replace(/\.json$/, ''));
      if (!id.success) throw notFound('request_not_found', 'No such request.');
      const problem = await problems.publishedOne(id.data);
      if (!problem) throw notFound('request_not_found', `No request ${id.data}.`);
      return c.json([request(problem)]);
    });
}
