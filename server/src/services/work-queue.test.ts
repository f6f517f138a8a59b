import { describe, expect, it } from 'vitest';
import { AppError } from '../http/errors.ts';
import { WorkQueue } from './work-queue.ts';

/** A job that finishes when told to, recording how many ran at once. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe('WorkQueue', () => {
  it('runs at most `concurrency` jobs at once, in arrival order, and refuses beyond `maxWaiting` with 503', async () => {
    const queue = new WorkQueue({ concurrency: 2, maxWaiting: 2, retryAfterSeconds: 7 });
    let active = 0;
    let most = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 4 }, gate);
    const jobs = gates.map((g, i) =>
      queue.run(async () => {
        started.push(i);
        most = Math.max(most, ++active);
        await g.opened;
        active--;
        return i;
      }),
    );
    await Promise.resolve();
    expect(queue.load).toEqual({ running: 2, waiting: 2 });
    const refused = await queue.run(async () => 'never').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 503, code: 'busy', details: { retryAfterSeconds: 7 } });
    for (const g of gates) g.open();
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(queue.load).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot of a job that fails', async () => {
    const queue = new WorkQueue({ concurrency: 1, maxWaiting: 0 });
    await expect(queue.run(async () => Promise.reject(new Error('bad image')))).rejects.toThrow('bad image');
    expect(await queue.run(async () => 'next')).toBe('next');
  });
});
