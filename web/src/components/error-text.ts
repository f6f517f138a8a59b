import { ApiError } from '../api/client.ts';
import { t } from '../i18n/i18n.svelte.ts';

/** A one-line description of a failed call, for a panel. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    return error.code === 'network' || error.code === 'unavailable' ? t('status.apiDown') : `${error.message} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
