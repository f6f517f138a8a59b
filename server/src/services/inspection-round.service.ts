import type { DB } from '@civgrid/db';
import { routeColor } from '@civgrid/db/route-colors';
import type { Feature, MultiLineString, Point } from 'geojson';
import type { Kysely } from 'kysely';
import { requireDistrictScope } from '../auth/scope.ts';
import type { AssignAnswer, InspectorsAnswer, RouteCollection, RouteProps, StopProps } from '../contracts/inspection.ts';
import type { AuthUser } from '../auth/session.service.ts';
import { conflict, notFound, unprocessable } from '../http/errors.ts';
import type { Actor, AuditRepository } from '../repositories/audit.repository.ts';
import type { Group, GroupFields, InspectionRoundRepository, Round, RoundFields, RoundStatus } from '../repositories/inspection-round.repository.ts';
import { compactGroups } from './auto-assignment.ts';
import type { XY } from './balanced-clusters.ts';
import { nearestCentroid, type RouteRequest, type RoutingService } from './routing.service.ts';
import { balanceTravel } from './travel-balance.ts';

export type { Group, Round };


export const MAX_GROUPS_PER_ROUND = 60;

export interface RoundInput {
  name: string;
  startsOn: string;
  endsOn: string;
  weight?: number | undefined;
  status?: RoundStatus | undefined;
  pointIds?: number[] | undefined;
}

export interface RoundChanges {
  version: number;
  name?: string | undefined;
  startsOn?: string | undefined;
  endsOn?: string | undefined;
  weight?: number | undefined;
  status?: RoundStatus | undefined;
}

export interface GroupInput {
  name: string;
  memberIds?: number[] | undefined;
  leaderId?: number | null | undefined;
  color?: string | null | undefined;
  start?: { lon: number; lat: number } | null | undefined;
}

export interface GroupChanges extends Partial<GroupInput> {
  sort?: number | undefined;
}

export type AssignInput =
  | { mode: 'auto'; version?: number | undefined }
  | { mode: 'explicit'; version?: number | undefined; assignments: { pointId: number; groupId: number | null }[] };

/** The contract's shapes under the names this service has always used. */
export type AssignResult = AssignAnswer;
export type RouteFeatureProperties = RouteProps;
export type StopFeatureProperties = StopProps;
export type RoutesCollection = RouteCollection;

const auditedRound = (r: Round) => ({ name: r.name, startsOn: r.startsOn, endsOn: r.endsOn, weight: r.weight, status: r.status, version: r.version, pointCount: r.pointCount });
const auditedGroup = (g: Group) => ({ name: g.name, color: g.color, leader: g.leader?.id ?? null, members: g.members.map((m) => m.id), start: g.start, roundId: g.roundId });

/**
 * Inspection rounds (轮次) and their groups (检查组): which group visits which
 * point, in which order, along which route. Every write runs in one
 * transaction with its audit entry, moves the round's version on, and
 * recomputes the order and stored route of every group it touched; a stale
 * round version is a 409. Routes are computed by RoutingService; a group whose
 * route is missing (the demo seed assigns points without routes) gets it on
 * the first read of the routes.
 */
export class InspectionRoundService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly rounds: InspectionRoundRepository,
    private readonly routing: RoutingService,
    private readonly audit: AuditRepository,
  ) {}

  async list(user: AuthUser, member: 'me' | undefined): Promise<Round[]> {
    return this.rounds.rounds(this.db, member === 'me' ? { memberUserId: user.id } : {});
  }

  /** The round, or undefined (other services' entry point). */
  async get(id: number, db: Kysely<DB> = this.db): Promise<Round | undefined> {
    return (await this.rounds.rounds(db, { id }))[0];
  }

  async require(id: number, db: Kysely<DB> = this.db): Promise<Round> {
    const round = await this.get(id, db);
    if (!round) throw notFound('round_not_found', `No inspection round ${id}.`);
    return round;
  }

  async inspectors(): Promise<InspectorsAnswer> {
    return { users: await this.rounds.inspectors() };
  }

  async create(user: AuthUser, actor: Actor, input: RoundInput): Promise<Round> {
    requireDistrictScope(user, 'An inspection round');
    const fields: RoundFields = { name: input.name, startsOn: input.startsOn, endsOn: input.endsOn, weight: input.weight ?? 1, status: input.status ?? 'planning' };
    checkRoundFields(fields);
    return this.db.transaction().execute(async (trx) => {
      if (input.pointIds) {
        const unknown = await this.rounds.unknownPoints(trx, input.pointIds);
        if (unknown.length > 0) throw unprocessable('unknown_point', `No inspection point ${unknown.slice(0, 10).join(', ')}.`, { pointIds: unknown });
      }
      const id = await this.rounds.insertRound(trx, fields, actor.username);
      await this.rounds.addPoints(trx, id, input.pointIds ?? 'all');
      const round = await this.require(id, trx);
      await this.audit.record(trx, actor, { scopeCode: user.scopeCode, action: 'create', entity: 'inspection_round', entityId: id, before: null, after: auditedRound(round) });
      return round;
    });
  }

  async update(user: AuthUser, actor: Actor, id: number, changes: RoundChanges): Promise<Round> {
    requireDistrictScope(user, 'An inspection round');
    return this.db.transaction().execute(async (trx) => {
      const before = await this.lockCurrent(trx, id, changes.version);
      const fields: RoundFields = {
        name: changes.name ?? before.name,
        startsOn: changes.startsOn ?? before.startsOn,
        endsOn: changes.endsOn ?? before.endsOn,
        weight: changes.weight ?? before.weight,
        status: changes.status ?? before.status,
      };
      checkRoundFields(fields);
      await this.rounds.updateRound(trx, id, changes.version, fields);
      const round = await this.require(id, trx);
      await this.audit.record(trx, actor, { scopeCode: user.scopeCode, action: 'update', entity: 'inspection_round', entityId: id, before: auditedRound(before), after: auditedRound(round) });
      return round;
    });
  }

  /** One named group, or `count` groups named 第1组…第N组 (numbers already taken are skipped). */
  async createGroups(user: AuthUser, actor: Actor, roundId: number, input: GroupInput | { count: number }): Promise<Group[]> {
    requireDistrictScope(user, 'An inspection round');
    return this.db.transaction().execute(async (trx) => {
      await this.lockOpen(trx, roundId);
      const existing = await this.rounds.groupNames(trx, roundId);
      const names = new Set(existing.map((g) => g.name));
      let sort = existing.reduce((m, g) => Math.max(m, g.sort), 0);
      const wanted: (GroupFields & { memberIds: number[] })[] = [];
      if ('count' in input) {
        if (existing.length + input.count > MAX_GROUPS_PER_ROUND) throw unprocessable('too_many_groups', `A round has at most ${MAX_GROUPS_PER_ROUND} groups.`);
        for (let n = 1; wanted.length < input.count; n++) {
          const name = `第${n}组`;
          if (names.has(name)) continue;
          wanted.push({ name, color: routeColor(existing.length + wanted.length), leaderId: null, start: null, sort: ++sort, memberIds: [] });
        }
      } else {
        if (existing.length + 1 > MAX_GROUPS_PER_ROUND) throw unprocessable('too_many_groups', `A round has at most ${MAX_GROUPS_PER_ROUND} groups.`);
        if (names.has(input.name)) throw conflict('group_name_taken', `This round already has a group "${input.name}".`);
        const memberIds = [...new Set([...(input.memberIds ?? []), ...(input.leaderId ? [input.leaderId] : [])])];
        await this.checkUsers(trx, memberIds);
        wanted.push({
          name: input.name, color: input.color ?? routeColor(existing.length), leaderId: input.leaderId ?? null,
          start: input.start ?? null, sort: ++sort, memberIds,
        });
      }
      const ids: number[] = [];
      for (const g of wanted) {
        const id = await this.rounds.insertGroup(trx, roundId, g);
        await this.rounds.setMembers(trx, id, g.memberIds);
        ids.push(id);
      }
      await this.rounds.touchRound(trx, roundId);
      const groups = (await this.rounds.groups(trx, [roundId])).filter((g) => ids.includes(g.id));
      for (const g of groups) {
        await this.audit.record(trx, actor, { scopeCode: user.scopeCode, action: 'create', entity: 'inspection_group', entityId: g.id, before: null, after: auditedGroup(g) });
      }
      return groups;
    });
  }

  async updateGroup(user: AuthUser, actor: Actor, roundId: number, groupId: number, changes: GroupChanges): Promise<Group> {
    requireDistrictScope(user, 'An inspection round');
    return this.db.transaction().execute(async (trx) => {
      await this.lockOpen(trx, roundId);
      const before = await this.requireGroup(trx, roundId, groupId);
      if (changes.name !== undefined && changes.name !== before.name) {
        const names = await this.rounds.groupNames(trx, roundId);
        if (names.some((g) => g.name === changes.name)) throw conflict('group_name_taken', `This round already has a group "${changes.name}".`);
      }
      const leaderId = changes.leaderId === undefined ? (before.leader?.id ?? null) : changes.leaderId;
      let memberIds = changes.memberIds ?? before.members.map((m) => m.id);
      if (leaderId !== null && !memberIds.includes(leaderId)) memberIds = [...memberIds, leaderId];
      await this.checkUsers(trx, memberIds);
      await this.rounds.updateGroup(trx, groupId, {
        name: changes.name, color: changes.color, leaderId: changes.leaderId, start: changes.start, sort: changes.sort,
      });
      await this.rounds.setMembers(trx, groupId, memberIds);
      if (changes.start !== undefined) await this.recompute(trx, roundId, [groupId]);
      await this.rounds.touchRound(trx, roundId);
      const group = await this.requireGroup(trx, roundId, groupId);
      await this.audit.record(trx, actor, { scopeCode: user.scopeCode, action: 'update', entity: 'inspection_group', entityId: groupId, before: auditedGroup(before), after: auditedGroup(group) });
      return group;
    });
  }

  /** Deletes a group; its points stay in the round, unassigned. */
  async deleteGroup(user: AuthUser, actor: Actor, roundId: number, groupId: number): Promise<void> {
    requireDistrictScope(user, 'An inspection round');
    await this.db.transaction().execute(async (trx) => {
      await this.lockOpen(trx, roundId);
      const before = await this.requireGroup(trx, roundId, groupId);
      await this.rounds.deleteGroup(trx, groupId);
      await this.rounds.touchRound(trx, roundId);
      await this.audit.record(trx, actor, { scopeCode: user.scopeCode, action: 'delete', entity: 'inspection_group', entityId: groupId, before: auditedGroup(before), after: null });
    });
  }

  /**
   * Automatic: every point of the round to one of its groups, balanced by
   * count and travel and compact on the map, in two steps.
   * 1. Count: ⌊n/k⌋ or ⌈n/k⌉ points each, compact (balanced-clusters.ts, a
   *    capacitated k-means; `compactGroups`); a group with a start place takes
   *    the cluster nearest to it, the others take the rest in reading order
   *    (north to south, west to east).
   * 2. Travel (travel-balance.ts): over one matrix of road distances between
   *    the points and start places (RoutingService.distances, the graph the
   *    routes then reuse), a local search on the route times (road length at
   *    25 km/h + 10 minutes a point, each group ordered by the routes' own
   *    heuristic): boundary points of neighbouring groups swap, or one moves
   *    out of the longest group or into the shortest, when that lowers the
   *    longest time or the spread (longest − shortest) and raises neither,
   *    while the total route length stays within 5 % of step 1's. Moves keep
   *    every group within ⌊n/k⌋ − 1 … ⌈n/k⌉ + 1 points, the largest at most
   *    two more than the smallest. On the demo (165 points, 18 groups) the
   *    spread falls from about 20 to about 10 minutes.
   * Explicit: the listed points to the given groups (null: unassigned).
   * Either way the order and route of every group touched is recomputed in
   * the same transaction.
   */
  async assign(user: AuthUser, actor: Actor, roundId: number, input: AssignInput): Promise<AssignResult> {
    requireDistrictScope(user, 'An inspection round');
    return this.db.transaction().execute(async (trx) => {
      const locked = await this.lockOpen(trx, roundId);
      if (input.version !== undefined && input.version !== locked.version) throw await this.stale(trx, roundId);
      const groups = await this.rounds.groupNames(trx, roundId);
      const points = await this.rounds.roundPoints(trx, roundId);
      const groupIds = new Set(groups.map((g) => g.id));
      let assignments: { pointId: number; groupId: number | null }[];
      let touched: Set<number>;
      if (input.mode === 'auto') {
        if (groups.length === 0) throw unprocessable('no_groups', 'The round has no groups to assign its points to.');
        assignments = await this.autoAssignment(trx, roundId, points);
        touched = groupIds;
      } else {
        const inRound = new Map(points.map((p) => [p.pointId, p]));
        const notInRound = input.assignments.filter((a) => !inRound.has(a.pointId)).map((a) => a.pointId);
        if (notInRound.length > 0) throw unprocessable('point_not_in_round', `Point ${notInRound.slice(0, 10).join(', ')} is not in this round.`, { pointIds: notInRound });
        const foreign = input.assignments.filter((a) => a.groupId !== null && !groupIds.has(a.groupId)).map((a) => a.groupId as number);
        if (foreign.length > 0) throw unprocessable('group_not_in_round', `Group ${[...new Set(foreign)].join(', ')} is not a group of this round.`, { groupIds: [...new Set(foreign)] });
        const seen = new Set<number>();
        const twice = input.assignments.filter((a) => seen.size === seen.add(a.pointId).size).map((a) => a.pointId);
        if (twice.length > 0) throw unprocessable('duplicate_point', `Point ${twice.join(', ')} is listed more than once.`, { pointIds: twice });
        assignments = input.assignments;
        touched = new Set<number>();
        for (const a of assignments) {
          const was = inRound.get(a.pointId)!.groupId;
          if (was !== null) touched.add(was);
          if (a.groupId !== null) touched.add(a.groupId);
        }
      }
      const before = points.map((p) => ({ pointId: p.pointId, groupId: p.groupId }));
      await this.rounds.assign(trx, roundId, assignments);
      await this.recompute(trx, roundId, [...touched]);
      await this.rounds.touchRound(trx, roundId);
      const result = await this.assignment(trx, roundId);
      await this.audit.record(trx, actor, {
        scopeCode: user.scopeCode, action: 'assign', entity: 'inspection_round', entityId: roundId,
        before: { mode: input.mode, assignments: before.filter((b) => assignments.some((a) => a.pointId === b.pointId)) },
        after: { mode: input.mode, assignments, groups: result.groups.map((g) => ({ id: g.id, pointIds: g.pointIds, lengthM: g.lengthM })) },
      });
      return result;
    });
  }

  /**
   * The routes of a round (or one group) as GeoJSON: a MultiLineString per
   * group and a Point per stop in visiting order. Routes missing for groups
   * that have points are computed and stored first.
   */
  async routes(roundId: number, groupId?: number): Promise<RoutesCollection> {
    await this.require(roundId);
    if (groupId !== undefined && (await this.rounds.groupRound(this.db, groupId)) !== roundId) {
      throw notFound('group_not_found', `Round ${roundId} has no group ${groupId}.`);
    }
    if ((await this.rounds.groupsWithoutRoute(this.db, roundId, groupId)).length > 0) {
      await this.db.transaction().execute(async (trx) => {
        // again inside the transaction: another request may have computed them meanwhile
        const missing = await this.rounds.groupsWithoutRoute(trx, roundId, groupId);
        if (missing.length > 0) await this.recompute(trx, roundId, missing);
      });
    }
    const { routes, stops } = await this.rounds.routeRows(this.db, roundId, groupId);
    const features: Feature<MultiLineString | Point, RouteFeatureProperties | StopFeatureProperties>[] = [];
    for (const r of routes) {
      features.push({
        type: 'Feature',
        geometry: r.geojson ? (JSON.parse(r.geojson) as MultiLineString) : { type: 'MultiLineString', coordinates: [] },
        properties: {
          kind: 'route', groupId: r.group_id, groupName: r.name, color: r.color, lengthM: r.length_m, durationS: r.duration_s,
          pointCount: r.point_count, method: r.method,
        },
      });
    }
    const legTo = new Map<string, number>();
    for (const r of routes) for (const leg of r.legs) legTo.set(`${r.group_id}:${leg.to}`, leg.lengthM);
    const orderInGroup = new Map<number, number>();
    for (const s of stops) {
      const order = (orderInGroup.get(s.group_id) ?? 0) + 1;
      orderInGroup.set(s.group_id, order);
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
        properties: {
          kind: 'stop', groupId: s.group_id, groupName: s.name, color: s.color, order: s.visit_order ?? order, pointId: s.point_id,
          code: s.code, name: s.point_name, pointType: s.point_type, legM: legTo.get(`${s.group_id}:${s.point_id}`) ?? 0,
        },
      });
    }
    return { type: 'FeatureCollection', features };
  }

  /** Recomputes the visiting order and stored route of these groups of the round (in `trx`). */
  async recompute(trx: Kysely<DB>, roundId: number, groupIds: readonly number[]): Promise<void> {
    if (groupIds.length === 0) return;
    const points = await this.rounds.roundPoints(trx, roundId);
    const groups = (await this.rounds.groups(trx, [roundId])).filter((g) => groupIds.includes(g.id));
    const requests: RouteRequest[] = groups.map((g) => ({
      key: g.id,
      points: points.filter((p) => p.groupId === g.id).map((p) => ({ id: p.pointId, lon: p.lon, lat: p.lat })),
      start: g.start,
    }));
    const computed = await this.routing.compute(trx, requests);
    for (const route of computed) {
      if (route.pointIds.length === 0) {
        await this.rounds.deleteRoute(trx, route.key);
        continue;
      }
      await this.rounds.saveRoute(
        trx, roundId,
        { groupId: route.key, lengthM: route.lengthM, durationS: route.durationS, geometry: route.geometry, legs: route.legs, method: route.method },
        route.pointIds,
      );
    }
  }

  private async assignment(trx: Kysely<DB>, roundId: number): Promise<AssignResult> {
    const points = await this.rounds.roundPoints(trx, roundId);
    const groups = await this.rounds.groups(trx, [roundId]);
    const round = await this.rounds.lockRound(trx, roundId);
    return {
      groups: groups.map((g) => ({
        id: g.id,
        pointIds: points
          .filter((p) => p.groupId === g.id)
          .sort((a, b) => (a.visitOrder ?? Number.MAX_SAFE_INTEGER) - (b.visitOrder ?? Number.MAX_SAFE_INTEGER) || a.pointId - b.pointId)
          .map((p) => p.pointId),
        lengthM: g.route?.lengthM ?? 0,
        durationS: g.route?.durationS ?? 0,
      })),
      unassigned: points.filter((p) => p.groupId === null).map((p) => p.pointId),
      version: round?.version ?? 0,
    };
  }

  private async autoAssignment(trx: Kysely<DB>, roundId: number, points: { pointId: number; lon: number; lat: number }[]) {
    const groups = await this.rounds.groups(trx, [roundId]);
    if (points.length === 0) return [];
    const k = Math.min(groups.length, points.length);
    const { labels, centres, project } = compactGroups(points, k);
    // clusters to groups: a group with a start takes the nearest free cluster; the rest in reading order
    const clusterOf = new Map<number, number>();
    const free = new Set(centres.map((_, i) => i));
    for (const g of groups) {
      if (!g.start || free.size === 0) continue;
      const s = project(g.start);
      const nearest = [...free].sort((a, b) => dist2(centres[a]!, s) - dist2(centres[b]!, s) || a - b)[0]!;
      clusterOf.set(g.id, nearest);
      free.delete(nearest);
    }
    const reading = readingOrder(centres).filter((c) => free.has(c));
    for (const g of groups) {
      if (clusterOf.has(g.id)) continue;
      const next = reading.shift();
      if (next === undefined) break;
      clusterOf.set(g.id, next);
    }
    const groupOfCluster = new Map([...clusterOf].map(([g, c]) => [c, g]));
    // travel: one matrix of road distances (the routes' own) between the points, then the groups' start places
    let balanced = labels;
    if (k > 1) {
      const startPlaces = groups.filter((g) => g.start && clusterOf.has(g.id)).map((g) => ({ cluster: clusterOf.get(g.id)!, place: g.start! }));
      const matrix = await this.routing.distances(trx, [...points, ...startPlaces.map((s) => s.place)]);
      const starts = new Array<number | undefined>(k).fill(undefined);
      startPlaces.forEach((s, i) => {
        starts[s.cluster] = points.length + i;
      });
      const firstOf = (ids: readonly number[]) => ids[nearestCentroid(ids.map((i) => points[i]!))]!;
      balanced = balanceTravel({ matrix, labels, k, starts, firstOf }).labels;
    }
    return points.map((p, i) => ({ pointId: p.pointId, groupId: groupOfCluster.get(balanced[i]!) ?? null }));
  }

  private async requireGroup(db: Kysely<DB>, roundId: number, groupId: number): Promise<Group> {
    const group = (await this.rounds.groups(db, [], groupId))[0];
    if (!group || group.roundId !== roundId) throw notFound('group_not_found', `Round ${roundId} has no group ${groupId}.`);
    return group;
  }

  private async checkUsers(db: Kysely<DB>, ids: readonly number[]): Promise<void> {
    const unknown = await this.rounds.unknownUsers(db, ids);
    if (unknown.length > 0) throw unprocessable('unknown_user', `No active user ${unknown.join(', ')}.`, { userIds: unknown });
  }

  /** Locks the round for a write to its groups or assignment; 404 when missing, 409 when closed. */
  private async lockOpen(trx: Kysely<DB>, roundId: number) {
    const locked = await this.rounds.lockRound(trx, roundId);
    if (!locked) throw notFound('round_not_found', `No inspection round ${roundId}.`);
    if (locked.status === 'closed') throw conflict('round_closed', 'The round is closed: reopen it to change its groups or assignment.');
    return locked;
  }

  private async lockCurrent(trx: Kysely<DB>, id: number, version: number): Promise<Round> {
    const locked = await this.rounds.lockRound(trx, id);
    if (!locked) throw notFound('round_not_found', `No inspection round ${id}.`);
    if (locked.version !== version) throw await this.stale(trx, id);
    return this.require(id, trx);
  }

  private async stale(trx: Kysely<DB>, id: number) {
    const current = await this.require(id, trx);
    return conflict('version_conflict', `The round was changed meanwhile (now version ${current.version}). Reload it and try again.`, { current });
  }
}

function checkRoundFields(f: RoundFields): void {
  if (!(f.weight > 0 && f.weight <= 1)) throw unprocessable('invalid_weight', 'The weight of a round is more than 0 and at most 1.');
  if (f.endsOn < f.startsOn) throw unprocessable('invalid_dates', 'The round ends before it starts.');
}

const dist2 = (a: XY, b: XY) => (a.x - b.x) ** 2 + (a.y - b.y) ** 2;

/** Cluster indexes in reading order: rows of about √k from north to south, west to east within a row. */
function readingOrder(centres: readonly XY[]): number[] {
  const byY = centres.map((_, i) => i).sort((a, b) => centres[b]!.y - centres[a]!.y || a - b);
  const perRow = Math.max(1, Math.ceil(Math.sqrt(centres.length)));
  const out: number[] = [];
  for (let r = 0; r < byY.length; r += perRow) {
    out.push(...byY.slice(r, r + perRow).sort((a, b) => centres[a]!.x - centres[b]!.x || a - b));
  }
  return out;
}
