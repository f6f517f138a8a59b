import { createHash } from 'node:crypto';
import type { DB } from '@civgrid/db';
import type { Kysely } from 'kysely';
import type { Actor } from './audit.repository.ts';
import { jsonColumn } from './json-column.ts';

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type Claim = { kind: 'new' } | { kind: 'replay'; answer: StoredAnswer } | { kind: 'mismatch' };

/**
 * The request's fingerprint: SHA-256 of its canonical JSON (object keys
 * sorted, bytes as their own SHA-256), so the same body hashes the same
 * whatever order its fields arrived in, and another body does not.
 */
export const requestHash = (body: unknown) => createHash('sha256').update(JSON.stringify(canonical(body))).digest('base64url');

function canonical(value: unknown): unknown {
  if (value instanceof Uint8Array) return { sha256: createHash('sha256').update(value).digest('base64url') };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/**
 * Whose keys a request's key is among: a route's keys are kept per caller,
 * so that nobody replays (reads) another caller's answer by sending the same
 * key. A signed-in caller is their account (`<user id>`, as staff scopes
 * have always read); an anonymous one (the citizen page) is their client
 * address — which, with proxies trusted only by address, a guesser cannot
 * choose — kept as a digest (`public:<digest>`) rather than in plain.
 */
export function idempotencyCaller(actor: Pick<Actor, 'userId' | 'ip'>): string {
  if (actor.userId !== null) return String(actor.userId);
  return `public:${createHash('sha256').update(actor.ip ?? 'unknown').digest('base64url').slice(0, 22)}`;
}

/** The scope of a route's keys for this caller: `<route>:<caller>`. */
export const idempotencyScope = (route: string, actor: Pick<Actor, 'userId' | 'ip'>) => `${route}:${idempotencyCaller(actor)}`;

/**
 * Idempotency keys, claimed inside the transaction of the write they guard:
 * a second request with the same key waits on the unique index until the
 * first commits, then replays its stored answer. If the first rolls back,
 * the key is free again. Exactly one write per key, whatever the retries.
 */
export class IdempotencyRepository {
  async claim(trx: Kysely<DB>, scope: string, key: string, hash: string): Promise<Claim> {
    const inserted = await trx
      .insertInto('idempotency_keys')
      .values({ scope, key, request_hash: hash })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) return { kind: 'new' };
    const row = await trx.selectFrom('idempotency_keys').select(['request_hash', 'status', 'response']).where('scope', '=', scope).where('key', '=', key).executeTakeFirstOrThrow();
    if (row.request_hash !== hash) return { kind: 'mismatch' };
    return { kind: 'replay', answer: { status: row.status ?? 200, body: row.response === null ? null : jsonColumn<unknown>(row.response as string) } };
  }

  async complete(trx: Kysely<DB>, scope: string, key: string, answer: StoredAnswer): Promise<void> {
    await trx
      .updateTable('idempotency_keys')
      .set({ status: answer.status, response: JSON.stringify(answer.body) })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
  }
}
