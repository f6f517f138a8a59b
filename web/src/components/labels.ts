import type { Role, TerritoryLevel } from '../api/types.ts';
import { type MessageKey, hasKey, t } from '../i18n/i18n.svelte.ts';
import { zh } from '../i18n/zh.ts';
import type { IssueMeaning } from './admin/form-errors.ts';

const ROLE: Record<Role, MessageKey> = {
  admin: 'role.admin',
  planner: 'role.planner',
  supervisor: 'role.supervisor',
  handler: 'role.handler',
  inspector: 'role.inspector',
  viewer: 'role.viewer',
};

const LEVEL: Record<TerritoryLevel, MessageKey> = {
  district: 'level.district',
  street: 'level.street',
  community: 'level.community',
};

export const roleLabel = (role: Role): string => (ROLE[role] ? t(ROLE[role]) : role);
export const levelLabel = (level: TerritoryLevel): string => (LEVEL[level] ? t(LEVEL[level]) : level);

/** An audit action or entity in words, or as the server named it when the catalogue has no words for it. */
export function auditLabel(kind: 'action' | 'entity', value: string): string {
  const key = `audit.${kind}.${value}`;
  return hasKey(key) ? t(key) : value;
}

/** The audit actions or entities the catalogue has words for, plus `seen` ones, sorted by their words. */
export function auditValues(kind: 'action' | 'entity', seen: readonly string[]): string[] {
  const prefix = `audit.${kind}.`;
  const known = Object.keys(zh).filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
  return [...new Set([...known, ...seen])].sort((a, b) => auditLabel(kind, a).localeCompare(auditLabel(kind, b)));
}

/** A validation issue in the interface's words. */
export function issueText(meaning: IssueMeaning): string {
  switch (meaning.kind) {
    case 'required': return t('users.required');
    case 'min': return t('users.minLength', { n: meaning.n });
    case 'max': return t('users.maxLength', { n: meaning.n });
    default: return meaning.text;
  }
}
