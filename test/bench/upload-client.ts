/**
 * The anonymous-upload client of `pnpm bench:load`, in its own process so
 * that building and sending its forms never shares an event loop with the
 * clients it slows down: `tsx upload-client.ts <json>` with
 * { url, categoryId, lon, lat, concurrency, seconds, photos, width, height, addresses }
 * posts citizen reports ("你拍我改") each with `photos` PNGs of one colour
 * of width × height pixels (a few kB each), and prints { requests, rps, p50,
 * p99, statuses }. `addresses: "per-client"` sends each client's reports
 * from one address (the per-address budget applies); "per-request" from a
 * fresh address each time (an attacker with many addresses).
 */
import { blackPng } from '../support/png.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  categoryId: string;
  lon: number;
  lat: number;
  concurrency: number;
  seconds: number;
  photos: number;
  width: number;
  height: number;
  addresses: 'per-client' | 'per-request';
};

const png = blackPng(config.width, config.height);
const until = performance.now() + config.seconds * 1000;
const latencies: number[] = [];
const statuses = new Map<string, number>();
let sent = 0;
await Promise.all(
  Array.from({ length: config.concurrency }, async (_, client) => {
    while (performance.now() < until) {
      const n = ++sent;
      const ip = config.addresses === 'per-client' ? `198.18.200.${client + 1}` : `198.18.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
      const form = new FormData();
      form.set('categoryId', config.categoryId);
      form.set('lon', String(config.lon));
      form.set('lat', String(config.lat));
      form.set('description', 'bench: anonymous upload');
      for (let i = 0; i < config.photos; i++) form.append('photos', new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }), `big-${i}.png`);
      const t = performance.now();
      const res = await fetch(config.url, { method: 'POST', headers: { 'x-forwarded-for': ip }, body: form }).catch(() => null);
      let key = 'network error';
      if (res) {
        const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
        key = `${res.status}${body.error?.code ? ` ${body.error.code}` : ''}`;
      }
      latencies.push(performance.now() - t);
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
  }),
);
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
console.log(JSON.stringify({ requests: latencies.length, rps: latencies.length / config.seconds, p50: at(0.5), p99: at(0.99), statuses: Object.fromEntries(statuses), bytes: png.byteLength * config.photos }));
