/**
 * Bad input, sent to every route the app serves: malformed JSON, wrong
 * content types, oversized bodies, NaN/Infinity/out-of-range numbers,
 * invalid and gigantic GeoJSON, SQL-looking strings and path traversal.
 * Every answer must be below 500, every refusal in the one error shape with
 * no stack trace or SQL in it, and the server must keep answering.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@civgrid/db';
import { createApp } from '@civgrid/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, addHeaders, type Session, signIn, withSession } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

let database: Database;
let app: App;
let fx: { centre: [number, number]; community: number; zone: number; section: number; problem: number; user: number; point: number; district: number; org: number };
let ip = 0;

const FUZZ_PASSWORD = 'fuzz-admin-password';

/** Values no route should choke on, in a path segment or a query parameter. */
const BAD_VALUES = [
  'NaN', 'Infinity', '-Infinity', '1e309', '-1', '0', '99999999999999999999', '', '1.5',
  "' OR 1=1 --", "1; DROP TABLE users; --", '../../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '\u0000', 'x'.repeat(5000),
  '[]', '{"a":1}', '１２３', '0x10', '1,2', '🙂', '<script>alert(1)</script>', '%', '\\',
];
const BAD_BBOXES = ['0,0,NaN,1', '181,91,-181,-91', '1,1,0,0', '1,2,3', 'Infinity,0,1,1', '-180,-90,180,90'];

// Antipodal geometry (issue 15, item 6): edges between antipodal points, which PostGIS's geography cannot orient
const ANTIPODAL_BBOXES = ['-180,0,0,1', '-70,25,110,25.1', '110,-90,110.01,90', '-179.5,-89.5,0.5,89.5'];
function antipodalGeometries(lon: number): string[] {
  return [
    `{"type":"Polygon","coordinates":[[[${lon},-90],[${lon},90],[${lon + 0.001},90],[${lon + 0.001},-90],[${lon},-90]]]}`,
    '{"type":"Polygon","coordinates":[[[0,-90],[0,90],[90,0],[0,-90]]]}',
    `{"type":"Polygon","coordinates":[[[${lon},0],[${lon - 180},0.001],[${lon - 180},-0.001],[${lon},0]]]}`,
    `{"type":"MultiPolygon","coordinates":[[[[${lon},-89],[${lon + 0.001},-89],[${lon + 0.001},89],[${lon},89],[${lon},-89]]]]}`,
    `{"type":"LineString","coordinates":[[${lon},-90],[${lon},90]]}`,
    '{"type":"LineString","coordinates":[[0,-90],[0,90],[0,-90]]}',
    `{"type":"LineString","coordinates":[[${lon},30],[${lon - 180},-30]]}`,
  ];
}

const ring = (lon: number, lat: number, d = 0.0005) => [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]];
/** Geometries that must be refused (or repaired) with a 4xx, never a 500. Raw JSON text, so 1e999 (Infinity) can be sent. */
function badGeometries(lon: number, lat: number): string[] {
  const big: number[][] = [];
  for (let i = 0; i < 150_000; i++) big.push([lon + Math.cos(i) * 0.001, lat + Math.sin(i) * 0.001]);
  big.push(big[0]!);
  return [
    `{"type":"Polygon","coordinates":[[[1e999,${lat}],[${lon},${lat}],[${lon},1e999],[1e999,${lat}]]]}`,
    '{"type":"Polygon","coordinates":[[[200,100],[201,100],[201,101],[200,100]]]}',
    '{"type":"Polygon","coordinates":[]}',
    '{"type":"Polygon","coordinates":[[]]}',
    `{"type":"Polygon","coordinates":[[[${lon},${lat}],[${lon + 0.001},${lat}],[${lon},${lat + 0.001}]]]}`,
    `{"type":"Polygon","coordinates":[[[${lon},${lat}],[${lon + 0.001},${lat}],[${lon},${lat + 0.001}],[${lon + 0.002},${lat + 0.002}]]]}`,
    `{"type":"Polygon","coordinates":[[[${lon},${lat}],[${lon},${lat}],[${lon},${lat}],[${lon},${lat}]]]}`,
    `{"type":"Point","coordinates":[${lon},${lat}]}`,
    '{"type":"GeometryCollection","geometries":[]}',
    '{"type":"Polygon","coordinates":[[[0,0],[180,0],[180,10],[0,10],[0,0]]]}',
    '{"type":"Polygon","coordinates":[[[-180,-90],[180,-90],[180,90],[-180,90],[-180,-90]]]}',
    '{"type":"Polygon","coordinates":"((0 0, 1 0, 1 1, 0 0))"}',
    `{"type":"Polygon","coordinates":[[["${lon}","${lat}"],[1,2],[3,4],[1,2]]]}`,
    `{"type":"MultiPolygon","coordinates":[[${JSON.stringify(ring(lon, lat))}],[]]}`,
    JSON.stringify({ type: 'Polygon', coordinates: [big] }),
    // lines, for the routes that take one (and the wrong type for the others)
    `{"type":"LineString","coordinates":[[1e999,${lat}],[${lon},${lat}]]}`,
    '{"type":"LineString","coordinates":[[200,100],[201,100]]}',
    `{"type":"LineString","coordinates":[[${lon},${lat}]]}`,
    `{"type":"LineString","coordinates":[[${lon},${lat}],[${lon},${lat}]]}`,
    '{"type":"LineString","coordinates":[[-170,0],[170,0]]}',
    JSON.stringify({ type: 'LineString', coordinates: big }),
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
  ];
}

/** Field values that must never cause a 500 (some are valid strings and may be accepted). */
const FIELD_VALUES: unknown[] = [null, -1, 0, 1.5, 2 ** 53, 'x'.repeat(100_000), {}, [], true, "'; DROP TABLE users; --", '../../etc/passwd', '\u0000', '🙂'.repeat(50)];

interface Base {
  path: string;
  body?: unknown;
  /** The route reads a JSON body: malformed or mistyped bodies must be refused. */
  readsBody?: boolean;
  /** Where the base body carries its geometry (a key path), to swap in bad ones. */
  geometryAt?: string[];
}

function bases(): Record<string, Base> {
  const [lon, lat] = fx.centre;
  const zone = { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring(lon, lat)] }, properties: { duty: 'frontage', name: '模糊测试', ownerOrgId: fx.org } };
  const line = { type: 'LineString', coordinates: [[lon, lat], [lon + 0.001, lat]] };
  const section = { type: 'Feature', geometry: line, properties: { name: '模糊路段', ownerOrgId: fx.org } };
  const coverage = (what: string): Record<string, Base> => ({
    [`GET /api/coverage/${what}`]: { path: `/api/coverage/${what}?duty=sanitation-city&area=${fx.community}&min_width=1&format=geojson` },
    [`POST /api/coverage/${what}`]: {
      path: `/api/coverage/${what}`,
      body: { duty: 'sanitation-city', area: { type: 'Polygon', coordinates: [ring(lon, lat, 0.002)] } },
      readsBody: true,
      geometryAt: ['area'],
    },
  });
  return {
    'GET /*': { path: '/index.html' },
    'GET /api/health': { path: '/api/health' },
    'GET /api/map/basemaps': { path: '/api/map/basemaps' },
    'GET /api/map/style.json': { path: '/api/map/style.json?basemap=none' },
    'GET /api/public/map/style.json': { path: '/api/public/map/style.json' },
    'GET /api/public/map/area.geojson': { path: '/api/public/map/area.geojson' },
    'GET /api/public/map/basemap.pmtiles': { path: '/api/public/map/basemap.pmtiles' },
    'POST /api/auth/login': { path: '/api/auth/login', body: { username: 'fuzz-admin', password: 'not-the-password' }, readsBody: true },
    'GET /api/auth/demo': { path: '/api/auth/demo' },
    'GET /api/auth/session': { path: '/api/auth/session' },
    'GET /api/auth/me': { path: '/api/auth/me' },
    'POST /api/auth/logout': { path: '/api/auth/logout' },
    // a wrong current password: whatever the new one is, nothing changes
    'POST /api/auth/password': { path: '/api/auth/password', body: { currentPassword: 'wrong-current-password', newPassword: 'another-password-1' }, readsBody: true },
    'GET /api/users': { path: '/api/users' },
    'POST /api/users': { path: '/api/users', body: { username: 'fuzzed', displayName: '模糊', password: 'fuzzed-password-1', role: 'viewer', territoryId: fx.district }, readsBody: true },
    'PATCH /api/users/:id': { path: `/api/users/${fx.user}`, body: { displayName: '模糊' }, readsBody: true },
    'POST /api/users/:id/password': { path: `/api/users/${fx.user}/password`, body: { password: 'fuzzed-password-2' }, readsBody: true },
    'GET /api/audit': { path: '/api/audit?entity=user&limit=5&since=2026-01-01' },
    'GET /api/territories': { path: '/api/territories?level=street' },
    'GET /api/organisations': { path: '/api/organisations?q=环卫&limit=5' },
    'GET /api/duty-types': { path: '/api/duty-types' },
    'GET /api/layers': { path: '/api/layers' },
    'GET /api/layers/:layer/history': { path: '/api/layers/zones/history?duty=frontage&limit=5&before=2026-11-01T00:00:00Z,5,1' },
    'GET /api/layers/:layer': { path: `/api/layers/streets?bbox=${lon},${lat},${lon + 0.01},${lat + 0.01}` },
    'GET /api/responsibility': { path: `/api/responsibility?lon=${lon}&lat=${lat}` },
    'GET /api/inspection-points/:id': { path: `/api/inspection-points/${fx.point}` },
    // a stale version: whatever else is sent, nothing changes
    'PATCH /api/inspection-points/:id': { path: `/api/inspection-points/${fx.point}`, body: { version: 99, peopleIds: [1], leaderPersonId: 1, departmentOrgId: fx.org, name: '模糊', address: '模糊' }, readsBody: true },
    'GET /api/inspection/readiness': { path: '/api/inspection/readiness?round=1&group=none&street=1&type=主次干道&ready=false&radius=300&staleDays=7&format=csv' },
    // the field package of the first demo round's first group (H1's seed; a 404 before it exists is still an answer)
    'GET /api/inspection/rounds/:id/package': { path: '/api/inspection/rounds/1/package?group=1' },
    'GET /api/inspection/rounds/:id/package/version': { path: '/api/inspection/rounds/1/package/version?group=1' },
    'GET /api/inspection/rounds/:id/package/basemap.pmtiles': { path: '/api/inspection/rounds/1/package/basemap.pmtiles?group=1' },
    'GET /api/inspection/checklists': { path: '/api/inspection/checklists?type=主次干道' },
    // without an Idempotency-Key a check is refused after its body is read: every malformed body is named first
    'POST /api/inspection/checks': {
      path: '/api/inspection/checks',
      body: { roundId: 1, groupId: 1, pointId: fx.point, checkedAt: '2026-11-02T09:00:00+08:00', pointVersion: 1, packageVersion: 'v1', lon, lat, note: '模糊', items: [{ itemId: 1, result: 'fail', note: '模糊' }] },
      readsBody: true,
    },
    'GET /api/inspection/checks': { path: '/api/inspection/checks?round=1&point=1&group=1&conflict=true&limit=5&before=100' },
    'GET /api/inspection/checks/:id': { path: '/api/inspection/checks/1' },
    'GET /api/inspection/checks/:id/photos/:photoId': { path: '/api/inspection/checks/1/photos/1?size=thumb' },
    'GET /api/inspection/rounds/:id/scores': { path: '/api/inspection/rounds/1/scores' },
    'GET /api/inspection/scores': { path: '/api/inspection/scores?rounds=1,2' },
    // rounds, groups and assignment (H1): the demo's first round; writes at a stale version or to a group that does not exist change nothing
    'GET /api/inspection/rounds': { path: '/api/inspection/rounds?member=me' },
    'POST /api/inspection/rounds': { path: '/api/inspection/rounds', body: { name: '模糊轮次', startsOn: '2027-01-04', endsOn: '2027-01-08', weight: 0.5, status: 'planning', pointIds: [fx.point] }, readsBody: true },
    'GET /api/inspection/rounds/:id': { path: '/api/inspection/rounds/1' },
    'PATCH /api/inspection/rounds/:id': { path: '/api/inspection/rounds/1', body: { version: 99, name: '模糊', startsOn: '2026-11-02', endsOn: '2026-11-13', weight: 0.4, status: 'active' }, readsBody: true },
    'POST /api/inspection/rounds/:id/groups': { path: '/api/inspection/rounds/1/groups', body: { name: '模糊组', memberIds: [fx.user], leaderId: fx.user, color: '#123456', start: { lon, lat } }, readsBody: true },
    'PATCH /api/inspection/rounds/:id/groups/:groupId': { path: '/api/inspection/rounds/1/groups/999999', body: { name: '模糊组', memberIds: [fx.user], leaderId: null, color: '#654321', start: { lon, lat }, sort: 3 }, readsBody: true },
    'DELETE /api/inspection/rounds/:id/groups/:groupId': { path: '/api/inspection/rounds/1/groups/999999' },
    'POST /api/inspection/rounds/:id/assign': { path: '/api/inspection/rounds/1/assign', body: { mode: 'explicit', version: 99, assignments: [{ pointId: fx.point, groupId: null }] }, readsBody: true },
    'GET /api/inspection/rounds/:id/routes': { path: '/api/inspection/rounds/1/routes?group=1' },
    'GET /api/inspection/inspectors': { path: '/api/inspection/inspectors' },
    ...coverage('gaps'),
    ...coverage('overlaps'),
    ...coverage('cross-tier'),
    ...coverage('roads'),
    'GET /api/coverage/points': { path: '/api/coverage/points?format=geojson' },
    'GET /api/coverage/summary': { path: '/api/coverage/summary?duty=greening' },
    'POST /api/zones': { path: '/api/zones', body: zone, readsBody: true, geometryAt: ['geometry'] },
    'PUT /api/zones/:id': { path: `/api/zones/${fx.zone}`, body: { ...zone, properties: { ...zone.properties, version: 1 } }, readsBody: true, geometryAt: ['geometry'] },
    'DELETE /api/zones/:id': { path: `/api/zones/${fx.zone}?version=99` },
    'GET /api/people': { path: `/api/people?org=${fx.org}&q=王&limit=5` },
    'GET /api/zones/:id': { path: `/api/zones/${fx.zone}` },
    'GET /api/zones/:id/history': { path: `/api/zones/${fx.zone}/history` },
    'POST /api/zones/preview': { path: '/api/zones/preview', body: { geometry: zone.geometry, duty: 'frontage', excludeId: fx.zone }, readsBody: true, geometryAt: ['geometry'] },
    'POST /api/zones/:id/split': {
      path: `/api/zones/${fx.zone}/split`,
      body: { version: 99, line: { type: 'LineString', coordinates: [[lon, lat], [lon + 0.001, lat + 0.001]] } },
      readsBody: true,
      geometryAt: ['line'],
    },
    'POST /api/zones/merge': { path: '/api/zones/merge', body: { zones: [{ id: fx.zone, version: 99 }, { id: fx.zone + 1, version: 99 }] }, readsBody: true },
    'POST /api/zones/:id/fill': { path: `/api/zones/${fx.zone}/fill`, body: { version: 99, geometry: zone.geometry }, readsBody: true, geometryAt: ['geometry'] },
    'POST /api/zones/:id/restore': { path: `/api/zones/${fx.zone}/restore`, body: { version: 1, currentVersion: 99 }, readsBody: true },
    'GET /api/road-sections/:id': { path: `/api/road-sections/${fx.section}` },
    'GET /api/road-sections/:id/history': { path: `/api/road-sections/${fx.section}/history` },
    'POST /api/road-sections/preview': { path: '/api/road-sections/preview', body: { geometry: line }, readsBody: true, geometryAt: ['geometry'] },
    'POST /api/road-sections': { path: '/api/road-sections', body: section, readsBody: true, geometryAt: ['geometry'] },
    'PUT /api/road-sections/:id': { path: `/api/road-sections/${fx.section}`, body: { ...section, properties: { ...section.properties, version: 1 } }, readsBody: true, geometryAt: ['geometry'] },
    'DELETE /api/road-sections/:id': { path: `/api/road-sections/${fx.section}?version=99` },
    'POST /api/road-sections/:id/split': { path: `/api/road-sections/${fx.section}/split`, body: { version: 99, point: [lon, lat] }, readsBody: true },
    'POST /api/road-sections/merge': { path: '/api/road-sections/merge', body: { sections: [{ id: fx.section, version: 99 }, { id: fx.section + 1, version: 99 }] }, readsBody: true },
    'POST /api/road-sections/:id/restore': { path: `/api/road-sections/${fx.section}/restore`, body: { version: 1, currentVersion: 99 }, readsBody: true },
    // the import reads multipart/form-data: every JSON body here must be refused (its files are fuzzed in import-export.test.ts)
    'POST /api/import': { path: '/api/import', body: { layer: 'zones', duty: 'frontage' }, readsBody: true },
    'POST /api/import/:previewId/commit': { path: '/api/import/00000000-0000-4000-8000-000000000000/commit', body: { comment: '模糊' }, readsBody: true },
    'GET /api/export/:layer': { path: '/api/export/streets?format=csv&duty=frontage' },
    'GET /api/categories': { path: '/api/categories' },
    'PUT /api/categories/:id': { path: '/api/categories/evt-env-waste-pile', body: { deadlineHours: 24 }, readsBody: true },
    'GET /api/calendar': { path: '/api/calendar?year=2026' },
    'PUT /api/calendar/:day': { path: '/api/calendar/2027-03-05', body: { kind: 'holiday', name: '测试' }, readsBody: true },
    'DELETE /api/calendar/:day': { path: '/api/calendar/2027-03-06' },
    'POST /api/public/problems': { path: '/api/public/problems', body: { lon, lat, categoryId: 'evt-env-exposed-waste', description: '模糊' }, readsBody: true },
    'POST /api/public/problems/lookup': { path: '/api/public/problems/lookup', body: { code: '7K3-Q9M', secret: 'ABCD-EFGH-JKMN-PQRS' }, readsBody: true },
    'POST /api/problems': { path: '/api/problems', body: { lon, lat, crs: 'gcj02', categoryId: 'evt-env-exposed-waste', description: '模糊' }, readsBody: true },
    'GET /api/problems': { path: '/api/problems?status=reported,closed&category=evt-env&from=2026-01-01&to=2026-12-31&warning=yellow,red&blindSpot=true&disputed=false&limit=5&format=csv' },
    'GET /api/problems/duplicates': { path: `/api/problems/duplicates?lon=${lon}&lat=${lat}&categoryId=evt-env-exposed-waste` },
    'GET /api/problems/:id': { path: `/api/problems/${fx.problem}` },
    'GET /api/problems/:id/photos/:photoId': { path: `/api/problems/${fx.problem}/photos/1?size=thumb` },
    'POST /api/problems/:id/transitions': { path: `/api/problems/${fx.problem}/transitions`, body: { action: 'close', version: 99, note: '模糊' }, readsBody: true },
    // the problem import reads multipart/form-data: every JSON body here must be refused (its files and mappings are tried in problem-import.test.ts)
    'POST /api/problems/import': { path: '/api/problems/import', body: { mapping: '{"reportedAt":"date"}' }, readsBody: true },
    'POST /api/problems/import/:previewId/commit': { path: '/api/problems/import/00000000-0000-4000-8000-000000000000/commit' },
    'GET /open311/v2/services.json': { path: '/open311/v2/services.json' },
    'GET /open311/v2/requests.json': { path: '/open311/v2/requests.json?status=open&service_code=evt-env-exposed-waste&start_date=2026-01-01T00:00:00Z' },
    'POST /open311/v2/requests.json': { path: '/open311/v2/requests.json', body: { service_code: 'evt-env-exposed-waste', lat, long: lon, description: '模糊' }, readsBody: true },
    'GET /open311/v2/requests/:file{[0-9]+\\.json}': { path: `/open311/v2/requests/${fx.problem}.json` },
    'GET /api/problems/stats/grids': { path: `/api/problems/stats/grids?level=grid&status=reported,closed&category=evt-env,evt-order-parking&from=2026-01-01&to=2026-10-31&overdue=true&territory=450304001&bbox=${lon},${lat},${lon + 0.01},${lat + 0.01}` },
    'GET /api/problems/hotspots': { path: `/api/problems/hotspots?limit=5&status=closed&category=evt-env&from=2026-01-01&to=2026-10-31&overdue=false&territory=450304001&bbox=${lon},${lat},${lon + 0.01},${lat + 0.01}` },
    'GET /api/problems/trend': { path: '/api/problems/trend?interval=week&status=closed&category=evt-env&from=2026-01-01T00:00:00Z&to=2026-10-31&overdue=1&territory=450304001001' },
    'GET /api/indicators': { path: '/api/indicators?by=owner&from=2026-10-01&to=2026-10-31' },
    'GET /api/rankings/communities': { path: '/api/rankings/communities?period=2026-10-12&size=3&minDue=1&periodDays=14' },
    'GET /tiles/:name{[a-z0-9-]+\\.pmtiles}': { path: '/tiles/basemap.pmtiles' },
    'GET /tiles/:name{[a-z-]+\\.json}': { path: '/tiles/streets.json' },
    'GET /tiles/:layer/:z/:x/:file': { path: '/tiles/streets/12/3300/1780.mvt' },
  };
}

interface Case {
  label: string;
  path: string;
  init: RequestInit;
  /** Must be refused with a 4xx (the input is wrong in a way the route reads). */
  mustRefuse: boolean;
}

const route = (key: string) => ({ method: key.slice(0, key.indexOf(' ')), pattern: key.slice(key.indexOf(' ') + 1) });

function cases(key: string, base: Base): Case[] {
  const { method } = route(key);
  const out: Case[] = [];
  const url = new URL(base.path, 'http://localhost');
  const jsonInit = (text: string, contentType = 'application/json'): RequestInit => ({ method, headers: { 'content-type': contentType }, body: text });
  const baseInit: RequestInit = base.body === undefined ? { method } : jsonInit(JSON.stringify(base.body));

  // path segments: every segment after the first two, replaced by each bad value
  const segments = url.pathname.split('/');
  for (let i = 3; i < segments.length; i++) {
    for (const value of BAD_VALUES) {
      const copy = [...segments];
      copy[i] = encodeURIComponent(value);
      out.push({ label: `segment ${i} = ${value.slice(0, 20)}`, path: copy.join('/') + url.search, init: baseInit, mustRefuse: false });
    }
  }
  // query parameters: each one the route reads, replaced; plus an unknown one
  for (const name of [...url.searchParams.keys(), 'unknown_param']) {
    for (const value of name === 'bbox' ? [...BAD_BBOXES, ...ANTIPODAL_BBOXES, ...BAD_VALUES] : BAD_VALUES) {
      const q = new URLSearchParams(url.search);
      q.set(name, value);
      out.push({ label: `?${name}=${value.slice(0, 20)}`, path: `${url.pathname}?${q}`, init: baseInit, mustRefuse: false });
      if (name === 'unknown_param') break; // once is enough for a parameter nobody reads
    }
  }
  if (method === 'GET') return out;

  // bodies
  const refuse = base.readsBody ?? false;
  for (const [label, text] of [['truncated JSON', '{"a":'], ['empty body', ''], ['null', 'null'], ['an array', '[]'], ['a string', '"x"'], ['a number', '1e999'], ['deep nesting', `${'['.repeat(100_000)}${']'.repeat(100_000)}`], ['not JSON', 'username=admin&password=x']] as const) {
    out.push({ label, path: base.path, init: jsonInit(text), mustRefuse: refuse });
  }
  if (base.body !== undefined) {
    const text = JSON.stringify(base.body);
    out.push({ label: 'text/plain', path: base.path, init: jsonInit(text, 'text/plain'), mustRefuse: refuse });
    out.push({ label: 'form content type', path: base.path, init: jsonInit(text, 'application/x-www-form-urlencoded'), mustRefuse: refuse });
    out.push({ label: 'no content type', path: base.path, init: { method, body: text }, mustRefuse: refuse });
    out.push({ label: '9 MB body', path: base.path, init: jsonInit(`{"pad":"${'x'.repeat(9 * 1024 * 1024)}"}`), mustRefuse: true });
    for (const field of Object.keys(base.body as object)) {
      for (const value of FIELD_VALUES) {
        const body = { ...(base.body as Record<string, unknown>), [field]: value };
        out.push({ label: `${field} = ${JSON.stringify(value)?.slice(0, 20)}`, path: base.path, init: jsonInit(JSON.stringify(body)), mustRefuse: false });
      }
    }
    if (base.geometryAt) {
      const [lon, lat] = fx.centre;
      for (const geometry of [...badGeometries(lon, lat), ...antipodalGeometries(lon)]) {
        // splice the raw geometry text in, so that 1e999 stays Infinity on the server
        const marker = '"__GEOMETRY__"';
        const body = structuredClone(base.body) as Record<string, unknown>;
        body[base.geometryAt[0]!] = '__GEOMETRY__';
        out.push({ label: `geometry ${geometry.slice(0, 40)}`, path: base.path, init: jsonInit(JSON.stringify(body).replace(marker, geometry)), mustRefuse: true });
      }
    }
  }
  return out;
}

beforeAll(async () => {
  database = await freshDatabase();
  const webRoot = mkdtempSync(join(tmpdir(), 'civgrid-web-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>civgrid</title>');
  const tilesDir = mkdtempSync(join(tmpdir(), 'civgrid-tiles-'));
  app = createApp({
    database, webRoot, tilesDir, demo: true, trustProxy: true,
    // generous limits: this test is about input, and 429s would hide it
    // (one sign-in per route, and the login route's own wrong passwords, pass 100 on one username: the all-addresses brake too)
    rateLimits: { loginPerIp: { max: 100_000, windowSeconds: 60 }, loginPerUser: { max: 100_000, windowSeconds: 60 }, loginPerUserAllAddresses: { max: 100_000, windowSeconds: 60 }, publicPerIp: { max: 100_000, windowSeconds: 60 } },
  });
  const row = <T>(q: ReturnType<typeof sql<T>>) => q.execute(database.db).then((r) => r.rows[0] as T);
  const centre = await row(sql<{ lon: number; lat: number }>`SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (SELECT (ST_MaximumInscribedCircle(geom)).center AS c FROM territories WHERE level = 'district') s`);
  const community = await row(sql<{ id: number }>`SELECT id FROM territories WHERE level = 'community' ORDER BY code LIMIT 1`);
  const district = await row(sql<{ id: number }>`SELECT id FROM territories WHERE level = 'district'`);
  const point = await row(sql<{ id: number }>`SELECT id FROM inspection_points ORDER BY id LIMIT 1`);
  const org = await row(sql<{ id: number }>`SELECT id FROM organisations ORDER BY id LIMIT 1`);
  const zone = await row(sql<{ id: number }>`SELECT id FROM zones ORDER BY id LIMIT 1`);
  const section = await row(sql<{ id: number }>`SELECT id FROM road_sections ORDER BY id LIMIT 1`);
  const problem = await row(sql<{ id: number }>`SELECT id FROM problems ORDER BY id LIMIT 1`);
  const { hashPassword } = await import('@civgrid/db');
  const hash = await hashPassword(FUZZ_PASSWORD);
  await sql`INSERT INTO users (username, display_name, password_hash, role, territory_id) VALUES ('fuzz-admin', '模糊管理员', ${hash}, 'admin', ${district.id})`.execute(database.db);
  const user = await row(sql<{ id: number }>`INSERT INTO users (username, display_name, password_hash, role, territory_id) VALUES ('fuzz-target', '目标', ${hash}, 'viewer', ${district.id}) RETURNING id`);
  fx = { centre: [centre.lon, centre.lat], community: community.id, zone: zone.id, section: section.id, problem: problem.id, user: user.id, point: point.id, district: district.id, org: org.id };
});
afterAll(async () => {
  await database?.close();
});

const LEAKS = /\bat [\w.<>]+ \(|\.ts:\d+|\bSELECT\b|\bINSERT\b|syntax error at or near|node_modules|PGlite|postgres\.js/i;

describe('bad input to every route', () => {
  it('covers every route the app serves', () => {
    const keys = [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))];
    const table = bases();
    expect(keys.filter((k) => !table[k] && k !== 'GET /')).toEqual([]);
  });

  it('answers every bad request below 500, in the error shape, without internals, and keeps serving', { timeout: 600_000 }, async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const [key, base] of Object.entries(bases())) {
      // a session per route: the logout cases end theirs
      const session: Session = await signIn(app, 'fuzz-admin', FUZZ_PASSWORD, { 'x-forwarded-for': `10.0.0.${++ip % 250}` });
      for (const c of cases(key, base)) {
        const res = await app.request(c.path, withSession(session, addHeaders(c.init, { 'x-forwarded-for': `10.1.0.${++ip % 250}` })));
        sent++;
        const text = await res.text();
        const where = `${key} [${c.label}] → ${res.status}`;
        if (res.status >= 500) failures.push(`${where}: ${text.slice(0, 200)}`);
        else if (c.mustRefuse && res.status < 400) failures.push(`${where}: accepted`);
        else if (res.status >= 400) {
          let shaped = false;
          try {
            const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
            shaped = typeof body.error?.code === 'string' && typeof body.error.message === 'string';
          } catch {}
          if (!shaped && res.status !== 416) failures.push(`${where}: not the error shape: ${text.slice(0, 120)}`);
          if (LEAKS.test(text)) failures.push(`${where}: leaks internals: ${text.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1500);
    // still alive, and the database too
    const health = await app.request('/api/health');
    expect(health.status).toBe(200);
    const session = await signIn(app, 'fuzz-admin', FUZZ_PASSWORD, { 'x-forwarded-for': '10.2.0.1' });
    expect((await app.request(`/api/responsibility?lon=${fx.centre[0]}&lat=${fx.centre[1]}`, withSession(session))).status).toBe(200);
    const users = await sql<{ n: number }>`SELECT count(*)::int AS n FROM users`.execute(database.db);
    expect(users.rows[0]!.n).toBeGreaterThan(6);
  });
});

// Issue 15 items 2 and 10 (h2-imports): nesting 100,000 levels deep in every field of every JSON
// body and in uploads, and zips whose directory lists one file twice, climbs out or lists too many.
describe('deep nesting and hostile zips', () => {
  const DEPTH = 100_000;
  const deepObject = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
  const deepArray = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;

  it('answers below 500 in the error shape, and keeps serving', { timeout: 300_000 }, async () => {
    const { writeZip } = await import('../../server/src/services/export-zip.ts');
    const session = await signIn(app, 'fuzz-admin', FUZZ_PASSWORD, { 'x-forwarded-for': '10.3.0.1' });
    const failures: string[] = [];
    const check = async (label: string, path: string, init: RequestInit) => {
      const res = await app.request(path, withSession(session, addHeaders(init, { 'x-forwarded-for': `10.3.1.${++ip % 250}` })));
      const text = await res.text();
      if (res.status >= 500) failures.push(`${label} → ${res.status}: ${text.slice(0, 200)}`);
      else if (res.status >= 400 && !/^\{"error":\{"code":"/.test(text)) failures.push(`${label} → ${res.status}: not the error shape`);
    };
    for (const [key, base] of Object.entries(bases())) {
      if (base.body === null || typeof base.body !== 'object' || Array.isArray(base.body)) continue;
      const { method } = route(key);
      for (const field of Object.keys(base.body)) {
        for (const deep of [deepObject, deepArray]) {
          const body = JSON.stringify({ ...(base.body as Record<string, unknown>), [field]: '__DEEP__' }).replace('"__DEEP__"', deep);
          await check(`${key} [${field} deep]`, base.path, { method, headers: { 'content-type': 'application/json' }, body });
        }
      }
    }
    const shp = new Uint8Array(100);
    const [lon, lat] = fx.centre;
    const uploads: [string, string | Uint8Array][] = [
      ['deep-geometry.geojson', `{"type":"Feature","geometry":{"type":"Polygon","coordinates":${deepArray}},"properties":{}}`],
      ['deep-property.geojson', `{"type":"Feature","geometry":{"type":"Point","coordinates":[${lon},${lat}]},"properties":{"a":${deepObject}}}`],
      ['deep.kml', `<kml>${'<Folder>'.repeat(DEPTH)}${'</Folder>'.repeat(DEPTH)}</kml>`],
      ['twice.zip', writeZip([{ name: 'x.shp', data: shp }, { name: 'x.shp', data: shp }])],
      ['case.zip', writeZip([{ name: 'a/x.shp', data: shp }, { name: 'A\\X.SHP', data: shp }])],
      ['climbs.zip', writeZip([{ name: '../../x.shp', data: shp }])],
      ['many.zip', writeZip(Array.from({ length: 1_001 }, (_, i) => ({ name: `x${i}.shp`, data: shp })))],
    ];
    for (const [name, file] of uploads) {
      const form = new FormData();
      form.set('file', new Blob([file as BlobPart]), name);
      form.set('layer', 'zones');
      form.set('duty', 'frontage');
      await check(`POST /api/import [${name}]`, '/api/import', { method: 'POST', body: form });
    }
    const form = new FormData();
    form.set('check', `{"roundId":1,"items":${deepArray}}`);
    await check('POST /api/inspection/checks [deep check part]', '/api/inspection/checks', { method: 'POST', headers: { 'idempotency-key': 'fuzz-deep-check' }, body: form });
    expect(failures).toEqual([]);
    expect((await app.request('/api/health')).status).toBe(200);
    expect((await app.request(`/api/responsibility?lon=${lon}&lat=${lat}`, withSession(session))).status).toBe(200);
  });
});
