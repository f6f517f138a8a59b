import type { Receipt } from '@civgrid/server/contracts/citizen-lookup';
import { ApiError, isAbort, request, type UploadProgress, upload } from '../api/client.ts';
import type { Geometry } from 'geojson';
import type { Category } from '../components/categories/category.ts';
import { pointInArea } from '../components/citizen/citizen-geo.ts';
import { newReportKey, shrinkPhoto } from '../components/citizen/photo-shrink.ts';
import { rememberReport } from './citizen-lookup.svelte.ts';

/** At most this many photos per report (the server's limit). */
export const MAX_PHOTOS = 4;
/** The server's limits on the text fields. */
export const MAX_DESCRIPTION = 1000;
export const MAX_CONTACT = 60;

export interface PickedPhoto {
  id: number;
  file: File;
  /** An object URL for the thumbnail; revoked when the photo is removed. */
  url: string;
}

/** Where the problem is, in WGS84 (the browser's geolocation and our map both are). */
export interface ReportPlace {
  lon: number;
  lat: number;
  source: 'device' | 'map';
  /** Metres, from the device; null for a tap on the map. */
  accuracy: number | null;
}

/** What POST /api/public/problems answers a citizen. */
export interface ReportReceipt {
  id: number;
  status: string;
  categoryName: string;
  /** The unit the report was routed to (the owner of the duty there, the street office or the campaign office). */
  ownerName: string | null;
  reportedAt: string;
  /** The code and secret that look the report up later; the secret is shown this once. */
  receipt: Receipt;
}

export type ReportPhase = 'editing' | 'sending' | 'sent';

let photoIds = 0;

/** Refusals that are about a photo. */
const PHOTO_ERRORS = new Set(['heic_not_supported', 'unsupported_file', 'unreadable_image', 'empty_file', 'file_too_large', 'payload_too_large', 'too_many_photos']);

/**
 * One citizen report on the 你拍我改 page: photos, place, category,
 * description and an optional contact, then the submission. The report keeps
 * one Idempotency-Key until it is received, so a retry after a lost
 * connection (the server may have stored the first attempt) adds nothing.
 */
export class CitizenReport {
  categories = $state.raw<Category[]>([]);
  categoriesError = $state.raw<unknown>(null);

  photos = $state.raw<PickedPhoto[]>([]);
  place = $state.raw<ReportPlace | null>(null);
  /** The district's outline (from the public map), to tell a place outside it before sending. */
  district = $state.raw<Geometry | null>(null);
  categoryId = $state<string | null>(null);
  description = $state('');
  contact = $state('');

  phase = $state<ReportPhase>('editing');
  /** Share of the upload sent, 0–1, while sending. */
  progress = $state(0);
  error = $state.raw<unknown>(null);
  receipt = $state.raw<ReportReceipt | null>(null);
  /** Why the submit button was pressed in vain: the parts still missing. */
  missing = $state.raw<('place' | 'category')[]>([]);

  #key = newReportKey();

  /** The Idempotency-Key of this report (the same for every attempt until it is received). */
  get key(): string {
    return this.#key;
  }

  async loadCategories(signal: AbortSignal): Promise<void> {
    this.categoriesError = null;
    try {
      const { categories } = await request<{ categories: Category[] }>('/api/categories', { signal });
      this.categories = categories;
    } catch (error) {
      if (!isAbort(error)) this.categoriesError = error;
    }
  }

  /** Adds photos up to the limit; returns how many did not fit. */
  addPhotos(files: Iterable<File>): number {
    const list = [...files];
    const room = Math.max(0, MAX_PHOTOS - this.photos.length);
    const taken = list.slice(0, room).map((file) => ({ id: ++photoIds, file, url: URL.createObjectURL(file) }));
    this.photos = [...this.photos, ...taken];
    if (taken.length > 0) this.error = null;
    return list.length - taken.length;
  }

  removePhoto(id: number): void {
    const photo = this.photos.find((p) => p.id === id);
    if (photo) URL.revokeObjectURL(photo.url);
    this.photos = this.photos.filter((p) => p.id !== id);
    // a refused photo taken away: its message goes with it
    if (this.error instanceof ApiError && PHOTO_ERRORS.has(this.error.code)) this.error = null;
  }

  /** The place lies outside the district as far as the page can tell (the server has the last word). */
  get outside(): boolean {
    return this.place !== null && this.district !== null && !pointInArea([this.place.lon, this.place.lat], this.district);
  }

  setPlace(place: ReportPlace): void {
    this.place = place;
    this.missing = this.missing.filter((m) => m !== 'place');
    if (this.error instanceof ApiError && this.error.code === 'outside_territory') this.error = null;
  }

  chooseCategory(id: string): void {
    this.categoryId = id;
    this.missing = this.missing.filter((m) => m !== 'category');
  }

  /** Sends the report (multipart, with its photos made phone-friendly); true when it was received. */
  async submit(): Promise<boolean> {
    if (this.phase !== 'editing') return false;
    const missing: ('place' | 'category')[] = [];
    if (!this.place) missing.push('place');
    if (!this.categoryId) missing.push('category');
    this.missing = missing;
    if (missing.length > 0 || !this.place || !this.categoryId) return false;

    this.phase = 'sending';
    this.progress = 0;
    this.error = null;
    try {
      const form = new FormData();
      form.set('lon', this.place.lon.toFixed(7));
      form.set('lat', this.place.lat.toFixed(7));
      form.set('crs', 'wgs84');
      form.set('categoryId', this.categoryId);
      if (this.description.trim()) form.set('description', this.description.trim().slice(0, MAX_DESCRIPTION));
      if (this.contact.trim()) form.set('contact', this.contact.trim().slice(0, MAX_CONTACT));
      for (const photo of this.photos) {
        const file = await shrinkPhoto(photo.file);
        form.append('photos', file, file.name);
      }
      const onProgress = ({ loaded, total }: UploadProgress) => {
        if (total > 0) this.progress = Math.min(1, loaded / total);
      };
      this.receipt = await upload<ReportReceipt>('/api/public/problems', form, { onProgress, headers: { 'idempotency-key': this.#key } });
      rememberReport(this.receipt);
      this.phase = 'sent';
      return true;
    } catch (error) {
      this.error = error;
      this.phase = 'editing';
      return false;
    }
  }

  /** A fresh report (a new Idempotency-Key) after one was received; the categories stay. */
  reset(): void {
    for (const photo of this.photos) URL.revokeObjectURL(photo.url);
    this.photos = [];
    this.place = null;
    this.categoryId = null;
    this.description = '';
    this.contact = '';
    this.phase = 'editing';
    this.progress = 0;
    this.error = null;
    this.receipt = null;
    this.missing = [];
    this.#key = newReportKey();
  }
}
