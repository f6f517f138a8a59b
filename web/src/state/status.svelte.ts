import { ApiError } from '../api/client.ts';

export type LoadPhase = 'loading' | 'ready' | 'error';

/** Loading state and the error banner. `attempt` grows on retry; loaders re-run on it. */
export class AppStatus {
  phase = $state<LoadPhase>('loading');
  error = $state.raw<unknown>(null);
  attempt = $state(0);

  fail(error: unknown): void {
    this.error = error;
    this.phase = 'error';
  }

  retry(): void {
    this.error = null;
    this.phase = 'loading';
    this.attempt += 1;
  }

  get apiDown(): boolean {
    const error = this.error;
    return error instanceof ApiError && (error.code === 'network' || error.code === 'unavailable' || error.status === 503);
  }
}
