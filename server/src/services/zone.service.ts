import type { DB } from '@civgrid/db';
import type { Kysely } from 'kysely';
import { requireOwnerInScope } from '../auth/scope.ts';
import type { AuthUser } from '../auth/session.service.ts';
import { type AppError, badRequest, conflict, forbidden, notFound, unprocessable } from '../http/errors.ts';
import type { PolygonGeometry } from '../http/geojson.ts';
import type { Actor, AuditRepository } from '../repositories/audit.repository.ts';
import { type IdempotencyRepository, idempotencyScope, requestHash, type StoredAnswer } from '../repositories/idempotency.repository.ts';
import { PlaceRepository } from '../repositories/place.repository.ts';
import { TileRepository } from '../repositories/tile.repository.ts';
import type { OverlapFinding, PreviewFindings, StoredZone, ZoneFeature, ZoneFields, ZoneRepository, ZoneVersionRow } from '../repositories/zone.repository.ts';

/** Area a zone may stick out of the editor's scope: floating-point crumbs along a shared edge, not land. */
export const SCOPE_TOLERANCE_M2 = 1;

export interface ZoneInput extends ZoneFields {
  geometry: PolygonGeometry;
  comment: string | null;
}

/** What a save did to coverage: the overlaps it left, the land it left to nobody, the gaps it filled. */
export interface SaveFindings {
  overlaps: OverlapFinding[];
  /** Overlaps with neighbours the save took back, with the area no longer shared. */
  overlapsRemoved: OverlapFinding[];
  gapsCreatedM2: number;
  gapsFilledM2: number;
}

export interface ZoneWrite {
  zone: ZoneFeature;
  /** The input was invalid (self-intersecting, …) and was repaired before saving. */
  repaired: boolean;
  /** Zones of the same duty (or coverage group) the saved zone now overlaps. */
  overlaps: OverlapFinding[];
  findings: SaveFindings;
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
 * inside their scope, and gives land only to owners within it (a street's
 * planner cannot reroute the street's reports to another street's unit); a
 * stale version is a 409 carrying the current zone.
 */
export class ZoneService {
  private readonly places = new PlaceRepository();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly engine: 'embedded' | 'postgres',
    private readonly zones: ZoneRepository,
    private readonly audit: AuditRepository,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  async create(user: AuthUser, actor: Actor, input: ZoneInput, idempotencyKey: string | undefined): Promise<StoredAnswer> {
    const scope = idempotencyScope('zones:create', actor);
    return this.db.transaction().execute(async (trx) => {
      if (idempotencyKey) {
        const claim = await this.idempotency.claim(trx, scope, idempotencyKey, requestHash(input));
        if (claim.kind === 'replay') return claim.answer;
        if (claim.kind === 'mismatch') throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
      }
      await this.checkFields(trx, input);
      await this.requireOwner(trx, user, input.ownerOrgId);
      const ewkt = await this.prepare(trx, user, input.geometry);
      const found = await this.zones.preview(trx, ewkt.ewkt, input.duty, null);
      const id = await this.zones.insert(trx, input, ewkt.ewkt, actor.username, input.comment);
      const zone = (await this.zones.feature(id, trx)) as StoredZone;
      await this.audit.record(trx, actor, { scopeCode: zone.territoryCode ?? user.scopeCode, action: 'create', entity: 'zone', entityId: id, before: null, after: audited(zone) });
      await new TileRepository(trx, this.engine).bumpVersion('zones');
      const overlaps = await this.zones.overlaps(trx, id);
      const answer: StoredAnswer = { status: 201, body: { zone: strip(zone), repaired: ewkt.repaired, overlaps, findings: summary(found, overlaps) } satisfies ZoneWrite };
      if (idempotencyKey) await this.idempotency.complete(trx, scope, idempotencyKey, answer);
      return answer;
    });
  }

  async update(user: AuthUser, actor: Actor, id: number, version: number, input: ZoneInput): Promise<ZoneWrite> {
    return this.db.transaction().execute(async (trx) => {
      const before = await this.current(trx, user, id, version);
      await this.checkFields(trx, input);
      if (input.ownerOrgId !== before.properties.ownerOrgId) await this.requireOwner(trx, user, input.ownerOrgId);
      const prepared = await this.prepare(trx, user, input.geometry);
      const found = await this.zones.preview(trx, prepared.ewkt, input.duty, id);
      if (!(await this.zones.update(trx, id, version, input, prepared.ewkt, actor.username, input.comment))) throw await this.stale(trx, id);
      const zone = (await this.zones.feature(id, trx)) as StoredZone;
      await this.audit.record(trx, actor, { scopeCode: zone.territoryCode ?? user.scopeCode, action: 'update', entity: 'zone', entityId: id, before: audited(before), after: audited(zone) });
      await new TileRepository(trx, this.engine).bumpVersion('zones');
      const overlaps = await this.zones.overlaps(trx, id);
      return { zone: strip(zone), repaired: prepared.repaired, overlaps, findings: summary(found, overlaps) };
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

  async get(id: number): Promise<ZoneFeature> {
    const zone = await this.zones.feature(id);
    if (!zone) throw notFound('zone_not_found', `No zone ${id}.`);
    return strip(zone);
  }

  /** What saving this geometry would do, before saving: the live feedback while drawing. */
  async preview(user: AuthUser, geometry: PolygonGeometry, duty: string, excludeId: number | null): Promise<PreviewFindings & { outsideScopeM2: number; repaired: boolean }> {
    if (!(await this.zones.dutyExists(this.db, duty))) throw badRequest('unknown_duty', `No duty type "${duty}".`);
    const prepared = await this.zones.prepare(this.db, geometry, user.territoryId);
    if (!prepared.ewkt || prepared.areaM2 < 1) throw unprocessable('empty_geometry', 'Nothing of the polygon is left after repair: it has no area.');
    const found = await this.zones.preview(this.db, prepared.ewkt, duty, excludeId);
    return { ...found, outsideScopeM2: Math.round(prepared.outsideM2 * 10) / 10, repaired: prepared.repaired };
  }

  async history(id: number): Promise<ZoneVersionRow[]> {
    const versions = await this.zones.history(id);
    if (versions.length === 0 && !(await this.zones.state(this.db, id))) throw notFound('zone_not_found', `No zone ${id}.`);
    return versions;
  }

  /**
   * Cuts a zone with a line: the zone keeps its id with the largest piece, the
   * other pieces become zones of the same duty and owner, named after it.
   */
  async split(user: AuthUser, actor: Actor, id: number, version: number, line: unknown): Promise<ZoneFeature[]> {
    return this.db.transaction().execute(async (trx) => {
      const before = await this.current(trx, user, id, version);
      const pieces = await this.zones.splitPieces(trx, id, line);
      if (pieces.length < 2) throw unprocessable('line_does_not_split', 'The line does not cut the zone in two: draw it across the zone, from outside to outside.');
      const fields: ZoneFields = { duty: before.properties.duty, name: before.properties.name, ownerOrgId: before.properties.ownerOrgId, personId: before.properties.personId };
      const comment = `split into ${pieces.length}`;
      if (!(await this.zones.update(trx, id, version, fields, pieces[0]!, actor.username, comment))) throw await this.stale(trx, id);
      const ids = [id];
      for (const [i, piece] of pieces.slice(1).entries()) {
        ids.push(await this.zones.insert(trx, { ...fields, name: `${fields.name}-${i + 2}` }, piece, actor.username, `split from zone ${id}`));
      }
      const zones = await Promise.all(ids.map(async (zid) => (await this.zones.feature(zid, trx)) as StoredZone));
      for (const zone of zones) {
        await this.audit.record(trx, actor, {
          scopeCode: zone.territoryCode ?? user.scopeCode, action: zone.id === id ? 'split' : 'create', entity: 'zone', entityId: zone.id,
          before: zone.id === id ? audited(before) : null, after: audited(zone),
        });
      }
      await new TileRepository(trx, this.engine).bumpVersion('zones');
      return zones.map(strip);
    });
  }

  /** Merges touching zones of one duty into the first; the others end. */
  async merge(user: AuthUser, actor: Actor, parts: { id: number; version: number }[]): Promise<ZoneWrite> {
    const ids = parts.map((p) => p.id);
    if (new Set(ids).size !== ids.length) throw badRequest('duplicate_zone', 'A zone is listed twice.');
    return this.db.transaction().execute(async (trx) => {
      const zones: StoredZone[] = [];
      for (const p of parts) zones.push(await this.current(trx, user, p.id, p.version));
      const duties = new Set(zones.map((z) => z.properties.duty));
      if (duties.size > 1) throw unprocessable('different_duties', 'Only zones of one duty type merge.');
      const union = await this.zones.union(trx, ids);
      if (union.parts > 1) throw unprocessable('not_adjacent', 'The zones do not touch: they would not make one zone.');
      const [first, ...rest] = zones as [StoredZone, ...StoredZone[]];
      // the others' land goes to the first zone's owner
      if (rest.some((z) => z.properties.ownerOrgId !== first.properties.ownerOrgId)) await this.requireOwner(trx, user, first.properties.ownerOrgId);
      const fields: ZoneFields = { duty: first.properties.duty, name: first.properties.name, ownerOrgId: first.properties.ownerOrgId, personId: first.properties.personId };
      const found = await this.zones.preview(trx, union.ewkt, fields.duty, first.id);
      if (!(await this.zones.update(trx, first.id, first.properties.version, fields, union.ewkt, actor.username, `merged with ${rest.map((z) => z.id).join(', ')}`))) {
        throw await this.stale(trx, first.id);
      }
      for (const z of rest) {
        if (!(await this.zones.retire(trx, z.id, z.properties.version, actor.username, `merged into zone ${first.id}`))) throw await this.stale(trx, z.id);
        await this.audit.record(trx, actor, { scopeCode: z.territoryCode ?? user.scopeCode, action: 'delete', entity: 'zone', entityId: z.id, before: audited(z), after: null });
      }
      const zone = (await this.zones.feature(first.id, trx)) as StoredZone;
      await this.audit.record(trx, actor, { scopeCode: zone.territoryCode ?? user.scopeCode, action: 'merge', entity: 'zone', entityId: first.id, before: audited(first), after: audited(zone) });
      await new TileRepository(trx, this.engine).bumpVersion('zones');
      const overlaps = await this.zones.overlaps(trx, first.id);
      return { zone: strip(zone), repaired: false, overlaps, findings: summary(found, overlaps) };
    });
  }

  /**
   * Gives land (a blind spot) to an existing zone: the zone grows by the
   * polygon, which must touch it so the zone stays in as many pieces as it was.
   */
  async fill(user: AuthUser, actor: Actor, id: number, version: number, geometry: PolygonGeometry, comment: string | null): Promise<ZoneWrite> {
    return this.db.transaction().execute(async (trx) => {
      const before = await this.current(trx, user, id, version);
      // the land goes to the zone's owner
      await this.requireOwner(trx, user, before.properties.ownerOrgId);
      const gap = await this.prepare(trx, user, geometry);
      const union = await this.zones.unionWith(trx, id, gap.ewkt);
      if (union.parts > union.before) throw unprocessable('not_adjacent', 'The area does not touch the zone: give it to a neighbour, or draw a new zone.');
      const prepared = await this.prepare(trx, user, JSON.parse(await this.zones.ewktToGeoJson(trx, union.ewkt)));
      const found = await this.zones.preview(trx, prepared.ewkt, before.properties.duty, id);
      const fields: ZoneFields = { duty: before.properties.duty, name: before.properties.name, ownerOrgId: before.properties.ownerOrgId, personId: before.properties.personId };
      if (!(await this.zones.update(trx, id, version, fields, prepared.ewkt, actor.username, comment ?? 'blind spot filled'))) throw await this.stale(trx, id);
      const zone = (await this.zones.feature(id, trx)) as StoredZone;
      await this.audit.record(trx, actor, { scopeCode: zone.territoryCode ?? user.scopeCode, action: 'update', entity: 'zone', entityId: id, before: audited(before), after: audited(zone) });
      await new TileRepository(trx, this.engine).bumpVersion('zones');
      const overlaps = await this.zones.overlaps(trx, id);
      return { zone: strip(zone), repaired: gap.repaired, overlaps, findings: summary(found, overlaps) };
    });
  }

  /**
   * Makes an old version current again, as a new version (history is never
   * rewritten); a deleted zone comes back. Checked against the version the
   * planner saw, like any save.
   */
  async restore(user: AuthUser, actor: Actor, id: number, version: number, currentVersion: number): Promise<ZoneWrite> {
    return this.db.transaction().execute(async (trx) => {
      const state = await this.zones.state(trx, id);
      if (!state) throw notFound('zone_not_found', `No zone ${id}.`);
      if (state.version !== currentVersion) throw await this.stale(trx, id);
      const old = await this.zones.versionRow(trx, id, version);
      if (!old?.ewkt || old.deleted) throw notFound('version_not_found', `Zone ${id} has no version ${version} to restore.`);
      if (state.retired) await this.zones.revive(trx, id);
      const before = await this.current(trx, user, id, currentVersion);
      if (old.ownerOrgId !== before.properties.ownerOrgId) await this.requireOwner(trx, user, old.ownerOrgId);
      const prepared = await this.zones.prepare(trx, JSON.parse((await this.zones.ewktToGeoJson(trx, old.ewkt)) as string), user.territoryId);
      if (prepared.outsideM2 > SCOPE_TOLERANCE_M2) throw forbidden('out_of_scope', `${Math.round(prepared.outsideM2)} m² of that version lie outside your scope.`);
      const found = await this.zones.preview(trx, old.ewkt, old.duty, id);
      if (!(await this.zones.update(trx, id, currentVersion, old, old.ewkt, actor.username, `restored version ${version}`))) throw await this.stale(trx, id);
      const zone = (await this.zones.feature(id, trx)) as StoredZone;
      await this.audit.record(trx, actor, { scopeCode: zone.territoryCode ?? user.scopeCode, action: 'restore', entity: 'zone', entityId: id, before: state.retired ? null : audited(before), after: audited(zone) });
      await new TileRepository(trx, this.engine).bumpVersion('zones');
      const overlaps = await this.zones.overlaps(trx, id);
      return { zone: strip(zone), repaired: false, overlaps, findings: summary(found, overlaps) };
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

  /** The organisation a zone (or new land) is given to exists and is within the user's scope. */
  private async requireOwner(trx: Kysely<DB>, user: AuthUser, organisationId: number): Promise<void> {
    const organisation = await this.places.organisation(trx, organisationId);
    if (!organisation) throw badRequest('unknown_organisation', `No organisation ${organisationId}.`);
    requireOwnerInScope(user, organisation);
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

function summary(found: PreviewFindings, overlaps: OverlapFinding[]): SaveFindings {
  return { overlaps, overlapsRemoved: found.overlapsRemoved, gapsCreatedM2: found.gapsCreated.areaM2, gapsFilledM2: found.gapsFilled.areaM2 };
}

/** The feature without the internal territory code. */
function strip(zone: ZoneFeature & { territoryCode?: string | null }): ZoneFeature {
  const { territoryCode: _, ...rest } = zone;
  return rest;
}
