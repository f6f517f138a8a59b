import { describe, expect, it } from 'vitest';
import { type IssueMeaning, fieldErrors, meaningOf } from './form-errors.ts';

const words = (meaning: IssueMeaning): string =>
  meaning.kind === 'required' ? 'required' : meaning.kind === 'min' ? `min ${meaning.n}` : meaning.kind === 'max' ? `max ${meaning.n}` : meaning.text;

describe('validation details to form fields', () => {
  it('reads the server’s { field, message } list, first issue per field', () => {
    const details = [
      { field: 'password', message: 'Too small: expected string to have >=10 characters' },
      { field: 'password', message: 'second one' },
      { field: 'territoryId', message: 'Invalid input: expected number, received undefined' },
      { field: 'username', message: 'Only letters, digits, dot, dash and underscore' },
    ];
    expect(fieldErrors(details, words)).toEqual({
      password: 'min 10',
      territoryId: 'required',
      username: 'Only letters, digits, dot, dash and underscore',
    });
  });

  it('reads zod issues with their codes and nested paths', () => {
    const details = [
      { code: 'too_big', maximum: 64, path: ['displayName'], message: 'Too big' },
      { code: 'custom', path: ['organisation', 'id'], message: 'A handler needs an organisation' },
      { code: 'custom', path: [], message: 'Something about the whole body' },
    ];
    expect(fieldErrors({ issues: details }, words)).toEqual({
      displayName: 'max 64',
      organisation: 'A handler needs an organisation',
      '': 'Something about the whole body',
    });
  });

  it('reads flattened zod errors, and nothing from what it does not know', () => {
    expect(fieldErrors({ formErrors: [], fieldErrors: { username: ['Required'] } }, words)).toEqual({ username: 'required' });
    expect(fieldErrors('oops', words)).toEqual({});
    expect(fieldErrors(null, words)).toEqual({});
  });

  it('understands zod’s default wording', () => {
    expect(meaningOf({ message: 'Too big: expected string to have <=32 characters' })).toEqual({ kind: 'max', n: 32 });
    expect(meaningOf({ message: 'String must contain at least 3 character(s)' })).toEqual({ kind: 'min', n: 3 });
    expect(meaningOf({ message: 'Invalid option' })).toEqual({ kind: 'text', text: 'Invalid option' });
  });
});
