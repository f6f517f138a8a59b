import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import { LAYERS, POINT_TYPES } from './layers.ts';
import { DEFAULT_SNAPSHOT_LAYERS } from './snapshot-layers.ts';
import { SNAPSHOT_POINTS_LAYER, snapshotStyle } from './snapshot-style.ts';

const dutyColors = { 'sanitation-city': '#0284c7', 'sanitation-town': '#65a30d' };
const options = { layers: DEFAULT_SNAPSHOT_LAYERS, dutyColors, url: 'pmtiles://civgrid.pmtiles', attribution: '区界 DataV' };

describe('snapshotStyle', () => {
  it('is a valid MapLibre style with no glyphs and no symbol layers', () => {
    const style = snapshotStyle(options);
    expect(validateStyleMin(style)).toEqual([]);
    expect(style.glyphs).toBeUndefined();
    expect(style.layers.filter((l) => l.type === 'symbol')).toEqual([]);
    expect(style.sources).toEqual({ civgrid: { type: 'vector', url: 'pmtiles://civgrid.pmtiles', attribution: '区界 DataV' } });
  });

  it('draws every chosen layer from its own source layer, zones below boundaries and points on top', () => {
    const style = snapshotStyle(options);
    const ids = style.layers.map((l) => l.id);
    expect(ids[0]).toBe('background');
    expect(ids[1]).toBe('district:fill');
    expect(ids.at(-1)).toBe(SNAPSHOT_POINTS_LAYER);
    expect(ids.indexOf('zones:sanitation-town:fill')).toBeLessThan(ids.indexOf('streets:line'));
    const sourceLayers = new Set(style.layers.map((l) => ('source-layer' in l ? l['source-layer'] : undefined)).filter(Boolean));
    expect([...sourceLayers].sort()).toEqual(
      ['communities', 'district', 'grids', 'inspection-points', 'road-sections', 'roads', 'streets', 'zones-sanitation-city', 'zones-sanitation-town'],
    );
  });

  it('colours like the app: catalogue colours, point types and duty colours', () => {
    const style = snapshotStyle(options);
    const paint = (id: string) => style.layers.find((l) => l.id === id)?.paint as Record<string, unknown> | undefined;
    expect(paint('district:line')?.['line-color']).toBe(LAYERS.district.color);
    expect(paint('road-sections')?.['line-color']).toBe(LAYERS['road-sections'].color);
    expect(paint('zones:sanitation-city:fill')?.['fill-color']).toBe('#0284c7');
    expect(paint('zones:sanitation-town:line')?.['line-color']).toBe('#65a30d');
    const circle = paint(SNAPSHOT_POINTS_LAYER)?.['circle-color'] as unknown[];
    expect(circle.slice(0, 2)).toEqual(['match', ['get', 'point_type']]);
    expect(circle).toContain(POINT_TYPES[3].color);
    expect(circle.at(-1)).toBe(LAYERS['inspection-points'].color);
  });

  it('holds only the chosen layers, with a fallback colour for an unknown duty', () => {
    const style = snapshotStyle({ ...options, layers: ['zones:greening', 'roads'] });
    expect(validateStyleMin(style)).toEqual([]);
    expect(style.layers.some((l) => l.id.startsWith('district'))).toBe(false);
    const fill = style.layers.find((l) => l.id === 'zones:greening:fill')?.paint as Record<string, unknown>;
    expect(fill['fill-color']).toBe(LAYERS.zones.color);
    expect(style.layers.filter((l) => l.id.startsWith('roads:'))).toHaveLength(10);
  });
});
