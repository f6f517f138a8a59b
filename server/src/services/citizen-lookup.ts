import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import {
  CODE_LENGTH, formatCode, formatSecret, type LookupAnswer, PUBLIC_STEPS, RECEIPT_ALPHABET, type Receipt, SECRET_LENGTH,
} from '../contracts/citizen-lookup.ts';
import { notFound } from '../http/errors.ts';
import type { Actor } from '../repositories/audit.repository.ts';
import type { CitizenReceiptRepository } from '../repositories/citizen-receipt.repository.ts';
import type { ProblemService, ReportAnswer, ReportInput } from './problem.service.ts';

/** Draws `length` characters of the receipt alphabet from the system's CSPRNG (5 bits each). */
export function randomReceiptText(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += RECEIPT_ALPHABET[randomInt(RECEIPT_ALPHABET.length)];
  return text;
}

export const hashSecret = (secret: string): Uint8Array => new Uint8Array(createHash('sha256').update(secret, 'utf8').digest());

/** Every failure of a lookup, wrong secret or unknown code alike, is this one answer. */
const NOT_FOUND = () => notFound('report_not_found', 'No report has this code and secret.');

/**
 * The citizen's receipt and lookup (你拍我改): a report without an account
 * gets a short code (30 bits, to quote on the phone) and a secret of 80
 * random bits shown once; only the secret's SHA-256 is stored. A lookup needs
 * both, and answers the state and the public steps of the history (what and
 * when, never who or the office's notes). A wrong secret and an unknown code
 * answer the same 404, after the same work, so trying codes tells nothing;
 * lookups are rate-limited per address like reports (auth.middleware.ts).
 */
export class CitizenLookupService {
  constructor(
    private readonly receipts: CitizenReceiptRepository,
    private readonly problems: ProblemService,
  ) {}

  /**
   * A citizen's report and its receipt, whichever channel brings it (the
   * citizen page, Open311): stored as `source = 'citizen'` like any report,
   * then given its code and a secret. A report sent again with its
   * Idempotency-Key answers the same problem with the same code and a new secret.
   */
  async report(actor: Actor, input: Omit<ReportInput, 'source'>, idempotencyKey: string | undefined): Promise<ReportAnswer & { receipt: Receipt }> {
    const answer = await this.problems.report(actor, { ...input, source: 'citizen' }, idempotencyKey);
    return { ...answer, receipt: await this.issue(answer.problem.id) };
  }

  /** The receipt of a citizen's report: a new secret each time (see the repository's upsert). */
  async issue(problemId: number): Promise<Receipt> {
    const secret = randomReceiptText(SECRET_LENGTH);
    for (let attempt = 0; attempt < 8; attempt++) {
      const stored = await this.receipts.upsert(problemId, formatCode(randomReceiptText(CODE_LENGTH)), hashSecret(secret));
      if (stored) return { code: stored.code, secret: formatSecret(secret) };
    }
    throw new Error('no free receipt code after 8 draws');
  }

  /** `code` formatted and `secret` normalised (the contract's parsers). */
  async lookup(code: string, secret: string): Promise<LookupAnswer> {
    const found = await this.receipts.byCode(code);
    // an unknown code is compared against a hash all the same, so both failures cost alike
    const given = hashSecret(secret);
    const expected = found?.secretHash ?? new Uint8Array(32);
    if (!timingSafeEqual(given, expected) || !found) throw NOT_FOUND();
    const problem = await this.problems.get(found.problemId).catch(() => undefined);
    if (!problem) throw NOT_FOUND();
    const history = await this.receipts.publicSteps(found.problemId, PUBLIC_STEPS);
    return {
      code,
      status: problem.status,
      categoryId: problem.categoryId,
      categoryName: problem.categoryName,
      ownerName: problem.ownerName,
      reportedAt: problem.reportedAt,
      closedAt: problem.closedAt,
      history: history.map((h) => ({ step: h.action as LookupAnswer['history'][number]['step'], status: h.toStatus, at: h.at })),
    };
  }
}
