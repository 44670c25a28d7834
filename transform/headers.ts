/**
 * Header dictionaries: which printed header or label means which normalized field.
 * Matching is done on `key()` (whitespace removed, full-width punctuation folded).
 * Order matters: the first role whose pattern matches wins, so specific patterns
 * (指标值确定依据) come before general ones (指标值).
 * Extend these lists when a new layout appears; never special-case a file.
 */

export type IndicatorRole =
  | 'level1'
  | 'level2'
  | 'level3'
  | 'description'
  | 'basis'
  | 'scoring_rule'
  | 'period_value'
  | 'value'
  | 'op'
  | 'value_num'
  | 'measure_unit'
  | 'value_type'
  | 'weight'
  | 'nature'
  | 'seq';

export const INDICATOR_HEADERS: [IndicatorRole, RegExp][] = [
  ['seq', /^(?:序号|编号)$/],
  ['level1', /^(?:一级指标|一级|一级指标名称|绩效指标一级)$/],
  ['level2', /^(?:二级指标|二级|二级指标名称|绩效指标二级)$/],
  ['level3', /^(?:三级指标|三级|三级指标名称|指标名称|具体指标|绩效指标名称|指标|绩效指标)$/],
  ['description', /^(?:绩效指标描述|指标描述|指标内容|指标值内容|指标说明|指标解释|指标定义|绩效指标描述\(指标内容\)|绩效指标描述（指标内容）)|^绩效指标描述/],
  ['basis', /(?:指标值确定依据|指标确定依据|确定依据|设定依据|目标值确定依据|取值依据|值设定依据)/],
  ['scoring_rule', /(?:评\(扣\)分标准|评扣分标准|评分标准|扣分标准|评分规则|评价标准)/],
  ['period_value', /(?:实施周期指标值|实施期指标值|实施期目标值|中长期指标值|整体指标值|中期指标值)/],
  ['value_type', /(?:指标值类型|指标类型|值类型)/],
  ['weight', /(?:分值权重|分值|权重)/],
  ['nature', /(?:指标性质|指标方向|指标属性|正负向|指标值性质)/],
  ['op', /^(?:符号|比较符|比较符号|运算符|计算符号|指标值符号|关系符)$/],
  ['value_num', /^(?:值|数值|指标数值|目标数值)$/],
  ['measure_unit', /^(?!.*名称)(?:(?:单位|单位\(文字描述\)|计量单位|度量单位|指标单位)$|单位\(|.*(?:度量|计量)单位$)/],
  ['value', /^(?:指标值|目标值|年度指标值|年度目标值|指标目标值|绩效指标值|预期目标值|标准值|年度值|绩效目标值|本年度指标值|预期指标值)$|(?:指标值|目标值)(?:\(.*\))?$/],
];

export function indicatorRole(k: string): IndicatorRole | null {
  if (!k) return null;
  for (const [role, re] of INDICATOR_HEADERS) if (re.test(k)) return role;
  return null;
}

/** A row is an indicator header when it names at least a level-1 and a level-2 or level-3 column. */
export function isIndicatorHeader(keys: string[]): boolean {
  const roles = new Set(keys.map(indicatorRole));
  // 一级 / 二级 / 三级 alone is also how classification tables (政府购买服务目录) are headed:
  // an indicator table names its target, description or basis too.
  const target = ['value', 'description', 'basis', 'op', 'value_num', 'period_value', 'scoring_rule'].some((r) => roles.has(r as IndicatorRole));
  if (roles.has('level1') && (roles.has('level2') || roles.has('level3')) && target) return true;
  // Flattened layouts print 一级 + 二级 + 三级 in one 绩效指标 cell beside a 指标值 column.
  return !roles.has('level1') && roles.has('level3') && (roles.has('value') || roles.has('value_num')) && keys.some((k) => /^(?:绩效指标|指标名称|三级指标)$/.test(k));
}

export const LEVEL1_NAMES = ['产出指标', '效益指标', '效果指标', '满意度指标', '成本指标'];
export const LEVEL2_NAMES = [
  '数量指标', '质量指标', '时效指标', '成本指标', '经济效益指标', '社会效益指标', '生态效益指标', '可持续影响指标',
  '服务对象满意度指标', '经济成本指标', '社会成本指标', '生态环境成本指标', '满意度指标',
];

/**
 * Split a flattened indicator cell into its levels: `产出指标数量指标举办发布仪式` or
 * `1－产出指标，11－数量指标，举办发布仪式`. Returns null when it does not start with a level-1 name.
 */
export function splitFlatIndicator(text: string): { level1: string; level2: string | null; level3: string } | null {
  const t = text.replace(/^[\s\d０-９.．、－—-]+/, '');
  const l1 = LEVEL1_NAMES.find((n) => t.startsWith(n));
  if (!l1) return null;
  let rest = t.slice(l1.length).replace(/^[\s，,；;:：、]*[\d０-９]*[－—-]?/, '');
  const l2 = [...LEVEL2_NAMES].sort((a, b) => b.length - a.length).find((n) => rest.startsWith(n)) ?? null;
  if (l2) rest = rest.slice(l2.length).replace(/^[\s，,；;:：、]*[\d０-９]*[－—-]?/, '');
  return { level1: l1, level2: l2, level3: rest.trim() };
}

/** Comparison signs printed in a column of their own (often headed 指标性质 or 指标值类型). */
export const OPERATOR_CELL = /^(?:[≥≤＞＜><=＝≠]|>=|<=|＞=|＜=|大于等于|小于等于|等于|大于|小于|不低于|不高于|定性|定量)$/;

/** Labels of the key/value rows above an indicator table (the project's "head"). */
export type HeadRole = 'code' | 'name' | 'budget' | 'fiscal' | 'other' | 'purpose' | 'plan' | 'goals' | 'ignore';

export const HEAD_LABELS: [HeadRole, RegExp][] = [
  ['code', /^(?:项目编码|项目代码|项目编号|项目id)$/i],
  ['name', /^(?:项目名称|项目\(政策\)名称|政策名称|政策和项目名称|专项名称)$/],
  ['plan', /(?:资金支出计划|支出计划|支出进度|资金使用计划|执行进度)/],
  ['purpose', /(?:资金用途|项目概况|项目内容|项目简介|主要内容|实施内容)/],
  ['budget', /^(?:预算数|项目预算|预算金额|预算资金|资金总额|年度资金总额|实施期资金总额|项目资金|资金规模|项目总额|年度预算|预算规模|本年预算|项目资金总额|资金金额|年度预算数)(?:\(万元\))?$|^[^\d]{0,8}(?:资金总额|预算总额|预算资金总额)(?:\(万元\))?$/],
  ['fiscal', /(?:财政资金|财政拨款|其中:财政)/],
  ['other', /(?:其他资金|其它资金|单位资金)/],
  ['goals', /^(?:绩效目标|年度绩效目标|年度目标|项目绩效目标|总体目标|目标|年度总体目标|长期目标|项目年度目标|总体绩效目标|年度总目标)/],
  ['ignore', /^(?:项目绩效模板|主管部门|实施单位|项目属性|项目期限|项目类型|部门名称|单位名称)$/],
];

export function headRole(k: string): HeadRole | null {
  if (!k) return null;
  k = k.replace(/[:：]$/, '');
  for (const [role, re] of HEAD_LABELS) if (re.test(k)) return role;
  return null;
}

/** Quarter columns of a spending plan: label → quarter index 0..3. */
export function quarterOf(k: string): number | null {
  if (/^(?:3月底?|三月底?|一季度|第一季度|1季度|q1|3月末|截至3月)$/i.test(k) || /^3月/.test(k)) return 0;
  if (/^(?:6月底?|六月底?|二季度|第二季度|2季度|q2|6月末|上半年|半年)$/i.test(k) || /^6月/.test(k)) return 1;
  if (/^(?:9月底?|九月底?|10月底?|十月底?|三季度|第三季度|3季度|q3|9月末|10月末)$/i.test(k) || /^(?:9|10)月/.test(k)) return 2;
  if (/^(?:12月底?|十二月底?|四季度|第四季度|4季度|q4|12月末|全年|年底)$/i.test(k) || /^12月/.test(k)) return 3;
  return null;
}

/** Budget table kinds by title (specific before general). */
export const BUDGET_TABLE_KINDS: [string, RegExp][] = [
  ['财政拨款收支总表', /财政拨款收支(?:预算)?总表/],
  ['收支总表', /收支(?:预算)?总表/],
  ['收入总表', /收入(?:预算)?总表/],
  ['支出总表', /支出(?:预算)?总表/],
  ['一般公共预算基本支出表', /一般公共预算(?:财政拨款)?基本支出/],
  ['一般公共预算支出表', /一般公共预算(?:财政拨款)?(?:支出|预算表)/],
  ['政府性基金预算支出表', /政府性基金(?:预算)?(?:财政拨款)?(?:支出|预算表)/],
  ['国有资本经营预算支出表', /国有资本经营(?:预算)?(?:财政拨款)?(?:支出|预算表)/],
  ['三公经费支出表', /三公.{0,3}经费/],
  ['项目支出表', /项目支出(?:预算)?表/],
  ['基本支出表', /基本支出(?:预算)?表/],
  ['政府采购预算表', /政府采购/],
  ['固定资产占用情况表', /固定资产/],
];

export function budgetKindOf(title: string): string | null {
  const k = title.replace(/[\s\u3000]/g, '');
  if (!/表|预算|明细/.test(k)) return null;
  for (const [kind, re] of BUDGET_TABLE_KINDS) if (re.test(k)) return kind;
  return null;
}

/** Budget table column roles. */
export function budgetColumnRole(label: string): 'seq' | 'code' | 'name' | 'amount' {
  const k = label.replace(/[\s\u3000]/g, '');
  const last = k.split('/').pop() ?? '';
  if (/编码|代码/.test(k) && !/名称/.test(last) && /^(?:类|款|项|编码|科目编码|代码)$|编码$/.test(last)) return 'code';
  if (/^(?:序号|栏次|行次|数量|计量单位|规格型号|规格)$/.test(last)) return 'seq';
  if (/编码|代码|科目编号|编号$/.test(last)) return 'code';
  if (/(?:名称|^项目$|^科目$|^品目|采购项目|资产名称|^内容$|^支出项目$|^收入项目$)/.test(last)) return 'name';
  return 'amount';
}
