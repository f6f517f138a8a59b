import { describe, expect, it } from 'vitest';
import { isSliver, pointIssues, suggestOwner } from './coverage.service.ts';

const n = (owner_id: number, shared_m: number, zone_id = owner_id * 10) => ({
  zone_id, zone_name: `z${zone_id}`, owner_id, owner_name: `o${owner_id}`, shared_m,
});

describe('suggestOwner', () => {
  it('picks the owner with the longest shared border, summed over its zones', () => {
    // owner 2 has two short borders that together beat owner 1's single longer one
    expect(suggestOwner([n(1, 300), n(2, 200, 21), n(2, 150, 22)])?.owner_id).toBe(2);
    expect(suggestOwner([n(1, 300), n(2, 200, 21), n(2, 150, 22)])?.shared_m).toBe(350);
    // the gap goes to that owner's zone with the longest shared border
    expect(suggestOwner([n(1, 300), n(2, 150, 22), n(2, 200, 21)])?.zone_id).toBe(21);
  });
  it('breaks ties by the lower id and has no suggestion without neighbours', () => {
    expect(suggestOwner([n(5, 100), n(3, 100)])?.owner_id).toBe(3);
    expect(suggestOwner([])).toBeNull();
  });
});

describe('isSliver', () => {
  it('is narrower or smaller than the tolerance', () => {
    const t = { minWidthM: 1, minAreaM2: 10 };
    expect(isSliver({ width_m: 0.5, area_m2: 5000 }, t)).toBe(true);
    expect(isSliver({ width_m: 5, area_m2: 9 }, t)).toBe(true);
    expect(isSliver({ width_m: 1, area_m2: 10 }, t)).toBe(false);
  });
});

describe('pointIssues', () => {
  const people = { has_leader: true, has_department: true, people_count: 2 };
  const sanitation = (city: number, town: number) => [
    { duty: 'sanitation-city', coverage: 'full' as const, group: 'sanitation', zones: city },
    { duty: 'sanitation-town', coverage: 'full' as const, group: 'sanitation', zones: town },
  ];
  it('judges the two sanitation tiers together: one owner in either tier is right', () => {
    expect(pointIssues({ ...people, duties: sanitation(1, 0) })).toEqual([]);
    expect(pointIssues({ ...people, duties: sanitation(0, 1) })).toEqual([]);
    expect(pointIssues({ ...people, duties: sanitation(0, 0) })).toEqual([{ issue: 'no_owner', duty: 'sanitation' }]);
    expect(pointIssues({ ...people, duties: sanitation(1, 1) })).toEqual([{ issue: 'several_owners', duty: 'sanitation' }]);
  });
  it('flags a full duty without owner, but a partial duty only when it overlaps', () => {
    const duties = [
      { duty: 'city-order', coverage: 'full' as const, group: null, zones: 0 },
      { duty: 'frontage', coverage: 'partial' as const, group: null, zones: 0 },
      { duty: 'greening', coverage: 'partial' as const, group: null, zones: 2 },
    ];
    expect(pointIssues({ ...people, duties })).toEqual([
      { issue: 'no_owner', duty: 'city-order' },
      { issue: 'several_owners', duty: 'greening' },
    ]);
  });
  it('names missing people', () => {
    expect(pointIssues({ has_leader: false, has_department: false, people_count: 0, duties: [] }).map((i) => i.issue)).toEqual([
      'no_leader', 'no_department', 'no_people',
    ]);
  });
});
