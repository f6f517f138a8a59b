import { sql } from 'kysely';
import { exec, json, type Tx } from './sql-helpers.ts';

/** Duty types: each is a layer of responsibility zones. */
export const DUTY_TYPES = [
  { id: 'sanitation-city', name_zh: '市环卫保洁', name_en: 'City sanitation', color: '#0284c7', description: '市环卫处负责的主次干道保洁' },
  { id: 'sanitation-town', name_zh: '镇（街道）环卫保洁', name_en: 'Town sanitation', color: '#65a30d', description: '街道环卫所负责的背街小巷、居民区保洁' },
  { id: 'city-order', name_zh: '市容秩序', name_en: 'Street order', color: '#d97706', description: '占道经营、乱摆卖、乱停放等市容秩序管理' },
  { id: 'frontage', name_zh: '门前三包', name_en: 'Frontage duties', color: '#9333ea', description: '沿街单位和商户门前包卫生、包秩序、包绿化' },
  { id: 'greening', name_zh: '绿化养护', name_en: 'Greening', color: '#15803d', description: '公园、广场和道路绿化带的养护' },
] as const;
export type DutyTypeId = (typeof DUTY_TYPES)[number]['id'];

/** The two tiers of one duty: a sanitation problem belongs to whichever tier's zone holds it. */
export const SANITATION_TIERS: readonly DutyTypeId[] = ['sanitation-city', 'sanitation-town'];

export interface Category {
  id: string;
  kind: 'event' | 'component';
  zh: string;
  en: string;
  duty: DutyTypeId | null;
  hours: number | null;
  radius: number;
  /** Relative frequency among reports. */
  weight: number;
  /** How reporters describe it. */
  phrases: readonly string[];
}

export interface MajorCategory {
  id: string;
  kind: 'event' | 'component';
  zh: string;
  en: string;
  minors: readonly Category[];
}

const minor = (
  id: string, zh: string, en: string, duty: DutyTypeId | null, hours: number, radius: number, weight: number, phrases: readonly string[],
  kind: 'event' | 'component' = 'event',
): Category => ({ id, kind, zh, en, duty, hours, radius, weight, phrases });

/** A two-level taxonomy after the national standard's events (事件) and components (部件). */
export const CATEGORIES: readonly MajorCategory[] = [
  { id: 'evt-env', kind: 'event', zh: '市容环境', en: 'Environment and sanitation', minors: [
    minor('evt-env-exposed-waste', '暴露垃圾', 'Exposed rubbish', 'sanitation-town', 2, 30, 18, ['路边有暴露垃圾', '垃圾桶满溢，周边散落垃圾', '绿化带内有生活垃圾']),
    minor('evt-env-waste-pile', '积存垃圾渣土', 'Accumulated rubbish and muck', 'sanitation-town', 24, 40, 8, ['空地积存建筑渣土', '墙角堆积陈旧垃圾', '巷口积存垃圾多日未清']),
    minor('evt-env-dirty-road', '道路不洁', 'Dirty road surface', 'sanitation-city', 4, 50, 10, ['路面有油污和泥土', '人行道不洁，烟头纸屑较多', '机动车道有洒落物']),
    minor('evt-env-dirty-toilet', '公厕不洁', 'Dirty public toilet', 'sanitation-town', 4, 20, 3, ['公厕有异味，地面湿滑', '公厕洗手台脏污']),
    minor('evt-env-dead-animal', '动物尸体', 'Dead animal', 'sanitation-town', 2, 20, 1, ['路边有动物尸体']),
  ] },
  { id: 'evt-ad', kind: 'event', zh: '宣传广告', en: 'Advertising', minors: [
    minor('evt-ad-flyers', '非法小广告', 'Illegal flyers', 'city-order', 24, 30, 8, ['电线杆上张贴小广告', '墙面喷涂办证小广告', '公交站台贴满小广告']),
    minor('evt-ad-banner', '违规悬挂横幅', 'Unauthorised banner', 'city-order', 24, 30, 2, ['沿街违规悬挂横幅', '树上拉挂广告横幅']),
  ] },
  { id: 'evt-order', kind: 'event', zh: '街面秩序', en: 'Street order', minors: [
    minor('evt-order-street-vending', '占道经营', 'Street vending on the road', 'city-order', 2, 30, 12, ['流动摊贩占道经营', '早市摊点占用人行道', '水果摊占道摆卖']),
    minor('evt-order-outside-shop', '店外经营', 'Business outside the shop', 'frontage', 4, 20, 9, ['商户出店经营', '餐馆在门前摆桌经营', '门店货物堆放至人行道']),
    minor('evt-order-parking', '乱停放', 'Disorderly parking', 'city-order', 2, 30, 9, ['非机动车乱停放堵塞盲道', '机动车占用人行道停放', '共享单车堆积']),
    minor('evt-order-laundry', '乱晾晒', 'Laundry hung in public', 'frontage', 24, 20, 2, ['沿街晾晒衣物', '护栏上晾晒被褥']),
  ] },
  { id: 'evt-build', kind: 'event', zh: '施工管理', en: 'Construction', minors: [
    minor('evt-build-road-occupation', '施工占道', 'Construction blocking the road', 'city-order', 24, 50, 3, ['施工材料占道堆放', '施工围挡破损占道']),
    minor('evt-build-muck-truck', '渣土车抛洒', 'Spill from a muck truck', 'sanitation-city', 4, 50, 2, ['渣土车沿途抛洒', '路面有渣土车带泥']),
  ] },
  { id: 'evt-green', kind: 'event', zh: '园林绿化', en: 'Greening', minors: [
    minor('evt-green-dirty', '绿地脏乱', 'Untidy green space', 'greening', 24, 40, 4, ['绿地内有垃圾杂物', '花坛内堆放杂物']),
    minor('evt-green-damage', '绿化损坏', 'Damaged planting', 'greening', 72, 40, 2, ['行道树倒伏', '绿篱被踩踏损坏']),
  ] },
  { id: 'evt-emergency', kind: 'event', zh: '突发事件', en: 'Emergencies', minors: [
    minor('evt-emergency-flooding', '道路积水', 'Road flooding', null, 2, 50, 2, ['暴雨后路面积水', '下穿通道积水']),
    minor('evt-emergency-collapse', '路面塌陷', 'Road subsidence', null, 2, 30, 1, ['路面出现塌陷', '人行道砖松动下陷']),
  ] },
  { id: 'cmp-utility', kind: 'component', zh: '公用设施', en: 'Public utilities', minors: [
    minor('cmp-utility-manhole', '井盖破损', 'Broken manhole cover', null, 24, 20, 4, ['井盖破损', '井盖缺失，存在安全隐患', '井盖松动异响'], 'component'),
    minor('cmp-utility-streetlight', '路灯损坏', 'Broken street light', null, 72, 30, 3, ['路灯不亮', '路灯灯杆倾斜'], 'component'),
    minor('cmp-utility-bin', '垃圾箱破损', 'Damaged litter bin', 'sanitation-town', 72, 20, 2, ['垃圾箱破损', '果皮箱缺失'], 'component'),
  ] },
  { id: 'cmp-traffic', kind: 'component', zh: '道路交通', en: 'Road furniture', minors: [
    minor('cmp-traffic-railing', '护栏损坏', 'Damaged railing', null, 72, 30, 2, ['道路护栏倒伏', '隔离栏缺失'], 'component'),
    minor('cmp-traffic-sign', '标志牌损坏', 'Damaged road sign', null, 72, 30, 1, ['交通标志牌歪斜', '路名牌缺失'], 'component'),
  ] },
];

export const MINOR_CATEGORIES: readonly Category[] = CATEGORIES.flatMap((m) => m.minors);

export async function seedCatalogue(db: Tx): Promise<void> {
  await exec(db, sql`
    INSERT INTO duty_types (id, name_zh, name_en, description, color, sort, coverage, coverage_group)
    SELECT id, name_zh, name_en, description, color, sort, coverage, coverage_group
    FROM json_to_recordset(${json(DUTY_TYPES.map((d, i) => ({
      ...d,
      sort: (i + 1) * 10,
      // 市环卫 and 镇环卫 must together cover each place once; frontage and greening apply only where they apply
      coverage: d.id === 'frontage' || d.id === 'greening' ? 'partial' : 'full',
      coverage_group: (SANITATION_TIERS as readonly string[]).includes(d.id) ? 'sanitation' : null,
    })))})
         AS d(id text, name_zh text, name_en text, description text, color text, sort integer, coverage text, coverage_group text)
    ORDER BY sort`);
  // a problem of a partial duty where it has no zone goes to the street-order owner there
  await exec(db, sql`UPDATE duty_types SET fallback_duty_id = 'city-order' WHERE coverage = 'partial'`);
  const rowsOut: unknown[] = [];
  CATEGORIES.forEach((major, i) => {
    rowsOut.push({ id: major.id, parent_id: null, kind: major.kind, name_zh: major.zh, name_en: major.en, duty_type_id: null, deadline_hours: null, duplicate_radius_m: 30, sort: (i + 1) * 100 });
    major.minors.forEach((c, j) => {
      rowsOut.push({
        id: c.id, parent_id: major.id, kind: c.kind, name_zh: c.zh, name_en: c.en, duty_type_id: c.duty, deadline_hours: c.hours,
        duplicate_radius_m: c.radius, sort: (i + 1) * 100 + j + 1,
      });
    });
  });
  await exec(db, sql`
    INSERT INTO problem_categories (id, parent_id, kind, name_zh, name_en, duty_type_id, deadline_hours, duplicate_radius_m, sort)
    SELECT id, parent_id, kind, name_zh, name_en, duty_type_id, deadline_hours, duplicate_radius_m, sort
    FROM json_to_recordset(${json(rowsOut)})
         AS c(id text, parent_id text, kind text, name_zh text, name_en text, duty_type_id text, deadline_hours integer, duplicate_radius_m integer, sort integer)
    ORDER BY sort`);
}
