// `pnpm build`: the web app into web/dist and the server into server/dist (see build-lib.mjs).
import { buildServer, buildWeb } from './build-lib.mjs';

const only = process.argv[2];
if (only && only !== 'web' && only !== 'server') {
  console.error('usage: node scripts/build.mjs [web|server]');
  process.exit(2);
}
const started = performance.now();
if (only !== 'server') buildWeb();
if (only !== 'web') await buildServer();
console.log(`built ${only ?? 'web and server'} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
