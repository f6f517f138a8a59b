/**
 * What an audit entry changed, field by field: for an update the fields whose
 * value differs, for a creation every field of `after`, for a deletion every
 * field of `before`. Geometry is drawn on the map, not listed.
 */
export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

const HIDDEN = new Set(['geometry', 'geom', 'updatedAt', 'updated_at', 'scopeName']);
const MAX_TEXT = 120;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as a short line of text; `null` for nothing. */
export function show(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** How a field's value is written; `show` unless the caller knows better (a role's name, a territory's). */
export type Formatter = (field: string, value: unknown) => string | null;

export function diffFields(before: unknown, after: unknown, format: Formatter = (_field, value) => show(value)): FieldChange[] {
  if (!isRecord(before) && !isRecord(after)) {
    if (before === null && after === null) return [];
    if (same(before, after)) return [];
    return [{ field: '', before: format('', before), after: format('', after) }];
  }
  const a = isRecord(before) ? before : {};
  const b = isRecord(after) ? after : {};
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((field) => !HIDDEN.has(field));
  const changes: FieldChange[] = [];
  for (const field of fields) {
    if (isRecord(before) && isRecord(after) && same(a[field], b[field])) continue;
    changes.push({ field, before: isRecord(before) ? format(field, a[field]) : null, after: isRecord(after) ? format(field, b[field]) : null });
  }
  return changes;
}
