import type { DB } from '@civgrid/db';
import { type Kysely, sql } from 'kysely';

/** Citizens' receipts of their reports (0012_citizen_lookup): a code and the SHA-256 of a secret. */
export class CitizenReceiptRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * The receipt of a problem, made or given a new secret: a report sent again
   * with its Idempotency-Key (the first answer never arrived) gets the same
   * code and a fresh secret, since the first secret cannot be shown again.
   * Answers false when the code is another problem's (the caller draws again).
   */
  async upsert(problemId: number, code: string, secretHash: Uint8Array): Promise<{ code: string } | false> {
    // one statement: a code already another problem's inserts nothing (and a receipt kept keeps its code)
    const { rows } = await sql<{ code: string }>`
      INSERT INTO citizen_receipts (problem_id, code, secret_hash)
      SELECT ${problemId}, ${code}, ${secretHash}
      WHERE NOT EXISTS (SELECT 1 FROM citizen_receipts WHERE code = ${code} AND problem_id <> ${problemId})
      ON CONFLICT (problem_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, updated_at = now()
      RETURNING code`.execute(this.db);
    return rows[0] ?? false;
  }

  async byCode(code: string): Promise<{ problemId: number; secretHash: Uint8Array } | undefined> {
    const row = await this.db.selectFrom('citizen_receipts').select(['problem_id', 'secret_hash']).where('code', '=', code).executeTakeFirst();
    return row && { problemId: row.problem_id, secretHash: new Uint8Array(row.secret_hash) };
  }

  /** The public steps of a problem's history: what happened and when, never who or their notes. */
  async publicSteps(problemId: number, steps: readonly string[]): Promise<{ action: string; toStatus: string | null; at: string }[]> {
    const rows = await this.db
      .selectFrom('problem_events')
      .select(['action', 'to_status', 'at'])
      .where('problem_id', '=', problemId)
      .where('action', 'in', [...steps])
      .orderBy('at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ action: r.action, toStatus: r.to_status, at: new Date(r.at as unknown as string).toISOString() }));
  }
}
