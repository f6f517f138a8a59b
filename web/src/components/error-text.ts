import { ApiError } from '../api/client.ts';
import { i18n, type MessageKey, t } from '../i18n/i18n.svelte.ts';

/** Server error codes with a sentence of their own; others show the server's message and code (in Chinese: a sentence and the code). */
const KNOWN: Partial<Record<string, MessageKey>> = {
  forbidden: 'auth.forbidden',
  csrf_failed: 'auth.csrf',
  out_of_scope: 'users.outOfScope',
  district_scope_required: 'scope.districtRequired',
  owner_out_of_scope: 'scope.ownerOutOfScope',
  username_taken: 'users.taken',
  invalid_credentials: 'auth.invalid',
  cannot_lock_out_self: 'users.selfLockout',
  line_does_not_split: 'edit.error.lineDoesNotSplit',
  not_adjacent: 'edit.error.notAdjacent',
  different_duties: 'edit.error.differentDuties',
  geometry_too_complex: 'edit.error.tooComplex',
  empty_geometry: 'edit.error.empty',
  invalid_geometry: 'edit.error.invalid',
  zone_not_found: 'edit.error.notFound',
  too_deeply_nested: 'input.error.tooDeep',
  too_many_values: 'input.error.tooManyValues',
  geometry_out_of_bounds: 'geometry.error.outOfBounds',
  query_timeout: 'server.queryTimeout',
  idempotency_key_reused: 'request.keyReused',
};

/** A one-line description of a failed call, for a panel. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'network' || error.code === 'unavailable') return t('status.apiDown');
    const known = KNOWN[error.code];
    if (known) return t(known);
    if (error.code === 'rate_limited') return t('auth.rateLimited', { n: error.retryAfter ?? 60 });
    if (error.code === 'busy') return t('server.busy', { n: error.retryAfter ?? 5 });
    // the server's message is English: the Chinese interface says so in its own words, with the code to quote
    return i18n.locale === 'zh' ? t('screensc.error.unknown', { code: error.code }) : `${error.message} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
