import { sql } from 'kysely';
import { exec, json, type Tx } from './sql-helpers.ts';

/**
 * Checklists per point type (检查表), after the field-inspection items of the
 * national civilised-city assessment (全国文明城市测评体系 · 实地考察): each
 * item has a section, a Chinese label as an inspector reads it on the spot,
 * an English label, its points (each type's items add up to 100) and the
 * minor problem category a failed item files (categories in catalogue.ts).
 * Items without a category (公益广告 quantity, 食品安全, 消防 equipment) have
 * no case type of their own: a failure costs its points and no problem.
 */
export interface ChecklistItemSpec {
  code: string;
  section: '环境卫生' | '秩序' | '公益广告' | '设施' | '食品安全' | '消防';
  label: string;
  labelEn: string;
  points: number;
  categoryId: string | null;
}

type Row = [section: ChecklistItemSpec['section'], label: string, labelEn: string, points: number, categoryId: string | null];

const POSTERS = '公益广告（讲文明树新风）醒目、数量达标';
const POSTERS_EN = 'Public-service posters (讲文明树新风) visible and in the required number';

const TYPES: Record<string, { prefix: string; rows: Row[] }> = {
  主次干道: { prefix: 'ZD', rows: [
    ['环境卫生', '路面干净整洁，无暴露垃圾、无卫生死角', 'Road clean: no exposed rubbish, no neglected corners', 15, 'evt-env-exposed-waste'],
    ['环境卫生', '路面无油污、泥土和洒落物', 'No oil, mud or spilled loads on the road', 15, 'evt-env-dirty-road'],
    ['秩序', '无占道经营、无流动摊贩', 'No street vending or hawkers on the road', 15, 'evt-order-street-vending'],
    ['秩序', '机动车、非机动车停放有序，无乱停乱放', 'Cars and bicycles parked in order, none left at random', 15, 'evt-order-parking'],
    ['秩序', '施工围挡规范，无施工材料占道', 'Construction hoardings in order, no building materials on the road', 10, 'evt-build-road-occupation'],
    ['公益广告', POSTERS, POSTERS_EN, 10, null],
    ['公益广告', '无非法小广告，无乱张贴、乱涂写', 'No illegal flyers, posting or graffiti', 10, 'evt-ad-flyers'],
    ['设施', '护栏、隔离栏完好，无倒伏缺失', 'Railings and barriers intact, none fallen or missing', 5, 'cmp-traffic-railing'],
    ['设施', '井盖完好，无破损缺失', 'Manhole covers intact, none broken or missing', 5, 'cmp-utility-manhole'],
  ] },
  背街小巷: { prefix: 'BJ', rows: [
    ['环境卫生', '巷道无暴露垃圾、无卫生死角', 'Lane free of exposed rubbish and neglected corners', 20, 'evt-env-exposed-waste'],
    ['环境卫生', '无积存垃圾、建筑渣土', 'No accumulated rubbish or building muck', 15, 'evt-env-waste-pile'],
    ['环境卫生', '果皮箱完好、无满溢', 'Litter bins intact and not overflowing', 10, 'cmp-utility-bin'],
    ['秩序', '无乱停乱放，消防通道畅通', 'No random parking; fire lanes clear', 15, 'evt-order-parking'],
    ['秩序', '沿街无乱晾晒、乱堆放', 'No laundry or belongings hung or piled along the lane', 10, 'evt-order-laundry'],
    ['公益广告', POSTERS, POSTERS_EN, 10, null],
    ['公益广告', '墙面、电杆无非法小广告', 'No illegal flyers on walls and poles', 10, 'evt-ad-flyers'],
    ['设施', '路灯完好，夜间亮灯', 'Street lights intact and lit at night', 10, 'cmp-utility-streetlight'],
  ] },
  农贸市场: { prefix: 'NM', rows: [
    ['环境卫生', '市场内地面干净，无积水、无暴露垃圾', 'Market floor clean: no standing water, no exposed rubbish', 15, 'evt-env-exposed-waste'],
    ['环境卫生', '垃圾桶加盖、无满溢，垃圾日产日清', 'Bins lidded and not overflowing, rubbish cleared daily', 10, 'cmp-utility-bin'],
    ['秩序', '划行归市，无场外占道经营', 'Stalls in their sections, no trading on the road outside', 15, 'evt-order-street-vending'],
    ['秩序', '市场周边车辆停放有序', 'Vehicles around the market parked in order', 10, 'evt-order-parking'],
    ['食品安全', '生熟分开，活禽宰杀区隔离', 'Raw and cooked food kept apart, poultry slaughter area separated', 15, null],
    ['食品安全', '设置公平秤，明码标价', 'A public check scale in place, prices marked', 10, null],
    ['公益广告', '公益广告、食品安全宣传醒目、数量达标', 'Public-service and food-safety posters visible and in the required number', 10, null],
    ['消防', '消防通道畅通，灭火器完好有效', 'Fire lanes clear, extinguishers in working order', 10, null],
    ['设施', '市场公厕整洁、无异味', "The market's toilet clean and odourless", 5, 'evt-env-dirty-toilet'],
  ] },
  居民小区: { prefix: 'XQ', rows: [
    ['环境卫生', '小区道路、楼道无暴露垃圾、无卫生死角', 'Estate roads and stairwells free of exposed rubbish and neglected corners', 15, 'evt-env-exposed-waste'],
    ['环境卫生', '垃圾分类投放点整洁，垃圾桶无满溢', 'Sorted-waste points tidy, bins not overflowing', 10, 'cmp-utility-bin'],
    ['环境卫生', '绿地无垃圾杂物，无毁绿种菜', 'Green spaces free of rubbish, no vegetables planted on them', 10, 'evt-green-dirty'],
    ['秩序', '车辆停放有序，不占用消防通道', 'Vehicles parked in order, fire lanes not blocked', 15, 'evt-order-parking'],
    ['秩序', '无乱晾晒、乱堆放', 'No laundry or belongings hung or piled in public', 10, 'evt-order-laundry'],
    ['公益广告', '公益广告、社会主义核心价值观宣传醒目、数量达标', 'Public-service and core-values posters visible and in the required number', 15, null],
    ['公益广告', '无非法小广告、乱张贴', 'No illegal flyers or posting', 10, 'evt-ad-flyers'],
    ['设施', '井盖完好，无破损缺失', 'Manhole covers intact, none broken or missing', 5, 'cmp-utility-manhole'],
    ['设施', '路灯完好，夜间亮灯', 'Street lights intact and lit at night', 10, 'cmp-utility-streetlight'],
  ] },
  学校周边: { prefix: 'XX', rows: [
    ['环境卫生', '校门口周边干净整洁，无暴露垃圾', 'Around the school gate clean, no exposed rubbish', 15, 'evt-env-exposed-waste'],
    ['秩序', '校门口无占道经营、无流动摊贩', 'No street vending or hawkers at the school gate', 20, 'evt-order-street-vending'],
    ['秩序', '接送车辆停放有序，无乱停乱放', 'Pick-up vehicles parked in order, none left at random', 20, 'evt-order-parking'],
    ['秩序', '交通标志、斑马线清晰完好', 'Road signs and zebra crossings clear and intact', 10, 'cmp-traffic-sign'],
    ['公益广告', '公益广告（讲文明树新风、未成年人思想道德建设）醒目、数量达标', 'Public-service posters (civility, education of minors) visible and in the required number', 15, null],
    ['公益广告', '周边无非法小广告', 'No illegal flyers around the school', 10, 'evt-ad-flyers'],
    ['设施', '护栏、隔离栏完好', 'Railings and barriers intact', 10, 'cmp-traffic-railing'],
  ] },
  公园广场: { prefix: 'GY', rows: [
    ['环境卫生', '园内地面干净，无暴露垃圾、无卫生死角', 'Grounds clean: no exposed rubbish, no neglected corners', 15, 'evt-env-exposed-waste'],
    ['环境卫生', '果皮箱完好、无满溢', 'Litter bins intact and not overflowing', 10, 'cmp-utility-bin'],
    ['环境卫生', '绿地、花坛整洁，无杂物堆放', 'Lawns and flower beds tidy, nothing piled on them', 10, 'evt-green-dirty'],
    ['环境卫生', '树木花草养护良好，无倒伏损坏', 'Trees and plants cared for, none fallen or damaged', 10, 'evt-green-damage'],
    ['秩序', '无占道经营、无乱摆卖', 'No vending or stalls on the paths', 15, 'evt-order-street-vending'],
    ['秩序', '车辆停放有序，非机动车不进园', 'Vehicles parked in order, no bicycles inside', 10, 'evt-order-parking'],
    ['公益广告', POSTERS, POSTERS_EN, 15, null],
    ['设施', '公厕整洁、无异味', 'Public toilet clean and odourless', 10, 'evt-env-dirty-toilet'],
    ['设施', '路灯完好，夜间亮灯', 'Lights intact and lit at night', 5, 'cmp-utility-streetlight'],
  ] },
  车站: { prefix: 'CZ', rows: [
    ['环境卫生', '站前广场无暴露垃圾、无卫生死角', 'Station forecourt free of exposed rubbish and neglected corners', 15, 'evt-env-exposed-waste'],
    ['环境卫生', '地面无油污、无积水', 'No oil or standing water on the ground', 10, 'evt-env-dirty-road'],
    ['秩序', '出租车、网约车停放有序，无乱停乱放', 'Taxis and ride-hailing cars parked in order, none left at random', 15, 'evt-order-parking'],
    ['秩序', '无占道经营、无流动摊贩', 'No street vending or hawkers', 15, 'evt-order-street-vending'],
    ['公益广告', '公益广告醒目，电子屏播放公益内容', 'Public-service posters visible, screens showing public-service messages', 15, null],
    ['公益广告', '无非法小广告', 'No illegal flyers', 5, 'evt-ad-flyers'],
    ['设施', '公厕整洁、无异味', 'Public toilets clean and odourless', 10, 'evt-env-dirty-toilet'],
    ['设施', '果皮箱完好、无满溢', 'Litter bins intact and not overflowing', 5, 'cmp-utility-bin'],
    ['消防', '消防通道畅通，消防设施完好', 'Fire lanes clear, fire equipment intact', 10, null],
  ] },
  医院: { prefix: 'YY', rows: [
    ['环境卫生', '门诊、急诊周边无暴露垃圾', 'No exposed rubbish around the outpatient and emergency entrances', 15, 'evt-env-exposed-waste'],
    ['秩序', '车辆停放有序，不堵塞出入口和急救通道', 'Vehicles parked in order, entrances and ambulance lanes clear', 20, 'evt-order-parking'],
    ['秩序', '周边无占道经营、无流动摊贩', 'No street vending or hawkers around the hospital', 10, 'evt-order-street-vending'],
    ['公益广告', '公益广告、健康教育宣传醒目、数量达标', 'Public-service and health-education posters visible and in the required number', 15, null],
    ['公益广告', '无非法小广告、无非法行医广告', 'No illegal flyers, no adverts for unlicensed medical practice', 10, 'evt-ad-flyers'],
    ['设施', '公厕整洁、无异味', 'Toilets clean and odourless', 10, 'evt-env-dirty-toilet'],
    ['设施', '无障碍设施完好，盲道畅通', 'Accessible facilities intact, tactile paving unobstructed', 10, null],
    ['消防', '消防通道畅通，灭火器完好有效', 'Fire lanes clear, extinguishers in working order', 10, null],
  ] },
  公共厕所: { prefix: 'GC', rows: [
    ['环境卫生', '厕内干净，无异味、无积水、无蚊蝇', 'Inside clean: no smell, no standing water, no flies', 25, 'evt-env-dirty-toilet'],
    ['环境卫生', '厕所周边无暴露垃圾', 'No exposed rubbish around the toilet', 15, 'evt-env-exposed-waste'],
    ['秩序', '周边无乱停放、乱堆放', 'No random parking or piles around it', 15, 'evt-order-parking'],
    ['设施', '洗手台、水龙头、照明完好可用', 'Washbasins, taps and lights working', 15, null],
    ['设施', '标识、指示牌清晰规范', 'Signs and direction boards clear and correct', 10, 'cmp-traffic-sign'],
    ['设施', '无障碍厕位、第三卫生间可用', 'Accessible and family cubicles usable', 10, null],
    ['公益广告', '文明如厕宣传、公益广告醒目', 'Civility and public-service posters visible', 10, null],
  ] },
  商业大街: { prefix: 'SY', rows: [
    ['环境卫生', '街面无暴露垃圾、无卫生死角', 'Street free of exposed rubbish and neglected corners', 15, 'evt-env-exposed-waste'],
    ['环境卫生', '果皮箱完好、无满溢', 'Litter bins intact and not overflowing', 5, 'cmp-utility-bin'],
    ['秩序', '商户无出店经营，门前三包落实', 'No trading outside the shops; frontage duties kept', 15, 'evt-order-outside-shop'],
    ['秩序', '无占道经营、无流动摊贩', 'No street vending or hawkers', 10, 'evt-order-street-vending'],
    ['秩序', '非机动车停放有序，无乱停乱放', 'Bicycles and scooters parked in order, none left at random', 15, 'evt-order-parking'],
    ['公益广告', POSTERS, POSTERS_EN, 10, null],
    ['公益广告', '店招规范，无违规悬挂横幅', 'Shop signs in order, no unauthorised banners', 10, 'evt-ad-banner'],
    ['公益广告', '无非法小广告', 'No illegal flyers', 10, 'evt-ad-flyers'],
    ['消防', '消防通道畅通，无杂物占用', 'Fire lanes clear of goods and clutter', 10, null],
  ] },
};

/** The checklist of every point type, items in order, with codes such as ZD-01. */
export const CHECKLISTS: Record<string, ChecklistItemSpec[]> = Object.fromEntries(
  Object.entries(TYPES).map(([type, { prefix, rows }]) => [
    type,
    rows.map(([section, label, labelEn, points, categoryId], i) => ({ code: `${prefix}-${String(i + 1).padStart(2, '0')}`, section, label, labelEn, points, categoryId })),
  ]),
);

export async function seedChecklists(db: Tx): Promise<number> {
  const items = Object.entries(CHECKLISTS).flatMap(([type, list]) =>
    list.map((item, i) => ({ point_type: type, code: item.code, section: item.section, label: item.label, label_en: item.labelEn, points: item.points, category_id: item.categoryId, sort: (i + 1) * 10 })),
  );
  await exec(db, sql`
    INSERT INTO checklist_items (point_type, code, section, label, label_en, points, category_id, sort)
    SELECT point_type, code, section, label, label_en, points, category_id, sort
    FROM json_to_recordset(${json(items)})
         AS c(point_type text, code text, section text, label text, label_en text, points float8, category_id text, sort integer)
    ORDER BY point_type, sort`);
  return items.length;
}
