import { getContext, setContext } from 'svelte';
import type { Role } from '../api/types.ts';
import { type BoardFilters, boardParams, type ReadinessAnswer, type ReadinessPoint, type RoundOption, readinessApi } from '../components/readiness/readiness-api.ts';
import { defaultRound, type SortDirection, type SortKey, sortPoints } from '../components/readiness/readiness.ts';

/** Who may change a point's people from the board (the server checks the scope). */
export const mayEditPoints = (role: Role | undefined): boolean => role === 'admin' || role === 'planner' || role === 'supervisor';

const NO_FILTERS: BoardFilters = { group: '', street: '', type: '', ready: '' };

/**
 * The readiness board (备检看板): the round shown, the filters, the answer
 * of `GET /api/inspection/readiness`, the list's order, the point selected
 * (the map flies to it) and the point whose people are being changed.
 */
export class ReadinessBoard {
  /** `free`: whether nothing else takes the right side (another panel covers this one, which stays as it was underneath). */
  constructor(private readonly free: () => boolean = () => true) {}

  open = $state(false);

  /** Open and not covered by another panel: the panel shows and the map colours the points. */
  get shown(): boolean {
    return this.open && this.free();
  }

  rounds = $state.raw<RoundOption[] | null>(null);
  roundId = $state<number | null>(null);
  filters = $state<BoardFilters>({ ...NO_FILTERS });
  answer = $state.raw<ReadinessAnswer | null>(null);
  /** The round and filters the answer is for (the map fits a new choice of points, not a reload of the same). */
  answerKey = $state('');
  loading = $state(false);
  error = $state.raw<unknown>(null);
  /** Bumped to load the board again (after a point changed, or a retry). */
  revision = $state(0);

  sortKey = $state<SortKey>('reasons');
  sortDirection = $state<SortDirection>('desc');

  /** The point selected in the list or on the map. */
  selectedId = $state<number | null>(null);
  /** The point to fly to: set by a click in the list (a click on the map needs no flight). */
  focus = $state.raw<{ id: number; lon: number; lat: number } | null>(null);
  /** The point whose people the editor changes. */
  editingId = $state<number | null>(null);

  get round(): RoundOption | undefined {
    return this.rounds?.find((r) => r.id === this.roundId);
  }

  get points(): ReadinessPoint[] {
    return sortPoints(this.answer?.points ?? [], this.sortKey, this.sortDirection);
  }

  get selected(): ReadinessPoint | undefined {
    return this.answer?.points.find((p) => p.pointId === this.selectedId);
  }

  get filtered(): boolean {
    return Object.values(this.filters).some((v) => v !== '');
  }

  sortBy(key: SortKey): void {
    if (this.sortKey === key) this.sortDirection = this.sortDirection === 'asc' ? 'desc' : 'asc';
    else {
      this.sortKey = key;
      // the most problems and the oldest checks first; names and codes from the start
      this.sortDirection = key === 'reasons' || key === 'days' ? 'desc' : 'asc';
    }
  }

  setFilter(key: keyof BoardFilters, value: string): void {
    this.filters = { ...this.filters, [key]: value };
  }

  clearFilters(): void {
    this.filters = { ...NO_FILTERS };
  }

  chooseRound(id: number): void {
    if (id === this.roundId) return;
    this.roundId = id;
    // groups belong to a round
    this.filters = { ...this.filters, group: '' };
    this.selectedId = null;
    this.editingId = null;
  }

  select(point: ReadinessPoint, fly: boolean): void {
    this.selectedId = point.pointId;
    if (fly) this.focus = { id: point.pointId, lon: point.lon, lat: point.lat };
  }

  async loadRounds(signal: AbortSignal): Promise<void> {
    try {
      const { rounds } = await readinessApi.rounds(signal);
      if (signal.aborted) return;
      this.rounds = rounds;
      if (this.roundId === null || !rounds.some((r) => r.id === this.roundId)) this.roundId = defaultRound(rounds)?.id ?? null;
    } catch (error) {
      if (!signal.aborted) this.error = error;
    }
  }

  async load(signal: AbortSignal): Promise<void> {
    const round = this.roundId;
    if (round === null) return;
    this.loading = true;
    this.error = null;
    try {
      const filters = this.filters;
      const answer = await readinessApi.board(round, filters, signal);
      if (signal.aborted) return;
      this.answer = answer;
      this.answerKey = boardParams(round, filters).toString();
    } catch (error) {
      if (!signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }
}

const READINESS_KEY = Symbol('civgrid.readiness');

export function setReadinessContext(board: ReadinessBoard): ReadinessBoard {
  return setContext(READINESS_KEY, board);
}

export function getReadinessContext(): ReadinessBoard {
  const board = getContext<ReadinessBoard | undefined>(READINESS_KEY);
  if (!board) throw new Error('getReadinessContext() called outside <App>');
  return board;
}
