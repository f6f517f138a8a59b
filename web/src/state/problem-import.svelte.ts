import { isAbort, request, type UploadProgress, upload } from '../api/client.ts';
import { newIdempotencyKey } from '../components/import/tone.ts';

/** The workflow states an imported problem may be in (server: PROBLEM_STATUSES). */
export const PROBLEM_STATUSES = ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified', 'closed', 'void'] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

/** Why a row is not imported, in the server's order of checks. */
export const SKIP_REASONS = ['no_coordinates', 'bad_coordinates', 'outside_territory', 'bad_date', 'unmapped_category', 'unmapped_status', 'duplicate_in_file', 'already_imported'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const TIMEZONES = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/London'] as const;
export const DATE_ORDERS = ['ymd', 'mdy', 'dmy'] as const;

export interface ProblemCategory {
  id: string;
  parentId: string | null;
  kind: 'component' | 'event';
  nameZh: string;
  nameEn: string;
}

export interface ColumnProfile {
  name: string;
  filled: number;
  distinct: number;
  distinctCapped: boolean;
  top: { value: string; count: number }[];
}

export interface ProblemMapping {
  lon?: string;
  lat?: string;
  point?: string;
  crs: 'wgs84' | 'gcj02';
  reportedAt: string;
  closedAt?: string;
  dueAt?: string;
  timezone: string;
  dateOrder: (typeof DATE_ORDERS)[number];
  status?: { column?: string; values: Record<string, ProblemStatus>; default?: ProblemStatus };
  category: { column?: string; values: Record<string, string>; default?: string };
  description?: string[];
  externalId?: string;
}

export interface ProblemImportPreview {
  previewId: string | null;
  fileName: string;
  encoding: string;
  delimiter: string;
  rowCount: number;
  columns: ColumnProfile[];
  sample: string[][];
  suggested: Partial<ProblemMapping>;
  mapping: ProblemMapping | null;
  summary: {
    rows: number;
    importable: number;
    skipped: number;
    counts: Record<SkipReason, number>;
    categories: Record<string, number>;
    statuses: Record<string, number>;
    reportedFrom: string | null;
    reportedTo: string | null;
    bounds: [number, number, number, number] | null;
  } | null;
  issues: Partial<Record<SkipReason, { row: number; message: string; value?: string }[]>> | null;
}

export interface ProblemImportCommit {
  imported: number;
  alreadyImported: number;
  outsideTerritory: number;
  blindSpots: number;
  disputed: number;
  unowned: number;
  firstId: number | null;
  lastId: number | null;
}

/** The mapping as the form holds it: '' is "not used". */
export interface MappingDraft {
  coordinates: 'columns' | 'point';
  lon: string;
  lat: string;
  point: string;
  crs: 'wgs84' | 'gcj02';
  reportedAt: string;
  closedAt: string;
  dueAt: string;
  timezone: string;
  dateOrder: (typeof DATE_ORDERS)[number];
  statusColumn: string;
  statusValues: Record<string, ProblemStatus | ''>;
  statusDefault: ProblemStatus | '';
  categoryColumn: string;
  categoryValues: Record<string, string>;
  categoryDefault: string;
  description: [string, string];
  externalId: string;
}

const emptyDraft = (): MappingDraft => ({
  coordinates: 'columns', lon: '', lat: '', point: '', crs: 'wgs84', reportedAt: '', closedAt: '', dueAt: '', timezone: 'Asia/Shanghai', dateOrder: 'ymd',
  statusColumn: '', statusValues: {}, statusDefault: '', categoryColumn: '', categoryValues: {}, categoryDefault: '', description: ['', ''], externalId: '',
});

/** Status words of common exports, onto our workflow states (a guess the user sees and can change). */
const STATUS_WORDS: [RegExp, ProblemStatus][] = [
  [/^(closed?|resolved|done|completed?|已?结案|已?办结|已?销号|已?完成|已?关闭)$/i, 'closed'],
  [/^(void|cancell?ed|rejected|invalid|作废|已?撤销|无效)$/i, 'void'],
  [/^(in[ _]progress|processing|处置中|处理中|办理中)$/i, 'in_progress'],
  [/^(dispatched|assigned|已?派遣|已?派单)$/i, 'dispatched'],
  [/^(registered|accepted|已?立案|已?受理)$/i, 'registered'],
  [/^(open|new|reported|pending|submitted|待处理|已?上报|新建)$/i, 'reported'],
];

export function guessStatus(value: string): ProblemStatus | '' {
  return STATUS_WORDS.find(([pattern]) => pattern.test(value.trim()))?.[1] ?? '';
}

/**
 * 导入历史问题: a CSV of past problems (another system's export), its
 * columns mapped onto ours, checked by the server (rows without coordinates,
 * outside the district, with an unmapped category or a bad date — each with
 * its row numbers), then committed in one transaction. One idempotency key
 * per commit, kept when the same commit is tried again.
 */
export class ProblemImporter {
  file = $state.raw<File | null>(null);
  /** The file described (columns, values, sample), before any mapping. */
  described = $state.raw<ProblemImportPreview | null>(null);
  draft = $state<MappingDraft>(emptyDraft());
  /** The checked preview of the current mapping. */
  preview = $state.raw<ProblemImportPreview | null>(null);
  categories = $state.raw<ProblemCategory[]>([]);
  progress = $state.raw<UploadProgress | null>(null);
  loading = $state(false);
  error = $state.raw<unknown>(null);
  committing = $state(false);
  commitError = $state.raw<unknown>(null);
  committed = $state.raw<ProblemImportCommit | null>(null);

  /** The mapping the preview was made with, to tell when the form has moved on. */
  #previewed = $state<string | null>(null);
  #controller: AbortController | null = null;
  #key: string | null = null;

  get columns(): ColumnProfile[] {
    return this.described?.columns ?? [];
  }

  column(name: string): ColumnProfile | undefined {
    return this.columns.find((c) => c.name === name);
  }

  /** The mapping to send, or the first thing still missing (an i18n key suffix). */
  get mapping(): { ok: true; mapping: ProblemMapping } | { ok: false; missing: 'coordinates' | 'reportedAt' | 'category' } {
    const d = this.draft;
    if (d.coordinates === 'columns' ? !d.lon || !d.lat : !d.point) return { ok: false, missing: 'coordinates' };
    if (!d.reportedAt) return { ok: false, missing: 'reportedAt' };
    if (!d.categoryColumn && !d.categoryDefault) return { ok: false, missing: 'category' };
    const pick = <T extends string>(values: Record<string, T | ''>) =>
      Object.fromEntries(Object.entries(values).filter((entry): entry is [string, T] => entry[1] !== '')) as Record<string, T>;
    const mapping: ProblemMapping = {
      ...(d.coordinates === 'columns' ? { lon: d.lon, lat: d.lat } : { point: d.point }),
      crs: d.crs,
      reportedAt: d.reportedAt,
      ...(d.closedAt && { closedAt: d.closedAt }),
      ...(d.dueAt && { dueAt: d.dueAt }),
      timezone: d.timezone,
      dateOrder: d.dateOrder,
      ...(d.statusColumn && { status: { column: d.statusColumn, values: pick(d.statusValues), ...(d.statusDefault && { default: d.statusDefault }) } }),
      category: {
        ...(d.categoryColumn && { column: d.categoryColumn }),
        values: d.categoryColumn ? pick(d.categoryValues) : {},
        ...(d.categoryDefault && { default: d.categoryDefault }),
      },
      ...(d.description.some(Boolean) && { description: d.description.filter(Boolean) }),
      ...(d.externalId && { externalId: d.externalId }),
    };
    return { ok: true, mapping };
  }

  /** The preview shown no longer matches the form: it must be checked again before committing. */
  get stale(): boolean {
    const m = this.mapping;
    return this.preview !== null && (!m.ok || JSON.stringify(m.mapping) !== this.#previewed);
  }

  get canCommit(): boolean {
    const p = this.preview;
    return p !== null && !this.stale && !this.loading && !this.committing && p.previewId !== null && (p.summary?.importable ?? 0) > 0;
  }

  async loadCategories(signal: AbortSignal): Promise<void> {
    if (this.categories.length > 0) return;
    try {
      this.categories = (await request<{ categories: ProblemCategory[] }>('/api/categories', { signal })).categories;
    } catch (error) {
      if (!isAbort(error)) this.error = error;
    }
  }

  /** A new file: described by the server, the form filled from its guess. */
  async choose(file: File): Promise<void> {
    this.file = file;
    this.described = null;
    this.preview = null;
    this.committed = null;
    this.commitError = null;
    this.#previewed = null;
    this.draft = emptyDraft();
    const described = await this.#send(file, undefined);
    if (!described) return;
    this.described = described;
    this.#fill(described.suggested);
  }

  /** Checks every row against the current mapping. */
  async check(): Promise<void> {
    const file = this.file;
    const m = this.mapping;
    if (!file || !m.ok) return;
    this.commitError = null;
    this.committed = null;
    const json = JSON.stringify(m.mapping);
    const checked = await this.#send(file, json);
    if (!checked) return;
    this.#key = null;
    this.preview = checked;
    this.#previewed = json;
  }

  /** Writes the previewed rows, all in one transaction. */
  async commit(): Promise<void> {
    const preview = this.preview;
    if (!preview?.previewId || !this.canCommit) return;
    this.#key ??= newIdempotencyKey();
    this.committing = true;
    this.commitError = null;
    try {
      this.committed = await request<ProblemImportCommit>(`/api/problems/import/${encodeURIComponent(preview.previewId)}/commit`, {
        method: 'POST', headers: { 'idempotency-key': this.#key },
      });
      this.#key = null;
      this.preview = null;
      this.#previewed = null;
    } catch (error) {
      this.commitError = error; // the key stays: trying again is the same commit
    } finally {
      this.committing = false;
    }
  }

  /** The category column changed: its values mapped afresh (kept where the same value was mapped before). */
  setCategoryColumn(name: string): void {
    const before = this.draft.categoryValues;
    const values: Record<string, string> = {};
    for (const { value } of this.column(name)?.top ?? []) values[value] = before[value] ?? this.#guessCategory(value);
    this.draft.categoryColumn = name;
    this.draft.categoryValues = values;
  }

  setStatusColumn(name: string): void {
    const before = this.draft.statusValues;
    const values: Record<string, ProblemStatus | ''> = {};
    for (const { value } of this.column(name)?.top ?? []) values[value] = before[value] ?? guessStatus(value);
    this.draft.statusColumn = name;
    this.draft.statusValues = values;
  }

  discard(): void {
    this.#controller?.abort();
    this.#controller = null;
    this.#key = null;
    this.file = null;
    this.described = null;
    this.preview = null;
    this.#previewed = null;
    this.error = null;
    this.commitError = null;
    this.loading = false;
    this.progress = null;
    this.draft = emptyDraft();
  }

  #fill(s: Partial<ProblemMapping>): void {
    const d = emptyDraft();
    if (s.point) {
      d.coordinates = 'point';
      d.point = s.point;
    }
    d.lon = s.lon ?? '';
    d.lat = s.lat ?? '';
    d.reportedAt = s.reportedAt ?? '';
    d.closedAt = s.closedAt ?? '';
    d.dueAt = s.dueAt ?? '';
    d.description = [s.description?.[0] ?? '', s.description?.[1] ?? ''];
    d.externalId = s.externalId ?? '';
    this.draft = d;
    if (s.category?.column) this.setCategoryColumn(s.category.column);
    if (s.status?.column) this.setStatusColumn(s.status.column);
  }

  /** A category whose id or name is the value itself (a file exported from civgrid or a similar system). */
  #guessCategory(value: string): string {
    const v = value.trim().toLowerCase();
    const hit = this.categories.find((c) => c.parentId !== null && (c.id === v || c.nameZh === value.trim() || c.nameEn.toLowerCase() === v));
    return hit?.id ?? '';
  }

  async #send(file: File, mapping: string | undefined): Promise<ProblemImportPreview | null> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.loading = true;
    this.error = null;
    this.progress = { loaded: 0, total: file.size };
    const form = new FormData();
    form.set('file', file, file.name);
    if (mapping) form.set('mapping', mapping);
    try {
      const answer = await upload<ProblemImportPreview>('/api/problems/import', form, {
        signal: controller.signal,
        onProgress: (progress) => (this.progress = progress),
      });
      return controller.signal.aborted ? null : answer;
    } catch (error) {
      if (!isAbort(error) && !controller.signal.aborted) this.error = error;
      return null;
    } finally {
      if (this.#controller === controller) {
        this.#controller = null;
        this.loading = false;
        this.progress = null;
      }
    }
  }
}
