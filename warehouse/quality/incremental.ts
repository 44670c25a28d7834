/**
 * Incremental checks: what changed since the last complete check, and what depends on it.
 *
 * A check remembers the document versions it saw (checked_documents: doc_id, ingested_at). The next
 * incremental run re-checks
 *  - documents that are new, re-ingested (ingested_at moved) or removed;
 *  - documents whose department or year changed when departments were re-resolved, and every
 *    document of a department touched by either (year-over-year and department-level rules);
 *  - for the rules reading the clone clusters only: documents with a project in a clone cluster
 *    that changed (the clone index is updated for the changed documents only: clones.ts).
 * The re-checked findings replace a document's current ones only where they differ; scores are
 * recomputed for the department-years whose documents or findings changed and copied from the
 * previous run for the others. The result equals a full
 * check (tests/quality-incremental.test.ts checks that row for row).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { rows } from '../db.ts';
import { CLONE_DEFAULTS, CLONE_INDEX_VERSION, type CloneOptions } from './clones.ts';
import type { Rule } from './rules.ts';
import type { ScorecardConfig } from './scoring.ts';

/** Hash of everything besides the data that decides the results: rules, clone options and index version, weights. */
export function stateHash(rules: Rule[], clones: CloneOptions | undefined, scorecard: ScorecardConfig): string {
  const catalog = rules.map((r) => [r.id, r.category, r.severity, r.criterion, r.entity, r.sql.trim(), r.scope ?? null]);
  return createHash('sha1')
    .update(JSON.stringify({ catalog, clones: { ...CLONE_DEFAULTS, ...clones, index: CLONE_INDEX_VERSION }, scorecard }))
    .digest('hex')
    .slice(0, 16);
}

export interface PreviousRun {
  run_id: string;
  mode: string | null;
  state_hash: string | null;
  finished: boolean;
  n_errors: number | null;
}

/** The latest check run (finished or not). */
export async function previousRun(conn: DuckDBConnection): Promise<PreviousRun | null> {
  const r = await rows<PreviousRun>(
    conn,
    `SELECT run_id, mode, state_hash, finished_at IS NOT NULL AS finished, n_errors FROM check_runs ORDER BY started_at DESC, run_id DESC LIMIT 1`,
  );
  return r[0] ?? null;
}

/** Why an incremental run cannot build on the previous one (null: it can). */
export function fullReason(prev: PreviousRun | null, hash: string): string | null {
  if (!prev) return 'no previous check';
  if (!prev.finished) return `previous check ${prev.run_id} did not finish`;
  if (prev.mode !== 'full' && prev.mode !== 'incremental') return `previous check ${prev.run_id} was ${prev.mode ?? 'from an older version'}`;
  if (prev.n_errors) return `previous check ${prev.run_id} had ${prev.n_errors} rule error(s)`;
  if (prev.state_hash !== hash) return 'rules, clone options or scorecard weights changed since the previous check';
  return null;
}

/** chk_changed(doc_id, removed): documents new, re-ingested or removed since the last complete check. */
export async function findChangedDocuments(conn: DuckDBConnection): Promise<{ added: number; changed: number; removed: number }> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE chk_changed AS
    SELECT coalesce(d.doc_id, c.doc_id) AS doc_id, d.doc_id IS NULL AS removed, c.doc_id IS NULL AS added
    FROM documents d FULL OUTER JOIN checked_documents c ON c.doc_id = d.doc_id
    WHERE d.doc_id IS NULL OR c.doc_id IS NULL OR d.ingested_at IS DISTINCT FROM c.ingested_at`);
  const [r] = await rows<{ added: number; changed: number; removed: number }>(
    conn,
    `SELECT count(*) FILTER (WHERE added) AS added, count(*) FILTER (WHERE NOT added AND NOT removed) AS changed, count(*) FILTER (WHERE removed) AS removed FROM chk_changed`,
  );
  return r;
}

/** Keep document_departments as it was before departments are re-resolved (chk_dd_old). */
export async function snapshotDepartments(conn: DuckDBConnection) {
  await conn.run(`CREATE OR REPLACE TEMP TABLE chk_dd_old AS SELECT doc_id, dept_id, year FROM document_departments`);
}

/**
 * After departments are re-resolved: chk_deptdocs (documents whose department or year moved) and
 * chk_depts (departments, old or new, of those and of the changed documents).
 */
export async function touchedDepartments(conn: DuckDBConnection): Promise<{ deptDocs: number; depts: number }> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE chk_deptdocs AS
    SELECT coalesce(n.doc_id, o.doc_id) AS doc_id FROM document_departments n FULL OUTER JOIN chk_dd_old o ON o.doc_id = n.doc_id
    WHERE n.doc_id IS NULL OR o.doc_id IS NULL OR n.dept_id IS DISTINCT FROM o.dept_id OR n.year IS DISTINCT FROM o.year`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE chk_depts AS
    SELECT dept_id FROM document_departments WHERE doc_id IN (SELECT doc_id FROM chk_changed UNION SELECT doc_id FROM chk_deptdocs)
    UNION SELECT dept_id FROM chk_dd_old WHERE doc_id IN (SELECT doc_id FROM chk_changed UNION SELECT doc_id FROM chk_deptdocs)`);
  const [r] = await rows<{ deptDocs: number; depts: number }>(conn, `SELECT (SELECT count(*) FROM chk_deptdocs) AS deptDocs, (SELECT count(*) FROM chk_depts) AS depts`);
  return r;
}

/**
 * What an incremental run re-checks, after departments, clones and year-over-year are updated:
 *  - chk_scope(doc_id): existing documents all rules re-check — changed ones and every document of
 *    a touched department (year-over-year and department rules read the department's other years);
 *  - chk_cscope(doc_id): chk_scope plus the documents of clone clusters that changed
 *    (cl_changed_docs from detectClones): only the rules reading the clone tables (readsClones)
 *    re-check these, since nothing else about them changed.
 * chk_nf (same columns as current_findings) receives the re-checked findings; mergeFindings()
 * then replaces only what differs.
 */
export async function buildScope(conn: DuckDBConnection): Promise<{ scope: number; cloneScope: number }> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE chk_scope AS
    SELECT doc_id FROM documents WHERE doc_id IN (
      SELECT doc_id FROM chk_changed
      UNION SELECT doc_id FROM document_departments WHERE dept_id IN (SELECT dept_id FROM chk_depts))`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE chk_cscope AS
    SELECT doc_id FROM chk_scope UNION SELECT doc_id FROM documents WHERE doc_id IN (SELECT doc_id FROM cl_changed_docs)`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE chk_nf AS SELECT * FROM current_findings LIMIT 0`);
  const [r] = await rows<{ scope: number; cloneScope: number }>(
    conn,
    'SELECT (SELECT count(*) FROM chk_scope) AS scope, (SELECT count(*) FROM chk_cscope) AS cloneScope',
  );
  return r;
}

/**
 * Merge the re-checked findings (chk_nf) into current_findings, replacing a document's findings
 * only where they differ: the re-checked slice is every rule for chk_scope and the clone rules
 * (`cloneRules`) for chk_cscope. A document whose re-checked findings are the same row for row
 * (a cluster member whose finding does not change when another project joins its cluster) keeps
 * its rows and is not re-scored. Findings of removed documents go. chk_fdocs(doc_id) lists the
 * documents whose findings changed; returns their number.
 */
export async function mergeFindings(conn: DuckDBConnection, cloneRules: string[]): Promise<number> {
  const ids = cloneRules.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ') || "''";
  const cols = 'rule_id, category, severity, doc_id, project_seq, indicator_seq, message, evidence, page, table_no, row_no';
  await conn.run(`CREATE OR REPLACE TEMP TABLE chk_of AS
    SELECT * FROM current_findings f
    WHERE f.doc_id IN (SELECT doc_id FROM chk_scope) OR (f.rule_id IN (${ids}) AND f.doc_id IN (SELECT doc_id FROM chk_cscope))`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE chk_fdocs AS
    SELECT DISTINCT doc_id FROM (
      (SELECT ${cols} FROM chk_of EXCEPT ALL SELECT ${cols} FROM chk_nf)
      UNION ALL (SELECT ${cols} FROM chk_nf EXCEPT ALL SELECT ${cols} FROM chk_of))`);
  await conn.run(`DELETE FROM current_findings f
    WHERE f.doc_id IN (SELECT doc_id FROM chk_changed WHERE removed)
       OR (f.doc_id IN (SELECT doc_id FROM chk_fdocs)
           AND (f.doc_id IN (SELECT doc_id FROM chk_scope) OR (f.rule_id IN (${ids}) AND f.doc_id IN (SELECT doc_id FROM chk_cscope))))`);
  await conn.run(`INSERT INTO current_findings SELECT * FROM chk_nf WHERE doc_id IN (SELECT doc_id FROM chk_fdocs)`);
  const [r] = await rows<{ n: number }>(conn, 'SELECT count(*) AS n FROM chk_fdocs');
  return r.n;
}

/**
 * chk_keys(dept_id, year): department-years to re-score — those (before and after) of the changed
 * and removed documents, of documents whose department or year moved, and of documents whose
 * findings changed. A department-year's score reads only its documents and their findings.
 */
export async function touchedKeys(conn: DuckDBConnection): Promise<number> {
  const docs = 'SELECT doc_id FROM chk_changed UNION SELECT doc_id FROM chk_deptdocs UNION SELECT doc_id FROM chk_fdocs';
  await conn.run(`CREATE OR REPLACE TEMP TABLE chk_keys AS
    SELECT dept_id, year FROM document_departments WHERE doc_id IN (${docs})
    UNION SELECT dept_id, year FROM chk_dd_old WHERE doc_id IN (${docs})`);
  const [r] = await rows<{ n: number }>(conn, 'SELECT count(*) AS n FROM chk_keys');
  return r.n;
}

/** Scores and deductions of the department-years not touched, carried over from the previous run. */
export async function copyUntouchedScores(conn: DuckDBConnection, prevRunId: string, runId: string) {
  for (const t of ['scores', 'score_deductions', 'score_evidence'])
    await conn.run(
      `INSERT INTO ${t} SELECT * REPLACE ($2 AS run_id) FROM ${t} s
       WHERE s.run_id = $1 AND NOT EXISTS (SELECT 1 FROM chk_keys k WHERE k.dept_id = s.dept_id AND k.year IS NOT DISTINCT FROM s.year)`,
      [prevRunId, runId],
    );
}

/** Record the document versions now checked (all of them after a full run). */
export async function recordChecked(conn: DuckDBConnection, runId: string, full: boolean) {
  if (full) {
    await conn.run('DELETE FROM checked_documents');
    await conn.run('INSERT INTO checked_documents SELECT doc_id, ingested_at, $1 FROM documents', [runId]);
  } else {
    await conn.run('DELETE FROM checked_documents WHERE doc_id IN (SELECT doc_id FROM chk_changed)');
    await conn.run('INSERT INTO checked_documents SELECT doc_id, ingested_at, $1 FROM documents WHERE doc_id IN (SELECT doc_id FROM chk_changed)', [runId]);
  }
}

export async function dropTemps(conn: DuckDBConnection) {
  for (const t of ['chk_changed', 'chk_dd_old', 'chk_deptdocs', 'chk_depts', 'chk_scope', 'chk_cscope', 'chk_nf', 'chk_of', 'chk_fdocs', 'chk_keys', 'cl_changed_docs']) await conn.run(`DROP TABLE IF EXISTS ${t}`);
}
