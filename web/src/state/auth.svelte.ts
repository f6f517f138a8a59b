import { getContext, setContext } from 'svelte';
import { ApiError, authApi, connectSession, isAbort } from '../api/client.ts';
import type { DemoAccounts, User } from '../api/types.ts';
import { t } from '../i18n/i18n.svelte.ts';
import { notice } from './notice.svelte.ts';

/**
 * - `checking`: asking the server whether there is a session (`GET /api/auth/me`);
 * - `signed-out`: the login page;
 * - `signed-in`: the app;
 * - `expired`: the session ended while the app was open: the login dialog covers the app, which stays as it was;
 * - `unavailable`: the server could not be asked.
 */
export type AuthPhase = 'checking' | 'signed-out' | 'signed-in' | 'expired' | 'unavailable';

/** Why the login page is showing, when there is something to say about it. */
export type SignedOutReason = 'expired' | 'logged-out' | 'password-changed' | null;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Who is signed in, and the session's CSRF token. One per page; the API client asks it (see `connect`). */
export class Auth {
  phase = $state<AuthPhase>('checking');
  user = $state.raw<User | null>(null);
  reason = $state<SignedOutReason>(null);
  /** Why `unavailable`. */
  error = $state.raw<unknown>(null);
  /** The demo accounts (demo mode only; `null` otherwise or until asked). */
  demo = $state.raw<DemoAccounts | null>(null);
  /** Grows each time an ended session is renewed in the login dialog; the map reloads its tiles on it. */
  renewals = $state(0);

  #csrf: string | null = null;
  /** Calls that met an ended session and wait for the same person to sign in again. */
  #waiting: Waiter[] = [];

  get isAdmin(): boolean {
    return this.user?.role === 'admin';
  }

  /**
   * Scoped to the whole district: only such an account changes what applies
   * district-wide (categories, the working calendar, inspection rounds); the
   * server refuses the others with district_scope_required.
   */
  get districtWide(): boolean {
    return this.user?.scope.level === 'district';
  }

  /** Admins and planners draw and edit zones (the server refuses the others anyway). */
  get canEdit(): boolean {
    return this.user?.role === 'admin' || this.user?.role === 'planner';
  }

  /** Plugs this state into the API client (CSRF token, ended sessions, refusals); returns the unplug function. */
  connect(): () => void {
    return connectSession({
      csrfToken: () => this.#csrf,
      expired: (error) => this.expire(error),
      refreshCsrf: () => this.#refresh(),
      forbidden: () => notice.show(t('auth.forbidden'), 'error'),
    });
  }

  /** Asks the server who is signed in. */
  async start(signal?: AbortSignal): Promise<void> {
    this.phase = 'checking';
    this.error = null;
    try {
      // answered 200 either way: a login page loads without a failed request in the console
      const status = await authApi.session(signal);
      this.demo = status.demo;
      if (status.user) this.#signedIn(status.user, status.csrfToken);
      else this.#signedOut(status.expired ? 'expired' : null);
    } catch (error) {
      if (isAbort(error)) return;
      if (error instanceof ApiError && error.status === 401) {
        this.#signedOut(error.code === 'session_expired' ? 'expired' : null);
      } else {
        this.error = error;
        this.phase = 'unavailable';
      }
    }
  }

  /** The demo accounts, when the server runs the demo (`null` otherwise). */
  async loadDemo(signal?: AbortSignal): Promise<void> {
    try {
      this.demo = (await authApi.session(signal)).demo;
    } catch (error) {
      if (isAbort(error)) return;
      this.demo = null; // not the demo, or not reachable: the page simply lists no accounts
    }
  }

  /**
   * Signs in. From the login dialog (`expired`) the same person carries on
   * where they were; someone else gets a fresh app (the caller keys the app on the user id).
   */
  async login(username: string, password: string): Promise<User> {
    const session = await authApi.login(username, password);
    const expired = this.phase === 'expired';
    const same = this.user?.id === session.user.id;
    if (expired && !same) this.#rejectWaiting(new ApiError('session_expired', 'signed in as someone else', 401));
    this.#signedIn(session.user, session.csrfToken);
    if (expired && same) this.renewals += 1;
    return session.user;
  }

  async logout(): Promise<void> {
    try {
      await authApi.logout();
    } catch {
      // the session may be gone already; signed out either way
    }
    this.#signedOut('logged-out');
  }

  /** Changes one's own password; throws the server's ApiError (`weak_password`, `invalid_credentials`). */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await authApi.changePassword(currentPassword, newPassword);
    try {
      const session = await authApi.me();
      this.#signedIn(session.user, session.csrfToken);
    } catch (error) {
      // a server that ends the session with the old password: sign in with the new one
      if (error instanceof ApiError && error.status === 401) this.#signedOut('password-changed');
      else throw error;
    }
  }

  #signedIn(user: User, csrf: string): void {
    this.#csrf = csrf;
    this.user = user;
    this.reason = null;
    this.phase = 'signed-in';
    // calls waiting on the session go on once nothing more is asked of the person first
    if (!user.mustChangePassword) this.#resolveWaiting();
  }

  #signedOut(reason: SignedOutReason): void {
    this.#csrf = null;
    this.user = null;
    this.reason = reason;
    this.phase = 'signed-out';
    this.#rejectWaiting(new ApiError('unauthenticated', 'signed out', 401));
  }

  /**
   * The session has ended under the app (a call or a map tile met a 401): the
   * login dialog shows. Resolves once the same person has signed in again,
   * rejects when someone else does or they sign out.
   */
  expire(error: ApiError): Promise<void> {
    if (this.phase === 'signed-in' && this.user) this.phase = 'expired';
    if (this.phase !== 'expired') return Promise.reject(error);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  async #refresh(): Promise<void> {
    try {
      const session = await authApi.me();
      this.#csrf = session.csrfToken;
      this.user = session.user;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return this.expire(error);
      throw error;
    }
  }

  #resolveWaiting(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const waiter of waiting) waiter.resolve();
  }

  #rejectWaiting(error: unknown): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const waiter of waiting) waiter.reject(error);
  }
}

const AUTH_KEY = Symbol('civgrid.auth');

export function setAuthContext(auth: Auth): Auth {
  return setContext(AUTH_KEY, auth);
}

export function getAuthContext(): Auth {
  const auth = getContext<Auth | undefined>(AUTH_KEY);
  if (!auth) throw new Error('getAuthContext() called outside <Root>');
  return auth;
}
