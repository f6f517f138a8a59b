import { describe, expect, it } from 'vitest';
import { ownershipStatus } from './responsibility.service.ts';

describe('ownershipStatus', () => {
  it('names a place without an owner a blind spot and one with several a dispute', () => {
    expect(ownershipStatus(0)).toBe('none');
    expect(ownershipStatus(1)).toBe('single');
    expect(ownershipStatus(2)).toBe('multiple');
    expect(ownershipStatus(5)).toBe('multiple');
  });
});
