import type { Geometry } from 'geojson';
import { adminApi } from '../api/client.ts';
import type { AuditEntry, AuditQuery } from '../api/types.ts';

export interface AuditFilters {
  entity: string;
  action: string;
  actor: string;
  /** `YYYY-MM-DD`, local day. */
  since: string;
}

const PAGE = 50;
const emptyFilters = (): AuditFilters => ({ entity: '', action: '', actor: '', since: '' });

/** 审计日志: the filters, the entries loaded so far (newest first), the cursor to the next page, and what the map shows. */
export class AuditLog {
  filters = $state<AuditFilters>(emptyFilters());
  entries = $state.raw<AuditEntry[]>([]);
  nextBefore = $state<number | null>(null);
  loading = $state(false);
  error = $state.raw<unknown>(null);
  /** Set when `load` has answered at least once. */
  loaded = $state(false);
  /** The entry whose geometry the map draws. */
  shown = $state.raw<{ id: number; before: Geometry | null; after: Geometry | null } | null>(null);
  /** Entities and actions seen so far: the filters' suggestions. */
  seen = $state.raw<{ entities: string[]; actions: string[]; actors: string[] }>({ entities: [], actions: [], actors: [] });
  #applied: AuditQuery = { limit: PAGE };

  #query(): AuditQuery {
    const { entity, action, actor, since } = this.filters;
    return {
      entity: entity.trim() || undefined,
      action: action.trim() || undefined,
      actor: actor.trim() || undefined,
      // the start of that day where the person is
      since: since ? new Date(`${since}T00:00:00`).toISOString() : undefined,
      limit: PAGE,
    };
  }

  /** The first page for the current filters; `more` appends the next one. */
  async load(signal: AbortSignal, more = false): Promise<void> {
    if (more && this.nextBefore === null) return;
    this.loading = true;
    this.error = null;
    try {
      // the next page follows the filters of the first, not what has been typed since
      if (!more) this.#applied = this.#query();
      const query: AuditQuery = more && this.nextBefore !== null ? { ...this.#applied, before: this.nextBefore } : this.#applied;
      const page = await adminApi.audit(query, signal);
      this.entries = more ? [...this.entries, ...page.entries] : page.entries;
      this.nextBefore = page.nextBefore;
      this.loaded = true;
      this.#remember(page.entries);
    } catch (error) {
      if (!signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  resetFilters(): void {
    this.filters = emptyFilters();
  }

  show(entry: AuditEntry): void {
    if (entry.geometry) this.shown = { id: entry.id, before: entry.geometry.before, after: entry.geometry.after };
  }

  clear(): void {
    this.shown = null;
  }

  #remember(entries: AuditEntry[]): void {
    const add = (list: string[], values: (string | null)[]) =>
      [...new Set([...list, ...values.filter((v): v is string => !!v)])].sort();
    this.seen = {
      entities: add(this.seen.entities, entries.map((e) => e.entity)),
      actions: add(this.seen.actions, entries.map((e) => e.action)),
      actors: add(this.seen.actors, entries.map((e) => e.actor)),
    };
  }
}
