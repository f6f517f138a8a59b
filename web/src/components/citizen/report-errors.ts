import type { MessageKey } from '../../i18n/zh.ts';

/** What the citizen page says about a failed report: a catalogue key and its placeholders. */
export interface ReportMessage {
  key: MessageKey;
  params?: Record<string, string | number>;
}

interface ErrorLike {
  code?: unknown;
  status?: unknown;
  retryAfter?: unknown;
}

/**
 * A failed POST /api/public/problems in the citizen's words: too many reports
 * or photos (429, with the wait), a photo that is not an image or is HEIC (415, or 422
 * where a server says so), too large (413), unreadable, a place outside the
 * district (422), no place or category, no network. Anything else: a general
 * message; nothing of the server's internals.
 */
export function reportMessage(error: unknown): ReportMessage {
  const e = (error ?? {}) as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  const status = typeof e.status === 'number' ? e.status : 0;
  if (code === 'network') return { key: 'citizen.error.network' };
  if (code === 'photo_budget_exceeded') {
    // the hourly photo budget of an address: said in minutes, with the way on (send without photos)
    const wait = typeof e.retryAfter === 'number' && e.retryAfter > 0 ? e.retryAfter : 3600;
    return { key: 'citizen.error.photoBudget', params: { n: Math.ceil(wait / 60) } };
  }
  if (code === 'rate_limited' || status === 429) {
    const wait = typeof e.retryAfter === 'number' && e.retryAfter > 0 ? Math.ceil(e.retryAfter) : 60;
    // a wait of minutes is said in minutes
    return wait > 90 ? { key: 'citizen.error.tooManyMinutes', params: { n: Math.ceil(wait / 60) } } : { key: 'citizen.error.tooMany', params: { n: wait } };
  }
  if (code === 'heic_not_supported') return { key: 'citizen.error.heic' };
  if (code === 'unsupported_file' || code === 'not_an_image') return { key: 'citizen.error.notImage' };
  if (code === 'unreadable_image' || code === 'empty_file') return { key: 'citizen.error.unreadable' };
  if (code === 'file_too_large' || code === 'image_too_large' || code === 'payload_too_large' || status === 413) return { key: 'citizen.error.tooLarge' };
  if (code === 'too_many_photos') return { key: 'citizen.error.tooManyPhotos' };
  if (code === 'outside_territory') return { key: 'citizen.error.outside' };
  if (code === 'location_required') return { key: 'citizen.error.noPlace' };
  if (code === 'unknown_category') return { key: 'citizen.error.noCategory' };
  if (status === 415 || status === 422) return { key: 'citizen.error.notImage' };
  if (code === 'unavailable' || status >= 500) return { key: 'citizen.error.server' };
  return { key: 'citizen.error.other' };
}
