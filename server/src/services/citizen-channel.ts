import type { ProblemStatus } from '../repositories/problem.repository.ts';

/**
 * What the citizen channel (Open311 GeoReport v2, without an account)
 * publishes of the cases: the citizens' own reports (the citizen page and
 * Open311 both store `source = 'citizen'`), never staff, grid-worker,
 * inspection, camera or imported cases, never voided ones (a void case was
 * judged not to be one), never who reported. Where a category points at a
 * person, a household or a business, the position is coarsened to a grid
 * cell, as FixMyStreet does for its non-public categories.
 */
export const PUBLISHED_SOURCES: readonly string[] = ['citizen'];
export const PUBLISHED_STATUSES: readonly ProblemStatus[] = ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified', 'closed'];

/**
 * Categories whose exact position would name someone: laundry hung out is
 * someone's home, business outside a shop is that shop, a street vendor is
 * a person at their pitch, a badly parked vehicle is its owner's. Their
 * positions are published coarsened; the rest (rubbish, broken lights, road
 * damage) are about public things and need their exact place to be found.
 */
export const SENSITIVE_CATEGORIES: ReadonlySet<string> = new Set([
  'evt-order-laundry',
  'evt-order-outside-shop',
  'evt-order-street-vending',
  'evt-order-parking',
]);

/**
 * The coarse grid in degrees: a cell is 0.0015° (~167 m north–south, ~151 m
 * east–west at Guilin's 25° N) and a coarsened position is its cell's
 * centre, at most half the diagonal (~113 m there) from the real point.
 * Snapping, unlike random jitter, gives the same answer every time, so
 * asking again and averaging reveals nothing more.
 */
export const COARSE_CELL_DEGREES = 0.0015;

export function isPublished(problem: { source: string; status: ProblemStatus }): boolean {
  return PUBLISHED_SOURCES.includes(problem.source) && PUBLISHED_STATUSES.includes(problem.status);
}

/** The centre of the coarse grid cell holding the point, rounded to 7 decimals (1 cm). */
export function coarsen(lon: number, lat: number): { lon: number; lat: number } {
  const centre = (v: number) => Math.round((Math.floor(v / COARSE_CELL_DEGREES) + 0.5) * COARSE_CELL_DEGREES * 1e7) / 1e7;
  return { lon: centre(lon), lat: centre(lat) };
}

/** The position the citizen channel publishes for a case of this category. */
export function publicPosition(categoryId: string, lon: number, lat: number): { lon: number; lat: number } {
  return SENSITIVE_CATEGORIES.has(categoryId) ? coarsen(lon, lat) : { lon, lat };
}
