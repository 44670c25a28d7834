/**
 * The transform on real corpus PDFs of several cities: document metadata against MANIFEST.tsv
 * (year and kind as printed on the first page), budget tables found and amounts in 万元, and
 * indicator layouts beyond the seeds. Expected values were read from the pages
 * (`pdftotext -layout -f N -l N file.pdf -`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalizedDoc } from '../transform/types.ts';
import { processBytes } from '../pipeline/ingest.ts';
import { CORPUS } from './helpers/paths.ts';

const PDF = join(CORPUS, 'pdf');
const manifest = new Map(
      readFileSync(join(PDF, 'MANIFEST.tsv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split('\t'))
        .map(([file, pages, year, title, indicators, flags]) => [file, { pages: Number(pages), year: year ? Number(year) : null, title, indicators: indicators === 'yes', flags: flags ?? '' }]),
);

/**
 * MANIFEST's indicator_tables flag counts tables with 一级 / 二级 / 三级 columns. 重庆 prints its
 * 部门整体绩效目标表 (page 19) as 指标名称 / 指标性质 / 指标值 without levels: it has indicators.
 */
const INDICATORS_OVERRIDE: Record<string, boolean> = { '004_重庆/2026年重庆市气象局部门预算.pdf': true };

const cache = new Map<string, NormalizedDoc>();
async function doc(file: string): Promise<NormalizedDoc> {
  if (!cache.has(file)) cache.set(file, (await processBytes(readFileSync(join(PDF, file)), file, { timeoutMs: 300_000 })).doc);
  return cache.get(file)!;
}

const FILES = [
  '001_上海/2026年上海市审计局_部门预算.pdf',
  '002_北京/退役军人事务局_2026年部门预算.pdf',
  '004_重庆/2026年重庆市气象局部门预算.pdf',
  '020_西安/医疗保障局_2026年部门预算.pdf',
  '020_西安/卫生健康委员会_2026年部门预算.pdf',
  '022_佛山/2026年佛山市交通运输局部门预算.pdf',
  '025_烟台/2026年烟台市人力资源和社会保障局部门预算.pdf',
  '015_长沙/2026年长沙市公安局2025年部门预算.pdf',
];

describe('corpus PDFs', () => {
  it.each(FILES)('%s: year, kind and indicator presence as MANIFEST.tsv says, whatever the file name says', async (file) => {
    const m = manifest.get(file)!;
    const d = await doc(file);
    if (m.year) expect(d.meta.year).toBe(m.year);
    expect(d.meta.kind).toBe(m.flags.includes('决算') ? '决算' : '预算');
    expect(d.indicators.length > 0).toBe(INDICATORS_OVERRIDE[file] ?? m.indicators);
    // The department printed on the first page, where the manifest has one.
    if (d.meta.department && /局|委|办/.test(m.title)) expect(m.title.replace(/\s+/g, '')).toContain(d.meta.department.replace(/\s+/g, ''));
  });

  it('上海: budget tables printed in 元 are stored in 万元, codes split over 类/款/项 are joined', async () => {
    const d = await doc(FILES[0]);
    expect(d.meta.department).toBe('上海市审计局');
    const kinds = new Set(d.budget_lines.map((b) => b.table_kind));
    for (const k of ['收支总表', '收入总表', '支出总表', '财政拨款收支总表', '一般公共预算支出表', '一般公共预算基本支出表']) expect(kinds.has(k), k).toBe(true);
    const income = d.budget_lines.find((b) => b.table_kind === '收支总表' && b.name === '一、财政拨款收入');
    expect(income?.amount_wan).toBeCloseTo(19577.43, 2); // printed 195,774,300 (单位：元)
    expect(income?.page).toBe(7);
    const codes = d.budget_lines.filter((b) => b.table_kind === '收入总表' && b.code).map((b) => b.code!);
    expect(codes).toContain('201');
    expect(codes.some((c) => c.length === 7)).toBe(true); // 类 + 款 + 项, e.g. 2010801
  });

  it('北京: 项目支出绩效目标表 with code and name in one cell, 财政资金 / 其他资金 sub-columns, signs in their own column', async () => {
    const d = await doc(FILES[1]);
    expect(d.meta.department).toBe('北京市退役军人事务局');
    const p = d.projects.find((x) => x.code === '11000021Y00000039')!;
    expect(p).toMatchObject({ name: '0843-信息系统运维类项目', budget_wan: 675.97, fiscal_wan: 435.97, other_wan: 240, scope: 'project', page: 16 });
    const inds = d.indicators.filter((i) => i.project_seq === p.project_seq);
    expect(inds).toHaveLength(7);
    expect(inds[0]).toMatchObject({ level1: '产出指标', level2: '时效指标', level3: '平均故障修复时间', op: '≤', value_num: 12, unit: '小时', value_kind: 'numeric' });
    expect(d.goals.find((g) => g.project_seq === p.project_seq)?.text).toBe('完成各系统年度运行维护工作；保障网络和信息系统年度稳定运行。');
    // 部门整体支出绩效目标表: 一级 + 二级 + 三级 flattened into one cell, split back.
    const dept = d.projects.find((x) => x.scope === 'department')!;
    const first = d.indicators.find((i) => i.project_seq === dept.project_seq)!;
    expect([first.level1, first.level2, first.level3, first.op, first.value_num, first.unit]).toEqual(['产出指标', '数量指标', '举办“最美退役军人”发布仪式', '=', 1, '场']);
    // The 政府购买服务 catalogue (一级 / 二级 / 三级 + 预算金额) is not an indicator table.
    expect(d.tables.find((t) => t.table_no === 11)?.kind).toBe('other');
  });

  it('重庆: a 部门整体绩效目标表 headed 指标名称 / 指标性质 / 指标值 / 计量单位 / 指标权重 / 是否核心', async () => {
    const d = await doc(FILES[2]);
    const inds = d.indicators.filter((i) => i.project_seq === 1);
    expect(d.projects[0].scope).toBe('department');
    expect(inds.slice(0, 3).map((i) => [i.level3, i.op, i.value_num, i.unit, i.weight])).toEqual([
      ['气候预测准确率', '≥', 68, '%', 12],
      ['短期天气预报准确率', '≥', 78, '%', 13],
      ['地面增雨作业次数', '≥', 65, '次/年', 13],
    ]);
    expect(JSON.parse(inds[0].extra!)).toEqual({ 是否核心: '是' });
  });
});
