import { type Check, type ChecklistItem, inspectionApi, type PointScore, type RatingThresholds } from '../components/inspection/inspection-api.ts';

/** Checks fetched per page (older ones follow with `before`). */
export const CHECKS_PAGE = 20;
/** How many flagged checks are counted at most (more reads “1000+”). */
export const CONFLICT_COUNT_LIMIT = 1000;
/** Other checks of the point opened beside a conflict, at most. */
const OTHERS_SHOWN = 10;

/**
 * 检查记录: one round's field checks, newest first, paged back with `before`;
 * only the flagged ones on request (仅看冲突) and how many there are; the
 * check opened with, for a conflict, the point's other checks in the round.
 * Names the API leaves out (a point's code and name, an item's label) come
 * from the round's scores and the checklists, read alongside.
 */
export class ChecksBoard {
  /** The round whose checks are listed. */
  roundId = $state<number | null>(null);
  conflictOnly = $state(false);

  checks = $state.raw<Check[]>([]);
  /** The `before` of the next page (null: none older). */
  next = $state<number | null>(null);
  loading = $state(false);
  loadingMore = $state(false);
  error = $state.raw<unknown>(null);
  /** Flagged checks of the round (null: not counted yet); `conflictMore` when there are more than were counted. */
  conflictCount = $state<number | null>(null);
  conflictMore = $state(false);

  /** The round's checked points (code, name) and the rating thresholds. */
  points = $state.raw<Map<number, PointScore>>(new Map());
  thresholds = $state.raw<RatingThresholds>({ good: 90, fair: 75 });
  /** Every checklist item by id. */
  items = $state.raw<Map<number, ChecklistItem>>(new Map());

  /** The check opened, and the ones opened before it (back goes there). */
  opened = $state.raw<Check | null>(null);
  trail = $state.raw<number[]>([]);
  openError = $state.raw<unknown>(null);
  /** The point's other checks in the round, beside a conflict. */
  others = $state.raw<Check[]>([]);

  /** The first page again (round or filter changed, or a refresh). */
  async load(signal: AbortSignal): Promise<void> {
    const round = this.roundId;
    if (round === null) return;
    const conflict = this.conflictOnly;
    this.loading = true;
    this.error = null;
    try {
      const [page, flagged] = await Promise.all([
        inspectionApi.checks({ round, conflict, limit: CHECKS_PAGE }, signal),
        inspectionApi.checks({ round, conflict: true, limit: CONFLICT_COUNT_LIMIT }, signal),
      ]);
      if (signal.aborted) return;
      this.checks = page.checks;
      this.next = page.next;
      this.conflictCount = flagged.checks.length;
      this.conflictMore = flagged.next !== null;
    } catch (error) {
      if (!signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  /** The next, older page, after the ones shown. */
  async more(): Promise<void> {
    const round = this.roundId;
    if (round === null || this.next === null || this.loadingMore) return;
    this.loadingMore = true;
    this.error = null;
    try {
      const page = await inspectionApi.checks({ round, conflict: this.conflictOnly, limit: CHECKS_PAGE, before: this.next });
      if (round !== this.roundId) return;
      const shown = new Set(this.checks.map((check) => check.id));
      this.checks = [...this.checks, ...page.checks.filter((check) => !shown.has(check.id))];
      this.next = page.next;
    } catch (error) {
      this.error = error;
    } finally {
      this.loadingMore = false;
    }
  }

  /** The names the checks refer to: the round's points (from its scores) and the checklist items. */
  async loadNames(signal: AbortSignal): Promise<void> {
    const round = this.roundId;
    if (round === null) return;
    try {
      const [scores, checklists] = await Promise.all([
        inspectionApi.scores(round, signal),
        this.items.size > 0 ? Promise.resolve(null) : inspectionApi.checklists(signal),
      ]);
      if (signal.aborted || round !== this.roundId) return;
      this.points = new Map(scores.points.map((point) => [point.pointId, point]));
      if (scores.thresholds) this.thresholds = scores.thresholds;
      if (checklists) this.items = new Map(checklists.types.flatMap((type) => type.items.map((item) => [item.id, item] as const)));
    } catch {
      // without the names the checks still show, by point and item id
    }
  }

  /** Open a check (`from`: the check it was opened from, for back). */
  open(id: number, from: number | null = null): Promise<void> {
    return this.show(id, from === null ? [] : [...this.trail, from]);
  }

  private async show(id: number, trail: number[]): Promise<void> {
    this.openError = null;
    const known = [...this.checks, ...this.others, ...(this.opened ? [this.opened] : [])].find((check) => check.id === id);
    this.trail = trail;
    this.opened = known ?? null;
    this.others = [];
    try {
      const check = known ?? (await inspectionApi.check(id));
      if (this.opened !== null && this.opened.id !== id) return;
      this.opened = check;
      const ids = (check.conflict?.otherCheckIds ?? []).slice(-OTHERS_SHOWN).reverse();
      const others = await Promise.all(ids.map((other) => inspectionApi.check(other)));
      if (this.opened?.id === id) this.others = others;
    } catch (error) {
      this.openError = error;
    }
  }

  /** Back to the check this one was opened from, or to the list. */
  back(): void {
    const previous = this.trail.at(-1);
    if (previous === undefined) {
      this.close();
      return;
    }
    void this.show(previous, this.trail.slice(0, -1));
  }

  close(): void {
    this.opened = null;
    this.others = [];
    this.trail = [];
    this.openError = null;
  }

  /** Another round: nothing of the last one stays. */
  reset(roundId: number | null): void {
    if (roundId === this.roundId) return;
    this.roundId = roundId;
    this.checks = [];
    this.next = null;
    this.conflictCount = null;
    this.conflictMore = false;
    this.points = new Map();
    this.close();
  }
}
