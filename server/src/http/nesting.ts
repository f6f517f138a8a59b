import { AppError } from './errors.ts';

/**
 * Cheap, linear scans of JSON and XML text, run before the text is parsed.
 * A parser builds a tree node by node and the code after it (validation,
 * cloning, stringifying, PostgreSQL's own JSON reader) walks that tree
 * recursively: a document nested 100,000 levels deep overflows the stack, and
 * 20 MB of `{},` or `<a/>` becomes gigabytes of objects. Both are refused from
 * the bytes, without recursion and without building anything.
 */

/** Deepest nesting accepted: GeoJSON needs 6 (a FeatureCollection's MultiPolygon coordinates), KML about 12 plus its folders. */
export const MAX_NESTING = 64;

export interface TextLimits {
  /** Deepest nesting of arrays and objects (JSON) or elements (XML). */
  maxDepth: number;
  /** Most arrays and objects (JSON) or elements (XML) in all: each costs ~100 (JSON) to ~900 (XML DOM) bytes of memory once parsed. */
  maxNodes: number;
}

/** A JSON request body (or a form's JSON part): no route reads anything nested deeper than GeoJSON, or a million arrays and objects (8 MB of `{},` would be 2.7 million). */
export const JSON_BODY_LIMITS: TextLimits = { maxDepth: MAX_NESTING, maxNodes: 1_000_000 };

export function tooDeeplyNested(kind: 'JSON' | 'XML', limit: number): AppError {
  return new AppError(422, 'too_deeply_nested', `The ${kind} is nested more than ${limit} levels deep; no real document is.`, { limit });
}

function tooManyNodes(kind: 'JSON' | 'XML', limit: number): AppError {
  const what = kind === 'JSON' ? 'arrays and objects' : 'elements';
  return new AppError(413, 'too_many_values', `The ${kind} holds more than ${limit.toLocaleString('en')} ${what}; split it.`, { limit });
}

/**
 * Refuses JSON text nested deeper than `maxDepth` (422 too_deeply_nested)
 * or holding more than `maxNodes` arrays and objects (413 too_many_values).
 * Brackets inside strings are skipped; the text is not otherwise validated
 * (JSON.parse does that next).
 */
export function checkJsonText(text: string, limits: TextLimits): void {
  let depth = 0;
  let nodes = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote, over escaped characters
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limits.maxDepth) throw tooDeeplyNested('JSON', limits.maxDepth);
      if (++nodes > limits.maxNodes) throw tooManyNodes('JSON', limits.maxNodes);
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
}

/**
 * The same for XML: elements nested deeper than `maxDepth` or more than
 * `maxNodes` elements are refused. Comments, CDATA sections, processing
 * instructions and the DOCTYPE are skipped, quoted attribute values are not
 * taken for tags; malformed text is left for the XML parser to refuse.
 */
export function checkXmlText(text: string, limits: TextLimits): void {
  let depth = 0;
  let nodes = 0;
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    if (text.startsWith('<!--', i)) i = after(text, '-->', i + 4);
    else if (text.startsWith('<![CDATA[', i)) i = after(text, ']]>', i + 9);
    else if (text.startsWith('<?', i)) i = after(text, '?>', i + 2);
    else if (text.startsWith('<!', i)) i = afterDeclaration(text, i + 2);
    else if (text.startsWith('</', i)) {
      depth--;
      i = after(text, '>', i + 2);
    } else {
      const end = tagEnd(text, i + 1);
      if (end < 0) return;
      if (++nodes > limits.maxNodes) throw tooManyNodes('XML', limits.maxNodes);
      if (depth + 1 > limits.maxDepth) throw tooDeeplyNested('XML', limits.maxDepth);
      // not self-closing: one level deeper until its end tag
      if (text.charCodeAt(end - 1) !== 0x2f) depth++;
      i = end + 1;
    }
    if (i < 0) return;
    i = text.indexOf('<', i);
  }
}

/** The index just past the next `marker` from `from`, or -1. */
function after(text: string, marker: string, from: number): number {
  const at = text.indexOf(marker, from);
  return at < 0 ? -1 : at + marker.length;
}

/** The index of the `>` closing a start tag, over quoted attribute values, or -1. */
function tagEnd(text: string, from: number): number {
  let quote = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x3e) return i;
  }
  return -1;
}

/** Past a `<!DOCTYPE …>` (with an internal subset in brackets) or another declaration. */
function afterDeclaration(text: string, from: number): number {
  let bracket = 0;
  let quote = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x5b) bracket++;
    else if (c === 0x5d) bracket--;
    else if (c === 0x3e && bracket <= 0) return i + 1;
  }
  return -1;
}
