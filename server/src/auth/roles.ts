import type { Role } from '@civgrid/db';

export type { Role };

/** Every role, from the most to the least powerful. */
export const ROLES = ['admin', 'planner', 'supervisor', 'handler', 'inspector', 'viewer'] as const satisfies readonly Role[];

/**
 * Who may call a route:
 * - public: anyone, without an account (health, login, the citizen report);
 * - session: any signed-in user, whatever the role (reading the map);
 * - roles: signed in with one of these roles (writes).
 * Scope (which street, which organisation) is checked by the service that
 * does the work, because only it knows which place a request touches.
 */
export type Rule = { access: 'public' } | { access: 'session' } | { access: 'roles'; roles: readonly Role[] };

export const PUBLIC: Rule = { access: 'public' };
export const SIGNED_IN: Rule = { access: 'session' };
export const only = (...roles: Role[]): Rule => ({ access: 'roles', roles });
