import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from './logger.ts';

/** A failure the client can act on: it maps to its status and our error shape. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, details);
export const notFound = (code: string, message: string, details?: unknown) => new AppError(404, code, message, details);
export const unauthorized = (code: string, message: string) => new AppError(401, code, message);
export const forbidden = (code: string, message: string, details?: unknown) => new AppError(403, code, message, details);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);
export const unprocessable = (code: string, message: string, details?: unknown) => new AppError(422, code, message, details);

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Connection-level failures of either engine: the database is down, not the request wrong. */
function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P01', '57P03'].includes(String(code)) ||
    /PGlite is closed/i.test(error.message)
  );
}

/**
 * Messages with which PostGIS and GEOS refuse a geometry. They arrive as an
 * internal error (SQLSTATE XX000, PostGIS's lwerror) or as a data exception
 * (22023 and friends, caught above as well), never as a dedicated code.
 */
const POSTGIS_REFUSAL = /antipodal|lwgeom|GEOS|TopologyException|IllegalArgumentException|geography|geometry|polygon|linestring|\bring\b|coordinate|SRID|parse error/i;

/** An internal error raised by PostGIS over a geometry, which came from the request. */
export function isGeometryRefusal(sqlState: string, message: string): boolean {
  return sqlState === 'XX000' && POSTGIS_REFUSAL.test(message);
}

/** Hono onError: domain errors keep their status; anything else is logged and answered without internals. */
export function handleError(logger: Logger) {
  return (error: Error, c: Context) => {
    const requestId = c.get('requestId') as string | undefined;
    if (error instanceof AppError) {
      // a refusal that will pass later (429 over a limit, 503 busy) says when
      const retryAfter = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if ((error.status === 429 || error.status === 503) && typeof retryAfter === 'number') c.header('Retry-After', String(retryAfter));
      return c.json(errorBody(error.code, error.message, error.details), error.status);
    }
    if (isDatabaseUnavailable(error)) {
      logger.error('database unavailable', { requestId, error: error.message });
      return c.json(errorBody('database_unavailable', 'The database cannot be reached. Try again shortly.'), 503);
    }
    const sqlState = String((error as { code?: unknown }).code ?? '');
    if (/^22[0-9A-Z]{3}$/.test(sqlState)) {
      // A data exception (a value the database cannot take): the input's fault, which the
      // edge should have caught; logged so that it gets a validator of its own.
      logger.warn('data exception reached the database', { requestId, sqlState, error: error.message });
      return c.json(errorBody('invalid_value', 'A value in the request cannot be stored or compared.', { requestId }), 400);
    }
    if (isGeometryRefusal(sqlState, error.message)) {
      // PostGIS (or GEOS under it) refusing a shape: the request's geometry got past the edge
      // checks; logged so that the edge learns to refuse it, answered as the input's fault.
      logger.warn('geometry refused by PostGIS', { requestId, sqlState, error: error.message });
      return c.json(errorBody('invalid_geometry', 'The database cannot work with this geometry. Check the shape and where it lies.', { requestId }), 422);
    }
    if (sqlState === '57014') {
      // statement_timeout (PostgreSQL): the query ran longer than a request may
      logger.warn('statement timed out', { requestId, error: error.message });
      c.header('retry-after', '30');
      return c.json(errorBody('query_timeout', 'The request took the database too long. Ask for a smaller area or fewer rows, or try again later.', { requestId }), 503);
    }
    if (sqlState === '23503') {
      logger.warn('reference to a missing row', { requestId, error: error.message });
      return c.json(errorBody('invalid_reference', 'The request refers to something that does not exist.', { requestId }), 400);
    }
    if (sqlState === '23505') {
      return c.json(errorBody('conflict', 'This already exists.', { requestId }), 409);
    }
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Hono's own HTTPExceptions (e.g. a malformed body) stay client errors.
      return c.json(errorBody('bad_request', error.message || 'Bad request'), status as ContentfulStatusCode);
    }
    logger.error('unhandled error', { requestId, error: error.message, stack: error.stack });
    return c.json(errorBody('internal_error', 'Something went wrong on our side.', { requestId }), 500);
  };
}
