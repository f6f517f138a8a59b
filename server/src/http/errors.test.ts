import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { handleError } from './errors.ts';
import { silentLogger } from './logger.ts';

/** An error as either engine's driver raises it: a message and a SQLSTATE. */
const dbError = (code: string, message: string) => Object.assign(new Error(message), { code });

const answer = async (error: Error) => {
  const app = new Hono();
  app.onError(handleError(silentLogger));
  app.get('/', () => {
    throw error;
  });
  const res = await app.request('/');
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error: { code: string; message: string } } };
};

describe('database errors caused by a request’s geometry', () => {
  it.each([
    ['Antipodal (180 degrees long) edge detected'],
    ['lwgeom_intersection_prec: GEOS Error: TopologyException: Input geom 1 is invalid: Self-intersection at 1 2'],
    ['IllegalArgumentException: Invalid number of points in LinearRing found 3 - must be 0 or >= 4'],
    ['Geometry has Z dimension but column does not'],
  ])('answers 422 invalid_geometry to PostGIS refusing a shape: %s', async (message) => {
    const { status, body } = await answer(dbError('XX000', message));
    expect(status).toBe(422);
    expect(body.error.code).toBe('invalid_geometry');
    // no internals: PostGIS's own words stay in the log
    expect(body.error.message).not.toContain(message);
  });

  it('keeps other internal errors a 500', async () => {
    const { status, body } = await answer(dbError('XX000', 'could not read block 7 in file "base/1/2"'));
    expect(status).toBe(500);
    expect(body.error.code).toBe('internal_error');
  });

  it('answers a statement timeout with 503 and Retry-After', async () => {
    const { status, retryAfter, body } = await answer(dbError('57014', 'canceling statement due to statement timeout'));
    expect(status).toBe(503);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(body.error.code).toBe('query_timeout');
  });
});
