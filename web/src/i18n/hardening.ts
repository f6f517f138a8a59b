/**
 * Interface text of the refusals that bound what one request may cost
 * (issue 15): hostile zips, deep nesting, geometry far from the territory,
 * heavy reads taking turns, a reused Idempotency-Key. Spread into the
 * catalogues of zh.ts and en.ts.
 */
export const hardeningZh = {
  'import.error.tooManyEntries': '压缩包中的文件太多（上限 1,000 个），请只打包要导入的 Shapefile。',
  'import.error.unsafeEntry': '压缩包中有不安全的文件路径（绝对路径或 “..”），已拒绝。',
  'import.error.duplicateEntry': '压缩包中同一个文件出现了不止一次，已拒绝：请重新打包。',
  'import.error.tooManyPositions': '文件的节点太多（上限 15 万个），请简化或拆分后分批导入。',
  'input.error.tooDeep': '数据嵌套层级过深（超过 64 层），已拒绝。',
  'input.error.tooManyValues': '数据中的值太多，已拒绝。',
  'geometry.error.outOfBounds': '图形超出了辖区附近的范围，请检查坐标系或坐标是否正确。',
  'server.busy': '服务器正忙于其他分析，请 {n} 秒后重试。',
  'server.queryTimeout': '这次查询耗时过长已被终止，请缩小范围后重试。',
  'request.keyReused': '这次提交与之前的一次提交编号相同但内容不同，请重新填写后提交。',
};

export const hardeningEn: Record<keyof typeof hardeningZh, string> = {
  'import.error.tooManyEntries': 'The zip holds too many files (at most 1,000): pack only the Shapefile to import.',
  'import.error.unsafeEntry': 'The zip holds an unsafe file path (absolute or “..”) and was refused.',
  'import.error.duplicateEntry': 'The zip lists the same file more than once and was refused: pack it again.',
  'import.error.tooManyPositions': 'The file has too many vertices (at most 150,000): simplify it or import it in parts.',
  'input.error.tooDeep': 'The data is nested too deeply (more than 64 levels) and was refused.',
  'input.error.tooManyValues': 'The data holds too many values and was refused.',
  'geometry.error.outOfBounds': 'The shape lies outside the territory’s neighbourhood: check its coordinate system and coordinates.',
  'server.busy': 'The server is busy with other analyses: try again in {n} s.',
  'server.queryTimeout': 'The query took too long and was stopped: try a smaller area.',
  'request.keyReused': 'This submission reuses an earlier one’s key with different content: fill the form in again and send it.',
};
