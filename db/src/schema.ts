import type { ColumnType, Generated } from 'kysely';

/**
 * Kysely's view of the tables created by the migrations. Geometry columns are
 * typed as `Geometry`: they are only ever read through PostGIS functions
 * (ST_AsGeoJSON, ST_AsMVT …) and written through ST_GeomFromGeoJSON.
 */
export type Geometry = ColumnType<string, string, string>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type TerritoryLevel = 'district' | 'street' | 'community' | 'grid';

export interface TerritoriesTable {
  id: Generated<number>;
  level: TerritoryLevel;
  code: string;
  name: string;
  parent_id: number | null;
  geom: Geometry;
  created_at: Timestamp;
}

export interface ContextFeaturesTable {
  id: Generated<number>;
  kind: 'neighbour' | 'river' | 'water';
  name: string;
  code: string | null;
  geom: Geometry;
}

export type OrganisationKind =
  | 'leadership' | 'department' | 'street' | 'community' | 'city_unit'
  | 'sanitation_city' | 'sanitation_town' | 'company' | 'other';

export interface OrganisationsTable {
  id: Generated<number>;
  parent_id: number | null;
  name: string;
  kind: OrganisationKind;
  territory_id: number | null;
  created_at: Timestamp;
}

export interface PeopleTable {
  id: Generated<number>;
  name: string;
  phone: string | null;
  title: string | null;
  organisation_id: number;
  created_at: Timestamp;
}

export interface DutyTypesTable {
  id: string;
  name_zh: string;
  name_en: string;
  description: string | null;
  color: Generated<string>;
  sort: Generated<number>;
  coverage: Generated<'full' | 'partial'>;
  coverage_group: string | null;
  fallback_duty_id: string | null;
}

export interface ZonesTable {
  id: Generated<number>;
  duty_type_id: string;
  name: string;
  owner_org_id: number;
  person_id: number | null;
  territory_id: number | null;
  geom: Geometry;
  version: Generated<number>;
  valid_from: Timestamp;
  valid_to: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface ZoneVersionsTable {
  zone_id: number;
  version: number;
  duty_type_id: string;
  name: string;
  owner_org_id: number;
  person_id: number | null;
  geom: Geometry | null;
  deleted: Generated<boolean>;
  valid_from: Timestamp;
  changed_at: Timestamp;
  changed_by: string | null;
  comment: string | null;
}

export type RoadClass = 'trunk' | 'main' | 'secondary' | 'branch' | 'lane';

export interface RoadsTable {
  id: Generated<number>;
  name: string;
  road_class: RoadClass;
  geom: Geometry;
}

export interface RoadSectionsTable {
  id: Generated<number>;
  name: string;
  road_id: number | null;
  chief_org_id: number;
  chief_person_id: number | null;
  geom: Geometry;
  version: Generated<number>;
  valid_from: Timestamp;
  valid_to: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface RoadSectionVersionsTable {
  section_id: number;
  version: number;
  name: string;
  road_id: number | null;
  chief_org_id: number;
  chief_person_id: number | null;
  geom: Geometry | null;
  deleted: Generated<boolean>;
  valid_from: Timestamp;
  changed_at: Timestamp;
  changed_by: string | null;
  comment: string | null;
}

export interface InspectionPointsTable {
  id: Generated<number>;
  code: string;
  name: string;
  point_type: string;
  address: string | null;
  territory_id: number | null;
  leader_person_id: number | null;
  department_org_id: number | null;
  geom: Geometry;
  version: Generated<number>;
  updated_at: Timestamp;
}

export interface InspectionPointPeopleTable {
  point_id: number;
  person_id: number;
  role: Generated<string>;
  sort: Generated<number>;
}

export interface ProblemCategoriesTable {
  id: string;
  parent_id: string | null;
  kind: 'component' | 'event';
  name_zh: string;
  name_en: string;
  duty_type_id: string | null;
  deadline_hours: number | null;
  duplicate_radius_m: Generated<number>;
  sort: Generated<number>;
}

export type ProblemStatus =
  | 'reported' | 'registered' | 'dispatched' | 'in_progress' | 'fed_back' | 'verified' | 'closed' | 'void';

export interface ProblemsTable {
  id: Generated<number>;
  category_id: string;
  status: ColumnType<ProblemStatus, ProblemStatus | undefined, ProblemStatus>;
  description: string | null;
  source: ColumnType<string, string | undefined, string>;
  geom: Geometry;
  grid_id: number | null;
  owner_org_id: number | null;
  blind_spot: Generated<boolean>;
  disputed: Generated<boolean>;
  reported_at: Timestamp;
  registered_at: NullableTimestamp;
  dispatched_at: NullableTimestamp;
  due_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  reporter: string | null;
  idempotency_key: string | null;
  version: Generated<number>;
  updated_at: Timestamp;
  street_id: number | null;
  started_at: NullableTimestamp;
  fed_back_at: NullableTimestamp;
  verified_at: NullableTimestamp;
  rework_count: Generated<number>;
  urge_count: Generated<number>;
  escalated: Generated<boolean>;
  void_reason: string | null;
  /** The problem's id in the system it was imported from (migration 0009). */
  external_id: string | null;
}

export interface WorkCalendarTable {
  day: string;
  kind: 'holiday' | 'workday';
  name: string;
}

export interface ProblemPhotosTable {
  id: Generated<number>;
  problem_id: number;
  stage: 'report' | 'feedback' | 'verify';
  mime: string;
  bytes: Uint8Array;
  thumb: Uint8Array | null;
  size: number;
  taken_at: NullableTimestamp;
  geom: Geometry | null;
  created_at: Timestamp;
  created_by: string | null;
  /** The timeline step the photo came with (migration 0008). */
  event_id: number | null;
}

export interface ProblemEventsTable {
  id: Generated<number>;
  problem_id: number;
  action: string;
  from_status: string | null;
  to_status: string | null;
  actor: string | null;
  note: string | null;
  at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  actor_id: number | null;
  ip: string | null;
  scope_code: string | null;
  also_scope_code: string | null;
}

export type Role = 'admin' | 'planner' | 'supervisor' | 'handler' | 'inspector' | 'viewer';

/** A citizen's receipt of a report: its code, and the SHA-256 of the secret shown once (0012_citizen_lookup). */
export interface CitizenReceiptsTable {
  problem_id: number;
  code: string;
  secret_hash: Uint8Array;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  territory_id: number;
  organisation_id: number | null;
  demo: Generated<boolean>;
  active: Generated<boolean>;
  must_change_password: Generated<boolean>;
  password_changed_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionsTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface RateLimitsTable {
  key: string;
  window_start: Timestamp;
  hits: number;
}

export interface IdempotencyKeysTable {
  key: string;
  scope: string;
  request_hash: string;
  status: number | null;
  response: unknown;
  created_at: Timestamp;
}

export interface LayerVersionsTable {
  layer: string;
  version: Generated<number>;
  updated_at: Timestamp;
}

export interface ImportPreviewsTable {
  id: string;
  user_id: number;
  layer: 'zones' | 'road-sections';
  duty_type_id: string | null;
  file_name: string | null;
  /** The previewed features (JSON text on input, parsed or text on output depending on the engine). */
  features: ColumnType<unknown, string, string>;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface ProblemImportPreviewsTable {
  id: string;
  user_id: number;
  file_name: string | null;
  /** The checked rows waiting for their commit (JSON text on input). */
  rows: ColumnType<unknown, string, string>;
  summary: ColumnType<unknown, string, string>;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface SettingsTable {
  key: string;
  value: unknown;
}

/** Inspection rounds, groups, routes, checklists and checks (migration 0010). */
export interface InspectionRoundsTable {
  id: Generated<number>;
  name: string;
  /** Dates as 'YYYY-MM-DD' (date columns). */
  starts_on: ColumnType<string, string, string>;
  ends_on: ColumnType<string, string, string>;
  /** Share of the final score, in (0, 1]. */
  weight: Generated<number>;
  status: Generated<'planning' | 'active' | 'closed'>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  created_by: string | null;
}

export interface InspectionGroupsTable {
  id: Generated<number>;
  round_id: number;
  name: string;
  leader_user_id: number | null;
  color: string | null;
  start_geom: Geometry | null;
  sort: Generated<number>;
  created_at: Timestamp;
}

export interface InspectionGroupMembersTable {
  group_id: number;
  user_id: number;
}

export interface InspectionRoundPointsTable {
  round_id: number;
  point_id: number;
  group_id: number | null;
  visit_order: number | null;
}

export interface InspectionRoutesTable {
  group_id: number;
  length_m: number;
  duration_s: number;
  geom: Geometry | null;
  legs: ColumnType<unknown, string, string>;
  method: string;
  computed_at: Timestamp;
}

export interface ChecklistItemsTable {
  id: Generated<number>;
  point_type: string;
  code: string;
  section: string;
  label: string;
  label_en: string;
  points: Generated<number>;
  category_id: string | null;
  sort: Generated<number>;
  active: Generated<boolean>;
}

export type CheckResult = 'pass' | 'fail' | 'serious';

export interface InspectionChecksTable {
  id: Generated<number>;
  round_id: number;
  group_id: number | null;
  point_id: number;
  user_id: number | null;
  checked_at: ColumnType<Date, Date | string, Date | string>;
  received_at: Timestamp;
  geom: Geometry | null;
  note: string | null;
  score: number;
  max_score: number;
  point_version: number | null;
  package_version: string | null;
  conflict: ColumnType<unknown, string | null, string | null>;
  idempotency_key: string | null;
}

export interface InspectionCheckItemsTable {
  check_id: number;
  item_id: number;
  result: CheckResult;
  note: string | null;
  problem_id: number | null;
}

export interface InspectionCheckPhotosTable {
  id: Generated<number>;
  check_id: number;
  item_id: number | null;
  mime: string;
  bytes: Uint8Array;
  thumb: Uint8Array | null;
  size: number;
  created_at: Timestamp;
}

export interface DB {
  territories: TerritoriesTable;
  context_features: ContextFeaturesTable;
  organisations: OrganisationsTable;
  people: PeopleTable;
  duty_types: DutyTypesTable;
  zones: ZonesTable;
  zone_versions: ZoneVersionsTable;
  roads: RoadsTable;
  road_sections: RoadSectionsTable;
  road_section_versions: RoadSectionVersionsTable;
  inspection_points: InspectionPointsTable;
  inspection_point_people: InspectionPointPeopleTable;
  problem_categories: ProblemCategoriesTable;
  problems: ProblemsTable;
  problem_events: ProblemEventsTable;
  problem_photos: ProblemPhotosTable;
  work_calendar: WorkCalendarTable;
  audit_log: AuditLogTable;
  layer_versions: LayerVersionsTable;
  settings: SettingsTable;
  users: UsersTable;
  citizen_receipts: CitizenReceiptsTable;
  sessions: SessionsTable;
  rate_limits: RateLimitsTable;
  idempotency_keys: IdempotencyKeysTable;
  import_previews: ImportPreviewsTable;
  problem_import_previews: ProblemImportPreviewsTable;
  inspection_rounds: InspectionRoundsTable;
  inspection_groups: InspectionGroupsTable;
  inspection_group_members: InspectionGroupMembersTable;
  inspection_round_points: InspectionRoundPointsTable;
  inspection_routes: InspectionRoutesTable;
  checklist_items: ChecklistItemsTable;
  inspection_checks: InspectionChecksTable;
  inspection_check_items: InspectionCheckItemsTable;
  inspection_check_photos: InspectionCheckPhotosTable;
}
