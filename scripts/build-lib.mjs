// The production build: the web app (Vite, into web/dist) and the server with the
// workspace packages it imports (db, tiles) bundled by esbuild into server/dist, so
// that `node server/dist/main.js` and `node server/dist/cli.js <command>` run with
// plain node. Each output keeps a hash of its inputs beside it (.inputs-hash), so
// `pnpm start` rebuilds only what changed since the last build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const SERVER_DIST = join(ROOT, 'server/dist');
export const WEB_DIST = join(ROOT, 'web/dist');
const STAMP = '.inputs-hash';

/** Files that shape every output: the workspace, its lockfile and this build. */
const COMMON = ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'tsconfig.base.json', 'scripts/build-lib.mjs'];
const SKIP = new Set(['node_modules', 'dist', '.svelte-kit']);

/** Everything each output is built from (tests excluded: they are not shipped). */
export const TARGETS = {
  web: {
    out: WEB_DIST,
    inputs: [...COMMON, 'web', 'tiles/src', 'tiles/package.json'],
  },
  server: {
    out: SERVER_DIST,
    inputs: [...COMMON, 'server/src', 'server/package.json', 'db/src', 'db/package.json', 'tiles/src', 'tiles/package.json'],
  },
};

function listFiles(path, into) {
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOTDIR') {
      into.push(path);
      return;
    }
    if (error.code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    if (SKIP.has(entry.name) || /\.test\.ts$/.test(entry.name)) continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) listFiles(full, into);
    else if (entry.isFile()) into.push(full);
  }
}

/** A hash of the inputs' names and contents (a few hundred small files: tens of milliseconds). */
export function inputsHash(target) {
  const files = [];
  for (const input of TARGETS[target].inputs) listFiles(join(ROOT, input), files);
  const hash = createHash('sha256');
  for (const file of files.sort()) hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** Whether the output is missing or was built from other inputs; returns the current hash with it. */
export function staleness(target) {
  const hash = inputsHash(target);
  const stamp = join(TARGETS[target].out, STAMP);
  const built = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : undefined;
  return { stale: built !== hash, hash };
}

function stampOutput(target, hash) {
  writeFileSync(join(TARGETS[target].out, STAMP), `${hash}\n`);
}

export function buildWeb(hash = inputsHash('web')) {
  const result = spawnSync('pnpm', ['--filter', '@civgrid/web', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`the web build failed (exit code ${result.status})`);
  stampOutput('web', hash);
}

/**
 * Packages left to node_modules: they read their own files next to their code
 * (PGlite's and PostGIS's wasm and data bundles) or load a native addon. The
 * server's package.json lists them, so node finds them from server/dist.
 */
const EXTERNAL = ['@electric-sql/pglite', '@electric-sql/pglite-postgis', '@node-rs/argon2', 'sharp'];

/**
 * Our sources find files beside themselves through import.meta (the web app's
 * dist, the seed's data in db/data). In the bundle every module lives in
 * server/dist, so each use is rewritten to the source file's own place,
 * relative to the bundle: the build keeps working wherever the checkout moves.
 */
function sourceLocationPlugin(outdir) {
  return {
    name: 'civgrid-source-location',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${'/'}node_modules${'/'}`)) return undefined;
        let contents = readFileSync(args.path, 'utf8');
        if (contents.includes('import.meta.')) {
          const file = JSON.stringify(relative(outdir, args.path));
          const dir = JSON.stringify(relative(outdir, dirname(args.path)) || '.');
          contents = contents
            .replaceAll('import.meta.dirname', `__civgridResolve(import.meta.dirname, ${dir})`)
            .replaceAll('import.meta.url', `__civgridFileUrl(new URL(${file}, import.meta.url))`);
        }
        return { contents, loader: 'ts' };
      });
    },
  };
}

const BANNER = [
  "import { createRequire as __civgridCreateRequire } from 'node:module';",
  "import { resolve as __civgridResolve } from 'node:path';",
  'const require = __civgridCreateRequire(import.meta.url);',
  'const __civgridFileUrl = (url) => url.href;',
].join('\n');

export async function buildServer(hash = inputsHash('server')) {
  const { build } = await import('esbuild');
  rmSync(SERVER_DIST, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'server/src/main.ts', cli: 'server/src/cli/civgrid.ts' },
    outdir: SERVER_DIST,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: true,
    external: EXTERNAL,
    banner: { js: BANNER },
    plugins: [sourceLocationPlugin(SERVER_DIST)],
    logLevel: 'warning',
  });
  stampOutput('server', hash);
}
