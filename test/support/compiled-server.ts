import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * The production server, `node server/dist/main.js` (what `pnpm start`, the
 * systemd units and deploy/README.md run), built first when its sources
 * changed since the last build (scripts/build-lib.mjs, the check `pnpm start`
 * makes). `pnpm test` builds before the tests run, so inside it this only checks.
 */
export function compiledServer(): { command: string; args: string[] } {
  execFileSync(process.execPath, ['--input-type=module', '-e', `
    const { buildServer, staleness } = await import(${JSON.stringify(join(ROOT, 'scripts/build-lib.mjs'))});
    const { stale, hash } = staleness('server');
    if (stale) await buildServer(hash);`], { cwd: ROOT, stdio: 'inherit' });
  return { command: process.execPath, args: [join(ROOT, 'server/dist/main.js')] };
}
