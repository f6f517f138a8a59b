import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import type { ExpressionSpecification, StyleSpecification } from 'maplibre-gl';
import { describe, expect, it } from 'vitest';
import { type Category, categoryGroups, chinaToday, compactCategories, filterParams, type HeatFilters, periodOf, trendInterval } from './filters.ts';
import {
  CHOROPLETH_LAYER, CLASS_COLORS, HEAT_SOURCE, choroplethColor, classBreaks, classColor, baseIntensity, heatIntensity, heatLayers, legendClasses, metresPerPixel, RADIUS_STOPS,
} from './heat-style.ts';

const cat = (id: string, parentId: string | null, sort: number): Category => ({ id, parentId, kind: 'event', nameZh: id, nameEn: id, sort });
const CATEGORIES = [
  cat('evt-order', null, 2), cat('evt-env', null, 1),
  cat('evt-env-waste', 'evt-env', 1), cat('evt-env-road', 'evt-env', 2),
  cat('evt-order-parking', 'evt-order', 2), cat('evt-order-vending', 'evt-order', 1),
  cat('evt-empty', null, 3),
];
const groups = categoryGroups(CATEGORIES);
const base: HeatFilters = { categories: [], status: 'all', preset: 'all', from: '', to: '' };
/** 2026-12-31 20:00 UTC is already 1 January 2027 in China. */
const NEW_YEAR_IN_CHINA = new Date('2026-12-31T20:00:00Z');

describe('the filters', () => {
  it('groups minor categories under their major classes, in order, without empty classes', () => {
    expect(groups.map((g) => [g.major.id, g.minors.map((m) => m.id)])).toEqual([
      ['evt-env', ['evt-env-waste', 'evt-env-road']],
      ['evt-order', ['evt-order-vending', 'evt-order-parking']],
    ]);
  });

  it('sends a whole major class by its id, and nothing when every category is chosen', () => {
    expect(compactCategories([], groups)).toEqual([]);
    expect(compactCategories(['evt-env-waste', 'evt-env-road', 'evt-order-parking'], groups)).toEqual(['evt-env', 'evt-order-parking']);
    expect(compactCategories(['evt-env-waste', 'evt-env-road', 'evt-order-parking', 'evt-order-vending'], groups)).toEqual([]);
  });

  it('counts days in China time', () => {
    expect(chinaToday(NEW_YEAR_IN_CHINA)).toBe('2027-01-01');
    expect(periodOf({ ...base, preset: '7d' }, NEW_YEAR_IN_CHINA)).toEqual({ from: '2026-12-26', to: '2027-01-01' });
    expect(periodOf({ ...base, preset: '30d' }, NEW_YEAR_IN_CHINA)).toEqual({ from: '2026-12-03', to: '2027-01-01' });
    expect(periodOf({ ...base, preset: 'year' }, NEW_YEAR_IN_CHINA)).toEqual({ from: '2027-01-01', to: '2027-01-01' });
    expect(periodOf({ ...base, preset: 'all' }, NEW_YEAR_IN_CHINA)).toEqual({});
    expect(periodOf({ ...base, preset: 'custom', from: '2026-03-01', to: '' })).toEqual({ from: '2026-03-01' });
  });

  it('becomes the query the tiles and the statistics read', () => {
    const now = new Date('2026-06-15T04:00:00Z');
    expect(filterParams(base, groups, now).toString()).toBe('');
    expect(filterParams({ ...base, status: 'open', preset: '7d' }, groups, now).toString()).toBe(
      'status=reported%2Cregistered%2Cdispatched%2Cin_progress%2Cfed_back%2Cverified&from=2026-06-09&to=2026-06-15',
    );
    expect(filterParams({ ...base, status: 'closed', categories: ['evt-env-waste', 'evt-env-road'] }, groups, now).get('category')).toBe('evt-env');
    expect(Object.fromEntries(filterParams({ ...base, status: 'overdue' }, groups, now))).toEqual({ overdue: 'true' });
  });

  it('picks the trend’s buckets by the period’s length', () => {
    expect(trendInterval({ from: '2026-06-01', to: '2026-06-30' })).toBe('day');
    expect(trendInterval({ from: '2026-01-01', to: '2026-12-31' })).toBe('week');
    expect(trendInterval({ from: '2020-01-01', to: '2026-12-31' })).toBe('month');
    expect(trendInterval({})).toBe('month');
  });
});

describe('the heat map', () => {
  const style = (intensity: ExpressionSpecification): StyleSpecification => ({
    version: 8,
    sources: { [HEAT_SOURCE]: { type: 'vector', tiles: ['http://localhost/tiles/problems/{z}/{x}/{y}.mvt'] }, grids: { type: 'vector', tiles: ['http://localhost/tiles/grids/{z}/{x}/{y}.mvt'] } },
    layers: [
      ...heatLayers(intensity),
      { id: CHOROPLETH_LAYER, type: 'fill', source: 'grids', 'source-layer': 'grids', paint: { 'fill-color': choroplethColor([{ code: '450304001001001', value: 3 }], [1, 5]) as ExpressionSpecification } },
    ],
  });

  it('passes the MapLibre style validator', () => {
    for (const intensity of [heatIntensity(20_000, 92e6, 25.2), heatIntensity(0, 92e6, 25.2)]) {
      expect(validateStyleMin(style(intensity)).map((e) => e.message)).toEqual([]);
    }
  });

  it('weighs a problem so that a place eight times the average density sums to 1 under a kernel at the district’s zoom', () => {
    const total = 20_000;
    const area = 92e6;
    const intensity = heatIntensity(total, area, 25.2) as unknown as [string, unknown, unknown, ...number[]];
    const stops = intensity.slice(3) as number[];
    // the intensity is the heat map's own (stronger further in) times the weight of one problem
    const perProblem = (i: number) => stops[2 * i + 1]! / baseIntensity(stops[2 * i]!);
    const crowd = (zoom: number, radius: number) => ((8 * total) / area) * metresPerPixel(zoom, 25.2) ** 2 * 0.279 * radius * radius;
    let district = 0;
    for (let i = 0; i < RADIUS_STOPS.length; i++) {
      const [zoom, radius] = RADIUS_STOPS[i]!;
      expect(stops[2 * i]).toBe(zoom);
      // problems under one kernel at 8 × the average density, times the kernel's mean height (0.279 r² px²)
      if (zoom <= 11) expect(perProblem(i) * crowd(zoom, radius)).toBeCloseTo(1, 6);
      if (zoom === 11) district = i;
    }
    // further in, a kernel's weight grows by 2 per zoom, not 4: only the cores of crowds stay red
    const [zoom16, radius16] = RADIUS_STOPS.at(-1)!;
    const [, radius11] = RADIUS_STOPS[district]!;
    expect((perProblem(RADIUS_STOPS.length - 1) * radius16 ** 2) / (perProblem(district) * radius11 ** 2)).toBeCloseTo(2 ** (zoom16 - 11), 9);
    // ten times as many problems weigh a tenth each: the same picture
    const tenfold = (heatIntensity(10 * total, area, 25.2) as unknown as number[])[4]! / baseIntensity(RADIUS_STOPS[0]![0]);
    expect(tenfold / perProblem(0)).toBeCloseTo(0.1, 9);
  });
});

describe('the choropleth', () => {
  it('cuts skewed counts at quantiles rounded to two digits, the largest value last', () => {
    const counts = [0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 8, 9, 12, 15, 22, 40, 41, 90, 137, 2050];
    const breaks = classBreaks(counts);
    // the 4th, 8th, 11th and 15th of 18 non-zero values
    expect(breaks).toEqual([2, 6, 12, 41, 2050]);
    expect(classColor(0, breaks)).toBe('rgba(0,0,0,0)');
    expect(classColor(1, breaks)).toBe(CLASS_COLORS[0]);
    expect(classColor(6, breaks)).toBe(CLASS_COLORS[1]);
    expect(classColor(7, breaks)).toBe(CLASS_COLORS[2]);
    expect(classColor(2050, breaks)).toBe(CLASS_COLORS[4]);
    expect(legendClasses(breaks, true).map((c) => [c.from, c.to])).toEqual([[1, 2], [3, 6], [7, 12], [13, 41], [42, 2050]]);
    expect(classBreaks([0.137, 1234.5]).at(-1)).toBe(1234.5);
    expect(classBreaks([0.12345, 0.5, 0.7, 0.9, 1.3])[0]).toBe(0.13);
  });

  it('has fewer classes when there are few values, and none without problems', () => {
    expect(classBreaks([3, 3, 3])).toEqual([3]);
    expect(classBreaks([0, 0])).toEqual([]);
    expect(choroplethColor([{ code: 'a', value: 0 }], [])).toBe('rgba(0,0,0,0)');
    expect(legendClasses([3], true)).toEqual([{ color: CLASS_COLORS[4], from: 1, to: 3 }]);
  });
});
