/**
 * The report of what was not understood: an indicator table planted under headers no dictionary
 * knows reaches `extraction_issues`, `jixiao ingest --report` and the nightly summary, with its
 * page / table / line; a known layout reports no such table; dropped rows and empty fields carry
 * their reason.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processBytes } from '../pipeline/ingest.ts';
import { summarizeIssues } from '../pipeline/issues-report.ts';
import { formatRunSummary, type RunSummary } from '../pipeline/nightly.ts';
import { ROOT, SEED } from './helpers/paths.ts';

/** A 项目绩效 table whose headers (考核维度 / 考核要素 / 考核内容 / 预期水平) no dictionary knows. */
const PLANTED = [
  '2026年曹妃甸区干部培训中心部门预算',
  '',
  '基层干部培训项目绩效考核表',
  '考核维度\t考核要素\t考核内容\t预期水平',
  '产出指标\t数量指标\t培训人次\t≥500人次',
  '产出指标\t质量指标\t培训合格率\t≥95%',
  '产出指标\t时效指标\t培训完成时间\t≤12个月',
  '效益指标\t社会效益指标\t基层治理能力提升\t明显提升',
  '满意度指标\t服务对象满意度指标\t学员满意度\t≥90%',
  '',
].join('\n');

/** A budget table (numbers, no indicator words): not a layout to report. */
const BUDGET = ['一般公共预算支出表', '金额单位：万元', '科目编码\t科目名称\t合计\t基本支出\t项目支出', '201\t一般公共服务支出\t120.50\t100.00\t20.50', '20101\t人大事务\t80.00\t80.00\t0', ''].join('\n');

describe('extraction issues', () => {
  it('a planted indicator layout under unknown headers is listed with its table, line and evidence; a budget table is not', async () => {
    const { doc } = await processBytes(Buffer.from(`${PLANTED}\n${BUDGET}`), 'planted.txt');
    const t = doc.tables.find((x) => x.title === '基层干部培训项目绩效考核表')!;
    expect(t.kind).toBe('other');
    const u = doc.issues.filter((i) => i.reason === 'unrecognized_indicator_table');
    expect(u).toHaveLength(1);
    expect(u[0]).toMatchObject({ table_no: t.table_no, n_rows: 6, line_no: 4, detail: '10 一级/二级 cells, 4 指标值-like cells' });
    expect(u[0].evidence).toContain('first row: 考核维度 | 考核要素 | 考核内容 | 预期水平');
    expect(u[0].evidence).toContain('产出指标');
    // Its year and region were printed: no empty document field is reported.
    expect(doc.issues.filter((i) => i.detail?.startsWith('documents.'))).toEqual([]);
  });

  it('a known layout (seed 004) reports no unrecognized table and no dropped row', async () => {
    const { doc } = await processBytes(readFileSync(SEED.s004), SEED.s004);
    expect(doc.indicators.length).toBe(72);
    expect(doc.issues.filter((i) => i.reason !== 'field_empty')).toEqual([]);
  });

  it('a row of an indicator table that gives nothing is reported as dropped, with why; an empty 指标值 as an empty field', async () => {
    const text = [
      '1、办公设备购置项目绩效目标表',
      '项目名称\t办公设备购置\t预算金额\t19.36',
      '一级指标\t二级指标\t三级指标\t指标值',
      '产出指标\t数量指标\t购置台数\t30台',
      '成本指标\t社会成本指标\t\t',
      '效益指标\t社会效益指标\t办公保障率\t',
      '满意度指标\t服务对象满意度指标\t使用人员满意度\t≥95%',
      '',
    ].join('\n');
    const { doc } = await processBytes(Buffer.from(text), 'dropped.txt');
    expect(doc.indicators.map((i) => i.level3)).toEqual(['购置台数', '办公保障率', '使用人员满意度']);
    const dropped = doc.issues.filter((i) => i.reason === 'row_dropped');
    expect(dropped).toEqual([expect.objectContaining({ row_no: 4, line_no: 5, evidence: '成本指标 | 社会成本指标', detail: expect.stringMatching(/only 一级\/二级 names/) })]);
    expect(doc.issues.filter((i) => i.detail === 'indicators.value_raw').map((i) => i.row_no)).toEqual([5]);
    // Nothing says the year or region of this document: reported as empty fields.
    expect(doc.issues.filter((i) => i.detail?.startsWith('documents.')).map((i) => i.detail)).toEqual(['documents.year', 'documents.region', 'documents.department']);
  });

  it('the nightly summary lists the documents with unrecognized tables', async () => {
    const { doc } = await processBytes(Buffer.from(PLANTED), 'planted.txt');
    const s = {
      runId: 'r1', status: 'ok', crawl: null, checks: null, snapshot: null, steps: {}, error: null,
      documents: { candidates: 1, ingested: 1, failed: 0, alreadyLoaded: 0, byStatus: { ok: 1 } },
      issues: [{ url: 'https://example.gov.cn/a.txt', summary: summarizeIssues(doc.issues) }],
    } satisfies RunSummary;
    const out = formatRunSummary(s);
    expect(out).toMatch(/not understood: 1 table\(s\) of kind other with indicator-like content \(6 rows\)/);
    expect(out).toMatch(/https:\/\/example\.gov\.cn\/a\.txt\n\s+table 1 p\.\? \(6 rows\) kind other with indicator-like content/);
  });
});

describe('jixiao ingest --report and jixiao sql', () => {
  it('lists the planted table per document; extraction_issues holds it with its provenance and reason', () => {
    const cli = join(ROOT, 'bin', 'jixiao.mjs');
    const d = mkdtempSync(join(tmpdir(), 'jixiao-issues-'));
    writeFileSync(join(d, 'planted.txt'), `${PLANTED}\n${BUDGET}`);
    writeFileSync(join(d, 'seed004.txt'), readFileSync(SEED.s004));
    const db = join(d, 'w.duckdb');
    const out = execFileSync('node', [cli, 'ingest', d, '--db', db, '--report', join(d, 'r.json')], { encoding: 'utf8' });
    expect(out).toMatch(/not understood: 1 table\(s\) of kind other with indicator-like content \(6 rows\), 0 row\(s\) dropped/);
    expect(out).toMatch(/planted\.txt\n\s+table 1 p\.\? \(6 rows\) kind other with indicator-like content: 10 一级\/二级 cells, 4 指标值-like cells/);
    const report = JSON.parse(readFileSync(join(d, 'r.json'), 'utf8'));
    expect(report.find((r: { source: string }) => r.source.endsWith('planted.txt')).issues.unrecognized).toHaveLength(1);
    const sql = execFileSync(
      'node',
      [cli, 'sql', `SELECT reason, table_no, line_no, n_rows FROM extraction_issues JOIN documents USING (doc_id) WHERE source LIKE '%planted.txt' AND reason <> 'field_empty'`, '--db', db, '--format', 'csv'],
      { encoding: 'utf8' },
    );
    expect(sql.trim().split('\n').slice(-1)[0]).toBe('unrecognized_indicator_table,1,4,6');
  });
});
