import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import { CLICKABLE, mapStyle, type StyleData, toggleOf } from './style.ts';
import { THEMES } from './theme.ts';

const duties = [
  { id: 'sanitation-city', color: '#2563eb' },
  { id: 'sanitation-town', color: '#f59e0b' },
  { id: 'greening', color: '#16a34a' },
];
const tileBase = 'http://localhost:3000';
const allOn: StyleData = {
  duties,
  tileBase,
  visible: {
    streets: true, communities: true, grids: true, roads: true, 'road-sections': true, 'inspection-points': true,
    'zones:sanitation-city': true, 'zones:sanitation-town': true,
  },
};

describe.each(Object.values(THEMES))('map style, theme $id', (theme) => {
  it('passes the MapLibre style validator', () => {
    for (const data of [allOn, { duties, tileBase, visible: {} }, { duties: [], tileBase, visible: {} }]) {
      const errors = validateStyleMin(mapStyle(data, theme));
      expect(errors.map((e) => e.message)).toEqual([]);
    }
  });

  it('has unique layer ids and every source it draws from', () => {
    const style = mapStyle(allOn, theme);
    const ids = style.layers.map((layer) => layer.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const layer of style.layers) {
      if ('source' in layer && typeof layer.source === 'string') expect(style.sources).toHaveProperty([layer.source]);
    }
  });

  it('draws inspection points above everything but the selection ring', () => {
    const ids = mapStyle(allOn, theme).layers.map((layer) => layer.id);
    expect(ids.indexOf(CLICKABLE.points)).toBe(ids.length - 2);
  });

  it('draws a translucent fill and an outline per duty, hidden unless switched on', () => {
    const style = mapStyle(allOn, theme);
    for (const duty of duties) {
      const layers = style.layers.filter((layer) => toggleOf(layer) === `zones:${duty.id}`);
      expect(layers.map((layer) => layer.type).sort()).toEqual(['fill', 'line']);
      const fill = layers.find((layer) => layer.type === 'fill');
      expect(fill?.paint).toMatchObject({ 'fill-color': duty.color });
      const opacity = (fill?.paint as { 'fill-opacity'?: number } | undefined)?.['fill-opacity'];
      expect(opacity).toBeGreaterThan(0.15);
      expect(opacity).toBeLessThan(0.6);
      const visible = duty.id === 'greening' ? 'none' : 'visible';
      for (const layer of layers) expect(layer.layout).toMatchObject({ visibility: visible });
    }
  });

  it('needs no glyph server: labels render with local fonts', () => {
    const style = mapStyle(allOn, theme);
    expect(style.glyphs).toBeUndefined();
    expect(style.layers.some((layer) => layer.type === 'symbol')).toBe(true);
  });
});
