import type { DB } from '@civgrid/db';
import type { Geometry } from 'geojson';
import { type Kysely, sql } from 'kysely';
import { jsonColumn } from './json-column.ts';

/** Who did it, from where: taken from the request by auditContext(). */
export interface Actor {
  userId: number | null;
  username: string | null;
  requestId: string | null;
  ip: string | null;
}

export interface AuditRecord {
  /** Territory code the entry is about (who may read it); null: installation-wide. */
  scopeCode: string | null;
  /** A second territory the entry is about (a case transferred to another street's organisation). */
  alsoScopeCode?: string | null | undefined;
  action: string;
  entity: string;
  entityId: string | number | null;
  before: unknown;
  after: unknown;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  actorId: number | null;
  /** The actor's display name now (the trail keeps the username): how the log's sentences name them. */
  actorName: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  ip: string | null;
  /** Geometries of the record before and after, when the entity has one: what the admin view draws. */
  geometry: { before: Geometry | null; after: Geometry | null } | null;
}

export interface AuditFilter {
  entity?: string | undefined;
  entityId?: string | undefined;
  action?: string | undefined;
  actor?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  before?: number | undefined;
  limit: number;
}

function geometryOf(value: unknown): Geometry | null {
  if (value && typeof value === 'object' && 'geometry' in value) {
    const g = (value as { geometry: unknown }).geometry;
    if (g && typeof g === 'object' && 'type' in g) return g as Geometry;
  }
  return null;
}

/**
 * The audit trail. record() takes the transaction of the write it describes,
 * so a change and its entry are committed together or not at all.
 */
export class AuditRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async record(db: Kysely<DB>, actor: Actor, entry: AuditRecord): Promise<void> {
    await db
      .insertInto('audit_log')
      .values({
        actor: actor.username,
        actor_id: actor.userId,
        action: entry.action,
        entity: entry.entity,
        entity_id: entry.entityId === null ? null : String(entry.entityId),
        before: entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
        after: entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
        request_id: actor.requestId,
        ip: actor.ip,
        scope_code: entry.scopeCode,
        also_scope_code: entry.alsoScopeCode ?? null,
      })
      .execute();
  }

  /**
   * Whether the account named `username` (any case) signed in from `ip`
   * since `since`: its login entries say so (they outlive sessions).
   */
  async signedInFrom(username: string, ip: string, since: Date): Promise<boolean> {
    const row = await this.db
      .selectFrom('audit_log as a')
      .innerJoin('users as u', 'u.id', 'a.actor_id')
      .select('a.id')
      .where(sql`lower(u.username)`, '=', username.toLowerCase())
      .where('a.action', '=', 'login')
      .where('a.ip', '=', ip)
      .where('a.at', '>=', since)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Entries about places within the reader's scope (a code prefix; either of
   * an entry's two territories), newest first; installation-wide entries only
   * for a district-level reader.
   */
  async list(filter: AuditFilter, readerScope: string): Promise<{ entries: AuditEntry[]; nextBefore: number | null }> {
    const pattern = `${readerScope.replace(/[\\%_]/g, '')}%`;
    let query = this.db
      .selectFrom('audit_log')
      .selectAll()
      .select((eb) => eb.selectFrom('users').select('users.display_name').whereRef('users.id', '=', 'audit_log.actor_id').as('actor_name'))
      .where((eb) =>
        eb.or([
          eb('scope_code', 'like', pattern),
          eb('also_scope_code', 'like', pattern),
          ...(readerScope.length <= 6 ? [eb('scope_code', 'is', null)] : []),
        ]),
      );
    if (filter.entity) query = query.where('entity', '=', filter.entity);
    if (filter.entityId) query = query.where('entity_id', '=', filter.entityId);
    if (filter.action) query = query.where('action', '=', filter.action);
    if (filter.actor) query = query.where('actor', '=', filter.actor);
    if (filter.since) query = query.where('at', '>=', filter.since);
    if (filter.until) query = query.where('at', '<', filter.until);
    if (filter.before) query = query.where('id', '<', filter.before);
    const rows = await query.orderBy('id', 'desc').limit(filter.limit + 1).execute();
    const page = rows.slice(0, filter.limit);
    const entries = page.map((r): AuditEntry => {
      const before = r.before === null ? null : jsonColumn<unknown>(r.before as string);
      const after = r.after === null ? null : jsonColumn<unknown>(r.after as string);
      const geometry = { before: geometryOf(before), after: geometryOf(after) };
      return {
        id: r.id,
        at: new Date(r.at).toISOString(),
        actor: r.actor,
        actorId: r.actor_id,
        actorName: r.actor_name ?? null,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        before,
        after,
        requestId: r.request_id,
        ip: r.ip,
        geometry: geometry.before || geometry.after ? geometry : null,
      };
    });
    return { entries, nextBefore: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null };
  }
}
