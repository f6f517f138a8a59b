/**
 * The case workflow as the server keeps it (server/src/services/problem.service.ts
 * WORKFLOW), mirrored so that the detail offers only the actions the current
 * role may take from the current state. The server stays the judge: a state
 * that moved on meanwhile still answers 409, and the panel says so.
 * Self-contained (no imports), so the end-to-end test can hold it against
 * the server's table.
 */

export type WorkflowStatus = 'reported' | 'registered' | 'dispatched' | 'in_progress' | 'fed_back' | 'verified' | 'closed' | 'void';
export type WorkflowAction = 'register' | 'dispatch' | 'start' | 'feedback' | 'verify' | 'close' | 'return' | 'void' | 'transfer' | 'urge' | 'escalate';
export type WorkflowRole = 'admin' | 'planner' | 'supervisor' | 'handler' | 'inspector' | 'viewer';

export interface WorkflowStep {
  from: readonly WorkflowStatus[];
  /** The status after; undefined: it stays (urge, escalate, transfer). */
  to?: WorkflowStatus;
  roles: readonly WorkflowRole[];
  /** A handler acts only on its own organisation's problems. */
  ownOrganisation?: boolean;
  /** What the action asks for: a note (why, or what was done), or the organisation to transfer to. */
  needs?: 'note' | 'owner';
}

const OPEN: readonly WorkflowStatus[] = ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified'];
const SUPERVISE: readonly WorkflowRole[] = ['admin', 'supervisor'];

export const WORKFLOW: Record<WorkflowAction, WorkflowStep> = {
  register: { from: ['reported'], to: 'registered', roles: SUPERVISE },
  dispatch: { from: ['registered'], to: 'dispatched', roles: SUPERVISE },
  start: { from: ['dispatched'], to: 'in_progress', roles: ['admin', 'supervisor', 'handler'], ownOrganisation: true },
  feedback: { from: ['in_progress'], to: 'fed_back', roles: ['admin', 'supervisor', 'handler'], ownOrganisation: true, needs: 'note' },
  verify: { from: ['fed_back'], to: 'verified', roles: ['admin', 'supervisor', 'inspector'] },
  close: { from: ['verified'], to: 'closed', roles: SUPERVISE },
  return: { from: ['fed_back', 'verified'], to: 'in_progress', roles: ['admin', 'supervisor', 'inspector'], needs: 'note' },
  void: { from: OPEN, to: 'void', roles: SUPERVISE, needs: 'note' },
  transfer: { from: ['reported', 'registered', 'dispatched', 'in_progress'], roles: SUPERVISE, needs: 'owner' },
  urge: { from: ['dispatched', 'in_progress'], roles: SUPERVISE },
  escalate: { from: ['dispatched', 'in_progress', 'fed_back'], roles: SUPERVISE },
};

/** The order the detail shows the buttons in: the way forward first, then the supervisors' other steps. */
export const ACTION_ORDER: readonly WorkflowAction[] = ['register', 'dispatch', 'start', 'feedback', 'verify', 'close', 'return', 'transfer', 'urge', 'escalate', 'void'];

/** Actions that may bring photos (stored with that step). */
export const PHOTO_ACTIONS: readonly WorkflowAction[] = ['feedback', 'verify'];

/** The actions `role` (of organisation `organisationId`) may take on a problem in `status` owned by `ownerOrgId`. */
export function allowedActions(
  problem: { status: WorkflowStatus; ownerOrgId: number | null },
  user: { role: WorkflowRole; organisationId: number | null } | null,
): WorkflowAction[] {
  if (!user) return [];
  return ACTION_ORDER.filter((action) => {
    const step = WORKFLOW[action];
    if (!step.roles.includes(user.role) || !step.from.includes(problem.status)) return false;
    return !(step.ownOrganisation && user.role === 'handler' && problem.ownerOrgId !== user.organisationId);
  });
}

/**
 * Whether a role has states where the workflow's next step is its own (a
 * to-do list, 我的待办; the server's `todoStatuses`): the side steps that keep
 * or end a case (urge, escalate, transfer, void) make none.
 */
export function hasTodo(role: WorkflowRole): boolean {
  return Object.values(WORKFLOW).some((step) => step.to !== undefined && step.to !== 'void' && step.roles.includes(role));
}
