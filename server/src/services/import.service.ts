import { randomUUID } from 'node:crypto';
import type { DB } from '@civgrid/db';
import type { Kysely } from 'kysely';
import { servesScope } from '../auth/scope.ts';
import type { AuthUser } from '../auth/session.service.ts';
import { badRequest, forbidden, notFound, unprocessable } from '../http/errors.ts';
import { MAX_EDIT_VERTICES } from '../http/geojson.ts';
import { checkUpload } from '../http/upload.ts';
import type { Actor, AuditRepository } from '../repositories/audit.repository.ts';
import { type IdempotencyRepository, idempotencyScope, requestHash, type StoredAnswer } from '../repositories/idempotency.repository.ts';
import type { CheckedRow, ImportRepository } from '../repositories/import.repository.ts';
import type { RoadSectionRepository, StoredSection } from '../repositories/road-section.repository.ts';
import { PlaceRepository } from '../repositories/place.repository.ts';
import { TileRepository } from '../repositories/tile.repository.ts';
import type { StoredZone, ZoneRepository } from '../repositories/zone.repository.ts';
import { SCOPE_TOLERANCE_M as SECTION_SCOPE_TOLERANCE_M } from './road-section.service.ts';
import { SCOPE_TOLERANCE_M2 } from './zone.service.ts';
import type { Bounds } from '../http/geo-bounds.ts';
import { checkShape, type ImportGeometry, looksProjected, rangeProblem, type ShapeKind, toWgs84 } from './import-geometry.ts';
import { countPositions, type CrsId, type DeclaredCrs, readFile, tooManyFeatures } from './import-read.ts';

/** Largest file an import reads. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
/** Most features one import takes: a district's zones of one duty are a few hundred. */
export const MAX_IMPORT_FEATURES = 5_000;

export type ImportLayer = 'zones' | 'road-sections';
export type FeatureStatus = 'ok' | 'repaired' | 'invalid' | 'outside_territory' | 'unknown_owner';
/** Statuses that stop the whole import: it is all or nothing. */
export const BLOCKING: readonly FeatureStatus[] = ['invalid', 'outside_territory', 'unknown_owner'];

export interface Finding {
  code: string;
  message: string;
  [detail: string]: unknown;
}

export interface PreviewFeature {
  index: number;
  name: string;
  ownerOrgId: number | null;
  ownerName: string | null;
  status: FeatureStatus;
  findings: Finding[];
  /** WGS84, after conversion and repair; null when the geometry could not be used. */
  geometry: unknown;
}

/** A previewed feature as stored for its commit. */
interface StoredFeature extends PreviewFeature {
  ewkt: string | null;
  /** Area (m²) of a zone, length (m) of a road section. */
  size: number;
}

export interface CrsUsed {
  id: CrsId | 'projected';
  /** Taken from the file (its .prj, its crs member, KML's fixed WGS84, or metre-sized coordinates) rather than the request or the default. */
  detected: boolean;
  source: 'request' | 'prj' | 'geojson' | 'kml' | 'coordinates' | 'default';
  name?: string | undefined;
}

export interface ImportPreview {
  previewId: string;
  layer: ImportLayer;
  duty: string | null;
  format: 'geojson' | 'shapefile' | 'kml';
  crs: CrsUsed;
  fields: string[];
  mapping: { nameField: string | null; ownerField: string | null };
  features: PreviewFeature[];
  summary: { total: number; importable: number; blocked: number };
}

export interface ImportRequest {
  fileName: string;
  bytes: Uint8Array;
  layer: ImportLayer;
  duty?: string | undefined;
  crs?: CrsId | undefined;
  nameField?: string | undefined;
  ownerField?: string | undefined;
  /** Owner of the features whose owner column is empty or names nobody known. */
  ownerOrgId?: number | undefined;
  /** Where the features must lie (geo-bounds.ts): a feature outside is invalid, not sent to PostGIS. */
  bounds: Bounds;
}

/** Column names that usually hold a feature's name, then its owner, in order of preference. */
const NAME_FIELDS = ['name', '名称', '责任区名称', '责任区', '区域名称', '路段名称', '路段', 'zone_name', 'zonename', 'title', 'mc', 'label'];
const OWNER_FIELDS = ['owner', 'ownerorgid', 'owner_id', 'owner_name', 'ownername', '责任单位', '单位', '所属单位', '路段长单位', '权属单位', '管理单位', 'org', 'organisation', 'organization', 'dept', 'department'];

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Positions repaired and measured by PostGIS in one statement. */
const CHECK_BATCH_POSITIONS = 10_000;

/** Features in consecutive batches of at most `maxPositions` positions (a larger feature alone). */
function batchesOf<T extends { geometry: ImportGeometry }>(features: T[], maxPositions: number): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let positions = 0;
  for (const feature of features) {
    const n = countPositions([{ geometry: feature.geometry, properties: {} }]);
    if (batch.length > 0 && positions + n > maxPositions) {
      batches.push(batch);
      batch = [];
      positions = 0;
    }
    batch.push(feature);
    positions += n;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Imports of zones and road sections from GeoJSON, zipped Shapefiles and
 * KML: a preview with per-feature findings (converted to WGS84, repaired,
 * checked against the planner's territory and the existing zones), kept an
 * hour, then a commit that writes all of it in one transaction or nothing.
 */
export class ImportService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly engine: 'embedded' | 'postgres',
    private readonly imports: ImportRepository,
    private readonly zones: ZoneRepository,
    private readonly sections: RoadSectionRepository,
    private readonly audit: AuditRepository,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  private readonly places = new PlaceRepository();

  async preview(user: AuthUser, request: ImportRequest): Promise<ImportPreview> {
    const kind = checkUpload(request.fileName, request.bytes, { allowed: ['zip', 'xml', 'json'], maxBytes: MAX_IMPORT_BYTES });
    const duty = request.layer === 'zones' ? await this.checkDuty(request.duty) : null;
    const defaultOwner = request.ownerOrgId === undefined ? undefined : await this.imports.organisation(this.db, request.ownerOrgId);
    if (request.ownerOrgId !== undefined && !defaultOwner) throw badRequest('unknown_organisation', `No organisation ${request.ownerOrgId}.`);

    const file = readFile(request.bytes, kind, request.crs, MAX_IMPORT_FEATURES);
    if (file.features.length === 0) throw badRequest('no_features', 'The file holds no features.');
    if (file.features.length > MAX_IMPORT_FEATURES) throw tooManyFeatures(MAX_IMPORT_FEATURES, file.features.length);
    const crs = crsOf(request.crs, file.declared, file.features.map((f) => f.geometry));
    const fields = fieldsOf(file.features.map((f) => f.properties));
    const nameField = pickField(fields, request.nameField, NAME_FIELDS, 'nameField');
    const ownerField = pickField(fields, request.ownerField, OWNER_FIELDS, 'ownerField');

    // Shape, conversion and range in JavaScript; what passes goes to PostGIS in one statement.
    const shapeKind: ShapeKind = request.layer === 'zones' ? 'polygon' : 'line';
    const convertFrom: CrsId = crs.id === 'projected' ? 'wgs84' : crs.id;
    const shapes = file.features.map((f) => {
      const checked = checkShape(f.geometry, shapeKind, MAX_EDIT_VERTICES);
      if (!checked.ok) return checked;
      const geometry = toWgs84(checked.geometry, convertFrom);
      const problem = rangeProblem(geometry, request.bounds);
      return problem ? { ok: false as const, problem } : { ...checked, geometry };
    });
    const passed = shapes.flatMap((s, index) => (s.ok ? [{ index, geometry: s.geometry as ImportGeometry }] : []));
    // in batches: each statement's working memory (the embedded engine's grows and stays) is bounded whatever the file
    const rows: CheckedRow[] = [];
    for (const batch of batchesOf(passed, CHECK_BATCH_POSITIONS)) {
      rows.push(...(shapeKind === 'polygon'
        ? await this.imports.checkPolygons(this.db, batch, user.territoryId, duty!, SCOPE_TOLERANCE_M2)
        : await this.imports.checkLines(this.db, batch, user.territoryId)));
    }
    const checkedRows = new Map<number, CheckedRow>(rows.map((r) => [r.index, r]));
    const owners = await this.owners(file.features.map((f) => (ownerField ? f.properties[ownerField] : undefined)));
    const stem = request.fileName.replace(/\.[^.]*$/, '').replace(/[^\p{L}\p{N} _-]/gu, '').slice(0, 60) || '导入';

    const features: StoredFeature[] = file.features.map((f, index) => {
      const findings: Finding[] = [];
      let status: FeatureStatus = 'ok';
      const raise = (s: FeatureStatus) => {
        const order: FeatureStatus[] = ['ok', 'repaired', 'unknown_owner', 'outside_territory', 'invalid'];
        if (order.indexOf(s) > order.indexOf(status)) status = s;
      };
      const rawName = nameField ? f.properties[nameField] : undefined;
      let name = rawName === undefined || rawName === null ? '' : String(rawName).trim().slice(0, 100);
      if (!name) {
        name = `${stem} ${index + 1}`;
        findings.push({ code: 'unnamed', message: `No name${nameField ? ` in "${nameField}"` : ''}; named "${name}".` });
      }
      const rawOwner = ownerField ? f.properties[ownerField] : undefined;
      let owner = owners(rawOwner);
      if (!owner && defaultOwner) {
        owner = defaultOwner;
        if (rawOwner !== undefined && rawOwner !== null && String(rawOwner).trim() !== '') {
          findings.push({ code: 'default_owner', message: `No organisation "${String(rawOwner).slice(0, 60)}"; the default owner ${defaultOwner.name} is used.` });
        }
      }
      if (!owner) {
        raise('unknown_owner');
        const said = rawOwner === undefined || rawOwner === null || String(rawOwner).trim() === '' ? null : String(rawOwner).slice(0, 60);
        findings.push({
          code: 'unknown_owner',
          message: said ? `No organisation "${said}": map it, or give a default owner.` : 'No owner: map the owner column, or give a default owner.',
          value: said,
        });
      }

      const shape = shapes[index]!;
      const row = checkedRows.get(index);
      let geometry: unknown = null;
      let ewkt: string | null = null;
      let size = 0;
      if (!shape.ok && shape.problem.code === 'geometry_out_of_bounds') {
        // far from the territory (often a wrong coordinate system): outside, as a planner reads it, never sent to PostGIS
        raise('outside_territory');
        findings.push({ code: 'geometry_out_of_bounds', message: shape.problem.message });
      } else if (!shape.ok) {
        raise('invalid');
        findings.push({ code: 'invalid', message: shape.problem.message, reason: shape.problem.code });
      } else if (!row?.ewkt || row.size < 1) {
        raise('invalid');
        findings.push({
          code: 'invalid', reason: 'empty_geometry',
          message: shapeKind === 'polygon' ? 'Nothing of the polygon is left after repair: it has no area.' : 'The line is shorter than a metre or degenerate.',
        });
      } else {
        geometry = row.geojson;
        ewkt = row.ewkt;
        size = row.size;
        if (row.repaired || shape.ringsClosed > 0) {
          raise('repaired');
          findings.push({
            code: 'repaired',
            message: row.repaired ? 'The geometry was invalid (self-intersecting or degenerate) and was repaired.' : 'An unclosed ring was closed.',
          });
        }
        if (row.clippedM2 > 0) {
          raise('repaired');
          findings.push({
            code: 'clipped',
            message: `${round1(row.clippedM2)} m² of slivers thinner than 10 cm along the edge of your territory were cut off.`,
            areaM2: round1(row.clippedM2),
          });
        }
        const tolerance = shapeKind === 'polygon' ? SCOPE_TOLERANCE_M2 : SECTION_SCOPE_TOLERANCE_M;
        if (row.outside > tolerance) {
          raise('outside_territory');
          findings.push(shapeKind === 'polygon'
            ? { code: 'outside_territory', message: `${Math.round(row.outside)} m² lie outside your territory.`, outsideM2: Math.round(row.outside) }
            : { code: 'outside_territory', message: `${Math.round(row.outside)} m lie outside your territory.`, outsideM: Math.round(row.outside) });
        }
        if (row.overlaps.length > 0) {
          const areaM2 = round1(row.overlaps.reduce((sum, o) => sum + o.areaM2, 0));
          findings.push({ code: 'overlaps_existing', message: `Overlaps ${row.overlaps.length} existing zone(s) of this duty by ${areaM2} m².`, areaM2, zones: row.overlaps });
        }
      }
      return { index, name, ownerOrgId: owner?.id ?? null, ownerName: owner?.name ?? null, status, findings, geometry, ewkt, size };
    });

    const previewId = randomUUID();
    await this.imports.save(this.db, { id: previewId, userId: user.id, layer: request.layer, duty, fileName: request.fileName.slice(0, 200), features });
    const blocked = features.filter((f) => BLOCKING.includes(f.status)).length;
    return {
      previewId,
      layer: request.layer,
      duty,
      format: file.format,
      crs,
      fields,
      mapping: { nameField, ownerField },
      features: features.map(({ ewkt: _e, size: _s, ...f }) => f),
      summary: { total: features.length, importable: features.length - blocked, blocked },
    };
  }

  /**
   * Writes every feature of a preview, in one transaction, through the same
   * repository writes as a drawn zone or section (with version rows, an audit
   * entry each and one tile-layer bump), and deletes the preview. Any blocked
   * feature → 422 and nothing written.
   */
  async commit(user: AuthUser, actor: Actor, previewId: string, comment: string | null, idempotencyKey: string | undefined): Promise<StoredAnswer> {
    const scope = idempotencyScope('import:commit', actor);
    return this.db.transaction().execute(async (trx) => {
      if (idempotencyKey) {
        const claim = await this.idempotency.claim(trx, scope, idempotencyKey, requestHash({ previewId, comment }));
        if (claim.kind === 'replay') return claim.answer;
        if (claim.kind === 'mismatch') throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
      }
      const preview = await this.imports.take(trx, previewId, user.id);
      if (!preview) throw notFound('preview_not_found', 'No such import preview: it expired, was committed already, or is not yours. Upload the file again.');
      const features = preview.features as StoredFeature[];
      const blocked = features.filter((f) => BLOCKING.includes(f.status) || !f.ewkt || f.ownerOrgId === null);
      if (blocked.length > 0) {
        throw unprocessable('import_blocked', `${blocked.length} of ${features.length} features cannot be imported; nothing was written. Fix the file and upload it again.`, {
          features: blocked.map((f) => ({ index: f.index, name: f.name, status: f.status, findings: f.findings })),
        });
      }
      // every owner must be the importer's to give, as for a drawn zone or section
      const owners = await this.places.organisations(trx, features.map((f) => f.ownerOrgId!));
      const foreign = features.filter((f) => !servesScope(user, owners.get(f.ownerOrgId!)?.territoryCode ?? null));
      if (foreign.length > 0) {
        throw forbidden('owner_out_of_scope', `${foreign.length} of ${features.length} features would be given to organisations of another area than your scope; nothing was written.`, {
          features: foreign.map((f) => ({ index: f.index, name: f.name, ownerOrgId: f.ownerOrgId })),
        });
      }
      const note = comment ?? `imported from ${preview.fileName ?? 'a file'}`;
      const created: number[] = [];
      if (preview.layer === 'zones') {
        for (const f of features) {
          const id = await this.zones.insert(trx, { duty: preview.duty!, name: f.name, ownerOrgId: f.ownerOrgId!, personId: null }, f.ewkt!, actor.username, note);
          const zone = (await this.zones.feature(id, trx)) as StoredZone;
          await this.audit.record(trx, actor, { scopeCode: zone.territoryCode ?? user.scopeCode, action: 'create', entity: 'zone', entityId: id, before: null, after: auditedZone(zone) });
          created.push(id);
        }
        await new TileRepository(trx, this.engine).bumpVersion('zones');
      } else {
        for (const f of features) {
          const line = { ewkt: f.ewkt!, roadId: null, roadName: null, lengthM: f.size, outsideM: 0 };
          const id = await this.sections.insert(trx, { name: f.name, ownerOrgId: f.ownerOrgId!, personId: null }, line, actor.username, note);
          const section = (await this.sections.feature(id, trx)) as StoredSection;
          await this.audit.record(trx, actor, { scopeCode: section.territoryCode ?? user.scopeCode, action: 'create', entity: 'road-section', entityId: id, before: null, after: auditedSection(section) });
          created.push(id);
        }
        await new TileRepository(trx, this.engine).bumpVersion('road-sections');
      }
      const answer: StoredAnswer = { status: 201, body: { layer: preview.layer, created, count: created.length } };
      if (idempotencyKey) await this.idempotency.complete(trx, scope, idempotencyKey, answer);
      return answer;
    });
  }

  private async checkDuty(duty: string | undefined): Promise<string> {
    if (!duty) throw badRequest('duty_required', 'Importing zones needs their duty type (form field "duty").');
    if (!(await this.zones.dutyExists(this.db, duty))) throw badRequest('unknown_duty', `No duty type "${duty}".`);
    return duty;
  }

  /** A look-up of owner column values: an organisation id, or an organisation's exact name. */
  private async owners(values: unknown[]): Promise<(value: unknown) => { id: number; name: string } | undefined> {
    const text = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());
    const ids = [...new Set(values.map(text).filter((v) => /^\d{1,9}$/.test(v)).map(Number))];
    const names = [...new Set(values.map(text).filter((v) => v !== '' && v.length <= 200))];
    const found = await this.imports.organisations(this.db, ids, names);
    const byId = new Map(found.map((o) => [o.id, o]));
    const byName = new Map<string, { id: number; name: string }>();
    for (const o of found) if (!byName.has(o.name)) byName.set(o.name, o);
    return (value) => {
      const v = text(value);
      if (v === '') return undefined;
      return byName.get(v) ?? (/^\d{1,9}$/.test(v) ? byId.get(Number(v)) : undefined);
    };
  }
}

/** The coordinate system used: the planner's choice, else what the file says, else metres mean Web Mercator, else WGS84. */
function crsOf(requested: CrsId | undefined, declared: DeclaredCrs | null, geometries: unknown[]): CrsUsed {
  if (requested) return { id: requested, detected: false, source: 'request' };
  if (declared) return { id: declared.id, detected: true, source: declared.source, name: declared.name };
  if (looksProjected(geometries)) return { id: 'epsg3857', detected: true, source: 'coordinates' };
  return { id: 'wgs84', detected: false, source: 'default' };
}

/** Attribute columns, in the order first seen. */
function fieldsOf(properties: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const p of properties) for (const key of Object.keys(p)) if (seen.size < 500) seen.add(key);
  return [...seen];
}

/** The column asked for (which must exist), or the first usual name found (any case). */
function pickField(fields: string[], asked: string | undefined, usual: string[], parameter: string): string | null {
  if (asked !== undefined) {
    if (!fields.includes(asked)) throw badRequest('unknown_field', `The file has no column "${asked}" for ${parameter}.`, { fields });
    return asked;
  }
  for (const candidate of usual) {
    const hit = fields.find((f) => f.trim().toLowerCase() === candidate);
    if (hit !== undefined) return hit;
  }
  return null;
}

const auditedZone = (z: StoredZone) => ({
  name: z.properties.name,
  duty: z.properties.duty,
  ownerOrgId: z.properties.ownerOrgId,
  personId: z.properties.personId,
  version: z.properties.version,
  areaM2: z.properties.areaM2,
  geometry: z.geometry,
});

const auditedSection = (s: StoredSection) => ({
  name: s.properties.name,
  ownerOrgId: s.properties.ownerOrgId,
  personId: s.properties.personId,
  roadId: s.properties.roadId,
  version: s.properties.version,
  lengthM: s.properties.lengthM,
  geometry: s.geometry,
});
