export {};
/**
 * A load client in its own process, so that the server under test never
 * shares an event loop with it: `tsx load-client.ts <json>` with
 * { urls, concurrency, seconds, rangeOf? } prints { rps, p50, p99, failures }.
 */
const { urls, concurrency, seconds, rangeOf, cookie } = JSON.parse(process.argv[2] ?? '{}') as {
  urls: string[];
  concurrency: number;
  seconds: number;
  /** When set, each request asks a random 16 KB range of a file of this size. */
  rangeOf?: number;
  /** A session cookie sent with every request (not to nginx, which ignores it). */
  cookie?: string;
};

const until = performance.now() + seconds * 1000;
const latencies: number[] = [];
let failures = 0;
let i = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      const url = urls[i++ % urls.length]!;
      const headers: Record<string, string> = cookie ? { cookie } : {};
      if (rangeOf) {
        const start = Math.floor(Math.random() * Math.max(1, rangeOf - 16384));
        headers.range = `bytes=${start}-${Math.min(rangeOf - 1, start + 16383)}`;
      }
      const t = performance.now();
      const res = await fetch(url, { headers }).catch(() => null);
      if (!res || res.status >= 400) failures++;
      await res?.arrayBuffer();
      latencies.push(performance.now() - t);
    }
  }),
);
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
console.log(JSON.stringify({ rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), failures }));
