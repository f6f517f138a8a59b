import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { authMiddleware } from './auth/auth.middleware.ts';
import { type AppDeps, buildServices, serviceOptions } from './deps.ts';
import { auditRoutes } from './routes/audit/audit.routes.ts';
import { authRoutes } from './routes/auth/auth.routes.ts';
import { organisationRoutes, peopleRoutes, territoryRoutes } from './routes/territories/territories.routes.ts';
import { userRoutes } from './routes/users/users.routes.ts';
import { zoneRoutes } from './routes/zones/zones.routes.ts';
import { roadSectionRoutes } from './routes/road-sections/road-sections.routes.ts';
import { importRoutes } from './routes/import/import.routes.ts';
import { exportRoutes } from './routes/export/export.routes.ts';
import { MAX_IMPORT_BYTES } from './services/import.service.ts';
import { open311Routes } from './routes/open311/open311.routes.ts';
import { calendarRoutes, categoryRoutes, indicatorRoutes, problemRoutes, publicProblemRoutes } from './routes/problems/problems.routes.ts';
import { problemImportRoutes } from './routes/problems/problem-import.routes.ts';
import { problemStatsRoutes } from './routes/problems/stats.routes.ts';
import type { Env } from './http/env.ts';
import { errorBody, handleError } from './http/errors.ts';
import { geoBounds } from './http/geo-bounds.ts';
import { MAX_VERTICES } from './http/geojson.ts';
import { HEAVY_READ_LIMITS, heavyReads, Semaphore } from './http/heavy-reads.ts';
import { inputGuard } from './http/input-guard.ts';
import { silentLogger } from './http/logger.ts';
import { coverageRoutes } from './routes/coverage/coverage.routes.ts';
import { dutyTypeRoutes } from './routes/duty-types/duty-types.routes.ts';
import { healthRoutes } from './routes/health/health.routes.ts';
import { inspectionPointRoutes } from './routes/inspection-points/inspection-points.routes.ts';
import { layerRoutes } from './routes/layers/layers.routes.ts';
import { basemapOrigins, mapRoutes } from './routes/map/map.routes.ts';
import { publicMapRoutes } from './routes/map/public-map.routes.ts';
import { responsibilityRoutes } from './routes/responsibility/responsibility.routes.ts';
import { pmtilesFileRoutes } from './routes/pmtiles/pmtiles-file.routes.ts';
import { tileRoutes } from './routes/tiles/tiles.routes.ts';
import { inspectionRoundRoutes } from './routes/inspection/rounds.routes.ts';
import { inspectionCheckRoutes } from './routes/inspection/checks.routes.ts';
import { readinessRoutes } from './routes/inspection/readiness.routes.ts';
import { inspectionPackageRoutes } from './routes/inspection/package.routes.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Largest JSON body the API reads: a drawn area of 100,000 vertices is about 4 MB. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Largest body of a coverage analysis (POST /api/coverage/*): its area at the most vertices a read takes, five times over. */
export const MAX_READ_BODY_BYTES = 1024 * 1024;
/** Largest upload (POST /api/import): the file's limit plus room for the multipart envelope and form fields. */
export const MAX_UPLOAD_BODY_BYTES = MAX_IMPORT_BYTES + 1024 * 1024;

/** Builds the whole HTTP application from its dependencies; main.ts only listens. */
export function createApp(deps: AppDeps) {
  const logger = deps.logger ?? silentLogger;
  const services = buildServices(deps.database, serviceOptions(deps));

  const api = new Hono<Env>()
    .route('/health', healthRoutes(services, deps.instance))
    .route('/auth', authRoutes(services))
    .route('/users', userRoutes(services))
    .route('/audit', auditRoutes(services))
    .route('/territories', territoryRoutes(services))
    .route('/organisations', organisationRoutes(services))
    .route('/people', peopleRoutes(services))
    .route('/zones', zoneRoutes(services))
    .route('/road-sections', roadSectionRoutes(services))
    .route('/import', importRoutes(services))
    .route('/export', exportRoutes(services))
    .route('/categories', categoryRoutes(services))
    .route('/calendar', calendarRoutes(services))
    .route('/problems/import', problemImportRoutes(services))
    // before the problem routes: /problems/hotspots is not a problem's id
    .route('/problems', problemStatsRoutes(services))
    .route('/problems', problemRoutes(services))
    .route('/public/problems', publicProblemRoutes(services))
    .route('/', indicatorRoutes(services))
    .route('/duty-types', dutyTypeRoutes(services))
    .route('/layers', layerRoutes(services))
    .route('/responsibility', responsibilityRoutes(services))
    .route('/inspection-points', inspectionPointRoutes(services))
    .route('/coverage', coverageRoutes(services))
    .route('/inspection', inspectionRoundRoutes(services))
    .route('/inspection', readinessRoutes(services))
    .route('/inspection', inspectionPackageRoutes(deps, services))
    .route('/inspection', inspectionCheckRoutes(services))
    .route('/map', mapRoutes(deps))
    .route('/public/map', publicMapRoutes(deps, services));

  const app = new Hono<Env>();
  app.use(async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', requestId);
    c.set('logger', logger);
    const started = performance.now();
    await next();
    c.header('x-request-id', requestId);
    if (deps.instance) c.header('x-civgrid-instance', deps.instance);
    // Answers of the API depend on who asks: no cache may keep them unless the route says so.
    if (c.req.path.startsWith('/api/') && !c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
    logger.info('request', {
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...basemapOrigins(deps)],
        workerSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'", ...basemapOrigins(deps)],
        fontSrc: ["'self'", 'data:'],
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.onError(handleError(logger));
  app.use(authMiddleware(services.sessions, { proxies: services.options.proxies, limiter: services.limiter, rateLimits: services.options.rateLimits }));

  const limit = (maxSize: number) =>
    bodyLimit({ maxSize, onError: (c) => c.json(errorBody('payload_too_large', `The request body is larger than ${maxSize / 1024 / 1024} MB.`), 413) });
  const jsonLimit = limit(MAX_BODY_BYTES);
  // An imported file may be larger than any JSON body; the import route judges the file itself.
  const uploadLimit = limit(MAX_UPLOAD_BODY_BYTES);
  const UPLOADS = new Set(['/api/import', '/api/problems', '/api/public/problems', '/api/problems/import', '/api/inspection/checks']);
  /** Upload paths with an id in them: a problem's transition carries the feedback's photos. */
  const UPLOAD_PATTERNS = [/^\/api\/problems\/\d+\/transitions$/];
  const isUpload = (path: string) => UPLOADS.has(path) || UPLOAD_PATTERNS.some((pattern) => pattern.test(path));
  app.use('/api/*', (c, next) => (isUpload(c.req.path) ? uploadLimit : jsonLimit)(c, next));
  // A drawn analysis area has at most MAX_VERTICES (5,000: about 200 KB of JSON); a larger body is refused
  // unread (before the input guard reads it), since parsing 4 MB of JSON took the one event loop ~0.2 s per request, refused or not.
  const readAreaLimit = bodyLimit({
    maxSize: MAX_READ_BODY_BYTES,
    onError: (c) => c.json(errorBody('geometry_too_complex', `The request body is over ${MAX_READ_BODY_BYTES / 1024 / 1024} MB; an analysis area has at most ${MAX_VERTICES} vertices: simplify it.`), 422),
  });
  app.use('/api/coverage/*', (c, next) => (c.req.method === 'POST' ? readAreaLimit(c, next) : next()));
  app.use('/api/*', inputGuard());
  app.use('/api/*', geoBounds(services.bounds));
  // reads whose cost grows with the data take turns (heavy-reads.ts)
  const heavy = heavyReads(new Semaphore(deps.heavyReadLimits ?? HEAVY_READ_LIMITS[deps.database.engine]));
  for (const path of ['/api/coverage/*', '/api/problems/hotspots', '/api/problems/stats/*', '/api/problems/trend', '/api/export/*']) app.use(path, heavy);
  app.route('/api', api);
  app.use('/open311/*', jsonLimit, inputGuard());
  app.route('/open311/v2', open311Routes(services));
  if (deps.tilesDir) app.route('/tiles', pmtilesFileRoutes({ dir: deps.tilesDir }));
  app.route('/tiles', tileRoutes(services));
  app.all('/api/*', (c) => c.json(errorBody('not_found', `No API route ${c.req.method} ${c.req.path}`), 404));

  const webRoot = resolve(deps.webRoot ?? resolve(import.meta.dirname, '../../web/dist'));
  if (existsSync(webRoot)) {
    app.use('/*', serveStatic({ root: webRoot }));
    // The single-page app answers every other GET with its index.
    app.get('*', serveStatic({ root: webRoot, path: 'index.html' }));
  } else {
    app.get('/', (c) =>
      c.text('civgrid API is running. The web app is not built: run `pnpm build` (or `pnpm start`, which builds it).', 200),
    );
  }
  app.notFound((c) => c.json(errorBody('not_found', `Nothing at ${c.req.path}`), 404));
  return app;
}

export type App = ReturnType<typeof createApp>;
