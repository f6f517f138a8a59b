import { ApiError } from '../../api/client.ts';
import { type MessageKey, hasKey, i18n, t } from '../../i18n/i18n.svelte.ts';
import { formatArea } from '../../editing/format.ts';
import { errorText } from '../error-text.ts';

/** What went wrong with an upload or a commit, in the interface's words, and the server's own detail when it helps. */
export interface ImportErrorText {
  text: string;
  detail: string | null;
  /** Per-feature reasons (422 `import_blocked`): feature index and what is wrong with it. */
  features: { index: number; text: string }[];
}

const BY_CODE: Partial<Record<string, MessageKey>> = {
  zip_too_large: 'import.error.zipTooLarge',
  unreadable_file: 'import.error.unreadable',
  unsupported_file: 'import.error.unsupported',
  empty_file: 'import.error.emptyFile',
  no_features: 'import.error.noFeatures',
  too_many_features: 'import.error.tooManyFeatures',
  unknown_field: 'import.error.unknownField',
  unknown_organisation: 'import.error.unknownOrganisation',
  import_blocked: 'import.error.blocked',
  preview_not_found: 'import.error.expired',
  zip_too_many_entries: 'import.error.tooManyEntries',
  unsafe_zip_entry: 'import.error.unsafeEntry',
  duplicate_zip_entry: 'import.error.duplicateEntry',
  overlapping_zip_entries: 'import.error.duplicateEntry',
  too_many_positions: 'import.error.tooManyPositions',
};

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
}

/** The per-feature reasons a 422 carries, in whichever of the likely shapes it sends them. */
function featureReasons(details: unknown): { index: number; text: string }[] {
  const d = record(details);
  const list = Array.isArray(details) ? details : (d?.features ?? d?.errors ?? d?.blocked);
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const entry = record(item);
    if (!entry || typeof entry.index !== 'number') return [];
    const findings = Array.isArray(entry.findings) ? entry.findings : [];
    const name = typeof entry.name === 'string' ? entry.name : '';
    const reasons = findings.map((f) => findingText(record(f) ?? {}, name)).filter(Boolean);
    const own = typeof entry.message === 'string' ? entry.message : typeof entry.status === 'string' ? statusText(entry.status) : '';
    return [{ index: entry.index, text: (reasons.length > 0 ? reasons : [own]).join('；') }];
  });
}

export function statusText(status: string): string {
  const key = `import.status.${status}`;
  return hasKey(key) ? t(key) : status;
}

const quoted = (message: unknown) => (typeof message === 'string' ? (/"([^"]*)"/.exec(message)?.[1] ?? '') : '');
const num = (value: unknown) => (typeof value === 'number' ? value.toLocaleString(i18n.locale === 'zh' ? 'zh-CN' : 'en-GB') : '?');

/** A finding in words: the catalogue's sentence for its code (with its numbers), or the server's message. */
export function findingText(finding: Record<string, unknown>, name = ''): string {
  switch (finding.code) {
    case 'unnamed':
      return t('import.finding.unnamed', { name });
    case 'default_owner':
      return t('import.finding.default_owner', { value: quoted(finding.message) });
    case 'unknown_owner':
      return typeof finding.value === 'string' && finding.value ? t('import.finding.unknown_owner', { value: finding.value }) : t('import.finding.no_owner');
    case 'outside_territory':
      return t('import.finding.outside_territory', {
        size: typeof finding.outsideM2 === 'number' ? formatArea(finding.outsideM2, t('unit.ha')) : `${num(finding.outsideM)} m`,
      });
    case 'overlaps_existing':
      return t('import.finding.overlaps_existing', { n: Array.isArray(finding.zones) ? finding.zones.length : 1, area: typeof finding.areaM2 === 'number' ? formatArea(finding.areaM2, t('unit.ha')) : '?' });
    case 'invalid': {
      const key = `import.finding.invalid.${String(finding.reason)}`;
      return hasKey(key) ? t(key) : t('import.finding.invalid');
    }
  }
  const key = `import.finding.${String(finding.code)}`;
  if (hasKey(key)) return t(key);
  return typeof finding.message === 'string' && finding.message ? finding.message : String(finding.code ?? '');
}

export function importErrorText(error: unknown): ImportErrorText {
  if (!(error instanceof ApiError)) return { text: errorText(error), detail: null, features: [] };
  const server = error.message && error.code !== 'network' ? t('import.error.detail', { message: error.message }) : null;
  if (error.code === 'file_too_large' || error.code === 'payload_too_large') {
    const limit = /limit is ([\d.]+ MB)/.exec(error.message)?.[1];
    return { text: t('import.error.fileTooLarge', { max: limit ? ` ${limit}` : '' }), detail: server, features: [] };
  }
  const key = BY_CODE[error.code];
  if (key) return { text: t(key), detail: server, features: featureReasons(error.details) };
  if (error.code === 'invalid_request' || error.code === 'duty_required' || error.code === 'unknown_duty') {
    return { text: t('import.error.invalidOptions', { message: error.message }), detail: null, features: [] };
  }
  return { text: errorText(error), detail: null, features: featureReasons(error.details) };
}
