import { AppError } from '../http/errors.ts';

export interface WorkQueueOptions {
  /** Jobs running at once. */
  concurrency: number;
  /** Jobs allowed to wait; one more is refused with 503 rather than held in memory. */
  maxWaiting: number;
  /** What the refusal tells the client to wait. */
  retryAfterSeconds?: number;
}

/**
 * A bounded queue for CPU-heavy jobs (decoding photos): at most `concurrency`
 * run at once, at most `maxWaiting` wait, and the rest are refused at once
 * with 503 and Retry-After, so that a burst of uploads neither takes every
 * core from the event loop nor piles up in memory.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: WorkQueueOptions) {
    if (!(options.concurrency >= 1)) throw new Error('a work queue needs a concurrency of at least 1');
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running < this.options.concurrency) this.running++;
    else {
      if (this.waiting.length >= this.options.maxWaiting) {
        const retryAfterSeconds = this.options.retryAfterSeconds ?? 5;
        throw new AppError(503, 'busy', `The server is processing too many photos; try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
      }
      // the slot is handed over by the job that finishes (running stays counted)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Jobs running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
