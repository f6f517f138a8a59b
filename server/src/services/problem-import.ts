import { randomUUID } from 'node:crypto';
import type { DB } from '@civgrid/db';
import gcoord from 'gcoord';
import type { Kysely } from 'kysely';
import { inScope } from '../auth/scope.ts';
import type { AuthUser } from '../auth/session.service.ts';
import { badRequest, conflict, forbidden, notFound, unprocessable } from '../http/errors.ts';
import type { Actor, AuditRepository } from '../repositories/audit.repository.ts';
import { type IdempotencyRepository, idempotencyScope, requestHash, type StoredAnswer } from '../repositories/idempotency.repository.ts';
import type { ImportedEvent, ImportedProblem, ProblemImportRepository } from '../repositories/problem-import.repository.ts';
import type { CategoryRow, ProblemRepository, ProblemStatus, Routing } from '../repositories/problem.repository.ts';
import { TileRepository } from '../repositories/tile.repository.ts';
import { type CsvTable, type DateOrder, type DateResult, parseDateCell, type PositionResult, positionFromCells, positionFromPoint, readCsv, TimeZone } from './problem-import-read.ts';

export const PROBLEM_STATUSES = ['reported', 'registered', 'dispatched', 'in_progress', 'fed_back', 'verified', 'closed', 'void'] as const satisfies readonly ProblemStatus[];

/** A column's values mapped onto ours, with a value for the rest (and for empty cells). */
export interface ValueMap<T extends string> {
  column?: string | undefined;
  values: Record<string, T>;
  default?: T | undefined;
}

/** Which column of the file holds what (column names as the preview lists them). */
export interface ProblemMapping {
  lon?: string | undefined;
  lat?: string | undefined;
  /** One column with a WKT "POINT (lon lat)" or hexadecimal (E)WKB point, instead of lon and lat. */
  point?: string | undefined;
  crs: 'wgs84' | 'gcj02';
  reportedAt: string;
  closedAt?: string | undefined;
  dueAt?: string | undefined;
  /** The IANA zone of times written without an offset (Asia/Shanghai; Boston's are America/New_York). */
  timezone: string;
  dateOrder: DateOrder;
  status?: ValueMap<ProblemStatus> | undefined;
  category: ValueMap<string>;
  /** Columns joined into the description, in this order. */
  description?: string[] | undefined;
  /** The id the problem has in the file's system: the same id is never imported twice. */
  externalId?: string | undefined;
}

/** Why a row is not imported; a row has the first of these that applies, in this order. */
export const SKIP_REASONS = [
  'no_coordinates', 'bad_coordinates', 'outside_territory', 'bad_date', 'unmapped_category', 'unmapped_status', 'duplicate_in_file', 'already_imported',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Examples kept per reason (row numbers and what is wrong). */
export const EXAMPLES_PER_REASON = 20;

export interface ColumnProfile {
  name: string;
  /** Rows with a value in this column. */
  filled: number;
  /** Distinct values (counted up to 1,000; `distinctCapped` beyond). */
  distinct: number;
  distinctCapped: boolean;
  /** The most frequent values, most frequent first (30 of a category-like column, 5 of an id-like one). */
  top: { value: string; count: number }[];
}

export interface RowIssue {
  /** The row as a spreadsheet numbers it: the header is row 1, the first data row 2. */
  row: number;
  message: string;
  value?: string | undefined;
}

export interface ImportSummary {
  rows: number;
  importable: number;
  skipped: number;
  /** Rows per skip reason (every reason present, 0 when none). */
  counts: Record<SkipReason, number>;
  /** Importable rows per category id and per status. */
  categories: Record<string, number>;
  statuses: Record<string, number>;
  /** Of the importable rows: the earliest and latest report. */
  reportedFrom: string | null;
  reportedTo: string | null;
  /** [minLon, minLat, maxLon, maxLat] of the importable rows (WGS84). */
  bounds: [number, number, number, number] | null;
}

export interface ProblemImportPreview {
  /** Null when no mapping was sent: the answer only describes the file. */
  previewId: string | null;
  fileName: string;
  encoding: CsvTable['encoding'];
  delimiter: CsvTable['delimiter'];
  rowCount: number;
  columns: ColumnProfile[];
  /** The first rows as read, for the mapping screen. */
  sample: string[][];
  /** A mapping guessed from the column names. */
  suggested: Partial<ProblemMapping>;
  mapping: ProblemMapping | null;
  summary: ImportSummary | null;
  issues: Partial<Record<SkipReason, RowIssue[]>> | null;
}

export interface ProblemImportRequest {
  fileName: string;
  bytes: Uint8Array;
  mapping?: ProblemMapping | undefined;
}

/** A checked row as it waits in the preview: [row, externalId, lon, lat, categoryId, status, reportedAt, closedAt, dueAt, description]. */
type StoredRow = [number, string | null, number, number, string, ProblemStatus, string, string | null, string | null, string | null];

export interface ProblemImportCommit {
  imported: number;
  /** Skipped at the commit: imported meanwhile (same external id), or no longer inside the district. */
  alreadyImported: number;
  outsideTerritory: number;
  blindSpots: number;
  disputed: number;
  /** Problems routed to nobody (no owner and no street office at the place). */
  unowned: number;
  firstId: number | null;
  lastId: number | null;
}

const SAMPLE_ROWS = 5;
const MAX_TRACKED_DISTINCT = 1000;
const DESCRIPTION_MAX = 1000;

/** Column names that usually hold each field, most likely first (compared without case). */
const USUAL: Record<'lon' | 'lat' | 'point' | 'reportedAt' | 'closedAt' | 'dueAt' | 'status' | 'category' | 'description' | 'externalId', string[]> = {
  lon: ['longitude', 'lon', 'lng', 'long', '经度', 'gps_x', 'x'],
  lat: ['latitude', 'lat', '纬度', 'gps_y', 'y'],
  point: ['geom_4326', 'geom', 'the_geom', 'geometry', 'wkt', 'shape', '坐标'],
  reportedAt: ['open_dt', 'reported_at', 'requested_datetime', 'created_date', 'created_at', 'opened', '上报时间', '发现时间', '受理时间', '立案时间', '时间', 'date'],
  closedAt: ['closed_dt', 'closed_at', 'closed_date', 'closed', '结案时间', '销号时间', '办结时间'],
  dueAt: ['sla_target_dt', 'due_at', 'due_date', 'deadline', 'expected_datetime', '处置时限', '截止时间'],
  status: ['case_status', 'status', 'state', '案件状态', '状态'],
  category: ['type', 'category', 'service_name', 'case_type', 'problem_type', '小类', '问题类型', '案件类型', '类别'],
  description: ['case_title', 'description', 'title', 'details', '问题描述', '描述', '内容'],
  externalId: ['case_enquiry_id', 'service_request_id', 'case_id', 'id', '案件编号', '工单编号', '编号'],
};

/**
 * Imports of historical problems from CSV (issue 7, interchange): a
 * preview that describes the file (columns, their values, a guessed
 * mapping) and, with a mapping, checks every row (coordinates, inside the
 * district, dates, category and status mapped, the external id new) and is
 * kept an hour; then a commit that routes every importable row by the same
 * routing as a report and writes all of them in one transaction.
 */
export class ProblemImportService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly engine: 'embedded' | 'postgres',
    private readonly imports: ProblemImportRepository,
    private readonly problems: ProblemRepository,
    private readonly audit: AuditRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async preview(user: AuthUser, request: ProblemImportRequest): Promise<ProblemImportPreview> {
    const table = readCsv(request.fileName, request.bytes);
    const columns = profile(table);
    const base = {
      fileName: request.fileName,
      encoding: table.encoding,
      delimiter: table.delimiter,
      rowCount: table.rows.length,
      columns,
      sample: table.rows.slice(0, SAMPLE_ROWS),
      suggested: suggest(table.header, columns),
    };
    if (!request.mapping) return { previewId: null, ...base, mapping: null, summary: null, issues: null };

    const mapping = request.mapping;
    const categories = await this.problems.categories(this.db);
    const at = this.columnsOf(table.header, mapping, categories);
    const zone = new TimeZone(mapping.timezone);
    const now = this.now().getTime();

    const issues = new Map<SkipReason, RowIssue[]>();
    const counts = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>;
    const skip = (reason: SkipReason, issue: RowIssue) => {
      counts[reason]++;
      const list = issues.get(reason) ?? [];
      if (list.length < EXAMPLES_PER_REASON) list.push(issue);
      issues.set(reason, list);
    };

    // 1. every row on its own: where, when, what, which state
    const located: { i: number; row: StoredRow }[] = [];
    for (const [i, cells] of table.rows.entries()) {
      const row = i + 2;
      const cell = (index: number | undefined) => (index === undefined ? '' : (cells[index] ?? ''));
      const position: PositionResult = at.point !== undefined ? positionFromPoint(cell(at.point)) : positionFromCells(cell(at.lon), cell(at.lat));
      if (!position.ok) {
        skip(position.reason, { row, message: position.message });
        continue;
      }
      const [lon, lat] = mapping.crs === 'gcj02' ? (gcoord.transform([position.position.lon, position.position.lat], gcoord.GCJ02, gcoord.WGS84) as [number, number]) : [position.position.lon, position.position.lat];

      const reported = parseDateCell(cell(at.reportedAt), mapping.dateOrder, zone);
      if (!reported.ok) {
        skip('bad_date', { row, message: `Reported: ${reported.message}`, value: cell(at.reportedAt) || undefined });
        continue;
      }
      if (reported.date.getTime() > now + 60_000) {
        skip('bad_date', { row, message: 'Reported: the date is in the future.', value: cell(at.reportedAt) });
        continue;
      }
      const closed = optionalDate(cell(at.closedAt), mapping, zone);
      if (closed && !closed.ok) {
        skip('bad_date', { row, message: `Closed: ${closed.message}`, value: cell(at.closedAt) });
        continue;
      }
      if (closed?.ok && closed.date.getTime() < reported.date.getTime()) {
        skip('bad_date', { row, message: 'Closed before it was reported.', value: cell(at.closedAt) });
        continue;
      }
      if (closed?.ok && closed.date.getTime() > now + 60_000) {
        skip('bad_date', { row, message: 'Closed: the date is in the future.', value: cell(at.closedAt) });
        continue;
      }
      const due = optionalDate(cell(at.dueAt), mapping, zone);
      if (due && !due.ok) {
        skip('bad_date', { row, message: `Due: ${due.message}`, value: cell(at.dueAt) });
        continue;
      }

      const categoryValue = cell(at.category);
      const categoryId = own(mapping.category.values, categoryValue) ?? mapping.category.default;
      if (!categoryId) {
        skip('unmapped_category', { row, message: categoryValue ? `No category mapped for "${categoryValue}".` : 'No category, and no default category.', value: categoryValue || undefined });
        continue;
      }
      let status: ProblemStatus;
      if (mapping.status) {
        const statusValue = cell(at.status);
        const mapped = own(mapping.status.values, statusValue) ?? mapping.status.default;
        if (!mapped) {
          skip('unmapped_status', { row, message: statusValue ? `No status mapped for "${statusValue}".` : 'No status, and no default status.', value: statusValue || undefined });
          continue;
        }
        status = mapped;
      } else {
        status = closed?.ok ? 'closed' : 'reported';
      }

      const description = (at.description ?? []).map((c) => cell(c)).filter((v) => v !== '').join(' · ').slice(0, DESCRIPTION_MAX) || null;
      const externalId = cell(at.externalId).slice(0, 200) || null;
      located.push({
        i,
        row: [row, externalId, lon, lat, categoryId, status, reported.date.toISOString(), closed?.ok ? closed.date.toISOString() : null, due?.ok ? due.date.toISOString() : null, description],
      });
    }

    // 2. inside the district (one statement), then the external ids: new in the file, new to the database
    const outside = await this.imports.outside(this.db, located.map(({ i, row }) => ({ i, lon: row[2], lat: row[3] })));
    const placed = located.filter(({ i, row }) => {
      if (!outside.has(i)) return true;
      skip('outside_territory', { row: row[0], message: `(${round6(row[2])}, ${round6(row[3])}) lies outside the district.` });
      return false;
    });
    const firstRow = new Map<string, number>();
    const unique = placed.filter(({ row }) => {
      const ext = row[1];
      if (ext === null) return true;
      const earlier = firstRow.get(ext);
      if (earlier !== undefined) {
        skip('duplicate_in_file', { row: row[0], message: `The id "${ext}" is used by row ${earlier} already.`, value: ext });
        return false;
      }
      firstRow.set(ext, row[0]);
      return true;
    });
    const existing = await this.imports.existing(this.db, unique.flatMap(({ row }) => (row[1] === null ? [] : [row[1]])));
    const importable = unique.filter(({ row }) => {
      const id = row[1] === null ? undefined : existing.get(row[1]);
      if (id === undefined) return true;
      skip('already_imported', { row: row[0], message: `The id "${row[1]}" was imported before (problem ${id}).`, value: row[1]! });
      return false;
    });

    const rows = importable.map(({ row }) => row);
    const summary = summarise(table.rows.length, rows, counts);
    const previewId = randomUUID();
    await this.imports.save(this.db, { id: previewId, userId: user.id, fileName: request.fileName.slice(0, 200), rows, summary });
    return {
      previewId,
      ...base,
      mapping,
      summary,
      issues: Object.fromEntries([...issues].sort(([a], [b]) => SKIP_REASONS.indexOf(a) - SKIP_REASONS.indexOf(b))),
    };
  }

  /**
   * Writes every importable row of a preview in one transaction: each routed
   * like a report (the one owner of the category's duty there; nobody → the
   * street office, a blind spot; several → the campaign office, disputed;
   * the routing of a thousand rows in one statement, by the same rules as
   * ProblemRepository.route),
   * with the file's times on the problem and on its timeline, one audit
   * entry and one tile-layer bump. A row whose external id was imported
   * meanwhile is skipped and counted. The same Idempotency-Key again answers
   * what the first commit answered.
   */
  async commit(user: AuthUser, actor: Actor, previewId: string, idempotencyKey: string | undefined): Promise<StoredAnswer> {
    const scope = idempotencyScope('problem-import:commit', actor);
    return this.db.transaction().execute(async (trx) => {
      if (idempotencyKey) {
        const claim = await this.idempotency.claim(trx, scope, idempotencyKey, requestHash({ previewId }));
        if (claim.kind === 'replay') return claim.answer;
        if (claim.kind === 'mismatch') throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
      }
      const preview = await this.imports.take(trx, previewId, user.id);
      if (!preview) throw notFound('preview_not_found', 'No such import preview: it expired, was committed already, or is not yours. Upload the file again.');
      const rows = preview.rows as StoredRow[];
      if (rows.length === 0) throw unprocessable('nothing_to_import', 'The preview has no importable rows: nothing was written.', { summary: preview.summary });

      const categories = new Map((await this.problems.categories(trx)).map((c) => [c.id, c]));
      const gone = [...new Set(rows.map((r) => r[4]))].filter((id) => !categories.get(id)?.parentId);
      if (gone.length > 0) throw conflict('preview_stale', `The categories ${gone.join(', ')} no longer exist: preview the file again.`, { categories: gone });

      const existing = await this.imports.existing(trx, rows.flatMap((r) => (r[1] === null ? [] : [r[1]])));
      const fresh = rows.filter((r) => r[1] === null || !existing.has(r[1]));
      const answer: ProblemImportCommit = { imported: 0, alreadyImported: rows.length - fresh.length, outsideTerritory: 0, blindSpots: 0, disputed: 0, unowned: 0, firstId: null, lastId: null };

      const ids = await this.imports.reserveIds(trx, fresh.length);
      const file = preview.fileName ?? 'a file';
      const written: number[] = [];
      // rows of places outside the importer's scope: the whole commit is refused (and rolled back)
      const foreign: number[] = [];
      const CHUNK = 1000;
      for (let start = 0; start < fresh.length; start += CHUNK) {
        const problems: ImportedProblem[] = [];
        const events: ImportedEvent[] = [];
        const chunk = fresh.slice(start, start + CHUNK);
        const routings = await this.imports.route(trx, chunk.map((r, k) => ({ i: k, categoryId: r[4], lon: r[2], lat: r[3] })));
        for (const [k, r] of chunk.entries()) {
          const [row, externalId, lon, lat, categoryId, status, reportedAt, closedAt, dueAt, description] = r;
          const category = categories.get(categoryId)!;
          const routing = routings.get(k)!;
          if (!routing.insideDistrict) {
            answer.outsideTerritory++;
            continue;
          }
          if (!inScope(user, routing.placeCode)) {
            foreign.push(row);
            continue;
          }
          const routed = routedOwner(category, routing);
          const id = ids[start + k]!;
          problems.push({
            id, categoryId, status, description, lon, lat, gridId: routing.gridId, streetId: routing.streetId, ownerOrgId: routed.owner?.id ?? null,
            blindSpot: routed.blindSpot, disputed: routed.disputed, reportedAt, closedAt, dueAt, reporter: null, externalId,
          });
          const origin = `imported from ${file}, row ${row}${externalId ? `, id ${externalId}` : ''}`;
          events.push({ problemId: id, action: 'report', fromStatus: null, toStatus: 'reported', actor: actor.username, note: [origin, routed.note].filter(Boolean).join('; '), at: reportedAt });
          if (status !== 'reported') {
            events.push({ problemId: id, action: 'import', fromStatus: 'reported', toStatus: status, actor: actor.username, note: `status as in ${file}`, at: (status === 'closed' && closedAt) || reportedAt });
          }
        }
        if (foreign.length > 0) continue;
        const inserted = new Set(await this.imports.insert(trx, problems, events));
        for (const p of problems) {
          if (!inserted.has(p.id)) {
            answer.alreadyImported++;
            continue;
          }
          written.push(p.id);
          if (p.blindSpot) answer.blindSpots++;
          if (p.disputed) answer.disputed++;
          if (p.ownerOrgId === null) answer.unowned++;
        }
      }
      if (foreign.length > 0) {
        throw forbidden('out_of_scope', `${foreign.length} rows lie outside your scope; nothing was imported. Import only your own area's cases, or ask an account of the whole district.`, {
          rows: foreign.slice(0, 100),
          count: foreign.length,
        });
      }
      answer.imported = written.length;
      answer.firstId = written.length ? Math.min(...written) : null;
      answer.lastId = written.length ? Math.max(...written) : null;

      await this.audit.record(trx, actor, {
        scopeCode: user.scopeCode, action: 'import', entity: 'problem', entityId: null, before: null,
        after: { fileName: preview.fileName, previewId, ...answer },
      });
      if (written.length > 0) await new TileRepository(trx, this.engine).bumpVersion('problems');
      const stored: StoredAnswer = { status: 201, body: answer };
      if (idempotencyKey) await this.idempotency.complete(trx, scope, idempotencyKey, stored);
      return stored;
    });
  }

  /** The index of every mapped column, checked against the file's header; the categories mapped must be reportable ones. */
  private columnsOf(header: string[], mapping: ProblemMapping, categories: CategoryRow[]) {
    const index = (field: string, name: string | undefined): number | undefined => {
      if (name === undefined) return undefined;
      const i = header.indexOf(name);
      if (i < 0) throw badRequest('unknown_column', `The file has no column "${name}" (mapping.${field}).`, { field, column: name, columns: header });
      return i;
    };
    const reportable = new Set(categories.filter((c) => c.parentId !== null).map((c) => c.id));
    const wanted = [...Object.values(mapping.category.values), ...(mapping.category.default ? [mapping.category.default] : [])];
    const unknown = [...new Set(wanted.filter((id) => !reportable.has(id)))];
    if (unknown.length > 0) {
      throw badRequest('unknown_category', `No reportable category ${unknown.map((u) => `"${u}"`).join(', ')} (map onto minor classes, such as evt-env-exposed-waste).`, { categories: unknown });
    }
    if (!TimeZone.valid(mapping.timezone)) throw badRequest('unknown_timezone', `No time zone "${mapping.timezone}" (an IANA name, such as Asia/Shanghai).`);
    if (mapping.point === undefined && (mapping.lon === undefined || mapping.lat === undefined)) {
      throw badRequest('coordinates_required', 'Map the coordinates: lon and lat, or point.');
    }
    return {
      lon: index('lon', mapping.lon),
      lat: index('lat', mapping.lat),
      point: index('point', mapping.point),
      reportedAt: index('reportedAt', mapping.reportedAt)!,
      closedAt: index('closedAt', mapping.closedAt),
      dueAt: index('dueAt', mapping.dueAt),
      status: index('status.column', mapping.status?.column),
      category: index('category.column', mapping.category.column),
      description: mapping.description?.map((d, k) => index(`description.${k}`, d)!),
      externalId: index('externalId', mapping.externalId),
    };
  }
}

/** The owner of a report at a place, as ProblemService.report decides it. */
export function routedOwner(category: CategoryRow, routing: Routing): { owner: { id: number; name: string } | null; blindSpot: boolean; disputed: boolean; note: string | null } {
  const owners = routing.owners;
  if (!category.dutyTypeId) return { owner: routing.streetOffice, blindSpot: false, disputed: false, note: null };
  if (owners.length === 1) return { owner: owners[0]!, blindSpot: false, disputed: false, note: null };
  if (owners.length === 0) return { owner: routing.streetOffice, blindSpot: true, disputed: false, note: 'blind spot: no owner of the duty here' };
  return { owner: routing.campaignOffice, blindSpot: false, disputed: true, note: `disputed: ${owners.map((o) => o.name).join(', ')}` };
}

/** A value map's entry for a cell (an empty cell, or a name like "constructor", has none). */
function own<T>(values: Record<string, T>, key: string): T | undefined {
  return key !== '' && Object.hasOwn(values, key) ? values[key] : undefined;
}

function optionalDate(text: string, mapping: ProblemMapping, zone: TimeZone): DateResult | null {
  if (text === '') return null;
  return parseDateCell(text, mapping.dateOrder, zone);
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

function summarise(total: number, rows: StoredRow[], counts: Record<SkipReason, number>): ImportSummary {
  const categories: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  let bounds: [number, number, number, number] | null = null;
  let from: string | null = null;
  let to: string | null = null;
  for (const r of rows) {
    categories[r[4]] = (categories[r[4]] ?? 0) + 1;
    statuses[r[5]] = (statuses[r[5]] ?? 0) + 1;
    bounds = bounds ? [Math.min(bounds[0], r[2]), Math.min(bounds[1], r[3]), Math.max(bounds[2], r[2]), Math.max(bounds[3], r[3])] : [r[2], r[3], r[2], r[3]];
    if (from === null || r[6] < from) from = r[6];
    if (to === null || r[6] > to) to = r[6];
  }
  return { rows: total, importable: rows.length, skipped: total - rows.length, counts, categories, statuses, reportedFrom: from, reportedTo: to, bounds };
}

/** Per column: how full it is and its most frequent values (what a mapping screen offers). */
function profile(table: CsvTable): ColumnProfile[] {
  return table.header.map((name, c) => {
    const counts = new Map<string, number>();
    let filled = 0;
    let capped = false;
    for (const row of table.rows) {
      const value = row[c] ?? '';
      if (value === '') continue;
      filled++;
      const n = counts.get(value);
      if (n !== undefined) counts.set(value, n + 1);
      else if (counts.size < MAX_TRACKED_DISTINCT) counts.set(value, 1);
      else capped = true;
    }
    const categoryLike = counts.size <= 200 && !capped;
    const top = [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, categoryLike ? 30 : 5)
      .map(([value, count]) => ({ value, count }));
    return { name, filled, distinct: counts.size, distinctCapped: capped, top };
  });
}

/** A mapping guessed from the column names (compared without case); nothing is guessed for value maps. */
function suggest(header: string[], columns: ColumnProfile[]): Partial<ProblemMapping> {
  const find = (field: keyof typeof USUAL) => {
    for (const usual of USUAL[field]) {
      const hit = header.find((h) => h.trim().toLowerCase() === usual);
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
  const lon = find('lon');
  const lat = find('lat');
  const point = lon && lat ? undefined : find('point');
  const description = find('description');
  const status = find('status');
  const category = find('category');
  // an id column is only an id when its values are unique
  const externalId = find('externalId');
  const idColumn = columns.find((c) => c.name === externalId);
  return {
    ...(lon && lat ? { lon, lat } : point ? { point } : {}),
    crs: 'wgs84',
    reportedAt: find('reportedAt'),
    closedAt: find('closedAt'),
    dueAt: find('dueAt'),
    timezone: 'Asia/Shanghai',
    dateOrder: 'ymd',
    status: status ? { column: status, values: {} } : undefined,
    category: { column: category, values: {} },
    description: description ? [description] : undefined,
    externalId: idColumn && (idColumn.distinctCapped || idColumn.distinct === idColumn.filled) ? externalId : undefined,
  };
}
