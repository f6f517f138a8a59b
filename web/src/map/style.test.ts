import { createPropertyExpression, latest, validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import { CLICKABLE, mapStyle, type StyleData, toggleOf, ZONE_LINE_WIDTH } from './style.ts';
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

  it('draws inspection points above every shape, the labels above the points, the selection ring last', () => {
    const layers = mapStyle(allOn, theme).layers;
    const ids = layers.map((layer) => layer.id);
    const points = ids.indexOf(CLICKABLE.points);
    const shapes = layers.filter((layer) => ['fill', 'line'].includes(layer.type)).map((layer) => ids.indexOf(layer.id));
    const labels = layers.filter((layer) => layer.type === 'symbol').map((layer) => ids.indexOf(layer.id));
    expect(labels.length).toBeGreaterThan(2);
    expect(Math.max(...shapes)).toBeLessThan(points);
    // a point never hides a name: every label is drawn after (over) the points
    expect(Math.min(...labels)).toBeGreaterThan(points);
    expect(ids.at(-1)).toBe('selection:ring');
  });

  it('keeps a zone only a street wide visible at the opening zoom: its outline over the roads, 2 px or more', () => {
    const layers = mapStyle(allOn, theme).layers;
    const ids = layers.map((layer) => layer.id);
    const lastRoad = Math.max(...layers.filter((layer) => layer.id.startsWith('roads:') && layer.type === 'line').map((layer) => ids.indexOf(layer.id)));
    for (const duty of duties) expect(ids.indexOf(`zones:${duty.id}:line`), duty.id).toBeGreaterThan(lastRoad);
    const width = createPropertyExpression(ZONE_LINE_WIDTH, 'layers[0].paint.line-width', latest.paint_line['line-width'] as never);
    if (width.result !== 'success') throw new Error('invalid width expression');
    const at = (zoom: number) => width.value.evaluate({ zoom }) as number;
    // 象山区 fills a 1280 × 800 map at about zoom 11; a 40 m corridor is then about 1 px wide
    for (const zoom of [10, 11, 11.5, 12]) expect(at(zoom), `zoom ${zoom}`).toBeGreaterThanOrEqual(2);
    // in the streets the fill shows itself, and a thin outline leaves it room
    expect(at(15)).toBeLessThan(2);
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
