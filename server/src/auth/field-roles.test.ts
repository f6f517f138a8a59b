import { describe, expect, it } from 'vitest';
import { FIELD_ROLES } from '../../../web/src/field/field-roles.ts';
import { POLICY } from './policy.ts';

describe('the field app’s roles', () => {
  it('are the roles that may download a round’s package: its login page offers no one who could not use it', () => {
    const rule = POLICY['GET /api/inspection/rounds/:id/package'];
    expect(rule?.access).toBe('roles');
    const roles = rule?.access === 'roles' ? rule.roles : [];
    expect([...FIELD_ROLES].sort()).toEqual([...roles].sort());
  });
});
