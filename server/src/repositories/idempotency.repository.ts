import { createHash } from 'node:crypto';
import type { DB } from '@civgrid/db';
import type { Kysely } from 'kysely';
import { jsonColumn } from './json-column.ts';

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type Claim = { kind: 'new' } | { kind: 'replay'; answer: StoredAnswer } | { kind: 'mismatch' };

export const requestHash = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('base64url');

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
