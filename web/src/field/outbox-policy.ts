import { ApiError } from '../api/client.ts';
import type { CheckEntry } from './field-db.ts';

/**
 * What a failed send means for a check or a problem report in the outbox:
 * - `retry`: nothing was decided (no network, the server or a proxy failing,
 *   too many requests): keep it and send it again later, with the same key;
 * - `sign-in`: the session ended: keep it, and ask the person to sign in;
 * - `rejected`: the server refused this check (409 round closed, 422 a point
 *   not in the round, a key reused …): keep it, shown on the check with the
 *   server's reason, never dropped silently and not sent again by itself.
 */
export type SendVerdict = 'retry' | 'sign-in' | 'rejected';

export function verdictOf(error: unknown): SendVerdict {
  if (!(error instanceof ApiError)) return 'retry';
  if (error.status === 0 || error.status >= 500 || error.status === 429 || error.status === 408) return 'retry';
  if (error.status === 401) return 'sign-in';
  // a refused CSRF token is refreshed and retried by the client once; if it still fails, try later
  if (error.status === 403 && error.code === 'csrf_failed') return 'retry';
  return 'rejected';
}

export type PointCheckState = 'unchecked' | 'pending' | 'synced' | 'conflict' | 'rejected';

/** The state of a point on the route, from its checks in the outbox: a refusal or a wait first, then a conflict. */
export function pointState(entries: readonly CheckEntry[]): PointCheckState {
  if (entries.length === 0) return 'unchecked';
  if (entries.some((e) => e.state === 'rejected')) return 'rejected';
  if (entries.some((e) => e.state === 'pending')) return 'pending';
  if (entries.some((e) => e.answer?.check.conflict)) return 'conflict';
  return 'synced';
}
