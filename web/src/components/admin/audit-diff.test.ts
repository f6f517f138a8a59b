import { describe, expect, it } from 'vitest';
import { diffFields, show } from './audit-diff.ts';

describe('audit entry changes', () => {
  it('lists only the fields an update changed, old and new', () => {
    const before = { username: 'li.ming', role: 'viewer', active: true, scope: '450304001' };
    const after = { username: 'li.ming', role: 'planner', active: false, scope: '450304001' };
    expect(diffFields(before, after)).toEqual([
      { field: 'role', before: 'viewer', after: 'planner' },
      { field: 'active', before: 'true', after: 'false' },
    ]);
  });

  it('lists every field of a creation and of a deletion, without the geometry', () => {
    const zone = { name: '城东片区', owner: 12, geometry: { type: 'Point', coordinates: [110.3, 25.2] } };
    expect(diffFields(null, zone)).toEqual([
      { field: 'name', before: null, after: '城东片区' },
      { field: 'owner', before: null, after: '12' },
    ]);
    expect(diffFields(zone, null)).toEqual([
      { field: 'name', before: '城东片区', after: null },
      { field: 'owner', before: '12', after: null },
    ]);
  });

  it('has nothing to list for an entry without values, and shows a field that appeared or went', () => {
    expect(diffFields(null, null)).toEqual([]);
    expect(diffFields({ a: 1 }, { a: 1 })).toEqual([]);
    expect(diffFields({ a: 1 }, { a: 1, b: null })).toEqual([{ field: 'b', before: null, after: null }]);
    expect(diffFields({ a: 1, b: 'x' }, { a: 1 })).toEqual([{ field: 'b', before: 'x', after: null }]);
  });

  it('compares nested values by content and shortens long ones', () => {
    expect(diffFields({ tags: ['a', 'b'] }, { tags: ['a', 'b'] })).toEqual([]);
    expect(diffFields({ tags: ['a'] }, { tags: ['a', 'b'] })).toEqual([{ field: 'tags', before: '["a"]', after: '["a","b"]' }]);
    const long = show('x'.repeat(500));
    expect(long?.length).toBe(120);
    expect(long?.endsWith('…')).toBe(true);
  });
});
