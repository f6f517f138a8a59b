/**
 * Idempotent problem reports (issue 15, item 7): concurrent retries of one
 * Idempotency-Key make one problem and every answer is its replay (on
 * PostgreSQL the losers used to answer 409, which the field app takes as a
 * refusal); the same key with another body is refused like a check's; and a
 * key belongs to its caller (a staff account, or an anonymous caller's
 * address), so nobody reads another's answer by guessing a key.
 */
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

/** A seeded minor category (暴露垃圾) anyone may report. */
const CATEGORY = 'evt-env-exposed-waste';

let database: Database;
let inspector: TestApp;
let supervisor: TestApp;
let anonymous: TestApp;
/** A place inside the district. */
let place: { lon: number; lat: number };

const limits = { loginPerIp: { max: 1000, windowSeconds: 60 }, loginPerUser: { max: 1000, windowSeconds: 60 }, publicPerIp: { max: 1000, windowSeconds: 60 } };

beforeAll(async () => {
  database = await freshDatabase();
  inspector = testApp(database, 'inspector', { rateLimits: limits, trustProxy: true });
  supervisor = inspector.as('supervisor');
  anonymous = inspector.as(null);
  const street = (await sql<{ lon: number; lat: number }>`
    SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM territories WHERE level = 'street' ORDER BY code LIMIT 1) s`.execute(database.db)).rows[0]!;
  place = street;
});
afterAll(async () => {
  await database?.close();
});

const post = (client: TestApp, path: string, body: unknown, headers: Record<string, string>) =>
  client.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
/** Problems of this file's category whose description is `text`. */
const problemsSaying = async (text: string) =>
  (await sql<{ id: number }>`SELECT id FROM problems WHERE category_id = ${CATEGORY} AND description = ${text} ORDER BY id`.execute(database.db)).rows.map((r) => r.id);

describe('POST /api/problems with an Idempotency-Key', () => {
  it('makes one problem of five concurrent sends, and every answer carries it', async () => {
    const body = { ...place, categoryId: CATEGORY, description: 'concurrent staff retry' };
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(inspector, '/api/problems', body, { 'idempotency-key': 'staff-concurrent-0001' })));
    const statuses = answers.map((r) => r.status).sort();
    // one send files the problem (201); the others wait for it and replay it (200), none is refused
    expect(statuses).toEqual([200, 200, 200, 200, 201]);
    const ids = await Promise.all(answers.map(async (r) => ((await r.json()) as { id: number }).id));
    const stored = await problemsSaying('concurrent staff retry');
    expect(stored).toHaveLength(1);
    expect(new Set(ids)).toEqual(new Set(stored));
  });

  it('refuses the same key with another body (422 idempotency_key_reused) and writes nothing', async () => {
    const first = await post(inspector, '/api/problems', { ...place, categoryId: CATEGORY, description: 'first body' }, { 'idempotency-key': 'staff-reused-0001' });
    expect(first.status).toBe(201);
    const other = await post(inspector, '/api/problems', { ...place, categoryId: CATEGORY, description: 'another body' }, { 'idempotency-key': 'staff-reused-0001' });
    expect(other.status).toBe(422);
    expect((await errorOf(other)).code).toBe('idempotency_key_reused');
    expect(await problemsSaying('another body')).toEqual([]);
    // the original body still replays
    const again = await post(inspector, '/api/problems', { ...place, categoryId: CATEGORY, description: 'first body' }, { 'idempotency-key': 'staff-reused-0001' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: number }).id).toBe(((await first.json()) as { id: number }).id);
  });

  it('still answers the problem once its stored answer has been swept (the key stays on the problem)', async () => {
    const body = { ...place, categoryId: CATEGORY, description: 'outlives the sweep' };
    const first = await post(inspector, '/api/problems', body, { 'idempotency-key': 'staff-swept-0001' });
    expect(first.status).toBe(201);
    const id = ((await first.json()) as { id: number }).id;
    // housekeeping deletes stored answers after 30 days; a phone that was offline longer sends again
    await sql`DELETE FROM idempotency_keys WHERE key = 'staff-swept-0001'`.execute(database.db);
    const late = await post(inspector, '/api/problems', body, { 'idempotency-key': 'staff-swept-0001' });
    expect(late.status).toBe(200);
    expect(((await late.json()) as { id: number }).id).toBe(id);
    expect(await problemsSaying('outlives the sweep')).toEqual([id]);
  });

  it('keeps one account’s keys from another’s', async () => {
    const body = { ...place, categoryId: CATEGORY, description: 'two accounts, one key' };
    const a = await post(inspector, '/api/problems', body, { 'idempotency-key': 'shared-staff-key-01' });
    const b = await post(supervisor, '/api/problems', body, { 'idempotency-key': 'shared-staff-key-01' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(await problemsSaying('two accounts, one key')).toHaveLength(2);
  });
});

describe('POST /api/public/problems with an Idempotency-Key', () => {
  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  it('makes one problem of concurrent retries from one citizen', async () => {
    const body = { ...place, categoryId: CATEGORY, description: 'concurrent citizen retry' };
    const answers = await Promise.all(Array.from({ length: 4 }, () => post(anonymous, '/api/public/problems', body, { 'idempotency-key': 'citizen-concurrent-01', ...from('198.51.100.10') })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    const ids = await Promise.all(answers.map(async (r) => ((await r.json()) as { id: number }).id));
    const stored = await problemsSaying('concurrent citizen retry');
    expect(stored).toHaveLength(1);
    expect(new Set(ids)).toEqual(new Set(stored));
  });

  it('does not hand one citizen’s answer to another who sends the same key', async () => {
    const key = { 'idempotency-key': 'guessable-key-0001' };
    const owner = await post(anonymous, '/api/public/problems', { ...place, categoryId: CATEGORY, description: 'citizen one', contact: '13800000001' }, { ...key, ...from('198.51.100.11') });
    expect(owner.status).toBe(201);
    const ownerId = ((await owner.json()) as { id: number }).id;
    // the same key (even the same body) from another address is another caller: its own new report
    const guesser = await post(anonymous, '/api/public/problems', { ...place, categoryId: CATEGORY, description: 'citizen one', contact: '13800000001' }, { ...key, ...from('198.51.100.12') });
    expect(guesser.status).toBe(201);
    expect(((await guesser.json()) as { id: number }).id).not.toBe(ownerId);
    // the key used by a signed-in account is not the citizen's either
    const staff = await post(inspector, '/api/problems', { ...place, categoryId: CATEGORY, description: 'citizen one' }, key);
    expect(staff.status).toBe(201);
    expect(await problemsSaying('citizen one')).toHaveLength(3);
    // while the owner's own retry still replays the owner's report
    const retry = await post(anonymous, '/api/public/problems', { ...place, categoryId: CATEGORY, description: 'citizen one', contact: '13800000001' }, { ...key, ...from('198.51.100.11') });
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { id: number }).id).toBe(ownerId);
  });
});
