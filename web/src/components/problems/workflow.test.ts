import { describe, expect, it } from 'vitest';
import { allowedActions } from './workflow.ts';

describe('the actions offered on a problem', () => {
  const supervisor = { role: 'supervisor', organisationId: null } as const;
  const handler = { role: 'handler', organisationId: 7 } as const;
  const inspector = { role: 'inspector', organisationId: null } as const;

  it('offers a supervisor 立案, 转办 and 作废 on a new report, and nothing on a closed one', () => {
    expect(allowedActions({ status: 'reported', ownerOrgId: 7 }, supervisor)).toEqual(['register', 'transfer', 'void']);
    expect(allowedActions({ status: 'closed', ownerOrgId: 7 }, supervisor)).toEqual([]);
    expect(allowedActions({ status: 'void', ownerOrgId: 7 }, { role: 'admin', organisationId: null })).toEqual([]);
  });

  it('lets a handler start and feed back its own organisation’s cases only', () => {
    expect(allowedActions({ status: 'dispatched', ownerOrgId: 7 }, handler)).toEqual(['start']);
    expect(allowedActions({ status: 'in_progress', ownerOrgId: 7 }, handler)).toEqual(['feedback']);
    expect(allowedActions({ status: 'dispatched', ownerOrgId: 8 }, handler)).toEqual([]);
    expect(allowedActions({ status: 'reported', ownerOrgId: 7 }, handler)).toEqual([]);
  });

  it('lets an inspector verify or return a fed-back case, and a supervisor also escalate it', () => {
    expect(allowedActions({ status: 'fed_back', ownerOrgId: 7 }, inspector)).toEqual(['verify', 'return']);
    expect(allowedActions({ status: 'fed_back', ownerOrgId: 7 }, supervisor)).toEqual(['verify', 'return', 'escalate', 'void']);
    expect(allowedActions({ status: 'verified', ownerOrgId: 7 }, supervisor)).toEqual(['close', 'return', 'void']);
  });

  it('offers viewers, planners and nobody signed in nothing', () => {
    for (const role of ['viewer', 'planner'] as const) {
      expect(allowedActions({ status: 'dispatched', ownerOrgId: 7 }, { role, organisationId: 7 })).toEqual([]);
    }
    expect(allowedActions({ status: 'dispatched', ownerOrgId: 7 }, null)).toEqual([]);
  });
});
