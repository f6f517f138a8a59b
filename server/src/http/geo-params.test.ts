import { describe, expect, it } from 'vitest';
import { bboxParam, idParam, latitude, longitude } from './geo-params.ts';

describe('bboxParam', () => {
  it('parses four ordered numbers', () => {
    expect(bboxParam.parse('110.2, 25.2,110.4,25.3')).toEqual([110.2, 25.2, 110.4, 25.3]);
  });
  it.each([
    ['1,2,3'], ['1,2,3,4,5'], ['a,b,c,d'], ['1,,3,4'], ['NaN,1,2,3'], ['1,2,Infinity,4'],
    ['3,1,2,4'], ['1,4,2,3'], ['-181,0,1,1'], ['0,-91,1,1'], ['0,0,181,1'],
  ])('refuses %s', (value) => {
    expect(bboxParam.safeParse(value).success).toBe(false);
  });
});

describe('longitude / latitude', () => {
  it('accepts the range limits and refuses beyond them', () => {
    expect(longitude.parse('180')).toBe(180);
    expect(latitude.parse('-90')).toBe(-90);
    for (const bad of ['180.0001', '', ' ', 'abc', '1e999', 'NaN']) expect(longitude.safeParse(bad).success).toBe(false);
    expect(latitude.safeParse('90.5').success).toBe(false);
  });
});

describe('idParam', () => {
  it('takes positive 32-bit integers only', () => {
    expect(idParam.parse('42')).toBe(42);
    for (const bad of ['0', '-1', '1.5', '1e3', '007', 'abc', '2147483648']) expect(idParam.safeParse(bad).success).toBe(false);
  });
});
