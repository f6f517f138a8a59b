import { describe, expect, it } from 'vitest';
import { checkRating, checkScore, failCounts, peopleOf, reasonKey } from './check-view.ts';

const item = (result: 'pass' | 'fail' | 'serious') => ({ itemId: 1, result, note: null, problemId: null });
const thresholds = { good: 90, fair: 75 };

describe('check view helpers', () => {
  it('scores a check out of 100 with one decimal, never below 0', () => {
    expect(checkScore({ score: 45, maxScore: 50 })).toBe(90);
    expect(checkScore({ score: 2, maxScore: 3 })).toBe(66.7);
    expect(checkScore({ score: -10, maxScore: 30 })).toBe(0);
    expect(checkScore({ score: 0, maxScore: 0 })).toBe(0);
  });

  it('rates it by the thresholds; a serious item caps it at fair', () => {
    expect(checkRating({ score: 9, maxScore: 10, items: [item('pass')] }, thresholds)).toBe('good');
    expect(checkRating({ score: 8, maxScore: 10, items: [item('fail')] }, thresholds)).toBe('fair');
    expect(checkRating({ score: 7, maxScore: 10, items: [item('fail')] }, thresholds)).toBe('poor');
    expect(checkRating({ score: 95, maxScore: 100, items: [item('serious')] }, thresholds)).toBe('fair');
  });

  it('counts failed and seriously failing items apart', () => {
    expect(failCounts({ items: [item('pass'), item('fail'), item('serious'), item('fail')] })).toEqual({ fail: 2, serious: 1 });
  });

  it('names each known conflict reason, and an unknown one as other', () => {
    expect(reasonKey('point_changed')).toBe('rounds.conflict.point_changed');
    expect(reasonKey('stale_package')).toBe('rounds.conflict.stale_package');
    expect(reasonKey('something_new')).toBe('rounds.conflict.unknown');
  });

  it('knows the round’s members and leaders by id, over the accounts listed', () => {
    const round = {
      groups: [{ members: [{ id: 1, username: 'a', displayName: '甲' }], leader: { id: 2, displayName: '乙' } }],
    } as unknown as Parameters<typeof peopleOf>[0];
    const names = peopleOf(round, [{ id: 1, displayName: 'old' }, { id: 3, displayName: '丙' }]);
    expect([...names].sort()).toEqual([[1, '甲'], [2, '乙'], [3, '丙']]);
  });
});
