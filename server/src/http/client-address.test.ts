import { describe, expect, it } from 'vitest';
import { clientAddress, fromTrustedProxy, LOOPBACK_PROXIES, normaliseAddress, TrustedProxies } from './client-address.ts';

const loopback = TrustedProxies.parse(LOOPBACK_PROXIES);

describe('clientAddress', () => {
  it('without trusted proxies answers the socket address and ignores X-Forwarded-For', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1', null)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:203.0.113.9', undefined, null)).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy (someone reaching the port directly)', () => {
    // the attacker's case: TRUST_PROXY on, listening on every interface, the client writes its own header
    expect(clientAddress('203.0.113.9', '127.0.0.1', loopback)).toBe('203.0.113.9');
    expect(clientAddress('203.0.113.9', '198.51.100.1, 198.51.100.2', loopback)).toBe('203.0.113.9');
    expect(fromTrustedProxy('203.0.113.9', loopback)).toBe(false);
  });

  it('behind a trusted proxy takes the right-most address that is not a trusted proxy', () => {
    // nginx on this machine appends the address it saw: the client's forged entries lie to its left
    expect(clientAddress('127.0.0.1', '6.6.6.6, 203.0.113.9', loopback)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:127.0.0.1', '203.0.113.9', loopback)).toBe('203.0.113.9');
    expect(clientAddress('::1', '2001:db8::7', loopback)).toBe('2001:db8::7');
    // two proxies (a load balancer in 10.0.0.0/8, then nginx here): both skipped
    const two = TrustedProxies.parse(['127.0.0.1', '10.0.0.0/8']);
    expect(clientAddress('127.0.0.1', '6.6.6.6, 203.0.113.9, 10.1.2.3', two)).toBe('203.0.113.9');
    expect(clientAddress('10.9.9.9', '203.0.113.9', two)).toBe('203.0.113.9');
    expect(fromTrustedProxy('10.9.9.9', two)).toBe(true);
  });

  it('when every hop is a trusted proxy answers the left-most; without a header, the proxy itself', () => {
    const two = TrustedProxies.parse(['127.0.0.1', '10.0.0.0/8']);
    expect(clientAddress('127.0.0.1', '10.0.0.5, 10.0.0.6', two)).toBe('10.0.0.5');
    expect(clientAddress('127.0.0.1', undefined, loopback)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', ' , ', loopback)).toBe('127.0.0.1');
  });

  it('does not believe a chain it cannot read', () => {
    expect(clientAddress('127.0.0.1', 'not-an-address', loopback)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '203.0.113.9, <script>', loopback)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', `${'9'.repeat(5000)}`, loopback)).toBe('127.0.0.1');
  });

  it('reads ports off the hops that carry them', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9:51234', loopback)).toBe('203.0.113.9');
    expect(clientAddress('127.0.0.1', '[2001:db8::7]:443', loopback)).toBe('2001:db8::7');
  });

  it('treats an in-process request (no socket) as coming from this machine', () => {
    expect(clientAddress(null, '198.51.100.7', loopback)).toBe('198.51.100.7');
    expect(clientAddress(null, undefined, loopback)).toBe('unknown');
    expect(clientAddress(null, '198.51.100.7', null)).toBe('unknown');
  });
});

describe('TrustedProxies', () => {
  it('matches addresses and CIDR ranges of both families', () => {
    const proxies = TrustedProxies.parse(['192.0.2.10', '10.0.0.0/8', 'fd00::/8']);
    expect(proxies.trusts('192.0.2.10')).toBe(true);
    expect(proxies.trusts('192.0.2.11')).toBe(false);
    expect(proxies.trusts('10.255.255.255')).toBe(true);
    expect(proxies.trusts('11.0.0.0')).toBe(false);
    expect(proxies.trusts('::ffff:10.1.1.1')).toBe(true);
    expect(proxies.trusts('fd12::1')).toBe(true);
    expect(proxies.trusts('fe80::1')).toBe(false);
    expect(proxies.trusts('garbage')).toBe(false);
  });

  it('refuses entries that are not addresses or ranges, naming them', () => {
    for (const bad of ['localhost', '10.0.0.0/33', '::1/129', '10.0.0.1/8/8', '10.0.0/8', '', '1.2.3.4/x']) {
      expect(() => TrustedProxies.parse([bad]), bad).toThrow(bad === '' ? /not an IP/ : bad);
    }
  });

  it('knows when every proxy is on this machine', () => {
    expect(loopback.onlyLoopback).toBe(true);
    expect(TrustedProxies.parse(['127.0.0.1']).onlyLoopback).toBe(true);
    expect(TrustedProxies.parse(['127.0.0.1', '10.0.0.2']).onlyLoopback).toBe(false);
    expect(TrustedProxies.parse(['0.0.0.0/0']).onlyLoopback).toBe(false);
  });
});

describe('normaliseAddress', () => {
  it('accepts bare addresses and rejects the rest', () => {
    expect(normaliseAddress(' 203.0.113.9 ')).toBe('203.0.113.9');
    expect(normaliseAddress('2001:DB8::7')).toBe('2001:db8::7');
    expect(normaliseAddress('unknown')).toBeUndefined();
    expect(normaliseAddress('999.1.1.1')).toBeUndefined();
  });
});
