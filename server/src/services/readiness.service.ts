import { notFound } from '../http/errors.ts';
import type { CoverageRepository, PointCoverageRow } from '../repositories/coverage.repository.ts';
import type { DutyLabel, ReadinessRepository, ReadinessRow } from '../repositories/readiness.repository.ts';
import { pointIssues } from './coverage.service.ts';

/** Open problems past their deadline within this many metres of a point make it not ready. */
export const DEFAULT_RADIUS_M = 200;
/** A point whose last check is older than this many days needs another. */
export const DEFAULT_STALE_DAYS = 7;

const DAY_S = 86_400;

export const READINESS_REASONS = [
  'no_leader', 'no_department', 'no_people', 'no_owner', 'several_owners', 'overdue_problems',
  'never_checked', 'check_stale', 'no_checklist', 'unassigned',
] as const;
export type ReadinessReason = (typeof READINESS_REASONS)[number];

export interface Reason {
  reason: ReadinessReason;
  /** The duty type or coverage group (no_owner, several_owners). */
  duty?: string;
  /** Overdue problems nearby (overdue_problems). */
  count?: number;
  /** Whole days since the last check (check_stale). */
  days?: number;
}

export interface ReadinessPoint {
  pointId: number;
  code: string;
  name: string;
  pointType: string;
  street: { id: number; name: string } | null;
  community: { id: number; name: string } | null;
  group: { id: number; name: string } | null;
  visitOrder: number | null;
  lon: number;
  lat: number;
  version: number;
  ready: boolean;
  reasons: Reason[];
  peopleCount: number;
  leader: { id: number; name: string } | null;
  department: { id: number; name: string } | null;
  openProblems: number;
  overdueProblems: number;
  lastCheckedAt: string | null;
  daysSinceCheck: number | null;
  checklistItems: number;
}

export interface ReadinessQuery {
  roundId: number;
  radiusM: number;
  staleDays: number;
  /** A group's id, or 'none' for the points not in any group. */
  group?: number | 'none' | undefined;
  street?: number | undefined;
  type?: string | undefined;
  ready?: boolean | undefined;
}

export interface ReadinessBoard {
  round: { id: number; name: string };
  radiusM: number;
  staleDays: number;
  summary: {
    points: number;
    ready: number;
    notReady: number;
    /** Per reason, the number of points that have it (a point missing two owners counts once). */
    reasons: Record<ReadinessReason, number>;
    streets: { id: number | null; name: string | null; points: number; ready: number }[];
  };
  /** Names of the duty types and coverage groups the reasons refer to. */
  duties: Record<string, { nameZh: string; nameEn: string }>;
  points: ReadinessPoint[];
}

/**
 * Why a point is not ready: the blind-spot engine's issues (people missing,
 * a duty at its place owned by nobody or by several), overdue problems
 * nearby, no check or an old one, no checklist for its type, no group.
 * Open problems that are not overdue are counted but do not block.
 */
export function readinessReasons(
  coverage: Pick<PointCoverageRow, 'has_leader' | 'has_department' | 'people_count' | 'duties'>,
  row: Pick<ReadinessRow, 'overdue_problems' | 'since_check_s' | 'checklist_items' | 'group_id'>,
  staleDays: number,
): Reason[] {
  const reasons: Reason[] = pointIssues(coverage).map(({ issue, duty }) => (duty === undefined ? { reason: issue } : { reason: issue, duty }));
  if (row.overdue_problems > 0) reasons.push({ reason: 'overdue_problems', count: row.overdue_problems });
  if (row.since_check_s === null) reasons.push({ reason: 'never_checked' });
  else if (row.since_check_s > staleDays * DAY_S) reasons.push({ reason: 'check_stale', days: daysSince(row.since_check_s) });
  if (row.checklist_items === 0) reasons.push({ reason: 'no_checklist' });
  if (row.group_id === null) reasons.push({ reason: 'unassigned' });
  return reasons;
}

/** Whole days elapsed (a check this morning is 0 days ago). */
const daysSince = (seconds: number) => Math.max(0, Math.floor(seconds / DAY_S));

const REASON_ZH: Record<ReadinessReason, (r: Reason, duty: string) => string> = {
  no_leader: () => '缺包点领导',
  no_department: () => '缺责任部门',
  no_people: () => '缺责任人',
  no_owner: (_, duty) => `${duty}无责任单位`,
  several_owners: (_, duty) => `${duty}多头管理`,
  overdue_problems: (r) => `周边有${r.count ?? 0}件超期问题`,
  never_checked: () => '从未检查',
  check_stale: (r) => `${r.days ?? 0}天未检查`,
  no_checklist: () => '无检查清单',
  unassigned: () => '未分配检查组',
};

/** A reason in Chinese, as the CSV and the board's default language say it. */
export function reasonZh(reason: Reason, duties: ReadinessBoard['duties']): string {
  const duty = reason.duty === undefined ? '' : (duties[reason.duty]?.nameZh ?? reason.duty);
  return REASON_ZH[reason.reason](reason, duty);
}

const iso = (value: Date | string | null) => (value === null ? null : (value instanceof Date ? value : new Date(value)).toISOString());

/** The readiness board (备检看板) of an inspection round. */
export class ReadinessService {
  constructor(
    private readonly readiness: ReadinessRepository,
    private readonly coverage: CoverageRepository,
  ) {}

  async board(query: ReadinessQuery): Promise<ReadinessBoard> {
    const round = await this.readiness.round(query.roundId);
    if (!round) throw notFound('round_not_found', `No inspection round ${query.roundId}.`);
    // two queries for the whole round, whatever its size: the blind-spot engine's per-point coverage and the rest
    const [rows, coverageRows, labels] = await Promise.all([
      this.readiness.points(round.id, query.radiusM),
      this.coverage.points(),
      this.readiness.dutyLabels(),
    ]);
    const coverageOf = new Map(coverageRows.map((row) => [row.id, row]));
    const duties = dutyNames(labels);

    const all: ReadinessPoint[] = [];
    for (const row of rows) {
      const cov = coverageOf.get(row.point_id);
      if (!cov) continue; // deleted between the two reads
      const reasons = readinessReasons(cov, row, query.staleDays);
      all.push({
        pointId: row.point_id,
        code: cov.code,
        name: cov.name,
        pointType: cov.point_type,
        street: cov.street_id === null ? null : { id: cov.street_id, name: cov.street_name ?? '' },
        community: cov.community_id === null ? null : { id: cov.community_id, name: cov.community_name ?? '' },
        group: row.group_id === null ? null : { id: row.group_id, name: row.group_name ?? '' },
        visitOrder: row.visit_order,
        lon: row.lon,
        lat: row.lat,
        version: row.version,
        ready: reasons.length === 0,
        reasons,
        peopleCount: cov.people_count,
        leader: row.leader,
        department: row.department,
        openProblems: row.open_problems,
        overdueProblems: row.overdue_problems,
        lastCheckedAt: iso(row.last_checked_at),
        daysSinceCheck: row.since_check_s === null ? null : daysSince(row.since_check_s),
        checklistItems: row.checklist_items,
      });
    }

    // The summary covers the part of the round chosen (group, street, type); `ready` narrows the list only.
    const chosen = all.filter(
      (p) =>
        (query.group === undefined || (query.group === 'none' ? p.group === null : p.group?.id === query.group)) &&
        (query.street === undefined || p.street?.id === query.street) &&
        (query.type === undefined || p.pointType === query.type),
    );
    const listed = query.ready === undefined ? chosen : chosen.filter((p) => p.ready === query.ready);
    return { round, radiusM: query.radiusM, staleDays: query.staleDays, summary: summarise(chosen), duties, points: listed };
  }
}

function dutyNames(labels: DutyLabel[]): ReadinessBoard['duties'] {
  const out: ReadinessBoard['duties'] = {};
  for (const label of labels) out[label.id] ??= { nameZh: label.name_zh, nameEn: label.name_en };
  return out;
}

export function summarise(points: ReadinessPoint[]): ReadinessBoard['summary'] {
  const reasons = Object.fromEntries(READINESS_REASONS.map((r) => [r, 0])) as Record<ReadinessReason, number>;
  const streets = new Map<number | null, { id: number | null; name: string | null; points: number; ready: number }>();
  let ready = 0;
  for (const p of points) {
    if (p.ready) ready++;
    for (const reason of new Set(p.reasons.map((r) => r.reason))) reasons[reason] += 1;
    const key = p.street?.id ?? null;
    const street = streets.get(key) ?? { id: key, name: p.street?.name ?? null, points: 0, ready: 0 };
    street.points += 1;
    if (p.ready) street.ready += 1;
    streets.set(key, street);
  }
  // streets in the order of their ids (the seed numbers them as their codes); points outside any street last
  const ordered = [...streets.values()].sort((a, b) => (a.id ?? Number.MAX_SAFE_INTEGER) - (b.id ?? Number.MAX_SAFE_INTEGER));
  return { points: points.length, ready, notReady: points.length - ready, reasons, streets: ordered };
}
