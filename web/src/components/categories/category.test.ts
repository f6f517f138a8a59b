import { describe, expect, it } from 'vitest';
import { type Category, groupCategories } from './category.ts';

const cat = (id: string, parentId: string | null, kind: Category['kind'], sort: number): Category => ({
  id, parentId, kind, nameZh: id, nameEn: id, dutyTypeId: null, deadlineHours: parentId ? 24 : null, duplicateRadiusM: 30, sort,
});

describe('groupCategories', () => {
  it('puts events before components, majors and minors in their order', () => {
    const list = [
      cat('cmp-utility', null, 'component', 1),
      cat('cmp-utility-manhole', 'cmp-utility', 'component', 2),
      cat('evt-order', null, 'event', 2),
      cat('evt-order-parking', 'evt-order', 'event', 2),
      cat('evt-order-vending', 'evt-order', 'event', 1),
      cat('evt-env', null, 'event', 1),
      cat('evt-env-waste', 'evt-env', 'event', 1),
    ];
    const grouped = groupCategories(list);
    expect(grouped.map((k) => k.kind)).toEqual(['event', 'component']);
    expect(grouped[0]!.groups.map((g) => [g.major.id, g.minors.map((m) => m.id)])).toEqual([
      ['evt-env', ['evt-env-waste']],
      ['evt-order', ['evt-order-vending', 'evt-order-parking']],
    ]);
    expect(grouped[1]!.groups.map((g) => g.major.id)).toEqual(['cmp-utility']);
  });

  it('leaves out a major class with nothing under it, and keeps an orphan minor on its own', () => {
    const grouped = groupCategories([cat('evt-empty', null, 'event', 1), cat('evt-x-y', 'evt-gone', 'event', 1)]);
    expect(grouped).toHaveLength(1);
    expect(grouped[0]!.groups.map((g) => [g.major.id, g.minors.map((m) => m.id)])).toEqual([['evt-x-y', ['evt-x-y']]]);
  });
});
