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

/** What createApp is built from; tests pass their own database and a silent logger. */
export interface AppDeps {
  database: Database;
  logger?: Logger;
  /** Folder of the built web app; omitted → web/dist beside the server. */
  webRoot?: string | undefined;
  /** Folder of the .pmtiles archives served under /tiles (the offline basemap); omitted → none. */
  tilesDir?: string | undefined;
  /** Basemaps besides the built-in one: Tianditu (with a key) and configured XYZ or PMTiles URLs. */
  basemaps?: { tiandituKey?: string | undefined; custom?: Basemap[] } | undefined;
}

/** Repositories and services, built once per app from its dependencies. */
export function buildServices(database: Database) {
  const { db } = database;
  const dutyTypes = new DutyTypeRepository(db);
  const layers = new LayerRepository(db);
  const inspectionPoints = new InspectionPointRepository(db);
  const responsibility = new ResponsibilityService(new ResponsibilityRepository(db));
  const coverage = new CoverageService(new CoverageRepository(db), new AreaRepository(db), dutyTypes);
  const tileRepository = new TileRepository(db, database.engine);
  const tiles = new TileService(tileRepository, database.engine, new LayerVersions(tileRepository, database));
  return { database, dutyTypes, layers, inspectionPoints, responsibility, coverage, tiles };
}

export type Services = ReturnType<typeof buildServices>;
