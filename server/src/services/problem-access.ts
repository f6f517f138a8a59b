import type { AuthUser } from '../auth/session.service.ts';
import { inScope } from './user.service.ts';

/**
 * What of a problem (案件) a signed-in role may read. Every read of problems
 * goes through these rules (list, CSV export, detail, photos, duplicates,
 * tiles, transitions' answers), so that one decision holds everywhere.
 *
 * - Cases: a handler (处置单位) works its own organisation's cases and reads
 *   only those; a handler without an organisation reads none. Every other
 *   role reads the district's cases (the map is shared, see policy.ts).
 * - The reporter (a citizen's contact, or the staff account that filed the
 *   case) is read only by those who handle the case: supervisors (the
 *   campaign office registers, dispatches and calls back citizens,
 *   district-wide), admins within their scope, and the handler of the
 *   owning organisation. Planners, inspectors and viewers do not need to
 *   call the citizen, so they never see the contact.
 */
export type ProblemReader = Pick<AuthUser, 'role' | 'scopeCode' | 'organisationId'>;

/** A district's national code has six digits; shorter or equal scopes see unplaced problems too. */
const DISTRICT_CODE_LENGTH = 6;

/**
 * The owning organisation a reader is limited to: a handler's own (0 for a
 * handler without one, which owns nothing); undefined for every other role.
 */
export function ownerLimitOf(reader: ProblemReader): number | undefined {
  return reader.role === 'handler' ? (reader.organisationId ?? 0) : undefined;
}

/** Whether the reader sees the case at all. */
export function mayReadCase(reader: ProblemReader, problem: { ownerOrgId: number | null }): boolean {
  const limit = ownerLimitOf(reader);
  return limit === undefined || (problem.ownerOrgId !== null && problem.ownerOrgId === limit);
}

/** Whether the reader sees who reported the case (a citizen's contact). */
export function maySeeReporter(reader: ProblemReader, problem: { ownerOrgId: number | null; placeCode: string | null }): boolean {
  switch (reader.role) {
    case 'supervisor':
      return true;
    case 'admin':
      return problem.placeCode === null ? reader.scopeCode.length <= DISTRICT_CODE_LENGTH : inScope(reader, problem.placeCode);
    case 'handler':
      return mayReadCase(reader, problem);
    default:
      return false;
  }
}

/** A problem as it leaves the server for this reader: without `reporter` when the reader may not see it. */
export type ReadableProblem<T extends { reporter: string | null }> = Omit<T, 'reporter'> & { reporter?: string | null };

export function forReader<T extends { reporter: string | null; ownerOrgId: number | null; placeCode: string | null }>(reader: ProblemReader, problem: T): ReadableProblem<T> {
  if (maySeeReporter(reader, problem)) return problem;
  const { reporter: _hidden, ...rest } = problem;
  return rest;
}
