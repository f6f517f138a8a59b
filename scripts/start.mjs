// `pnpm start`: serves the production build. Builds the web app and the server
// only when their sources changed since the last build (a hash of the inputs
// kept beside each output: tens of milliseconds when nothing changed), then
// runs the compiled server in this same process, as `node server/dist/main.js` would.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildServer, buildWeb, SERVER_DIST, staleness } from './build-lib.mjs';

const web = staleness('web');
if (web.stale) {
  console.log('civgrid: the web app changed since its last build (or was never built); building it …');
  buildWeb(web.hash);
}
const server = staleness('server');
if (server.stale) {
  console.log('civgrid: the server changed since its last build (or was never built); building it …');
  await buildServer(server.hash);
}
await import(pathToFileURL(join(SERVER_DIST, 'main.js')).href);
