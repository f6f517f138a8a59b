/**
 * The planner's calls for inspection rounds (检查轮次): rounds, groups,
 * assignment and routes (`/api/inspection/rounds*`), the checklists, the field
 * checks with their conflicts (`/api/inspection/checks*`), and the
 * scores (`/api/inspection/rounds/{id}/scores`, `/api/inspection/scores`).
 * Shapes as the issue-8 contract gives them; everything JSON is camelCase.
 */
import type { FeatureCollection, MultiLineString, Point } from 'geojson';
import { request } from '../../api/client.ts';

export type RoundStatus = 'planning' | 'active' | 'closed';
export const ROUND_STATUSES: readonly RoundStatus[] = ['planning', 'active', 'closed'];

export interface UserRef {
  id: number;
  displayName: string;
}

export interface Member extends UserRef {
  username: string;
}

export interface Group {
  id: number;
  roundId: number;
  name: string;
  color: string | null;
  sort: number;
  leader: UserRef | null;
  members: Member[];
  pointCount: number;
  start: { lon: number; lat: number } | null;
  route: { lengthM: number; durationS: number; method: string } | null;
}

export interface Round {
  id: number;
  name: string;
  startsOn: string;
  endsOn: string;
  /** In (0, 1]: the round's share of the final score. */
  weight: number;
  status: RoundStatus;
  version: number;
  pointCount: number;
  assignedCount: number;
  groups: Group[];
  myGroupIds?: number[];
}

export interface RoundInput {
  name: string;
  startsOn: string;
  endsOn: string;
  weight: number;
  status?: RoundStatus;
}

export interface GroupPatch {
  name?: string;
  memberIds?: number[];
  leaderId?: number | null;
  color?: string;
}

export interface Inspector {
  id: number;
  username: string;
  displayName: string;
  role: string;
}

export interface AssignAnswer {
  groups: { id: number; pointIds: number[]; lengthM: number; durationS: number }[];
  unassigned: number[];
}

export interface RouteProps {
  kind: 'route';
  groupId: number;
  groupName: string;
  color: string | null;
  lengthM: number;
  durationS: number;
  pointCount: number;
  method: 'pgrouting' | 'dijkstra' | string;
}

export interface StopProps {
  kind: 'stop';
  groupId: number;
  groupName: string;
  color: string | null;
  /** 1-based visiting order within the group. */
  order: number;
  pointId: number;
  code: string;
  name: string;
  pointType: string;
  /** Metres from the previous stop (or the start) along the roads. */
  legM: number | null;
}

export type RouteCollection = FeatureCollection<MultiLineString | Point, RouteProps | StopProps>;

export interface ChecklistItem {
  id: number;
  code: string;
  section: string;
  label: string;
  labelEn: string;
  points: number;
  categoryId: string | null;
}

export interface Checklists {
  types: { pointType: string; items: ChecklistItem[] }[];
}

export type RatingKey = 'good' | 'fair' | 'poor';

export interface PointScore {
  pointId: number;
  code: string;
  name: string;
  score: number | null;
  rating: RatingKey | string | null;
  checkedAt: string | null;
  serious: boolean;
}

export interface CommunityScore {
  id: number | null;
  name: string | null;
  score: number | null;
  rating: RatingKey | string | null;
  points: number;
}

export interface RatingThresholds {
  good: number;
  fair: number;
}

/** One round's scores (GET /api/inspection/rounds/{id}/scores): the checked points, their communities, the round. */
export interface RoundScores {
  round: { id: number; name: string; weight: number; status?: string };
  thresholds?: RatingThresholds;
  /** Mean of the checked points' scores; null when none is checked. */
  score: number | null;
  rating: RatingKey | string | null;
  checkedCount?: number;
  pointCount?: number;
  points: PointScore[];
  communities: CommunityScore[];
  unchecked: number[];
}

/** The weighted final over several rounds (GET /api/inspection/scores?rounds=). */
export interface FinalScores {
  rounds: { id: number; name: string; weight: number; score: number | null; rating?: RatingKey | string | null; checkedCount?: number; pointCount?: number }[];
  thresholds?: RatingThresholds;
  score: number | null;
  rating: RatingKey | string | null;
  communities?: { id: number; name: string; score: number; rating: RatingKey | string; rounds: number }[];
}

export type ConflictReason = 'point_changed' | 'already_checked' | 'reassigned' | 'stale_package';
export const CONFLICT_REASONS: readonly ConflictReason[] = ['point_changed', 'already_checked', 'reassigned', 'stale_package'];

/** What differed between the device's view and the server's when a check came in (the check is kept either way). */
export interface CheckConflict {
  reasons: (ConflictReason | string)[];
  /** The point's version on the server when the check came in. */
  serverPointVersion: number;
  /** The point's earlier checks in the round. */
  otherCheckIds: number[];
  /** The group the point was assigned to then, when not the check's own. */
  assignedGroupId?: number | null;
  /** The group's offline package on the server then, when the device had another. */
  serverPackageVersion?: string;
}

/** One stored field check (GET /api/inspection/checks, /checks/{id}). */
export interface Check {
  id: number;
  roundId: number;
  groupId: number | null;
  pointId: number;
  userId: number | null;
  /** The device's clock. */
  checkedAt: string;
  /** The server's clock. */
  receivedAt: string;
  /** Σ earned points (pass: the item's points, fail 0, serious −points). */
  score: number;
  maxScore: number;
  note: string | null;
  pointVersion: number | null;
  packageVersion: string | null;
  lon: number | null;
  lat: number | null;
  items: { itemId: number; result: 'pass' | 'fail' | 'serious'; note: string | null; problemId: number | null }[];
  photos: { id: number; itemId: number | null }[];
  conflict: CheckConflict | null;
}

export interface CheckQuery {
  round: number;
  conflict?: boolean;
  limit: number;
  before?: number | null;
}

const BASE = '/api/inspection';

/** A check's photo (a thumbnail when `thumb`). */
export const checkPhotoUrl = (checkId: number, photoId: number, thumb = false) =>
  `${BASE}/checks/${checkId}/photos/${photoId}${thumb ? '?size=thumb' : ''}`;

export const inspectionApi = {
  rounds: (signal: AbortSignal) => request<{ rounds: Round[] }>(`${BASE}/rounds`, { signal }),
  round: (id: number, signal?: AbortSignal) => request<Round>(`${BASE}/rounds/${id}`, { signal }),
  createRound: (input: RoundInput) => request<Round>(`${BASE}/rounds`, { method: 'POST', body: input }),
  updateRound: (id: number, patch: Partial<RoundInput> & { version: number }) =>
    request<Round>(`${BASE}/rounds/${id}`, { method: 'PATCH', body: patch }),
  createGroups: (roundId: number, count: number) =>
    request<{ groups: Group[] }>(`${BASE}/rounds/${roundId}/groups`, { method: 'POST', body: { count } }),
  updateGroup: (roundId: number, groupId: number, patch: GroupPatch) =>
    request<unknown>(`${BASE}/rounds/${roundId}/groups/${groupId}`, { method: 'PATCH', body: patch }),
  deleteGroup: (roundId: number, groupId: number) =>
    request<unknown>(`${BASE}/rounds/${roundId}/groups/${groupId}`, { method: 'DELETE' }),
  autoAssign: (roundId: number) =>
    request<AssignAnswer>(`${BASE}/rounds/${roundId}/assign`, { method: 'POST', body: { mode: 'auto' } }),
  assign: (roundId: number, assignments: { pointId: number; groupId: number | null }[]) =>
    request<AssignAnswer>(`${BASE}/rounds/${roundId}/assign`, { method: 'POST', body: { mode: 'explicit', assignments } }),
  routes: (roundId: number, signal?: AbortSignal, groupId?: number) =>
    request<RouteCollection>(`${BASE}/rounds/${roundId}/routes${groupId === undefined ? '' : `?group=${groupId}`}`, { signal }),
  inspectors: (signal: AbortSignal) => request<{ users: Inspector[] }>(`${BASE}/inspectors`, { signal }),
  checklists: (signal?: AbortSignal) => request<Checklists>(`${BASE}/checklists`, { signal }),
  scores: (roundId: number, signal: AbortSignal) => request<RoundScores>(`${BASE}/rounds/${roundId}/scores`, { signal }),
  finalScores: (roundIds: readonly number[], signal: AbortSignal) =>
    request<FinalScores>(`${BASE}/scores?rounds=${roundIds.join(',')}`, { signal }),
  checks: (query: CheckQuery, signal?: AbortSignal) => {
    const params = new URLSearchParams({ round: String(query.round), limit: String(query.limit) });
    if (query.conflict) params.set('conflict', 'true');
    if (query.before != null) params.set('before', String(query.before));
    return request<{ checks: Check[]; next: number | null }>(`${BASE}/checks?${params}`, { signal });
  },
  check: (id: number, signal?: AbortSignal) => request<Check>(`${BASE}/checks/${id}`, { signal }),
};
