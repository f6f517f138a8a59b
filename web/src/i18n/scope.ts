/**
 * Interface text of the scope refusals every write may answer (issue 15):
 * a district-wide setting changed from a street account, a place given to
 * another area's unit. Spread into the catalogues of zh.ts and en.ts.
 */
export const scopeZh = {
  'scope.districtRequired': '这是全区统一的设置，只有管辖范围为全区的账号才能修改。',
  'scope.ownerOutOfScope': '该单位不属于您的管辖范围：只能交给本辖区或全区的单位，交给其他街道、社区的单位请由全区账号办理。',
};

export const scopeEn: Record<keyof typeof scopeZh, string> = {
  'scope.districtRequired': 'This setting applies to the whole district: only an account scoped to the district changes it.',
  'scope.ownerOutOfScope': 'That unit is outside your scope: give places to units of your own area or of the whole district; another street’s or community’s unit needs a district account.',
};
