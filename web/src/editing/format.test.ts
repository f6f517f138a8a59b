import { describe, expect, it } from 'vitest';
import { formatArea, formatMoment, today } from './format.ts';

describe('editor formats', () => {
  it('writes areas in m² with one decimal, hectares from 10,000 m²', () => {
    expect(formatArea(0)).toBe('0.0 m²');
    expect(formatArea(35.24)).toBe('35.2 m²');
    expect(formatArea(120.45)).toBe('120.5 m²');
    expect(formatArea(9999.9)).toBe('9999.9 m²');
    expect(formatArea(12_345, 'ha')).toBe('1.23 ha');
    expect(formatArea(Number.NaN)).toBe('—');
  });

  it('writes moments and days in local time', () => {
    const at = new Date(2026, 10, 1, 9, 5);
    expect(formatMoment(at.toISOString())).toBe('2026-11-01 09:05');
    expect(formatMoment('not a date')).toBe('not a date');
    expect(today(at)).toBe('2026-11-01');
  });
});
