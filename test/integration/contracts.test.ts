/**
 * The shared contracts (server/src/contracts) against what the server really
 * sends on the demo district: each answer of the heat map's statistics and of
 * inspection rounds, checks and scores parses with its zod schema, and
 * parsing drops nothing (zod strips keys a schema does not name), so a field
 * the server adds or renames without the contract fails here, not in the web
 * app that reads the contract's types.
 */
import type { Database } from '@civgrid/db';
import {
  type ChecksPage, check, checklists, checksPage, finalScores, inspectorsAnswer, round, roundScores, roundsAnswer, routeProps, stopProps,
} from '@civgrid/server/contracts/inspection';
import { hotspotsAnswer, trendAnswer, unitStats } from '@civgrid/server/contracts/problem-stats';
import type { FeatureCollection } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../support/api.ts';
import { freshDatabase } from '../support/database.ts';

let database: Database;
let supervisor: TestApp;

beforeAll(async () => {
  database = await freshDatabase();
  supervisor = testApp(database, 'supervisor');
});
afterAll(async () => {
  await database?.close();
});

async function get(path: string): Promise<unknown> {
  const res = await supervisor.request(path);
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return res.json();
}

/** A contract's zod schema, as far as this test uses it. */
interface Schema<T> {
  safeParse(value: unknown): { data?: T; error?: { issues: unknown[] } };
}

/** The answer parses with the schema, and the parsed value is the whole answer. */
async function answerOf<T>(schema: Schema<T>, path: string): Promise<T> {
  const body = await get(path);
  const parsed = schema.safeParse(body);
  expect(parsed.error?.issues ?? [], path).toEqual([]);
  expect(parsed.data, `${path}: a key the contract does not name`).toEqual(body);
  return parsed.data as T;
}

describe('the heat map contract', () => {
  it('matches the grid and community counts, the hot spots and the trend', async () => {
    for (const level of ['grid', 'community']) {
      const units = await answerOf(unitStats, `/api/problems/stats/grids?level=${level}`);
      expect(units.rows.length, level).toBeGreaterThan(0);
      expect(units.total).toBe(units.rows.reduce((sum, r) => sum + r.count, 0));
    }
    const hot = await answerOf(hotspotsAnswer, '/api/problems/hotspots?limit=5');
    expect(hot.hotspots.length).toBeGreaterThan(0);
    const trend = await answerOf(trendAnswer, '/api/problems/trend?interval=week');
    expect(trend.buckets.length).toBeGreaterThan(0);
  });
});

describe('the inspection contract', () => {
  it('matches rounds, routes, inspectors, checklists, checks and scores', async () => {
    const { rounds } = await answerOf(roundsAnswer, '/api/inspection/rounds');
    expect(rounds.length).toBeGreaterThan(0);
    const withGroups = rounds.find((r) => r.groups.length > 0 && r.assignedCount > 0);
    expect(withGroups, 'a demo round with assigned groups').toBeDefined();
    await answerOf(round, `/api/inspection/rounds/${withGroups!.id}`);

    // GeoJSON is the geojson package's type; the properties are the contract's
    const routes = (await get(`/api/inspection/rounds/${withGroups!.id}/routes`)) as FeatureCollection;
    expect(routes.features.length).toBeGreaterThan(0);
    const kinds = new Set<string>();
    for (const feature of routes.features) {
      const props = feature.properties as { kind: string };
      kinds.add(props.kind);
      const schema = props.kind === 'route' ? routeProps : stopProps;
      expect(schema.parse(props)).toEqual(props);
      expect(feature.geometry.type).toBe(props.kind === 'route' ? 'MultiLineString' : 'Point');
    }
    expect([...kinds].sort()).toEqual(['route', 'stop']);

    const people = await answerOf(inspectorsAnswer, '/api/inspection/inspectors');
    expect(people.users.length).toBeGreaterThan(0);
    const lists = await answerOf(checklists, '/api/inspection/checklists');
    expect(lists.types.length).toBeGreaterThan(0);

    // the round whose checks are read: the first with any
    let page: ChecksPage | undefined;
    let checked: (typeof rounds)[number] | undefined;
    for (const r of rounds) {
      page = await answerOf(checksPage, `/api/inspection/checks?round=${r.id}&limit=20`);
      if (page.checks.length > 0) {
        checked = r;
        break;
      }
    }
    expect(checked, 'a demo round with checks').toBeDefined();
    await answerOf(check, `/api/inspection/checks/${page!.checks[0]!.id}`);
    const scores = await answerOf(roundScores, `/api/inspection/rounds/${checked!.id}/scores`);
    expect(scores.points.length).toBeGreaterThan(0);
    const final = await answerOf(finalScores, `/api/inspection/scores?rounds=${rounds.map((r) => r.id).join(',')}`);
    expect(final.rounds.map((r) => r.id).sort((a, b) => a - b)).toEqual(rounds.map((r) => r.id).sort((a, b) => a - b));
  });
});
