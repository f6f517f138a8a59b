import type { Database } from '@civgrid/db';
import type { Basemap } from '@civgrid/tiles';
import { AreaRepository } from './repositories/area.repository.ts';
import { CoverageRepository } from './repositories/coverage.repository.ts';
import { DutyTypeRepository } from './repositories/duty-type.repository.ts';
import { InspectionPointRepository } from './repositories/inspection-point.repository.ts';
import { LayerRepository } from './repositories/layer.repository.ts';
import { ResponsibilityRepository } from './repositories/responsibility.repository.ts';
import { TileRepository } from './repositories/tile.repository.ts';
import { CoverageService } from './services/coverage.service.ts';
import { ResponsibilityService } from './services/responsibility.service.ts';
import { LayerVersions } from './services/layer-versions.ts';
import { TileService } from './services/tile.service.ts';
import type { Logger } from './http/logger.ts';
import { boundsCache } from './http/geo-bounds.ts';
import type { HeavyReadLimits } from './http/heavy-reads.ts';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './auth/rate-limit.middleware.ts';
import { RateLimiter } from './auth/rate-limiter.ts';
import { DEFAULT_LIFETIME, SessionService, type SessionLifetime } from './auth/session.service.ts';
import { AuditRepository } from './repositories/audit.repository.ts';
import { SessionRepository } from './repositories/session.repository.ts';
import { UserRepository } from './repositories/user.repository.ts';
import { UserService } from './services/user.service.ts';
import { LOOPBACK_PROXIES, TrustedProxies } from './http/client-address.ts';
import { IdempotencyRepository } from './repositories/idempotency.repository.ts';
import { ZoneRepository } from './repositories/zone.repository.ts';
import { ZoneService } from './services/zone.service.ts';
import { RoadSectionService } from './services/road-section.service.ts';
import { ProblemService } from './services/problem.service.ts';
import { CitizenLookupService } from './services/citizen-lookup.ts';
import { CitizenReceiptRepository } from './repositories/citizen-receipt.repository.ts';
import { ProblemRepository } from './repositories/problem.repository.ts';
import { ProblemStatsRepository } from './repositories/problem-stats.repository.ts';
import { ProblemStatsService } from './services/problem-stats.service.ts';
import { ProblemImportRepository } from './repositories/problem-import.repository.ts';
import { ProblemImportService } from './services/problem-import.ts';
import { RoadSectionRepository } from './repositories/road-section.repository.ts';
import { ImportRepository } from './repositories/import.repository.ts';
import { ImportService } from './services/import.service.ts';
import { ExportService } from './services/export.service.ts';
import { InspectionRoundRepository } from './repositories/inspection-round.repository.ts';
import { InspectionRoundService } from './services/inspection-round.service.ts';
import { RoutingService } from './services/routing.service.ts';
import { InspectionCheckRepository } from './repositories/inspection-check.repository.ts';
import { InspectionCheckService } from './services/inspection-check.service.ts';
import { ReadinessRepository } from './repositories/readiness.repository.ts';
import { ReadinessService } from './services/readiness.service.ts';
import { InspectionPointService } from './services/inspection-point.service.ts';

/** What createApp is built from; tests pass their own database and a silent logger. */
export interface AppDeps {
  database: Database;
  logger?: Logger;
  /** Folder of the built web app; omitted → web/dist beside the server. */
  webRoot?: string | undefined;
  /** Folder of the .pmtiles archives served under /tiles (the offline basemap); omitted → none. */
  tilesDir?: string | undefined;
  /** Builds the built-in basemap's archive in tilesDir when a request finds it missing (false: it will not); omitted → never. */
  basemapBuilder?: { request(): boolean } | undefined;
  /** Basemaps besides the built-in one: Tianditu (with a key) and configured XYZ or PMTiles URLs. */
  basemaps?: { tiandituKey?: string | undefined; custom?: Basemap[] } | undefined;
  /** Demo mode: GET /api/auth/demo lists the demo accounts and their password. */
  demo?: boolean | undefined;
  /** Behind a reverse proxy: trust X-Forwarded-For and X-Forwarded-Proto from `trustedProxies`. */
  trustProxy?: boolean | undefined;
  /** The proxies trusted when trustProxy is on: addresses and CIDR ranges; omitted → loopback. */
  trustedProxies?: readonly string[] | undefined;
  sessionLifetime?: SessionLifetime | undefined;
  /** This process's name among several (CIVGRID_INSTANCE): the X-Civgrid-Instance header and GET /api/health say it. */
  instance?: string | undefined;
  rateLimits?: RateLimits | undefined;
  /** How many heavy reads run and wait at once; omitted → the engine's default (heavy-reads.ts). */
  heavyReadLimits?: HeavyReadLimits | undefined;
}

/** The parts of AppDeps the services need, with defaults applied. */
export interface ServiceOptions {
  demo: boolean;
  /** The reverse proxies believed; null: none (X-Forwarded-* ignored). */
  proxies: TrustedProxies | null;
  sessionLifetime: SessionLifetime;
  rateLimits: RateLimits;
}

export function serviceOptions(deps: Omit<AppDeps, 'database'>): ServiceOptions {
  return {
    demo: deps.demo ?? false,
    proxies: deps.trustProxy ? TrustedProxies.parse(deps.trustedProxies ?? LOOPBACK_PROXIES) : null,
    sessionLifetime: deps.sessionLifetime ?? DEFAULT_LIFETIME,
    rateLimits: deps.rateLimits ?? DEFAULT_RATE_LIMITS,
  };
}

/** Repositories and services, built once per app from its dependencies. */
export function buildServices(database: Database, options: ServiceOptions = serviceOptions({})) {
  const { db } = database;
  const userRepository = new UserRepository(db);
  const sessionRepository = new SessionRepository(db);
  const audit = new AuditRepository(db);
  const sessions = new SessionService(sessionRepository, userRepository, options.sessionLifetime, database);
  const users = new UserService(db, userRepository, sessionRepository, sessions, audit);
  const limiter = new RateLimiter(db);
  const zoneRepository = new ZoneRepository(db);
  const zones = new ZoneService(db, database.engine, zoneRepository, audit, new IdempotencyRepository());
  const problems = new ProblemService(db, database.engine, new ProblemRepository(db), audit, new IdempotencyRepository());
  // the citizen page's receipts and lookups (你拍我改)
  const citizenLookup = new CitizenLookupService(new CitizenReceiptRepository(db), problems);
  const problemStats = new ProblemStatsService(new ProblemStatsRepository(db));
  const problemImports = new ProblemImportService(db, database.engine, new ProblemImportRepository(), new ProblemRepository(db), audit, new IdempotencyRepository());
  const roadSections = new RoadSectionService(db, database.engine, new RoadSectionRepository(db), zoneRepository, audit, new IdempotencyRepository());
  const dutyTypes = new DutyTypeRepository(db);
  const layers = new LayerRepository(db);
  const inspectionPoints = new InspectionPointRepository(db);
  const imports = new ImportService(db, database.engine, new ImportRepository(), zoneRepository, new RoadSectionRepository(db), audit, new IdempotencyRepository());
  const exporter = new ExportService(layers);
  const responsibility = new ResponsibilityService(new ResponsibilityRepository(db));
  const areas = new AreaRepository(db);
  const coverage = new CoverageService(new CoverageRepository(db), areas, dutyTypes);
  // where geometry may lie: the territories' extent and a margin (geo-bounds.ts)
  const bounds = boundsCache(() => areas.extent());
  const tileRepository = new TileRepository(db, database.engine);
  const tiles = new TileService(tileRepository, database.engine, new LayerVersions(tileRepository, database));
  // the readiness board (备检看板) and the point edits it makes (issue 8)
  const readiness = new ReadinessService(new ReadinessRepository(db), new CoverageRepository(db));
  const inspectionPointEdits = new InspectionPointService(db, database.engine, inspectionPoints, audit);
  // checklists, checks and scores of inspection rounds (issue 8)
  const inspectionChecks = new InspectionCheckService(db, new InspectionCheckRepository(db), problems, audit, new IdempotencyRepository());
  // inspection rounds, groups, assignment and routes over the roads (issue 8)
  const routing = new RoutingService(db, database.engine);
  const inspectionRounds = new InspectionRoundService(db, new InspectionRoundRepository(db), routing, audit);
  return {
    database, options, dutyTypes, layers, inspectionPoints, responsibility, coverage, tiles,
    userRepository, sessionRepository, audit, sessions, users, limiter, zones, roadSections, problems,
    imports, exporter, problemImports, problemStats,
    inspectionChecks,
    readiness, inspectionPointEdits,
    routing, inspectionRounds,
    bounds, citizenLookup,
  };
}

export type Services = ReturnType<typeof buildServices>;
