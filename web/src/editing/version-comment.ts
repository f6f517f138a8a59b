/**
 * A version's comment in the interface's words. The server writes its own
 * comments in English when it makes a version by itself ("blind spot filled",
 * "restored version 3"); what a person typed is shown as typed.
 */
export type CommentWords =
  | { key: 'screensc.comment.filled' }
  | { key: 'screensc.comment.restored'; version: number }
  | { key: null; text: string };

export function versionComment(comment: string): CommentWords {
  const text = comment.trim();
  if (text === 'blind spot filled') return { key: 'screensc.comment.filled' };
  const restored = /^restored version (\d+)$/.exec(text);
  if (restored) return { key: 'screensc.comment.restored', version: Number(restored[1]) };
  return { key: null, text: comment };
}
