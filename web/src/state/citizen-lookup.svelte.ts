import type { LookupAnswer, LookupRequest } from '@civgrid/server/contracts/citizen-lookup';
import { ApiError, request } from '../api/client.ts';

/** A report this browser sent, kept for 我的上报: its number, code and secret. */
export interface MyReport {
  id: number;
  code: string;
  secret: string;
  categoryName: string;
  reportedAt: string;
}

const STORAGE_KEY = 'civgrid.citizen.reports';
/** The newest reports kept on the device. */
const KEEP = 30;

function isMyReport(value: unknown): value is MyReport {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.id === 'number' && typeof r.code === 'string' && typeof r.secret === 'string' && typeof r.categoryName === 'string' && typeof r.reportedAt === 'string';
}

/** The reports kept in this browser, newest first (none when storage is off or holds something else). */
export function myReports(): MyReport[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isMyReport) : [];
  } catch {
    return [];
  }
}

/** Keeps a received report's code and secret on this device (the server keeps only the secret's hash). */
export function rememberReport(report: { id: number; categoryName: string; reportedAt: string; receipt: { code: string; secret: string } }): void {
  const entry: MyReport = { id: report.id, code: report.receipt.code, secret: report.receipt.secret, categoryName: report.categoryName, reportedAt: report.reportedAt };
  const kept = [entry, ...myReports().filter((r) => r.id !== entry.id)].slice(0, KEEP);
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(kept));
  } catch {
    // private mode or a full store: the receipt on screen is all there is
  }
}

export type LookupFailure = 'not_found' | 'invalid' | 'rate_limited' | 'network' | 'other';

/**
 * 查询进度: a report looked up by its code and secret. The server answers the
 * state and the public steps; a wrong secret and an unknown code are one
 * answer (not found), so the page cannot say which was wrong either.
 */
export class ReportLookup {
  code = $state('');
  secret = $state('');
  busy = $state(false);
  answer = $state.raw<LookupAnswer | null>(null);
  failure = $state<LookupFailure | null>(null);
  retryAfter = $state<number | null>(null);
  mine = $state.raw<MyReport[]>(myReports());

  /** Fills the form from a kept report and looks it up. */
  open(report: MyReport): Promise<void> {
    this.code = report.code;
    this.secret = report.secret;
    return this.lookup();
  }

  refreshMine(): void {
    this.mine = myReports();
  }

  async lookup(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.failure = null;
    this.answer = null;
    try {
      const body: LookupRequest = { code: this.code.trim(), secret: this.secret.trim() };
      this.answer = await request<LookupAnswer>('/api/public/problems/lookup', { method: 'POST', body });
    } catch (error) {
      this.failure = failureOf(error);
      this.retryAfter = error instanceof ApiError ? error.retryAfter : null;
    } finally {
      this.busy = false;
    }
  }
}

function failureOf(error: unknown): LookupFailure {
  if (!(error instanceof ApiError)) return 'other';
  if (error.code === 'network') return 'network';
  if (error.status === 404) return 'not_found';
  if (error.status === 400) return 'invalid';
  if (error.status === 429) return 'rate_limited';
  return 'other';
}
