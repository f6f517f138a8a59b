import { describe, expect, it } from 'vitest';
import { formatArea, formatLength, formatMoment, today } from './format.ts';

describe('editor formats', () => {
  it('writes areas as a person reads them: m² below a hectare, grouped; hectares from 10,000 m²', () => {
    expect(formatArea(0)).toBe('0.0 m²');
    expect(formatArea(3.44)).toBe('3.4 m²');
    expect(formatArea(35.24)).toBe('35 m²');
    expect(formatArea(849.6)).toBe('850 m²');
    expect(formatArea(9_850.2)).toBe('9,850 m²');
    expect(formatArea(12_345, 'ha')).toBe('1.23 ha');
    expect(formatArea(124_000)).toBe('12.4 公顷');
    expect(formatArea(12_345_678)).toBe('1,235 公顷');
    expect(formatArea(-850)).toBe('-850 m²');
    expect(formatArea(Number.NaN)).toBe('—');
  });

  it('keeps hundredths of a hectare in totals, so filling 1,000 m² of a 144 ha total shows', () => {
    expect(formatArea(1_441_234, '公顷', true)).toBe('144.12 公顷');
    expect(formatArea(1_441_234 - 1_000, '公顷', true)).toBe('144.02 公顷');
    expect(formatArea(1_441_234)).toBe('144 公顷');
    expect(formatArea(850, '公顷', true)).toBe('850 m²');
  });

  it('writes lengths in m with one decimal, km from 1,000 m', () => {
    expect(formatLength(0)).toBe('0.0 m');
    expect(formatLength(2.04)).toBe('2.0 m');
    expect(formatLength(999.94)).toBe('999.9 m');
    expect(formatLength(1_234)).toBe('1.23 km');
    expect(formatLength(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('writes moments and days in local time', () => {
    const at = new Date(2026, 10, 1, 9, 5);
    expect(formatMoment(at.toISOString())).toBe('2026-11-01 09:05');
    expect(formatMoment('not a date')).toBe('not a date');
    expect(today(at)).toBe('2026-11-01');
  });
});
