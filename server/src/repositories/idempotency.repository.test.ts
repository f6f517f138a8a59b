import { describe, expect, it } from 'vitest';
import { idempotencyCaller, idempotencyScope, requestHash } from './idempotency.repository.ts';

describe('requestHash', () => {
  it('is the same for the same body whatever the order of its fields', () => {
    expect(requestHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(requestHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    // an absent field and an undefined one are the same body (JSON has no undefined)
    expect(requestHash({ a: 1, b: undefined })).toBe(requestHash({ a: 1 }));
  });

  it('differs when any value differs, bytes included', () => {
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
    expect(requestHash({ list: [1, 2] })).not.toBe(requestHash({ list: [2, 1] }));
    expect(requestHash({ photo: new Uint8Array([1, 2, 3]) })).toBe(requestHash({ photo: new Uint8Array([1, 2, 3]) }));
    expect(requestHash({ photo: new Uint8Array([1, 2, 3]) })).not.toBe(requestHash({ photo: new Uint8Array([1, 2, 4]) }));
    expect(requestHash({ at: new Date('2026-01-01T00:00:00Z') })).not.toBe(requestHash({ at: new Date('2026-01-02T00:00:00Z') }));
  });
});

describe('idempotencyScope', () => {
  it('keeps a signed-in caller’s keys under their account, as before', () => {
    expect(idempotencyScope('zones:create', { userId: 7, ip: '198.51.100.1' })).toBe('zones:create:7');
    expect(idempotencyScope('zones:create', { userId: 7, ip: '198.51.100.2' })).toBe('zones:create:7');
  });

  it('keeps an anonymous caller’s keys under their address, without writing the address', () => {
    const one = idempotencyCaller({ userId: null, ip: '198.51.100.1' });
    expect(one).toMatch(/^public:[A-Za-z0-9_-]{22}$/);
    expect(one).not.toContain('198.51.100.1');
    expect(idempotencyCaller({ userId: null, ip: '198.51.100.1' })).toBe(one);
    expect(idempotencyCaller({ userId: null, ip: '198.51.100.2' })).not.toBe(one);
  });
});
