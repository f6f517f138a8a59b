import { isAbort } from '../api/client.ts';
import type { User } from '../api/types.ts';
import { errorText } from '../components/error-text.ts';
import { basemapOf, packageKey, packagesOf, type StoredBasemap, type StoredPackage, storePackage } from './field-db.ts';
import { type DownloadProgress, downloadPackage, fieldApi } from './field-api.ts';
import type { FieldRound } from './field-types.ts';

/**
 * Where the app is: the list, a route, a point of a route, or the report
 * form (上报问题) opened from a route (`pointId` null) or a point. Kept in the
 * URL's hash, so back works and a reload stays put.
 */
export type FieldView =
  | { screen: 'rounds' }
  | { screen: 'route'; roundId: number; groupId: number }
  | { screen: 'point'; roundId: number; groupId: number; pointId: number }
  | { screen: 'report'; roundId: number; groupId: number; pointId: number | null };

export function parseHash(hash: string): FieldView {
  const m = /^#\/r\/(\d+)\/(\d+)(?:\/p\/(\d+))?(\/report)?$/.exec(hash);
  if (!m) return { screen: 'rounds' };
  const [roundId, groupId] = [Number(m[1]), Number(m[2])];
  const pointId = m[3] ? Number(m[3]) : null;
  if (m[4]) return { screen: 'report', roundId, groupId, pointId };
  return pointId !== null ? { screen: 'point', roundId, groupId, pointId } : { screen: 'route', roundId, groupId };
}

export function hashOf(view: FieldView): string {
  if (view.screen === 'rounds') return '#/';
  const base = `#/r/${view.roundId}/${view.groupId}`;
  if (view.screen === 'report') return `${view.pointId === null ? base : `${base}/p/${view.pointId}`}/report`;
  return view.screen === 'point' ? `${base}/p/${view.pointId}` : base;
}

export type DownloadState = { phase: 'running'; progress: DownloadProgress } | { phase: 'failed'; message: string };

/** The field app's state for one person: their rounds, the packages on the device, what is open. */
export class FieldState {
  view = $state.raw<FieldView>(parseHash(typeof location === 'undefined' ? '' : location.hash));
  rounds = $state.raw<FieldRound[] | null>(null);
  roundsError = $state<string | null>(null);
  packages = $state.raw<StoredPackage[]>([]);
  downloads = $state<Record<string, DownloadState>>({});
  /** The server's version of each stored package, when it could be asked. */
  serverVersions = $state<Record<string, string>>({});
  basemap = $state.raw<StoredBasemap | null>(null);

  constructor(readonly user: User) {}

  key(roundId: number, groupId: number): string {
    return packageKey(this.user.id, roundId, groupId);
  }

  /** The open package (route and point screens). */
  get current(): StoredPackage | null {
    const v = this.view;
    if (v.screen === 'rounds') return null;
    return this.packages.find((p) => p.roundId === v.roundId && p.groupId === v.groupId) ?? null;
  }

  /** Whether this page put the current view in the history (so that going back leaves it). */
  #pushed = false;

  go(view: FieldView): void {
    const hash = hashOf(view);
    if (location.hash !== hash) {
      history.pushState(null, '', hash);
      this.#pushed = true;
    }
    this.view = view;
  }

  /** Leaves a screen opened over another (the report form): back in the history when the app opened it, else on to `to`. */
  leave(to: FieldView): void {
    if (this.#pushed) {
      this.#pushed = false;
      history.back();
      return;
    }
    history.replaceState(null, '', hashOf(to));
    this.view = to;
  }

  /** Follows the browser's back and forward buttons; returns the cleanup. */
  follow(): () => void {
    const onPop = () => {
      this.view = parseHash(location.hash);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }

  async loadPackages(): Promise<void> {
    this.packages = await packagesOf(this.user.id);
  }

  async loadRounds(signal: AbortSignal): Promise<void> {
    try {
      this.rounds = (await fieldApi.myRounds(signal)).rounds;
      this.roundsError = null;
    } catch (error) {
      if (isAbort(error)) return;
      this.roundsError = errorText(error);
    }
  }

  /** Downloads a group's package and keeps it; the outbox is not touched. */
  async download(roundId: number, groupId: number): Promise<boolean> {
    const key = this.key(roundId, groupId);
    if (this.downloads[key]?.phase === 'running') return false;
    this.downloads[key] = { phase: 'running', progress: { done: 0, total: 0 } };
    try {
      const got = await downloadPackage(roundId, groupId, (progress) => {
        this.downloads[key] = { phase: 'running', progress };
      });
      await storePackage({ key, userId: this.user.id, roundId, groupId, pkg: got.pkg, downloadedAt: new Date().toISOString(), bytes: got.bytes }, got.basemap);
      delete this.downloads[key];
      this.serverVersions[key] = got.pkg.version;
      await this.loadPackages();
      if (this.current?.key === key) await this.loadBasemap();
      return true;
    } catch (error) {
      this.downloads[key] = { phase: 'failed', message: errorText(error) };
      return false;
    }
  }

  async loadBasemap(): Promise<void> {
    const current = this.current;
    this.basemap = current ? ((await basemapOf(current.key)) ?? null) : null;
  }

  /** Asks the server for the open package's version (nothing happens offline). */
  async checkVersion(stored: StoredPackage, signal?: AbortSignal): Promise<void> {
    try {
      const { version } = await fieldApi.version(stored.roundId, stored.groupId, signal);
      this.serverVersions[stored.key] = version;
    } catch {
      // offline, or the group is gone: the copy on the device stays usable
    }
  }

  isStale(stored: StoredPackage): boolean {
    const server = this.serverVersions[stored.key];
    return server !== undefined && server !== stored.pkg.version;
  }
}
