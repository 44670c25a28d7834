/**
 * The vocabulary that finds budget-disclosure columns on a site's entry pages (crawlers/columns.ts):
 * data, not code. Terms are matched against a link's text (spaces removed) and its URL path
 * segments. Add a term here when a site names its column differently; the test over the saved
 * pages and the test portals shows what a change does.
 */

/** Link texts of budget columns (栏目), strongest first. A link text must contain one and be short (a column name, not an article title). */
export const COLUMN_TEXTS = [
  '部门预决算',
  '预决算公开',
  '财政预决算',
  '预决算信息',
  '部门预算',
  '部门决算',
  '单位预算',
  '单位决算',
  '预算公开',
  '决算公开',
  '预算信息',
  '决算信息',
  '财政预算',
  '财政决算',
  '预决算',
  '三公经费',
  '绩效目标',
  '预算绩效',
  '预算',
  '决算',
];

/** URL path segments of budget columns (pinyin initials the CMSs use). */
export const COLUMN_PATHS = ['czys', 'czjs', 'czyjs', 'yjsgk', 'yjs', 'bmys', 'bmjs', 'bmyjs', 'dwys', 'dwjs', 'ysgk', 'jsgk', 'ysjs', 'yjsxx', 'sgjf', 'jxmb', 'ysxx', 'jsxx'];

/** Hubs that lead to the columns: the 政府信息公开 index, 政务公开, a department's 信息公开. Followed only near the entry page. */
export const HUB_TEXTS = ['政府信息公开', '信息公开', '政务公开', '政府信息公开目录', '法定主动公开内容', '主动公开', '财政信息', '财政资金', '财政数据', '公开目录'];

/** URL path segments of such hubs. */
export const HUB_PATHS = ['zfxxgk', 'xxgk', 'zwgk', 'gkml', 'zfxxgkml', 'xxgkml', 'zdgk', 'fdzdgknr'];

/** A link whose text contains one of these is never a budget column nor a hub (procurement, audits, guides, yearly reports, forms). */
export const NOT_COLUMN_TEXTS = ['采购', '招标', '中标', '审计', '指南', '年报', '年度报告', '依申请', '申请', '制度', '意见箱', '留言', '登录', '注册', '下载中心'];

/** Longest link text taken for a column or hub name (longer ones are article titles). */
export const MAX_COLUMN_TEXT = 14;
