/** An inclusive byte range of a representation, as in `Content-Range: bytes start-end/size`. */
export interface ByteRange {
  start: number;
  end: number;
}

const SINGLE_RANGE = /^bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i;

/**
 * The one range a `Range` header asks for within `size` bytes (RFC 9110
 * §14.1.2): `bytes=a-b`, `bytes=a-` or the suffix `bytes=-n`; an end past
 * the last byte is clamped. Undefined for anything we do not serve: a
 * malformed header, several ranges, or a range starting past the end.
 */
export function parseByteRange(header: string, size: number): ByteRange | undefined {
  const match = SINGLE_RANGE.exec(header);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return undefined;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start) || start >= size) return undefined;
  if (last === '') return { start, end: size - 1 };
  const end = Number(last);
  if (end < start) return undefined;
  return { start, end: Math.min(end, size - 1) };
}
