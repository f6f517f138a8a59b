import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';

describe('toCsv', () => {
  it('quotes commas, quotes and newlines, and starts with a BOM', () => {
    const csv = toCsv(['name', 'area'], [['象山街道, 南门', 12.345], ['say "hi"', 3], ['a\nb', null]]);
    expect(csv).toBe('\uFEFFname,area\r\n"象山街道, 南门",12.35\r\n"say ""hi""",3\r\n"a\nb",\r\n');
  });
  it('neutralises spreadsheet formulas in text but not negative numbers', () => {
    expect(toCsv(['x'], [['=HYPERLINK("x")'], [-5]])).toBe('\uFEFFx\r\n"\'=HYPERLINK(""x"")"\r\n-5\r\n');
  });
});
