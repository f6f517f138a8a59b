import { describe, expect, it } from 'vitest';
import { type ReadinessPoint, readinessReasons, reasonZh, summarise } from './readiness.service.ts';

const covered = { has_leader: true, has_department: true, people_count: 2, duties: [{ duty: 'city-order', coverage: 'full' as const, group: null, zones: 1 }] };
const fine = { overdue_problems: 0, since_check_s: 3600, checklist_items: 5, group_id: 1 };
const DAY = 86_400;

describe('readiness reasons', () => {
  it('finds none for a point with people, one owner, no overdue problem, a fresh check, a checklist and a group', () => {
    expect(readinessReasons(covered, fine, 7)).toEqual([]);
  });

  it('keeps the blind-spot engine’s issues and adds the board’s own, in a fixed order', () => {
    const reasons = readinessReasons(
      { has_leader: false, has_department: true, people_count: 0, duties: [{ duty: 'city-order', coverage: 'full', group: null, zones: 0 }] },
      { overdue_problems: 3, since_check_s: null, checklist_items: 0, group_id: null },
      7,
    );
    expect(reasons).toEqual([
      { reason: 'no_leader' }, { reason: 'no_people' }, { reason: 'no_owner', duty: 'city-order' }, { reason: 'overdue_problems', count: 3 },
      { reason: 'never_checked' }, { reason: 'no_checklist' }, { reason: 'unassigned' },
    ]);
  });

  it('calls a check stale only past the days allowed, in whole days', () => {
    expect(readinessReasons(covered, { ...fine, since_check_s: 7 * DAY }, 7)).toEqual([]);
    expect(readinessReasons(covered, { ...fine, since_check_s: 7 * DAY + 60 }, 7)).toEqual([{ reason: 'check_stale', days: 7 }]);
    expect(readinessReasons(covered, { ...fine, since_check_s: 10.9 * DAY }, 7)).toEqual([{ reason: 'check_stale', days: 10 }]);
  });

  it('says the reasons in Chinese for the CSV', () => {
    const duties = { 'city-order': { nameZh: '市容秩序', nameEn: 'Street order' } };
    expect(reasonZh({ reason: 'no_owner', duty: 'city-order' }, duties)).toBe('市容秩序无责任单位');
    expect(reasonZh({ reason: 'several_owners', duty: 'unknown' }, duties)).toBe('unknown多头管理');
    expect(reasonZh({ reason: 'overdue_problems', count: 2 }, duties)).toBe('周边有2件超期问题');
    expect(reasonZh({ reason: 'check_stale', days: 9 }, duties)).toBe('9天未检查');
  });
});

describe('the summary', () => {
  const p = (id: number, street: number | null, reasons: ReadinessPoint['reasons']) =>
    ({ pointId: id, street: street === null ? null : { id: street, name: `街道${street}` }, ready: reasons.length === 0, reasons }) as ReadinessPoint;

  it('counts points, ready ones, each reason once per point, and per street (streets by id, none last)', () => {
    const s = summarise([
      p(1, 2, []),
      p(2, 1, [{ reason: 'no_owner', duty: 'a' }, { reason: 'no_owner', duty: 'b' }]),
      p(3, null, [{ reason: 'unassigned' }]),
      p(4, 1, []),
    ]);
    expect(s).toMatchObject({ points: 4, ready: 2, notReady: 2 });
    expect(s.reasons.no_owner).toBe(1);
    expect(s.reasons.unassigned).toBe(1);
    expect(s.reasons.no_people).toBe(0);
    expect(s.streets).toEqual([
      { id: 1, name: '街道1', points: 2, ready: 1 },
      { id: 2, name: '街道2', points: 1, ready: 1 },
      { id: null, name: null, points: 1, ready: 0 },
    ]);
  });
});
