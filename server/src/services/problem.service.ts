import type { DB, Role } from '@civgrid/db';
import gcoord from 'gcoord';
import type { Kysely } from 'kysely';
import { requireDistrictScope, requireInScope, requireOwnerInScope } from '../auth/scope.ts';
import type { AuthUser } from '../auth/session.service.ts';
import { badRequest, conflict, forbidden, notFound, unprocessable } from '../http/errors.ts';
import type { Actor, AuditRepository } from '../repositories/audit.repository.ts';
import { type IdempotencyRepository, idempotencyCaller, idempotencyScope, requestHash } from '../repositories/idempotency.repository.ts';
import { PlaceRepository } from '../repositories/place.repository.ts';
import type { CategoryRow, IndicatorGroup, PhotoStage, ProblemFilter, ProblemRepository, ProblemRow, ProblemStatus } from '../repositories/problem.repository.ts';
import { TileRepository } from '../repositories/tile.repository.ts';
import { isPublished, PUBLISHED_SOURCES, PUBLISHED_STATUSES } from './citizen-channel.ts';
import type { Photo } from './photo.ts';
import { forReader, mayReadCase, ownerLimitOf, type ProblemReader, type ReadableProblem } from './problem-access.ts';
import { type CalendarException, WorkCalendar } from './work-calendar.ts';

export type Action = 'register' | 'dispatch' | 'start' | 'feedback' | 'verify' | 'close' | 'return' | 'void' | 'transfer' | 'urge' | 'escalate';

interface Step {
  from: readonly ProblemStatus[];
  /** The status after; undefined: the status stays (urge, escalate, transfer). */
  to?: ProblemStatus;
  roles: readonly Role[];
  /** The handler acts only on its own organisation's problems. */
  ownOrganisation?: boolean;
  needs?: 'note' | 'owner';
}

const OPEN: readonly ProblemStatus[] = ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified'];
const SUPERVISE: readonly Role[] = ['admin', 'supervisor'];

/**
 * The case workflow (立案 → 派遣 → 处置 → 反馈 → 核查 → 结案): which action
 * leads from which state to which, and who may take it. A supervisor
 * (监督中心, 督查组) registers, dispatches, verifies, closes, returns for
 * rework, voids, transfers, urges and escalates; the owning unit's handler
 * starts the work and feeds back; an inspector may verify on the spot.
 */
export const WORKFLOW: Record<Action, Step> = {
  register: { from: ['reported'], to: 'registered', roles: SUPERVISE },
  dispatch: { from: ['registered'], to: 'dispatched', roles: SUPERVISE },
  start: { from: ['dispatched'], to: 'in_progress', roles: ['admin', 'supervisor', 'handler'], ownOrganisation: true },
  feedback: { from: ['in_progress'], to: 'fed_back', roles: ['admin', 'supervisor', 'handler'], ownOrganisation: true, needs: 'note' },
  verify: { from: ['fed_back'], to: 'verified', roles: ['admin', 'supervisor', 'inspector'] },
  close: { from: ['verified'], to: 'closed', roles: SUPERVISE },
  return: { from: ['fed_back', 'verified'], to: 'in_progress', roles: ['admin', 'supervisor', 'inspector'], needs: 'note' },
  void: { from: OPEN, to: 'void', roles: SUPERVISE, needs: 'note' },
  transfer: { from: ['reported', 'registered', 'dispatched', 'in_progress'], roles: SUPERVISE, needs: 'owner' },
  urge: { from: ['dispatched', 'in_progress'], roles: SUPERVISE },
  escalate: { from: ['dispatched', 'in_progress', 'fed_back'], roles: SUPERVISE },
};

/**
 * The states in which a reader has the workflow's next step to take: its
 * to-do (待办). The owning unit's own steps (start, feedback) count for a
 * reader limited to its organisation (a handler) only: a supervisor may take
 * them too, but they are not its work. Side steps that keep or end the state
 * (urge, escalate, transfer, void) make no to-do.
 */
export function todoStatuses(reader: ProblemReader): ProblemStatus[] {
  const own = ownerLimitOf(reader) !== undefined;
  const states = new Set<ProblemStatus>();
  for (const step of Object.values(WORKFLOW)) {
    if (!step.to || step.to === 'void' || !step.roles.includes(reader.role)) continue;
    if (step.ownOrganisation && !own) continue;
    for (const from of step.from) states.add(from);
  }
  return OPEN.filter((s) => states.has(s));
}

const STAMP: Partial<Record<ProblemStatus, string>> = {
  registered: 'registered_at', dispatched: 'dispatched_at', in_progress: 'started_at', fed_back: 'fed_back_at', verified: 'verified_at', closed: 'closed_at',
};

/** How far a problem is through its working-hour deadline: yellow from 80 %, red when overdue. */
export type Warning = 'none' | 'yellow' | 'red';

export interface ProblemView extends ProblemRow {
  categoryName: string;
  deadlineHours: number | null;
  /** Working hours used of the deadline, while the problem is open and dispatched. */
  elapsedWorkingHours: number | null;
  warning: Warning;
}

/** Possible duplicates of a report: the cases the reader may see, and how many other organisations' cases are near. */
export interface Duplicates {
  radiusM: number;
  problems: (ReadableProblem<ProblemView> & { distanceM: number })[];
  othersNearby: number;
}

/** The list's filter as a reader asks for it: `todo` keeps the states where the reader has the next step. */
export type ReaderFilter = Omit<ProblemFilter, 'ownerOrgId'> & { warning?: Warning[] | undefined; todo?: boolean | undefined };

export interface ReportInput {
  /** Where; may be left out when a photo carries its GPS position. */
  lon?: number | undefined;
  lat?: number | undefined;
  /** Coordinates from a Chinese phone map (Amap, Tencent) are GCJ-02 and are converted; GPS and our map are WGS84. */
  crs: 'wgs84' | 'gcj02';
  categoryId: string;
  description: string | null;
  /** Who reports: a staff account, or a citizen's contact (optional) on the public page. */
  source: 'staff' | 'grid_worker' | 'inspection' | 'citizen';
  reporter: string | null;
  photos?: Photo[];
}

export interface ReportAnswer {
  status: 200 | 201;
  problem: ProblemView;
}

export interface RankingRule {
  periodDays: number;
  size: number;
  minDue: number;
}

export const DEFAULT_RANKING_RULE: RankingRule = { periodDays: 14, size: 3, minDue: 5 };

export interface TransitionInput {
  action: Action;
  version: number;
  note?: string | undefined;
  ownerOrgId?: number | undefined;
  /** Photos of the work done (反馈) or of the check (核查); other actions take none. */
  photos?: Photo[] | undefined;
}

/** The actions that may bring photos, and the stage they are stored under. */
const PHOTO_STAGE: Partial<Record<Action, PhotoStage>> = { feedback: 'feedback', verify: 'verify' };

/**
 * Problems (案件): reports routed by the blind-spot engine to the owner of
 * the category's duty at that place, and the workflow with working-hour
 * deadlines. Every transition checks role, organisation, state and version
 * in one transaction, stamps the time and person, and lands in the audit
 * trail and the problem's timeline.
 */
export class ProblemService {
  private calendarCache: { at: number; calendar: WorkCalendar } | undefined;
  private readonly places = new PlaceRepository();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly engine: 'embedded' | 'postgres',
    private readonly problems: ProblemRepository,
    private readonly audit: AuditRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  categories(): Promise<CategoryRow[]> {
    return this.problems.categories();
  }

  /** An admin changes a category's deadline, duplicate radius, owning duty or names. */
  async updateCategory(user: AuthUser, actor: Actor, id: string, fields: Parameters<ProblemRepository['updateCategory']>[2]): Promise<CategoryRow> {
    if (user.role !== 'admin') throw forbidden('role_not_allowed', 'Only admins edit categories.');
    // a category's deadline, radius and owning duty route and time every report in the district
    requireDistrictScope(user, 'A problem category');
    return this.db.transaction().execute(async (trx) => {
      const before = await this.problems.category(trx, id);
      if (!before) throw notFound('category_not_found', `No category "${id}".`);
      if (fields.dutyTypeId && !(await trx.selectFrom('duty_types').select('id').where('id', '=', fields.dutyTypeId).executeTakeFirst())) {
        throw badRequest('unknown_duty', `No duty type "${fields.dutyTypeId}".`);
      }
      await this.problems.updateCategory(trx, id, fields);
      const after = (await this.problems.category(trx, id))!;
      await this.audit.record(trx, actor, { scopeCode: null, action: 'update', entity: 'category', entityId: id, before: { ...before }, after: { ...after } });
      return after;
    });
  }

  async get(id: number) {
    const problem = await this.problems.get(this.db, id);
    if (!problem) throw notFound('problem_not_found', `No problem ${id}.`);
    const [view] = await this.views([problem]);
    return { ...view!, timeline: await this.problems.events(id), photos: await this.problems.photos(id) };
  }

  /** A problem with its timeline and photos as this reader may see it; another organisation's case is "not found" to a handler. */
  async read(reader: ProblemReader, id: number) {
    const problem = await this.get(id);
    if (!mayReadCase(reader, problem)) throw notFound('problem_not_found', `No problem ${id}.`);
    return forReader(reader, problem);
  }

  async photo(reader: ProblemReader, problemId: number, photoId: number, thumb: boolean): Promise<{ mime: string; bytes: Uint8Array }> {
    const problem = await this.problems.get(this.db, problemId);
    if (!problem || !mayReadCase(reader, problem)) throw notFound('problem_not_found', `No problem ${problemId}.`);
    const photo = await this.problems.photo(problemId, photoId, thumb);
    if (!photo) throw notFound('photo_not_found', `Problem ${problemId} has no photo ${photoId}.`);
    return photo;
  }

  /** A page of the problems this reader may see (a handler: its organisation's), each as the reader may see it. */
  async listFor(reader: ProblemReader, filter: ReaderFilter): Promise<ReadableProblem<ProblemView>[]> {
    const scoped = this.scopedFilter(reader, filter);
    if (!scoped) return [];
    const rows = await this.list(scoped);
    return rows.map((p) => forReader(reader, p));
  }

  /** How many problems of the list this reader's filter matches, on every page. */
  async countFor(reader: ProblemReader, filter: Omit<ReaderFilter, 'limit' | 'before' | 'sort'>): Promise<number> {
    const scoped = this.scopedFilter(reader, { ...filter, limit: 1 });
    if (!scoped) return 0;
    const { warning, limit: _limit, ...rest } = scoped;
    if (!warning?.length) return this.problems.count(rest);
    // the colour depends on the working calendar: every candidate is judged, a batch at a time
    const wanted = new Set<Warning>(warning);
    const BATCH = 5000;
    let total = 0;
    let before: number | undefined;
    for (;;) {
      const batch = await this.problems.list({ ...rest, running: !wanted.has('none'), limit: BATCH, before });
      total += (await this.views(batch)).filter((v) => wanted.has(v.warning)).length;
      if (batch.length < BATCH) return total;
      before = batch[batch.length - 1]!.id;
    }
  }

  /** The reader's filter as the repository reads it: its organisation's cases for a handler, its to-do states when asked; null when nothing can match. */
  private scopedFilter(reader: ProblemReader, filter: ReaderFilter): (ProblemFilter & { warning?: Warning[] | undefined }) | null {
    const { todo, ...rest } = filter;
    let status = rest.status;
    if (todo) {
      const mine = todoStatuses(reader);
      status = status?.length ? status.filter((s) => mine.includes(s)) : mine;
      if (status.length === 0) return null;
    }
    return { ...rest, status, ownerOrgId: ownerLimitOf(reader) };
  }

  /** The cases the citizen channel publishes (citizen-channel.ts): citizens' reports, not void; newest first. */
  async published(filter: Omit<ProblemFilter, 'source' | 'ownerOrgId'>): Promise<ProblemView[]> {
    const status = (filter.status ?? PUBLISHED_STATUSES).filter((s) => PUBLISHED_STATUSES.includes(s));
    if (status.length === 0) return [];
    return this.list({ ...filter, status, source: [...PUBLISHED_SOURCES] });
  }

  /** One published case; undefined when there is none or the channel does not publish it. */
  async publishedOne(id: number): Promise<ProblemView | undefined> {
    const problem = await this.problems.get(this.db, id);
    if (!problem || !isPublished(problem)) return undefined;
    return (await this.views([problem]))[0];
  }

  /**
   * A page of problems, newest first. The warning colour depends on the
   * working calendar, so a `warning` filter reads the candidates a batch at a
   * time (only the running ones when `none` is not asked for) and keeps those
   * with the colour asked for, until the page is full.
   */
  async list(filter: ProblemFilter & { warning?: Warning[] | undefined }): Promise<ProblemView[]> {
    const { warning, ...rest } = filter;
    if (!warning?.length) return this.views(await this.problems.list(rest));
    const wanted = new Set<Warning>(warning);
    const BATCH = 1000;
    const page: ProblemView[] = [];
    let before = rest.before;
    for (;;) {
      const batch = await this.problems.list({ ...rest, running: !wanted.has('none'), limit: BATCH, before });
      for (const view of await this.views(batch)) {
        if (!wanted.has(view.warning)) continue;
        page.push(view);
        if (page.length === rest.limit) return page;
      }
      if (batch.length < BATCH) return page;
      before = batch[batch.length - 1]!.id;
    }
  }

  /**
   * Open problems of the category within its duplicate radius, as the reader
   * may see them. A handler sees its own organisation's in full, and of the
   * others only how many there are (`othersNearby`): enough not to report a
   * case twice, nothing of whose case it is, where, or who reported it.
   */
  async duplicates(reader: ProblemReader, categoryId: string, lonIn: number, latIn: number, crs: 'wgs84' | 'gcj02' = 'wgs84'): Promise<Duplicates> {
    const [lon, lat] = toWgs84(lonIn, latIn, crs);
    const category = await this.problems.category(this.db, categoryId);
    if (!category?.parentId) throw badRequest('unknown_category', `No reportable category "${categoryId}".`);
    const near = await this.problems.nearbyOpen(this.db, categoryId, lon, lat, category.duplicateRadiusM);
    const readable = near.filter((p) => mayReadCase(reader, p));
    const views = await this.views(readable);
    return {
      radiusM: category.duplicateRadiusM,
      problems: views.map((v, i) => ({ ...forReader(reader, v), distanceM: readable[i]!.distanceM })),
      othersNearby: near.length - readable.length,
    };
  }

  /**
   * Records a report and routes it: the one owner of the category's duty at
   * that place; nobody → the street office, flagged a blind spot; several →
   * the campaign office, flagged disputed.
   *
   * The same Idempotency-Key again answers the problem it created (200), so a
   * phone's retry adds nothing. The key is claimed first, in the write's
   * transaction: a concurrent retry waits on the claim until the first send
   * commits, then replays its answer (or, if it rolled back, files the report
   * itself). The same key with another body is refused (422). Keys are the
   * caller's own (see idempotencyScope): nobody reads another's answer.
   */
  async report(actor: Actor, input: ReportInput, idempotencyKey: string | undefined, staff?: AuthUser): Promise<ReportAnswer> {
    const [lon, lat] = placeOf(input);
    const category = await this.reportableCategory(this.db, input.categoryId);
    const scope = idempotencyScope('problems:report', actor);
    // also kept on the problem (unique), so a key outlives its claim's sweep; a staff key reads as it always has
    const problemKey = idempotencyKey ? `${idempotencyCaller(actor)}:${idempotencyKey}` : null;
    return this.db.transaction().execute(async (trx) => {
      if (idempotencyKey && problemKey) {
        const claim = await this.idempotency.claim(trx, scope, idempotencyKey, requestHash(input));
        // the stored answer is the problem as JSON, exactly as it was sent the first time
        if (claim.kind === 'replay') return { status: 200 as const, problem: claim.answer.body as ProblemView };
        if (claim.kind === 'mismatch') throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was used for a different report.');
        const earlier = await this.problems.byIdempotencyKey(trx, problemKey);
        if (earlier !== undefined) {
          const problem = (await this.views([(await this.problems.get(trx, earlier))!], trx))[0]!;
          await this.idempotency.complete(trx, scope, idempotencyKey, { status: 201, body: problem });
          return { status: 200 as const, problem };
        }
      }
      const problem = await this.file(trx, actor, input, category, lon, lat, problemKey, staff);
      if (idempotencyKey) await this.idempotency.complete(trx, scope, idempotencyKey, { status: 201, body: problem });
      return { status: 201 as const, problem };
    });
  }

  /**
   * The same report, inside a transaction the caller holds: an inspection
   * check files the problems of its failed items this way, so that the check
   * and its problems are stored together or not at all.
   */
  async reportIn(trx: Kysely<DB>, actor: Actor, input: ReportInput): Promise<ProblemView> {
    const [lon, lat] = placeOf(input);
    return this.file(trx, actor, input, await this.reportableCategory(trx, input.categoryId), lon, lat, null);
  }

  private async reportableCategory(db: Kysely<DB>, id: string): Promise<CategoryRow> {
    const category = await this.problems.category(db, id);
    if (!category?.parentId) throw badRequest('unknown_category', `No reportable category "${id}" (pick a minor class, such as 暴露垃圾).`);
    return category;
  }

  /**
   * Routes the report to its owner and stores it with its first timeline step, photos and audit entry.
   * A staff account (`staff`) reports within its scope; citizens and inspection checks report anywhere.
   */
  private async file(trx: Kysely<DB>, actor: Actor, input: ReportInput, category: CategoryRow, lon: number, lat: number, key: string | null, staff?: AuthUser): Promise<ProblemView> {
    const routing = await this.problems.route(trx, category.id, lon, lat);
    if (!routing.insideDistrict) throw unprocessable('outside_territory', 'The place is outside the district this system serves.', { lon, lat });
    if (staff) requireInScope(staff, routing.placeCode, 'The place reported');
    const owners = routing.owners;
    const owner = !category.dutyTypeId
      ? routing.streetOffice
      : owners.length === 1 ? owners[0]! : owners.length === 0 ? routing.streetOffice : routing.campaignOffice;
    const id = await this.problems.insert(trx, {
      categoryId: category.id,
      description: input.description,
      source: input.source,
      lon, lat,
      gridId: routing.gridId,
      streetId: routing.streetId,
      ownerOrgId: owner?.id ?? null,
      blindSpot: category.dutyTypeId !== null && owners.length === 0,
      disputed: category.dutyTypeId !== null && owners.length > 1,
      reporter: input.reporter,
      idempotencyKey: key,
    });
    const note = category.dutyTypeId === null ? null : owners.length === 0 ? 'blind spot: no owner of the duty here' : owners.length > 1 ? `disputed: ${owners.map((o) => o.name).join(', ')}` : null;
    const event = await this.problems.addEvent(trx, id, 'report', null, 'reported', actor.username ?? input.source, note);
    for (const photo of input.photos ?? []) await this.problems.addPhoto(trx, id, 'report', photo, actor.username ?? input.source, event);
    const problem = (await this.problems.get(trx, id))!;
    await this.audit.record(trx, actor, { scopeCode: routing.placeCode, action: 'report', entity: 'problem', entityId: id, before: null, after: { ...problem } });
    await new TileRepository(trx, this.engine).bumpVersion('problems');
    return (await this.views([problem], trx))[0]!;
  }

  async transition(user: AuthUser, actor: Actor, id: number, input: TransitionInput): Promise<ReadableProblem<ProblemView>> {
    const step = WORKFLOW[input.action];
    if (!step.roles.includes(user.role)) throw forbidden('role_not_allowed', `A ${user.role} may not ${input.action} a problem.`);
    if (step.needs === 'note' && !input.note?.trim()) throw badRequest('note_required', `"${input.action}" needs a note saying why or what was done.`);
    if (step.needs === 'owner' && !input.ownerOrgId) throw badRequest('owner_required', 'A transfer needs ownerOrgId, the organisation to transfer to.');
    const photos = input.photos ?? [];
    const stage = PHOTO_STAGE[input.action];
    if (photos.length > 0 && !stage) throw badRequest('photos_not_accepted', `Photos go with feedback or verify, not with "${input.action}".`);
    return this.db.transaction().execute(async (trx) => {
      const problem = await this.problems.get(trx, id, true);
      if (!problem) throw notFound('problem_not_found', `No problem ${id}.`);
      if (step.ownOrganisation && !mayReadCase(user, problem)) {
        throw forbidden('not_your_case', 'This problem belongs to another organisation.');
      }
      // Scope: the problem's place must be the user's, except for a handler working its own
      // organisation's case (the case was given to the organisation, wherever it is).
      const place = (await this.places.problemPlace(trx, id)) ?? null;
      if (!(step.ownOrganisation && user.role === 'handler')) requireInScope(user, place, `Problem ${id}`);
      let newOwnerCode: string | null = null;
      if (input.action === 'transfer') {
        const target = await this.places.organisation(trx, input.ownerOrgId!);
        if (!target) throw badRequest('unknown_organisation', `No organisation ${input.ownerOrgId}.`);
        requireOwnerInScope(user, target);
        newOwnerCode = target.territoryCode;
      }
      if (!step.from.includes(problem.status)) {
        throw conflict('transition_not_allowed', `"${input.action}" is not allowed on a problem that is ${problem.status}; it is allowed from: ${step.from.join(', ')}.`, {
          status: problem.status,
          allowedFrom: step.from,
        });
      }
      if (problem.version !== input.version) {
        throw conflict('version_conflict', `Problem ${id} changed meanwhile (now version ${problem.version}); reload it.`, { current: forReader(user, problem) });
      }
      const now = this.now();
      const set: Record<string, unknown> = {};
      if (step.to) {
        set.status = step.to;
        const stamp = STAMP[step.to];
        if (stamp) set[stamp] = now;
      }
      if (input.action === 'dispatch') {
        const category = await this.problems.category(trx, problem.categoryId);
        if (category?.deadlineHours) set.due_at = (await this.calendar()).addWorkingHours(now, category.deadlineHours);
      }
      if (input.action === 'return') {
        set.rework_count = problem.reworkCount + 1;
        set.fed_back_at = null;
        set.verified_at = null;
      }
      if (input.action === 'void') set.void_reason = input.note!.trim();
      if (input.action === 'urge') set.urge_count = problem.urgeCount + 1;
      if (input.action === 'escalate') set.escalated = true;
      if (input.action === 'transfer') {
        if (!(await this.problems.organisationExists(trx, input.ownerOrgId!))) throw badRequest('unknown_organisation', `No organisation ${input.ownerOrgId}.`);
        if (input.ownerOrgId === problem.ownerOrgId) throw unprocessable('same_owner', 'The problem already belongs to that organisation.');
        set.owner_org_id = input.ownerOrgId;
        set.disputed = false;
      }
      if (!(await this.problems.apply(trx, id, problem.version, set))) throw conflict('version_conflict', `Problem ${id} changed meanwhile; reload it.`);
      const event = await this.problems.addEvent(trx, id, input.action, problem.status, step.to ?? problem.status, actor.username, input.note?.trim() || null);
      for (const photo of photos) await this.problems.addPhoto(trx, id, stage!, photo, actor.username, event);
      const after = (await this.problems.get(trx, id))!;
      await this.audit.record(trx, actor, {
        // filed under the place, so the admins of the street it is in read it; a transfer also under the new owner's territory
        scopeCode: place, alsoScopeCode: newOwnerCode, action: input.action, entity: 'problem', entityId: id,
        before: { status: problem.status, ownerOrgId: problem.ownerOrgId, version: problem.version },
        after: { status: after.status, ownerOrgId: after.ownerOrgId, version: after.version, dueAt: after.dueAt, note: input.note ?? null, ...(photos.length > 0 && { photos: photos.length }) },
      });
      await new TileRepository(trx, this.engine).bumpVersion('problems');
      return forReader(user, (await this.views([after], trx))[0]!);
    });
  }

  /** Indicators with their rates (a rate is null when nothing was due or closed: no 0 % for an idle unit). */
  async indicators(by: IndicatorGroup, from: Date, to: Date) {
    const rate = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 1000);
    return (await this.problems.indicators(by, from, to)).map((r) => ({
      ...r,
      closureRate: rate(r.closed, r.due),
      onTimeClosureRate: rate(r.closedOnTime, r.due),
      reworkRate: rate(r.reworked, r.closedInPeriod),
    }));
  }

  /**
   * The fortnightly red and black lists (红黑榜) of communities: ranked by
   * on-time closure rate of the problems due in the period, then by fewer
   * overdue open problems; communities with fewer than `minDue` problems due
   * are not ranked. The best `size` go on the red list, the worst on the
   * black list.
   */
  async rankings(start: Date, rule: RankingRule) {
    const end = new Date(start.getTime() + rule.periodDays * 86_400_000);
    const rows = (await this.indicators('community', start, end)).filter((r) => r.id !== null && r.due >= rule.minDue);
    const ranked = rows
      .map((r) => ({ ...r, score: r.onTimeClosureRate ?? 0 }))
      .sort((a, b) => b.score - a.score || a.overdueOpen - b.overdueOpen || (a.id ?? 0) - (b.id ?? 0))
      .map((r, i) => ({ rank: i + 1, ...r }));
    const size = Math.min(rule.size, Math.floor(ranked.length / 2));
    return {
      period: { from: start.toISOString(), to: end.toISOString() },
      rule,
      ranked,
      red: ranked.slice(0, size),
      black: size > 0 ? ranked.slice(-size).reverse() : [],
    };
  }

  /** The special days of a year: public holidays and the weekends worked in exchange (调休). */
  async calendarYear(year: number): Promise<CalendarException[]> {
    return (await this.problems.calendar()).filter((d) => d.day.startsWith(`${year}-`));
  }

  /**
   * Marks a day as a holiday or as a working day (an adjusted weekend), or
   * with `entry === null` returns it to the ordinary week. Admins only,
   * audited; deadlines set afterwards use the new calendar at once.
   */
  async setCalendarDay(user: AuthUser, actor: Actor, day: string, entry: { kind: 'holiday' | 'workday'; name: string } | null): Promise<CalendarException | null> {
    if (user.role !== 'admin') throw forbidden('role_not_allowed', 'Only admins edit the working calendar.');
    // every deadline in the district runs on the one calendar
    requireDistrictScope(user, 'The working calendar');
    const saved = await this.db.transaction().execute(async (trx) => {
      const before = await this.problems.calendarDay(trx, day);
      if (entry === null) {
        if (!before) throw notFound('calendar_day_not_found', `${day} is an ordinary day already.`);
        await this.problems.removeCalendarDay(trx, day);
      } else {
        await this.problems.setCalendarDay(trx, { day, ...entry });
      }
      const after = entry === null ? null : { day, ...entry };
      await this.audit.record(trx, actor, { scopeCode: null, action: entry === null ? 'delete' : 'update', entity: 'calendar_day', entityId: day, before: before ? { ...before } : null, after: after ? { ...after } : null });
      return after;
    });
    this.calendarCache = undefined;
    return saved;
  }

  /** The working calendar, reloaded at most once a minute (admins edit it rarely). */
  async calendar(db: Kysely<DB> = this.db): Promise<WorkCalendar> {
    const t = Date.now();
    if (!this.calendarCache || t - this.calendarCache.at > 60_000) {
      this.calendarCache = { at: t, calendar: new WorkCalendar(await this.problems.calendar(db)) };
    }
    return this.calendarCache.calendar;
  }

  private async views(rows: ProblemRow[], db: Kysely<DB> = this.db): Promise<ProblemView[]> {
    if (rows.length === 0) return [];
    const [categories, calendar] = await Promise.all([this.problems.categories(db), this.calendar(db)]);
    const byId = new Map(categories.map((c) => [c.id, c]));
    const now = this.now();
    return rows.map((p) => {
      const category = byId.get(p.categoryId);
      const hours = category?.deadlineHours ?? null;
      const open = OPEN.includes(p.status);
      const elapsed = p.dispatchedAt && hours ? calendar.workingHoursBetween(new Date(p.dispatchedAt), open ? now : new Date(p.closedAt ?? now)) : null;
      const warning: Warning = !open || elapsed === null || !hours ? 'none' : elapsed >= hours ? 'red' : elapsed >= 0.8 * hours ? 'yellow' : 'none';
      return {
        ...p,
        categoryName: category?.nameZh ?? p.categoryId,
        deadlineHours: hours,
        elapsedWorkingHours: elapsed === null ? null : Math.round(elapsed * 100) / 100,
        warning,
      };
    });
  }
}

/** Where a report is, in WGS84: the position given, else the first photo's GPS (EXIF is WGS84). */
function placeOf(input: ReportInput): [number, number] {
  const located = input.photos?.find((p) => p.gps)?.gps;
  if ((input.lon === undefined || input.lat === undefined) && !located) {
    throw badRequest('location_required', 'Say where: lon and lat, or a photo with its GPS position.');
  }
  // a position given wins over the photo's
  return input.lon !== undefined && input.lat !== undefined ? toWgs84(input.lon, input.lat, input.crs) : [located!.lon, located!.lat];
}

function toWgs84(lon: number, lat: number, crs: 'wgs84' | 'gcj02'): [number, number] {
  return crs === 'gcj02' ? (gcoord.transform([lon, lat], gcoord.GCJ02, gcoord.WGS84) as [number, number]) : [lon, lat];
}
