import { type Database, migrateToLatest } from '@civgrid/db';
import { disableDemoAccounts, ensureDemoAccounts, isSeeded, reanchorDemo, seedDemo } from '@civgrid/db/seed';
import { ensureFirstAdmin } from './auth/first-admin.ts';
import type { Logger } from './http/logger.ts';
import type { BasemapBuild, BuiltinBasemapBuilder } from './services/builtin-basemap.ts';

export interface StartupOptions {
  /** Seed the demo district when the database has none, with its accounts (CIVGRID_DEMO). */
  demo: boolean;
  /** The first admin, created when the database has no account at all. */
  admin?: { username: string; password: string } | undefined;
  /** Builds the built-in offline basemap when missing (omitted or disabled: left alone). */
  basemap?: BuiltinBasemapBuilder | undefined;
}

export interface StartupReport {
  migrations: string[];
  seeded: boolean;
  basemap: BasemapBuild;
  /** Milliseconds per step, for the log and the README's figures. */
  ms: Record<string, number>;
}

/**
 * Everything a start does to the database before the server listens, in
 * order, each step announced in the log so that a first start (20–40 s of
 * migrations, seed and basemap) is never silent for long: migrations, one line
 * each; the demo district, one line per stage; the demo accounts or the first
 * admin; the built-in offline basemap when the tiles folder has none (one to
 * two seconds of CPU, so it is built before listening: the maps then have it
 * from their first request).
 */
export async function prepareDatabase(database: Database, logger: Logger, options: StartupOptions): Promise<StartupReport> {
  const ms: Record<string, number> = {};
  let mark = performance.now();
  const lap = (step: string) => {
    const now = performance.now();
    ms[step] = Math.round(now - mark);
    mark = now;
  };

  const migrations = await migrateToLatest(database.db as never, {
    // the first one installs PostGIS: on the embedded engine the longest step of a first start, in one piece
    onMigration: (name) => logger.info(`migration ${name} …${name.startsWith('0001') ? ' (installs PostGIS: the longest step)' : ''}`),
  });
  if (migrations.length) logger.info('migrations applied', { applied: migrations.length });
  lap('migrate');

  let seeded = false;
  if (options.demo && !(await isSeeded(database.db))) {
    logger.info('seeding the demo district 象山区 (first start only) …');
    const report = await seedDemo(database.db, { onProgress: (step: string) => logger.info(`seed: ${step} …`) });
    logger.info('demo district seeded', { ms: report.ms, anchor: report.anchor, counts: report.counts });
    seeded = true;
  } else if (options.demo) {
    // a demo opened days after it was seeded moves its dates to today, unless someone has edited it
    const moved = await reanchorDemo(database.db);
    if (moved.shifted) logger.info('demo dates moved to today', { from: moved.from, to: moved.to, days: moved.days });
    else if (moved.reason === 'touched') logger.info('demo data edited, so its dates are kept', { anchor: moved.anchor });
  }
  lap('seed');

  if (options.demo) {
    const created = await ensureDemoAccounts(database.db);
    if (created) logger.info('demo accounts created', { created });
    logger.warn('DEMO MODE: one account per role with the published password civgrid-demo, listed on the login page. Set CIVGRID_DEMO=false for real data.');
  } else {
    const disabled = await disableDemoAccounts(database.db);
    if (disabled) logger.warn('demo accounts switched off (CIVGRID_DEMO=false)', { disabled });
  }
  if (options.admin) {
    try {
      if (await ensureFirstAdmin(database.db, options.admin.username, options.admin.password)) {
        logger.info('first admin created from CIVGRID_ADMIN_USERNAME', { username: options.admin.username });
      }
    } catch (error) {
      logger.error('could not create the first admin', { error: (error as Error).message });
    }
  }
  lap('accounts');

  const basemap = options.basemap ? await options.basemap.ensure() : 'off';
  lap('basemap');
  return { migrations, seeded, basemap, ms };
}
