import { ApiError } from '../../api/client.ts';
import { type MessageKey, hasKey, i18n, t } from '../../i18n/i18n.svelte.ts';
import { errorText } from '../error-text.ts';
import type { Category, Problem, ProblemStatus, Warning } from './problem-api.ts';

/** A status in words (待立案, 已派遣 …), or as the server named it. */
export const statusLabel = (status: string): string => (hasKey(`problems.status.${status}`) ? t(`problems.status.${status}` as MessageKey) : status);

/** An action in words (立案, 催办 …); `report` for the timeline's first step. */
export const actionLabel = (action: string): string => (hasKey(`problems.action.${action}`) ? t(`problems.action.${action}` as MessageKey) : action);

export const sourceLabel = (source: string): string => (hasKey(`problems.source.${source}`) ? t(`problems.source.${source}` as MessageKey) : source);

/**
 * Who took a step of the history, as a person reads it: the account's display
 * name; a report's source (市民, 巡查) where no account took it; the system
 * where nobody did. A username is shown only for an account no longer known.
 */
export function actorLabel(entry: { actor: string | null; actorName: string | null }): string {
  if (entry.actorName) return entry.actorName;
  if (entry.actor === null) return t('problems.detail.system');
  return hasKey(`problems.source.${entry.actor}`) ? sourceLabel(entry.actor) : entry.actor;
}

/** The map's and the list's colour of a problem: red overdue, amber from 80 % of the time, blue on time, grey when over. */
export const WARNING_COLOUR: Record<Warning | 'closed', string> = { none: '#2563eb', yellow: '#eab308', red: '#dc2626', closed: '#94a3b8' };

export function colourKey(problem: Pick<Problem, 'status' | 'warning'>): Warning | 'closed' {
  return problem.status === 'closed' || problem.status === 'void' ? 'closed' : problem.warning;
}

export const warningLabel = (key: Warning | 'closed'): string => t(`problems.warning.${key}`);

export const categoryName = (category: Pick<Category, 'nameZh' | 'nameEn'>): string => i18n.pick(category.nameZh, category.nameEn);

/** A moment as the person reads it: 2026-11-01 09:30 (local time). */
export function when(at: string | null): string {
  if (!at) return '—';
  return new Date(at).toLocaleString(i18n.locale === 'zh' ? 'zh-CN' : 'en-GB', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  });
}

/** A timeline note in the interface's words where the server wrote it (the routing's notes on a report). */
export function noteText(note: string): string {
  if (note.startsWith('blind spot:')) return t('problems.note.blindSpot');
  if (note.startsWith('disputed: ')) return t('problems.note.disputed', { owners: note.slice('disputed: '.length).split(', ').join(i18n.locale === 'zh' ? '、' : ', ') });
  return note;
}

/** Server error codes of the problem routes with a sentence of their own. */
const KNOWN: Partial<Record<string, MessageKey>> = {
  outside_territory: 'problems.error.outsideTerritory',
  unknown_category: 'problems.error.unknownCategory',
  heic_not_supported: 'problems.error.heic',
  unsupported_file: 'problems.error.notImage',
  unreadable_image: 'problems.error.unreadable',
  file_too_large: 'problems.error.tooLarge',
  payload_too_large: 'problems.error.tooLarge',
  too_many_photos: 'problems.error.tooMany',
  note_required: 'problems.error.noteRequired',
  not_your_case: 'problems.error.notYourCase',
  role_not_allowed: 'problems.error.roleNotAllowed',
  problem_not_found: 'problems.error.notFound',
  same_owner: 'problems.error.sameOwner',
  unknown_organisation: 'problems.error.unknownOrganisation',
  photos_not_accepted: 'problems.error.photosNotAccepted',
  location_required: 'problems.report.needLocation',
};

/** A failed problem call in one line: our words where we have them, else the shared error text. */
export function problemErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    const known = KNOWN[error.code];
    if (known) return t(known);
    if (error.code === 'network') return t('problems.error.network');
  }
  return errorText(error);
}

/** The words for a 409 `transition_not_allowed`: the state the problem is in now and the states the action needs. */
export function notAllowedText(error: ApiError, action: string): string {
  const details = (error.details ?? {}) as { status?: unknown; allowedFrom?: unknown };
  const status = typeof details.status === 'string' ? statusLabel(details.status) : '?';
  const allowed = Array.isArray(details.allowedFrom) ? (details.allowedFrom as ProblemStatus[]).map(statusLabel).join(i18n.locale === 'zh' ? '、' : ', ') : '?';
  return t('problems.act.notAllowed', { status, action: actionLabel(action), allowed });
}
