import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.ts';
import type { CheckEntry } from './field-db.ts';
import { pointState, verdictOf } from './outbox-policy.ts';

const entry = (state: CheckEntry['state'], conflict = false): CheckEntry => ({
  kind: 'check', key: crypto.randomUUID(), userId: 1, packageKey: '1:1:1', photos: [], state, savedAt: '2026-11-03T08:00:00Z', attempts: 0, lastAttemptAt: null, error: null,
  body: { roundId: 1, groupId: 1, pointId: 1, checkedAt: '2026-11-03T08:00:00Z', pointVersion: 1, packageVersion: 'v', items: [] },
  answer: state === 'synced' ? { check: { id: 1, score: 100, maxScore: 100, conflict: conflict ? { reasons: ['point_changed'] } : null }, problems: [] } : null,
});

describe('verdictOf: what a failed send means for a check in the outbox', () => {
  it('keeps it for later when nothing was decided: no network, a failing server or proxy, too many requests', () => {
    for (const status of [0, 500, 502, 503, 504, 429, 408]) expect(verdictOf(new ApiError('x', 'x', status))).toBe('retry');
    expect(verdictOf(new TypeError('Failed to fetch'))).toBe('retry');
    expect(verdictOf(new ApiError('csrf_failed', 'x', 403))).toBe('retry');
  });

  it('asks to sign in when the session ended, and shows the server\'s refusals on the check', () => {
    expect(verdictOf(new ApiError('session_expired', 'x', 401))).toBe('sign-in');
    for (const [code, status] of [['round_closed', 409], ['point_not_in_round', 422], ['idempotency_key_reused', 422], ['not_group_member', 403], ['invalid_request', 400]] as const) {
      expect(verdictOf(new ApiError(code, 'x', status))).toBe('rejected');
    }
  });
});

describe('pointState: a point on the route', () => {
  it('is unchecked, waiting, synced, in conflict or refused, the worst first', () => {
    expect(pointState([])).toBe('unchecked');
    expect(pointState([entry('synced')])).toBe('synced');
    expect(pointState([entry('synced'), entry('pending')])).toBe('pending');
    expect(pointState([entry('synced', true)])).toBe('conflict');
    expect(pointState([entry('synced', true), entry('pending')])).toBe('pending');
    expect(pointState([entry('pending'), entry('rejected')])).toBe('rejected');
  });
});
