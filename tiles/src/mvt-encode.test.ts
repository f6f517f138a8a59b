import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { describe, expect, it } from 'vitest';
import { encodeMvt } from './mvt-encode.ts';

describe('encodeMvt', () => {
  it('writes points, lines and polygons with ids and properties that a decoder reads back', () => {
    const bytes = encodeMvt({
      things: [
        { id: 7, geometry: { type: 'Point', coordinates: [100, 200] }, properties: { name: '南门农贸市场', n: 3, ok: true, none: null } },
        { id: 8, geometry: { type: 'LineString', coordinates: [[0, 0], [4096, 4096]] }, properties: { name: '中山南路' } },
        {
          id: 9,
          geometry: { type: 'Polygon', coordinates: [[[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]]] },
          properties: { name: '象山街道' },
        },
      ],
      empty: [],
    });
    const tile = new VectorTile(new PbfReader(bytes));
    expect(Object.keys(tile.layers)).toEqual(['things']);
    const layer = tile.layers.things!;
    expect(layer.extent).toBe(4096);
    expect(layer.length).toBe(3);
    const point = layer.feature(0);
    expect(point.id).toBe(7);
    expect(point.type).toBe(1);
    expect(point.properties).toEqual({ name: '南门农贸市场', n: 3, ok: true });
    expect(point.loadGeometry()[0]![0]).toMatchObject({ x: 100, y: 200 });
    expect(layer.feature(1).type).toBe(2);
    const polygon = layer.feature(2);
    expect(polygon.type).toBe(3);
    expect(polygon.loadGeometry()[0]).toHaveLength(5);
  });
});
