import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createDatabase, migrateToLatest, openForCommand } from '@civgrid/db';
import { disableDemoAccounts, ensureDemoAccounts, isSeeded, reanchorDemo, seedDemo } from '@civgrid/db/seed';
import { ensureFirstAdmin } from './auth/first-admin.ts';
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

let database = await openForCommand(
  'civgrid server',
  { url: config.DATABASE_URL, dataDir: config.CIVGRID_DATA_DIR, purpose: `civgrid server on port ${config.PORT}` },
  'Stop that process first, or give this server a data dir of its own (CIVGRID_DATA_DIR); several servers can share one PostgreSQL database (DATABASE_URL).',
);
logger.info('database opened', { engine: database.engine, dataDir: database.engine === 'embedded' ? config.CIVGRID_DATA_DIR : undefined });
const applied = await migrateToLatest(database.db as never);
if (applied.length) logger.info('migrations applied', { applied });

if (config.CIVGRID_DEMO && !(await isSeeded(database.db))) {
  logger.info('seeding the demo district 象山区 (first start only, takes a minute) …');
  const report = await seedDemo(database.db, { onProgress: (step: string) => logger.info('seed', { step }) });
  logger.info('demo district seeded', { ms: report.ms, anchor: report.anchor, counts: report.counts });
} else if (config.CIVGRID_DEMO) {
  // a demo opened days after it was seeded moves its dates to today, unless someone has edited it
  const moved = await reanchorDemo(database.db);
  if (moved.shifted) logger.info('demo dates moved to today', { from: moved.from, to: moved.to, days: moved.days });
  else if (moved.reason === 'touched') logger.info('demo data edited, so its dates are kept', { anchor: moved.anchor });
}

if (config.CIVGRID_DEMO) {
  const created = await ensureDemoAccounts(database.db);
  if (created) logger.info('demo accounts created', { created });
  logger.warn('DEMO MODE: one account per role with the published password civgrid-demo, listed on the login page. Set CIVGRID_DEMO=false for real data.');
} else {
  const disabled = await disableDemoAccounts(database.db);
  if (disabled) logger.warn('demo accounts switched off (CIVGRID_DEMO=false)', { disabled });
}
if (config.CIVGRID_ADMIN_USERNAME && config.CIVGRID_ADMIN_PASSWORD) {
  try {
    if (await ensureFirstAdmin(database.db, config.CIVGRID_ADMIN_USERNAME, config.CIVGRID_ADMIN_PASSWORD)) {
      logger.info('first admin created from CIVGRID_ADMIN_USERNAME', { username: config.CIVGRID_ADMIN_USERNAME });
    }
  } catch (error) {
    logger.error('could not create the first admin', { error: (error as Error).message });
  }
}

if (config.DATABASE_URL) {
  // Migrations and the seed may run long; the requests' statements may not (the embedded engine cannot interrupt one).
  const setup = database;
  database = await createDatabase({ url: config.DATABASE_URL, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
  await setup.close();
}

const app = createApp({ database, logger, webRoot: config.CIVGRID_WEB_ROOT, tilesDir: join(config.CIVGRID_DATA_DIR, 'tiles'),
  basemaps: { tiandituKey: config.CIVGRID_TIANDITU_KEY, custom: config.CIVGRID_BASEMAPS },
  demo: config.CIVGRID_DEMO,
  trustProxy: config.CIVGRID_TRUST_PROXY,
  trustedProxies: config.CIVGRID_TRUSTED_PROXIES,
  sessionLifetime: { idleMs: config.CIVGRID_SESSION_HOURS * 3600_000, absoluteMs: 7 * 24 * 3600_000 },
});
const stopHousekeeping = startHousekeeping(database.db, logger);
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  logger.info(`civgrid is ready at http://localhost:${info.port}`, {
    port: info.port, host: config.HOST, engine: database.engine,
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
