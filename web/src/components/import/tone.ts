import type { ImportFeature, ImportStatus } from '../../api/types.ts';

/** How a previewed feature is drawn and listed: what the planner has to look at first. */
export type ImportTone = 'ok' | 'repaired' | 'overlap' | 'blocked';

/** Statuses that stop the whole import (it is all or nothing). */
export const BLOCKING: readonly ImportStatus[] = ['invalid', 'outside_territory', 'unknown_owner'];

/** Finding codes that say the feature overlaps zones already on the map. */
const OVERLAP = /^overlap/;

export const TONE_COLOUR: Record<ImportTone, string> = {
  ok: '#16a34a',
  repaired: '#2563eb',
  overlap: '#ea580c',
  blocked: '#dc2626',
};

/** Blocked red before overlapping orange before repaired blue before ok green. */
export function toneOf(feature: Pick<ImportFeature, 'status' | 'findings'>): ImportTone {
  if (BLOCKING.includes(feature.status)) return 'blocked';
  if (feature.findings.some((finding) => OVERLAP.test(finding.code))) return 'overlap';
  if (feature.status === 'repaired') return 'repaired';
  return 'ok';
}

/** A file size in words: 812 B, 12.4 KB, 3.1 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A fresh key for one commit, kept while the same commit is retried. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
