import { type Kysely, sql } from 'kysely';
import type { DB } from '../schema.ts';
import { ensureDemoAccounts } from './accounts.ts';
import { seedCatalogue } from './catalogue.ts';
import { seedChecklists } from './checklists.ts';
import { seedContext } from './context.ts';
import { seedInspection } from './inspection.ts';
import { seedOrganisations } from './organisations.ts';
import { seedPoints } from './points.ts';
import { seedProblems } from './problems.ts';
import { seedRoadSections } from './road-sections.ts';
import { seedRoads } from './roads.ts';
import { createRng } from './random.ts';
import { loadSourceData } from './source-data.ts';
import { exec, rows } from './sql-helpers.ts';
import { seedTerritory } from './territory.ts';
import { seedZones } from './zones.ts';

export interface SeedOptions {
  /** The seed of every random choice; the same seed gives the same data. Default 20261122. */
  seed?: number;
  /** Number of problems (cases) to generate. Default 20,000. */
  problems?: number;
  onProgress?: (step: string) => void;
  /** Re-seed even though accounts other than the demo ones exist (they are deleted). */
  force?: boolean;
}

export interface SeedReport {
  skipped: boolean;
  seed: number;
  counts: Record<string, number>;
  ms: number;
}

export { DEMO_ACCOUNTS, DEMO_PASSWORD, disableDemoAccounts, ensureDemoAccounts } from './accounts.ts';

export const DEFAULT_SEED = 20261122;
export const DEFAULT_PROBLEMS = 20000;
/** Bump when the generator changes, so that `pnpm seed` rebuilds an older demo. */
export const SEED_VERSION = 4;

const DOMAIN_TABLES = [
  'territories', 'context_features', 'organisations', 'people', 'duty_types', 'zones', 'zone_versions', 'roads',
  'road_sections', 'road_section_versions', 'inspection_points', 'inspection_point_people', 'problem_categories', 'checklist_items', 'problems', 'problem_events',
  'audit_log', 'layer_versions',
  'inspection_rounds', 'inspection_groups', 'inspection_group_members', 'inspection_round_points', 'inspection_routes',
  'inspection_checks', 'inspection_check_items',
] as const;

interface DemoSetting {
  seed: number;
  problems: number;
  version: number;
}

async function demoSetting(db: Kysely<DB>): Promise<Partial<DemoSetting> | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'demo').executeTakeFirst();
  const value = typeof row?.value === 'string' ? (JSON.parse(row.value) as unknown) : row?.value;
  return value && typeof value === 'object' ? (value as Partial<DemoSetting>) : undefined;
}

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
  const progress = options.onProgress ?? (() => {});
  const wanted: DemoSetting = { seed, problems, version: SEED_VERSION };

  const current = await demoSetting(db);
  if (current && current.seed === seed && current.problems === problems && current.version === SEED_VERSION) {
    return { skipped: true, seed, counts: await countRows(db), ms: Date.now() - started };
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
    progress(`${problems.toLocaleString('en')} problems`);
    await seedProblems(trx, problems, rng.fork('problems'));

    await exec(trx, sql`
      INSERT INTO layer_versions (layer)
      SELECT unnest(ARRAY['district', 'streets', 'communities', 'grids', 'roads', 'road-sections', 'inspection-points', 'zones', 'context', 'problems'])`);
    await trx.insertInto('audit_log').values({
      actor: 'seed', action: 'seed', entity: 'demo', entity_id: String(seed),
      before: null, after: JSON.stringify({ seed, problems, version: SEED_VERSION, sections, zones, points }),
    }).execute();

    progress('demo accounts, one per role');
    await ensureDemoAccounts(trx);
    progress('inspection rounds: two rounds of 18 groups (after the accounts: the demo inspector is in 第1组) and a closed one with its checks');
    await seedInspection(trx, rng.fork('inspection'));

    await trx.insertInto('settings').values({ key: 'demo', value: JSON.stringify(wanted) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(wanted) })).execute();
  });
  return { skipped: false, seed, counts: await countRows(db), ms: Date.now() - started };
}

async function countRows(db: Kysely<DB>): Promise<Record<string, number>> {
  const [row] = await rows(db, sql<Record<string, number>>`SELECT ${sql.join(
    DOMAIN_TABLES.map((t) => sql`(SELECT count(*)::int FROM ${sql.table(t)}) AS ${sql.ref(t)}`),
  )}`);
  return { ...row };
}
export { HOLIDAYS, type HolidayRow } from './holidays.ts';
