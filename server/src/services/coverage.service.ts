import type { RawBuilder } from 'kysely';
import type { AreaRepository } from '../repositories/area.repository.ts';
import {
  type CoverageRepository,
  DEFAULT_TOLERANCE,
  type GapRow,
  type Neighbour,
  type OverlapRow,
  type PieceSize,
  type PointCoverageRow,
  type SummaryRow,
  type Tolerance,
} from '../repositories/coverage.repository.ts';
import type { DutyTypeRepository } from '../repositories/duty-type.repository.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { type PolygonGeometry, unprocessable } from '../http/geojson.ts';

export const CITY_TIER = 'sanitation-city';
export const TOWN_TIER = 'sanitation-town';

/** Largest area anyone sensibly analyses at once (a whole prefecture-level city is ~30,000 km²). */
export const MAX_AREA_M2 = 50_000 * 1e6;

export type AreaSpec = { kind: 'district' } | { kind: 'territory'; id: number } | { kind: 'polygon'; geometry: PolygonGeometry };

export interface ResolvedArea {
  sql: RawBuilder<unknown>;
  label: string;
  territoryId: number | null;
  /** Set when a drawn polygon was invalid and PostGIS repaired it. */
  repaired: { reason: string } | null;
}

export interface SuggestedOwner {
  owner_id: number;
  owner_name: string;
  shared_m: number;
  /** The owner's zone sharing the longest border with the gap: the one to give the gap to. */
  zone_id: number;
}

export interface GapFinding extends Omit<GapRow, 'geometry'> {
  geometry: unknown;
  kind: 'gap' | 'sliver';
  suggested_owner: SuggestedOwner | null;
}

export interface OverlapFinding extends Omit<OverlapRow, 'geometry'> {
  geometry: unknown;
  kind: 'overlap' | 'sliver';
}

/**
 * The suggested owner of a gap is the neighbouring organisation with the
 * longest shared border (summed over its zones); ties go to the lower id so
 * the answer is stable.
 */
export function suggestOwner(neighbours: Neighbour[]): SuggestedOwner | null {
  const byOwner = new Map<number, SuggestedOwner & { zone_shared_m: number }>();
  for (const n of neighbours) {
    const current = byOwner.get(n.owner_id) ?? { owner_id: n.owner_id, owner_name: n.owner_name, shared_m: 0, zone_id: n.zone_id, zone_shared_m: 0 };
    current.shared_m += Number(n.shared_m);
    if (Number(n.shared_m) > current.zone_shared_m) {
      current.zone_id = n.zone_id;
      current.zone_shared_m = Number(n.shared_m);
    }
    byOwner.set(n.owner_id, current);
  }
  let best: (SuggestedOwner & { zone_shared_m: number }) | null = null;
  for (const candidate of byOwner.values()) {
    if (!best || candidate.shared_m > best.shared_m || (candidate.shared_m === best.shared_m && candidate.owner_id < best.owner_id)) {
      best = candidate;
    }
  }
  if (!best) return null;
  const { zone_shared_m: _, ...owner } = best;
  return { ...owner, shared_m: Math.round(owner.shared_m * 100) / 100 };
}

/** A finding is a sliver when it is narrower or smaller than the tolerance. */
export function isSliver(finding: { area_m2: number; width_m: number }, tolerance: Tolerance): boolean {
  return finding.width_m < tolerance.minWidthM || finding.area_m2 < tolerance.minAreaM2;
}

export class CoverageService {
  constructor(
    private readonly coverage: CoverageRepository,
    private readonly areas: AreaRepository,
    private readonly dutyTypes: DutyTypeRepository,
  ) {}

  async resolveArea(spec: AreaSpec): Promise<ResolvedArea> {
    if (spec.kind === 'district') {
      const district = await this.areas.district();
      if (!district) throw notFound('no_district', 'No district has been loaded yet.');
      return { sql: this.areas.territoryGeom(district.id), label: district.name, territoryId: district.id, repaired: null };
    }
    if (spec.kind === 'territory') {
      const territory = await this.areas.territory(spec.id);
      if (!territory) throw notFound('unknown_territory', `No territory with id ${spec.id}`);
      return { sql: this.areas.territoryGeom(territory.id), label: territory.name, territoryId: territory.id, repaired: null };
    }
    const geojson = JSON.stringify(spec.geometry);
    const checked = await this.areas.checkPolygon(geojson);
    if (!checked.repaired) {
      throw unprocessable('invalid_geometry', `The area has no surface${checked.reason ? `: ${checked.reason}` : ''}.`, { reason: checked.reason });
    }
    if (checked.area_m2 > MAX_AREA_M2) {
      throw unprocessable('area_too_large', `The area covers ${Math.round(checked.area_m2 / 1e6)} km²; the limit is ${MAX_AREA_M2 / 1e6} km².`);
    }
    return {
      sql: this.areas.polygonGeom(checked.repaired),
      label: 'polygon',
      territoryId: null,
      repaired: checked.valid ? null : { reason: checked.reason ?? 'invalid' },
    };
  }

  async requireDuty(duty: string | undefined): Promise<string> {
    if (!duty) throw badRequest('duty_required', 'Choose a duty type: ?duty=<duty type id>');
    if (!(await this.dutyTypes.exists(duty))) throw notFound('unknown_duty_type', `Unknown duty type "${duty.slice(0, 64)}"`);
    return duty;
  }

  async gaps(area: ResolvedArea, duty: string, tolerance: Tolerance = DEFAULT_TOLERANCE): Promise<GapFinding[]> {
    const rows = await this.coverage.gaps(area.sql, duty);
    return rows.map((row) => ({
      ...row,
      geometry: JSON.parse(row.geometry),
      kind: isSliver(row, tolerance) ? 'sliver' : 'gap',
      suggested_owner: suggestOwner(row.neighbours),
    }));
  }

  async overlaps(area: ResolvedArea, duty: string, tolerance: Tolerance = DEFAULT_TOLERANCE): Promise<OverlapFinding[]> {
    const rows = await this.coverage.overlaps(area.sql, duty);
    return rows.map((row) => ({ ...row, geometry: JSON.parse(row.geometry), kind: isSliver(row, tolerance) ? 'sliver' : 'overlap' }));
  }

  /** Places covered by both sanitation tiers, and places covered by neither. */
  async crossTier(area: ResolvedArea, tolerance: Tolerance = DEFAULT_TOLERANCE) {
    const rows = await this.coverage.crossTier(area.sql, CITY_TIER, TOWN_TIER);
    return rows.map((row) => ({ ...row, geometry: JSON.parse(row.geometry) as unknown, sliver: isSliver(row, tolerance) }));
  }

  async roads(area: ResolvedArea, toleranceM: number) {
    const { ownerless, contested } = await this.coverage.roads(area.sql, toleranceM);
    return {
      ownerless: ownerless.map((r) => ({ ...r, kind: 'ownerless' as const, geometry: JSON.parse(r.geometry) as unknown })),
      contested: contested.map((r) => ({ ...r, kind: 'contested' as const, geometry: JSON.parse(r.geometry) as unknown })),
    };
  }

  async points(): Promise<PointCoverage[]> {
    const rows = await this.coverage.points();
    return rows.map((row) => ({ ...row, geometry: JSON.parse(row.geometry) as unknown, issues: pointIssues(row) }));
  }

  async summary(duty: string, tolerance: Tolerance, roadToleranceM: number): Promise<TerritorySummary[]> {
    const [rows, points] = await Promise.all([this.coverage.summary(duty, roadToleranceM), this.points()]);
    return summarise(rows, points, tolerance);
  }
}

export type PointIssue = 'no_leader' | 'no_department' | 'no_people' | 'no_owner' | 'several_owners';

export interface PointCoverage extends Omit<PointCoverageRow, 'geometry'> {
  geometry: unknown;
  issues: { issue: PointIssue; duty?: string }[];
}

/**
 * What is wrong at an inspection point: missing people, and for every duty
 * that must cover the place (alone, or together with its coverage group) an
 * owner count other than one. A partial duty only counts when it overlaps.
 */
export function pointIssues(row: Pick<PointCoverageRow, 'has_leader' | 'has_department' | 'people_count' | 'duties'>): PointCoverage['issues'] {
  const issues: PointCoverage['issues'] = [];
  if (!row.has_leader) issues.push({ issue: 'no_leader' });
  if (!row.has_department) issues.push({ issue: 'no_department' });
  if (row.people_count === 0) issues.push({ issue: 'no_people' });
  const groups = new Map<string, number>();
  for (const d of row.duties) {
    if (d.group) groups.set(d.group, (groups.get(d.group) ?? 0) + d.zones);
    else if (d.coverage === 'full' && d.zones === 0) issues.push({ issue: 'no_owner', duty: d.duty });
    else if (d.zones > 1) issues.push({ issue: 'several_owners', duty: d.duty });
  }
  for (const [group, zones] of groups) {
    if (zones === 0) issues.push({ issue: 'no_owner', duty: group });
    else if (zones > 1) issues.push({ issue: 'several_owners', duty: group });
  }
  return issues;
}

/** A street's or community's coverage: the SQL row's areas plus what the tolerance makes of its pieces. */
export interface TerritorySummary extends Omit<SummaryRow, 'gaps' | 'overlaps' | 'ownerless_road_m'> {
  covered_pct: number;
  gap_m2: number;
  gap_count: number;
  gap_area_m2: number;
  sliver_count: number;
  sliver_area_m2: number;
  overlap_count: number;
  overlap_area_m2: number;
  ownerless_road_km: number;
  points_with_issues: number;
}

function split(pieces: PieceSize[], tolerance: Tolerance) {
  const real = pieces.filter((p) => !isSliver(p, tolerance));
  const slivers = pieces.filter((p) => isSliver(p, tolerance));
  const sum = (list: PieceSize[]) => list.reduce((acc, p) => acc + Number(p.area_m2), 0);
  return { count: real.length, area: sum(real), sliverCount: slivers.length, sliverArea: sum(slivers), total: sum(pieces) };
}

export function summarise(
  rows: Awaited<ReturnType<CoverageRepository['summary']>>,
  points: PointCoverage[],
  tolerance: Tolerance,
): TerritorySummary[] {
  return rows.map((row) => {
    const gaps = split(row.gaps, tolerance);
    const overlaps = split(row.overlaps, tolerance);
    const inside = points.filter((p) => (row.level === 'street' ? p.street_id : p.community_id) === row.id);
    return {
      id: row.id,
      level: row.level,
      code: row.code,
      name: row.name,
      parent_id: row.parent_id,
      area_m2: row.area_m2,
      covered_m2: row.covered_m2,
      covered_pct: row.area_m2 > 0 ? (100 * row.covered_m2) / row.area_m2 : 0,
      // every gap piece, slivers included: covered + gap = area
      gap_m2: gaps.total,
      gap_count: gaps.count,
      gap_area_m2: gaps.area,
      sliver_count: gaps.sliverCount + overlaps.sliverCount,
      sliver_area_m2: gaps.sliverArea + overlaps.sliverArea,
      overlap_count: overlaps.count,
      overlap_area_m2: overlaps.area,
      ownerless_road_km: row.ownerless_road_m / 1000,
      points_with_issues: inside.filter((p) => p.issues.length > 0).length,
    };
  });
}
