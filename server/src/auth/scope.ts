import { forbidden } from '../http/errors.ts';
import type { AuthUser } from './session.service.ts';

/**
 * Scope checks shared by every write. An account's scope is a node of the
 * territory; a place is in scope when its national code starts with the
 * scope's code (codes nest: district 450304, street 450304001, community
 * 450304001002, grid …). Something without a place of its own (a setting,
 * a point outside every community, an organisation without a territory)
 * belongs to the district as a whole.
 */

/** Length of a district's territory code: a scope this short covers the whole district. */
export const DISTRICT_CODE_LENGTH = 6;

type Scoped = Pick<AuthUser, 'scopeCode'>;

/** The user's scope covers the whole district. */
export function isDistrictScoped(user: Scoped): boolean {
  return user.scopeCode.length <= DISTRICT_CODE_LENGTH;
}

/**
 * A place (a territory code; null: the district as a whole) is within the
 * user's scope. An installation serves one district, so an account scoped to
 * the district covers every place it holds.
 */
export function inScope(user: Scoped, code: string | null): boolean {
  return isDistrictScoped(user) || (code?.startsWith(user.scopeCode) ?? false);
}

/**
 * An organisation (by its territory's code; null: a district-wide unit) may be
 * given the places of the user's scope: it lies within the scope, or it serves
 * an area containing the whole scope (the district's departments, 市环卫, the
 * street office for a community's planner). Another street's or community's
 * unit may not: that would reroute the place's reports out of the scope.
 */
export function servesScope(user: Scoped, organisationCode: string | null): boolean {
  return organisationCode === null || inScope(user, organisationCode) || user.scopeCode.startsWith(organisationCode);
}

/** Refuses (403 out_of_scope) a write to a place outside the user's scope; `what` names the thing written. */
export function requireInScope(user: Scoped, code: string | null, what: string): void {
  if (!inScope(user, code)) throw forbidden('out_of_scope', `${what} is not within your scope.`, { scope: user.scopeCode, place: code });
}

/**
 * Refuses (403 district_scope_required) a change to a setting that applies to
 * the whole district — the category deadlines, the working calendar, the
 * inspection rounds — to an account scoped below the district.
 */
export function requireDistrictScope(user: Scoped, what: string): void {
  if (!isDistrictScoped(user)) {
    throw forbidden('district_scope_required', `${what} applies to the whole district: only an account scoped to the district changes it.`, { scope: user.scopeCode });
  }
}

/**
 * Refuses (403 owner_out_of_scope) giving something — a zone, a road section,
 * a case, a point's people — to an organisation outside the user's scope:
 * that would reroute a place's reports to a unit the user does not manage.
 */
export function requireOwnerInScope(user: Scoped, organisation: { id: number; name: string; territoryCode: string | null }): void {
  if (!servesScope(user, organisation.territoryCode)) {
    throw forbidden('owner_out_of_scope', `${organisation.name} belongs to another area than your scope: only an editor whose scope covers both gives a place to it.`, {
      organisationId: organisation.id,
      scope: user.scopeCode,
    });
  }
}
