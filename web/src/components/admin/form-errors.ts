/**
 * The server's validation details (400, `details`) turned into one message
 * per form field. The server sends `[{ field, message }]`; zod's own issues
 * (`[{ path, code, message, minimum?, maximum? }]`) are read as well.
 */

/** What an issue says, in a form the interface can put in its own words. */
export type IssueMeaning =
  | { kind: 'required' }
  | { kind: 'min'; n: number }
  | { kind: 'max'; n: number }
  | { kind: 'text'; text: string };

interface RawIssue {
  field?: unknown;
  path?: unknown;
  code?: unknown;
  message?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  input?: unknown;
}

function fieldOf(issue: RawIssue): string {
  if (typeof issue.field === 'string') return issue.field;
  if (Array.isArray(issue.path)) return issue.path.map(String).join('.');
  return '';
}

/** Reads one issue: zod's codes when sent, else the wording of zod's default messages, else the message itself. */
export function meaningOf(issue: RawIssue): IssueMeaning {
  const message = typeof issue.message === 'string' ? issue.message : '';
  if (issue.code === 'too_small' && typeof issue.minimum === 'number') return { kind: 'min', n: issue.minimum };
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') return { kind: 'max', n: issue.maximum };
  if (/received undefined|required/i.test(message)) return { kind: 'required' };
  const min = /too small.*>=?\s*(\d+)/i.exec(message) ?? /at least (\d+)/i.exec(message);
  if (min) return { kind: 'min', n: Number(min[1]) };
  const max = /too big.*<=?\s*(\d+)/i.exec(message) ?? /at most (\d+)/i.exec(message);
  if (max) return { kind: 'max', n: Number(max[1]) };
  return { kind: 'text', text: message };
}

/**
 * Messages by field (the first part of its path: `territoryId`, `password`, …);
 * issues without a field come under `''`. The first issue of a field wins.
 */
export function fieldErrors(details: unknown, describe: (meaning: IssueMeaning) => string): Record<string, string> {
  const list: unknown = Array.isArray(details) ? details : (details as { issues?: unknown } | null)?.issues;
  const out: Record<string, string> = {};
  if (Array.isArray(list)) {
    for (const raw of list) {
      if (!raw || typeof raw !== 'object') continue;
      const issue = raw as RawIssue;
      const field = fieldOf(issue).split('.')[0] ?? '';
      out[field] ??= describe(meaningOf(issue));
    }
    return out;
  }
  // zod's flatten(): { formErrors: string[], fieldErrors: { name: string[] } }
  const flat = details as { formErrors?: unknown; fieldErrors?: Record<string, unknown> } | null;
  if (flat?.fieldErrors && typeof flat.fieldErrors === 'object') {
    for (const [field, messages] of Object.entries(flat.fieldErrors)) {
      if (Array.isArray(messages) && typeof messages[0] === 'string') out[field] = describe(meaningOf({ message: messages[0] }));
    }
  }
  return out;
}
