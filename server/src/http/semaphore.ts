export interface TurnLimits {
  /** Holders at once. */
  concurrent: number;
  /** Callers waiting for a turn; one more is refused at once. */
  queued: number;
  /** How long one waits for its turn before it is refused (ms); none: as long as it takes. */
  waitMs?: number;
}

/**
 * Counts turns: at most `concurrent` held, the rest wait in order, at most
 * `queued` of them and each at most `waitMs`. The one bound on work that
 * costs the process or the database dearly (heavy reads, photo decoding).
 */
export class Semaphore {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: TurnLimits) {
    if (!(limits.concurrent >= 1)) throw new Error('a semaphore needs a concurrency of at least 1');
  }

  /** Resolves to a release function, or to null when the queue is full or the wait ran out. */
  acquire(): Promise<(() => void) | null> {
    if (this.running < this.limits.concurrent) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.limits.queued) return Promise.resolve(null);
    return new Promise((resolve) => {
      const turn = () => {
        if (timer) clearTimeout(timer);
        this.running++;
        resolve(this.releaser());
      };
      const timer =
        this.limits.waitMs === undefined
          ? undefined
          : setTimeout(() => {
              const at = this.waiting.indexOf(turn);
              if (at >= 0) this.waiting.splice(at, 1);
              resolve(null);
            }, this.limits.waitMs);
      this.waiting.push(turn);
    });
  }

  /** Holders and waiters now. */
  get state(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.waiting.shift()?.();
    };
  }
}
