import { describe, expect, it } from 'vitest';
import { DEFAULT_SNAPSHOT_LAYERS, isSnapshotLayerId, parseSnapshotLayers, sourceLayerName, zoneDuty } from './snapshot-layers.ts';

describe('snapshot layers', () => {
  it('defaults to the operational layers and both sanitation tiers', () => {
    expect(DEFAULT_SNAPSHOT_LAYERS).toEqual([
      'district', 'streets', 'communities', 'grids', 'roads', 'road-sections', 'inspection-points', 'zones:sanitation-city', 'zones:sanitation-town',
    ]);
    expect(parseSnapshotLayers(DEFAULT_SNAPSHOT_LAYERS.join(','))).toEqual(DEFAULT_SNAPSHOT_LAYERS);
  });

  it('parses a list with spaces and empty items', () => {
    expect(parseSnapshotLayers(' district, ,zones:greening ,')).toEqual(['district', 'zones:greening']);
  });

  it('rejects unknown, repeated and missing layers', () => {
    expect(() => parseSnapshotLayers('district,parks')).toThrow(/unknown layer "parks"/);
    expect(() => parseSnapshotLayers('zones')).toThrow(/unknown layer "zones"/);
    expect(() => parseSnapshotLayers('context')).toThrow(/unknown layer/);
    expect(() => parseSnapshotLayers('zones:Bad Id')).toThrow(/unknown layer/);
    expect(() => parseSnapshotLayers('roads,roads')).toThrow(/given twice/);
    expect(() => parseSnapshotLayers(' , ')).toThrow(/no layer/);
  });

  it('names zone layers with a hyphen inside the archive', () => {
    expect(isSnapshotLayerId('zones:sanitation-city')).toBe(true);
    expect(sourceLayerName('zones:sanitation-city')).toBe('zones-sanitation-city');
    expect(sourceLayerName('road-sections')).toBe('road-sections');
    expect(zoneDuty('zones:sanitation-town')).toBe('sanitation-town');
    expect(zoneDuty('roads')).toBeUndefined();
  });
});
