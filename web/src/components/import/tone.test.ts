import { describe, expect, it } from 'vitest';
import { formatBytes, newIdempotencyKey, toneOf } from './tone.ts';

describe('import preview tones', () => {
  it('puts what blocks the import first, then overlaps, then repairs', () => {
    const overlap = { code: 'overlaps_existing', message: 'Overlaps 1 existing zone(s) of this duty by 12 m².' };
    expect(toneOf({ status: 'ok', findings: [] })).toBe('ok');
    expect(toneOf({ status: 'repaired', findings: [{ code: 'self_intersection', message: '' }] })).toBe('repaired');
    expect(toneOf({ status: 'repaired', findings: [overlap] })).toBe('overlap');
    expect(toneOf({ status: 'ok', findings: [{ code: 'overlap', message: '' }] })).toBe('overlap');
    expect(toneOf({ status: 'outside_territory', findings: [overlap] })).toBe('blocked');
    expect(toneOf({ status: 'invalid', findings: [] })).toBe('blocked');
    expect(toneOf({ status: 'unknown_owner', findings: [] })).toBe('blocked');
  });

  it('says sizes in bytes, KB and MB', () => {
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(12_697)).toBe('12.4 KB');
    expect(formatBytes(3.25 * 1024 * 1024)).toBe('3.3 MB');
  });

  it('makes a different key each time', () => {
    expect(newIdempotencyKey()).not.toBe(newIdempotencyKey());
    expect(newIdempotencyKey().length).toBeGreaterThanOrEqual(32);
  });
});
