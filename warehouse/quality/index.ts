/**
 * Indicator quality checks: department identity → clone clusters → year-over-year tables → rules
 * → findings → scores. `runChecks()` is what `jixiao check` and the nightly job call.
 *
 * mode 'full' re-checks the whole warehouse; mode 'incremental' re-checks the documents that are
 * new, re-ingested or removed since the last check and what depends on them (incremental.ts), and
 * runs full when it cannot build on the previous run (first run, rule catalog changed, …).
 * Either way current_findings ends up holding the findings of the warehouse as it is now.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { rows } from '../db.ts';
import { detectClones, type CloneOptions, type CloneScope, type CloneStats } from './clones.ts';
import { resolveDepartments, type DepartmentOptions } from './departments.ts';
import {
  buildScope,
  copyUntouchedScores,
  dropTemps,
  findChangedDocuments,
  fullReason,
  mergeFindings,
  previousRun,
  recordChecked,
  snapshotDepartments,
  stateHash,
  touchedDepartments,
  touchedKeys,
} from './incremental.ts';
import { loadRules, readsClones, runRules, storeRules, type Rule, type RuleResult } from './rules.ts';
import { computeScores, loadScorecardConfig } from './scoring.ts';
import { buildYoy } from './yoy.ts';

export { loadRules, type Rule } from './rules.ts';

export interface CheckOptions {
  runId?: string;
  /** Only these rules (ids); default all. A run with a subset is 'partial' and is never incremental. */
  rules?: string[];
  /** 'full' (default) re-checks everything; 'incremental' only what changed since the last check. */
  mode?: 'full' | 'incremental';
  clones?: CloneOptions;
  departments?: DepartmentOptions;
  /** Called after each step with its name and seconds (for the CLI and the bench). */
  onStep?: (step: string, seconds: number, detail?: unknown) => void;
}

export interface CheckResult {
  runId: string;
  /** full | incremental | partial: what the run did. */
  mode: 'full' | 'incremental' | 'partial';
  /** Why a run asked to be incremental ran full. */
  reason?: string;
  /** Findings computed by this run (an incremental run: those of the re-checked documents, of which only the changed ones are written). */
  findings: number;
  /** Findings of the warehouse now (current_findings). */
  currentFindings: number;
  byRule: Record<string, number>;
  errors: RuleResult[];
  results: RuleResult[];
  clones?: CloneStats;
  /**
   * Incremental runs: documents added / re-ingested / removed; documents re-checked by every rule
   * (scope) and by the clone rules (cloneScope, includes scope); documents whose findings changed;
   * departments touched; department-years re-scored (keys).
   */
  changes?: { added: number; changed: number; removed: number; scope: number; cloneScope: number; findingsChanged: number; departments: number; keys: number };
  seconds: number;
}

/** Build the derived tables (departments, clones, year-over-year) the rules read, for the whole warehouse. */
export async function buildDerived(conn: DuckDBConnection, opts: CheckOptions = {}) {
  const step = stepper(opts);
  const departments = await step('departments', () => resolveDepartments(conn, opts.departments));
  const clones = await step('clones', () => detectClones(conn, opts.clones));
  const yoy = await step('yoy', () => buildYoy(conn));
  return { departments, clones, yoy };
}

function stepper(opts: CheckOptions) {
  return async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    opts.onStep?.(name, (performance.now() - t0) / 1000, r);
    return r;
  };
}

export async function runChecks(conn: DuckDBConnection, opts: CheckOptions = {}): Promise<CheckResult> {
  const t0 = performance.now();
  const runId = opts.runId ?? `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 8)}`;
  const step = stepper(opts);
  const catalog: Rule[] = loadRules();
  let rules = catalog;
  if (opts.rules?.length) {
    const unknown = opts.rules.filter((id) => !catalog.some((r) => r.id === id));
    if (unknown.length) throw new Error(`unknown rule(s): ${unknown.join(', ')}`);
    rules = catalog.filter((r) => opts.rules!.includes(r.id));
  }
  const cfg = loadScorecardConfig();
  const hash = stateHash(catalog, opts.clones, cfg);
  const prev = await previousRun(conn);
  let mode: CheckResult['mode'] = rules.length < catalog.length ? 'partial' : (opts.mode ?? 'full');
  let reason: string | undefined;
  if (mode === 'incremental') {
    const why = fullReason(prev, hash);
    if (why) [mode, reason] = ['full', why];
  }
  await storeRules(conn, catalog);
  await conn.run('DELETE FROM check_runs WHERE run_id = $1', [runId]);
  await conn.run('INSERT INTO check_runs (run_id, n_rules, mode, state_hash, reason) VALUES ($1, $2, $3, $4, $5)', [runId, rules.length, mode, hash, reason ?? null]);

  let results: RuleResult[];
  let clones: CloneStats;
  let changes: CheckResult['changes'];
  try {
    if (mode === 'incremental') {
      const ch = await step('changes', () => findChangedDocuments(conn));
      await snapshotDepartments(conn);
      await step('departments', () => resolveDepartments(conn, opts.departments));
      const td = await touchedDepartments(conn);
      const scope: CloneScope = { docs: 'chk_changed', deptDocs: 'chk_deptdocs' };
      clones = await step('clones', () => detectClones(conn, opts.clones, scope));
      await step('yoy', () => buildYoy(conn, { depts: 'chk_depts' }));
      const sc = await buildScope(conn);
      const tr = performance.now();
      results = await runRules(conn, rules, runId, { scope: 'chk_scope', cloneScope: 'chk_cscope', into: 'chk_nf' });
      const fdocs = await mergeFindings(conn, rules.filter(readsClones).map((r) => r.id));
      opts.onStep?.('rules', (performance.now() - tr) / 1000, results);
      const ts = performance.now();
      const keys = await touchedKeys(conn);
      await conn.run('DELETE FROM scores WHERE run_id = $1', [runId]);
      await computeScores(conn, runId, cfg, { deptYears: 'chk_keys', findings: 'current_findings' });
      await copyUntouchedScores(conn, prev!.run_id, runId);
      opts.onStep?.('scores', (performance.now() - ts) / 1000);
      changes = { ...ch, scope: sc.scope, cloneScope: sc.cloneScope, findingsChanged: fdocs, departments: td.depts, keys };
    } else {
      const derived = await buildDerived(conn, opts);
      clones = derived.clones;
      const tr = performance.now();
      results = await runRules(conn, rules, runId);
      opts.onStep?.('rules', (performance.now() - tr) / 1000, results);
      const ts = performance.now();
      await computeScores(conn, runId, cfg, { findings: 'current_findings' });
      opts.onStep?.('scores', (performance.now() - ts) / 1000);
    }
    // The run's own findings, kept per run_id in `findings`.
    await conn.run('DELETE FROM findings WHERE run_id = $1', [runId]);
    await conn.run('INSERT INTO findings SELECT * FROM current_findings WHERE run_id = $1', [runId]);
    if (mode !== 'partial') await recordChecked(conn, runId, mode === 'full');
  } finally {
    await dropTemps(conn);
  }
  const byRule: Record<string, number> = {};
  for (const r of results) byRule[r.rule_id] = r.findings;
  const findings = results.reduce((a, r) => a + r.findings, 0);
  const errors = results.filter((r) => r.status === 'error');
  const [{ n: currentFindings }] = await rows<{ n: number }>(conn, 'SELECT count(*) AS n FROM current_findings');
  const seconds = (performance.now() - t0) / 1000;
  await conn.run(
    'UPDATE check_runs SET finished_at = current_timestamp, n_findings = $2, n_errors = $3, seconds = $4, n_changed = $5, n_scope = $6 WHERE run_id = $1',
    [runId, findings, errors.length, seconds, changes ? changes.added + changes.changed + changes.removed : null, changes?.scope ?? null],
  );
  return { runId, mode, reason, findings, currentFindings: Number(currentFindings), byRule, errors, results, clones, changes, seconds };
}
