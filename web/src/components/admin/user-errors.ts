import { ApiError } from '../../api/client.ts';
import { t } from '../../i18n/i18n.svelte.ts';
import { errorText } from '../error-text.ts';
import { issueText } from '../labels.ts';
import { fieldErrors } from './form-errors.ts';

export const MIN_PASSWORD = 10;
/** The server's rule for usernames, checked before sending. */
export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$/;
/** Fields of the server's validation details that stand for the whole body. */
const WHOLE = new Set(['', 'json', 'query', 'param']);

/** Messages by form field (`username`, `territoryId`, …), and `''` for the form as a whole. */
export type FormErrors = Record<string, string>;

/**
 * A refused create or edit, said next to the fields it is about: a taken
 * username, a territory outside the admin's scope, a weak password, or the
 * validation issues the server listed.
 */
export function userFormErrors(error: unknown, fields: readonly string[]): FormErrors {
  if (!(error instanceof ApiError)) return { '': errorText(error) };
  switch (error.code) {
    case 'username_taken': return { username: t('users.taken') };
    case 'out_of_scope': return { territoryId: t('users.outOfScope'), '': t('users.outOfScope') };
    case 'weak_password': return { password: t('password.weak', { n: MIN_PASSWORD }) };
    case 'invalid_scope': return { territoryId: t('users.invalidScope') };
    case 'organisation_required': return { organisationId: t('users.orgRequired') };
    case 'invalid_organisation': return { organisationId: t('users.invalidOrg') };
    case 'cannot_lock_out_self': return { '': t('users.selfLockout') };
  }
  if (error.status === 400 && error.details !== undefined) {
    const byField = fieldErrors(error.details, issueText);
    const out: FormErrors = {};
    const other: string[] = [];
    for (const [field, text] of Object.entries(byField)) {
      if (fields.includes(field)) out[field] = text;
      else other.push(WHOLE.has(field) ? text : `${field}: ${text}`);
    }
    out[''] = other.length > 0 ? `${t('users.invalid')}: ${other.join('; ')}` : t('users.invalid');
    return out;
  }
  return { '': errorText(error) };
}
