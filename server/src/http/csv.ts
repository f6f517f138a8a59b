/**
 * Decimals a longitude or latitude keeps in every export: 1e-7° is about
 * 1 cm, finer than any survey the data comes from, so an export read back
 * lands on the stored point.
 */
export const COORDINATE_DECIMALS = 7;

/**
 * A column: its header, and for numbers the decimals it is written with.
 * Without `decimals` a number is written exactly as JavaScript reads it
 * back (shortest round-trip form), never rounded by accident of its type.
 */
export type CsvColumn = string | { name: string; decimals: number };

/** A longitude or latitude column (COORDINATE_DECIMALS). */
export const coordinateColumn = (name: string): CsvColumn => ({ name, decimals: COORDINATE_DECIMALS });
/** A column of metres or square metres: centimetres are as far as a measure on a map is meaningful. */
export const measureColumn = (name: string): CsvColumn => ({ name, decimals: 2 });

/** RFC 4180 CSV with a UTF-8 BOM (so Excel opens Chinese text correctly). */
export function toCsv(columns: readonly CsvColumn[], rows: unknown[][]): string {
  const names = columns.map((c) => (typeof c === 'string' ? c : c.name));
  const decimals = columns.map((c) => (typeof c === 'string' ? undefined : c.decimals));
  const lines = [names.map((name) => cell(name)), ...rows.map((row) => row.map((value, i) => cell(value, decimals[i])))];
  return `\uFEFF${lines.map((line) => line.join(',')).join('\r\n')}\r\n`;
}

function cell(value: unknown, decimals?: number): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' ? number(value, decimals) : String(value);
  // Spreadsheets execute cells starting with these; keep them text.
  if (/^[=+\-@\t\r]/.test(text) && typeof value !== 'number') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function number(value: number, decimals: number | undefined): string {
  if (!Number.isFinite(value)) return '';
  // a declared precision is written in full (110.3000000), so a column reads alike on every row
  return decimals === undefined ? String(value) : value.toFixed(decimals);
}
