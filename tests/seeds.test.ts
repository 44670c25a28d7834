/**
 * Golden tests on the four real seed disclosures. Expected rows were written by reading the
 * seed text dumps (and the counts cross-checked with grep over the dumps, e.g.
 * `grep -cP '^\t(百分比|次|人|天|台|家|万元|次数)$' 000_*.txt` = 59 indicator rows).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { processBytes } from '../pipeline/ingest.ts';
import type { NormalizedDoc } from '../transform/types.ts';
import { SEED } from './helpers/paths.ts';

const cache = new Map<string, NormalizedDoc>();
async function load(path: string): Promise<NormalizedDoc> {
  if (!cache.has(path)) cache.set(path, (await processBytes(readFileSync(path), path)).doc);
  return cache.get(path)!;
}

type Ind = [string | null, string | null, string | null, string | null, string | null, string | null, number | null, string | null, string, string | null];
function indicatorsOf(doc: NormalizedDoc, seq: number): Ind[] {
  return doc.indicators
    .filter((i) => i.project_seq === seq)
    .map((i) => [i.level1, i.level2, i.level3, i.description, i.value_raw, i.op, i.value_num, i.unit, i.value_kind, i.basis]);
}
const goalsOf = (doc: NormalizedDoc, seq: number) => doc.goals.filter((g) => g.project_seq === seq).map((g) => g.text);
const project = (doc: NormalizedDoc, seq: number) => doc.projects.find((p) => p.project_seq === seq)!;

describe('counts per seed', () => {
  it.each([
    [SEED.s000, 14, 59, 2020, '111', '承德高新技术产业开发区安全生产监督管理局'],
    [SEED.s001, 18, 162, 2022, null, '承德高新技术产业开发区应急管理局'],
    [SEED.s003, 23, 161, 2026, '426', '沧州临港经济技术开发区安全生产监督管理局'],
    [SEED.s004, 8, 72, 2020, '930006', '曹妃甸区市场监督管理局第六分局'],
  ])('%s', async (path, projects, indicators, year, code, dept) => {
    const doc = await load(path);
    expect(doc.projects).toHaveLength(projects);
    expect(doc.indicators).toHaveLength(indicators);
    expect(doc.meta.year).toBe(year);
    expect(doc.meta.dept_code).toBe(code);
    expect(doc.meta.department).toBe(dept);
    expect(doc.meta.kind).toBe('预算');
    // Every project has indicators, and project_seq runs 1..n in document order.
    expect(doc.projects.map((p) => p.project_seq)).toEqual(Array.from({ length: projects }, (_, i) => i + 1));
    for (const p of doc.projects) expect(doc.indicators.some((i) => i.project_seq === p.project_seq)).toBe(true);
  });

  it('000: the duty table has four duties and twelve graded indicators', async () => {
    const doc = await load(SEED.s000);
    expect(doc.duties.map((d) => [d.code, d.name, d.budget_wan])).toEqual([
      ['01', '综合业务', 46.4],
      ['02', '工矿商贸综合监管', 3.8],
      ['03', '危化、职业卫生监管', 23.8],
      ['04', '安全生产执法监察', 7],
    ]);
    expect(doc.duty_indicators).toHaveLength(12);
    const first = doc.duty_indicators[0];
    expect([first.name, JSON.parse(first.grades!)]).toEqual(['制度健全性', ['100%', '90%', '80%', '70%以下']]);
    // 04 was split over blank lines inside its cells in the dump: rejoined, it still has its goal and indicators.
    expect(doc.duties[3].goal).toBe('确保重要工作、部署、事项及领导重要指示得到贯彻落实。确保全区安全生产0事故发生');
    expect(doc.duty_indicators.filter((d) => d.duty_seq === 4).map((d) => d.name)).toEqual(['事故率', '工作完成率', '执法检查率']);
  });

  it('003: the nine budget tables, procurement and fixed assets become budget lines', async () => {
    const doc = await load(SEED.s003);
    const kinds = new Set(doc.budget_lines.map((b) => b.table_kind));
    for (const k of ['收支总表', '收入总表', '支出总表', '财政拨款收支总表', '一般公共预算支出表', '一般公共预算基本支出表', '政府性基金预算支出表', '三公经费支出表'])
      expect(kinds.has(k), k).toBe(true);
    // 国有资本经营 is printed as an empty table: classified, no lines.
    expect(doc.tables.some((t) => t.subkind === '国有资本经营预算支出表')).toBe(true);
    const line = (kind: string, name: string, col: string) =>
      doc.budget_lines.find((b) => b.table_kind === kind && b.name === name && b.column_name === col)?.amount_wan;
    expect(line('收支总表', '一、一般公共预算拨款收入', '收入/预算数')).toBe(2618.39);
    expect(line('收支总表', '二十三、灾害防治及应急管理支出', '支出/预算数')).toBe(2567.97);
    expect(line('收入总表', '住房公积金', '本年收入/财政拨款收入')).toBe(50.42);
    expect(doc.budget_lines.find((b) => b.table_kind === '收入总表' && b.name === '住房公积金')?.code).toBe('2210201');
    expect(line('支出总表', '其他应急管理支出', '项目支出')).toBe(1450);
    expect(line('三公经费支出表', '“三公”经费小计', '资金性质/合计')).toBe(1.5);
  });
});

describe('000 (layout A: value split into 符号 | 值 | 单位, cumulative % plan)', () => {
  it('project 1 安全生产举报奖励金, complete', async () => {
    const doc = await load(SEED.s000);
    expect(project(doc, 1)).toMatchObject({
      code: '111-0103-YBN-RCSW',
      name: '安全生产举报奖励金',
      budget_wan: null,
      purpose: '用于对报告重大事帮隐患或举报安全生产违法行的举报人员给邓奖励',
      plan_q1: 0,
      plan_q2: 50,
      plan_q3: 50,
      plan_q4: 100,
      plan_unit: 'percent',
      scope: 'project',
    });
    expect(goalsOf(doc, 1)).toEqual(['对举报生产安全事故举报奖励的情况调查']);
    expect(indicatorsOf(doc, 1)).toEqual([
      ['产出指标', '数量指标', '标准', '对举报人的奖励金额等于3万元', '=3.0万元', '=', 3, '万元', 'numeric', '依据承德市关于安全生产举报奖励办法中规定，一般事故按每查实瞒报1人奖励3万元计算。'],
      ['产出指标', '质量指标', '真实性', '对举报事实的真实度核查达等于100%', '=100.00百分比', '=', 100, '%', 'percent', '依据承德市关于安全生产举报奖励办法中规定对事故进行核查，'],
      ['产出指标', '时效指标', '及时性', '对举报的事实及时检查及处理率等于100%', '=100.00百分比', '=', 100, '%', 'percent', '依据承德市关于安全生产举报奖励办法中规定对事故举报及时调查和处理'],
      ['效果指标', '经济效益指标', '落实率', '举报属实，对举报奖励落实率100%', '=100.00百分比', '=', 100, '%', 'percent', '依据承德市关于安全生产举报奖励办法中严格落实'],
      ['满意度指标', '服务对象满意度指标', '群众满意度', '群众对举报奖励机制满意度达到100%', '=100.00百分比', '=', 100, '%', 'percent', '依据承德市关于安全生产举报奖励办法对群众满意度进行测评'],
    ]);
    const carried = doc.indicators.filter((i) => i.project_seq === 1).map((i) => i.level1_carried);
    expect(carried).toEqual([false, true, true, false, false]);
    expect(doc.indicators.find((i) => i.project_seq === 1)!.value_cleaning).toBe('joined-columns');
  });

  it('project 6 网站建设费: an empty 一级指标 with nothing above stays empty', async () => {
    const doc = await load(SEED.s000);
    expect(project(doc, 6)).toMatchObject({ code: '111-0502-YBN-0MZY', name: '网站建设费', plan_q2: 100, plan_unit: 'percent' });
    expect(goalsOf(doc, 6)).toEqual(['提高安全生产隐患排查工作', '增强安全生产工作的科学性、规范性']);
    const rows = indicatorsOf(doc, 6);
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      [null, '质量指标', '进度率'],
      [null, '时效指标', '完成率'],
      ['效果指标', '可持续影响指标', '长期使用性'],
      ['满意度指标', '服务对象满意度指标', '满意度'],
    ]);
    expect(rows[0].slice(4, 9)).toEqual(['<=180.00天', '≤', 180, '天', 'numeric']);
    expect(rows[3][3]).toBe('各企业、各单位对网站建设满意度达到90%以上。');
  });

  it('a missing operator (a blank 符号 cell) and the typo .90.00 are parsed without inventing anything', async () => {
    const doc = await load(SEED.s000);
    const p8 = doc.indicators.filter((i) => i.project_seq === 8);
    expect([p8[1].op, p8[1].value_num, p8[1].value_kind]).toEqual([null, 100, 'percent']);
    const typo = doc.indicators.find((i) => i.value_raw?.includes('.90.00'))!;
    expect([typo.op, typo.value_num, typo.unit]).toEqual(['≥', 90, '%']);
  });
});

describe('001 (layout B: one row per line, bracketed codes, values in one cell)', () => {
  it('project 1 安全生产应急保障金, complete', async () => {
    const doc = await load(SEED.s001);
    expect(project(doc, 1)).toMatchObject({
      code: '13081122P00834610001P',
      name: '安全生产应急保障金',
      budget_wan: 7,
      fiscal_wan: 7,
      other_wan: 0,
      purpose: '用于保障我区应急管理工作，确保应急救援应急资金到位。',
      plan_q1: null,
      plan_q2: 0,
      plan_q3: 0,
      plan_q4: 100,
      plan_unit: 'percent',
    });
    expect(goalsOf(doc, 1)).toEqual(['用于保障我区应急管理工作，确保应急救援应急资金到位。']);
    const basis = '河北省安全生产条例第六十五条规定';
    expect(indicatorsOf(doc, 1)).toEqual([
      ['产出指标', '数量指标', '事故数', '全年安全生产事故次数', '0次', null, 0, '次', 'numeric', basis],
      ['产出指标', '质量指标', '应急救援能力', '应急救援能力', '100%', null, 100, '%', 'percent', basis],
      ['产出指标', '时效指标', '突发事件处置及时性（小时）', '突发事件处置及时性', '100%', null, 100, '%', 'percent', basis],
      ['产出指标', '成本指标', '投入', '在安全生产和应急救援中凡需要启用保障金要及时投入', '100%', null, 100, '%', 'percent', basis],
      ['效益指标', '经济效益指标', '专项资金投入产出效益', '专项资金投入产出效益', '无', null, null, null, 'placeholder', basis],
      ['效益指标', '社会效益指标', '应急保障率', '应急保障率', '100%', null, 100, '%', 'percent', basis],
      ['效益指标', '生态效益指标', '生态影响', '生态影响', '无', null, null, null, 'placeholder', basis],
      ['效益指标', '可持续影响指标', '长期使用性', '预留足额安全生产应急保障金是否可以长期使用', '安全生产应急保障金长期使用', null, null, null, 'text', basis],
      ['满意度指标', '服务对象满意度指标', '服务对象满意度', '服务对象满意度', '≥95%', '≥', 95, '%', 'percent', basis],
    ]);
  });

  it('project 15 救灾物资储备库物资采购: conversion artefacts stripped and recorded, code shared with project 5', async () => {
    const doc = await load(SEED.s001);
    const p = project(doc, 15);
    expect(p).toMatchObject({ code: '13081122P00389F10002C', name: '救灾物资储备库物资采购', budget_wan: 10, plan_q2: 50, plan_q3: 100, plan_q4: 100, plan_unit: 'percent' });
    expect(project(doc, 5).code).toBe(p.code);
    const inds = doc.indicators.filter((i) => i.project_seq === 15);
    expect(inds).toHaveLength(9);
    expect(inds.map((i) => [i.value_raw, i.value_cleaning])).toEqual([
      ['≥80%', 'leading-quote'],
      ['≥90%', 'leading-quote'],
      ['≥20%', 'leading-quote'],
      ['≤10万', 'leading-quote'],
      ['物资储备在我区发生突发自然灾害时启用，未发生不启用。', null],
      ['=100%', 'leading-quote'],
      ['无', null],
      ['≥20%', 'leading-quote,latex'],
      ['≥98%', 'leading-quote,latex'],
    ]);
    // The blank line inside this table (after 生态效益指标) does not break it.
    expect(inds[7].level2).toBe('可持续影响指标');
    expect(inds[7].level1).toBe('效益指标');
  });

  it('plan labels and values are aligned by position even when the conversion shifted columns', async () => {
    const doc = await load(SEED.s001);
    expect([2, 3, 4].map((s) => { const p = project(doc, s); return [p.plan_q1, p.plan_q2, p.plan_q3, p.plan_q4]; })).toEqual([
      [null, 80, 80, null],
      [0, 50, 100, null],
      [25, 50, 75, null],
    ]);
    expect(project(doc, 6).plan_unit).toBe('empty');
    // Spaces inside codes and labels are PDF letter-spacing, removed.
    expect(project(doc, 4).code).toBe('13081122P00796910002N');
    expect(doc.indicators.find((i) => i.project_seq === 5)!.level1).toBe('产出指标');
  });
});

describe('003 (layout C: 单位：万元, plan labelled % holding amounts)', () => {
  it('project 1 安全生产举报奖励, complete', async () => {
    const doc = await load(SEED.s003);
    expect(project(doc, 1)).toMatchObject({
      code: '13091626P000072100412',
      name: '安全生产举报奖励',
      budget_wan: 10,
      fiscal_wan: 10,
      other_wan: null,
      purpose: '奖励企业或个人安全生产举报行为',
      plan_q1: 2.5,
      plan_q2: 5,
      plan_q3: 7.5,
      plan_q4: 10,
      plan_unit: 'amount',
      plan_header: '资金支出计划（%）',
    });
    expect(goalsOf(doc, 1)).toEqual(['遏制安全生产事故发生，保持全区安全生产稳定态势']);
    expect(indicatorsOf(doc, 1)).toEqual([
      ['产出指标', '数量指标', '单次发放奖金金额', '单次发放奖金金额', '≥200元', '≥', 200, '元', 'numeric', '工作计划'],
      ['产出指标', '质量指标', '举报案件符合标准程度', '举报案件符合标准程度', '100%', null, 100, '%', 'percent', '文件要求'],
      ['产出指标', '时效指标', '完成发放期限', '完成发放期限', '≤1年', '≤', 1, '年', 'numeric', '实际情况'],
      ['产出指标', '成本指标', '节约成本', '节约成本', '节约成本', null, null, null, 'text', '预算'],
      ['效益指标', '社会效益指标', '保持开发区安全生产稳定态势', '保持开发区安全生产稳定态势', '保持开发区安全生产稳定态势', null, null, null, 'text', '实际情况'],
      ['效益指标', '可持续影响指标', '项目持续发挥作用期限', '项目持续发挥作用期限', '1年', null, 1, '年', 'numeric', '工作计划'],
      ['满意度指标', '服务对象满意度指标', '企业满意度', '企业满意度', '≥90%', '≥', 90, '%', 'percent', '调研'],
    ]);
  });

  it('project 7 劳务派遣人员经费: a plan that overshoots its budget is not called an amount or a percentage', async () => {
    const doc = await load(SEED.s003);
    expect(project(doc, 7)).toMatchObject({ name: '劳务派遣人员经费', budget_wan: 116, plan_q4: 130, plan_unit: 'unknown' });
    expect(indicatorsOf(doc, 7)[0]).toEqual(['产出指标', '数量指标', '劳务派遣人员数量', '劳务派遣人员数量', '11人', null, 11, '人', 'numeric', '合同内容']);
    // Every other project with a plan is in amounts, including the ambiguous 100-for-100 one.
    expect(doc.projects.filter((p) => p.project_seq !== 7).every((p) => p.plan_unit === 'amount')).toBe(true);
  });
});

describe('004 (layout D: department code + name, Word field codes, ≤100优 everywhere)', () => {
  it('project 1 办公场所租赁费, complete', async () => {
    const doc = await load(SEED.s004);
    expect(project(doc, 1)).toMatchObject({
      code: '930-0801-JBN-T5AG',
      name: '办公场所租赁费',
      budget_wan: 23.85,
      fiscal_wan: 23.85,
      purpose: '因我局无办公场所一直租用民用住宅办公，租赁费一年23.85万元（2019.12-2020.12房租）。',
      plan_q4: 1,
      plan_unit: 'ratio',
    });
    const goal = '因我局无办公场所一直租用民用住宅办公，租赁费一年23.85万元（2019.12-2020.12房租）。';
    expect(goalsOf(doc, 1)).toEqual([goal, goal]);
    const rows = indicatorsOf(doc, 1);
    expect(rows.map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      ['产出指标', '数量指标', '2019年度房租', '保障工作正常运行'],
      ['产出指标', '质量指标', '业务保障能力', '保障服务能力提升情况'],
      ['产出指标', '时效指标', '每年度支付', '保障相关业务、工作等开展的情况'],
      ['产出指标', '成本指标', '办公用房租金', '提升工作效率'],
      ['效益指标', '经济效益指标', '节约经费，认真完成工作', '消保相关业务完成率'],
      ['效益指标', '社会效益指标', '办公用房租金', '服务市场监管'],
      ['效益指标', '生态效益指标', '资源消耗', '保障工作正常运行'],
      ['效益指标', '可持续影响指标', '市场监管', '保障工作顺利开展'],
      ['满意度指标', '服务对象满意度指标', '服务对象满意度', '保障相关业务、工作等开展的情况'],
    ]);
    expect(new Set(rows.map((r) => `${r[4]}|${r[8]}|${r[9]}`))).toEqual(new Set(['≤100优|placeholder|三定方案']));
  });

  it('project 7 信息化建设: a 一级 cell split from its row by a blank line is rejoined; misplaced 二级 kept as printed', async () => {
    const doc = await load(SEED.s004);
    expect(project(doc, 7)).toMatchObject({ code: '930-0501-JBN-OLOT', name: '信息化建设', budget_wan: 2.6, plan_q2: 0.4, plan_q3: 0.7, plan_q4: 1, plan_unit: 'ratio' });
    expect(indicatorsOf(doc, 7).map((r) => [r[0], r[1]])).toEqual([
      ['产出指标', '数量指标'],
      ['产出指标', '质量指标'],
      ['产出指标', '时效指标'],
      ['效益指标', '成本指标'],
      ['效益指标', '经济效益指标'],
      ['效益指标', '社会效益指标'],
      ['满意度指标', '生态效益指标'],
      ['满意度指标', '可持续影响指标'],
      ['满意度指标', '服务对象满意度指标'],
    ]);
    expect(doc.indicators.every((i) => i.value_kind === 'placeholder')).toBe(true);
  });

  it('Word field codes do not leak into titles', async () => {
    const doc = await load(SEED.s004);
    expect(doc.projects.map((p) => p.name)).toEqual(['办公场所租赁费', '劳务派遣服务费及临时工资', '其他市场监督管理事务', '市场秩序执法', '市场主体管理', '消费者权益保护', '信息化建设', '质量安全监管专项']);
  });
});
