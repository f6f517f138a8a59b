/**
 * Interface text of the desktop screens fixed in issue 16 (part A): the
 * layer list that folds, the answer to “who is responsible here” beside
 * another panel, the heat map's community ranking and how its figures relate.
 * Spread into the catalogues of zh.ts and en.ts.
 */
export const screensaZh = {
  'layers.fold': '收起',
  'layers.unfold': '展开',
  'detail.beside': '这里归谁管',
  'heat.ranking': '社区排名',
  'heat.ranking.note': '按问题数，点击在地图上查看',
  'heat.ranking.none': '所选条件下没有问题。',
  'heat.ranking.show': '在地图上查看{name}',
  'heat.ranking.all': '全部 {n} 个社区',
  'heat.ranking.fewer': '收起',
  'heat.hotspots.why': '热点是相邻 {m} 米方格中问题的聚集，可跨越几个网格；网格图例数的是整个网格内的问题，所以两者的件数不同。',
  'heat.hotspot.extent': '范围约 {ha} 公顷',
  'heat.hotspot.gridCount': '；中心所在网格“{grid}”共 {n} 件',
  'heat.trend.period': '趋势为 {from} 至 {to} 按上报日期计，',
  'heat.trend.same': '与上方总数同期、同口径。',
  'heat.trend.lastYear': '只画最近 12 个月（{n} 件）；上方总数 {total} 件是全部时间的。',
  'heat.trend.outside': '比上方总数多 {n} 件：这些问题不在任何网格内，网格图例不计。',
  'heat.trend.other': '共 {n} 件，上方总数为 {total} 件。',
};

export const screensaEn: Record<keyof typeof screensaZh, string> = {
  'layers.fold': 'Fold',
  'layers.unfold': 'Unfold',
  'detail.beside': 'Who is responsible here',
  'heat.ranking': 'Communities ranked',
  'heat.ranking.note': 'by problems; click to show on the map',
  'heat.ranking.none': 'No problems under these filters.',
  'heat.ranking.show': 'Show {name} on the map',
  'heat.ranking.all': 'All {n} communities',
  'heat.ranking.fewer': 'Fewer',
  'heat.hotspots.why': 'A hot spot gathers the problems of neighbouring {m} m squares and may span several grids; the grid legend counts a whole grid, so the figures differ.',
  'heat.hotspot.extent': 'about {ha} ha',
  'heat.hotspot.gridCount': '; its centre’s grid “{grid}” has {n} in all',
  'heat.trend.period': 'The trend covers {from} to {to} by report date: ',
  'heat.trend.same': 'the same period and problems as the total above.',
  'heat.trend.lastYear': 'the last 12 months only ({n}); the total above ({total}) is of all time.',
  'heat.trend.outside': '{n} more than the total above: problems outside every grid, which the grid legend leaves out.',
  'heat.trend.other': '{n} problems; the total above is {total}.',
};
