import { getContext, setContext } from 'svelte';
import type { Role } from '../api/types.ts';
import {
  type Group, type GroupPatch, type FinalScores, type Inspector, inspectionApi, type Round, type RoundInput, type RoundScores, type RouteCollection,
} from '../components/inspection/inspection-api.ts';
import {
  type CommunitySortKey, groupColor, routeOf, parseSheetHash, type PointSortKey, type SheetRoute, type SortDirection,
} from '../components/inspection/planner.ts';
import { ChecksBoard } from './inspection-checks.svelte.ts';

/** Who changes rounds, groups and the assignment: the campaign office (督查, 创城办) and admins, as the server's rule says. */
export const mayPlanInspection = (role: Role | undefined): boolean => role === 'admin' || role === 'supervisor';
/** Who opens 检查轮次: the planners, and inspectors to see the routes, print their sheet and read the scores. */
export const mayViewInspection = (role: Role | undefined): boolean => mayPlanInspection(role) || role === 'inspector';

export type InspectionTab = 'rounds' | 'scores' | 'checks';
/** What the panel is busy with; one thing at a time. */
export type InspectionBusy = 'create' | 'update' | 'groups' | 'assign' | 'reassign';

/**
 * 检查轮次: the planner's rounds, the round open in the panel with its groups,
 * and its routes on the map. The map reads `routes` (each feature in its
 * group's colour), `highlighted` (the group shown in full, the others dimmed),
 * `selectedPointId` (a stop picked for reassignment) and `fitRequest`.
 */
export class InspectionPlanner {
  /** `free`: whether nothing else takes the right side (another panel covers this one, which stays as it was underneath). */
  constructor(private readonly free: () => boolean = () => true) {}

  open = $state(false);
  tab = $state<InspectionTab>('rounds');

  get shown(): boolean {
    return this.open && this.free();
  }

  rounds = $state.raw<Round[]>([]);
  roundsLoading = $state(false);
  roundsError = $state.raw<unknown>(null);
  /** Bumped by every write, so that the list loads again. */
  revision = $state(0);

  /** The round open in the detail view. */
  roundId = $state<number | null>(null);
  round = $state.raw<Round | null>(null);
  routes = $state.raw<RouteCollection | null>(null);
  detailLoading = $state(false);
  detailError = $state.raw<unknown>(null);

  busy = $state<InspectionBusy | null>(null);
  /** The last write that failed, for the panel to say. */
  error = $state.raw<unknown>(null);

  /** The group under the pointer (a card, its line on the map). */
  hovered = $state<number | null>(null);
  /** The group picked (a click on its card): stays highlighted. */
  focused = $state<number | null>(null);
  /** The stop picked for reassignment (on the map or in a card's list). */
  selectedPointId = $state<number | null>(null);
  /** Ask the map to fit a group's route (null: all routes); `at` makes the same request twice a new one. */
  fitRequest = $state.raw<{ groupId: number | null; at: number } | null>(null);

  /** Ask the map to fly to a point (a check opened); `at` makes the same request twice a new one. */
  flyRequest = $state.raw<{ lon: number; lat: number; at: number } | null>(null);

  inspectors = $state.raw<Inspector[]>([]);

  readonly scores = new ScoresBoard();
  readonly checks = new ChecksBoard();

  /** The group drawn in full on the map, the others dimmed (none: all in full). */
  get highlighted(): number | null {
    return this.hovered ?? this.focused;
  }

  /** The round's groups in their order, each with the colour it is drawn in. */
  get groups(): (Group & { drawColor: string })[] {
    const groups = [...(this.round?.groups ?? [])].sort((a, b) => a.sort - b.sort || a.id - b.id);
    return groups.map((group, index) => ({ ...group, route: routeOf(group, this.routes), drawColor: groupColor(group, index) }));
  }

  /** The stop picked, with its group, when it is one of the routes'. */
  get selectedStop(): { pointId: number; groupId: number; name: string; code: string; order: number } | null {
    if (this.selectedPointId === null || !this.routes) return null;
    for (const feature of this.routes.features) {
      const p = feature.properties;
      if (p.kind === 'stop' && p.pointId === this.selectedPointId) {
        return { pointId: p.pointId, groupId: p.groupId, name: p.name, code: p.code, order: p.order };
      }
    }
    return null;
  }

  async loadRounds(signal: AbortSignal): Promise<void> {
    this.roundsLoading = true;
    this.roundsError = null;
    try {
      const answer = await inspectionApi.rounds(signal);
      if (!signal.aborted) this.rounds = [...answer.rounds].sort((a, b) => b.startsOn.localeCompare(a.startsOn) || b.id - a.id);
    } catch (error) {
      if (!signal.aborted) this.roundsError = error;
    } finally {
      if (!signal.aborted) this.roundsLoading = false;
    }
  }

  async loadInspectors(signal: AbortSignal): Promise<void> {
    if (this.inspectors.length > 0) return;
    const answer = await inspectionApi.inspectors(signal);
    if (!signal.aborted) this.inspectors = answer.users;
  }

  /** Open a round in the detail view (null: back to the list). */
  select(id: number | null): void {
    if (id === this.roundId) return;
    this.roundId = id;
    this.round = null;
    this.routes = null;
    this.hovered = null;
    this.focused = null;
    this.selectedPointId = null;
    this.error = null;
  }

  /** The open round and its routes, from the server. */
  async loadDetail(signal?: AbortSignal): Promise<void> {
    const id = this.roundId;
    if (id === null) return;
    this.detailLoading = true;
    this.detailError = null;
    try {
      const [round, routes] = await Promise.all([inspectionApi.round(id, signal), inspectionApi.routes(id, signal)]);
      if (signal?.aborted || id !== this.roundId) return;
      this.round = round;
      this.routes = this.coloured(routes);
      if (this.focused !== null && !round.groups.some((group) => group.id === this.focused)) this.focused = null;
      if (this.selectedPointId !== null && !this.selectedStop) this.selectedPointId = null;
    } catch (error) {
      if (!signal?.aborted && id === this.roundId) this.detailError = error;
    } finally {
      if (!signal?.aborted && id === this.roundId) this.detailLoading = false;
    }
  }

  /** Every feature carries the colour its group is drawn in (a group without a colour of its own takes the palette's). */
  private coloured(routes: RouteCollection): RouteCollection {
    const colours = new Map(this.groups.map((group) => [group.id, group.drawColor]));
    return {
      ...routes,
      features: routes.features.map((feature) => ({
        ...feature,
        properties: { ...feature.properties, color: colours.get(feature.properties.groupId) ?? feature.properties.color },
      })) as RouteCollection['features'],
    };
  }

  /** One write at a time: `busy` while it runs, `error` when it fails; the round is read again after it. */
  private async write<T>(kind: InspectionBusy, action: () => Promise<T>, reload = true): Promise<T | undefined> {
    if (this.busy) return undefined;
    this.busy = kind;
    this.error = null;
    try {
      const answer = await action();
      this.revision += 1;
      return answer;
    } catch (error) {
      this.error = error;
      return undefined;
    } finally {
      if (reload) await this.loadDetail();
      this.busy = null;
    }
  }

  async createRound(input: RoundInput): Promise<Round | undefined> {
    const round = await this.write('create', () => inspectionApi.createRound(input), false);
    if (round) {
      this.select(round.id);
      await this.loadDetail();
    }
    return round;
  }

  async updateRound(patch: Partial<RoundInput>): Promise<boolean> {
    const round = this.round;
    if (!round) return false;
    return (await this.write('update', () => inspectionApi.updateRound(round.id, { ...patch, version: round.version }))) !== undefined;
  }

  async addGroups(count: number): Promise<boolean> {
    const id = this.roundId;
    if (id === null) return false;
    return (await this.write('groups', () => inspectionApi.createGroups(id, count))) !== undefined;
  }

  async updateGroup(groupId: number, patch: GroupPatch): Promise<boolean> {
    const id = this.roundId;
    if (id === null) return false;
    return (await this.write('groups', () => inspectionApi.updateGroup(id, groupId, patch))) !== undefined;
  }

  async deleteGroup(groupId: number): Promise<boolean> {
    const id = this.roundId;
    if (id === null) return false;
    if (this.focused === groupId) this.focused = null;
    return (await this.write('groups', () => inspectionApi.deleteGroup(id, groupId))) !== undefined;
  }

  /** 自动分配: every point of the round to a group, balanced and compact, and each group's route. */
  async autoAssign(): Promise<boolean> {
    const id = this.roundId;
    if (id === null) return false;
    const answer = await this.write('assign', () => inspectionApi.autoAssign(id));
    if (answer) this.fitRequest = { groupId: null, at: Date.now() };
    return answer !== undefined;
  }

  /** Move one point to another group (null: out of every group); both groups' routes are computed again. */
  async reassign(pointId: number, groupId: number | null): Promise<boolean> {
    const id = this.roundId;
    if (id === null) return false;
    return (await this.write('reassign', () => inspectionApi.assign(id, [{ pointId, groupId }]))) !== undefined;
  }

  fit(groupId: number | null): void {
    this.fitRequest = { groupId, at: Date.now() };
  }

  /**
   * A point picked as a stop is (ringed on the map), and the map flown there:
   * to its stop on the routes, else to `fallback` (where a check was made).
   */
  showPoint(pointId: number, fallback?: { lon: number; lat: number } | null): void {
    this.selectedPointId = pointId;
    const stop = this.routes?.features.find((feature) => feature.properties.kind === 'stop' && feature.properties.pointId === pointId);
    const at = stop?.geometry.type === 'Point' ? { lon: stop.geometry.coordinates[0]!, lat: stop.geometry.coordinates[1]! } : fallback;
    if (at) this.flyRequest = { lon: at.lon, lat: at.lat, at: Date.now() };
  }
}

/** 测评得分: one round's scores, sorted as asked, and the weighted final over the rounds picked. */
export class ScoresBoard {
  roundId = $state<number | null>(null);
  answer = $state.raw<RoundScores | null>(null);
  loading = $state(false);
  error = $state.raw<unknown>(null);

  pointSort = $state<PointSortKey>('score');
  pointDirection = $state<SortDirection>('desc');
  communitySort = $state<CommunitySortKey>('score');
  communityDirection = $state<SortDirection>('desc');

  /** Rounds in the weighted final. */
  picked = $state.raw<number[]>([]);
  final = $state.raw<FinalScores | null>(null);
  finalLoading = $state(false);
  finalError = $state.raw<unknown>(null);

  async load(signal: AbortSignal): Promise<void> {
    const id = this.roundId;
    if (id === null) return;
    this.loading = true;
    this.error = null;
    try {
      const answer = await inspectionApi.scores(id, signal);
      if (!signal.aborted) this.answer = answer;
    } catch (error) {
      if (!signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  async loadFinal(signal: AbortSignal): Promise<void> {
    if (this.picked.length === 0) {
      this.final = null;
      return;
    }
    this.finalLoading = true;
    this.finalError = null;
    try {
      const answer = await inspectionApi.finalScores(this.picked, signal);
      if (!signal.aborted) this.final = answer;
    } catch (error) {
      if (!signal.aborted) this.finalError = error;
    } finally {
      if (!signal.aborted) this.finalLoading = false;
    }
  }

  toggleRound(id: number): void {
    this.picked = this.picked.includes(id) ? this.picked.filter((other) => other !== id) : [...this.picked, id].sort((a, b) => a - b);
  }

  sortPoints(key: PointSortKey): void {
    if (this.pointSort === key) this.pointDirection = this.pointDirection === 'asc' ? 'desc' : 'asc';
    else {
      this.pointSort = key;
      this.pointDirection = key === 'score' || key === 'checkedAt' ? 'desc' : 'asc';
    }
  }

  sortCommunities(key: CommunitySortKey): void {
    if (this.communitySort === key) this.communityDirection = this.communityDirection === 'asc' ? 'desc' : 'asc';
    else {
      this.communitySort = key;
      this.communityDirection = key === 'name' ? 'asc' : 'desc';
    }
  }
}

/** The route sheet asked for in the address (`#/print/round/{id}/group/{groupId}`), if any. */
class SheetAddress {
  current = $state.raw<SheetRoute | null>(typeof location === 'undefined' ? null : parseSheetHash(location.hash));

  constructor() {
    if (typeof window === 'undefined') return;
    window.addEventListener('hashchange', () => {
      this.current = parseSheetHash(location.hash);
    });
  }

  /** Leave the sheet for the app. */
  close(): void {
    history.replaceState(null, '', `${location.pathname}${location.search}`);
    this.current = null;
  }
}

export const sheetAddress = new SheetAddress();

const INSPECTION_KEY = Symbol('civgrid.inspection');

export function setInspectionContext(planner: InspectionPlanner): InspectionPlanner {
  return setContext(INSPECTION_KEY, planner);
}

export function getInspectionContext(): InspectionPlanner {
  const planner = getContext<InspectionPlanner | undefined>(INSPECTION_KEY);
  if (!planner) throw new Error('getInspectionContext() called outside <App>');
  return planner;
}
