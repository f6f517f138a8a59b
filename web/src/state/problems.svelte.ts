import { getContext, setContext } from 'svelte';
import { ApiError, isAbort } from '../api/client.ts';
import {
  type Category, type Duplicates, OPEN_STATUSES, type Problem, type ProblemDetail, type ProblemQuery, type ProblemSort, type ProblemStatus,
  problemApi, type TransitionInput, type Warning,
} from '../components/problems/problem-api.ts';
import { actionLabel, notAllowedText, problemErrorText } from '../components/problems/problem-labels.ts';
import { t } from '../i18n/i18n.svelte.ts';

export type ProblemsView = 'list' | 'detail' | 'report';

/** The list's filter form. Dates are `YYYY-MM-DD` (China time on the server). */
export interface ProblemFilters {
  /** `open`: every state before 结案 and 作废. */
  status: '' | 'open' | ProblemStatus;
  category: string;
  from: string;
  to: string;
  /** `late`: yellow or red. */
  warning: '' | 'late' | 'yellow' | 'red';
  flag: '' | 'blindSpot' | 'disputed';
  /** By report time. */
  sort: ProblemSort;
  /** 我的待办: only the states where the reader has the next step. */
  todo: boolean;
}

export const PAGE_SIZE = 50;
export const MAX_PHOTOS = 4;

const emptyFilters = (todo = false): ProblemFilters => ({ status: '', category: '', from: '', to: '', warning: '', flag: '', sort: 'newest', todo });

/** What the server reads for the filter form. */
export function queryOf(filters: ProblemFilters): ProblemQuery {
  const warning: Warning[] | undefined = filters.warning === 'late' ? ['yellow', 'red'] : filters.warning ? [filters.warning] : undefined;
  return {
    status: filters.status === 'open' ? OPEN_STATUSES : filters.status ? [filters.status] : undefined,
    category: filters.category || undefined,
    from: filters.from || undefined,
    to: filters.to || undefined,
    warning,
    blindSpot: filters.flag === 'blindSpot' ? true : undefined,
    disputed: filters.flag === 'disputed' ? true : undefined,
    sort: filters.sort,
    todo: filters.todo || undefined,
    limit: PAGE_SIZE,
  };
}

export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A message in the detail, after an action. */
export interface ActionMessage {
  tone: 'ok' | 'error' | 'info';
  title?: string;
  text: string;
  /** The server's own words, under ours (a 409's message). */
  server?: string;
}

/**
 * 上报问题: the form of one report. One Idempotency-Key per form
 * (crypto.randomUUID): sending the same report again, after an error or a
 * double click, creates one problem; a new form gets a new key.
 */
export class ReportDraft {
  location = $state.raw<{ lon: number; lat: number; source: 'map' | 'device' } | null>(null);
  categoryId = $state('');
  description = $state('');
  photos = $state.raw<{ file: File; url: string }[]>([]);
  duplicates = $state.raw<Duplicates | null>(null);
  checking = $state(false);
  locating = $state(false);
  locateError = $state<string | null>(null);
  submitting = $state(false);
  error = $state<string | null>(null);
  result = $state.raw<Problem | null>(null);
  key = $state(newKey());

  /** Photos beyond four are not taken; returns whether some were left out. */
  addPhotos(files: Iterable<File>): boolean {
    const room = MAX_PHOTOS - this.photos.length;
    const all = [...files];
    const added = all.slice(0, Math.max(0, room)).map((file) => ({ file, url: URL.createObjectURL(file) }));
    this.photos = [...this.photos, ...added];
    return all.length > added.length;
  }

  removePhoto(index: number): void {
    const photo = this.photos[index];
    if (photo) URL.revokeObjectURL(photo.url);
    this.photos = this.photos.filter((_, i) => i !== index);
  }

  /** Open problems of the chosen category within its radius of the chosen place. */
  async checkDuplicates(signal: AbortSignal): Promise<void> {
    const at = this.location;
    if (!at || !this.categoryId) {
      this.duplicates = null;
      return;
    }
    this.checking = true;
    try {
      const found = await problemApi.duplicates(at.lon, at.lat, this.categoryId, signal);
      if (!signal.aborted) this.duplicates = found;
    } catch (error) {
      if (!isAbort(error) && !signal.aborted) this.duplicates = null;
    } finally {
      if (!signal.aborted) this.checking = false;
    }
  }

  /** The device's position (GPS is WGS84, sent as such). */
  locate(): Promise<{ lon: number; lat: number } | null> {
    this.locateError = null;
    if (!('geolocation' in navigator)) {
      this.locateError = t('problems.report.noGeolocation');
      return Promise.resolve(null);
    }
    this.locating = true;
    return new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (position) => {
          this.locating = false;
          this.location = { lon: position.coords.longitude, lat: position.coords.latitude, source: 'device' };
          resolve(this.location);
        },
        (failure) => {
          this.locating = false;
          this.locateError = t('problems.report.locateFailed', { reason: failure.message || String(failure.code) });
          resolve(null);
        },
        { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
      );
    });
  }

  async submit(): Promise<Problem | null> {
    if (this.submitting) return null;
    const at = this.location;
    if (!at) {
      this.error = t('problems.report.needLocation');
      return null;
    }
    if (!this.categoryId) {
      this.error = t('problems.report.needCategory');
      return null;
    }
    this.submitting = true;
    this.error = null;
    try {
      const problem = await problemApi.report(
        { lon: at.lon, lat: at.lat, crs: 'wgs84', categoryId: this.categoryId, description: this.description.trim(), photos: this.photos.map((p) => p.file) },
        this.key,
      );
      this.result = problem;
      return problem;
    } catch (error) {
      // the key stays: sending again is the same report
      this.error = error instanceof ApiError && error.code === 'network' ? t('problems.report.networkRetry') : problemErrorText(error);
      return null;
    } finally {
      this.submitting = false;
    }
  }

  /** A fresh form (and a fresh key); the category stays, for a round of similar reports. */
  reset(): void {
    for (const photo of this.photos) URL.revokeObjectURL(photo.url);
    this.photos = [];
    this.location = null;
    this.description = '';
    this.duplicates = null;
    this.error = null;
    this.locateError = null;
    this.result = null;
    this.key = newKey();
  }
}

/**
 * 问题: the staff workspace over the problems — the filtered list a page at
 * a time (shown on the map too), one problem's detail with its timeline and
 * the actions the role may take, and the report form.
 */
export class ProblemsWorkspace {
  open = $state(false);
  view = $state<ProblemsView>('list');
  categories = $state.raw<Category[]>([]);

  filters = $state<ProblemFilters>(emptyFilters());
  /** The query of the page shown: the filters as last applied, and the page's cursor. */
  query = $state.raw<ProblemQuery>(queryOf(emptyFilters()));
  rows = $state.raw<Problem[]>([]);
  next = $state<number | null>(null);
  /** How many problems the applied filters match on every page (null: not known yet). */
  total = $state<number | null>(null);
  /** The cursors of the pages before the one shown (`undefined`: the first page). */
  #cursors: (number | undefined)[] = [];
  page = $state(1);
  loading = $state(false);
  error = $state.raw<unknown>(null);
  /** Grows after each write: the list (and the map) load again. */
  revision = $state(0);

  selectedId = $state<number | null>(null);
  detail = $state.raw<ProblemDetail | null>(null);
  detailLoading = $state(false);
  detailError = $state.raw<unknown>(null);
  /** Grows to load the detail again. */
  detailRevision = $state(0);
  busy = $state<TransitionInput['action'] | null>(null);
  message = $state.raw<ActionMessage | null>(null);

  /** Where the map should go: a problem opened from the list, the place of a report. */
  focus = $state.raw<{ lon: number; lat: number; serial: number } | null>(null);
  #serial = 0;

  readonly draft = new ReportDraft();

  /**
   * `available`: whether the right side is free for the workspace (no admin panel or importer over it).
   * `todoFirst`: the list opens on the reader's to-do (我的待办), as a handler's does.
   */
  constructor(
    private readonly available: () => boolean = () => true,
    private readonly todoFirst = false,
  ) {
    this.filters = emptyFilters(todoFirst);
    this.query = queryOf(this.filters);
  }

  /** Open and not covered by another panel: the panel shows, the map draws the page and takes its clicks. */
  get shown(): boolean {
    return this.open && this.available();
  }

  /** While the report form shows, a click on the map places the report. */
  get picking(): boolean {
    return this.shown && this.view === 'report' && this.draft.result === null;
  }

  toggle(): void {
    this.open = !this.open;
  }

  async loadCategories(signal: AbortSignal): Promise<void> {
    if (this.categories.length > 0) return;
    try {
      this.categories = (await problemApi.categories(signal)).categories;
    } catch (error) {
      if (!isAbort(error)) console.warn('problem categories', error);
    }
  }

  category(id: string): Category | undefined {
    return this.categories.find((c) => c.id === id);
  }

  /** The page of `query`. */
  async load(signal: AbortSignal): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      const page = await problemApi.list(this.query, signal);
      if (signal.aborted) return;
      this.rows = page.problems;
      this.next = page.next;
      this.total = page.total;
    } catch (error) {
      if (!isAbort(error) && !signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  apply(): void {
    this.#cursors = [];
    this.page = 1;
    this.query = queryOf(this.filters);
  }

  resetFilters(): void {
    this.filters = emptyFilters(this.todoFirst);
    this.apply();
  }

  /** 我的待办 or everything the reader may see; the other filters stay. */
  showTodo(todo: boolean): void {
    this.filters.todo = todo;
    this.apply();
  }

  /** Another order; back to the first page. */
  sortBy(sort: ProblemSort): void {
    this.filters.sort = sort;
    this.apply();
  }

  nextPage(): void {
    if (this.next === null) return;
    this.#cursors.push(this.query.before);
    this.page += 1;
    this.query = { ...this.query, before: this.next };
  }

  previousPage(): void {
    if (this.#cursors.length === 0) return;
    const before = this.#cursors.pop();
    this.page -= 1;
    this.query = { ...this.query, before };
  }

  get hasPrevious(): boolean {
    return this.page > 1;
  }

  /** Opens one problem's detail and takes the map there. */
  select(id: number, at?: { lon: number; lat: number }): void {
    if (this.selectedId !== id) {
      this.detail = null;
      this.message = null;
    }
    this.selectedId = id;
    this.view = 'detail';
    this.open = true;
    this.detailRevision += 1;
    if (at) this.zoomTo(at);
  }

  zoomTo(at: { lon: number; lat: number }): void {
    this.focus = { lon: at.lon, lat: at.lat, serial: ++this.#serial };
  }

  backToList(): void {
    this.view = 'list';
    this.selectedId = null;
    this.detail = null;
    this.message = null;
  }

  async loadDetail(signal: AbortSignal): Promise<void> {
    const id = this.selectedId;
    if (id === null) return;
    this.detailLoading = true;
    this.detailError = null;
    try {
      const detail = await problemApi.get(id, signal);
      if (signal.aborted || this.selectedId !== id) return;
      const first = this.detail?.id !== id;
      this.detail = detail;
      if (first) this.zoomTo(detail);
    } catch (error) {
      if (!isAbort(error) && !signal.aborted) this.detailError = error;
    } finally {
      if (!signal.aborted) this.detailLoading = false;
    }
  }

  /**
   * Takes a workflow step on the open problem, at the version it was read
   * at. A stale version reloads the problem and says so; a state that does
   * not allow the step (409) shows the server's refusal and reloads too.
   */
  async act(input: Omit<TransitionInput, 'version'>): Promise<boolean> {
    const detail = this.detail;
    if (!detail || this.busy) return false;
    this.busy = input.action;
    this.message = null;
    try {
      await problemApi.transition(detail.id, { ...input, version: detail.version });
      this.message = { tone: 'ok', text: t('problems.act.done', { action: actionLabel(input.action) }) };
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'version_conflict') {
        this.message = { tone: 'info', title: t('problems.act.refused'), text: t('problems.act.stale'), server: error.message };
      } else if (error instanceof ApiError && error.code === 'transition_not_allowed') {
        this.message = { tone: 'error', title: t('problems.act.refused'), text: notAllowedText(error, input.action), server: error.message };
      } else {
        this.message = { tone: 'error', text: problemErrorText(error) };
      }
      return false;
    } finally {
      this.busy = null;
      // the problem as it is now, whatever happened; the list follows
      this.detailRevision += 1;
      this.revision += 1;
    }
  }

  /** After a report: the list shows it (newest first) and its detail can be opened. */
  reported(): void {
    this.revision += 1;
  }
}

const PROBLEMS_KEY = Symbol('civgrid.problems');

export function setProblemsContext(problems: ProblemsWorkspace): ProblemsWorkspace {
  return setContext(PROBLEMS_KEY, problems);
}

export function getProblemsContext(): ProblemsWorkspace {
  const problems = getContext<ProblemsWorkspace | undefined>(PROBLEMS_KEY);
  if (!problems) throw new Error('getProblemsContext() called outside <App>');
  return problems;
}
