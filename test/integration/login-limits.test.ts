/**
 * Sign-in limits and client addresses (issue 15, items 8 and 14):
 * - a guesser spread over many addresses is slowed on a username but cannot
 *   lock its owner out: past 100 attempts, an address the account signed in
 *   from recently still signs in, every other address shares a slow lane;
 * - X-Forwarded-For and X-Forwarded-Proto count only when the request comes
 *   from a trusted proxy, so a client reaching the port directly cannot choose
 *   its address (and with it, the limits it is counted under).
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Database } from '@civgrid/db';
import { DEMO_PASSWORD } from '@civgrid/db/seed';
import { type AppDeps, createApp } from '@civgrid/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, errorOf } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

let database: Database;

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

const loginInit = (username: string, password: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ username, password }),
});
/** The address the last sign-in of `username` was recorded from. */
const lastLoginIp = async (username: string) =>
  (await sql<{ ip: string | null }>`SELECT ip FROM audit_log WHERE action = 'login' AND actor = ${username} ORDER BY id DESC LIMIT 1`.execute(database.db)).rows[0]?.ip;

describe('a guesser spread over many addresses', () => {
  // the real limits, except a slow lane long enough that no test depends on how fast it runs
  const limits = {
    loginPerIp: { max: 30, windowSeconds: 300 },
    loginPerUser: { max: 10, windowSeconds: 900 },
    loginPerUserAllAddresses: { max: 100, windowSeconds: 900 },
    loginSlowLane: { max: 1, windowSeconds: 3600 },
    publicPerIp: { max: 10_000, windowSeconds: 60 },
  };
  let app: App;
  const login = (password: string, ip: string) => app.request('/api/auth/login', loginInit('inspector', password, { 'x-forwarded-for': ip }));
  const desk = '192.0.2.200';

  beforeAll(() => {
    app = createApp({ database, webRoot: '/nonexistent', demo: true, trustProxy: true, rateLimits: limits });
  });

  it('is stopped at 100 attempts on a username, yet the owner signs in from an address they used before', { timeout: 180_000 }, async () => {
    // the inspector signed in at their desk this morning
    expect((await login(DEMO_PASSWORD, desk)).status).toBe(200);
    // 110 wrong passwords from 11 addresses, 10 each (the per-address limit on one username)
    const statuses: number[] = [];
    for (let a = 0; a < 11; a++) for (let i = 0; i < 10; i++) statuses.push((await login(`wrong-${a}-${i}`, `203.0.113.${a + 1}`)).status);
    // 100 attempts on the name are judged, the desk's sign-in among them: 99 wrong ones, then 429
    expect(statuses.slice(0, 99).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(99).every((s) => s === 429)).toBe(true);
    // a new address is held back, even with the right password…
    const elsewhere = await login(DEMO_PASSWORD, '198.51.100.99');
    expect(elsewhere.status).toBe(429);
    expect((await errorOf(elsewhere)).code).toBe('rate_limited');
    expect(Number(elsewhere.headers.get('retry-after'))).toBeGreaterThan(0);
    // …the desk is not: a wrong password there is judged (401), the right one signs in
    expect((await login('still-wrong', desk)).status).toBe(401);
    expect((await login(DEMO_PASSWORD, desk)).status).toBe(200);
  });

  it('lets unknown addresses through one at a time once the slow lane’s window has passed', async () => {
    // as if the lane's hour had passed (the per-name window of 15 minutes has not)
    await sql`UPDATE rate_limits SET window_start = window_start - interval '2 hours' WHERE key = 'login:user-slow:inspector'`.execute(database.db);
    expect((await login('wrong-in-lane', '203.0.113.50')).status).toBe(401);
    expect((await login('wrong-in-lane', '203.0.113.51')).status).toBe(429);
    expect((await login(DEMO_PASSWORD, '203.0.113.52')).status).toBe(429);
  });

  it('counts an address as known only for the account that signed in from it', { timeout: 180_000 }, async () => {
    // the desk of the inspector is not a known address of the viewer's account
    const viewer = (password: string, ip: string) => app.request('/api/auth/login', loginInit('viewer', password, { 'x-forwarded-for': ip }));
    for (let a = 0; a < 11; a++) for (let i = 0; i < 10; i++) await viewer(`wrong-${a}-${i}`, `203.0.114.${a + 1}`);
    expect((await viewer(DEMO_PASSWORD, desk)).status).toBe(429);
  });
});

describe('client addresses behind a proxy', () => {
  it('ignores X-Forwarded-For and -Proto from a peer that is not a trusted proxy', async () => {
    const app = createApp({ database, webRoot: '/nonexistent', demo: true, trustProxy: true });
    // a client reaching the port directly (no proxy in between) and naming an address of its choice
    const direct = { incoming: { socket: { remoteAddress: '203.0.113.77', remotePort: 50000, remoteFamily: 'IPv4' } } };
    const res = await app.request('/api/auth/login', loginInit('planner', DEMO_PASSWORD, { 'x-forwarded-for': '10.9.8.7', 'x-forwarded-proto': 'https' }), direct);
    expect(res.status).toBe(200);
    expect(await lastLoginIp('planner')).toBe('203.0.113.77');
    expect(res.headers.get('set-cookie')).not.toMatch(/Secure/);
    // the same through the proxy on this machine: its header is believed, right-most first
    const proxied = { incoming: { socket: { remoteAddress: '::ffff:127.0.0.1', remotePort: 50001, remoteFamily: 'IPv6' } } };
    const via = await app.request('/api/auth/login', loginInit('planner', DEMO_PASSWORD, { 'x-forwarded-for': '6.6.6.6, 198.51.100.23', 'x-forwarded-proto': 'https' }), proxied);
    expect(via.status).toBe(200);
    expect(await lastLoginIp('planner')).toBe('198.51.100.23');
    expect(via.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('over a real socket, believes only the configured proxies', async () => {
    const listen = async (deps: Partial<AppDeps>) => {
      const app = createApp({ database, webRoot: '/nonexistent', demo: true, trustProxy: true, ...deps });
      const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
        const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
      });
      return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    };
    // the proxy is another machine: this loopback client is not it, its header is not believed
    const elsewhere = await listen({ trustedProxies: ['192.0.2.1'] });
    try {
      const res = await fetch(`${elsewhere.base}/api/auth/login`, loginInit('supervisor', DEMO_PASSWORD, { 'x-forwarded-for': '10.9.8.7' }));
      expect(res.status).toBe(200);
      expect(await lastLoginIp('supervisor')).toBe('127.0.0.1');
    } finally {
      await elsewhere.close();
    }
    // the default: a proxy on this machine, whose header is believed
    const local = await listen({});
    try {
      const res = await fetch(`${local.base}/api/auth/login`, loginInit('supervisor', DEMO_PASSWORD, { 'x-forwarded-for': '198.51.100.24' }));
      expect(res.status).toBe(200);
      expect(await lastLoginIp('supervisor')).toBe('198.51.100.24');
    } finally {
      await local.close();
    }
  });
});
