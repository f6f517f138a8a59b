import { describe, expect, it } from 'vitest';
import { versionComment } from './version-comment.ts';

describe('version comments', () => {
  it('puts the server’s own comments into words, and keeps what a person typed', () => {
    expect(versionComment('blind spot filled')).toEqual({ key: 'screensc.comment.filled' });
    expect(versionComment('restored version 12')).toEqual({ key: 'screensc.comment.restored', version: 12 });
    expect(versionComment('初始划定')).toEqual({ key: null, text: '初始划定' });
    expect(versionComment('restored version twelve')).toEqual({ key: null, text: 'restored version twelve' });
  });
});
