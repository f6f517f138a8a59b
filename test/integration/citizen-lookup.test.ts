/**
 * The citizen's receipt and lookup (你拍我改, issue 16): a report without an
 * account answers a short code and a secret; the code and the secret answer
 * the report's state and public history, with no staff names and no notes; a
 * wrong secret and an unknown code answer the same 404; only a hash of the
 * secret is stored; lookups are counted per address like reports.
 */
import { createHash } from 'node:crypto';
import type { Database } from '@civgrid/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

/** A seeded minor category (暴露垃圾) anyone may report. */
const CATEGORY = 'evt-env-exposed-waste';

let database: Database;
let anonymous: TestApp;
let supervisor: TestApp;
let place: { lon: number; lat: number };

const limits = { loginPerIp: { max: 1000, windowSeconds: 60 }, loginPerUser: { max: 1000, windowSeconds: 60 }, publicPerIp: { max: 1000, windowSeconds: 60 } };

beforeAll(async () => {
  database = await freshDatabase();
  supervisor = testApp(database, 'supervisor', { rateLimits: limits, trustProxy: true });
  anonymous = supervisor.as(null);
  place = (await sql<{ lon: number; lat: number }>`
    SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM territories WHERE level = 'street' ORDER BY code LIMIT 1) s`.execute(database.db)).rows[0]!;
});
afterAll(async () => {
  await database?.close();
});

const post = (client: TestApp, path: string, body: unknown, headers: Record<string, string> = {}) =>
  client.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

interface Receipted {
  id: number;
  receipt: { code: string; secret: string };
}

async function citizenReport(description: string, headers: Record<string, string> = {}): Promise<Receipted> {
  const res = await post(anonymous, '/api/public/problems', { ...place, categoryId: CATEGORY, description, contact: '13800000000' }, headers);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Receipted;
}

const lookup = (code: string, secret: string, ip = '203.0.113.5') => post(anonymous, '/api/public/problems/lookup', { code, secret }, { 'x-forwarded-for': ip });

describe('the receipt of a citizen report', () => {
  it('is a short code and a secret of at least 64 bits, of which only a SHA-256 is stored', async () => {
    const report = await citizenReport('receipt shape');
    expect(report.receipt.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}$/);
    // 16 characters of a 32-letter alphabet: 80 bits
    const raw = report.receipt.secret.replaceAll('-', '');
    expect(raw).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    expect(16 * Math.log2(32)).toBeGreaterThanOrEqual(64);
    const stored = (await sql<{ code: string; secret_hash: Uint8Array }>`SELECT code, secret_hash FROM citizen_receipts WHERE problem_id = ${report.id}`.execute(database.db)).rows[0]!;
    expect(stored.code).toBe(report.receipt.code);
    expect(Buffer.from(stored.secret_hash).toString('hex')).toBe(createHash('sha256').update(raw).digest('hex'));
    // the secret is in no column of the receipts, nor in the idempotency answers
    const dump = JSON.stringify((await sql`SELECT * FROM citizen_receipts`.execute(database.db)).rows);
    expect(dump).not.toContain(raw);
  });

  it('gives two reports two codes and two secrets', async () => {
    const [a, b] = [await citizenReport('two receipts a'), await citizenReport('two receipts b')];
    expect(a.receipt.code).not.toBe(b.receipt.code);
    expect(a.receipt.secret).not.toBe(b.receipt.secret);
  });
});

describe('POST /api/public/problems/lookup', () => {
  it('answers the state and public history for the right code and secret, typed loosely', async () => {
    const report = await citizenReport('lookup right secret');
    const res = await lookup(report.receipt.code.toLowerCase().replace('-', ' '), report.receipt.secret.toLowerCase());
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { history: { step: string; status: string | null; at: string }[] };
    expect(Object.keys(body).sort()).toEqual(['categoryId', 'categoryName', 'closedAt', 'code', 'history', 'ownerName', 'reportedAt', 'status']);
    expect(body).toMatchObject({ code: report.receipt.code, status: 'reported', categoryId: CATEGORY, closedAt: null });
    expect(body.history.map((h) => h.step)).toEqual(['report']);
  });

  it('shows the office’s steps without staff names, notes or the citizen’s contact', async () => {
    const report = await citizenReport('lookup no staff data');
    const staff = (await sql<{ username: string; display_name: string }>`SELECT username, display_name FROM users WHERE username = 'supervisor'`.execute(database.db)).rows[0]!;
    let version = ((await (await supervisor.request(`/api/problems/${report.id}`)).json()) as { version: number }).version;
    for (const [action, note] of [['register', '内部备注：已电话联系举报人'], ['urge', '内部催办说明']] as const) {
      const res = await post(supervisor, `/api/problems/${report.id}/transitions`, { action, version, note });
      if (action === 'urge') {
        // urging needs a dispatched case: dispatch first
        expect(res.status).toBe(409);
        const dispatched = await post(supervisor, `/api/problems/${report.id}/transitions`, { action: 'dispatch', version, note: '派遣备注' });
        expect(dispatched.status, await dispatched.clone().text()).toBe(200);
        version = ((await dispatched.json()) as { version: number }).version;
        const urged = await post(supervisor, `/api/problems/${report.id}/transitions`, { action: 'urge', version, note });
        expect(urged.status, await urged.clone().text()).toBe(200);
      } else {
        expect(res.status, await res.clone().text()).toBe(200);
        version = ((await res.json()) as { version: number }).version;
      }
    }
    const res = await lookup(report.receipt.code, report.receipt.secret);
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as { status: string; history: { step: string; status: string | null }[] };
    expect(body.status).toBe('dispatched');
    // urging is the office's own business
    expect(body.history.map((h) => h.step)).toEqual(['report', 'register', 'dispatch']);
    expect(body.history.map((h) => h.status)).toEqual(['reported', 'registered', 'dispatched']);
    for (const secret of [staff.username, staff.display_name, '内部备注', '派遣备注', '内部催办', '13800000000']) expect(text).not.toContain(secret);
  });

  it('answers a wrong secret and an unknown code with the same 404', async () => {
    const report = await citizenReport('lookup wrong secret');
    const raw = report.receipt.secret.replaceAll('-', '');
    // one character changed: still well formed, not the secret
    const wrong = (raw[0] === 'A' ? 'B' : 'A') + raw.slice(1);
    const unknownCode = report.receipt.code === 'ZZZ-ZZZ' ? 'YYY-YYY' : 'ZZZ-ZZZ';
    expect((await sql`SELECT 1 FROM citizen_receipts WHERE code = ${unknownCode}`.execute(database.db)).rows).toHaveLength(0);
    const answers = [await lookup(report.receipt.code, wrong), await lookup(unknownCode, raw), await lookup(unknownCode, wrong)];
    expect(answers.map((r) => r.status)).toEqual([404, 404, 404]);
    const bodies = await Promise.all(answers.map(async (r) => {
      const { code, message, details } = await errorOf(r);
      return { code, message, details };
    }));
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(bodies[0]!.code).toBe('report_not_found');
    // the right secret still opens it
    expect((await lookup(report.receipt.code, report.receipt.secret)).status).toBe(200);
  });

  it('refuses what is not a code or a secret as a bad request', async () => {
    expect((await lookup('12', 'ABCD')).status).toBe(400);
    expect((await post(anonymous, '/api/public/problems/lookup', { code: 'ABC-DEF' }, { 'x-forwarded-for': '203.0.113.6' })).status).toBe(400);
  });

  it('gives a report sent again with its Idempotency-Key the same code and a new secret', async () => {
    const headers = { 'idempotency-key': 'citizen-receipt-replay-01', 'x-forwarded-for': '198.51.100.40' };
    const first = await citizenReport('receipt replay', headers);
    const again = await post(anonymous, '/api/public/problems', { ...place, categoryId: CATEGORY, description: 'receipt replay', contact: '13800000000' }, headers);
    expect(again.status).toBe(200);
    const replay = (await again.json()) as Receipted;
    expect(replay.id).toBe(first.id);
    expect(replay.receipt.code).toBe(first.receipt.code);
    expect(replay.receipt.secret).not.toBe(first.receipt.secret);
    expect((await lookup(replay.receipt.code, replay.receipt.secret)).status).toBe(200);
    expect((await lookup(first.receipt.code, first.receipt.secret)).status).toBe(404);
  });

  it('is counted per address like a report', async () => {
    const strict = testApp(database, null, { rateLimits: { ...limits, publicPerIp: { max: 5, windowSeconds: 60 } }, trustProxy: true });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await post(strict, '/api/public/problems/lookup', { code: 'ZZZ-ZZZ', secret: 'ABCD-EFGH-JKMN-PQRS' }, { 'x-forwarded-for': '203.0.113.77' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
  });
});

describe('the receipt of an Open311 request', () => {
  /** GeoReport v2 posts form-encoded fields. */
  const open311 = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    anonymous.request('/open311/v2/requests.json', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.60', ...headers },
      body: new URLSearchParams(fields),
    });
  const request = () => ({ service_code: CATEGORY, lat: String(place.lat), long: String(place.lon), description: 'Open311 receipt', phone: '13900000000' });
  interface Created {
    service_request_id: string;
    service_notice: string;
    account_id: null;
    receipt_code: string;
    receipt_secret: string;
  }

  it('answers the request id and a receipt that looks the report up, and a wrong secret does not', async () => {
    const res = await open311(request());
    expect(res.status, await res.clone().text()).toBe(201);
    const [created, ...more] = (await res.json()) as Created[];
    expect(more).toHaveLength(0);
    expect(Object.keys(created!).sort()).toEqual(['account_id', 'receipt_code', 'receipt_secret', 'service_notice', 'service_request_id']);
    expect(created!.receipt_code).toMatch(/^[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}$/);
    expect(created!.receipt_secret.replaceAll('-', '')).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    // the receipt is the request's: stored for that problem, which is a citizen's report
    const stored = (await sql<{ problem_id: number; source: string }>`
      SELECT r.problem_id, p.source FROM citizen_receipts r JOIN problems p ON p.id = r.problem_id WHERE r.code = ${created!.receipt_code}`.execute(database.db)).rows;
    expect(stored).toEqual([{ problem_id: Number(created!.service_request_id), source: 'citizen' }]);

    const found = await lookup(created!.receipt_code, created!.receipt_secret);
    expect(found.status, await found.clone().text()).toBe(200);
    const body = (await found.json()) as { code: string; status: string; categoryId: string; history: { step: string }[] };
    expect(body).toMatchObject({ code: created!.receipt_code, status: 'reported', categoryId: CATEGORY });
    expect(body.history.map((h) => h.step)).toEqual(['report']);
    // the lookup answers the same report Open311 publishes under that id
    const published = (await (await anonymous.request(`/open311/v2/requests/${created!.service_request_id}.json`)).json()) as { service_code: string; status: string }[];
    expect(published[0]).toMatchObject({ service_code: CATEGORY, status: 'open' });

    const raw = created!.receipt_secret.replaceAll('-', '');
    const wrong = (raw[0] === 'A' ? 'B' : 'A') + raw.slice(1);
    const refused = await lookup(created!.receipt_code, wrong);
    expect(refused.status).toBe(404);
    expect((await errorOf(refused)).code).toBe('report_not_found');
  });

  it('gives a request sent again with its Idempotency-Key the same id and code, and a new secret', async () => {
    const headers = { 'idempotency-key': 'open311-receipt-replay-01' };
    const first = await open311(request(), headers);
    expect(first.status, await first.clone().text()).toBe(201);
    const again = await open311(request(), headers);
    expect(again.status).toBe(200);
    const [a] = (await first.json()) as Created[];
    const [b] = (await again.json()) as Created[];
    expect(b!.service_request_id).toBe(a!.service_request_id);
    expect(b!.receipt_code).toBe(a!.receipt_code);
    expect(b!.receipt_secret).not.toBe(a!.receipt_secret);
    expect((await lookup(b!.receipt_code, b!.receipt_secret)).status).toBe(200);
    expect((await lookup(a!.receipt_code, a!.receipt_secret)).status).toBe(404);
  });
});
