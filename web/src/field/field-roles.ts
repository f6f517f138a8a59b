import type { Role } from '../api/types.ts';

/**
 * The roles that may use the field app (网格巡查): its offline package is
 * for inspectors, the campaign office (supervisors) and admins, as the
 * server's policy has it (`GET /api/inspection/rounds/:id/package`). Its login
 * page offers and names only these.
 */
export const FIELD_ROLES: readonly Role[] = ['inspector', 'supervisor', 'admin'];
