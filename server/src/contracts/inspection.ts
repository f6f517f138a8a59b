import type { FeatureCollection, MultiLineString, Point } from 'geojson';
import { z } from 'zod';

/**
 * Inspection rounds (检查轮次) as the server answers them and the planner
 * reads them (as types): rounds, groups, assignment and routes
 * (`/api/inspection/rounds*`, `/inspectors`), the checklists and field checks
 * with their conflicts (`/checklists`, `/checks*`), and the scores
 * (`/rounds/{id}/scores`, `/scores`). Everything JSON is camelCase.
 */

export const ROUND_STATUSES = ['planning', 'active', 'closed'] as const;
export const roundStatus = z.enum(ROUND_STATUSES);
export type RoundStatus = z.infer<typeof roundStatus>;

export const userRef = z.object({ id: z.number().int(), displayName: z.string() });
export type UserRef = z.infer<typeof userRef>;

export const member = userRef.extend({ username: z.string() });
export type Member = z.infer<typeof member>;

/** A group's computed route: metres and seconds along the roads, and how it was computed. */
export const routeSummary = z.object({ lengthM: z.number(), durationS: z.number(), method: z.string() });
export type RouteSummary = z.infer<typeof routeSummary>;

export const group = z.object({
  id: z.number().int(),
  roundId: z.number().int(),
  name: z.string(),
  color: z.string().nullable(),
  sort: z.number().int(),
  leader: userRef.nullable(),
  members: z.array(member),
  pointCount: z.number().int().nonnegative(),
  start: z.object({ lon: z.number(), lat: z.number() }).nullable(),
  route: routeSummary.nullable(),
});
export type Group = z.infer<typeof group>;

export const round = z.object({
  id: z.number().int(),
  name: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  /** In (0, 1]: the round's share of the final score. */
  weight: z.number(),
  status: roundStatus,
  version: z.number().int(),
  pointCount: z.number().int().nonnegative(),
  assignedCount: z.number().int().nonnegative(),
  groups: z.array(group),
  /** With `?member=me`: the caller's groups in this round. */
  myGroupIds: z.array(z.number().int()).optional(),
});
export type Round = z.infer<typeof round>;

/** `GET /api/inspection/rounds`. */
export const roundsAnswer = z.object({ rounds: z.array(round) });
export type RoundsAnswer = z.infer<typeof roundsAnswer>;

/** `POST /api/inspection/rounds/{id}/groups`: the groups made. */
export const groupsAnswer = z.object({ groups: z.array(group) });
export type GroupsAnswer = z.infer<typeof groupsAnswer>;

/** `GET /api/inspection/inspectors`: the accounts a group may take in. */
export const inspector = z.object({ id: z.number().int(), username: z.string(), displayName: z.string(), role: z.string() });
export type Inspector = z.infer<typeof inspector>;
export const inspectorsAnswer = z.object({ users: z.array(inspector) });
export type InspectorsAnswer = z.infer<typeof inspectorsAnswer>;

/** `POST /api/inspection/rounds/{id}/assign`: each group's points in visiting order and its route, the points left over. */
export const assignAnswer = z.object({
  groups: z.array(z.object({ id: z.number().int(), pointIds: z.array(z.number().int()), lengthM: z.number(), durationS: z.number() })),
  unassigned: z.array(z.number().int()),
  /** The round's version after the write. */
  version: z.number().int(),
});
export type AssignAnswer = z.infer<typeof assignAnswer>;

/** A group's route line in `GET /api/inspection/rounds/{id}/routes`. */
export const routeProps = z.object({
  kind: z.literal('route'),
  groupId: z.number().int(),
  groupName: z.string(),
  color: z.string().nullable(),
  lengthM: z.number(),
  durationS: z.number(),
  pointCount: z.number().int(),
  method: z.string(),
});
export type RouteProps = z.infer<typeof routeProps>;

/** A stop of a group's route. */
export const stopProps = z.object({
  kind: z.literal('stop'),
  groupId: z.number().int(),
  groupName: z.string(),
  color: z.string().nullable(),
  /** 1-based visiting order within the group. */
  order: z.number().int(),
  pointId: z.number().int(),
  code: z.string(),
  name: z.string(),
  pointType: z.string(),
  /** Metres from the previous stop (or the start) along the roads. */
  legM: z.number(),
});
export type StopProps = z.infer<typeof stopProps>;

/** The routes answer: GeoJSON, a route line per group and a point per stop. */
export type RouteCollection = FeatureCollection<MultiLineString | Point, RouteProps | StopProps>;

export const checklistItem = z.object({
  id: z.number().int(),
  code: z.string(),
  section: z.string(),
  label: z.string(),
  labelEn: z.string(),
  points: z.number(),
  categoryId: z.string().nullable(),
});
export type ChecklistItem = z.infer<typeof checklistItem>;

/** `GET /api/inspection/checklists`: the items of each point type, in their order. */
export const checklists = z.object({ types: z.array(z.object({ pointType: z.string(), items: z.array(checklistItem) })) });
export type Checklists = z.infer<typeof checklists>;

export const CHECK_RESULTS = ['pass', 'fail', 'serious'] as const;
export type CheckResult = (typeof CHECK_RESULTS)[number];

export const CONFLICT_REASONS = ['point_changed', 'already_checked', 'reassigned', 'stale_package'] as const;
export type ConflictReason = (typeof CONFLICT_REASONS)[number];

/** What differed between the device's view and the server's when a check came in (the check is kept either way). */
export const checkConflict = z.object({
  reasons: z.array(z.enum(CONFLICT_REASONS)),
  /** The point's version on the server when the check came in. */
  serverPointVersion: z.number().int(),
  /** The point's earlier checks in the round. */
  otherCheckIds: z.array(z.number().int()),
  /** The group the point was assigned to then, when not the check's own. */
  assignedGroupId: z.number().int().nullable().optional(),
  /** The group's offline package on the server then, when the device had another. */
  serverPackageVersion: z.string().optional(),
});
export type CheckConflict = z.infer<typeof checkConflict>;

/** One stored field check (`GET /api/inspection/checks`, `/checks/{id}`). */
export const check = z.object({
  id: z.number().int(),
  roundId: z.number().int(),
  groupId: z.number().int().nullable(),
  pointId: z.number().int(),
  userId: z.number().int().nullable(),
  /** The device's clock. */
  checkedAt: z.string(),
  /** The server's clock. */
  receivedAt: z.string(),
  /** Σ earned points (pass: the item's points, fail 0, serious −points). */
  score: z.number(),
  maxScore: z.number(),
  note: z.string().nullable(),
  pointVersion: z.number().int().nullable(),
  packageVersion: z.string().nullable(),
  lon: z.number().nullable(),
  lat: z.number().nullable(),
  items: z.array(z.object({ itemId: z.number().int(), result: z.enum(CHECK_RESULTS), note: z.string().nullable(), problemId: z.number().int().nullable() })),
  photos: z.array(z.object({ id: z.number().int(), itemId: z.number().int().nullable() })),
  conflict: checkConflict.nullable(),
});
export type Check = z.infer<typeof check>;

/** `GET /api/inspection/checks`: a page of checks, newest first; `next` is the `before` of the following page. */
export const checksPage = z.object({ checks: z.array(check), next: z.number().int().nullable() });
export type ChecksPage = z.infer<typeof checksPage>;

export const RATINGS = ['good', 'fair', 'poor'] as const;
export const rating = z.enum(RATINGS);
export type Rating = z.infer<typeof rating>;

/** Lowest scores rated good and fair (below fair: poor). */
export const ratingThresholds = z.object({ good: z.number(), fair: z.number() });
export type RatingThresholds = z.infer<typeof ratingThresholds>;

/** A checked point's score in a round: its latest check's. */
export const pointScore = z.object({
  pointId: z.number().int(),
  code: z.string(),
  name: z.string(),
  communityId: z.number().int().nullable(),
  score: z.number(),
  rating,
  checkedAt: z.string(),
  serious: z.boolean(),
  checkId: z.number().int(),
});
export type PointScore = z.infer<typeof pointScore>;

/** A community's score in a round: the mean of its checked points. */
export const communityScore = z.object({ id: z.number().int(), name: z.string(), score: z.number(), rating, points: z.number().int() });
export type CommunityScore = z.infer<typeof communityScore>;

/** `GET /api/inspection/rounds/{id}/scores`: the checked points, their communities, the round. */
export const roundScores = z.object({
  round: z.object({ id: z.number().int(), name: z.string(), weight: z.number(), status: z.string() }),
  thresholds: ratingThresholds,
  /** Mean of the checked points' scores; null when no point is checked. */
  score: z.number().nullable(),
  rating: rating.nullable(),
  checkedCount: z.number().int(),
  pointCount: z.number().int(),
  points: z.array(pointScore),
  communities: z.array(communityScore),
  unchecked: z.array(z.number().int()),
});
export type RoundScores = z.infer<typeof roundScores>;

/** `GET /api/inspection/scores?rounds=`: the weighted final over several rounds. */
export const finalScores = z.object({
  rounds: z.array(z.object({
    id: z.number().int(),
    name: z.string(),
    weight: z.number(),
    status: z.string(),
    score: z.number().nullable(),
    rating: rating.nullable(),
    checkedCount: z.number().int(),
    pointCount: z.number().int(),
  })),
  thresholds: ratingThresholds,
  score: z.number().nullable(),
  rating: rating.nullable(),
  communities: z.array(z.object({ id: z.number().int(), name: z.string(), score: z.number(), rating, rounds: z.number().int() })),
});
export type FinalScores = z.infer<typeof finalScores>;
