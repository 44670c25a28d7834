/**
 * Incremental checks equal a full recheck, row for row. One warehouse goes through a sequence of
 * nightly runs — real documents added, a document re-ingested, a re-published copy under another
 * department (its projects join 004's clone cluster), the original removed (the cluster shrinks),
 * a year of a renamed department removed (year-over-year and department links change), a third
 * copy joining the copy's cluster (only the clone rules re-check the cluster's other document) — and after
 * every incremental run a copy of it is checked with `--full` semantics (runChecks mode 'full');
 * every derived table, current_findings and the scores must be the same.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../pipeline/ingest.ts';
import { openWarehouse, rows, type Warehouse } from '../warehouse/db.ts';
import { removeDocument } from '../warehouse/load.ts';
import { runChecks, type CheckResult } from '../warehouse/quality/index.ts';
import { CORPUS } from './helpers/paths.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEEDS = path.join(ROOT, 'samples');
const dir = mkdtempSync(path.join(tmpdir(), 'jixiao-qinc-'));
const INC = path.join(dir, 'inc.duckdb');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Table → the columns compared (DOUBLEs rounded: sums may add up in another order). */
const COMPARED: Record<string, string> = {
  current_findings: '* EXCLUDE (run_id)',
  scores: '* EXCLUDE (run_id) REPLACE (round(score, 6) AS score, round(deduction, 6) AS deduction)',
  score_deductions: '* EXCLUDE (run_id) REPLACE (round(rate, 9) AS rate, round(deduction, 9) AS deduction)',
  departments: '*',
  document_departments: '*',
  clone_projects: '*',
  clone_signatures: '*',
  clone_buckets: '*',
  clone_edges: '* REPLACE (round(sim, 9) AS sim)',
  clone_members: '*',
  clone_clusters: '*',
  yoy_projects: '* REPLACE (round(budget_change_pct, 6) AS budget_change_pct, round(name_similarity, 9) AS name_similarity)',
  yoy_indicators: '*',
  checked_documents: '* EXCLUDE (run_id)',
};

let wh: Warehouse;
const runs: CheckResult[] = [];
const docOf = async (source: string) => (await rows<{ doc_id: string }>(wh.conn, 'SELECT doc_id FROM documents WHERE source = $1', [source]))[0].doc_id;

async function nightly(label: string) {
  const res = await runChecks(wh.conn, { runId: `inc-${label}`, mode: 'incremental' });
  runs.push(res);
  expect(res.errors).toEqual([]);
  // A copy of the warehouse, checked in full.
  wh.close();
  const full = path.join(dir, `full-${label}.duckdb`);
  copyFileSync(INC, full);
  if (existsSync(`${INC}.wal`)) copyFileSync(`${INC}.wal`, `${full}.wal`);
  const f = await openWarehouse(full);
  try {
    const fr = await runChecks(f.conn, { runId: `full-${label}`, mode: 'full' });
    expect(fr.mode).toBe('full');
    await f.conn.run(`ATTACH '${INC}' AS inc (READ_ONLY)`);
    const diffs: Record<string, [number, number, number]> = {};
    for (const [t, cols] of Object.entries(COMPARED)) {
      const run = t === 'scores' || t === 'score_deductions' ? (db: string, id: string) => `SELECT ${cols} FROM ${db}.${t} WHERE run_id = '${id}'` : (db: string) => `SELECT ${cols} FROM ${db}.${t}`;
      const a = run('main', `full-${label}`);
      const b = run('inc', `inc-${label}`);
      const [r] = await rows<{ n: number; only_full: number; only_inc: number }>(
        f.conn,
        `SELECT (${a.replace(`SELECT ${cols}`, 'SELECT count(*)')}) AS n, (SELECT count(*) FROM (${a} EXCEPT ALL ${b})) AS only_full, (SELECT count(*) FROM (${b} EXCEPT ALL ${a})) AS only_inc`,
      );
      diffs[t] = [r.n, r.only_full, r.only_inc];
    }
    await f.conn.run('DETACH inc');
    for (const [t, [n, onlyFull, onlyInc]] of Object.entries(diffs)) expect([t, onlyFull, onlyInc], `${label}: ${t} (${n} rows)`).toEqual([t, 0, 0]);
    return { res, diffs };
  } finally {
    f.close();
    wh = await openWarehouse(INC);
  }
}

describe('incremental quality checks', () => {
  it('a sequence of nightly runs (additions, re-ingest, re-published copy, removals) equals a full check after every run', async () => {
    wh = await openWarehouse(INC);
    const seed = (n: string) => path.join(SEEDS, n);
    // Night 1: three seeds (one department across a rename, 2020 and 2022) and a PDF.
    for (const f of ['000_f0d490b901e99830.txt', '001_5de93a2aee16ff21.txt', '003_cfa74effc3b5f03d.txt']) await ingestFile(wh.conn, seed(f));
    await ingestFile(wh.conn, path.join(CORPUS, 'pdf/015_长沙/教育局_2026年部门预算.pdf'));
    const n1 = await nightly('1');
    expect(n1.res.mode).toBe('full'); // nothing to build on yet
    expect(n1.res.reason).toBe('no previous check');
    expect(n1.diffs.current_findings[0]).toBeGreaterThan(100);

    // Night 2: seed 004 arrives (eight projects that are clones of each other).
    await ingestFile(wh.conn, seed('004_5951d4f30969a9c2.txt'));
    const n2 = await nightly('2');
    expect(n2.res.mode).toBe('incremental');
    expect(n2.res.changes).toMatchObject({ added: 1, changed: 0, removed: 0 });
    expect(n2.res.changes!.scope).toBe(1); // a new department with no year before it: only itself
    expect(n2.diffs.clone_members[0]).toBeGreaterThanOrEqual(8);

    // Night 3: seed 001 re-ingested (same bytes, new ingested_at); 004 re-published under another
    // department with three targets changed: its projects join 004's cluster (across departments).
    await ingestFile(wh.conn, seed('001_5de93a2aee16ff21.txt'));
    let v2 = readFileSync(seed('004_5951d4f30969a9c2.txt'), 'utf8').replaceAll('930006曹妃甸区市场监督管理局第六分局', '930007曹妃甸区市场监督管理局第七分局');
    for (let i = 0; i < 3; i++) v2 = v2.replace('≤100优', '≥95%');
    const v2File = path.join(dir, '004_v2.txt');
    writeFileSync(v2File, v2);
    await ingestFile(wh.conn, v2File);
    const n3 = await nightly('3');
    expect(n3.res.mode).toBe('incremental');
    expect(n3.res.changes).toMatchObject({ added: 1, changed: 1, removed: 0 });
    const [x] = await rows<{ n: number }>(wh.conn, `SELECT count(*) AS n FROM clone_clusters WHERE across_departments`);
    expect(x.n).toBeGreaterThan(0);

    // Night 4: the original 004 is withdrawn (its cluster loses half its members).
    await removeDocument(wh.conn, await docOf(seed('004_5951d4f30969a9c2.txt')));
    const n4 = await nightly('4');
    expect(n4.res.changes).toMatchObject({ added: 0, changed: 0, removed: 1 });
    const [y] = await rows<{ n: number }>(wh.conn, `SELECT count(*) AS n FROM clone_clusters WHERE across_departments`);
    expect(y.n).toBe(0);

    // Night 5: the 2020 document of the renamed department is withdrawn: 2022 loses its year before.
    const before = await rows<{ n: number }>(wh.conn, `SELECT count(*) AS n FROM yoy_projects`);
    await removeDocument(wh.conn, await docOf(seed('000_f0d490b901e99830.txt')));
    const n5 = await nightly('5');
    expect(n5.res.mode).toBe('incremental');
    expect(n5.diffs.yoy_projects[0]).toBeLessThan(before[0].n);
    // Only the department touched was re-checked, not the PDF's or the copy's.
    expect(n5.res.changes!.scope).toBeLessThan(4);

    // Night 6: a third copy under yet another department joins the copy's cluster. Every rule
    // re-checks the new document only; the clone rules also re-check the cluster's other document
    // (its projects now have a clone in another department), and only documents whose findings
    // changed are re-scored.
    const v3File = path.join(dir, '004_v3.txt');
    writeFileSync(v3File, v2.replaceAll('930007曹妃甸区市场监督管理局第七分局', '930008曹妃甸区市场监督管理局第八分局'));
    await ingestFile(wh.conn, v3File);
    const v2Doc = await docOf(v2File);
    const [old] = await rows<{ n: number }>(wh.conn, `SELECT count(*) AS n FROM current_findings WHERE doc_id = $1 AND rule_id NOT LIKE 'clone-set-%'`, [v2Doc]);
    const n6 = await nightly('6');
    expect(n6.res.mode).toBe('incremental');
    expect(n6.res.changes).toMatchObject({ added: 1, changed: 0, removed: 0, scope: 1, cloneScope: 2, findingsChanged: 2 });
    const [z] = await rows<{ n: number; kept: number }>(
      wh.conn,
      `SELECT count(*) FILTER (WHERE rule_id = 'clone-set-across-departments') AS n, count(*) FILTER (WHERE rule_id NOT LIKE 'clone-set-%' AND run_id <> 'inc-6') AS kept
       FROM current_findings WHERE doc_id = $1`,
      [v2Doc],
    );
    expect(z.n).toBeGreaterThan(0); // the copy's projects now have clones across departments
    expect(z.kept).toBe(old.n); // its other findings were not re-written
    wh.close();
  }, 900_000);

  it('a changed rule catalog or an unfinished previous run makes the next run full', async () => {
    wh = await openWarehouse(INC);
    await wh.conn.run(`UPDATE check_runs SET state_hash = 'other' WHERE run_id = (SELECT run_id FROM check_runs ORDER BY started_at DESC LIMIT 1)`);
    const r = await runChecks(wh.conn, { runId: 'after-change', mode: 'incremental' });
    expect(r.mode).toBe('full');
    expect(r.reason).toMatch(/rules, clone options or scorecard weights changed/);
    await wh.conn.run(`UPDATE check_runs SET finished_at = NULL WHERE run_id = 'after-change'`);
    const r2 = await runChecks(wh.conn, { runId: 'after-crash', mode: 'incremental' });
    expect(r2.reason).toMatch(/did not finish/);
    const r3 = await runChecks(wh.conn, { runId: 'quiet-night', mode: 'incremental' });
    expect(r3.mode).toBe('incremental');
    expect(r3.changes).toMatchObject({ added: 0, changed: 0, removed: 0, scope: 0 });
    // Nothing re-checked, yet the warehouse keeps all its findings and every department-year its score.
    expect(r3.currentFindings).toBe(r2.currentFindings);
    const [s] = await rows<{ a: number; b: number }>(
      wh.conn,
      `SELECT (SELECT count(*) FROM scores WHERE run_id = 'quiet-night') AS a, (SELECT count(*) FROM scores WHERE run_id = 'after-crash') AS b`,
    );
    expect(s.a).toBe(s.b);
    expect(s.a).toBeGreaterThan(0);
    wh.close();
  }, 300_000);
});
