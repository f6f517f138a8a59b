import { sql } from 'kysely';
import { type Category, MINOR_CATEGORIES } from './catalogue.ts';
import { HOLIDAYS } from './holidays.ts';
import type { Rng } from './random.ts';
import { addWorkingHours } from './timeline.ts';
import { exec, inBatches, json, type Tx, withoutReferenceChecks } from './sql-helpers.ts';

/**
 * Problems (cases): about half cluster at hot spots — the farmers' markets,
 * the stations and the shopping streets — the rest spread through the
 * district. Reports fall in the 365 days up to the reference moment (08:00 on
 * the anchor day, see timeline.ts); each case runs its life from there
 * (立案, 派遣, 处置, 反馈, 核查, 结案) and its status is the last step taken by
 * the reference moment, so recent cases are mostly open, older ones mostly
 * closed, and the ones handled late or left stuck are overdue. The same seed
 * and anchor give the same data. Routing to owners (and the blind-spot and
 * disputed flags) is a spatial join done by PostGIS; the cases' histories
 * (problem_events) are written from their time stamps by SQL.
 */
const HOUR = 3_600_000;
const BATCH = 10_000;

/** Share of cases voided (as duplicates or not ours) within two days of the report. */
const VOID_SHARE = 0.03;
/** Share of dispatched cases closed within their deadline (fed back, checked and closed); the rest are late. */
const ON_TIME_SHARE = 0.92;
/** Share of dispatched cases nobody finishes: the backlog (积案), open and overdue whatever their age. */
const STUCK_SHARE = 0.002;
const SOURCE_WEIGHTS = [['grid_worker', 45], ['inspection', 20], ['citizen', 20], ['camera', 10], ['staff', 5]] as const;
const VOID_REASON = '重复上报，已并案处理';
const FEEDBACK_NOTE = '已按要求处置完毕，现场已恢复';
const CALENDAR: ReadonlyMap<string, 'holiday' | 'workday'> = new Map(HOLIDAYS.map((h) => [h.day, h.kind]));
const STAGES = ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified', 'closed'] as const;

/** The time stamps of one case's life, before the reference moment cuts it. */
interface Life {
  reported: number;
  registered: number;
  dispatched: number;
  due: number;
  started: number;
  fedBack: number;
  verified: number;
  closed: number;
  voided: number | null;
}

function lifeOf(reported: number, deadlineHours: number, rng: Rng): Life {
  const registered = reported + rng.range(0.1, 2) * HOUR;
  const dispatched = registered + rng.range(0.2, 3) * HOUR;
  // the deadline runs in working hours; the work is done (and late) in calendar time
  const due = addWorkingHours(dispatched, deadlineHours, CALENDAR);
  const deadline = due - dispatched;
  const stuck = rng.chance(STUCK_SHARE);
  if (stuck) {
    const started = dispatched + deadline * rng.range(0.05, 0.3);
    const voided = rng.chance(VOID_SHARE) ? reported + rng.range(0.5, 48) * HOUR : null;
    return { reported, registered, dispatched, due, started, fedBack: Infinity, verified: Infinity, closed: Infinity, voided };
  }
  // on time means closed by the deadline (the indicators' 按期结案): fed back, checked and closed within it;
  // a late case is fed back after it, then checked and closed within a day or two
  const onTime = rng.chance(ON_TIME_SHARE);
  const fedBack = dispatched + deadline * (onTime ? rng.range(0.2, 0.7) : rng.range(1.05, 2));
  const started = dispatched + (fedBack - dispatched) * rng.range(0.05, 0.4);
  const verified = onTime ? fedBack + (due - fedBack) * rng.range(0.1, 0.5) : fedBack + rng.range(0.5, 24) * HOUR;
  const closed = onTime ? verified + (due - verified) * rng.range(0.1, 0.9) : verified + rng.range(0.5, 24) * HOUR;
  const voided = rng.chance(VOID_SHARE) ? reported + rng.range(0.5, 48) * HOUR : null;
  return { reported, registered, dispatched, due, started, fedBack, verified, closed, voided };
}

export async function seedProblems(db: Tx, count: number, rng: Rng, reference: number): Promise<void> {
  if (count === 0) return;
  const district = sql`(SELECT geom FROM territories WHERE level = 'district' ORDER BY id LIMIT 1)`;
  await exec(db, sql`
    CREATE TEMP TABLE seed_hotspots ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY code)::int AS k, geom,
           CASE point_type WHEN '车站' THEN 3 WHEN '农贸市场' THEN 3 ELSE 1 END AS weight
    FROM inspection_points WHERE point_type IN ('农贸市场', '车站', '商业大街')`);
  const hotspots = (await sql<{ k: number; weight: number }>`SELECT k, weight FROM seed_hotspots ORDER BY k`.execute(db)).rows;
  const background = Math.ceil(count * 0.5);
  await exec(db, sql`
    CREATE TEMP TABLE seed_background ON COMMIT DROP AS
    SELECT d.path[1] AS k, d.geom FROM ST_Dump(ST_GeneratePoints(${district}, ${background}, ${rng.seed()})) d`);
  await exec(db, sql`CREATE INDEX ON seed_background (k)`);

  let nextBackground = 1;
  const specs = Array.from({ length: count }, () => {
    const category = rng.weighted(MINOR_CATEGORIES, (c) => c.weight) as Category;
    const life = lifeOf(reference - rng.range(0, 365 * 24) * HOUR, category.hours ?? 24, rng);
    const hot = hotspots.length > 0 && nextBackground > background ? true : hotspots.length > 0 && rng.chance(0.5);
    const location = hot
      ? { hotspot: rng.weighted(hotspots, (h) => h.weight).k, distance: Math.abs(rng.normal()) * 140, azimuth: rng.range(0, 360), background: null }
      : { hotspot: null, distance: 0, azimuth: 0, background: Math.min(background, nextBackground++) };
    // what has happened by the reference moment; a voided case stops at its voiding
    const voided = life.voided !== null && life.voided <= reference ? life.voided : null;
    const until = voided ?? reference;
    const at = (t: number) => (t <= until ? new Date(t).toISOString() : null);
    const stamps = [life.reported, life.registered, life.dispatched, life.started, life.fedBack, life.verified, life.closed];
    const reached = stamps.filter((t) => t <= until).length - 1;
    const dispatched = at(life.dispatched);
    return {
      category: category.id,
      status: voided === null ? STAGES[reached]! : 'void',
      description: rng.pick(category.phrases),
      source: rng.weighted(SOURCE_WEIGHTS, ([, w]) => w)[0],
      reported_at: at(life.reported),
      registered_at: at(life.registered),
      dispatched_at: dispatched,
      due_at: dispatched === null ? null : new Date(life.due).toISOString(),
      started_at: at(life.started),
      fed_back_at: at(life.fedBack),
      verified_at: at(life.verified),
      closed_at: at(life.closed),
      voided_at: voided === null ? null : new Date(voided).toISOString(),
      ...location,
    };
  });

  // Each case is staged in a temporary table with its place and grid, then written to `problems` once,
  // already routed: updating 20,000 fresh rows (their grid, then their owner) wrote each row and all its
  // index entries three times. The district is read once per batch, not once per case. The grid is the
  // one the point lies in (the lowest id where it lies on a shared edge); polygons drive the spatial joins
  // (an index on the points) so that PostGIS prepares each polygon once instead of once per point.
  await exec(db, sql`
    CREATE TEMP TABLE seed_problems (
      ord integer PRIMARY KEY, category text, status text, description text, source text, geom geometry(Point, 4326),
      grid_id integer, street_id integer,
      reported_at timestamptz, registered_at timestamptz, dispatched_at timestamptz, due_at timestamptz, started_at timestamptz,
      fed_back_at timestamptz, verified_at timestamptz, closed_at timestamptz, voided_at timestamptz
    ) ON COMMIT DROP`);
  await inBatches(specs.map((spec, i) => ({ ...spec, ord: i + 1 })), BATCH, async (batch) => {
    await exec(db, sql`
      WITH district AS MATERIALIZED (${district})
      INSERT INTO seed_problems (ord, category, status, description, source, geom, reported_at, registered_at, dispatched_at,
                                 due_at, started_at, fed_back_at, verified_at, closed_at, voided_at)
      SELECT s.ord, s.category, s.status, s.description, s.source, l.geom,
             s.reported_at::timestamptz, s.registered_at::timestamptz, s.dispatched_at::timestamptz, s.due_at::timestamptz,
             s.started_at::timestamptz, s.fed_back_at::timestamptz, s.verified_at::timestamptz, s.closed_at::timestamptz,
             s.voided_at::timestamptz
      FROM json_to_recordset(${json(batch)}) AS s(category text, status text, description text, source text,
           reported_at text, registered_at text, dispatched_at text, due_at text, started_at text, fed_back_at text,
           verified_at text, closed_at text, voided_at text, hotspot integer, distance float8, azimuth float8, background integer, ord integer)
      CROSS JOIN district d
      LEFT JOIN seed_hotspots h ON h.k = s.hotspot
      LEFT JOIN seed_background b ON b.k = s.background
      CROSS JOIN LATERAL (SELECT ST_SnapToGrid(ST_Project(h.geom::geography, s.distance, radians(s.azimuth))::geometry, 1e-7) AS q) p
      CROSS JOIN LATERAL (SELECT CASE WHEN s.hotspot IS NULL THEN ST_SnapToGrid(b.geom, 1e-7)
                                      WHEN ST_Intersects(d.geom, p.q) THEN p.q ELSE h.geom END AS geom) l`);
  });
  await exec(db, sql`CREATE INDEX ON seed_problems USING gist (geom)`);
  await exec(db, sql`
    UPDATE seed_problems p SET grid_id = g.id, street_id = g.street_id
    FROM (SELECT DISTINCT ON (p.ord) p.ord, g.id, c.parent_id AS street_id
          FROM territories g JOIN territories c ON c.id = g.parent_id JOIN seed_problems p ON g.geom && p.geom AND ST_Intersects(g.geom, p.geom)
          WHERE g.level = 'grid' ORDER BY p.ord, g.id) g
    WHERE g.ord = p.ord`);

  // Its owner: the zone of the category's duty (either sanitation tier for a sanitation category); none →
  // the street office, flagged blind spot; several → the campaign office, disputed. Ids follow the generated order.
  await withoutReferenceChecks(db, () => exec(db, sql`
    WITH cand AS MATERIALIZED (
      -- a partial duty (门前三包, 绿化) falls back to the street-order zone where it has no zone of its own
      -- (the same rule as the server's routing: the duty, its coverage group, then its fallback duty)
      SELECT p.ord, z.owner_org_id, CASE WHEN z.duty_type_id = dt.fallback_duty_id AND z.duty_type_id <> c.duty_type_id THEN 2 ELSE 1 END AS rank
      FROM zones z
      JOIN duty_types dz ON dz.id = z.duty_type_id
      JOIN seed_problems p ON z.geom && p.geom AND ST_Intersects(z.geom, p.geom)
      JOIN problem_categories c ON c.id = p.category
      JOIN duty_types dt ON dt.id = c.duty_type_id
      WHERE z.valid_to IS NULL
        AND (z.duty_type_id = c.duty_type_id
             OR (dt.coverage_group IS NOT NULL AND dz.coverage_group = dt.coverage_group)
             OR z.duty_type_id = dt.fallback_duty_id)
    ),
    owners AS (
      SELECT ord, array_agg(DISTINCT owner_org_id) AS orgs, count(*) AS zones
      FROM (SELECT cand.*, min(rank) OVER (PARTITION BY ord) AS best FROM cand) r WHERE rank = best
      GROUP BY ord
    )
    INSERT INTO problems (category_id, status, description, source, geom, grid_id, street_id, owner_org_id, blind_spot, disputed,
                          reported_at, registered_at, dispatched_at, due_at, started_at, fed_back_at, verified_at, closed_at,
                          void_reason, updated_at)
    SELECT p.category, p.status, p.description, p.source, p.geom, p.grid_id, p.street_id,
           CASE WHEN w.zones = 1 THEN w.orgs[1]
                WHEN w.zones IS NULL THEN so.id
                ELSE (SELECT id FROM organisations WHERE name = '区创城办' LIMIT 1) END,
           (w.zones IS NULL AND c.duty_type_id IS NOT NULL), coalesce(w.zones > 1, false),
           p.reported_at, p.registered_at, p.dispatched_at, p.due_at, p.started_at, p.fed_back_at, p.verified_at, p.closed_at,
           CASE WHEN p.voided_at IS NOT NULL THEN ${VOID_REASON} END,
           coalesce(p.voided_at, p.closed_at, p.verified_at, p.fed_back_at, p.started_at, p.dispatched_at, p.registered_at, p.reported_at)
    FROM seed_problems p
    JOIN problem_categories c ON c.id = p.category
    LEFT JOIN owners w ON w.ord = p.ord
    LEFT JOIN organisations so ON so.kind = 'street' AND so.territory_id = p.street_id
    ORDER BY p.ord`));
}

/**
 * Each seeded case's history as the server writes it (problem.service.ts):
 * one event per step taken, from its time stamp, by an account that exists —
 * the demo supervisor (监督中心) registers, dispatches, closes and voids; the
 * demo handler starts and feeds back the cases of its own unit, the
 * supervisor those of the others; the demo inspector verifies. A citizen's
 * report is by "citizen", as the public page writes it; the other reports are
 * by the inspector (grid workers, inspections) or the supervisor (cameras, staff).
 */
export async function seedProblemEvents(db: Tx): Promise<void> {
  await withoutReferenceChecks(db, () => exec(db, sql`
    WITH handler AS (SELECT organisation_id AS org FROM users WHERE username = 'handler' AND demo)
    INSERT INTO problem_events (problem_id, action, from_status, to_status, actor, note, at)
    SELECT p.id, e.action, e.from_status, e.to_status, e.actor, e.note, e.at
    FROM problems p
    LEFT JOIN handler h ON true
    CROSS JOIN LATERAL (VALUES
      (1, 'report', NULL, 'reported', CASE p.source WHEN 'citizen' THEN 'citizen' WHEN 'camera' THEN 'supervisor' WHEN 'staff' THEN 'supervisor' ELSE 'inspector' END, NULL, p.reported_at),
      (2, 'register', 'reported', 'registered', 'supervisor', NULL, p.registered_at),
      (3, 'dispatch', 'registered', 'dispatched', 'supervisor', NULL, p.dispatched_at),
      (4, 'start', 'dispatched', 'in_progress', CASE WHEN p.owner_org_id = h.org THEN 'handler' ELSE 'supervisor' END, NULL, p.started_at),
      (5, 'feedback', 'in_progress', 'fed_back', CASE WHEN p.owner_org_id = h.org THEN 'handler' ELSE 'supervisor' END, ${FEEDBACK_NOTE}, p.fed_back_at),
      (6, 'verify', 'fed_back', 'verified', 'inspector', NULL, p.verified_at),
      (7, 'close', 'verified', 'closed', 'supervisor', NULL, p.closed_at),
      (8, 'void', CASE WHEN p.verified_at IS NOT NULL THEN 'verified' WHEN p.fed_back_at IS NOT NULL THEN 'fed_back' WHEN p.started_at IS NOT NULL THEN 'in_progress'
                       WHEN p.dispatched_at IS NOT NULL THEN 'dispatched' WHEN p.registered_at IS NOT NULL THEN 'registered' ELSE 'reported' END,
          'void', 'supervisor', p.void_reason, CASE WHEN p.status = 'void' THEN p.updated_at END)
    ) AS e(step, action, from_status, to_status, actor, note, at)
    WHERE e.at IS NOT NULL
    ORDER BY e.at, p.id, e.step`));
}
