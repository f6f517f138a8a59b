import { ValidationReasons } from 'terra-draw';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en.ts';
import { zh } from '../i18n/zh.ts';
import { reasonKey } from './draw-reasons.ts';

describe('drawing refusals in words', () => {
  it('has Chinese and English words for every reason terra-draw gives', () => {
    for (const reason of Object.values(ValidationReasons)) {
      const key = reasonKey(reason);
      expect(zh[key], reason).toMatch(/[\u4e00-\u9fff]/);
      expect(zh[key], reason).not.toContain(reason);
      expect(en[key], reason).toBeTruthy();
    }
  });

  it('says "intersects itself" in Chinese, and anything unknown reads as invalid', () => {
    expect(zh[reasonKey('Feature intersects itself')]).toContain('自相交');
    expect(reasonKey('something new')).toBe('screensc.reason.other');
  });
});
