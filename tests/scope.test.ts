/**
 * Issue 10: scope from the table's own content, and headerless pieces continued by structure.
 *
 * Real layouts of the corpus, both directions (pages and row counts from tests/expected/pdf-counts.json,
 * counted without jixiao): a project table printed after a 部门整体 title (重庆 表十二, 北京 预算14表
 * 转移支付), a fund's table whose title says 整体支出 (西安 附表15 专项资金整体支出绩效目标表), a
 * 部门整体 table after project titles (西安 附表14, 长沙). Then planted documents where the title
 * before a table says the opposite of its labels.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stopPdfThread } from '../extract/pdf/index.ts';
import type { ExtractedDoc, TableBlock } from '../extract/types.ts';
import { LEVEL1_NAMES } from '../transform/headers.ts';
import { transformDocument } from '../transform/index.ts';
import type { NormalizedDoc } from '../transform/types.ts';
import { processBytes } from '../pipeline/ingest.ts';
import { CORPUS } from './helpers/paths.ts';

afterAll(() => stopPdfThread());

const cache = new Map<string, NormalizedDoc>();
async function doc(file: string): Promise<NormalizedDoc> {
  if (!cache.has(file)) cache.set(file, (await processBytes(readFileSync(join(CORPUS, 'pdf', file)), file, { timeoutMs: 300_000 })).doc);
  return cache.get(file)!;
}

/** Indicator rows on pages [a, b] by the scope of their project. */
function scopes(d: NormalizedDoc, a: number, b: number): Record<string, number> {
  const scope = new Map(d.projects.map((p) => [p.project_seq, p.scope]));
  const out: Record<string, number> = {};
  for (const i of d.indicators) if (i.page != null && i.page >= a && i.page <= b) out[scope.get(i.project_seq)!] = (out[scope.get(i.project_seq)!] ?? 0) + 1;
  return out;
}

describe('scope from the table itself, on the corpus layouts', () => {
  it('重庆: 表十二 一般性项目 after the 部门整体 table is a project table; the 部门整体 table (指标名称 without levels) stays department', { timeout: 300_000 }, async () => {
    const d = await doc('004_重庆/2026年重庆市气象局部门预算.pdf');
    expect(scopes(d, 19, 20)).toEqual({ department: 11 });
    expect(scopes(d, 21, 22)).toEqual({ project: 12 });
  });

  it('北京: 预算14表 专项转移支付 after 预算13表 部门整体 is a fund of its own (转移支付名称): project', { timeout: 300_000 }, async () => {
    const d = await doc('002_北京/财政局_2026年部门预算.pdf');
    expect(scopes(d, 44, 47)).toEqual({ department: 69 });
    expect(scopes(d, 48, 48)).toEqual({ project: 7 });
  });

  it('西安: 附表14 部门整体 (部门（单位）名称 / 年度主要任务) is department; 附表15 titled 专项资金整体支出 with 专项（项目）名称 is project', { timeout: 300_000 }, async () => {
    const d = await doc('020_西安/应急管理局_2026年部门预算.pdf');
    expect(scopes(d, 33, 38)).toEqual({ department: 107 });
    expect(scopes(d, 39, 45)).toEqual({ project: 100 });
  });

  it('长沙: project tables then the 部门整体 table', { timeout: 300_000 }, async () => {
    const d = await doc('015_长沙/教育局_2026年部门预算.pdf');
    expect(scopes(d, 22, 23)).toEqual({ project: 12 });
    expect(scopes(d, 24, 25)).toEqual({ department: 12 });
  });
});

describe('headerless pieces continue the indicator table by structure', () => {
  it('北京 预算12表 continued over pages 28-36 without a header: every row reaches indicators, no piece left `other`', { timeout: 300_000 }, async () => {
    const d = await doc('002_北京/国有资产监督管理委员会_2026年部门预算.pdf');
    expect(scopes(d, 15, 36)).toEqual({ project: 225 });
    expect(scopes(d, 37, 38)).toEqual({ department: 31 });
    const pieces = d.tables.filter((t) => (t.page ?? 0) >= 17 && (t.page_end ?? 0) <= 36);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.map((t) => t.kind)).toEqual(pieces.map(() => 'project_indicators'));
    // The continued rows are read with the table's header: 一级 from the 一级 column.
    const late = d.indicators.filter((i) => (i.page ?? 0) >= 28);
    expect(late.length).toBeGreaterThan(50);
    expect(late.filter((i) => !LEVEL1_NAMES.includes(i.level1 ?? ''))).toEqual([]);
  });
});

/** A planted document: a title line, then one table of rows. */
function planted(title: string, rows: string[][]): ExtractedDoc {
  const table: TableBlock = { type: 'table', tableNo: 1, page: 1, pageEnd: 1, spansKnown: false, rows: rows.map((cells) => ({ cells: cells.map((text) => ({ text })), page: 1 })) };
  return { format: 'pdf', extractor: 'planted', pages: 1, warnings: [], blocks: [{ type: 'text', text: title, page: 1 }, table] };
}

const INDICATORS = [
  ['一级指标', '二级指标', '三级指标', '指标值'],
  ['产出指标', '数量指标', '完成检查次数', '≥12次'],
  ['满意度指标', '服务对象满意度指标', '群众满意度', '≥90%'],
];

describe('the table\'s labels win over the title before it', () => {
  it('a 部门整体 table (部门名称, 年度主要任务) under a 项目支出绩效目标表 title is department', () => {
    const d = transformDocument(planted('项目支出绩效目标表', [['部门名称', '某市某局'], ['年度主要任务', '保障机关运转'], ...INDICATORS]));
    expect(d.projects.map((p) => p.scope)).toEqual(['department']);
    expect(d.indicators).toHaveLength(2);
    expect(d.tables[0].kind).toBe('department_indicators');
  });

  it('a project table (项目名称, 项目编码) under a 部门整体支出绩效目标表 title is project', () => {
    const d = transformDocument(planted('部门整体支出绩效目标表', [['项目名称', '安全检查专项'], ['项目编码', '1101'], ...INDICATORS]));
    expect(d.projects.map((p) => [p.scope, p.name])).toEqual([['project', '安全检查专项']]);
    expect(d.tables[0].kind).toBe('project_indicators');
  });

  it('with neither label, the title decides', () => {
    expect(transformDocument(planted('部门整体支出绩效目标表', INDICATORS)).projects.map((p) => p.scope)).toEqual(['department']);
    expect(transformDocument(planted('项目支出绩效目标表', INDICATORS)).projects.map((p) => p.scope)).toEqual(['project']);
  });
});
