import type {
  BasemapInfo,
  Collection, CoverageSummaryRow, DataLayerId, DutyType, FindingCollection, Health, InspectionPointDetail, LayerCounts,
  Responsibility,
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
 * that is not our JSON.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

async function getJson<T>(path: string, signal: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { signal, headers: { accept: 'application/json' } });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError('network', error instanceof Error ? error.message : String(error), 0);
  }
  const type = response.headers.get('content-type') ?? '';
  const body: unknown = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    if (error?.code) throw new ApiError(error.code, error.message ?? response.statusText, response.status);
    // Not our error shape: a proxy or gateway answered for a server that is not there.
    const code = response.status >= 500 ? 'unavailable' : `http_${response.status}`;
    throw new ApiError(code, `${response.status} ${response.statusText}`.trim(), response.status);
  }
  if (body === null) throw new ApiError('bad_response', `${path}: not JSON`, response.status);
  return body as T;
}

export const api = {
  health: (signal: AbortSignal) => getJson<Health>('/api/health', signal),
  dutyTypes: (signal: AbortSignal) => getJson<DutyType[]>('/api/duty-types', signal),
  layerCounts: (signal: AbortSignal) => getJson<LayerCounts>('/api/layers', signal),
  layer: (layer: DataLayerId, signal: AbortSignal) => getJson<Collection>(`/api/layers/${layer}`, signal),
  zones: (duty: string, signal: AbortSignal) =>
    getJson<Collection>(`/api/layers/zones?duty=${encodeURIComponent(duty)}`, signal),
  inspectionPoint: (id: number, signal: AbortSignal) =>
    getJson<InspectionPointDetail>(`/api/inspection-points/${id}`, signal),
  coverage: (query: CoverageQuery, signal: AbortSignal) => getJson<FindingCollection>(coverageUrl(query), signal),
  coverageSummary: (duty: string, signal: AbortSignal) =>
    getJson<{ duty: string; rows: CoverageSummaryRow[] }>(`/api/coverage/summary?duty=${encodeURIComponent(duty)}`, signal),
  basemaps: (signal: AbortSignal) => getJson<BasemapInfo[]>('/api/map/basemaps', signal),
  basemapStyle: (id: string, signal: AbortSignal) =>
    getJson<import('maplibre-gl').StyleSpecification>(`/api/map/style.json?basemap=${encodeURIComponent(id)}`, signal),
  responsibility: (lon: number, lat: number, signal: AbortSignal) =>
    getJson<Responsibility>(`/api/responsibility?lon=${lon.toFixed(6)}&lat=${lat.toFixed(6)}`, signal),
};
