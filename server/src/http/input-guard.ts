import type { MiddlewareHandler } from 'hono';
import type { Env } from './env.ts';
import { errorBody } from './errors.ts';
import { checkJsonText, JSON_BODY_LIMITS } from './nesting.ts';

/** Content types the API reads from a request body. */
const ACCEPTED = ['application/json'];
/**
 * Routes that take a file as multipart/form-data. The file's bytes are
 * judged by their content (upload.ts), not searched for NUL characters:
 * a zip or a shapefile is full of them.
 */
const UPLOAD_PATHS = new Set(['/api/import', '/api/problems', '/api/public/problems', '/api/problems/import', '/api/inspection/checks']);
/** Upload paths with an id in them: a problem's transition carries the feedback's photos. */
const UPLOAD_PATTERNS = [/^\/api\/problems\/\d+\/transitions$/];
const isUploadPath = (path: string) => UPLOAD_PATHS.has(path) || UPLOAD_PATTERNS.some((pattern) => pattern.test(path));

/** A body is announced by its length or by chunked transfer (HTTP/1.1); a bare POST has neither. */
function announcesBody(headers: Headers): boolean {
  const length = headers.get('content-length');
  return (length !== null && length !== '0') || headers.has('transfer-encoding');
}

/**
 * Refusals that hold for every API route, before any route code runs:
 * - a body in a content type the API does not read → 415 (a form post or
 *   text/plain must not be taken for an empty JSON object);
 * - a NUL character anywhere in the URL or a JSON body → 400: PostgreSQL
 *   cannot store or compare it, and no real name or description has one;
 * - a JSON body nested too deep (422) or with too many arrays and objects
 *   (413), judged from its text before any parser or validator recurses.
 */
export function inputGuard(): MiddlewareHandler<Env> {
  return async (c, next) => {
    if (/%00/i.test(c.req.url)) {
      return c.json(errorBody('invalid_request', 'NUL characters are not accepted in a URL.'), 400);
    }
    const typeHeader = c.req.header('content-type');
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(c.req.method) && (typeHeader !== undefined || announcesBody(c.req.raw.headers))) {
      const type = (typeHeader ?? '').split(';')[0]!.trim().toLowerCase();
      if (type === 'multipart/form-data' && isUploadPath(c.req.path) && c.req.method === 'POST') return next();
      // Open311 clients post form-encoded, as GeoReport v2 says
      if (type === 'application/x-www-form-urlencoded' && c.req.path.startsWith('/open311/')) {
        if (/%00/i.test(await c.req.text())) return c.json(errorBody('invalid_request', 'NUL characters are not accepted.'), 400);
        return next();
      }
      if (!ACCEPTED.includes(type)) {
        return c.json(errorBody('unsupported_media_type', `Send the body as ${ACCEPTED.join(' or ')}, not "${type || 'no content type'}".`), 415);
      }
      // Hono keeps the text, so the route's own JSON parsing reads it again without the stream
      const text = await c.req.text();
      if (text.includes('\\u0000')) {
        return c.json(errorBody('invalid_request', 'NUL characters (\\u0000) are not accepted.'), 400);
      }
      checkJsonText(text, JSON_BODY_LIMITS);
    }
    await next();
  };
}
