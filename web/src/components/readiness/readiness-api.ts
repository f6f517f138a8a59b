/** The readiness board's calls: the rounds (H1's list), the board of a round, and a point's people (`PATCH /api/inspection-points/:id`). */
import { request } from '../../api/client.ts';
import type { InspectionPointDetail } from '../../api/types.ts';

export const REASONS = [
  'no_leader', 'no_department', 'no_people', 'no_owner', 'several_owners', 'overdue_problems',
  'never_checked', 'check_stale', 'no_checklist', 'unassigned',
] as const;
export type ReasonCode = (typeof REASONS)[number];

export interface Reason {
  reason: ReasonCode;
  duty?: string;
  count?: number;
  days?: number;
}

export interface Ref {
  id: number;
  name: string;
}

export interface ReadinessPoint {
  pointId: number;
  code: string;
  name: string;
  pointType: string;
  street: Ref | null;
  community: Ref | null;
  group: Ref | null;
  visitOrder: number | null;
  lon: number;
  lat: number;
  version: number;
  ready: boolean;
  reasons: Reason[];
  peopleCount: number;
  leader: Ref | null;
  department: Ref | null;
  openProblems: number;
  overdueProblems: number;
  lastCheckedAt: string | null;
  daysSinceCheck: number | null;
  checklistItems: number;
}

export interface StreetSummary {
  id: number | null;
  name: string | null;
  points: number;
  ready: number;
}

export interface ReadinessAnswer {
  round: Ref;
  radiusM: number;
  staleDays: number;
  summary: { points: number; ready: number; notReady: number; reasons: Record<ReasonCode, number>; streets: StreetSummary[] };
  duties: Record<string, { nameZh: string; nameEn: string }>;
  points: ReadinessPoint[];
}

/** What the board needs of a round (`GET /api/inspection/rounds`). */
export interface RoundOption {
  id: number;
  name: string;
  startsOn: string;
  endsOn: string;
  status: 'planning' | 'active' | 'closed';
  groups: { id: number; name: string; color: string | null }[];
}

/** An inspection point as `GET /api/inspection-points/:id` answers it, with the version a change must name. */
export interface PointDetail extends InspectionPointDetail {
  version: number;
}

export interface PointChange {
  version: number;
  leaderPersonId?: number | null;
  departmentOrgId?: number | null;
  peopleIds?: number[];
}

export interface BoardFilters {
  group: string;
  street: string;
  type: string;
  ready: '' | 'true' | 'false';
}

/** The board's query: the round and the filters set (empty ones left out). */
export function boardParams(round: number, filters: BoardFilters, format: 'json' | 'csv' = 'json'): URLSearchParams {
  const params = new URLSearchParams({ round: String(round) });
  for (const key of ['group', 'street', 'type', 'ready'] as const) if (filters[key]) params.set(key, filters[key]);
  if (format === 'csv') params.set('format', 'csv');
  return params;
}

export const readinessApi = {
  rounds: (signal: AbortSignal) => request<{ rounds: RoundOption[] }>('/api/inspection/rounds', { signal }),
  board: (round: number, filters: BoardFilters, signal: AbortSignal) =>
    request<ReadinessAnswer>(`/api/inspection/readiness?${boardParams(round, filters)}`, { signal }),
  /** URL that downloads the board as CSV (the session cookie goes with a plain link). */
  csvUrl: (round: number, filters: BoardFilters) => `/api/inspection/readiness?${boardParams(round, filters, 'csv')}`,
  point: (id: number, signal: AbortSignal) => request<PointDetail>(`/api/inspection-points/${id}`, { signal }),
  updatePoint: (id: number, change: PointChange) => request<PointDetail>(`/api/inspection-points/${id}`, { method: 'PATCH', body: change }),
};
