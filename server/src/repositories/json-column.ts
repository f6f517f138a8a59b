/**
 * A json column as a value. postgres.js and PGlite both parse json already;
 * this also accepts text, so a driver setting cannot silently change types.
 */
export function jsonColumn<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}
