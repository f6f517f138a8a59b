import { describe, expect, it } from 'vitest';
import { coordinateColumn, measureColumn, toCsv } from './csv.ts';

describe('toCsv', () => {
  it('quotes commas, quotes and newlines, and starts with a BOM', () => {
    const csv = toCsv(['name', 'count'], [['象山街道, 南门', 12], ['say "hi"', 3], ['a\nb', null]]);
    expect(csv).toBe('\uFEFFname,count\r\n"象山街道, 南门",12\r\n"say ""hi""",3\r\n"a\nb",\r\n');
  });
  it('neutralises spreadsheet formulas in text but not negative numbers', () => {
    expect(toCsv(['x'], [['=HYPERLINK("x")'], [-5]])).toBe('\uFEFFx\r\n"\'=HYPERLINK(""x"")"\r\n-5\r\n');
  });
  it('writes coordinates with 7 decimals: 2 decimals were up to 700 m off', () => {
    const csv = toCsv([coordinateColumn('lon'), coordinateColumn('lat')], [[110.28976543219, 25.2736049], [110.3, -25]]);
    expect(csv).toBe('\uFEFFlon,lat\r\n110.2897654,25.2736049\r\n110.3000000,-25.0000000\r\n');
  });
  it('writes measures with their own precision and undeclared numbers without rounding', () => {
    const csv = toCsv([measureColumn('area_m2'), 'ratio'], [[1234.5678, 0.123456789], [0.004, 1 / 3]]);
    expect(csv).toBe(`\uFEFFarea_m2,ratio\r\n1234.57,0.123456789\r\n0.00,${String(1 / 3)}\r\n`);
  });
  it('leaves a number that is not finite empty rather than writing NaN', () => {
    expect(toCsv(['x'], [[Number.NaN], [Number.POSITIVE_INFINITY]])).toBe('\uFEFFx\r\n\r\n\r\n');
  });
});
