import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import type { StyleSpecification } from 'maplibre-gl';
import { describe, expect, it } from 'vitest';
import type { RouteCollection } from './inspection-api.ts';
import {
  chinaDateTime, csvCell, GROUP_PALETTE, groupColor, hoursMinutes, km, legText, parseSheetHash, ratingKey, routeBounds, sheetHash, sortScores,
  routeOf, stopsOf, toCsv, weightFromPercent, weightPercent,
} from './planner.ts';
import { byHighlight, ROUTE_LAYER, ROUTES_SOURCE, routeLayers } from './route-style.ts';

const stop = (groupId: number, order: number, pointId: number, lon: number, lat: number) => ({
  type: 'Feature' as const,
  geometry: { type: 'Point' as const, coordinates: [lon, lat] },
  properties: {
    kind: 'stop' as const, groupId, groupName: `第${groupId}组`, color: null, order, pointId, code: `P${pointId}`, name: `点${pointId}`,
    pointType: '车站', legM: order * 100,
  },
});

const routes: RouteCollection = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      geometry: { type: 'MultiLineString', coordinates: [[[110.25, 25.2], [110.3, 25.25]], [[110.3, 25.25], [110.31, 25.22]]] },
      properties: { kind: 'route', groupId: 1, groupName: '第1组', color: null, lengthM: 5000, durationS: 1200, pointCount: 2, method: 'dijkstra' },
    },
    stop(1, 2, 12, 110.31, 25.22),
    stop(1, 1, 11, 110.3, 25.25),
    stop(2, 1, 21, 110.2, 25.3),
  ],
};

describe('figures as the planner reads them', () => {
  it('gives kilometres with one decimal and legs under a kilometre in metres', () => {
    expect(km(12_345)).toBe('12.3');
    expect(km(12_350)).toBe('12.4');
    expect(km(0)).toBe('0.0');
    expect(legText(850.4)).toBe('850 m');
    expect(legText(1_049)).toBe('1.0 km');
    expect(legText(null)).toBe('');
  });

  it('gives durations in whole hours and minutes, rounded to the minute', () => {
    expect(hoursMinutes(3_600 + 23 * 60 + 29)).toEqual({ h: 1, m: 23 });
    expect(hoursMinutes(59 * 60 + 31)).toEqual({ h: 1, m: 0 });
    expect(hoursMinutes(0)).toEqual({ h: 0, m: 0 });
  });

  it('turns weights into percentages and back, refusing what is not in (0, 100]', () => {
    expect(weightPercent(0.4)).toBe(40);
    expect(weightPercent(0.125)).toBe(12.5);
    expect(weightFromPercent('40')).toBe(0.4);
    expect(weightFromPercent(' 60% ')).toBe(0.6);
    expect(weightFromPercent('100')).toBe(1);
    for (const bad of ['0', '-5', '100.1', 'abc', '', ' ']) expect(weightFromPercent(bad), bad).toBeNull();
  });

  it('gives China time to the minute', () => {
    expect(chinaDateTime('2026-11-02T01:30:00Z')).toBe('2026-11-02 09:30');
    expect(chinaDateTime('2026-11-02T17:05:00Z')).toBe('2026-11-03 01:05');
    expect(chinaDateTime(null)).toBe('');
  });
});

describe('groups and their stops', () => {
  it('takes a group’s own colour, else the palette by its place', () => {
    expect(groupColor({ color: '#123abc' }, 0)).toBe('#123abc');
    expect(groupColor({ color: null }, 1)).toBe(GROUP_PALETTE[1]);
    expect(groupColor({ color: 'red; x' }, 0)).toBe(GROUP_PALETTE[0]);
    expect(groupColor({ color: null }, GROUP_PALETTE.length)).toBe(GROUP_PALETTE[0]);
    expect(new Set(GROUP_PALETTE).size).toBe(GROUP_PALETTE.length);
  });

  it('lists a group’s stops in visiting order', () => {
    expect(stopsOf(routes, 1).map((s) => s.properties.pointId)).toEqual([11, 12]);
    expect(stopsOf(routes, 2).map((s) => s.properties.pointId)).toEqual([21]);
    expect(stopsOf(routes, 3)).toEqual([]);
    expect(stopsOf(null, 1)).toEqual([]);
  });

  it('boxes a group’s route and stops, or all of them', () => {
    expect(routeBounds(routes, 1)).toEqual([110.25, 25.2, 110.31, 25.25]);
    expect(routeBounds(routes, 2)).toEqual([110.2, 25.3, 110.2, 25.3]);
    expect(routeBounds(routes, null)).toEqual([110.2, 25.2, 110.31, 25.3]);
    expect(routeBounds(routes, 9)).toBeNull();
  });

  it('reads and writes the route sheet’s address', () => {
    expect(sheetHash({ roundId: 3, groupId: 17 })).toBe('#/print/round/3/group/17');
    expect(parseSheetHash('#/print/round/3/group/17')).toEqual({ roundId: 3, groupId: 17 });
    for (const bad of ['', '#/print/round/3', '#/print/round/x/group/1', '#/print/round/3/group/17/extra']) expect(parseSheetHash(bad), bad).toBeNull();
  });
});

describe('scores', () => {
  it('knows the rating by its key or its Chinese word', () => {
    expect(ratingKey('good')).toBe('good');
    expect(ratingKey('中')).toBe('fair');
    expect(ratingKey('差')).toBe('poor');
    expect(ratingKey(null)).toBeNull();
    expect(ratingKey('excellent')).toBeNull();
  });

  it('sorts by score with ties by code, rows without a score last either way', () => {
    // a row of the points table; one without a score stands for any row lacking the sorted value
    const row = (code: string, score: number | null) => ({ pointId: Number(code.slice(1)), code, name: code, score, serious: false });
    const rows = [row('P3', 80), row('P1', null), row('P2', 95), row('P4', 80)];
    expect(sortScores(rows, 'score', 'desc').map((r) => r.code)).toEqual(['P2', 'P3', 'P4', 'P1']);
    expect(sortScores(rows, 'score', 'asc').map((r) => r.code)).toEqual(['P3', 'P4', 'P2', 'P1']);
    expect(sortScores(rows, 'code', 'asc').map((r) => r.code)).toEqual(['P1', 'P2', 'P3', 'P4']);
  });

  it('writes CSV that Excel reads and no spreadsheet runs as a formula', () => {
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(toCsv(['编号', '得分'], [['P1', 92.5]])).toBe('\uFEFF编号,得分\r\nP1,92.5\r\n');
  });
});

describe('route layers', () => {
  it('pass the MapLibre style validator, highlighted or not', () => {
    for (const [highlight, selected] of [[null, null], [3, 12], [null, 7]] as const) {
      const style: StyleSpecification = {
        version: 8,
        sources: { [ROUTES_SOURCE]: { type: 'geojson', data: routes } },
        layers: routeLayers(highlight, selected, 1.4),
      };
      expect(validateStyleMin(style).map((e) => e.message)).toEqual([]);
    }
  });

  it('draws the stops above the lines, and numbers on the stops', () => {
    const ids = routeLayers(null, null).map((layer) => layer.id);
    expect(ids.indexOf(ROUTE_LAYER.stops)).toBeGreaterThan(ids.indexOf(ROUTE_LAYER.line));
    expect(ids.indexOf(ROUTE_LAYER.numbers)).toBeGreaterThan(ids.indexOf(ROUTE_LAYER.stops));
  });

  it('dims the other groups only while one is highlighted', () => {
    expect(byHighlight(null, 1, 0.2)).toBe(1);
    expect(byHighlight(4, 1, 0.2)).toEqual(['case', ['==', ['get', 'groupId'], 4], 1, 0.2]);
  });
});

describe('routeOf', () => {
  const line = (groupId: number, lengthM: number, durationS: number) => ({
    type: 'Feature' as const,
    geometry: { type: 'MultiLineString' as const, coordinates: [[[110.29, 25.27], [110.3, 25.28]]] },
    properties: { kind: 'route' as const, groupId, groupName: `第${groupId}组`, color: null, lengthM, durationS, pointCount: 2, method: 'dijkstra' },
  });
  const routes: RouteCollection = { type: 'FeatureCollection', features: [line(1, 3200, 2400), stop(1, 1, 10, 110.29, 25.27), line(2, 900, 700)] };

  it('takes the route the map draws when the round was read before the route was computed', () => {
    expect(routeOf({ id: 1, route: null }, routes)).toEqual({ lengthM: 3200, durationS: 2400, method: 'dijkstra' });
    // the drawn one wins over a stale summary
    expect(routeOf({ id: 2, route: { lengthM: 1, durationS: 1, method: 'dijkstra' } }, routes)).toEqual({ lengthM: 900, durationS: 700, method: 'dijkstra' });
  });

  it('keeps the round’s summary when no route of the group is drawn', () => {
    expect(routeOf({ id: 3, route: null }, routes)).toBeNull();
    expect(routeOf({ id: 1, route: null }, null)).toBeNull();
    const summary = { lengthM: 5, durationS: 6, method: 'pgrouting' };
    expect(routeOf({ id: 3, route: summary }, routes)).toBe(summary);
  });
});
