import type { FeatureCollection } from 'geojson';
import type { Category } from '../components/problems/problem-api.ts';

/**
 * The shapes the field app reads and sends (issue 8's contract): my rounds
 * (GET /api/inspection/rounds?member=me), the offline package (GET
 * /api/inspection/rounds/:id/package?group=) and a check (POST
 * /api/inspection/checks).
 */
export interface FieldRoundGroup {
  id: number;
  roundId: number;
  name: string;
  color: string | null;
  pointCount: number;
  members: { id: number; username: string; displayName: string }[];
}

export interface FieldRound {
  id: number;
  name: string;
  startsOn: string;
  endsOn: string;
  status: 'planning' | 'active' | 'closed';
  groups: FieldRoundGroup[];
  myGroupIds?: number[];
}

export interface FieldPerson {
  id: number;
  name: string;
  phone: string | null;
  title: string | null;
  organisation: { id: number; name: string };
}

export interface FieldPoint {
  id: number;
  code: string;
  name: string;
  pointType: string;
  address: string | null;
  lon: number;
  lat: number;
  version: number;
  visitOrder: number | null;
  community: { id: number; name: string } | null;
  leader: FieldPerson | null;
  department: { id: number; name: string } | null;
  people: FieldPerson[];
}

export interface ChecklistItem {
  id: number;
  code: string;
  section: string;
  label: string;
  labelEn: string;
  points: number;
  categoryId: string | null;
}

export interface FieldProblem {
  id: number;
  categoryId: string;
  status: string;
  description: string | null;
  lon: number;
  lat: number;
  reportedAt: string;
  dueAt: string | null;
  overdue: boolean;
  pointId: number;
  distanceM: number;
}

export interface FieldPackage {
  version: string;
  generatedAt: string;
  round: { id: number; name: string; startsOn: string; endsOn: string; status: string };
  group: { id: number; roundId: number; name: string; color: string | null };
  route: FeatureCollection;
  points: FieldPoint[];
  checklists: Record<string, ChecklistItem[]>;
  problems: FieldProblem[];
  problemRadiusM: number;
  /** The taxonomy as GET /api/categories gives it: a report offline picks a minor class from it. */
  categories: Category[];
  basemap: { url: string; bbox: [number, number, number, number]; minzoom: number; maxzoom: number; bytes: number; tiles: number } | null;
}

export type CheckResult = 'pass' | 'fail' | 'serious';

/** The JSON of one check, as POST /api/inspection/checks reads it. */
export interface CheckBody {
  roundId: number;
  groupId: number;
  pointId: number;
  checkedAt: string;
  pointVersion: number;
  packageVersion: string;
  lon?: number;
  lat?: number;
  note?: string;
  items: { itemId: number; result: CheckResult; note?: string }[];
}

export type ConflictReason = 'point_changed' | 'already_checked' | 'reassigned' | 'stale_package';

/** What the server answered for a check (201 new, 200 the same again). */
export interface CheckAnswer {
  check: {
    id: number;
    score: number;
    maxScore: number;
    conflict: null | { reasons: ConflictReason[]; serverPointVersion?: number; otherCheckIds?: number[] };
  };
  problems: { id: number; itemId: number; categoryId: string }[];
}

/**
 * A problem reported from the field (上报问题), as kept in the outbox until
 * it goes to POST /api/problems with `source: 'inspection'`. The position is
 * the device's when it gave one, else the point's (`located` says which).
 */
export interface ReportBody {
  categoryId: string;
  description: string;
  lon: number;
  lat: number;
  located: 'device' | 'point';
  /** The device's accuracy in metres, when the position is the device's. */
  accuracyM: number | null;
  /** The point it was reported at, or near (none: from the route, with the device's position). */
  pointId: number | null;
  /** When the inspector saved it (the server stamps its own time on arrival). */
  reportedAt: string;
}

/** What the server answered for a report (201 new, 200 the same again): the part the field app shows. */
export interface ReportAnswer {
  id: number;
  status: string;
  categoryName: string;
  ownerName: string | null;
  blindSpot: boolean;
  disputed: boolean;
}
