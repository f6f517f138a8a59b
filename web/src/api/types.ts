/**
 * Shapes of the civgrid API as the web app reads them. Kept by hand until the
 * server exports its route types for Hono's RPC client (`hc<AppType>`).
 */
import type { Feature, FeatureCollection, Geometry, MultiLineString, MultiPolygon, Polygon } from 'geojson';

export interface Health {
  status: string;
  engine: string;
  postgis: string;
  /** Which server process answered, when several run behind a proxy (CIVGRID_INSTANCE). */
  instance?: string;
}

export interface DutyType {
  id: string;
  name: string;
  name_zh: string;
  name_en: string;
  color: string;
  description: string | null;
}

export interface LayerCounts {
  layers: { id: string; count: number }[];
  pointTypes: { id: string; count: number }[];
  zones: { duty: string; count: number }[];
}

/** Layers served as GeoJSON by `GET /api/layers/{layer}`. */
export type DataLayerId =
  | 'district' | 'streets' | 'communities' | 'grids' | 'roads'
  | 'road-sections' | 'inspection-points' | 'context';

export interface TerritoryProps { id: number; code: string; name: string; level: string; area_m2: number; street_name?: string }
export interface RoadProps { id: number; name: string; road_class: string }
export interface RoadSectionProps {
  id: number; name: string; road_name: string | null; owner_id: number; owner_name: string;
  person_name: string | null; person_phone: string | null;
}
export interface InspectionPointProps {
  id: number; code: string; name: string; point_type: string; owner_name: string | null;
  leader_name: string | null; community_name: string | null; people_count: number;
}
export interface ZoneProps {
  id: number; name: string; duty: string; owner_id: number; owner_name: string;
  person_name: string | null; person_phone: string | null; valid_from: string;
}
export interface ContextProps { id: number; kind: 'neighbour' | 'river' | 'water'; name: string }

export type Collection<P = Record<string, unknown>> = FeatureCollection<Geometry, P>;

export interface Organisation { id: number; name: string }
export interface Person { id: number; name: string; phone: string | null; title: string | null; organisation: Organisation }

export interface InspectionPointDetail {
  id: number;
  code: string;
  name: string;
  point_type: string;
  address: string | null;
  lon: number;
  lat: number;
  community: { id: number; name: string; code: string } | null;
  street: { id: number; name: string } | null;
  leader: Person | null;
  department: Organisation | null;
  people: Person[];
}

export interface TerritoryRef { id: number; code: string; name: string }
export type DutyStatus = 'none' | 'single' | 'multiple';

export interface DutyOwner {
  zone_id: number;
  zone_name: string;
  organisation: Organisation;
  person: { id: number; name: string; phone: string | null } | null;
}

export interface Responsibility {
  lon: number;
  lat: number;
  territory: { district: TerritoryRef | null; street: TerritoryRef | null; community: TerritoryRef | null; grid: TerritoryRef | null };
  duties: { duty: Pick<DutyType, 'id' | 'name' | 'name_zh' | 'name_en' | 'color'>; status: DutyStatus; owners: DutyOwner[] }[];
}

/** Blind-spot engine findings (`/api/coverage/*`). */
export type FindingKind = 'gap' | 'overlap' | 'sliver' | 'both' | 'neither';

export interface FindingProps {
  id: number;
  kind: FindingKind;
  /** Cross-tier pieces below tolerance. */
  sliver?: boolean;
  area_m2: number;
  width_m: number;
  neighbours?: { zone_id: number; zone_name: string; owner_id: number; owner_name: string; shared_m: number }[];
  /** The neighbour with the longest shared border; `zone_id` is its zone to give the gap to. */
  suggested_owner?: { owner_id: number; owner_name: string; shared_m: number; zone_id?: number } | null;
  points?: { id: number; code: string; name: string }[];
  road_length_m?: number;
  owners?: string[];
}

export interface FindingCollection extends FeatureCollection<Geometry, FindingProps> {
  area?: { label: string; repaired: boolean };
  totals?: Record<string, { count: number; area_m2: number }>;
}

export interface CoverageSummaryRow {
  id: number;
  level: 'street' | 'community';
  code: string;
  name: string;
  parent_id: number | null;
  area_m2: number;
  covered_pct: number;
  gap_count: number;
  gap_area_m2: number;
  sliver_count: number;
  overlap_count: number;
  overlap_area_m2: number;
  ownerless_road_km: number;
  points_with_issues: number;
}

export interface BasemapInfo {
  id: string;
  name: string;
  type: 'none' | 'pmtiles' | 'xyz';
}

/** Accounts (`/api/auth/*`, `/api/users`). */
export type Role = 'admin' | 'planner' | 'supervisor' | 'handler' | 'inspector' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'planner', 'supervisor', 'handler', 'inspector', 'viewer'];

export type TerritoryLevel = 'district' | 'street' | 'community';
export const TERRITORY_LEVELS: readonly TerritoryLevel[] = ['district', 'street', 'community'];

export interface Scope { id: number; code: string; name: string; level: TerritoryLevel }

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  scope: Scope;
  organisation: Organisation | null;
  active: boolean;
  mustChangePassword: boolean;
  demo: boolean;
  createdAt: string;
}

export interface Session { user: User; csrfToken: string }

/** `GET /api/auth/session`: answered 200 signed in or not; `expired` when a session cookie came but has ended. */
export type SessionStatus =
  | { user: User; csrfToken: string; expired: false; demo: DemoAccounts | null }
  | { user: null; csrfToken: null; expired: boolean; demo: DemoAccounts | null };

export interface DemoAccounts {
  password: string;
  accounts: { username: string; role: Role; displayName: string; scope: { id: number; name: string; level: TerritoryLevel } }[];
}

export interface UserInput {
  username: string;
  displayName: string;
  password: string;
  role: Role;
  territoryId: number;
  organisationId?: number;
}

export interface UserPatch {
  displayName?: string;
  role?: Role;
  territoryId?: number;
  organisationId?: number | null;
  active?: boolean;
}

export interface Territory { id: number; code: string; name: string; level: TerritoryLevel; parentId: number | null }
export interface OrganisationOption { id: number; name: string; kind: string; territoryId: number | null }

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  actorId: number | null;
  /** The actor's display name now; the trail itself keeps the username. */
  actorName: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  ip: string | null;
  geometry: { before: Geometry | null; after: Geometry | null } | null;
}

export interface AuditQuery {
  entity?: string;
  action?: string;
  actor?: string;
  since?: string;
  until?: string;
  limit?: number;
  before?: number;
}

/** Import and export (`/api/import`, `/api/export/{layer}`). */
export type ImportLayer = 'zones' | 'road-sections';
/** A coordinate system the file may be in; `auto` leaves it to the file (its .prj, KML's WGS84) or the server's guess. */
export type ImportCrs = 'wgs84' | 'gcj02' | 'epsg3857';
export type ImportStatus = 'ok' | 'repaired' | 'invalid' | 'outside_territory' | 'unknown_owner';

export interface ImportFinding {
  code: string;
  message: string;
  [detail: string]: unknown;
}

export interface ImportFeature {
  index: number;
  name: string;
  ownerOrgId: number | null;
  ownerName: string | null;
  status: ImportStatus;
  findings: ImportFinding[];
  geometry: Geometry | null;
}

export interface ImportPreview {
  previewId: string;
  layer: ImportLayer;
  duty: string | null;
  format: 'geojson' | 'shapefile' | 'kml';
  /** The coordinate system the file was read in; `detected` when the file said so (its .prj, …) rather than the request or the default. */
  crs: { id: ImportCrs | 'projected'; detected: boolean; source: 'request' | 'prj' | 'geojson' | 'kml' | 'coordinates' | 'default'; name?: string };
  fields: string[];
  mapping: { nameField: string | null; ownerField: string | null };
  features: ImportFeature[];
  summary: { total: number; importable: number; blocked: number };
}

export interface ImportRequest {
  file: File;
  layer: ImportLayer;
  duty?: string | undefined;
  crs?: ImportCrs | undefined;
  nameField?: string | undefined;
  ownerField?: string | undefined;
  ownerOrgId?: number | undefined;
}

export interface ImportCommit { layer: ImportLayer; created: number[]; count: number }

export type ExportFormat = 'geojson' | 'shp' | 'kml' | 'csv';

/** A responsibility zone as the zone routes answer it (`/api/zones/*`). */
export interface ZoneFeatureProps {
  id: number;
  version: number;
  duty: string;
  name: string;
  ownerOrgId: number;
  ownerName: string;
  personId: number | null;
  territoryId: number | null;
  validFrom: string;
  updatedAt: string;
  updatedBy: string | null;
  areaM2: number;
}
export type ZoneFeature = Feature<MultiPolygon | Polygon, ZoneFeatureProps> & { id: number };

/** A zone in `GET /api/layers/zones` (live or as of a day). */
export interface ZoneLayerProps extends ZoneProps {
  version?: number;
  area_m2?: number;
}

/** What a create or update sends besides the geometry. */
export interface ZoneInput {
  duty: string;
  name: string;
  ownerOrgId: number;
  personId: number | null;
  comment?: string;
  /** `YYYY-MM-DD`; a create without one starts now, an update keeps the old one. */
  validFrom?: string;
}

export interface ZoneOverlap { zoneId: number; name: string; ownerName: string; areaM2: number }

/** The live feedback of an edit (`POST /api/zones/preview`). */
export interface ZonePreview {
  overlaps: (ZoneOverlap & { geometry: Geometry | null })[];
  gapsCreated: { areaM2: number; geometry: Geometry | null };
  gapsFilled: { areaM2: number; geometry: Geometry | null };
  overlapsRemoved?: ZoneOverlap[];
  outsideScopeM2: number;
  repaired: boolean;
}

/** What every zone write answers (create, update, merge, fill, restore). */
export interface ZoneWrite {
  zone: ZoneFeature;
  repaired: boolean;
  overlaps: ZoneOverlap[];
  findings: { overlaps: ZoneOverlap[]; overlapsRemoved?: ZoneOverlap[]; gapsCreatedM2: number; gapsFilledM2: number };
}

export interface ZoneVersion {
  version: number;
  name: string;
  duty: string;
  ownerOrgId: number;
  ownerName: string | null;
  personId: number | null;
  deleted: boolean;
  validFrom: string;
  changedAt: string;
  changedBy: string | null;
  comment: string | null;
  geometry: Geometry | null;
}

/** A responsible person (责任人) for the owner picker (`GET /api/people`). */
export interface PersonOption { id: number; name: string; phone: string | null; title: string | null; organisationId: number }

/** A responsibility road section (责任路段) as the section routes answer it (`/api/road-sections/*`). */
export interface SectionFeatureProps {
  id: number;
  version: number;
  name: string;
  roadId: number | null;
  roadName: string | null;
  ownerOrgId: number;
  ownerName: string;
  personId: number | null;
  validFrom: string;
  updatedAt: string;
  updatedBy: string | null;
  lengthM: number;
}
export type SectionFeature = Feature<MultiLineString, SectionFeatureProps> & { id: number };

/** What a section create or update sends besides the line. */
export interface SectionInput {
  name: string;
  ownerOrgId: number;
  personId: number | null;
  comment?: string;
  /** `YYYY-MM-DD`; a create without one starts now, an update keeps the old one. */
  validFrom?: string;
}

export interface SectionOverlap { sectionId: number; name: string; ownerName: string; lengthM: number }

/** What every section write answers (create, update, merge, restore). */
export interface SectionWrite {
  section: SectionFeature;
  /** The drawn line followed a road and was laid onto it. */
  snappedToRoad: boolean;
  findings: { overlaps: SectionOverlap[]; uncoveredCreatedM: number; uncoveredFilledM: number };
}

/** The live feedback of a section edit (`POST /api/road-sections/preview`): the findings with where they lie. */
export interface SectionPreview {
  overlaps: (SectionOverlap & { geometry: Geometry | null })[];
  uncoveredCreatedM: number;
  uncoveredFilledM: number;
  uncoveredCreated: Geometry | null;
  uncoveredFilled: Geometry | null;
  snappedToRoad: boolean;
  /** The line as it would be saved (laid onto its road). */
  geometry: Geometry | null;
  outsideScopeM: number;
}

export interface SectionVersion {
  version: number;
  name: string;
  ownerOrgId: number;
  ownerName: string | null;
  personId: number | null;
  roadId: number | null;
  deleted: boolean;
  validFrom: string;
  changedAt: string;
  changedBy: string | null;
  comment: string | null;
  geometry: Geometry | null;
}
