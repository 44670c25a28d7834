/**
 * Quality checks at scale: synthetic warehouses of 1M and 10M indicators generated with DuckDB SQL
 * (range(), hash()), then the full check (departments, clone detection, year-over-year, all rules,
 * scores) timed step by step. Sizes: BENCH_QUALITY_SIZES="1000000,10000000" (default).
 *
 * Shape of the synthetic data: 10 indicators per project, 20 projects per document, one document
 * per department and year (6 years, 2019–2024), 200 regions. Indicator texts come from a few
 * thousand 三级指标 names with their descriptions and 120 values, so texts repeat as in real
 * disclosures; 30% of projects use one of 100 template sets (with one slot varied), ~5% of values
 * are ≤100优 placeholders, and projects keep their names across years, so clone clusters and
 * year-over-year matches exist at every size.
 *
 * Nightly scenario: after the full check, BENCH_QUALITY_NEW_DOCS (default 1,000) new documents
 * arrive — the 2025 budgets of the first departments, same shape — and the incremental check runs
 * (runChecks mode 'incremental': only the new documents, their departments and the clone clusters
 * they join are re-checked); its time is printed beside the full check's.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse, rows } from '../../warehouse/db.ts';
import { runChecks } from '../../warehouse/quality/index.ts';

export interface GenerateOptions {
  /** First document index (documents are prefix || index). */
  first?: number;
  prefix?: string;
  /** SQL of the department number and of the year of document index `x`. */
  dept?: (x: string) => string;
  year?: (x: string) => string;
}

export async function generate(conn: DuckDBConnection, nIndicators: number, o: GenerateOptions = {}) {
  const perProject = 10;
  const perDoc = 20;
  const nProjects = Math.ceil(nIndicators / perProject);
  const nDocs = Math.ceil(nProjects / perDoc);
  const first = o.first ?? 0;
  const P = o.prefix ?? 'd';
  const dept = o.dept ?? ((x: string) => `(${x}) // 6`);
  const year = o.year ?? ((x: string) => `2019 + (${x}) % 6`);
  const g0 = first * perDoc;
  const g1 = (first + nDocs) * perDoc;
  await conn.run(`INSERT INTO documents (doc_id, source, format, status, region, department, dept_code, year, kind, n_projects, n_indicators)
    SELECT '${P}' || i, 'synthetic/${P}' || i || '.pdf', 'pdf', 'ok', '区' || ((${dept('i')}) % 200), '区' || ((${dept('i')}) % 200) || '第' || (${dept('i')}) || '局',
           CAST(${dept('i')} AS VARCHAR), ${year('i')}, '预算', ${perDoc}, ${perDoc * perProject}
    FROM range(${first}, ${first + nDocs}) t(i)`);
  await conn.run(`INSERT INTO projects (doc_id, project_seq, scope, code, name, budget_wan, fiscal_wan, other_wan, plan_q1, plan_q2, plan_q3, plan_q4, plan_unit, page, table_no, row_no)
    SELECT '${P}' || (g // ${perDoc}), g % ${perDoc} + 1, 'project', 'P' || (${dept(`g // ${perDoc}`)}) || '-' || (g % ${perDoc}),
           '专项' || (((${dept(`g // ${perDoc}`)}) * 7 + g % ${perDoc}) % 997) || '经费',
           10 + hash(g) % 500, 10 + hash(g) % 500, NULL, 25, 50, 75, CASE WHEN g % 17 = 0 THEN 90 ELSE 100 END, 'percent',
           1 + g % ${perDoc}, 1 + g % ${perDoc}, 1
    FROM range(${g0}, ${g1}) t(g)`);
  // Template sets: project g uses template (hash % 100) when hash % 10 < 3.
  await conn.run(`INSERT INTO indicators (doc_id, project_seq, indicator_seq, level1, level2, level3, description, value_raw, op, value_num, unit, value_kind, basis, page, table_no, row_no)
    SELECT '${P}' || (g // ${perDoc}), g % ${perDoc} + 1, k + 1,
           ['产出指标','产出指标','产出指标','产出指标','效益指标','效益指标','效益指标','效益指标','满意度指标','成本指标'][k + 1],
           ['数量指标','质量指标','时效指标','成本指标','经济效益指标','社会效益指标','生态效益指标','可持续影响指标','服务对象满意度指标','经济成本指标'][k + 1],
           nm, '反映' || nm || '的情况', v,
           CASE WHEN v LIKE '≥%' THEN '≥' END, CASE WHEN v LIKE '≥%' THEN CAST(regexp_extract(v, '[0-9]+') AS DOUBLE) END,
           CASE WHEN v LIKE '%\\%' ESCAPE '\\' THEN '%' END,
           CASE WHEN v = '≤100优' THEN 'placeholder' WHEN v LIKE '%\\%' ESCAPE '\\' THEN 'percent' ELSE 'text' END,
           CASE WHEN hash(g, k) % 3 = 0 THEN '三定方案' ELSE '年度工作计划' END,
           1 + g % ${perDoc}, 1 + g % ${perDoc}, k + 2
    FROM (SELECT *, chr(CAST(19968 + (n3 * 7919) % 20000 AS INTEGER)) || chr(CAST(19968 + (n3 * 104729) % 20000 AS INTEGER))
                    || chr(CAST(19968 + (n3 * 1299709) % 20000 AS INTEGER)) || chr(CAST(19968 + (n3 * 15485863) % 20000 AS INTEGER)) AS nm FROM (
      SELECT g, k,
             CASE WHEN templ AND k <> 9 THEN (hash(g) % 100) * 10 + k ELSE hash(g, k) % 3000 END AS n3,
             CASE WHEN templ AND k <> 9 THEN ['≥' || (80 + hash(g) % 100 % 20) || '%','100%','12月底前','≤100优','≥' || (hash(g) % 100) || '次','≥1年','≥98%','长期','≥90%','≤10万元'][k + 1]
                  WHEN hash(g, k, 1) % 20 = 0 THEN '≤100优'
                  ELSE '≥' || (hash(g, k, 2) % 120) || '%' END AS v
      FROM (SELECT g, hash(g, 'templ') % 10 < 3 AS templ FROM range(${g0}, ${g1}) t(g)) p, range(${perProject}) r(k)
    ))`);
  return { documents: nDocs, projects: nDocs * perDoc, indicators: nDocs * perDoc * perProject };
}

export async function run() {
  const sizes = (process.env.BENCH_QUALITY_SIZES ?? '1000000,10000000').split(',').map(Number);
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'jixiao-qbench-'));
    const wh = await openWarehouse(join(dir, 'q.duckdb'));
    try {
      const t0 = performance.now();
      const g = await generate(wh.conn, n);
      console.log(`quality: synthetic warehouse of ${g.indicators.toLocaleString()} indicators (${g.projects.toLocaleString()} projects, ${g.documents.toLocaleString()} documents) generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const steps: string[] = [];
      const res = await runChecks(wh.conn, {
        runId: `bench-${n}`,
        onStep: (step, s, detail) => {
          steps.push(`${step} ${s.toFixed(1)} s`);
          if (step === 'clones') {
            const c = detail as { clusters: number; members: number; iterations: number };
            console.log(`  clone detection: ${s.toFixed(1)} s — ${c.clusters.toLocaleString()} clusters, ${c.members.toLocaleString()} projects in clusters, ${c.iterations} label-propagation rounds`);
          } else if (step === 'rules') console.log(`  full rule suite: ${s.toFixed(1)} s`);
          else console.log(`  ${step}: ${s.toFixed(1)} s`);
        },
      });
      const [yy] = await rows<{ pairs: number; matched: number }>(wh.conn, `SELECT count(*) AS pairs, count(prev_project_seq) AS matched FROM yoy_projects`);
      console.log(`  total check: ${res.seconds.toFixed(1)} s, ${res.findings.toLocaleString()} findings from ${res.results.length} rules (${res.errors.length} rule errors); yoy: ${yy.matched.toLocaleString()} of ${yy.pairs.toLocaleString()} projects matched to the year before`);
      for (const e of res.errors) console.log(`  rule error ${e.rule_id}: ${e.error}`);
      const slow = [...res.results].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
      console.log(`  slowest rules: ${slow.map((r) => `${r.rule_id} ${r.seconds.toFixed(1)} s`).join(', ')}`);

      // Nightly: new documents (the 2025 budgets of the first departments), then the incremental check.
      const nNew = Number(process.env.BENCH_QUALITY_NEW_DOCS ?? 1000);
      const tg = performance.now();
      const add = await generate(wh.conn, nNew * 200, { first: g.documents, prefix: 'n', dept: (x) => `(${x}) - ${g.documents}`, year: () => '2025' });
      console.log(`quality nightly: +${add.documents.toLocaleString()} documents (${add.indicators.toLocaleString()} indicators) generated in ${((performance.now() - tg) / 1000).toFixed(1)} s`);
      const inc = await runChecks(wh.conn, {
        runId: `bench-${n}-nightly`,
        mode: 'incremental',
        onStep: (step, s) => console.log(`  incremental ${step}: ${s.toFixed(1)} s`),
      });
      console.log(
        `  incremental check (${inc.mode}): ${inc.seconds.toFixed(1)} s for ${inc.changes?.added ?? 0} new documents on ${g.indicators.toLocaleString()} indicators — ` +
          `${inc.changes?.scope ?? 0} documents re-checked by every rule, ${inc.changes?.cloneScope ?? 0} by the clone rules, ${inc.changes?.findingsChanged ?? 0} with changed findings, ${inc.changes?.keys ?? 0} department-years re-scored, ${inc.clones?.indexed ?? 0} projects indexed, ${inc.clones?.relabelled ?? 0} re-labelled; ` +
          `full check ${res.seconds.toFixed(1)} s (${(res.seconds / inc.seconds).toFixed(1)}× the incremental)`,
      );
      const slowInc = [...inc.results].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
      console.log(`  slowest rules (incremental): ${slowInc.map((r) => `${r.rule_id} ${r.seconds.toFixed(1)} s`).join(', ')}`);
    } finally {
      wh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
