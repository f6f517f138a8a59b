import type { Rng } from './random.ts';

/**
 * Fictional but plausible people for the demo: Chinese names drawn from
 * common surnames (weighted, with the surnames frequent in Guangxi such as
 * 韦, 覃, 莫, 蒙 given their due) and given-name characters, and mobile
 * numbers of the 13x/15x/18x series.
 */
const SURNAMES: readonly (readonly [string, number])[] = [
  ['李', 7], ['王', 7], ['张', 6], ['刘', 5], ['陈', 5], ['黄', 6], ['杨', 4], ['赵', 2], ['周', 3], ['吴', 3],
  ['徐', 2], ['孙', 2], ['马', 2], ['朱', 2], ['胡', 2], ['郭', 2], ['何', 3], ['林', 3], ['罗', 3], ['梁', 3],
  ['谢', 2], ['唐', 3], ['韩', 1], ['邓', 2], ['曾', 2], ['彭', 1], ['蒋', 2], ['秦', 1], ['廖', 3], ['陆', 2],
  ['韦', 4], ['覃', 3], ['莫', 3], ['蒙', 2], ['卢', 2], ['蓝', 1], ['龙', 1], ['欧', 1], ['潘', 2], ['谭', 1],
  ['文', 1], ['石', 1], ['全', 1], ['阳', 1], ['农', 1], ['钟', 1], ['苏', 1], ['叶', 1], ['程', 1], ['邹', 1],
];

const GIVEN = [
  '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀',
  '霞', '平', '刚', '桂', '英', '华', '玉', '兰', '文', '辉', '建', '国', '志', '海', '林', '红', '梅', '琳',
  '鹏', '斌', '宇', '浩', '凯', '婷', '雪', '慧', '晓', '云', '峰', '春', '燕', '波', '宁', '珍',
];
const GIVEN_SECOND = [
  '华', '明', '玲', '芬', '荣', '军', '平', '生', '林', '清', '源', '东', '宏', '成', '彬', '婷', '萍', '莉',
  '欣', '怡', '琪', '晨', '阳', '睿', '轩', '涵', '萱', '航', '鑫', '坤', '龙', '凤', '权', '松', '勤', '梅',
];

export function personName(rng: Rng): string {
  const [surname] = rng.weighted(SURNAMES, ([, w]) => w);
  const first = rng.pick(GIVEN);
  return rng.chance(0.3) ? surname + first : surname + first + rng.pick(GIVEN_SECOND);
}

const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155',
  '156', '157', '158', '159', '180', '181', '182', '183', '185', '186', '187', '188', '189'];

/** An 11-digit mobile number; `taken` keeps them unique within one seed. */
export function mobilePhone(rng: Rng, taken: Set<string>): string {
  for (;;) {
    let phone = rng.pick(MOBILE_PREFIXES);
    for (let i = 0; i < 8; i++) phone += String(rng.int(0, 9));
    if (!taken.has(phone)) {
      taken.add(phone);
      return phone;
    }
  }
}

/** '138****5678': how a citizen reporter is shown. */
export function maskedPhone(phone: string): string {
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

const ESTATE_HEADS = ['象山', '漓江', '南溪', '桂花', '翠竹', '瓦窑', '平山', '崇善', '文明', '凯风', '西城', '将军桥',
  '净瓶', '雉山', '阳桥', '滨江', '南环', '崇信', '二塘', '莲塘', '凤凰', '丽泽', '桂林', '万福', '兴隆', '宝贤'];
const ESTATE_TAILS = ['花园', '小区', '苑', '名都', '新村', '家园', '佳园', '公寓', '嘉园', '雅苑', '华庭', '新城', '宿舍区', '山庄'];

/** Distinct names of residential compounds (居民小区). */
export function estateNames(rng: Rng, count: number): string[] {
  const names = new Set<string>();
  const max = ESTATE_HEADS.length * ESTATE_TAILS.length;
  if (count > max) throw new Error(`at most ${max} estate names`);
  while (names.size < count) names.add(rng.pick(ESTATE_HEADS) + rng.pick(ESTATE_TAILS));
  return [...names];
}

/** Chinese numerals for ordinal names (一段, 二段 … of a zone). */
export function chineseNumeral(n: number): string {
  const digits = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new Error(`no numeral for ${n}`);
  if (n < 10) return digits[n] as string;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return (tens === 1 ? '' : (digits[tens] as string)) + '十' + (ones ? (digits[ones] as string) : '');
}
