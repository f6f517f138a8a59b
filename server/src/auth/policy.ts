import { only, PUBLIC, type Rule, SIGNED_IN } from './roles.ts';

/**
 * The access rule of every route, keyed by "METHOD path" exactly as the route
 * is registered. The auth middleware looks the matched route up here; a route
 * missing from this table is refused (deny by default), and the route×role
 * test fails for it, so a new route cannot ship without a decision.
 *
 * Reads of the map stay open to every signed-in role, district-wide: a
 * planner needs the neighbours' zones to draw against, and a blind spot is by
 * nature between units. Writes need their role, and the services check the
 * scope of what they change (auth/scope.ts): the place, and the unit it is
 * given to; settings that apply to the whole district (categories, the
 * working calendar, inspection rounds and groups) need a district-scoped
 * account. A second access test walks every write route as each allowed
 * role scoped to another street.
 */
export const POLICY: Record<string, Rule> = {
  // The single-page app, its assets and the unknown-route answers.
  'GET /*': PUBLIC,
  'GET /': PUBLIC, // the hint served when the web app is not built
  'ALL /api/*': PUBLIC,

  'GET /api/health': PUBLIC,
  'GET /api/map/basemaps': PUBLIC,
  'GET /api/map/style.json': PUBLIC,
  // The citizen page's map (你拍我改): the basemap and the district's outline and place names, nothing of the duties.
  'GET /api/public/map/style.json': PUBLIC,
  'GET /api/public/map/area.geojson': PUBLIC,
  'GET /api/public/map/basemap.pmtiles': PUBLIC,

  'POST /api/auth/login': PUBLIC,
  'GET /api/auth/demo': PUBLIC,
  'GET /api/auth/session': PUBLIC,
  'GET /api/auth/me': SIGNED_IN,
  'POST /api/auth/logout': SIGNED_IN,
  'POST /api/auth/password': SIGNED_IN,

  'GET /api/users': only('admin'),
  'POST /api/users': only('admin'),
  'PATCH /api/users/:id': only('admin'),
  'POST /api/users/:id/password': only('admin'),
  'GET /api/audit': only('admin'),

  'GET /api/territories': SIGNED_IN,
  'GET /api/organisations': SIGNED_IN,
  'GET /api/duty-types': SIGNED_IN,
  'GET /api/layers': SIGNED_IN,
  'GET /api/layers/:layer': SIGNED_IN,
  'GET /api/layers/:layer/history': SIGNED_IN,
  'GET /api/responsibility': SIGNED_IN,
  'GET /api/inspection-points/:id': SIGNED_IN,
  // Inspection rounds, groups, assignment and routes (issue 8): read by every signed-in role (the map, the
  // field app, the route sheet); planned by the campaign office (创城办, supervisor) and admins. The member
  // picker lists accounts, so only the planners of rounds read it.
  'GET /api/inspection/rounds': SIGNED_IN,
  'POST /api/inspection/rounds': only('admin', 'supervisor'),
  'GET /api/inspection/rounds/:id': SIGNED_IN,
  'PATCH /api/inspection/rounds/:id': only('admin', 'supervisor'),
  'POST /api/inspection/rounds/:id/groups': only('admin', 'supervisor'),
  'PATCH /api/inspection/rounds/:id/groups/:groupId': only('admin', 'supervisor'),
  'DELETE /api/inspection/rounds/:id/groups/:groupId': only('admin', 'supervisor'),
  'POST /api/inspection/rounds/:id/assign': only('admin', 'supervisor'),
  'GET /api/inspection/rounds/:id/routes': SIGNED_IN,
  'GET /api/inspection/inspectors': only('admin', 'supervisor'),
  // A point's leader, department and people (备检点责任人): the planners who draw the duties, and the campaign office (督查).
  'PATCH /api/inspection-points/:id': only('admin', 'planner', 'supervisor'),
  // The readiness board (备检看板, issue 8) is read by every signed-in role.
  'GET /api/inspection/readiness': SIGNED_IN,
  // The field app's offline package (外业包): the campaign office and inspectors; an inspector only for their own group (the service checks).
  'GET /api/inspection/rounds/:id/package': only('admin', 'supervisor', 'inspector'),
  'GET /api/inspection/rounds/:id/package/version': only('admin', 'supervisor', 'inspector'),
  'GET /api/inspection/rounds/:id/package/basemap.pmtiles': only('admin', 'supervisor', 'inspector'),
  // Checklists and scores are read by every signed-in role. Checks are made by the campaign office and
  // inspectors (an inspector only for their own group: the service checks), and read by them, with the
  // conflicts the office settles.
  'GET /api/inspection/checklists': SIGNED_IN,
  'POST /api/inspection/checks': only('admin', 'supervisor', 'inspector'),
  'GET /api/inspection/checks': only('admin', 'supervisor', 'inspector'),
  'GET /api/inspection/checks/:id': only('admin', 'supervisor', 'inspector'),
  'GET /api/inspection/checks/:id/photos/:photoId': only('admin', 'supervisor', 'inspector'),
  'GET /api/inspection/rounds/:id/scores': SIGNED_IN,
  'GET /api/inspection/scores': SIGNED_IN,
  // POST here carries a drawn area to analyse; it writes nothing.
  'GET /api/coverage/gaps': SIGNED_IN,
  'POST /api/coverage/gaps': SIGNED_IN,
  'GET /api/coverage/overlaps': SIGNED_IN,
  'POST /api/coverage/overlaps': SIGNED_IN,
  'GET /api/coverage/cross-tier': SIGNED_IN,
  'POST /api/coverage/cross-tier': SIGNED_IN,
  'GET /api/coverage/roads': SIGNED_IN,
  'POST /api/coverage/roads': SIGNED_IN,
  'GET /api/coverage/points': SIGNED_IN,
  'GET /api/coverage/summary': SIGNED_IN,

  'GET /api/people': SIGNED_IN,
  'GET /api/zones/:id': SIGNED_IN,
  'GET /api/zones/:id/history': SIGNED_IN,
  // The live feedback of an edit writes nothing, but only editors draw.
  'POST /api/zones/preview': only('admin', 'planner'),
  'POST /api/zones': only('admin', 'planner'),
  'PUT /api/zones/:id': only('admin', 'planner'),
  'DELETE /api/zones/:id': only('admin', 'planner'),
  'POST /api/zones/:id/split': only('admin', 'planner'),
  'POST /api/zones/merge': only('admin', 'planner'),
  'POST /api/zones/:id/fill': only('admin', 'planner'),
  'POST /api/zones/:id/restore': only('admin', 'planner'),
  'GET /api/road-sections/:id': SIGNED_IN,
  'GET /api/road-sections/:id/history': SIGNED_IN,
  'POST /api/road-sections/preview': only('admin', 'planner'),
  'POST /api/road-sections': only('admin', 'planner'),
  'PUT /api/road-sections/:id': only('admin', 'planner'),
  'DELETE /api/road-sections/:id': only('admin', 'planner'),
  'POST /api/road-sections/:id/split': only('admin', 'planner'),
  'POST /api/road-sections/merge': only('admin', 'planner'),
  'POST /api/road-sections/:id/restore': only('admin', 'planner'),
  // Imports write zones or sections (the preview checks the planner's scope); exports read a layer.
  'POST /api/import': only('admin', 'planner'),
  'POST /api/import/:previewId/commit': only('admin', 'planner'),
  'GET /api/export/:layer': SIGNED_IN,

  // Problems (issue 7). The citizen page reports without an account (rate-limited per address)
  // and needs the categories; staff report and follow the workflow, which checks each action's role.
  'GET /api/categories': PUBLIC,
  'PUT /api/categories/:id': only('admin'),
  'GET /api/calendar': SIGNED_IN,
  'PUT /api/calendar/:day': only('admin'),
  'DELETE /api/calendar/:day': only('admin'),
  'POST /api/public/problems': PUBLIC,
  // The citizen's lookup of a report by its code and secret (a POST: counted per address like a report).
  'POST /api/public/problems/lookup': PUBLIC,
  'POST /api/problems': only('admin', 'supervisor', 'handler', 'inspector'),
  'GET /api/problems': SIGNED_IN,
  'GET /api/problems/duplicates': SIGNED_IN,
  'GET /api/problems/:id': SIGNED_IN,
  'GET /api/problems/:id/photos/:photoId': SIGNED_IN,
  'POST /api/problems/:id/transitions': only('admin', 'supervisor', 'handler', 'inspector'),
  // Historical problems from CSV: a bulk write of case records, which the supervision centre (督查,
  // like registering and closing cases) and admins keep; planners draw zones and handlers work cases.
  'POST /api/problems/import': only('admin', 'supervisor'),
  'POST /api/problems/import/:previewId/commit': only('admin', 'supervisor'),
  // The heat map's statistics (choropleth, hot spots, trend) are the supervisors' view (督查): supervisors and admins.
  'GET /api/problems/stats/grids': only('admin', 'supervisor'),
  'GET /api/problems/hotspots': only('admin', 'supervisor'),
  'GET /api/problems/trend': only('admin', 'supervisor'),
  'GET /api/indicators': SIGNED_IN,
  'GET /api/rankings/communities': SIGNED_IN,

  // Open311 GeoReport v2: public by its nature, like the citizen page.
  'GET /open311/v2/services.json': PUBLIC,
  'GET /open311/v2/requests.json': PUBLIC,
  'POST /open311/v2/requests.json': PUBLIC,
  'GET /open311/v2/requests/:file{[0-9]+\\.json}': PUBLIC,

  // Tiles and archives carry the same data as the layers.
  'GET /tiles/:name{[a-z0-9-]+\\.pmtiles}': SIGNED_IN,
  'GET /tiles/:name{[a-z-]+\\.json}': SIGNED_IN,
  'GET /tiles/:layer/:z/:x/:file': SIGNED_IN,
};

export function ruleFor(method: string, path: string): Rule | undefined {
  return POLICY[`${method === 'HEAD' ? 'GET' : method} ${path}`] ?? POLICY[`ALL ${path}`];
}
