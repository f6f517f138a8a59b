import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createDatabase, migrateToLatest, openForCommand } from '@civgrid/db';
import { BuiltinBasemapBuilder } from './services/builtin-basemap.ts';
import { prepareDatabase } from './startup.ts';
import { startHousekeeping } from './services/housekeeping.ts';
import { createApp } from './app.ts';
import { type Config, loadConfig } from './config.ts';
import { createLogger } from './http/logger.ts';

/** Longest a request's statement may run on PostgreSQL: a minute of one query is a fault, not a wait. */
const STATEMENT_TIMEOUT_MS = 60_000;

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const logger = createLogger(config.LOG_LEVEL);

const creating = !config.DATABASE_URL && !existsSync(join(config.CIVGRID_DATA_DIR, 'PG_VERSION'));
logger.info(creating ? `creating the embedded database in ${config.CIVGRID_DATA_DIR} (first start) …` : 'opening the database …', { engine: config.DATABASE_URL ? 'postgres' : 'embedded' });
const opening = performance.now();
let database = await openForCommand(
  'civgrid server',
  { url: config.DATABASE_URL, dataDir: config.CIVGRID_DATA_DIR, purpose: `civgrid server on port ${config.PORT}` },
  'Stop that process first, or give this server a data dir of its own (CIVGRID_DATA_DIR); several servers can share one PostgreSQL database (DATABASE_URL).',
);
logger.info('database opened', { engine: database.engine, dataDir: database.engine === 'embedded' ? config.CIVGRID_DATA_DIR : undefined, ms: Math.round(performance.now() - opening) });
// `main.js --migrate-only`: apply the migrations and stop (deploy/systemd/civgrid-migrate.service runs this before the servers start)
if (process.argv.includes('--migrate-only')) {
  const applied = await migrateToLatest(database.db as never, { onMigration: (name) => logger.info(`migration ${name} …`) });
  logger.info(applied.length ? 'migrated; not starting the server (--migrate-only)' : 'database is up to date (--migrate-only)', { applied: applied.length });
  await database.close();
  process.exit(0);
}
const tilesDir = join(config.CIVGRID_DATA_DIR, 'tiles');
const basemapBuilder = new BuiltinBasemapBuilder(database.db, tilesDir, logger, config.CIVGRID_BASEMAP_AUTOBUILD);
const startup = await prepareDatabase(database, logger, {
  demo: config.CIVGRID_DEMO,
  admin: config.CIVGRID_ADMIN_USERNAME && config.CIVGRID_ADMIN_PASSWORD ? { username: config.CIVGRID_ADMIN_USERNAME, password: config.CIVGRID_ADMIN_PASSWORD } : undefined,
  basemap: basemapBuilder,
});
logger.info('startup steps done', { ms: startup.ms });

if (config.DATABASE_URL) {
  // Migrations and the seed may run long; the requests' statements may not (the embedded engine cannot interrupt one).
  const setup = database;
  database = await createDatabase({ url: config.DATABASE_URL, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
  await setup.close();
}
// a request that finds the archive deleted has it built again, on the database the server uses
const builder = new BuiltinBasemapBuilder(database.db, tilesDir, logger, config.CIVGRID_BASEMAP_AUTOBUILD);

const app = createApp({ database, logger, webRoot: config.CIVGRID_WEB_ROOT, tilesDir,
  basemapBuilder: builder,
  basemaps: { tiandituKey: config.CIVGRID_TIANDITU_KEY, custom: config.CIVGRID_BASEMAPS },
  demo: config.CIVGRID_DEMO,
  trustProxy: config.CIVGRID_TRUST_PROXY,
  trustedProxies: config.CIVGRID_TRUSTED_PROXIES,
  instance: config.CIVGRID_INSTANCE,
  sessionLifetime: { idleMs: config.CIVGRID_SESSION_HOURS * 3600_000, absoluteMs: 7 * 24 * 3600_000 },
});
const stopHousekeeping = startHousekeeping(database.db, logger);
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  logger.info(`civgrid is ready at http://localhost:${info.port}`, {
    port: info.port, host: config.HOST, engine: database.engine, instance: config.CIVGRID_INSTANCE, sinceProcessStartMs: Math.round(performance.now()),
    ...(config.CIVGRID_TRUST_PROXY && { trustedProxies: config.CIVGRID_TRUSTED_PROXIES }),
  });
});

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  logger.info('shutting down', { signal });
  stopHousekeeping();
  server.close();
  await database.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
