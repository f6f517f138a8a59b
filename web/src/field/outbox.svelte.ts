import { type CheckEntry, deleteOutbox, type OutboxEntry, outboxOf, putOutbox, type ReportEntry } from './field-db.ts';
import { fieldApi } from './field-api.ts';
import { verdictOf } from './outbox-policy.ts';

/** How often entries still waiting are tried again while the app is open. */
export const RETRY_MS = 20_000;

/** One sender per page: an outbox made anew (signed in again after working offline) waits for the old one's round. */
let sending: Promise<void> = Promise.resolve();

/**
 * The checks and problem reports saved on this device (IndexedDB) and their
 * sending: each is sent at once when online, else kept; the online event and
 * a timer try the waiting ones again, one after another, each with its own
 * Idempotency-Key.
 */
export class Outbox {
  entries = $state.raw<OutboxEntry[]>([]);
  syncing = $state(false);
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  /** The session ended while sending: the person must sign in again. */
  needsSignIn = $state(false);

  #again = false;

  constructor(readonly userId: number) {}

  get pending(): number {
    return this.entries.filter((e) => e.state === 'pending').length;
  }

  get rejected(): number {
    return this.entries.filter((e) => e.state === 'rejected').length;
  }

  /** Problem reports among the entries waiting. */
  get pendingReports(): number {
    return this.entries.filter((e) => e.kind === 'report' && e.state === 'pending').length;
  }

  /** The checks of one point of one package, oldest first. */
  of(packageKey: string, pointId: number): CheckEntry[] {
    return this.entries.filter((e): e is CheckEntry => e.kind === 'check' && e.packageKey === packageKey && e.body.pointId === pointId);
  }

  /** The problems reported with one package, oldest first; with `pointId`, those of that point. */
  reportsOf(packageKey: string, pointId?: number): ReportEntry[] {
    return this.entries.filter((e): e is ReportEntry => e.kind === 'report' && e.packageKey === packageKey && (pointId === undefined || e.report.pointId === pointId));
  }

  async load(): Promise<void> {
    this.entries = await outboxOf(this.userId);
  }

  /** Keeps the entry on the device first, then tries to send it. */
  async add(entry: OutboxEntry): Promise<void> {
    await putOutbox(entry);
    await this.load();
    void this.flush();
  }

  /** Sends a refused entry once more (the person fixed what was wrong, or the server may think again). */
  async retry(key: string): Promise<void> {
    const entry = this.entries.find((e) => e.key === key);
    if (!entry) return;
    await putOutbox({ ...entry, state: 'pending', error: null });
    await this.load();
    void this.flush();
  }

  async discard(key: string): Promise<void> {
    await deleteOutbox(key);
    await this.load();
  }

  /** Sends every waiting entry, oldest first; stops at the first that finds no network. */
  async flush(): Promise<void> {
    if (this.syncing) {
      this.#again = true;
      return;
    }
    this.syncing = true;
    const round = sending.then(async () => {
      do {
        this.#again = false;
        // read again: another outbox of this page may have sent some meanwhile
        await this.load();
        for (const entry of this.entries.filter((e) => e.state === 'pending')) {
          if (!(await this.#send(entry))) break;
        }
      } while (this.#again);
    });
    sending = round.catch(() => {});
    try {
      await round;
    } finally {
      this.syncing = false;
    }
  }

  /** One attempt; false when it should not go on with the others (no network, signed out). */
  async #send(entry: OutboxEntry): Promise<boolean> {
    const attempt = { ...entry, attempts: entry.attempts + 1, lastAttemptAt: new Date().toISOString() };
    try {
      if (attempt.kind === 'report') await putOutbox({ ...attempt, state: 'synced', answer: await fieldApi.sendReport(attempt), error: null });
      else await putOutbox({ ...attempt, state: 'synced', answer: await fieldApi.sendCheck(attempt), error: null });
      this.needsSignIn = false;
      return true;
    } catch (error) {
      const verdict = verdictOf(error);
      if (verdict === 'rejected') {
        const e = error as { status: number; code: string; message: string };
        await putOutbox({ ...attempt, state: 'rejected', error: { status: e.status, code: e.code, message: e.message } });
        return true;
      }
      await putOutbox(attempt);
      if (verdict === 'sign-in') this.needsSignIn = true;
      return false;
    } finally {
      await this.load();
    }
  }

  /** Listens for the network coming back and tries again on a timer; returns the cleanup. */
  start(): () => void {
    const online = () => {
      this.online = true;
      void this.flush();
    };
    const offline = () => {
      this.online = false;
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    const timer = setInterval(() => {
      if (this.pending > 0) void this.flush();
    }, RETRY_MS);
    void this.load().then(() => this.flush());
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      clearInterval(timer);
    };
  }
}
