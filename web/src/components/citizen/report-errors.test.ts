import { describe, expect, it } from 'vitest';
import { reportMessage } from './report-errors.ts';

const failure = (code: string, status: number, retryAfter: number | null = null) => ({ code, status, retryAfter });

describe('reportMessage', () => {
  it('says how long to wait after too many reports', () => {
    expect(reportMessage(failure('rate_limited', 429, 42))).toEqual({ key: 'citizen.error.tooMany', params: { n: 42 } });
    expect(reportMessage(failure('rate_limited', 429))).toEqual({ key: 'citizen.error.tooMany', params: { n: 60 } });
    expect(reportMessage(failure('rate_limited', 429, 582))).toEqual({ key: 'citizen.error.tooManyMinutes', params: { n: 10 } });
  });

  it('says when the address has sent its hour’s photos, in minutes (issue 15)', () => {
    expect(reportMessage(failure('photo_budget_exceeded', 429, 1750))).toEqual({ key: 'citizen.error.photoBudget', params: { n: 30 } });
    expect(reportMessage(failure('photo_budget_exceeded', 429))).toEqual({ key: 'citizen.error.photoBudget', params: { n: 60 } });
    expect(reportMessage(failure('image_too_large', 413)).key).toBe('citizen.error.tooLarge');
  });

  it('tells a HEIC photo from one that is no image at all', () => {
    expect(reportMessage(failure('heic_not_supported', 415)).key).toBe('citizen.error.heic');
    expect(reportMessage(failure('unsupported_file', 415)).key).toBe('citizen.error.notImage');
    expect(reportMessage(failure('something_new', 422)).key).toBe('citizen.error.notImage');
    expect(reportMessage(failure('unreadable_image', 400)).key).toBe('citizen.error.unreadable');
    expect(reportMessage(failure('file_too_large', 413)).key).toBe('citizen.error.tooLarge');
  });

  it('names a place outside the district, a lost connection and the rest', () => {
    expect(reportMessage(failure('outside_territory', 422)).key).toBe('citizen.error.outside');
    expect(reportMessage(failure('network', 0)).key).toBe('citizen.error.network');
    expect(reportMessage(failure('unavailable', 502)).key).toBe('citizen.error.server');
    expect(reportMessage(failure('invalid_request', 400)).key).toBe('citizen.error.other');
    expect(reportMessage(new Error('boom')).key).toBe('citizen.error.other');
  });
});
