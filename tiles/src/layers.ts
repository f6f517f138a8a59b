/**
 * The layer catalogue: every map layer civgrid draws, with its Chinese and
 * English name, geometry kind and colour. The server's layer endpoints, the
 * tile endpoints (later) and the web app's layer list all read this one list.
 */
export type GeometryKind = 'polygon' | 'line' | 'point';

export interface LayerInfo {
  /** Id used in `/api/layers/{id}` and in the layer list. */
  id: LayerId;
  zh: string;
  en: string;
  kind: GeometryKind;
  color: string;
  /** Below this zoom the web app hides the layer (it would be clutter). */
  minzoom: number;
}

export const LAYER_IDS = [
  'district', 'streets', 'communities', 'grids', 'roads', 'road-sections', 'inspection-points', 'zones', 'context',
] as const;
export type LayerId = (typeof LAYER_IDS)[number];

export const LAYERS: Record<LayerId, LayerInfo> = {
  district: { id: 'district', zh: '区界', en: 'District boundary', kind: 'polygon', color: '#1f2937', minzoom: 0 },
  streets: { id: 'streets', zh: '街道', en: 'Streets', kind: 'polygon', color: '#7c3aed', minzoom: 0 },
  communities: { id: 'communities', zh: '社区', en: 'Communities', kind: 'polygon', color: '#0891b2', minzoom: 10 },
  grids: { id: 'grids', zh: '网格', en: 'Grids', kind: 'polygon', color: '#94a3b8', minzoom: 12 },
  roads: { id: 'roads', zh: '道路', en: 'Roads', kind: 'line', color: '#9ca3af', minzoom: 0 },
  'road-sections': { id: 'road-sections', zh: '责任路段', en: 'Road sections', kind: 'line', color: '#ea580c', minzoom: 0 },
  'inspection-points': { id: 'inspection-points', zh: '备检点', en: 'Inspection points', kind: 'point', color: '#dc2626', minzoom: 0 },
  zones: { id: 'zones', zh: '责任区', en: 'Responsibility zones', kind: 'polygon', color: '#2563eb', minzoom: 0 },
  context: { id: 'context', zh: '周边与水系', en: 'Neighbours and rivers', kind: 'polygon', color: '#cbd5e1', minzoom: 0 },
};

export function isLayerId(value: string): value is LayerId {
  return (LAYER_IDS as readonly string[]).includes(value);
}

/** Inspection point types (备检点类型) with their colours on the map. */
export const POINT_TYPES = [
  { id: '主次干道', en: 'Main and secondary roads', color: '#dc2626' },
  { id: '背街小巷', en: 'Back lanes', color: '#f97316' },
  { id: '农贸市场', en: 'Farmers’ markets', color: '#ca8a04' },
  { id: '居民小区', en: 'Residential compounds', color: '#16a34a' },
  { id: '学校周边', en: 'School surroundings', color: '#2563eb' },
  { id: '公园广场', en: 'Parks and squares', color: '#059669' },
  { id: '车站', en: 'Stations', color: '#7c3aed' },
  { id: '医院', en: 'Hospitals', color: '#db2777' },
  { id: '公共厕所', en: 'Public toilets', color: '#64748b' },
  { id: '商业大街', en: 'Shopping streets', color: '#b45309' },
] as const;
export type PointType = (typeof POINT_TYPES)[number]['id'];

/** Road classes, drawn from wide to thin. */
export const ROAD_CLASSES = [
  { id: 'trunk', zh: '快速路', en: 'Expressway', width: 4 },
  { id: 'main', zh: '主干路', en: 'Main road', width: 3 },
  { id: 'secondary', zh: '次干路', en: 'Secondary road', width: 2 },
  { id: 'branch', zh: '支路', en: 'Branch road', width: 1.2 },
  { id: 'lane', zh: '背街小巷', en: 'Lane', width: 0.8 },
] as const;
