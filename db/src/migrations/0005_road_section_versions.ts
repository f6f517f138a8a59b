import { type Kysely, sql } from 'kysely';

/**
 * Every saved state of a responsibility road section (责任路段), as
 * zone_versions keeps the zones': history, restore and the map as of a date.
 * The sections already stored get their first version now.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE road_section_versions (
      section_id       integer NOT NULL REFERENCES road_sections (id) ON DELETE CASCADE,
      version          integer NOT NULL,
      name             text NOT NULL,
      road_id          integer,
      chief_org_id     integer NOT NULL,
      chief_person_id  integer,
      geom             geometry(MultiLineString, 4326),
      deleted          boolean NOT NULL DEFAULT false,
      valid_from       timestamptz NOT NULL,
      changed_at       timestamptz NOT NULL DEFAULT now(),
      changed_by       text,
      comment          text,
      PRIMARY KEY (section_id, version)
    )`.execute(db);
  await sql`
    INSERT INTO road_section_versions (section_id, version, name, road_id, chief_org_id, chief_person_id, geom, deleted, valid_from, changed_at, changed_by)
    SELECT id, version, name, road_id, chief_org_id, chief_person_id, geom, valid_to IS NOT NULL, valid_from, updated_at, updated_by
    FROM road_sections`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE road_section_versions`.execute(db);
}
