/**
 * Names and rough placements of the demo district's places. Placements are
 * fractions of the district's bounding box (fx from the west, fy from the
 * south); the geometry itself is built by PostGIS.
 */

/** The four streets (街道) and where their Voronoi seeds sit. */
export const STREETS = [
  { key: 'xiangshan', name: '象山街道', fx: 0.62, fy: 0.86, urban: true },
  { key: 'nanmen', name: '南门街道', fx: 0.33, fy: 0.72, urban: true },
  { key: 'pingshan', name: '平山街道', fx: 0.7, fy: 0.52, urban: false },
  { key: 'ertang', name: '二塘街道', fx: 0.42, fy: 0.22, urban: false },
] as const;
export type StreetKey = (typeof STREETS)[number]['key'];

/** Community (社区/村) names per street, used in numbering order. */
export const COMMUNITY_NAMES: Record<StreetKey, readonly string[]> = {
  xiangshan: ['文明社区', '象山社区', '滨江社区', '漓江社区', '中华社区', '水月社区', '解放社区', '三多社区', '雉山社区', '阳桥社区', '訾洲社区', '南环社区'],
  nanmen: ['崇善社区', '南门社区', '西城社区', '翠竹社区', '崇信社区', '宁远社区', '文昌社区', '民主社区', '中隐社区', '凯风社区', '上海路社区', '铁西社区'],
  pingshan: ['平山社区', '瓦窑社区', '净瓶山社区', '将军桥社区', '南溪社区', '铁路社区', '大石社区', '凤凰社区', '丽泽社区', '兴隆社区', '宝贤社区', '平山村'],
  ertang: ['二塘村', '莲塘村', '洋塘村', '大岗埠村', '红星村', '万福社区', '二塘社区', '新村村', '凤集村', '南溪村', '白竹村', '梁家村'],
};

/** Target area of one management grid, km², by street (denser in the old town). */
export const GRID_TARGET_KM2: Record<StreetKey, number> = { xiangshan: 0.15, nanmen: 0.2, pingshan: 0.25, ertang: 0.42 };

export type RoadClass = 'trunk' | 'main' | 'secondary' | 'branch' | 'lane';

/**
 * Main roads: polylines through the district (bbox fractions, jittered by the
 * seed). 南站大道 is the newly built road nobody has taken over yet.
 */
export const MAIN_ROADS: readonly { name: string; cls: RoadClass; path: readonly (readonly [number, number])[]; isNew?: boolean; shopping?: boolean }[] = [
  { name: '中山中路', cls: 'main', path: [[0.6, 1.04], [0.615, 0.95], [0.63, 0.88], [0.64, 0.8]], shopping: true },
  { name: '中山南路', cls: 'main', path: [[0.64, 0.8], [0.655, 0.72], [0.675, 0.62], [0.69, 0.52], [0.72, 0.4]] },
  { name: '二塘路', cls: 'main', path: [[0.72, 0.4], [0.68, 0.3], [0.63, 0.2], [0.58, 0.1], [0.55, -0.04]] },
  { name: '翠竹路', cls: 'main', path: [[0.4, 0.93], [0.41, 0.84], [0.425, 0.74], [0.44, 0.64], [0.45, 0.55], [0.445, 0.46], [0.44, 0.36]] },
  { name: '西城路', cls: 'main', path: [[0.24, 0.8], [0.22, 0.7], [0.2, 0.6], [0.185, 0.5], [0.17, 0.42]] },
  { name: '南环路', cls: 'trunk', path: [[-0.04, 0.655], [0.15, 0.66], [0.3, 0.67], [0.45, 0.68], [0.6, 0.69], [0.8, 0.68], [1.04, 0.665]] },
  { name: '崇信路', cls: 'main', path: [[-0.04, 0.53], [0.18, 0.535], [0.45, 0.55], [0.69, 0.52], [0.85, 0.51], [1.04, 0.5]] },
  { name: '象山路', cls: 'main', path: [[0.3, 0.87], [0.45, 0.875], [0.63, 0.88], [0.72, 0.89], [0.8, 0.9]] },
  { name: '民主路', cls: 'main', path: [[0.22, 0.795], [0.42, 0.8], [0.64, 0.8], [0.74, 0.81]], shopping: true },
  { name: '凯风路', cls: 'main', path: [[0.08, 0.38], [0.3, 0.37], [0.44, 0.36], [0.6, 0.385], [0.72, 0.4], [0.9, 0.41]] },
  { name: '南站大道', cls: 'main', path: [[0.44, 0.46], [0.52, 0.455], [0.6, 0.45], [0.7, 0.456]], isNew: true },
];

/** Secondary roads join two main roads: [name, from road, fraction, to road, fraction]. */
export const SECONDARY_ROADS: readonly (readonly [string, string, number, string, number])[] = [
  ['上海路', '翠竹路', 0.22, '中山中路', 0.85, ],
  ['瓦窑路', '西城路', 0.45, '翠竹路', 0.62],
  ['崇善路', '西城路', 0.12, '翠竹路', 0.32],
  ['文明路', '象山路', 0.7, '民主路', 0.7],
  ['净瓶路', '中山南路', 0.55, '凯风路', 0.85],
  ['将军路', '崇信路', 0.3, '凯风路', 0.2],
  ['平山路', '南环路', 0.62, '崇信路', 0.62],
  ['莲塘路', '凯风路', 0.45, '二塘路', 0.7],
  ['南溪路', '中山南路', 0.2, '崇信路', 0.95],
  ['雉山路', '南环路', 0.35, '崇信路', 0.32],
  ['凤集路', '翠竹路', 0.98, '二塘路', 0.45],
  ['洋塘路', '凯风路', 0.05, '二塘路', 0.9],
];

/** Shopping streets among the secondary roads (frontage duties, 商业大街 points). */
export const SHOPPING_SECONDARY = ['上海路', '崇善路'] as const;

export const BRANCH_NAMES = [
  '文昌路', '榕荫路', '铁西路', '站前路', '桂花路', '雁山路', '穿山路', '兴隆路', '宝贤路', '丽泽路', '凤凰路',
  '大石路', '阳桥路', '水月路', '三多路', '中华路', '解放西路', '宁远路', '中隐路', '白竹路', '红星路', '万福路',
  '梁家路', '新村路', '滨江路', '漓江路', '訾洲路', '铁路路', '南门路', '西门路', '翠屏路', '榕城路', '安新路',
  '建干路', '育才路', '信义路',
];

export const LANE_HEADS = [
  '文明', '象山', '滨江', '水月', '三多', '雉山', '阳桥', '崇善', '南门', '西城', '翠竹', '宁远', '文昌', '民主',
  '中隐', '瓦窑', '净瓶', '将军', '南溪', '铁路', '大石', '凤凰', '丽泽', '兴隆', '宝贤', '莲塘', '万福', '二塘',
  '桂花', '榕荫', '书院', '仓前', '米行', '盐街', '鱼行', '豆腐', '石板', '青石', '双井', '古井',
];
export const LANE_TAILS = ['巷', '一巷', '二巷', '三巷', '里', '横巷'];

export const POINT_TYPE_COUNTS = [
  ['主次干道', 30], ['背街小巷', 22], ['农贸市场', 12], ['居民小区', 35], ['学校周边', 18],
  ['公园广场', 10], ['车站', 6], ['医院', 8], ['公共厕所', 16], ['商业大街', 8],
] as const;

export const SCHOOL_NAMES = [
  '象山小学', '桂林市第十一中学', '桂林市第十三中学', '南门小学', '凯风路小学', '瓦窑小学', '平山小学', '二塘小学',
  '象山区实验小学', '桂林市逸仙中学', '将军桥小学', '崇善小学', '象山区第一幼儿园', '南溪山幼儿园', '西城小学',
  '桂林市第八中学', '莲塘小学', '桂林电子科技大学附属中学',
];
export const PARK_NAMES = [
  '象山景区', '南溪山公园', '訾洲公园', '雉山公园', '漓江滨江广场', '象山区文化广场', '崇善广场', '瓦窑湿地公园',
  '二塘公园', '将军桥广场',
];
export const STATION_NAMES = ['桂林火车站', '桂林汽车客运总站', '琴潭汽车站', '二塘客运站', '南站公交枢纽', '西城公交首末站'];
export const HOSPITAL_NAMES = [
  '象山区人民医院周边', '桂林市中医医院周边', '南溪山医院周边', '桂林市妇幼保健院周边', '象山区第二人民医院周边',
  '平山社区卫生服务中心周边', '二塘卫生院周边', '桂林市第三人民医院周边',
];
