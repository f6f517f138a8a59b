import { describe, expect, it } from 'vitest';
import { AppError } from '../http/errors.ts';
import { inScope, isDistrictScoped, requireDistrictScope, requireOwnerInScope, servesScope } from './scope.ts';

// Codes nest: district 450304, its streets 450304001…, their communities 450304001001…
const district = { scopeCode: '450304' };
const street = { scopeCode: '450304001' };
const community = { scopeCode: '450304001002' };

const codeOf = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? `${error.status} ${error.code}` : 'other';
  }
  return 'passed';
};

describe('scope', () => {
  it('puts a place in scope when its code starts with the scope code', () => {
    expect(inScope(street, '450304001')).toBe(true);
    expect(inScope(street, '450304001006')).toBe(true);
    expect(inScope(street, '450304002001')).toBe(false);
    expect(inScope(street, '450304')).toBe(false);
    // "450304001" is a prefix of "4503040010…" only for its own children, never of a sibling
    expect(inScope(community, '450304001003')).toBe(false);
  });

  it('gives the district every place, also the ones outside every street (null)', () => {
    expect(isDistrictScoped(district)).toBe(true);
    expect(isDistrictScoped(street)).toBe(false);
    expect(inScope(district, null)).toBe(true);
    expect(inScope(street, null)).toBe(false);
    expect(inScope(district, '450304004006')).toBe(true);
  });

  it('lets an editor give places to units within or above the scope, not to another area\'s', () => {
    expect(servesScope(street, null)).toBe(true); // a district department
    expect(servesScope(street, '450304')).toBe(true); // the district's leadership
    expect(servesScope(street, '450304001')).toBe(true); // the street office
    expect(servesScope(street, '450304001006')).toBe(true); // one of its communities
    expect(servesScope(street, '450304002')).toBe(false); // another street's office
    expect(servesScope(street, '450304002001')).toBe(false); // another street's community
    expect(servesScope(community, '450304001')).toBe(true); // its own street office
    expect(servesScope(community, '450304001003')).toBe(false); // the neighbouring community
  });

  it('refuses with its own codes', () => {
    expect(codeOf(() => requireDistrictScope(street, 'The calendar'))).toBe('403 district_scope_required');
    expect(codeOf(() => requireDistrictScope(district, 'The calendar'))).toBe('passed');
    expect(codeOf(() => requireOwnerInScope(street, { id: 1, name: '南门街道办事处', territoryCode: '450304002' }))).toBe('403 owner_out_of_scope');
  });
});
