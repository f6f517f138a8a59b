import { type Kysely, sql } from 'kysely';

/**
 * Inspection readiness (issue 8): rounds of an inspection campaign, the
 * groups that walk them, which group visits which point in what order, the
 * routes computed over the road network, the checklists per point type, and
 * the checks made in the field.
 *
 * - A round (轮次) has dates and a weight in the final score (two rounds
 *   weighted 0.4 and 0.6, say). Its points are the inspection points it
 *   covers, each assigned to at most one group, with a visiting order.
 * - A group (检查组) has members, who are user accounts (the field app shows
 *   a member their group's route), an optional leader and a start place.
 * - A route is computed, not drawn: it is stored so that the map, the field
 *   package and the printed sheet show the same line until the assignment
 *   changes.
 * - Checklist items belong to a point type; a failed item names the problem
 *   category the problem it creates is filed under.
 * - A check is one visit of one point in one round: its items' results, the
 *   point version and the package version the device had. When the point
 *   changed on the server meanwhile, or another check of the same point in
 *   the same round arrived, the check is still stored and `conflict` says
 *   what differed; nothing is overwritten.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE inspection_rounds (
      id          serial PRIMARY KEY,
      name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      starts_on   date NOT NULL,
      ends_on     date NOT NULL,
      weight      double precision NOT NULL DEFAULT 1 CHECK (weight > 0 AND weight <= 1),
      status      text NOT NULL DEFAULT 'planning' CHECK (status IN ('planning', 'active', 'closed')),
      version     integer NOT NULL DEFAULT 1,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now(),
      created_by  text,
      CHECK (ends_on >= starts_on)
    )`.execute(db);
  await sql`
    CREATE TABLE inspection_groups (
      id              serial PRIMARY KEY,
      round_id        integer NOT NULL REFERENCES inspection_rounds (id) ON DELETE CASCADE,
      name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
      leader_user_id  integer REFERENCES users (id) ON DELETE SET NULL,
      color           text,
      start_geom      geometry(Point, 4326),
      sort            integer NOT NULL DEFAULT 0,
      created_at      timestamptz NOT NULL DEFAULT now(),
      UNIQUE (round_id, name)
    )`.execute(db);
  await sql`
    CREATE TABLE inspection_group_members (
      group_id  integer NOT NULL REFERENCES inspection_groups (id) ON DELETE CASCADE,
      user_id   integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      PRIMARY KEY (group_id, user_id)
    )`.execute(db);
  await sql`CREATE INDEX inspection_group_members_user_idx ON inspection_group_members (user_id)`.execute(db);
  await sql`
    CREATE TABLE inspection_round_points (
      round_id     integer NOT NULL REFERENCES inspection_rounds (id) ON DELETE CASCADE,
      point_id     integer NOT NULL REFERENCES inspection_points (id) ON DELETE CASCADE,
      group_id     integer REFERENCES inspection_groups (id) ON DELETE SET NULL,
      visit_order  integer,
      PRIMARY KEY (round_id, point_id)
    )`.execute(db);
  await sql`CREATE INDEX inspection_round_points_group_idx ON inspection_round_points (group_id, visit_order)`.execute(db);
  await sql`
    CREATE TABLE inspection_routes (
      group_id     integer PRIMARY KEY REFERENCES inspection_groups (id) ON DELETE CASCADE,
      length_m     double precision NOT NULL,
      duration_s   double precision NOT NULL,
      geom         geometry(MultiLineString, 4326),
      legs         jsonb NOT NULL DEFAULT '[]',
      method       text NOT NULL,
      computed_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE checklist_items (
      id           serial PRIMARY KEY,
      point_type   text NOT NULL,
      code         text NOT NULL CHECK (length(code) BETWEEN 1 AND 40),
      section      text NOT NULL CHECK (length(section) BETWEEN 1 AND 40),
      label        text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
      label_en     text NOT NULL CHECK (length(label_en) BETWEEN 1 AND 200),
      points       double precision NOT NULL DEFAULT 10 CHECK (points > 0),
      category_id  text REFERENCES problem_categories (id),
      sort         integer NOT NULL DEFAULT 0,
      active       boolean NOT NULL DEFAULT true,
      UNIQUE (point_type, code)
    )`.execute(db);
  await sql`
    CREATE TABLE inspection_checks (
      id                 serial PRIMARY KEY,
      round_id           integer NOT NULL REFERENCES inspection_rounds (id) ON DELETE CASCADE,
      group_id           integer REFERENCES inspection_groups (id) ON DELETE SET NULL,
      point_id           integer NOT NULL REFERENCES inspection_points (id) ON DELETE CASCADE,
      user_id            integer REFERENCES users (id) ON DELETE SET NULL,
      checked_at         timestamptz NOT NULL,
      received_at        timestamptz NOT NULL DEFAULT now(),
      geom               geometry(Point, 4326),
      note               text CHECK (length(note) <= 2000),
      score              double precision NOT NULL,
      max_score          double precision NOT NULL,
      point_version      integer,
      package_version    text,
      conflict           jsonb,
      idempotency_key    text,
      UNIQUE (user_id, idempotency_key)
    )`.execute(db);
  await sql`CREATE INDEX inspection_checks_point_idx ON inspection_checks (point_id, checked_at DESC)`.execute(db);
  await sql`CREATE INDEX inspection_checks_round_idx ON inspection_checks (round_id, point_id)`.execute(db);
  await sql`
    CREATE TABLE inspection_check_items (
      check_id    integer NOT NULL REFERENCES inspection_checks (id) ON DELETE CASCADE,
      item_id     integer NOT NULL REFERENCES checklist_items (id),
      result      text NOT NULL CHECK (result IN ('pass', 'fail', 'serious')),
      note        text CHECK (length(note) <= 1000),
      problem_id  integer REFERENCES problems (id) ON DELETE SET NULL,
      PRIMARY KEY (check_id, item_id)
    )`.execute(db);
  await sql`
    CREATE TABLE inspection_check_photos (
      id          serial PRIMARY KEY,
      check_id    integer NOT NULL REFERENCES inspection_checks (id) ON DELETE CASCADE,
      item_id     integer REFERENCES checklist_items (id),
      mime        text NOT NULL,
      bytes       bytea NOT NULL,
      thumb       bytea,
      size        integer NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX inspection_check_photos_check_idx ON inspection_check_photos (check_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'inspection_check_photos', 'inspection_check_items', 'inspection_checks', 'checklist_items', 'inspection_routes',
    'inspection_round_points', 'inspection_group_members', 'inspection_groups', 'inspection_rounds',
  ]) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
}
