import { createHash } from 'node:crypto';
import type { CheckResult, DB } from '@civgrid/db';
import type { Kysely } from 'kysely';
import { requireInScope } from '../auth/scope.ts';
import type { AuthUser } from '../auth/session.service.ts';
import type { Checklists, FinalScores, RoundScores } from '../contracts/inspection.ts';
import { conflict, forbidden, notFound, unprocessable } from '../http/errors.ts';
import type { Actor, AuditRepository } from '../repositories/audit.repository.ts';
import { type IdempotencyRepository, idempotencyScope, requestHash, type StoredAnswer } from '../repositories/idempotency.repository.ts';
import type { Check, CheckConflict, CheckFilter, ChecklistItem, InspectionCheckRepository } from '../repositories/inspection-check.repository.ts';
import { DEFAULT_THRESHOLDS, earned, mean, pointScore, type RatingThresholds, rate, weightedMean } from './inspection-score.ts';
import type { Photo } from './photo.ts';
import type { ProblemService } from './problem.service.ts';

/** A check as the field app sends it (the JSON body, or the `check` part of a multipart form). */
export interface CheckInput {
  roundId: number;
  groupId: number;
  pointId: number;
  checkedAt: string;
  pointVersion: number;
  packageVersion?: string | undefined;
  lon?: number | undefined;
  lat?: number | undefined;
  note?: string | undefined;
  items: { itemId: number; result: CheckResult; note?: string | undefined }[];
}

/** A photo of the check: of the whole point (itemId null) or of one item. */
export interface CheckPhoto {
  itemId: number | null;
  photo: Photo;
}

export interface CheckAnswer {
  check: Check;
  problems: { id: number; itemId: number; categoryId: string }[];
}

/** A check's position stands for its problems when it is this close to the point; farther, the point's own place does. */
export const CHECK_POSITION_RADIUS_M = 100;
export const RATING_SETTING = 'inspection_rating';

/**
 * Checklists, checks and scores of inspection rounds (issue 8). A check is
 * stored in one transaction with its items, photos and the problems its
 * failed items file, guarded by its Idempotency-Key so that a field app's
 * retries store it once. A check is never refused for being late or for the
 * point having changed: it is stored and its `conflict` says what differed.
 */
export class InspectionCheckService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly checks: InspectionCheckRepository,
    private readonly problems: ProblemService,
    private readonly audit: AuditRepository,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  /** Checklists grouped by point type, items in their order. */
  async checklists(pointType?: string): Promise<Checklists> {
    const types = new Map<string, Omit<ChecklistItem, 'pointType'>[]>();
    for (const { pointType: type, ...item } of await this.checks.checklists(pointType)) {
      if (!types.has(type)) types.set(type, []);
      types.get(type)!.push(item);
    }
    return { types: [...types].map(([type, items]) => ({ pointType: type, items })) };
  }

  /**
   * Stores a check. The key is claimed first, in the write's transaction: the
   * same key and body again answer the stored answer (status 200) and write
   * nothing; the same key with another body is refused. A refusal rolls the
   * claim back, so a corrected retry may use the key.
   * `packageVersion` is the version of the group's offline package on the
   * server now (null: unknown); a check made with another one is flagged.
   */
  async submit(user: AuthUser, actor: Actor, input: CheckInput, photos: CheckPhoto[], idempotencyKey: string, packageVersion: string | null = null): Promise<StoredAnswer> {
    const scope = idempotencyScope('inspection:checks', actor);
    const hash = requestHash({ check: input, photos: photos.map((p) => ({ itemId: p.itemId, sha256: createHash('sha256').update(p.photo.bytes).digest('base64url') })) });
    return this.db.transaction().execute(async (trx) => {
      const claim = await this.idempotency.claim(trx, scope, idempotencyKey, hash);
      if (claim.kind === 'replay') return { status: 200, body: claim.answer.body };
      if (claim.kind === 'mismatch') throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was used for a different check.');

      const round = await this.checks.round(trx, input.roundId);
      if (!round) throw unprocessable('unknown_round', `No inspection round ${input.roundId}.`);
      if (round.status === 'closed') throw conflict('round_closed', `Round ${round.name} is closed; it takes no more checks.`);
      const group = await this.checks.group(trx, input.groupId);
      if (!group || group.roundId !== round.id) throw unprocessable('group_not_in_round', `Group ${input.groupId} is not a group of round ${round.id}.`);
      if (user.role === 'inspector' && !(await this.checks.isMember(trx, group.id, user.id))) {
        throw forbidden('not_group_member', `You are not a member of group ${group.id}.`);
      }
      const point = await this.checks.roundPoint(trx, round.id, input.pointId);
      if (!point) throw unprocessable('point_not_in_round', `Point ${input.pointId} is not part of round ${round.id}.`);
      // An inspector checks by membership of the group (the district plans cross-checks between streets);
      // the campaign office's accounts check the points within their scope.
      if (user.role !== 'inspector') requireInScope(user, point.placeCode, `Inspection point ${point.pointId}`);
      const wanted = input.items.map((i) => i.itemId);
      const items = new Map((await this.checks.items(trx, point.pointType, wanted)).map((i) => [i.id, i]));
      const unknown = [...new Set([...wanted, ...photos.flatMap((p) => (p.itemId === null || wanted.includes(p.itemId) ? [] : [p.itemId]))])].filter((id) => !items.has(id));
      if (unknown.length > 0) {
        throw unprocessable('unknown_checklist_item', `Not items of the ${point.pointType} checklist (or not in this check): ${unknown.join(', ')}.`, { itemIds: unknown, pointType: point.pointType });
      }

      // what differed from the device's view: flagged, never refused, nothing overwritten
      const earlier = await this.checks.checkIdsOf(trx, round.id, point.pointId);
      const reasons: CheckConflict['reasons'] = [];
      if (input.pointVersion !== point.version) reasons.push('point_changed');
      if (earlier.length > 0) reasons.push('already_checked');
      if (point.groupId !== null && point.groupId !== group.id) reasons.push('reassigned');
      const stale = input.packageVersion !== undefined && packageVersion !== null && input.packageVersion !== packageVersion;
      if (stale) reasons.push('stale_package');
      const flagged: CheckConflict | null = reasons.length === 0 ? null : {
        reasons,
        serverPointVersion: point.version,
        otherCheckIds: earlier,
        ...(reasons.includes('reassigned') && { assignedGroupId: point.groupId }),
        ...(stale && { serverPackageVersion: packageVersion! }),
      };

      const score = input.items.reduce((sum, i) => sum + earned(i.result, items.get(i.itemId)!.points), 0);
      const maxScore = input.items.reduce((sum, i) => sum + items.get(i.itemId)!.points, 0);
      const position = input.lon !== undefined && input.lat !== undefined ? { lon: input.lon, lat: input.lat } : null;
      const id = await this.checks.insert(trx, {
        roundId: round.id, groupId: group.id, pointId: point.pointId, userId: user.id,
        checkedAt: new Date(input.checkedAt),
        lon: position?.lon ?? null, lat: position?.lat ?? null,
        note: input.note ?? null, score, maxScore,
        pointVersion: input.pointVersion, packageVersion: input.packageVersion ?? null,
        conflict: flagged, idempotencyKey,
      });
      await this.checks.insertItems(trx, id, input.items.map((i) => ({ itemId: i.itemId, result: i.result, note: i.note ?? null })));
      for (const p of photos) await this.checks.addPhoto(trx, id, p.itemId, p.photo);

      // problems of the failed items, where the inspector stood if that was at the point
      const near = position !== null && (await this.checks.distanceM(trx, point.pointId, position.lon, position.lat)) <= CHECK_POSITION_RADIUS_M;
      const at = near ? position! : { lon: point.lon, lat: point.lat };
      const filed: CheckAnswer['problems'] = [];
      for (const i of input.items) {
        const item = items.get(i.itemId)!;
        if (i.result === 'pass' || !item.categoryId) continue;
        const problem = await this.problems.reportIn(trx, actor, {
          lon: at.lon, lat: at.lat, crs: 'wgs84',
          categoryId: item.categoryId,
          description: i.note ? `${item.label}：${i.note}` : item.label,
          source: 'inspection',
          reporter: user.username,
          photos: photos.filter((p) => p.itemId === item.id).map((p) => p.photo),
        });
        await this.checks.setProblem(trx, id, item.id, problem.id);
        filed.push({ id: problem.id, itemId: item.id, categoryId: item.categoryId });
      }

      const check = (await this.checks.get(trx, id))!;
      await this.audit.record(trx, actor, {
        scopeCode: point.placeCode, action: 'create', entity: 'inspection_check', entityId: id, before: null,
        after: { ...check, photos: check.photos.length, problems: filed.map((p) => p.id) },
      });
      const answer: StoredAnswer = { status: 201, body: { check, problems: filed } satisfies CheckAnswer };
      await this.idempotency.complete(trx, scope, idempotencyKey, answer);
      return answer;
    });
  }

  async get(id: number): Promise<Check> {
    const check = await this.checks.get(this.db, id);
    if (!check) throw notFound('check_not_found', `No inspection check ${id}.`);
    return check;
  }

  list(filter: CheckFilter): Promise<Check[]> {
    return this.checks.list(filter);
  }

  async photo(checkId: number, photoId: number, thumb: boolean): Promise<{ mime: string; bytes: Uint8Array }> {
    const photo = await this.checks.photo(checkId, photoId, thumb);
    if (!photo) throw notFound('photo_not_found', `Check ${checkId} has no photo ${photoId}.`);
    return photo;
  }

  /** The rating thresholds: the setting `inspection_rating`, else good 90 and fair 75. */
  async thresholds(): Promise<RatingThresholds> {
    let value: unknown;
    try {
      value = await this.checks.setting(RATING_SETTING);
    } catch {
      value = undefined; // a setting that is not JSON: the default stands
    }
    const v = value as Partial<RatingThresholds> | null | undefined;
    const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 100;
    return v && ok(v.good) && ok(v.fair) && v.fair <= v.good ? { good: v.good, fair: v.fair } : DEFAULT_THRESHOLDS;
  }

  /** A round's scores: per checked point, per community, the round; the points not checked yet. */
  async roundScores(roundId: number, thresholds?: RatingThresholds): Promise<RoundScores> {
    const round = await this.checks.round(this.db, roundId);
    if (!round) throw notFound('round_not_found', `No inspection round ${roundId}.`);
    const t = thresholds ?? (await this.thresholds());
    const rows = await this.checks.scoredPoints(roundId);
    const points = rows.flatMap((r) => {
      if (r.checkId === null || r.score === null || r.maxScore === null) return [];
      const score = pointScore(r.score, r.maxScore);
      return [{ pointId: r.pointId, code: r.code, name: r.name, communityId: r.communityId, score, rating: rate(score, t, r.serious), checkedAt: r.checkedAt!, serious: r.serious, checkId: r.checkId }];
    });
    const byCommunity = new Map<number, { id: number; name: string; scores: number[] }>();
    for (const p of points) {
      const row = rows.find((r) => r.pointId === p.pointId)!;
      if (row.communityId === null) continue;
      const entry = byCommunity.get(row.communityId) ?? { id: row.communityId, name: row.communityName ?? '', scores: [] };
      entry.scores.push(p.score);
      byCommunity.set(row.communityId, entry);
    }
    const communities = [...byCommunity.values()]
      .map((c) => {
        const score = mean(c.scores)!;
        return { id: c.id, name: c.name, score, rating: rate(score, t), points: c.scores.length };
      })
      .sort((a, b) => b.score - a.score || a.id - b.id);
    const score = mean(points.map((p) => p.score));
    return {
      round: { id: round.id, name: round.name, weight: round.weight, status: round.status },
      thresholds: t,
      score,
      rating: score === null ? null : rate(score, t),
      checkedCount: points.length,
      pointCount: rows.length,
      points,
      communities,
      unchecked: rows.filter((r) => r.checkId === null).map((r) => r.pointId),
    };
  }

  /** The final score over rounds: Σ weight × round score / Σ weight (rounds without a score do not count). */
  async finalScores(roundIds: number[]): Promise<FinalScores> {
    const found = await this.checks.rounds(roundIds);
    const missing = roundIds.filter((id) => !found.some((r) => r.id === id));
    if (missing.length > 0) throw notFound('round_not_found', `No inspection round ${missing.join(', ')}.`, { roundIds: missing });
    const t = await this.thresholds();
    const perRound = [];
    for (const id of roundIds) perRound.push(await this.roundScores(id, t));
    const score = weightedMean(perRound.map((r) => ({ weight: r.round.weight, score: r.score })));
    const communities = new Map<number, { id: number; name: string; entries: { weight: number; score: number }[] }>();
    for (const r of perRound) {
      for (const c of r.communities) {
        const entry = communities.get(c.id) ?? { id: c.id, name: c.name, entries: [] };
        entry.entries.push({ weight: r.round.weight, score: c.score });
        communities.set(c.id, entry);
      }
    }
    return {
      rounds: perRound.map((r) => ({ ...r.round, score: r.score, rating: r.rating, checkedCount: r.checkedCount, pointCount: r.pointCount })),
      thresholds: t,
      score,
      rating: score === null ? null : rate(score, t),
      communities: [...communities.values()]
        .map((c) => {
          const s = weightedMean(c.entries)!;
          return { id: c.id, name: c.name, score: s, rating: rate(s, t), rounds: c.entries.length };
        })
        .sort((a, b) => b.score - a.score || a.id - b.id),
    };
  }
}

export type { FinalScores, RoundScores };
