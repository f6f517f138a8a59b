import { Hono } from 'hono';
import { z } from 'zod';
import { userOf } from '../../auth/actor.ts';
import type { AppDeps, Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { idParam } from '../../http/geo-params.ts';
import { validate } from '../../http/validate.ts';
import { InspectionPackageRepository } from '../../repositories/inspection-package.repository.ts';
import { InspectionPackageService } from '../../services/inspection-package.service.ts';
import { PMTILES_CONTENT_TYPE } from '../pmtiles/pmtiles-file.routes.ts';

const roundParam = z.object({ id: idParam });
const groupQuery = z.object({ group: idParam });

/**
 * The offline package of the field app (外业包): one group's round, route,
 * points with their people, checklists, open problems nearby and categories
 * (GET …/package), its version alone (GET …/package/version, so a device can
 * tell its copy is stale), and the built-in basemap cut to the route's area
 * (GET …/package/basemap.pmtiles). Admins and the campaign office read any
 * group's; an inspector only their own group's (403 `not_group_member`).
 */
export function inspectionPackageRoutes(deps: Pick<AppDeps, 'tilesDir'>, { database, problems, inspectionRounds }: Services) {
  const service = new InspectionPackageService(
    new InspectionPackageRepository(database.db),
    () => problems.categories(),
    // the same route line and numbered stops as the planners' map (GET …/routes?group=)
    (roundId, groupId) => inspectionRounds.routes(roundId, groupId),
    deps.tilesDir,
  );
  return new Hono<Env>()
    .get('/rounds/:id/package', validate('param', roundParam), validate('query', groupQuery), async (c) => {
      const pkg = await service.package(userOf(c), c.req.valid('param').id, c.req.valid('query').group);
      return c.json(pkg, 200, { etag: `"${pkg.version}"` });
    })
    .get('/rounds/:id/package/version', validate('param', roundParam), validate('query', groupQuery), async (c) => {
      const version = await service.version(userOf(c), c.req.valid('param').id, c.req.valid('query').group);
      return c.json({ version });
    })
    .get('/rounds/:id/package/basemap.pmtiles', validate('param', roundParam), validate('query', groupQuery), async (c) => {
      const { version, bytes } = await service.basemap(userOf(c), c.req.valid('param').id, c.req.valid('query').group);
      const etag = `"${version}-${bytes.length.toString(16)}"`;
      const headers = { etag, 'x-package-version': version, 'content-type': PMTILES_CONTENT_TYPE };
      if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
      return c.body(new Uint8Array(bytes), 200, { ...headers, 'content-length': String(bytes.length) });
    });
}
