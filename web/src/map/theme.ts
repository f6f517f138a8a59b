import { LAYERS, POINT_TYPES, type ROAD_CLASSES } from '@civgrid/tiles';

type RoadClassId = (typeof ROAD_CLASSES)[number]['id'];

/** Colours and weights of the map; every style function takes one. */
export interface Theme {
  id: string;
  background: string;
  districtFill: string;
  districtLine: string;
  neighbourFill: string;
  neighbourLine: string;
  neighbourText: string;
  river: string;
  streetLine: string;
  communityLine: string;
  gridLine: string;
  roads: Record<RoadClassId, string>;
  roadCasing: string;
  roadSection: string;
  /** Opacity of a duty zone's fill: low enough that two overlapping tiers visibly mix. */
  zoneFillOpacity: number;
  labelText: string;
  streetLabel: string;
  communityLabel: string;
  labelHalo: string;
  pointStroke: string;
  pointColors: Record<string, string>;
  pointDefault: string;
  selection: string;
}

export const lightTheme: Theme = {
  id: 'light',
  background: '#e9edf1',
  districtFill: '#fbfbf8',
  districtLine: LAYERS.district.color,
  neighbourFill: '#dde3e9',
  neighbourLine: '#b6c0cb',
  neighbourText: '#8391a1',
  river: '#5b9bd5',
  streetLine: LAYERS.streets.color,
  communityLine: LAYERS.communities.color,
  gridLine: LAYERS.grids.color,
  roads: { trunk: '#8b95a3', main: '#9aa3af', secondary: '#aab2bd', branch: '#b9c0c9', lane: '#c8ced6' },
  roadCasing: '#ffffff',
  roadSection: LAYERS['road-sections'].color,
  zoneFillOpacity: 0.34,
  labelText: '#1f2937',
  streetLabel: '#4c1d95',
  communityLabel: '#155e75',
  labelHalo: '#ffffff',
  pointStroke: '#ffffff',
  pointColors: Object.fromEntries(POINT_TYPES.map((type) => [type.id, type.color])),
  pointDefault: LAYERS['inspection-points'].color,
  selection: '#111827',
};

/** Every theme the app can draw with; the style test validates each one. */
export const THEMES: Record<string, Theme> = { light: lightTheme };
