import { openWarehouse, rows } from './warehouse/db.ts';
import { ingestFile } from './pipeline/ingest.ts';
import { runChecks } from './warehouse/quality/index.ts';
const wh = await openWarehouse('/tmp/probe13a.duckdb');
for (const f of ['samples/000_f0d490b901e99830.txt','samples/001_5de93a2aee16ff21.txt','samples/003_cfa74effc3b5f03d.txt','samples/004_5951d4f30969a9c2.txt',
  'tests/corpus/pdf/005_广州/政务服务和数据管理局_广州市政务服务和数据局2026年部门整体预算绩效目标申报表.pdf.pdf','tests/corpus/pdf/015_长沙/教育局_2026年部门预算.pdf','tests/corpus/pdf/025_烟台/2026年烟台市统计局部门预算.pdf']) {
  const t0 = performance.now(); await ingestFile(wh.conn, f); console.log(f, ((performance.now()-t0)/1000).toFixed(1));
}
const r = await runChecks(wh.conn, { mode: 'incremental', onStep: (s, t) => console.log(s, t.toFixed(2)) });
console.log(r.mode, r.reason, r.findings, r.currentFindings);
console.log(await rows(wh.conn, `SELECT d.doc_id[1:8] id, d.department, d.year, d.n_projects, d.n_indicators, dd.dept_id FROM documents d JOIN document_departments dd USING (doc_id) ORDER BY 1`));
console.log(await rows(wh.conn, `SELECT count(*) n, count(DISTINCT cluster_id) c FROM clone_members`));
console.log(await rows(wh.conn, `SELECT count(*) FROM yoy_projects`));
const r2 = await runChecks(wh.conn, { mode: 'incremental', onStep: (s, t) => console.log(s, t.toFixed(2)) });
console.log(r2.mode, r2.reason, r2.findings, r2.currentFindings, r2.changes);
wh.close();
