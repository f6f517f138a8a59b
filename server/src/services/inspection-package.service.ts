import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type BBox, extractPMTiles, PMTilesFileSource, PMTilesReader } from '@civgrid/tiles/node';
import type { Feature, FeatureCollection } from 'geojson';
import type { AuthUser } from '../auth/session.service.ts';
import { forbidden, notFound } from '../http/errors.ts';
import type { CategoryRow } from '../repositories/problem.repository.ts';
import type {
  InspectionPackageRepository,
  PackageChecklistItem,
  PackageGroup,
  PackagePoint,
  PackageProblem,
  PackageRound,
} from '../repositories/inspection-package.repository.ts';

/** Open problems within this distance of a group's points travel with the package. */
export const PACKAGE_PROBLEM_RADIUS_M = 200;
/** At most this many of them (overdue first, then the newest). */
export const PACKAGE_PROBLEM_LIMIT = 500;
/** The basemap extract covers the points and the route grown by this much on every side. */
export const PACKAGE_BASEMAP_MARGIN_M = 500;
/** Extracts kept in memory, keyed by package version and archive version. */
const EXTRACT_CACHE_ENTRIES = 16;

/** The group's route as GET /api/inspection/rounds/:id/routes?group= answers it (route line + numbered stops). */
export type RouteSource = (roundId: number, groupId: number) => Promise<FeatureCollection>;

/** Everything in a package that a change on the server makes stale (the version is its hash). */
export interface PackageContent {
  round: PackageRound;
  group: PackageGroup;
  route: FeatureCollection;
  points: PackagePoint[];
  checklists: Record<string, PackageChecklistItem[]>;
}

export interface PackageBasemap {
  /** Where to download the extract (same origin, needs the session). */
  url: string;
  /** [west, south, east, north] of the extract. */
  bbox: BBox;
  minzoom: number;
  maxzoom: number;
  bytes: number;
  tiles: number;
}

export interface FieldPackage extends PackageContent {
  version: string;
  generatedAt: string;
  problems: PackageProblem[];
  problemRadiusM: number;
  categories: CategoryRow[];
  /** null when the installation has no built-in basemap (or it has no tile here). */
  basemap: PackageBasemap | null;
}

interface Extract {
  bytes: Uint8Array;
  bbox: BBox;
  minzoom: number;
  maxzoom: number;
  tiles: number;
}

/**
 * The version of a package: a hash of everything in it that the server may
 * change under a device that has downloaded it (the round, the group and its
 * members, the assignment and visiting order, the route, each point with its
 * version, people and phones, the checklist items). It leaves out the open
 * problems nearby and the categories, which are a snapshot for reading (a new
 * citizen report nearby does not outdate a route), and the basemap archive.
 * Stable key order: the objects are built in one order by the repository.
 */
export function packageVersion(content: PackageContent): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 20);
}

/** The bbox of every coordinate of the points and the route, grown by `marginM` metres. */
export function packageBBox(points: readonly { lon: number; lat: number }[], route: FeatureCollection, marginM: number): BBox | null {
  let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
  const add = (lon: number, lat: number) => {
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return;
    west = Math.min(west, lon);
    east = Math.max(east, lon);
    south = Math.min(south, lat);
    north = Math.max(north, lat);
  };
  for (const p of points) add(p.lon, p.lat);
  const walk = (coords: unknown): void => {
    if (!Array.isArray(coords)) return;
    if (typeof coords[0] === 'number') add(coords[0], coords[1] as number);
    else for (const c of coords) walk(c);
  };
  for (const f of route.features as Feature[]) if (f.geometry && 'coordinates' in f.geometry) walk(f.geometry.coordinates);
  if (west > east) return null;
  const dLat = marginM / 111_320;
  const middle = ((south + north) / 2) * (Math.PI / 180);
  const dLon = marginM / (111_320 * Math.max(Math.cos(middle), 0.01));
  return [west - dLon, Math.max(south - dLat, -85), east + dLon, Math.min(north + dLat, 85)];
}

/**
 * The offline package of one group in one round (GET
 * /api/inspection/rounds/:id/package?group=): what the field app stores on
 * the device to walk the route and fill the checklists without a network.
 */
export class InspectionPackageService {
  private readonly extracts = new Map<string, Promise<Extract | undefined>>();

  constructor(
    private readonly repository: InspectionPackageRepository,
    private readonly categories: () => Promise<CategoryRow[]>,
    private readonly routeOf: RouteSource,
    private readonly tilesDir: string | undefined,
  ) {}

  /**
   * The round and the group, or 404; 403 `not_group_member` for an inspector
   * outside the group (admins and supervisors may read any group's package).
   */
  async access(user: AuthUser, roundId: number, groupId: number): Promise<{ round: PackageRound; group: PackageGroup }> {
    const round = await this.repository.round(roundId);
    if (!round) throw notFound('round_not_found', `No inspection round with id ${roundId}`);
    const group = await this.repository.group(roundId, groupId);
    if (!group) throw notFound('group_not_found', `Round ${roundId} has no group with id ${groupId}`);
    if (user.role === 'inspector' && !(await this.repository.isMember(groupId, user.id))) {
      throw forbidden('not_group_member', `You are not a member of ${group.name}: only its members download its route.`);
    }
    return { round, group };
  }

  /** The versioned part of the package (see `packageVersion`). */
  async content(round: PackageRound, group: PackageGroup): Promise<PackageContent> {
    // the route first: reading it computes and stores a missing one, with the visiting order the points then have
    const route = await this.routeOf(round.id, group.id);
    const points = await this.repository.points(round.id, group.id);
    const checklists = await this.repository.checklists([...new Set(points.map((p) => p.pointType))]);
    return { round, group, route, points, checklists };
  }

  async version(user: AuthUser, roundId: number, groupId: number): Promise<string> {
    const { round, group } = await this.access(user, roundId, groupId);
    return packageVersion(await this.content(round, group));
  }

  async package(user: AuthUser, roundId: number, groupId: number): Promise<FieldPackage> {
    const { round, group } = await this.access(user, roundId, groupId);
    const content = await this.content(round, group);
    const version = packageVersion(content);
    const [problems, categories, extract] = await Promise.all([
      this.repository.problemsNear(content.points.map((p) => p.id), PACKAGE_PROBLEM_RADIUS_M, PACKAGE_PROBLEM_LIMIT),
      this.categories(),
      this.extract(content, version),
    ]);
    return {
      version,
      generatedAt: new Date().toISOString(),
      ...content,
      problems,
      problemRadiusM: PACKAGE_PROBLEM_RADIUS_M,
      categories,
      basemap: extract
        ? {
            url: `/api/inspection/rounds/${round.id}/package/basemap.pmtiles?group=${group.id}`,
            bbox: extract.bbox,
            minzoom: extract.minzoom,
            maxzoom: extract.maxzoom,
            bytes: extract.bytes.length,
            tiles: extract.tiles,
          }
        : null,
    };
  }

  /** The basemap extract of the package and its version, or 404 when there is none. */
  async basemap(user: AuthUser, roundId: number, groupId: number): Promise<{ version: string; bytes: Uint8Array }> {
    const { round, group } = await this.access(user, roundId, groupId);
    const content = await this.content(round, group);
    const version = packageVersion(content);
    const extract = await this.extract(content, version);
    if (!extract) {
      throw notFound('no_basemap', this.tilesDir
        ? 'The built-in basemap has no tile around this group\'s points (or the group has no point).'
        : 'This installation has no built-in basemap (pnpm tiles:basemap builds it).');
    }
    return { version, bytes: extract.bytes };
  }

  /**
   * The built-in basemap cut to the package's area, every zoom of the archive,
   * made once per package version and archive version (size + mtime).
   */
  private async extract(content: PackageContent, version: string): Promise<Extract | undefined> {
    if (!this.tilesDir) return undefined;
    const path = join(this.tilesDir, 'basemap.pmtiles');
    let archive: string;
    try {
      const info = await stat(path);
      if (!info.isFile()) return undefined;
      archive = `${info.size}-${info.mtimeMs}`;
    } catch {
      return undefined; // no built-in basemap
    }
    const bbox = packageBBox(content.points, content.route, PACKAGE_BASEMAP_MARGIN_M);
    if (!bbox) return undefined;
    const key = `${version}:${archive}`;
    let made = this.extracts.get(key);
    if (made) {
      // most recently used last
      this.extracts.delete(key);
      this.extracts.set(key, made);
      return made;
    }
    made = (async () => {
      const source = await PMTilesFileSource.open(path);
      try {
        const cut = await extractPMTiles(new PMTilesReader(source), bbox);
        if (!cut) return undefined;
        const { header } = cut;
        return {
          bytes: cut.bytes,
          bbox: [header.minLon, header.minLat, header.maxLon, header.maxLat] as BBox,
          minzoom: header.minZoom,
          maxzoom: header.maxZoom,
          tiles: cut.tiles,
        };
      } finally {
        await source.close();
      }
    })();
    made.catch(() => this.extracts.delete(key));
    this.extracts.set(key, made);
    for (const old of this.extracts.keys()) {
      if (this.extracts.size <= EXTRACT_CACHE_ENTRIES) break;
      this.extracts.delete(old);
    }
    return made;
  }
}

