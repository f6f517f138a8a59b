/** Interface text, Simplified Chinese (the default). Keys are shared with `en.ts`. */
export const zh = {
  'app.title': 'civgrid 网格化管理',
  'app.product': '网格化管理',
  'app.district': '象山区 · 桂林市',
  'app.language': 'English',
  'app.languageHint': 'Switch to English',

  'status.loading': '正在加载地图数据…',
  'status.apiDown': '无法连接服务器，地图数据未能加载。',
  'status.loadFailed': '数据加载失败：{message}',
  'status.retry': '重试',

  'layers.title': '图层',
  'layers.territory': '辖区',
  'layers.infrastructure': '道路与点位',
  'layers.duties': '责任区',
  'layers.streets': '街道',
  'layers.communities': '社区',
  'layers.grids': '网格',
  'layers.roads': '道路',
  'layers.roadSections': '责任路段',
  'layers.inspectionPoints': '备检点',
  'layers.zoomIn': '放大后显示',
  'layers.gapHint': '两级环卫叠加处颜色混合为重叠，露出底色处为空白（盲区）。',
  'layers.showType': '显示/隐藏此类点位',

  'panel.close': '关闭',
  'panel.loading': '正在查询…',

  'point.title': '备检点',
  'point.code': '编号',
  'point.type': '类型',
  'point.address': '地址',
  'point.place': '所在社区',
  'point.leader': '包点领导',
  'point.department': '责任部门',
  'point.people': '责任人',
  'point.noPeople': '未落实责任人',
  'point.none': '—',

  'where.title': '这里归谁管？',
  'where.subtitle': '点击位置：{lon}, {lat}',
  'where.territory': '所在辖区',
  'where.street': '街道',
  'where.community': '社区',
  'where.grid': '网格',
  'where.outside': '不在象山区范围内',
  'where.duties': '各项责任',
  'where.none': '无人负责',
  'where.noneHint': '管理盲区',
  'where.multiple': '多方负责',
  'where.multipleHint': '责任重叠',
  'where.features': '点击处要素',
  'where.noPerson': '未指定责任人',

  'feature.roadSection': '责任路段',
  'feature.zone': '责任区',
  'feature.road': '所属道路',
  'feature.owner': '责任单位',
  'feature.sectionOwner': '路段长单位',
  'feature.person': '责任人',
  'feature.validFrom': '生效日期',

  'map.hint': '点击备检点查看责任人，点击任意位置查询“这里归谁管”。',
} as const;

export type MessageKey = keyof typeof zh;
export type Messages = Record<MessageKey, string>;
