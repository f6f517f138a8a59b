import { Hono } from 'hono';
import { z } from 'zod';
import { actorOf, userOf } from '../../auth/actor.ts';
import type { GroupsAnswer, RoundsAnswer } from '../../contracts/inspection.ts';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { idParam } from '../../http/geo-params.ts';
import { validate } from '../../http/validate.ts';
import { rowId, rowVersion } from '../../http/write-params.ts';
import { MAX_GROUPS_PER_ROUND } from '../../services/inspection-round.service.ts';

const day = z.iso.date();
const status = z.enum(['planning', 'active', 'closed']);
/** The range (0, 1] is checked by the service (422 invalid_weight), so that 0 and 1.5 say what is wrong. */
const weight = z.number().finite();
const roundName = z.string().trim().min(1).max(100);
const groupName = z.string().trim().min(1).max(60);
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour #rrggbb');
const place = z.object({ lon: z.number().min(-180).max(180), lat: z.number().min(-90).max(90) }).strict();
const ids = z.array(rowId).max(1000);

const roundInput = z.object({
  name: roundName,
  startsOn: day,
  endsOn: day,
  weight: weight.optional(),
  status: status.optional(),
  pointIds: z.array(rowId).max(10_000).optional(),
});
const roundChanges = z
  .object({ version: rowVersion, name: roundName.optional(), startsOn: day.optional(), endsOn: day.optional(), weight: weight.optional(), status: status.optional() })
  .strict();
const groupInput = z.union([
  z.object({ count: z.number().int().min(1).max(MAX_GROUPS_PER_ROUND) }).strict(),
  z.object({ name: groupName, memberIds: ids.optional(), leaderId: rowId.optional(), color: color.optional(), start: place.optional() }).strict(),
]);
const groupChanges = z
  .object({
    name: groupName.optional(),
    memberIds: ids.optional(),
    leaderId: rowId.nullable().optional(),
    color: color.nullable().optional(),
    start: place.nullable().optional(),
    sort: z.number().int().min(0).max(10_000).optional(),
  })
  .strict();
const assignInput = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('auto'), version: rowVersion.optional() }).strict(),
  z
    .object({
      mode: z.literal('explicit'),
      version: rowVersion.optional(),
      assignments: z.array(z.object({ pointId: rowId, groupId: rowId.nullable() }).strict()).min(1).max(10_000),
    })
    .strict(),
]);

const roundParams = z.object({ id: idParam });
const groupParams = z.object({ id: idParam, groupId: idParam });

/**
 * Inspection rounds, groups, assignment and routes (issue 8; see
 * InspectionRoundService). Reads for every signed-in role; writes for the
 * campaign office (supervisor) and admins (server/src/auth/policy.ts).
 */
export function inspectionRoundRoutes({ inspectionRounds }: Services) {
  return new Hono<Env>()
    .get('/inspectors', async (c) => c.json(await inspectionRounds.inspectors()))
    .get('/rounds', validate('query', z.object({ member: z.literal('me').optional() })), async (c) => {
      const answer: RoundsAnswer = { rounds: await inspectionRounds.list(userOf(c), c.req.valid('query').member) };
      return c.json(answer);
    })
    .post('/rounds', validate('json', roundInput), async (c) => {
      return c.json(await inspectionRounds.create(userOf(c), actorOf(c), c.req.valid('json')), 201);
    })
    .get('/rounds/:id', validate('param', roundParams), async (c) => c.json(await inspectionRounds.require(c.req.valid('param').id)))
    .patch('/rounds/:id', validate('param', roundParams), validate('json', roundChanges), async (c) => {
      return c.json(await inspectionRounds.update(userOf(c), actorOf(c), c.req.valid('param').id, c.req.valid('json')));
    })
    .post('/rounds/:id/groups', validate('param', roundParams), validate('json', groupInput), async (c) => {
      const answer: GroupsAnswer = { groups: await inspectionRounds.createGroups(userOf(c), actorOf(c), c.req.valid('param').id, c.req.valid('json')) };
      return c.json(answer, 201);
    })
    .patch('/rounds/:id/groups/:groupId', validate('param', groupParams), validate('json', groupChanges), async (c) => {
      const { id, groupId } = c.req.valid('param');
      return c.json(await inspectionRounds.updateGroup(userOf(c), actorOf(c), id, groupId, c.req.valid('json')));
    })
    .delete('/rounds/:id/groups/:groupId', validate('param', groupParams), async (c) => {
      const { id, groupId } = c.req.valid('param');
      await inspectionRounds.deleteGroup(userOf(c), actorOf(c), id, groupId);
      return c.body(null, 204);
    })
    .post('/rounds/:id/assign', validate('param', roundParams), validate('json', assignInput), async (c) => {
      return c.json(await inspectionRounds.assign(userOf(c), actorOf(c), c.req.valid('param').id, c.req.valid('json')));
    })
    .get('/rounds/:id/routes', validate('param', roundParams), validate('query', z.object({ group: idParam.optional() })), async (c) => {
      return c.json(await inspectionRounds.routes(c.req.valid('param').id, c.req.valid('query').group));
    });
}
