import { describe, expect, it } from 'vitest';
import type { ReadinessPoint, RoundOption } from './readiness-api.ts';
import { boardParams } from './readiness-api.ts';
import { defaultRound, readyPercent, reasonText, sortPoints } from './readiness.ts';

const round = (id: number, startsOn: string, status: RoundOption['status']): RoundOption => ({ id, name: `轮${id}`, startsOn, endsOn: startsOn, status, groups: [] });
const point = (code: string, extra: Partial<ReadinessPoint> = {}): ReadinessPoint => ({
  pointId: Number(code.slice(-2)), code, name: code, pointType: '主次干道', street: null, community: null, group: null, visitOrder: null,
  lon: 110, lat: 25, version: 1, ready: true, reasons: [], peopleCount: 1, leader: null, department: null, openProblems: 0,
  overdueProblems: 0, lastCheckedAt: null, daysSinceCheck: null, checklistItems: 3, ...extra,
});

describe('the round the board opens on', () => {
  it('is the latest active round, else the latest', () => {
    expect(defaultRound([round(1, '2026-11-02', 'closed'), round(2, '2026-12-01', 'planning'), round(3, '2026-11-20', 'active')])?.id).toBe(3);
    expect(defaultRound([round(1, '2026-11-02', 'closed'), round(2, '2026-12-01', 'planning')])?.id).toBe(2);
    expect(defaultRound([])).toBeUndefined();
  });
});

describe('sorting the points', () => {
  const a = point('BJD-01', { reasons: [{ reason: 'no_people' }, { reason: 'never_checked' }], daysSinceCheck: null });
  const b = point('BJD-02', { reasons: [], daysSinceCheck: 3, group: { id: 2, name: '第10组' } });
  const c = point('BJD-03', { reasons: [{ reason: 'unassigned' }], daysSinceCheck: 12, group: { id: 1, name: '第2组' } });

  it('puts the most reasons and the oldest checks first, never checked oldest of all', () => {
    expect(sortPoints([b, c, a], 'reasons', 'desc').map((p) => p.code)).toEqual(['BJD-01', 'BJD-03', 'BJD-02']);
    expect(sortPoints([b, c, a], 'days', 'desc').map((p) => p.code)).toEqual(['BJD-01', 'BJD-03', 'BJD-02']);
  });

  it('orders groups by their number, the points without one last', () => {
    expect(sortPoints([a, b, c], 'group', 'asc').map((p) => p.code)).toEqual(['BJD-03', 'BJD-02', 'BJD-01']);
  });

  it('breaks ties by code', () => {
    expect(sortPoints([c, b, a], 'code', 'asc').map((p) => p.code)).toEqual(['BJD-01', 'BJD-02', 'BJD-03']);
    expect(sortPoints([point('BJD-05'), point('BJD-04')], 'reasons', 'desc').map((p) => p.code)).toEqual(['BJD-04', 'BJD-05']);
  });
});

describe('reasons and figures', () => {
  const duties = { 'city-order': { nameZh: '市容秩序', nameEn: 'Street order' } };
  const t = (key: string, params?: Record<string, string | number>) => `${key}|${JSON.stringify(params)}`;

  it('names the duty in the language shown, or by its id when unknown', () => {
    expect(reasonText({ reason: 'no_owner', duty: 'city-order' }, duties, 'zh', t)).toBe('readiness.chip.no_owner|{"duty":"市容秩序","count":0,"days":0}');
    expect(reasonText({ reason: 'several_owners', duty: 'city-order' }, duties, 'en', t)).toContain('"duty":"Street order"');
    expect(reasonText({ reason: 'no_owner', duty: 'mystery' }, duties, 'en', t)).toContain('"duty":"mystery"');
    expect(reasonText({ reason: 'check_stale', days: 10 }, duties, 'zh', t)).toContain('"days":10');
  });

  it('rounds the ready share and survives an empty round', () => {
    expect(readyPercent(2, 3)).toBe(67);
    expect(readyPercent(0, 0)).toBe(0);
  });

  it('asks for the filters set and nothing else', () => {
    expect(boardParams(4, { group: 'none', street: '', type: '', ready: 'false' }).toString()).toBe('round=4&group=none&ready=false');
    expect(boardParams(4, { group: '', street: '7', type: '主次干道', ready: '' }, 'csv').toString()).toBe(`round=4&street=7&type=${encodeURIComponent('主次干道')}&format=csv`);
  });
});
