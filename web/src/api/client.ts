import type { Geometry, LineString } from 'geojson';
import type { PersonOption, ZoneFeature, ZoneInput, ZoneLayerProps, ZonePreview, ZoneVersion, ZoneWrite } from './types.ts';
import type { RoadProps, RoadSectionProps, SectionFeature, SectionInput, SectionPreview, SectionVersion, SectionWrite } from './types.ts';
import type {
  AuditEntry,
  AuditQuery,
  BasemapInfo,
  Collection, CoverageSummaryRow, DataLayerId, DemoAccounts, DutyType, FindingCollection, Health, InspectionPointDetail, LayerCounts,
  OrganisationOption,
  Responsibility,
  Session,
  SessionStatus,
  Territory,
  TerritoryLevel,
  User,
  UserInput,
  UserPatch,
  ExportFormat, ImportCommit, ImportPreview, ImportRequest,
} from './types.ts';

/** What the blind-spot panel asks: one duty's gaps and overlaps, or the two sanitation tiers crossed. */
export type CoverageQuery = { kind: 'gaps' | 'overlaps'; duty: string; area: string } | { kind: 'cross-tier'; area: string };

/** URL of a coverage query, as JSON or as a CSV download. */
export function coverageUrl(query: CoverageQuery, format: 'geojson' | 'csv' = 'geojson'): string {
  const params = new URLSearchParams({ area: query.area });
  if (query.kind !== 'cross-tier') params.set('duty', query.duty);
  if (format === 'csv') params.set('format', 'csv');
  return `/api/coverage/${query.kind}?${params}`;
}

/**
 * A failed API call. `code` is the server's error code (`not_found`, …), or
 * `network` when the server could not be reached, `unavailable` when something
 * in between answered 5xx for it, or `bad_response` when it answered something
 * that is not our JSON. `details` is the server's, as it sent them.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  /** Seconds to wait before trying again (429: `details.retryAfterSeconds` or the Retry-After header). */
  readonly retryAfter: number | null;

  constructor(code: string, message: string, status: number, details: unknown = undefined, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** The session as the client sees it; the auth state (`state/auth.svelte.ts`) plugs itself in here. */
export interface SessionHooks {
  /** Sent as `X-CSRF-Token` with every unsafe call. */
  csrfToken(): string | null;
  /**
   * A call was refused because the session has ended. Resolves once the same
   * person has signed in again (the call is then sent once more), rejects when
   * that will not happen.
   */
  expired(error: ApiError): Promise<void>;
  /** The CSRF token was refused: fetch a fresh one (`/api/auth/me`); resolves when there is one. */
  refreshCsrf(): Promise<void>;
  /** The role may not do this (403 `forbidden`). */
  forbidden(error: ApiError): void;
}

let session: SessionHooks | null = null;

/** Plug the auth state into every call; returns the function that unplugs it. */
export function connectSession(hooks: SessionHooks): () => void {
  session = hooks;
  return () => {
    if (session === hooks) session = null;
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** A 401 with one of these codes means the session is gone (not, say, a wrong current password). */
const SESSION_ENDED = new Set(['unauthenticated', 'session_expired']);

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Sign-in calls (login, me, demo): a 401 is their answer, not an expired session. */
  signIn?: boolean;
  /** Extra request headers (an `Idempotency-Key`, …). */
  headers?: Record<string, string>;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const token = session?.csrfToken();
  if (UNSAFE.has(method) && token) headers['x-csrf-token'] = token;
  try {
    return await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      signal: options.signal ?? null,
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError('network', error instanceof Error ? error.message : String(error), 0);
  }
}

async function read<T>(path: string, response: Response): Promise<T> {
  const type = response.headers.get('content-type') ?? '';
  const body: unknown = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    const header = Number(response.headers.get('retry-after'));
    const detailed = (error?.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    const retryAfter = typeof detailed === 'number' ? detailed : Number.isFinite(header) && header > 0 ? header : null;
    if (error?.code) throw new ApiError(error.code, error.message ?? response.statusText, response.status, error.details, retryAfter);
    // Not our error shape: a proxy or gateway answered for a server that is not there.
    const code = response.status >= 500 ? 'unavailable' : `http_${response.status}`;
    throw new ApiError(code, `${response.status} ${response.statusText}`.trim(), response.status);
  }
  if (response.status === 204) return undefined as T;
  if (body === null) throw new ApiError('bad_response', `${path}: not JSON`, response.status);
  return body as T;
}

/** Waits for `promise`, or throws an AbortError as soon as `signal` aborts. */
function unlessAborted(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * One API call: same-origin cookie, CSRF token on unsafe methods, our error
 * shape turned into an ApiError. When the session has ended the call waits
 * for the person to sign in again (the login dialog) and is sent once more,
 * so nothing they were doing is lost; a refused CSRF token is refreshed once.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const response = await send(path, options);
    try {
      return await read<T>(path, response);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const hooks = session;
      const again = hooks !== null && !options.signIn && attempt === 0;
      if (again && error.status === 401 && SESSION_ENDED.has(error.code)) {
        await unlessAborted(hooks.expired(error), options.signal);
        continue;
      }
      if (again && error.status === 403 && error.code === 'csrf_failed') {
        await unlessAborted(hooks.refreshCsrf(), options.signal);
        continue;
      }
      if (error.status === 403 && error.code === 'forbidden') hooks?.forbidden(error);
      throw error;
    }
  }
}

const getJson = <T>(path: string, signal: AbortSignal) => request<T>(path, { signal });
const q = encodeURIComponent;

export const api = {
  health: (signal: AbortSignal) => getJson<Health>('/api/health', signal),
  dutyTypes: (signal: AbortSignal) => getJson<DutyType[]>('/api/duty-types', signal),
  layerCounts: (signal: AbortSignal) => getJson<LayerCounts>('/api/layers', signal),
  layer: (layer: DataLayerId, signal: AbortSignal) => getJson<Collection>(`/api/layers/${layer}`, signal),
  zones: (duty: string, signal: AbortSignal) => getJson<Collection>(`/api/layers/zones?duty=${q(duty)}`, signal),
  inspectionPoint: (id: number, signal: AbortSignal) =>
    getJson<InspectionPointDetail>(`/api/inspection-points/${id}`, signal),
  coverage: (query: CoverageQuery, signal: AbortSignal) => getJson<FindingCollection>(coverageUrl(query), signal),
  coverageSummary: (duty: string, signal: AbortSignal) =>
    getJson<{ duty: string; rows: CoverageSummaryRow[] }>(`/api/coverage/summary?duty=${q(duty)}`, signal),
  basemaps: (signal: AbortSignal) => getJson<BasemapInfo[]>('/api/map/basemaps', signal),
  basemapStyle: (id: string, signal: AbortSignal) =>
    getJson<import('maplibre-gl').StyleSpecification>(`/api/map/style.json?basemap=${q(id)}`, signal),
  responsibility: (lon: number, lat: number, signal: AbortSignal) =>
    getJson<Responsibility>(`/api/responsibility?lon=${lon.toFixed(7)}&lat=${lat.toFixed(7)}`, signal),

  territories: (level: TerritoryLevel, signal: AbortSignal) =>
    getJson<{ territories: Territory[] }>(`/api/territories?level=${level}`, signal),
  organisations: (search: string, signal: AbortSignal, limit = 20) =>
    getJson<{ organisations: OrganisationOption[] }>(`/api/organisations?q=${q(search)}&limit=${limit}`, signal),
};

/** Signing in and out: their 401s are answers, not an ended session. */
export const authApi = {
  me: (signal?: AbortSignal) => request<Session>('/api/auth/me', { signal, signIn: true }),
  demo: (signal?: AbortSignal) => request<DemoAccounts>('/api/auth/demo', { signal, signIn: true }),
  session: (signal?: AbortSignal) => request<SessionStatus>('/api/auth/session', { signal, signIn: true }),
  login: (username: string, password: string) =>
    request<Session>('/api/auth/login', { method: 'POST', body: { username, password }, signIn: true }),
  logout: () => request<void>('/api/auth/logout', { method: 'POST', signIn: true }),
  /** Not a sign-in call: a 401 `invalid_credentials` is a wrong current password, an ended session still shows the dialog. */
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>('/api/auth/password', { method: 'POST', body: { currentPassword, newPassword } }),
};

/** Accounts and the audit log (administrators). */
export const adminApi = {
  users: (signal: AbortSignal) => getJson<{ users: User[] }>('/api/users', signal),
  createUser: (input: UserInput) => request<{ user: User }>('/api/users', { method: 'POST', body: input }),
  updateUser: (id: number, patch: UserPatch) => request<{ user: User }>(`/api/users/${id}`, { method: 'PATCH', body: patch }),
  resetPassword: (id: number, password: string) =>
    request<void>(`/api/users/${id}/password`, { method: 'POST', body: { password } }),
  audit: (query: AuditQuery, signal: AbortSignal) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
    return getJson<{ entries: AuditEntry[]; nextBefore: number | null }>(`/api/audit?${params}`, signal);
  },
};

/** Bytes of a request body sent so far (`total` 0 when the browser cannot tell). */
export interface UploadProgress {
  loaded: number;
  total: number;
}

/** One multipart POST through XMLHttpRequest, whose upload reports progress; answered as a fetch Response. */
function sendForm(path: string, form: FormData, onProgress: ((progress: UploadProgress) => void) | undefined, signal: AbortSignal | undefined, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.responseType = 'blob';
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('accept', 'application/json');
    const token = session?.csrfToken();
    if (token) xhr.setRequestHeader('x-csrf-token', token);
    xhr.upload.onprogress = (event) => onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : 0 });
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    xhr.onloadend = () => signal?.removeEventListener('abort', onAbort);
    xhr.onload = () => {
      const headers = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const at = line.indexOf(':');
        if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      const empty = [204, 205, 304].includes(xhr.status);
      resolve(new Response(empty ? null : (xhr.response as Blob), { status: xhr.status, statusText: xhr.statusText, headers }));
    };
    xhr.onerror = () => reject(new ApiError('network', `${path}: the upload did not reach the server`, 0));
    xhr.onabort = () => reject(signal?.reason ?? new DOMException('The upload was aborted', 'AbortError'));
    xhr.send(form);
  });
}

/**
 * A file upload (multipart/form-data) with progress: the same session rules as
 * `request` (CSRF token, the login dialog for an ended session and one retry,
 * one retry with a fresh CSRF token), our error shape turned into an ApiError.
 */
export async function upload<T>(
  path: string,
  form: FormData,
  /** `headers`: extra request headers (an `Idempotency-Key`, …). */
  options: { signal?: AbortSignal; onProgress?: (progress: UploadProgress) => void; headers?: Record<string, string> } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const response = await sendForm(path, form, options.onProgress, options.signal, options.headers);
    try {
      return await read<T>(path, response);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const hooks = session;
      const again = hooks !== null && attempt === 0;
      if (again && error.status === 401 && SESSION_ENDED.has(error.code)) {
        await unlessAborted(hooks.expired(error), options.signal);
        continue;
      }
      if (again && error.status === 403 && error.code === 'csrf_failed') {
        await unlessAborted(hooks.refreshCsrf(), options.signal);
        continue;
      }
      if (error.status === 403 && error.code === 'forbidden') hooks?.forbidden(error);
      throw error;
    }
  }
}

/** URL that downloads a layer in a format (the session cookie goes with a plain link). */
export function exportUrl(layer: string, format: ExportFormat, duty?: string): string {
  const params = new URLSearchParams({ format });
  if (layer === 'zones' && duty) params.set('duty', duty);
  return `/api/export/${layer}?${params}`;
}

/** Importing a file: a preview with per-feature findings, then the commit (all or nothing). */
export const importApi = {
  preview: (input: ImportRequest, options: { signal?: AbortSignal; onProgress?: (progress: UploadProgress) => void } = {}) => {
    const form = new FormData();
    form.set('file', input.file, input.file.name);
    form.set('layer', input.layer);
    if (input.layer === 'zones' && input.duty) form.set('duty', input.duty);
    if (input.crs) form.set('crs', input.crs);
    if (input.nameField) form.set('nameField', input.nameField);
    if (input.ownerField) form.set('ownerField', input.ownerField);
    if (input.ownerOrgId !== undefined) form.set('ownerOrgId', String(input.ownerOrgId));
    return upload<ImportPreview>('/api/import', form, options);
  },
  /** `key` stays the same when the same commit is tried again, so the server does it once. */
  commit: (previewId: string, comment: string | undefined, key: string) =>
    request<ImportCommit>(`/api/import/${encodeURIComponent(previewId)}/commit`, {
      method: 'POST', body: { comment }, headers: { 'idempotency-key': key },
    }),
};

/** Responsibility zones (责任区): one zone, the live feedback of an edit, the writes, history and the layer as of a day. */
export const zoneApi = {
  get: (id: number, signal?: AbortSignal) => request<ZoneFeature>(`/api/zones/${id}`, { signal }),
  /** The zones of a duty now (or at the end of `asOf`, `YYYY-MM-DD`), within `bbox` if given. */
  layer: (duty: string, options: { bbox?: readonly number[]; asOf?: string }, signal: AbortSignal) => {
    const params = new URLSearchParams({ duty });
    if (options.bbox) params.set('bbox', options.bbox.map((n) => n.toFixed(7)).join(','));
    if (options.asOf) params.set('asOf', options.asOf);
    return getJson<Collection<ZoneLayerProps>>(`/api/layers/zones?${params}`, signal);
  },
  preview: (body: { geometry: Geometry; duty: string; excludeId?: number }, signal: AbortSignal) =>
    request<ZonePreview>('/api/zones/preview', { method: 'POST', body, signal }),
  /** `key` is the Idempotency-Key: one per save attempt, the same when that attempt is retried. */
  create: (geometry: Geometry, properties: ZoneInput, key: string) =>
    request<ZoneWrite>('/api/zones', { method: 'POST', body: { type: 'Feature', geometry, properties }, headers: { 'idempotency-key': key } }),
  update: (id: number, version: number, geometry: Geometry, properties: ZoneInput) =>
    request<ZoneWrite>(`/api/zones/${id}`, { method: 'PUT', body: { type: 'Feature', geometry, properties: { ...properties, version } } }),
  remove: (id: number, version: number) => request<void>(`/api/zones/${id}?version=${version}`, { method: 'DELETE' }),
  split: (id: number, version: number, line: LineString) =>
    request<{ zones: ZoneFeature[] }>(`/api/zones/${id}/split`, { method: 'POST', body: { version, line } }),
  merge: (zones: { id: number; version: number }[]) => request<ZoneWrite>('/api/zones/merge', { method: 'POST', body: { zones } }),
  fill: (id: number, version: number, geometry: Geometry) =>
    request<ZoneWrite>(`/api/zones/${id}/fill`, { method: 'POST', body: { version, geometry } }),
  history: (id: number, signal: AbortSignal) => getJson<{ versions: ZoneVersion[] }>(`/api/zones/${id}/history`, signal),
  restore: (id: number, version: number, currentVersion: number) =>
    request<ZoneWrite>(`/api/zones/${id}/restore`, { method: 'POST', body: { version, currentVersion } }),
  people: (org: number, search: string, signal: AbortSignal, limit = 20) =>
    getJson<{ people: PersonOption[] }>(`/api/people?org=${org}&q=${q(search)}&limit=${limit}`, signal),
};

/** Responsibility road sections (责任路段): the zones' verbs, with a split at a point and a merge end to end. */
export const sectionApi = {
  get: (id: number, signal?: AbortSignal) => request<SectionFeature>(`/api/road-sections/${id}`, { signal }),
  /** The live sections (or those at the end of `asOf`, `YYYY-MM-DD`), within `bbox` if given. */
  layer: (options: { bbox?: readonly number[]; asOf?: string }, signal: AbortSignal) => {
    const params = new URLSearchParams();
    if (options.bbox) params.set('bbox', options.bbox.map((n) => n.toFixed(7)).join(','));
    if (options.asOf) params.set('asOf', options.asOf);
    return getJson<Collection<RoadSectionProps>>(`/api/layers/road-sections?${params}`, signal);
  },
  /** The roads within `bbox` (what a section is drawn along). */
  roads: (bbox: readonly number[], signal: AbortSignal) =>
    getJson<Collection<RoadProps>>(`/api/layers/roads?bbox=${bbox.map((n) => n.toFixed(7)).join(',')}`, signal),
  preview: (body: { geometry: LineString; excludeId?: number }, signal: AbortSignal) =>
    request<SectionPreview>('/api/road-sections/preview', { method: 'POST', body, signal }),
  /** `key` is the Idempotency-Key: one per save attempt, the same when that attempt is retried. */
  create: (geometry: LineString, properties: SectionInput, key: string) =>
    request<SectionWrite>('/api/road-sections', { method: 'POST', body: { type: 'Feature', geometry, properties }, headers: { 'idempotency-key': key } }),
  update: (id: number, version: number, geometry: LineString, properties: SectionInput) =>
    request<SectionWrite>(`/api/road-sections/${id}`, { method: 'PUT', body: { type: 'Feature', geometry, properties: { ...properties, version } } }),
  remove: (id: number, version: number) => request<void>(`/api/road-sections/${id}?version=${version}`, { method: 'DELETE' }),
  split: (id: number, version: number, point: readonly [number, number]) =>
    request<{ sections: SectionFeature[] }>(`/api/road-sections/${id}/split`, { method: 'POST', body: { version, point } }),
  merge: (sections: { id: number; version: number }[]) => request<SectionWrite>('/api/road-sections/merge', { method: 'POST', body: { sections } }),
  history: (id: number, signal: AbortSignal) => getJson<{ versions: SectionVersion[] }>(`/api/road-sections/${id}/history`, signal),
  restore: (id: number, version: number, currentVersion: number) =>
    request<SectionWrite>(`/api/road-sections/${id}/restore`, { method: 'POST', body: { version, currentVersion } }),
};
