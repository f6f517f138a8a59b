import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { User } from '../api/types.ts';
import type { CheckAnswer, CheckBody, FieldPackage, ReportAnswer, ReportBody } from './field-types.ts';

/** A group's package as stored on the device. */
export interface StoredPackage {
  /** `${userId}:${roundId}:${groupId}` */
  key: string;
  userId: number;
  roundId: number;
  groupId: number;
  pkg: FieldPackage;
  downloadedAt: string;
  /** Bytes downloaded (package JSON + basemap extract). */
  bytes: number;
}

export interface StoredBasemap {
  key: string;
  version: string;
  blob: Blob;
}

export type OutboxState = 'pending' | 'synced' | 'rejected';

export interface OutboxPhoto {
  /** null: a photo of the whole point. */
  itemId: number | null;
  name: string;
  blob: Blob;
}

/** What every entry of the outbox has, whatever it carries. */
interface OutboxBase {
  /** Its Idempotency-Key, made once (when the check was started, the report form opened). */
  key: string;
  userId: number;
  packageKey: string;
  state: OutboxState;
  savedAt: string;
  attempts: number;
  lastAttemptAt: string | null;
  /** The server's refusal (409/422 …): shown on the entry, never dropped silently. */
  error: { status: number; code: string; message: string } | null;
}

/**
 * One check waiting to be sent, or sent. Every attempt sends the same key
 * and body, so the server writes it once however often it arrives.
 */
export interface CheckEntry extends OutboxBase {
  kind: 'check';
  body: CheckBody;
  photos: OutboxPhoto[];
  /** The server's answer once synced (conflict flagged there). */
  answer: CheckAnswer | null;
}

/** One problem reported in the field (上报问题), sent to POST /api/problems the same way. */
export interface ReportEntry extends OutboxBase {
  kind: 'report';
  report: ReportBody;
  /** Up to four photos, sent as the form's `photos`. */
  photos: { name: string; blob: Blob }[];
  answer: ReportAnswer | null;
}

/** The outbox holds checks and problem reports; the sync bar counts both. */
export type OutboxEntry = CheckEntry | ReportEntry;

interface FieldSchema extends DBSchema {
  packages: { key: string; value: StoredPackage; indexes: { 'by-user': number } };
  basemaps: { key: string; value: StoredBasemap };
  outbox: { key: string; value: OutboxEntry; indexes: { 'by-user': number } };
  meta: { key: string; value: unknown };
}

export type FieldDB = IDBPDatabase<FieldSchema>;

const NAME = 'civgrid-field';

let opened: Promise<FieldDB> | undefined;

/** The field app's database on this device (one per origin). */
export function fieldDb(): Promise<FieldDB> {
  opened ??= openDB<FieldSchema>(NAME, 1, {
    upgrade(db) {
      db.createObjectStore('packages', { keyPath: 'key' }).createIndex('by-user', 'userId');
      db.createObjectStore('basemaps', { keyPath: 'key' });
      db.createObjectStore('outbox', { keyPath: 'key' }).createIndex('by-user', 'userId');
      db.createObjectStore('meta');
    },
  });
  return opened;
}

export const packageKey = (userId: number, roundId: number, groupId: number) => `${userId}:${roundId}:${groupId}`;

/** The package and its basemap replace the old ones in one transaction: the outbox is another store and stays as it is. */
export async function storePackage(entry: StoredPackage, basemap: Blob | null): Promise<void> {
  const db = await fieldDb();
  const tx = db.transaction(['packages', 'basemaps'], 'readwrite');
  await tx.objectStore('packages').put(entry);
  if (basemap) await tx.objectStore('basemaps').put({ key: entry.key, version: entry.pkg.version, blob: basemap });
  else await tx.objectStore('basemaps').delete(entry.key);
  await tx.done;
}

export async function packagesOf(userId: number): Promise<StoredPackage[]> {
  return (await fieldDb()).getAllFromIndex('packages', 'by-user', userId);
}

export async function basemapOf(key: string): Promise<StoredBasemap | undefined> {
  return (await fieldDb()).get('basemaps', key);
}

export async function outboxOf(userId: number): Promise<OutboxEntry[]> {
  const entries = await (await fieldDb()).getAllFromIndex('outbox', 'by-user', userId);
  // checks were the only kind at first and were stored without one
  return entries.map((e) => (e.kind ? e : { ...(e as Omit<CheckEntry, 'kind'>), kind: 'check' as const })).sort((a, b) => a.savedAt.localeCompare(b.savedAt));
}

export async function putOutbox(entry: OutboxEntry): Promise<void> {
  await (await fieldDb()).put('outbox', entry);
}

export async function deleteOutbox(key: string): Promise<void> {
  await (await fieldDb()).delete('outbox', key);
}

/** The last person signed in here, so that the app opens offline on their packages. */
export async function rememberUser(user: User): Promise<void> {
  await (await fieldDb()).put('meta', user, 'user');
}

export async function rememberedUser(): Promise<User | undefined> {
  return (await (await fieldDb()).get('meta', 'user')) as User | undefined;
}

export async function forgetUser(): Promise<void> {
  await (await fieldDb()).delete('meta', 'user');
}
