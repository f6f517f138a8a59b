import { AppError } from '../http/errors.ts';
import { Semaphore } from '../http/semaphore.ts';

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
  private readonly turns: Semaphore;

  constructor(private readonly options: WorkQueueOptions) {
    this.turns = new Semaphore({ concurrent: options.concurrency, queued: options.maxWaiting });
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    const release = await this.turns.acquire();
    if (!release) {
      const retryAfterSeconds = this.options.retryAfterSeconds ?? 5;
      throw new AppError(503, 'busy', `The server is processing too many photos; try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
    }
    try {
      return await job();
    } finally {
      release();
    }
  }

  /** Jobs running and waiting now. */
  get load(): { running: number; waiting: number } {
    return this.turns.state;
  }
}
