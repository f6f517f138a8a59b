import type { DB } from '@civgrid/db';
import type { Kysely } from 'kysely';
import type { AuthUser } from '../auth/session.service.ts';
import { type AppError, badRequest, conflict, forbidden, notFound, unprocessable } from '../http/errors.ts';
import type { PolygonGeometry } from '../http/geojson.ts';
import type { Actor, AuditRepository } from '../repositories/audit.repository.ts';
import { type IdempotencyRepository, requestHash, type StoredAnswer } from '../repositories/idempotency.repository.ts';
import { TileRepository } from '../repositories/tile.repository.ts';
import type { OverlapFinding, StoredZone, ZoneFeature, ZoneFields, ZoneRepository } from '../repositories/zone.repository.ts';

/** Area a zone may stick out of the editor's scope: floating-point crumbs along a shared edge, not land. */
export const SCOPE_TOLERANCE_M2 = 1;

export interface ZoneInput extends ZoneFields {
  geometry: PolygonGeometry;
  comment: string | null;
}

export interface ZoneWrite {
  zone: ZoneFeature;
  /** The input was invalid (self-intersecting, …) and was repaired before saving. */
  repaired: boolean;
  /** Zones of the same duty (or coverage group) the saved zone now overlaps. */
  overlaps: OverlapFinding[];
}

const audited = (z: ZoneFeature) => ({
  name: z.properties.name,
  duty: z.properties.duty,
  ownerOrgId: z.properties.ownerOrgId,
  personId: z.properties.personId,
  version: z.properties.version,
  areaM2: z.properties.areaM2,
  geometry: z.geometry,
});

/**
 * Writes of responsibility zones (责任区). Each runs in one transaction: the
 * zone, its version row, the audit entry, the tile-layer version and, for a
 * create with an Idempotency-Key, the stored answer. A planner writes only
 * inside their scope; a stale version is a 409 carrying the current zone.
 */
export class ZoneService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly engine: 'embedded' | 'postgres',
    private readonly zones: ZoneRepository,
    private readonly audit: AuditRepository,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  async create(user: AuthUser, actor: Actor, input: ZoneInput, idempotencyKey: string | undefined): Promise<StoredAnswer> {
    const scope = `zones:create:${user.id}`;
    return this.db.transaction().execute(async (trx) => {
      if (idempotencyKey) {
        const claim = await this.idempotency.claim(trx, scope, idempotencyKey, requestHash(input));
        if (claim.kind === 'replay') return claim.answer;
        if (claim.kind === 'mismatch') throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
      }
      await this.checkFields(trx, input);
      const ewkt = await this.prepare(trx, user, input.geometry);
      const id = await this.zones.insert(trx, input, ewkt.ewkt, actor.username, input.comment);
      const zone = (await this.zones.feature(id, trx)) as StoredZone;
      await this.audit.record(trx, actor, { scopeCode: zone.territoryCode ?? user.scopeCode, action: 'create', entity: 'zone', entityId: id, before: null, after: audited(zone) });
      await new TileRepository(trx, this.engine).bumpVersion('zones');
      const answer: StoredAnswer = { status: 201, body: { zone: strip(zone), repaired: ewkt.repaired, overlaps: await this.zones.overlaps(trx, id) } satisfies ZoneWrite };
      if (idempotencyKey) await this.idempotency.complete(trx, scope, idempotencyKey, answer);
      return answer;
    });
  }

  async update(user: AuthUser, actor: Actor, id: number, version: number, input: ZoneInput): Promise<ZoneWrite> {
    return this.db.transaction().execute(async (trx) => {
      const before = await this.current(trx, user, id, version);
      await this.checkFields(trx, input);
      const prepared = await this.prepare(trx, user, input.geometry);
      if (!(await this.zones.update(trx, id, version, input, prepared.ewkt, actor.username, input.comment))) throw await this.stale(trx, id);
      const zone = (await this.zones.feature(id, trx)) as StoredZone;
      await this.audit.record(trx, actor, { scopeCode: zone.territoryCode ?? user.scopeCode, action: 'update', entity: 'zone', entityId: id, before: audited(before), after: audited(zone) });
      await new TileRepository(trx, this.engine).bumpVersion('zones');
      return { zone: strip(zone), repaired: prepared.repaired, overlaps: await this.zones.overlaps(trx, id) };
    });
  }

  async remove(user: AuthUser, actor: Actor, id: number, version: number, comment: string | null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const before = await this.current(trx, user, id, version);
      if (!(await this.zones.retire(trx, id, version, actor.username, comment))) throw await this.stale(trx, id);
      await this.audit.record(trx, actor, { scopeCode: before.territoryCode ?? user.scopeCode, action: 'delete', entity: 'zone', entityId: id, before: audited(before), after: null });
      await new TileRepository(trx, this.engine).bumpVersion('zones');
    });
  }

  /** The zone as stored, when it exists, is in the user's scope and is still at `version`. */
  private async current(trx: Kysely<DB>, user: AuthUser, id: number, version: number): Promise<StoredZone> {
    const zone = await this.zones.feature(id, trx);
    if (!zone) throw notFound('zone_not_found', `No zone ${id}.`);
    if (!(await this.zones.within(trx, id, user.territoryId, SCOPE_TOLERANCE_M2))) {
      throw forbidden('out_of_scope', `Zone ${id} is not within your scope; ask an editor of the whole area.`);
    }
    if (zone.properties.version !== version) throw await this.stale(trx, id);
    return zone;
  }

  private async stale(trx: Kysely<DB>, id: number): Promise<AppError> {
    const zone = await this.zones.feature(id, trx);
    if (!zone) return notFound('zone_not_found', `No zone ${id}.`);
    return conflict('version_conflict', `Zone ${id} was changed by someone else (now version ${zone.properties.version}); compare and save again.`, {
      current: strip(zone),
    });
  }

  private async checkFields(trx: Kysely<DB>, input: ZoneInput): Promise<void> {
    if (!(await this.zones.dutyExists(trx, input.duty))) throw badRequest('unknown_duty', `No duty type "${input.duty}".`);
    if (!(await this.zones.organisationExists(trx, input.ownerOrgId))) throw badRequest('unknown_organisation', `No organisation ${input.ownerOrgId}.`);
    if (input.personId !== null && !(await this.zones.personInOrganisation(trx, input.personId, input.ownerOrgId))) {
      throw badRequest('person_not_in_organisation', `Person ${input.personId} does not belong to organisation ${input.ownerOrgId}.`);
    }
  }

  /** Repairs the geometry; refuses one that is empty after repair or reaches beyond the user's scope. */
  private async prepare(trx: Kysely<DB>, user: AuthUser, geometry: PolygonGeometry): Promise<{ ewkt: string; repaired: boolean }> {
    const prepared = await this.zones.prepare(trx, geometry, user.territoryId);
    if (!prepared.ewkt || prepared.areaM2 < 1) throw unprocessable('empty_geometry', 'Nothing of the polygon is left after repair: it has no area.');
    if (prepared.outsideM2 > SCOPE_TOLERANCE_M2) {
      throw forbidden('out_of_scope', `${Math.round(prepared.outsideM2)} m² of the zone lie outside your scope.`, { outsideM2: Math.round(prepared.outsideM2) });
    }
    return { ewkt: prepared.ewkt, repaired: prepared.repaired };
  }
}

/** The feature without the internal territory code. */
function strip(zone: ZoneFeature & { territoryCode?: string | null }): ZoneFeature {
  const { territoryCode: _, ...rest } = zone;
  return rest;
}
