import { type Kysely, sql } from 'kysely';
import type { DB } from '../schema.ts';
import { ensureDemoAccounts } from './accounts.ts';
import { seedCatalogue } from './catalogue.ts';
import { seedChecklists } from './checklists.ts';
import { seedContext } from './context.ts';
import { seedInspection } from './inspection.ts';
import { seedOrganisations } from './organisations.ts';
import { seedPoints } from './points.ts';
import { seedProblemEvents, seedProblems } from './problems.ts';
import { seedRoadSections } from './road-sections.ts';
import { seedRoads } from './roads.ts';
import { createRng } from './random.ts';
import { loadSourceData } from './source-data.ts';
import { exec, rows } from './sql-helpers.ts';
import { type DemoSetting, demoSetting } from './setting.ts';
import { seedTerritory } from './territory.ts';
import { demoToday, isDay, referenceMoment } from './timeline.ts';
import { seedZones } from './zones.ts';

export interface SeedOptions {
  /** The seed of every random choice; the same seed gives the same data. Default 20261122. */
  seed?: number;
  /** Number of problems (cases) to generate. Default 20,000. */
  problems?: number;
  onProgress?: (step: string) => void;
  /** Re-seed even though accounts other than the demo ones exist (they are deleted). */
  force?: boolean;
  /**
   * The day the demo's time line ends on, 'YYYY-MM-DD' (default: today in China).
   * Given, a demo seeded for another day is rebuilt; left out, a seeded demo is kept whatever its day.
   */
  today?: string;
}

export interface SeedReport {
  skipped: boolean;
  seed: number;
  /** The anchor day of the seeded demo. */
  anchor: string;
  counts: Record<string, number>;
  ms: number;
}

export { DEMO_ACCOUNTS, DEMO_PASSWORD, disableDemoAccounts, ensureDemoAccounts } from './accounts.ts';

export const DEFAULT_SEED = 20261122;
export const DEFAULT_PROBLEMS = 20000;
/** Bump when the generator changes, so that `pnpm seed` rebuilds an older demo. */
export const SEED_VERSION = 5;

const DOMAIN_TABLES = [
  'territories', 'context_features', 'organisations', 'people', 'duty_types', 'zones', 'zone_versions', 'roads',
  'road_sections', 'road_section_versions', 'inspection_points', 'inspection_point_people', 'problem_categories', 'checklist_items', 'problems', 'problem_events',
  'audit_log', 'layer_versions',
  'inspection_rounds', 'inspection_groups', 'inspection_group_members', 'inspection_round_points', 'inspection_routes',
  'inspection_checks', 'inspection_check_items',
] as const;

/** Whether the demo data has been seeded (by any seed). */
export async function isSeeded(db: Kysely<DB>): Promise<boolean> {
  return (await demoSetting(db)) !== undefined;
}

/**
 * Build the demo district 象山区 (see db/README.md). Idempotent: when the
 * stored `demo` setting matches, nothing is done; otherwise the domain tables
 * are emptied and rebuilt in one transaction.
 */
export async function seedDemo(db: Kysely<DB>, options: SeedOptions = {}): Promise<SeedReport> {
  const started = Date.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const problems = options.problems ?? DEFAULT_PROBLEMS;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, not ${seed}`);
  if (!Number.isSafeInteger(problems) || problems < 0) throw new Error(`problems must be a non-negative integer, not ${problems}`);
  const anchor = options.today ?? demoToday();
  if (!isDay(anchor)) throw new Error(`today must be a day as YYYY-MM-DD, not "${anchor}"`);
  const progress = options.onProgress ?? (() => {});
  const wanted: DemoSetting = { seed, problems, version: SEED_VERSION, anchor };

  const current = await demoSetting(db);
  if (current && current.seed === seed && current.problems === problems && current.version === SEED_VERSION
    && (options.today === undefined || current.anchor === options.today)) {
    return { skipped: true, seed, anchor: current.anchor ?? anchor, counts: await countRows(db), ms: Date.now() - started };
  }
  // Re-seeding empties the territory, and with it every account scoped to it.
  // That is fine for the demo's own accounts, never silently for real ones.
  const accounts = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('demo', '=', false).executeTakeFirstOrThrow();
  if (Number(accounts.n) > 0 && !options.force) {
    throw new Error(
      `This database has ${accounts.n} user account(s) besides the demo ones; re-seeding would delete them and their sessions. ` +
        'Back it up first (pnpm db:backup <file>), then re-seed with --force if you mean it.',
    );
  }

  const source = loadSourceData();
  await db.transaction().execute(async (trx) => {
    progress('wiping the domain tables');
    await exec(trx, sql`TRUNCATE ${sql.join([...DOMAIN_TABLES, 'users', 'sessions'].map((t) => sql.table(t)))} RESTART IDENTITY CASCADE`);
    const rng = createRng(seed);

    progress('territory: district, streets, communities, grids');
    const territory = await seedTerritory(trx, source, rng.fork('territory'));
    progress('context: neighbouring districts, the Li River');
    await seedContext(trx, source, territory.district.id);
    progress('organisations and people');
    const organisations = await seedOrganisations(trx, territory, rng.fork('organisations'));
    progress('duty types and problem categories');
    await seedCatalogue(trx);
    progress('checklists per point type');
    await seedChecklists(trx);
    progress('roads');
    const roads = await seedRoads(trx, territory, rng.fork('roads'));
    progress('responsibility road sections');
    const sections = await seedRoadSections(trx, territory, organisations, roads, rng.fork('road-sections'));
    progress('responsibility zones: city and town sanitation, street order, frontage, greening');
    const zones = await seedZones(trx, territory, organisations, roads, rng.fork('zones'));
    progress('165 inspection points');
    const points = await seedPoints(trx, territory, organisations, roads, rng.fork('points'));

    await exec(trx, sql`
      INSERT INTO layer_versions (layer)
      SELECT unnest(ARRAY['district', 'streets', 'communities', 'grids', 'roads', 'road-sections', 'inspection-points', 'zones', 'context', 'problems'])`);
    await trx.insertInto('audit_log').values({
      actor: 'seed', action: 'seed', entity: 'demo', entity_id: String(seed),
      before: null, after: JSON.stringify({ seed, problems, version: SEED_VERSION, anchor, sections, zones, points }),
    }).execute();

    progress('demo accounts, one per role');
    await ensureDemoAccounts(trx);
    await seedTimeline(trx, { seed, problems, anchor, onProgress: progress });

    await trx.insertInto('settings').values({ key: 'demo', value: JSON.stringify(wanted) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(wanted) })).execute();
  });
  return { skipped: false, seed, anchor, counts: await countRows(db), ms: Date.now() - started };
}

/** The tables seedTimeline fills (and empties first). */
const TIMELINE_TABLES = [
  'problems', 'problem_events', 'inspection_rounds', 'inspection_groups', 'inspection_group_members', 'inspection_round_points',
  'inspection_routes', 'inspection_checks', 'inspection_check_items',
] as const;

/**
 * The dated part of the demo, for an anchor day: the problems of the year up
 * to it and their histories, the rounds around it and their checks. Needs the
 * rest of the demo (territory, owners, points, accounts); replaces what these
 * tables held. Deterministic: the same seed, count and anchor give the same
 * rows with the same ids; two anchors give the same rows shifted in time.
 */
export async function seedTimeline(
  trx: Kysely<DB>,
  options: { seed: number; problems: number; anchor: string; onProgress?: (step: string) => void },
): Promise<void> {
  const progress = options.onProgress ?? (() => {});
  if (!isDay(options.anchor)) throw new Error(`the anchor must be a day as YYYY-MM-DD, not "${options.anchor}"`);
  const rng = createRng(options.seed);
  await exec(trx, sql`TRUNCATE ${sql.join(TIMELINE_TABLES.map((t) => sql.table(t)))} RESTART IDENTITY CASCADE`);
  progress(`${options.problems.toLocaleString('en')} problems in the year up to ${options.anchor}`);
  await seedProblems(trx, options.problems, rng.fork('problems'), referenceMoment(options.anchor));
  progress('problem histories: their steps by the demo supervisor, handler and inspector');
  await seedProblemEvents(trx);
  progress('inspection rounds: the current and the next round of 18 groups (the demo inspector leads 第1组), a finished one, and their checks');
  await seedInspection(trx, rng.fork('inspection'), options.anchor);
}

async function countRows(db: Kysely<DB>): Promise<Record<string, number>> {
  const [row] = await rows(db, sql<Record<string, number>>`SELECT ${sql.join(
    DOMAIN_TABLES.map((t) => sql`(SELECT count(*)::int FROM ${sql.table(t)}) AS ${sql.ref(t)}`),
  )}`);
  return { ...row };
}
export { HOLIDAYS, type HolidayRow } from './holidays.ts';
export { reanchorDemo, type ReanchorReport } from './reanchor.ts';
export { chinaDay, demoRounds, demoToday, isDay } from './timeline.ts';
export { type DemoSetting, demoSetting } from './setting.ts';
