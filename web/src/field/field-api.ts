import { ApiError, request, upload } from '../api/client.ts';
import type { Duplicates } from '../components/problems/problem-api.ts';
import type { CheckEntry, ReportEntry } from './field-db.ts';
import type { CheckAnswer, FieldPackage, FieldRound, ReportAnswer } from './field-types.ts';

/** Bytes received so far; `total` 0 when the server did not say. */
export interface DownloadProgress {
  done: number;
  total: number;
}

/** A GET read whole, reporting progress as it arrives; our error shape becomes an ApiError. */
async function download(path: string, onProgress: (received: number, total: number) => void, signal?: AbortSignal): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin', signal: signal ?? null, headers: { accept: 'application/json, application/vnd.pmtiles' } });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError('network', error instanceof Error ? error.message : String(error), 0);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
    throw new ApiError(body?.error?.code ?? `http_${response.status}`, body?.error?.message ?? response.statusText, response.status, body?.error?.details);
  }
  const total = Number(response.headers.get('content-length')) || 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress(received, total);
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

export interface Downloaded {
  pkg: FieldPackage;
  basemap: Blob | null;
  bytes: number;
}

/**
 * A group's package: the JSON (points, people, checklists, open problems,
 * categories, route) and then the basemap extract it names. Progress counts
 * both; the extract's size is known from the package before it starts.
 */
export async function downloadPackage(roundId: number, groupId: number, onProgress: (progress: DownloadProgress) => void, signal?: AbortSignal): Promise<Downloaded> {
  const json = await download(`/api/inspection/rounds/${roundId}/package?group=${groupId}`, (done, total) => onProgress({ done, total }), signal);
  const pkg = JSON.parse(new TextDecoder().decode(json)) as FieldPackage;
  if (!pkg.basemap) return { pkg, basemap: null, bytes: json.length };
  const total = json.length + pkg.basemap.bytes;
  onProgress({ done: json.length, total });
  const tiles = await download(pkg.basemap.url, (done) => onProgress({ done: json.length + done, total }), signal);
  return { pkg, basemap: new Blob([tiles as Uint8Array<ArrayBuffer>], { type: 'application/vnd.pmtiles' }), bytes: json.length + tiles.length };
}

export const fieldApi = {
  /** The rounds I am in a group of, each with `myGroupIds`. */
  myRounds: (signal: AbortSignal) => request<{ rounds: FieldRound[] }>('/api/inspection/rounds?member=me', { signal }),
  /** The server's version of a package, to tell a stale copy. */
  version: (roundId: number, groupId: number, signal?: AbortSignal) =>
    request<{ version: string }>(`/api/inspection/rounds/${roundId}/package/version?group=${groupId}`, { signal }),
  /**
   * Sends one check of the outbox with its Idempotency-Key: JSON, or
   * multipart (the JSON as the part `check`, photos as `photo.<itemId>`)
   * when it has photos. The same entry sent again is the same request.
   */
  sendCheck: (entry: CheckEntry): Promise<CheckAnswer> => {
    const headers = { 'idempotency-key': entry.key };
    if (entry.photos.length === 0) return request<CheckAnswer>('/api/inspection/checks', { method: 'POST', body: entry.body, headers });
    const form = new FormData();
    form.set('check', JSON.stringify(entry.body));
    for (const photo of entry.photos) form.append(photo.itemId === null ? 'photo' : `photo.${photo.itemId}`, photo.blob, photo.name);
    return upload<CheckAnswer>('/api/inspection/checks', form, { headers });
  },
  /**
   * Sends one problem report of the outbox to the staff endpoint POST
   * /api/problems as filed by an inspection, with its Idempotency-Key: the
   * same key again answers the problem it made (200), so a retry adds none.
   * JSON without photos, else multipart with the photos as `photos`.
   */
  sendReport: async (entry: ReportEntry): Promise<ReportAnswer> => {
    const headers = { 'idempotency-key': entry.key };
    const r = entry.report;
    const fields = { lon: r.lon, lat: r.lat, crs: 'wgs84', categoryId: r.categoryId, source: 'inspection', ...(r.description ? { description: r.description } : {}) };
    let answer: ReportAnswer;
    if (entry.photos.length === 0) {
      answer = await request<ReportAnswer>('/api/problems', { method: 'POST', body: fields, headers });
    } else {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.set(name, String(value));
      for (const photo of entry.photos) form.append('photos', photo.blob, photo.name);
      answer = await upload<ReportAnswer>('/api/problems', form, { headers });
    }
    const { id, status, categoryName, ownerName, blindSpot, disputed } = answer;
    return { id, status, categoryName, ownerName, blindSpot, disputed };
  },
  /** Open problems of the class near a place (可能重复), when there is a network to ask. */
  duplicates: (lon: number, lat: number, categoryId: string, signal: AbortSignal) =>
    request<Duplicates>(`/api/problems/duplicates?lon=${lon.toFixed(7)}&lat=${lat.toFixed(7)}&categoryId=${encodeURIComponent(categoryId)}`, { signal }),
};

/** A v4 UUID, also where crypto.randomUUID is missing (plain http on a phone). */
export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
