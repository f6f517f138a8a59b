import type { DB } from '@civgrid/db';
import type { Kysely } from 'kysely';
import { requireOwnerInScope } from '../auth/scope.ts';
import type { AuthUser } from '../auth/session.service.ts';
import { conflict, forbidden, notFound, unprocessable } from '../http/errors.ts';
import type { Actor, AuditRepository } from '../repositories/audit.repository.ts';
import type { InspectionPointChanges, InspectionPointDetail, InspectionPointRepository } from '../repositories/inspection-point.repository.ts';
import { PlaceRepository } from '../repositories/place.repository.ts';
import { TileRepository } from '../repositories/tile.repository.ts';
import { inScope } from './user.service.ts';

/** What the audit trail keeps of a point: its people by id and name, its version. */
const audited = (p: InspectionPointDetail) => ({
  code: p.code,
  name: p.name,
  address: p.address,
  version: p.version,
  leader: p.leader ? { id: p.leader.id, name: p.leader.name } : null,
  department: p.department,
  people: p.people.map((person) => ({ id: person.id, name: person.name })),
});

/** Length of a district's territory code: a scope this short covers the whole district. */
const DISTRICT_CODE_LENGTH = 6;

/**
 * Changes to an inspection point's people and names (备检点责任人): the
 * leader, the department, the responsible people. Every change checks the
 * version the editor saw (409 with the current point when it is stale),
 * refers only to people and organisations that exist (422), bumps the
 * version (a check made against an older one is flagged) and is audited in
 * the same transaction.
 */
export class InspectionPointService {
  private readonly places = new PlaceRepository();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly engine: 'embedded' | 'postgres',
    private readonly points: InspectionPointRepository,
    private readonly audit: AuditRepository,
  ) {}

  async update(user: AuthUser, actor: Actor, id: number, version: number, changes: InspectionPointChanges): Promise<InspectionPointDetail> {
    return this.db.transaction().execute(async (trx) => {
      const before = await this.points.findById(id, trx);
      if (!before) throw notFound('inspection_point_not_found', `No inspection point with id ${id}`);
      const code = await this.points.territoryCode(trx, id);
      // a point outside every community belongs to the district as a whole
      if (code === null ? user.scopeCode.length > DISTRICT_CODE_LENGTH : !inScope(user, code)) {
        throw forbidden('out_of_scope', `Inspection point ${before.code} is not within your scope.`);
      }
      if (before.version !== version) throw this.stale(before);
      await this.checkReferences(trx, changes);
      await this.checkNewPeopleServe(trx, user, before, changes);
      if (!(await this.points.update(trx, id, version, changes))) {
        throw this.stale((await this.points.findById(id, trx)) ?? before);
      }
      const after = (await this.points.findById(id, trx)) as InspectionPointDetail;
      await this.audit.record(trx, actor, {
        scopeCode: code ?? user.scopeCode, action: 'update', entity: 'inspection_point', entityId: id, before: audited(before), after: audited(after),
      });
      await new TileRepository(trx, this.engine).bumpVersion('inspection-points');
      return after;
    });
  }

  private stale(current: InspectionPointDetail) {
    return conflict('version_conflict', `Inspection point ${current.code} was changed by someone else (now version ${current.version}); reload it and change it again.`, {
      current,
    });
  }

  /**
   * The department and the people newly given to the point serve the user's scope (their
   * organisations lie within it or above it), as for a zone's owner: a street's planner does
   * not make another street's unit answer for the street's point. People kept stay.
   */
  private async checkNewPeopleServe(trx: Kysely<DB>, user: AuthUser, before: InspectionPointDetail, changes: InspectionPointChanges): Promise<void> {
    if (changes.departmentOrgId != null && changes.departmentOrgId !== before.department?.id) {
      const department = await this.places.organisation(trx, changes.departmentOrgId);
      if (department) requireOwnerInScope(user, department);
    }
    const had = new Set([...before.people.map((p) => p.id), ...(before.leader ? [before.leader.id] : [])]);
    const added = [...(changes.peopleIds ?? []), ...(changes.leaderPersonId == null ? [] : [changes.leaderPersonId])].filter((id) => !had.has(id));
    for (const organisation of (await this.places.organisationsOfPeople(trx, added)).values()) requireOwnerInScope(user, organisation);
  }

  private async checkReferences(trx: Kysely<DB>, changes: InspectionPointChanges): Promise<void> {
    const people = [...(changes.peopleIds ?? []), ...(changes.leaderPersonId == null ? [] : [changes.leaderPersonId])];
    const missing = await this.points.missingPeople(trx, people);
    if (missing.length > 0) throw unprocessable('unknown_person', `No person with id ${missing.join(', ')}.`, { ids: missing });
    if (changes.departmentOrgId != null && !(await this.points.organisationExists(trx, changes.departmentOrgId))) {
      throw unprocessable('unknown_organisation', `No organisation with id ${changes.departmentOrgId}.`, { ids: [changes.departmentOrgId] });
    }
  }
}
