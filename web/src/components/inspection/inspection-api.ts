/**
 * The planner's calls for inspection rounds (检查轮次): rounds, groups,
 * assignment and routes (`/api/inspection/rounds*`), the checklists, the field
 * checks with their conflicts (`/api/inspection/checks*`), and the
 * scores (`/api/inspection/rounds/{id}/scores`, `/api/inspection/scores`).
 * The answers' shapes are the server's contract (server/src/contracts/inspection.ts).
 */
import type {
  AssignAnswer, Check, CheckConflict, Checklists, ChecklistItem, ChecksPage, CommunityScore, ConflictReason, FinalScores, Group, Inspector,
  Member, PointScore, Rating, RatingThresholds, Round, RoundScores, RoundStatus, RouteCollection, RouteProps, StopProps, UserRef,
  GroupsAnswer, InspectorsAnswer, RoundsAnswer,
} from '@civgrid/server/contracts/inspection';
import { request } from '../../api/client.ts';

export { CONFLICT_REASONS, ROUND_STATUSES } from '@civgrid/server/contracts/inspection';
export type {
  AssignAnswer, Check, CheckConflict, Checklists, ChecklistItem, CommunityScore, ConflictReason, FinalScores, Group, Inspector, Member,
  PointScore, RatingThresholds, Round, RoundScores, RoundStatus, RouteCollection, RouteProps, StopProps, UserRef,
};
/** A rating's key (好/中/差 as good/fair/poor). */
export type RatingKey = Rating;

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
  rounds: (signal: AbortSignal) => request<RoundsAnswer>(`${BASE}/rounds`, { signal }),
  round: (id: number, signal?: AbortSignal) => request<Round>(`${BASE}/rounds/${id}`, { signal }),
  createRound: (input: RoundInput) => request<Round>(`${BASE}/rounds`, { method: 'POST', body: input }),
  updateRound: (id: number, patch: Partial<RoundInput> & { version: number }) =>
    request<Round>(`${BASE}/rounds/${id}`, { method: 'PATCH', body: patch }),
  createGroups: (roundId: number, count: number) =>
    request<GroupsAnswer>(`${BASE}/rounds/${roundId}/groups`, { method: 'POST', body: { count } }),
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
  inspectors: (signal: AbortSignal) => request<InspectorsAnswer>(`${BASE}/inspectors`, { signal }),
  checklists: (signal?: AbortSignal) => request<Checklists>(`${BASE}/checklists`, { signal }),
  scores: (roundId: number, signal: AbortSignal) => request<RoundScores>(`${BASE}/rounds/${roundId}/scores`, { signal }),
  finalScores: (roundIds: readonly number[], signal: AbortSignal) =>
    request<FinalScores>(`${BASE}/scores?rounds=${roundIds.join(',')}`, { signal }),
  checks: (query: CheckQuery, signal?: AbortSignal) => {
    const params = new URLSearchParams({ round: String(query.round), limit: String(query.limit) });
    if (query.conflict) params.set('conflict', 'true');
    if (query.before != null) params.set('before', String(query.before));
    return request<ChecksPage>(`${BASE}/checks?${params}`, { signal });
  },
  check: (id: number, signal?: AbortSignal) => request<Check>(`${BASE}/checks/${id}`, { signal }),
};
