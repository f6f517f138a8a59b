import { z } from 'zod';

/**
 * The citizen page's receipt and lookup (你拍我改, no account): after a
 * report the citizen gets a short code to quote and a secret shown once; the
 * code and the secret together answer the report's progress. Codes and
 * secrets are Crockford base32 (no I, L, O, U), read back forgivingly: case,
 * spaces and dashes do not matter, O reads as 0, I and L as 1.
 */

export const RECEIPT_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Characters of a code (30 bits: the code names a report, it guards nothing). */
export const CODE_LENGTH = 6;
/** Characters of a secret: 16 × 5 = 80 random bits. */
export const SECRET_LENGTH = 16;

/** Upper case, Crockford's look-alikes mapped, everything but letters and digits dropped. */
export function normaliseReceiptText(text: string): string {
  return text.toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1').replace(/[^0-9A-Z]/g, '');
}

/** A code as printed: `7K3-Q9M`. */
export const formatCode = (raw: string) => `${raw.slice(0, 3)}-${raw.slice(3)}`;
/** A secret as printed, in groups of four: `ABCD-EFGH-JKMN-PQRS`. */
export const formatSecret = (raw: string) => raw.match(/.{1,4}/g)?.join('-') ?? raw;

const inAlphabet = (length: number) => new RegExp(`^[${RECEIPT_ALPHABET}]{${length}}$`);

export const receiptCode = z
  .string()
  .max(40)
  .transform(normaliseReceiptText)
  .pipe(z.string().regex(inAlphabet(CODE_LENGTH), 'must be a report code such as 7K3-Q9M'))
  .transform(formatCode);

export const receiptSecret = z
  .string()
  .max(80)
  .transform(normaliseReceiptText)
  .pipe(z.string().regex(inAlphabet(SECRET_LENGTH), 'must be the secret given with the code'));

/** `POST /api/public/problems/lookup`: a POST, so that the secret stays out of addresses and logs. */
export const lookupRequest = z.object({ code: receiptCode, secret: receiptSecret }).strict();
export type LookupRequest = z.input<typeof lookupRequest>;

/** What a citizen's report answers, beside its number: the receipt, shown once. */
export const receipt = z.object({ code: z.string(), secret: z.string() });
export type Receipt = z.infer<typeof receipt>;

/** The workflow steps a citizen reads about; urging and escalating are the office's own business. */
export const PUBLIC_STEPS = ['report', 'register', 'dispatch', 'start', 'feedback', 'verify', 'close', 'return', 'void', 'transfer'] as const;

/** The lookup's answer: the report's state and its public history, no names of staff, no notes. */
export const lookupAnswer = z.object({
  code: z.string(),
  status: z.string(),
  categoryId: z.string(),
  categoryName: z.string(),
  ownerName: z.string().nullable(),
  reportedAt: z.string(),
  closedAt: z.string().nullable(),
  history: z.array(z.object({ step: z.enum(PUBLIC_STEPS), status: z.string().nullable(), at: z.string() })),
});
export type LookupAnswer = z.infer<typeof lookupAnswer>;
