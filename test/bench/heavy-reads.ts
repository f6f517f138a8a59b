/**
 * `pnpm bench:heavy`: what two clients' heavy coverage reads do to everyone
 * else on the embedded engine (issue 15, item 13). Light clients read the
 * map (who is responsible here, a layer, the problem list) in a loop, alone
 * and then beside two heavy clients that post coverage analyses over a
 * drawn area: one of 100,000 vertices (what the attacker sent) and one of
 * 5,000 (the most a read may carry now). Prints the light clients' p50/p95
 * in each phase, and what the heavy clients were answered. Prints, never
 * asserts.
 *
 * The database is a clone of the integration tests' embedded template
 * (`.tmp/template-embedded-*.tar`, made by any integration test run), or
 * BENCH_TEMPLATE. BENCH_SECONDS (20) per phase, BENCH_LIGHT (4) light clients.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDatabase } from '@civgrid/db';
import { createApp } from '@civgrid/server';
import { sql } from 'kysely';
import { ms, stats, table } from './harness.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const LIGHT = Number(process.env.BENCH_LIGHT ?? 4);
const root = resolve(import.meta.dirname, '../..');

const templateFile =
  process.env.BENCH_TEMPLATE ??
  join(root, '.tmp', readdirSync(join(root, '.tmp')).find((f) => /^template-embedded-.*\.tar$/.test(f)) ?? 'missing');
const database = await createDatabase({ loadDataDir: new Blob([readFileSync(templateFile)]) });
const app = createApp({ database, webRoot: '/nonexistent', demo: true, trustProxy: true });

const centre = (await sql<{ lon: number; lat: number }>`
  SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (SELECT (ST_MaximumInscribedCircle(geom)).center AS c FROM territories WHERE level = 'district') s`.execute(database.db)).rows[0]!;

async function signIn(username: string, ip: string): Promise<Record<string, string>> {
  const res = await app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ username, password: 'civgrid-demo' }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${username}: ${res.status}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': csrfToken, 'x-forwarded-for': ip };
}

/** A ring of `n` vertices, about 2 km across, around the district's most interior point. */
function area(n: number) {
  const ring: number[][] = [];
  for (let i = 0; i < n - 1; i++) {
    const a = (2 * Math.PI * i) / (n - 1);
    ring.push([centre.lon + Math.cos(a) * 0.01, centre.lat + Math.sin(a) * 0.01]);
  }
  ring.push(ring[0]!);
  return JSON.stringify({ duty: 'sanitation-city', area: { type: 'Polygon', coordinates: [ring] } });
}

const lightPaths = [
  `/api/responsibility?lon=${centre.lon}&lat=${centre.lat}`,
  `/api/layers/streets?bbox=${centre.lon - 0.01},${centre.lat - 0.01},${centre.lon + 0.01},${centre.lat + 0.01}`,
  '/api/problems?limit=20',
];

// sessions first: a sign-in (argon2id) is itself heavy, and not what is measured
const lightSessions = await Promise.all(Array.from({ length: LIGHT }, (_, k) => signIn(k % 2 ? 'supervisor' : 'inspector', `10.9.0.${k + 1}`)));
const heavySessions = await Promise.all([1, 2].map(async (k) => ({ ...(await signIn('viewer', `10.8.0.${k}`)), 'content-type': 'application/json' })));

async function phase(label: string, heavyBody: string | null) {
  const until = Date.now() + SECONDS * 1000;
  const light: number[] = [];
  const heavy: { ms: number; status: number }[] = [];
  const lightClient = async (k: number) => {
    const headers = lightSessions[k]!;
    for (let i = k; Date.now() < until; i++) {
      const t = performance.now();
      const res = await app.request(lightPaths[i % lightPaths.length]!, { headers });
      await res.arrayBuffer();
      light.push(performance.now() - t);
    }
  };
  const heavyClient = async (k: number) => {
    const headers = heavySessions[k]!;
    while (Date.now() < until) {
      const t = performance.now();
      const res = await app.request('/api/coverage/gaps', { method: 'POST', headers, body: heavyBody! });
      await res.arrayBuffer();
      heavy.push({ ms: performance.now() - t, status: res.status });
      if (process.env.BENCH_DEBUG) console.log('heavy', res.status, Math.round(performance.now() - t), 'ms');
    }
  };
  await Promise.all([...Array.from({ length: LIGHT }, (_, k) => lightClient(k)), ...(heavyBody ? [heavyClient(0), heavyClient(1)] : [])]);
  const s = stats(light);
  const counts = new Map<number, number>();
  for (const h of heavy) counts.set(h.status, (counts.get(h.status) ?? 0) + 1);
  const statuses = [...counts].map(([status, n]) => `${n}×${status}`).join(' ');
  const heavyMs = heavy.length ? stats(heavy.map((h) => h.ms)) : null;
  return [label, String(s.n), ms(s.p50), ms(s.p95), statuses || '–', heavyMs ? ms(heavyMs.p50) : '–'];
}

const rows = [
  await phase('light clients alone', null),
  await phase('+ 2 heavy: 100,000-vertex gaps', area(100_000)),
  await phase('+ 2 heavy: 5,000-vertex gaps', area(5_000)),
];
console.log(`engine ${database.engine}, ${LIGHT} light clients, ${SECONDS} s per phase`);
table(['phase', 'light reads', 'p50', 'p95', 'heavy answers', 'heavy p50'], rows);
await database.close();
