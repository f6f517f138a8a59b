import type { DB } from '@civgrid/db';
import type { Kysely } from 'kysely';
import { requireOwnerInScope } from '../auth/scope.ts';
import type { AuthUser } from '../auth/session.service.ts';
import { type AppError, badRequest, conflict, forbidden, notFound, unprocessable } from '../http/errors.ts';
import type { LineGeometry } from '../http/geojson.ts';
import type { Actor, AuditRepository } from '../repositories/audit.repository.ts';
import { type IdempotencyRepository, idempotencyScope, requestHash, type StoredAnswer } from '../repositories/idempotency.repository.ts';
import type {
  PreparedLine, RoadSectionRepository, SectionFeature, SectionFields, SectionFindings, SectionFindingsWithGeometry, SectionVersionRow, StoredSection,
} from '../repositories/road-section.repository.ts';
import { PlaceRepository } from '../repositories/place.repository.ts';
import { TileRepository } from '../repositories/tile.repository.ts';
import type { ZoneRepository } from '../repositories/zone.repository.ts';

/** Length a section may run outside the editor's scope: a crossing at the street's edge, not road (m). */
export const SCOPE_TOLERANCE_M = 1;

export interface SectionInput extends SectionFields {
  geometry: LineGeometry;
  comment: string | null;
}

export interface SectionWrite {
  section: SectionFeature;
  /** The drawn line followed a road and was laid onto it. */
  snappedToRoad: boolean;
  findings: SectionFindings;
}

const audited = (s: SectionFeature) => ({
  name: s.properties.name,
  ownerOrgId: s.properties.ownerOrgId,
  personId: s.properties.personId,
  roadId: s.properties.roadId,
  version: s.properties.version,
  lengthM: s.properties.lengthM,
  geometry: s.geometry,
});

const fieldsOf = (s: SectionFeature): SectionFields => ({ name: s.properties.name, ownerOrgId: s.properties.ownerOrgId, personId: s.properties.personId });

/**
 * Writes of responsibility road sections (责任路段): the same verbs and
 * guarantees as the zones (ZoneService) — one transaction per write with its
 * version row, audit entry and tile-layer version; scope checked; a stale
 * version is a 409 with the current section; the chief unit (路长单位) given
 * must be within the editor's scope — except that a section splits at a
 * point and merges end to end.
 */
export class RoadSectionService {
  private readonly places = new PlaceRepository();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly engine: 'embedded' | 'postgres',
    private readonly sections: RoadSectionRepository,
    private readonly zones: ZoneRepository,
    private readonly audit: AuditRepository,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  async get(id: number): Promise<SectionFeature> {
    const section = await this.sections.feature(id);
    if (!section) throw notFound('section_not_found', `No road section ${id}.`);
    return strip(section);
  }

  async history(id: number): Promise<SectionVersionRow[]> {
    const versions = await this.sections.history(id);
    if (versions.length === 0) throw notFound('section_not_found', `No road section ${id}.`);
    return versions;
  }

  /** What saving this line would do, before saving: the findings with where they lie, and the line as it would be saved. */
  async preview(user: AuthUser, geometry: LineGeometry, excludeId: number | null): Promise<SectionFindingsWithGeometry & { snappedToRoad: boolean; outsideScopeM: number; geometry: unknown }> {
    const line = await this.line(this.db, user, geometry, true, false);
    const found = await this.sections.findings(this.db, line.ewkt, excludeId, true);
    const shape = JSON.parse(await this.zones.ewktToGeoJson(this.db, line.ewkt));
    return { ...found, snappedToRoad: line.roadId !== null, outsideScopeM: Math.round(line.outsideM * 10) / 10, geometry: shape };
  }

  async create(user: AuthUser, actor: Actor, input: SectionInput, idempotencyKey: string | undefined): Promise<StoredAnswer> {
    const scope = idempotencyScope('road-sections:create', actor);
    return this.db.transaction().execute(async (trx) => {
      if (idempotencyKey) {
        const claim = await this.idempotency.claim(trx, scope, idempotencyKey, requestHash(input));
        if (claim.kind === 'replay') return claim.answer;
        if (claim.kind === 'mismatch') throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
      }
      await this.checkFields(trx, input);
      await this.requireOwner(trx, user, input.ownerOrgId);
      const line = await this.line(trx, user, input.geometry, true);
      const found = await this.sections.findings(trx, line.ewkt, null);
      const id = await this.sections.insert(trx, input, line, actor.username, input.comment);
      const section = (await this.sections.feature(id, trx)) as StoredSection;
      await this.record(trx, user, actor, 'create', section, null);
      const answer: StoredAnswer = { status: 201, body: { section: strip(section), snappedToRoad: line.roadId !== null, findings: found } satisfies SectionWrite };
      if (idempotencyKey) await this.idempotency.complete(trx, scope, idempotencyKey, answer);
      return answer;
    });
  }

  async update(user: AuthUser, actor: Actor, id: number, version: number, input: SectionInput): Promise<SectionWrite> {
    return this.db.transaction().execute(async (trx) => {
      const before = await this.current(trx, user, id, version);
      await this.checkFields(trx, input);
      if (input.ownerOrgId !== before.properties.ownerOrgId) await this.requireOwner(trx, user, input.ownerOrgId);
      const line = await this.line(trx, user, input.geometry, true);
      const found = await this.sections.findings(trx, line.ewkt, id);
      if (!(await this.sections.update(trx, id, version, input, line, actor.username, input.comment))) throw await this.stale(trx, id);
      const section = (await this.sections.feature(id, trx)) as StoredSection;
      await this.record(trx, user, actor, 'update', section, before);
      return { section: strip(section), snappedToRoad: line.roadId !== null, findings: found };
    });
  }

  async remove(user: AuthUser, actor: Actor, id: number, version: number, comment: string | null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const before = await this.current(trx, user, id, version);
      if (!(await this.sections.retire(trx, id, version, actor.username, comment))) throw await this.stale(trx, id);
      await this.audit.record(trx, actor, { scopeCode: before.territoryCode ?? user.scopeCode, action: 'delete', entity: 'road-section', entityId: id, before: audited(before), after: null });
      await new TileRepository(trx, this.engine).bumpVersion('road-sections');
    });
  }

  /** Cuts a section at a point: it keeps its id with the longer piece; the other becomes a section of the same owner. */
  async split(user: AuthUser, actor: Actor, id: number, version: number, point: [number, number]): Promise<SectionFeature[]> {
    return this.db.transaction().execute(async (trx) => {
      const before = await this.current(trx, user, id, version);
      const pieces = await this.sections.splitAt(trx, id, point);
      if (!pieces) throw unprocessable('point_does_not_split', `The point is not on the section (within 15 m), or it is at an end, or the section is not one line.`);
      const fields = fieldsOf(before);
      const asLine = (ewkt: string): PreparedLine => ({ ewkt, roadId: before.properties.roadId, roadName: before.properties.roadName, lengthM: 0, outsideM: 0 });
      if (!(await this.sections.update(trx, id, version, fields, asLine(pieces[0]!), actor.username, 'split in 2'))) throw await this.stale(trx, id);
      const newId = await this.sections.insert(trx, { ...fields, name: `${fields.name}-2` }, asLine(pieces[1]!), actor.username, `split from road section ${id}`);
      const kept = (await this.sections.feature(id, trx)) as StoredSection;
      const added = (await this.sections.feature(newId, trx)) as StoredSection;
      await this.record(trx, user, actor, 'split', kept, before);
      await this.record(trx, user, actor, 'create', added, null);
      return [strip(kept), strip(added)];
    });
  }

  /** Joins sections that meet end to end into the first; the others end. */
  async merge(user: AuthUser, actor: Actor, parts: { id: number; version: number }[]): Promise<SectionWrite> {
    const ids = parts.map((p) => p.id);
    if (new Set(ids).size !== ids.length) throw badRequest('duplicate_section', 'A road section is listed twice.');
    return this.db.transaction().execute(async (trx) => {
      const sections: StoredSection[] = [];
      for (const p of parts) sections.push(await this.current(trx, user, p.id, p.version));
      const union = await this.sections.union(trx, ids);
      if (union.parts > 1) throw unprocessable('not_adjacent', 'The sections do not meet end to end: they would not make one line.');
      const [first, ...rest] = sections as [StoredSection, ...StoredSection[]];
      // the others' road goes to the first section's chief unit
      if (rest.some((x) => x.properties.ownerOrgId !== first.properties.ownerOrgId)) await this.requireOwner(trx, user, first.properties.ownerOrgId);
      const line = await this.line(trx, user, JSON.parse(union.geojson), false);
      const found = await this.sections.findings(trx, line.ewkt, first.id);
      for (const s of rest) {
        if (!(await this.sections.retire(trx, s.id, s.properties.version, actor.username, `merged into road section ${first.id}`))) throw await this.stale(trx, s.id);
        await this.audit.record(trx, actor, { scopeCode: s.territoryCode ?? user.scopeCode, action: 'delete', entity: 'road-section', entityId: s.id, before: audited(s), after: null });
      }
      const comment = `merged with ${rest.map((s) => s.id).join(', ')}`;
      if (!(await this.sections.update(trx, first.id, first.properties.version, fieldsOf(first), line, actor.username, comment))) throw await this.stale(trx, first.id);
      const section = (await this.sections.feature(first.id, trx)) as StoredSection;
      await this.record(trx, user, actor, 'merge', section, first);
      return { section: strip(section), snappedToRoad: false, findings: found };
    });
  }

  /** Makes an old version current again as a new version; a deleted section comes back. */
  async restore(user: AuthUser, actor: Actor, id: number, version: number, currentVersion: number): Promise<SectionWrite> {
    return this.db.transaction().execute(async (trx) => {
      const state = await this.sections.state(trx, id);
      if (!state) throw notFound('section_not_found', `No road section ${id}.`);
      if (state.version !== currentVersion) throw await this.stale(trx, id);
      const old = await this.sections.versionRow(trx, id, version);
      if (!old?.geojson || old.deleted) throw notFound('version_not_found', `Road section ${id} has no version ${version} to restore.`);
      if (state.retired) await this.sections.revive(trx, id);
      const before = await this.current(trx, user, id, currentVersion);
      if (old.ownerOrgId !== before.properties.ownerOrgId) await this.requireOwner(trx, user, old.ownerOrgId);
      const line = await this.line(trx, user, JSON.parse(old.geojson), false);
      const found = await this.sections.findings(trx, line.ewkt, id);
      if (!(await this.sections.update(trx, id, currentVersion, old, line, actor.username, `restored version ${version}`))) throw await this.stale(trx, id);
      const section = (await this.sections.feature(id, trx)) as StoredSection;
      await this.record(trx, user, actor, 'restore', section, state.retired ? null : before);
      return { section: strip(section), snappedToRoad: false, findings: found };
    });
  }

  private async record(trx: Kysely<DB>, user: AuthUser, actor: Actor, action: string, section: StoredSection, before: StoredSection | null): Promise<void> {
    await this.audit.record(trx, actor, {
      scopeCode: section.territoryCode ?? user.scopeCode, action, entity: 'road-section', entityId: section.id,
      before: before && audited(before), after: audited(section),
    });
    await new TileRepository(trx, this.engine).bumpVersion('road-sections');
  }

  private async current(trx: Kysely<DB>, user: AuthUser, id: number, version: number): Promise<StoredSection> {
    const section = await this.sections.feature(id, trx);
    if (!section) throw notFound('section_not_found', `No road section ${id}.`);
    if (!(await this.sections.within(trx, id, user.territoryId, SCOPE_TOLERANCE_M))) {
      throw forbidden('out_of_scope', `Road section ${id} is not within your scope; ask an editor of the whole area.`);
    }
    if (section.properties.version !== version) throw await this.stale(trx, id);
    return section;
  }

  private async stale(trx: Kysely<DB>, id: number): Promise<AppError> {
    const section = await this.sections.feature(id, trx);
    if (!section) return notFound('section_not_found', `No road section ${id}.`);
    return conflict('version_conflict', `Road section ${id} was changed by someone else (now version ${section.properties.version}); compare and save again.`, {
      current: strip(section),
    });
  }

  private async checkFields(trx: Kysely<DB>, input: SectionInput): Promise<void> {
    if (!(await this.zones.organisationExists(trx, input.ownerOrgId))) throw badRequest('unknown_organisation', `No organisation ${input.ownerOrgId}.`);
    if (input.personId !== null && !(await this.zones.personInOrganisation(trx, input.personId, input.ownerOrgId))) {
      throw badRequest('person_not_in_organisation', `Person ${input.personId} does not belong to organisation ${input.ownerOrgId}.`);
    }
  }

  /** The chief unit a section is given to exists and is within the user's scope. */
  private async requireOwner(trx: Kysely<DB>, user: AuthUser, organisationId: number): Promise<void> {
    const organisation = await this.places.organisation(trx, organisationId);
    if (!organisation) throw badRequest('unknown_organisation', `No organisation ${organisationId}.`);
    requireOwnerInScope(user, organisation);
  }

  /** The line laid onto its road (when `snap`), at least a metre long, and (unless previewing) inside the user's scope. */
  private async line(trx: Kysely<DB>, user: AuthUser, geometry: unknown, snap: boolean, enforceScope = true): Promise<PreparedLine> {
    const line = await this.sections.prepare(trx, geometry, user.territoryId, snap);
    if (!line || line.lengthM < 1) throw unprocessable('empty_geometry', 'The line is shorter than a metre or degenerate.');
    if (enforceScope && line.outsideM > SCOPE_TOLERANCE_M) {
      throw forbidden('out_of_scope', `${Math.round(line.outsideM)} m of the section lie outside your scope.`, { outsideM: Math.round(line.outsideM) });
    }
    return line;
  }
}

function strip(section: SectionFeature & { territoryCode?: string | null }): SectionFeature {
  const { territoryCode: _, ...rest } = section;
  return rest;
}
