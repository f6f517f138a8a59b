import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Env } from './env.ts';
import { heavyReads, Semaphore } from './heavy-reads.ts';

/** An app whose one heavy route finishes only when the test says so. */
function appWith(limits: { concurrent: number; queued: number; waitMs: number }) {
  const semaphore = new Semaphore(limits);
  const gates: (() => void)[] = [];
  const app = new Hono<Env>();
  app.use('/heavy', heavyReads(semaphore));
  app.get('/heavy', async (c) => {
    await new Promise<void>((resolve) => gates.push(resolve));
    return c.json({ ok: true });
  });
  app.get('/light', (c) => c.json({ ok: true }));
  /** Lets the first held request finish. */
  const open = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { app, semaphore, open };
}

describe('heavy reads take turns', () => {
  it('runs `concurrent` at once, queues `queued`, and refuses the next with 503 and Retry-After', async () => {
    const { app, semaphore, open } = appWith({ concurrent: 1, queued: 1, waitMs: 60_000 });
    const first = app.request('/heavy');
    const second = app.request('/heavy');
    await new Promise((r) => setImmediate(r));
    expect(semaphore.state).toEqual({ running: 1, waiting: 1 });
    const third = await app.request('/heavy');
    expect(third.status).toBe(503);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('busy');
    // a light read is not held up by the limit
    expect((await app.request('/light')).status).toBe(200);
    await open();
    expect((await first).status).toBe(200);
    await open();
    expect((await second).status).toBe(200);
    expect(semaphore.state).toEqual({ running: 0, waiting: 0 });
  });

  it('gives up a wait that runs out, and frees the turn of a request that failed', async () => {
    const semaphore = new Semaphore({ concurrent: 1, queued: 5, waitMs: 0 });
    const release = await semaphore.acquire();
    expect(release).not.toBeNull();
    expect(await semaphore.acquire()).toBeNull();
    expect(semaphore.state).toEqual({ running: 1, waiting: 0 });
    release!();
    release!(); // twice is once
    expect(semaphore.state).toEqual({ running: 0, waiting: 0 });

    const app = new Hono<Env>();
    app.onError((_, c) => c.json({ error: { code: 'internal_error', message: 'failed' } }, 500));
    app.use('/heavy', heavyReads(semaphore));
    app.get('/heavy', () => {
      throw new Error('boom');
    });
    expect((await app.request('/heavy')).status).toBe(500);
    expect(semaphore.state).toEqual({ running: 0, waiting: 0 });
  });
});
