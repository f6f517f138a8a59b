import type { ProblemPageMeta, ProblemSort, TimelineEntry } from '@civgrid/server/contracts/problems';
import { request, upload } from '../../api/client.ts';
import type { WorkflowAction, WorkflowStatus } from './workflow.ts';

/** Shapes of the problem (案件) API as the staff workspace reads them; see server/src/routes/problems. */

export type ProblemStatus = WorkflowStatus;
export const PROBLEM_STATUSES: readonly ProblemStatus[] = ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified', 'closed', 'void'];
export const OPEN_STATUSES: readonly ProblemStatus[] = ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified'];

export type Warning = 'none' | 'yellow' | 'red';

export interface Category {
  id: string;
  parentId: string | null;
  kind: 'component' | 'event';
  nameZh: string;
  nameEn: string;
  dutyTypeId: string | null;
  deadlineHours: number | null;
  duplicateRadiusM: number;
  sort: number;
}

export interface Problem {
  id: number;
  categoryId: string;
  categoryName: string;
  status: ProblemStatus;
  description: string | null;
  source: string;
  lon: number;
  lat: number;
  ownerOrgId: number | null;
  ownerName: string | null;
  blindSpot: boolean;
  disputed: boolean;
  reportedAt: string;
  dispatchedAt: string | null;
  dueAt: string | null;
  closedAt: string | null;
  /** Who reported (a citizen's contact): only for those who handle the case (supervisors, admins in scope, the owning handler); absent for others. */
  reporter?: string | null;
  reworkCount: number;
  urgeCount: number;
  escalated: boolean;
  voidReason: string | null;
  version: number;
  deadlineHours: number | null;
  elapsedWorkingHours: number | null;
  warning: Warning;
}

export type { ProblemSort, TimelineEntry };
export const PROBLEM_SORTS: readonly ProblemSort[] = ['newest', 'oldest'];

export interface ProblemPhoto {
  id: number;
  stage: 'report' | 'feedback' | 'verify';
  /** The timeline step the photo came with (null: not known). */
  eventId: number | null;
  mime: string;
  size: number;
  takenAt: string | null;
  createdAt: string;
  createdBy: string | null;
}

export interface ProblemDetail extends Problem {
  timeline: TimelineEntry[];
  photos: ProblemPhoto[];
}

export interface Duplicates {
  radiusM: number;
  /** The cases nearby the reader may see. */
  problems: (Problem & { distanceM: number })[];
  /** How many other organisations' cases are nearby (a handler sees no more of them). */
  othersNearby: number;
}

export type Action = WorkflowAction;

export interface TransitionInput {
  action: Action;
  version: number;
  note?: string | undefined;
  ownerOrgId?: number | undefined;
  photos?: File[] | undefined;
}

/** The list's filters as the server reads them (`GET /api/problems?…`). */
export interface ProblemQuery {
  status?: readonly ProblemStatus[] | undefined;
  category?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  warning?: readonly Warning[] | undefined;
  blindSpot?: boolean | undefined;
  disputed?: boolean | undefined;
  /** By report time; the server's default is `newest`. */
  sort?: ProblemSort | undefined;
  /** Only the states where the reader has the next step (我的待办). */
  todo?: boolean | undefined;
  limit?: number | undefined;
  before?: number | undefined;
}

export function problemParams(query: ProblemQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.status?.length) params.set('status', query.status.join(','));
  if (query.category) params.set('category', query.category);
  if (query.from) params.set('from', query.from);
  if (query.to) params.set('to', query.to);
  if (query.warning?.length) params.set('warning', query.warning.join(','));
  if (query.blindSpot !== undefined) params.set('blindSpot', String(query.blindSpot));
  if (query.disputed !== undefined) params.set('disputed', String(query.disputed));
  if (query.sort !== undefined) params.set('sort', query.sort);
  if (query.todo) params.set('todo', 'true');
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.before !== undefined) params.set('before', String(query.before));
  return params;
}

/** The download of a filtered list as CSV (the session cookie goes with a plain link); at most 10,000 rows. */
export function problemCsvUrl(query: ProblemQuery): string {
  const params = problemParams({ ...query, limit: 10_000, before: undefined });
  params.set('format', 'csv');
  return `/api/problems?${params}`;
}

export const photoUrl = (problemId: number, photoId: number, thumb = false) => `/api/problems/${problemId}/photos/${photoId}${thumb ? '?size=thumb' : ''}`;

export const problemApi = {
  categories: (signal: AbortSignal) => request<{ categories: Category[] }>('/api/categories', { signal }),
  list: (query: ProblemQuery, signal: AbortSignal) => request<{ problems: Problem[] } & ProblemPageMeta>(`/api/problems?${problemParams(query)}`, { signal }),
  get: (id: number, signal?: AbortSignal) => request<ProblemDetail>(`/api/problems/${id}`, { signal }),
  duplicates: (lon: number, lat: number, categoryId: string, signal: AbortSignal) =>
    request<Duplicates>(`/api/problems/duplicates?lon=${lon.toFixed(7)}&lat=${lat.toFixed(7)}&categoryId=${encodeURIComponent(categoryId)}`, { signal }),
  /** A staff report; `key` is the form's Idempotency-Key, the same when the same report is sent again. */
  report: (input: { lon: number; lat: number; crs: 'wgs84' | 'gcj02'; categoryId: string; description: string; photos: File[] }, key: string) => {
    const form = new FormData();
    form.set('lon', String(input.lon));
    form.set('lat', String(input.lat));
    form.set('crs', input.crs);
    form.set('categoryId', input.categoryId);
    if (input.description) form.set('description', input.description);
    for (const photo of input.photos) form.append('photos', photo, photo.name);
    return upload<Problem>('/api/problems', form, { headers: { 'idempotency-key': key } });
  },
  /** A workflow step: JSON, or a multipart form when photos go with it (反馈, 核查). */
  transition: (id: number, input: TransitionInput) => {
    const path = `/api/problems/${id}/transitions`;
    if (!input.photos?.length) {
      const { photos: _photos, ...body } = input;
      return request<Problem>(path, { method: 'POST', body });
    }
    const form = new FormData();
    form.set('action', input.action);
    form.set('version', String(input.version));
    if (input.note) form.set('note', input.note);
    if (input.ownerOrgId !== undefined) form.set('ownerOrgId', String(input.ownerOrgId));
    for (const photo of input.photos) form.append('photos', photo, photo.name);
    return upload<Problem>(path, form);
  },
};
