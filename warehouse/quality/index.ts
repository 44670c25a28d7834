/**
 * Indicator quality checks: department identity → clone clusters → year-over-year tables → rules
 * → findings → scores. `runChecks()` is what `jixiao check` and the nightly job call.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { detectClones, type CloneOptions, type CloneStats } from './clones.ts';
import { resolveDepartments, type DepartmentOptions } from './departments.ts';
import { loadRules, runRules, storeRules, type Rule, type RuleResult } from './rules.ts';
import { computeScores } from './scoring.ts';
import { buildYoy } from './yoy.ts';

export { loadRules, type Rule } from './rules.ts';

export interface CheckOptions {
  runId?: string;
  /** Only these rules (ids); default all. */
  rules?: string[];
  clones?: CloneOptions;
  departments?: DepartmentOptions;
  /** Called after each step with its name and seconds (for the CLI and the bench). */
  onStep?: (step: string, seconds: number, detail?: unknown) => void;
}

export interface CheckResult {
  runId: string;
  findings: number;
  byRule: Record<string, number>;
  errors: RuleResult[];
  results: RuleResult[];
  clones?: CloneStats;
  seconds: number;
}

/** Build the derived tables (departments, clones, year-over-year) the rules read. */
export async function buildDerived(conn: DuckDBConnection, opts: CheckOptions = {}) {
  const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    opts.onStep?.(name, (performance.now() - t0) / 1000, r);
    return r;
  };
  const departments = await step('departments', () => resolveDepartments(conn, opts.departments));
  const clones = await step('clones', () => detectClones(conn, opts.clones));
  const yoy = await step('yoy', () => buildYoy(conn));
  return { departments, clones, yoy };
}

export async function runChecks(conn: DuckDBConnection, opts: CheckOptions = {}): Promise<CheckResult> {
  const t0 = performance.now();
  const runId = opts.runId ?? `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 8)}`;
  let rules: Rule[] = loadRules();
  await storeRules(conn, rules);
  if (opts.rules?.length) {
    const unknown = opts.rules.filter((id) => !rules.some((r) => r.id === id));
    if (unknown.length) throw new Error(`unknown rule(s): ${unknown.join(', ')}`);
    rules = rules.filter((r) => opts.rules!.includes(r.id));
  }
  await conn.run('DELETE FROM check_runs WHERE run_id = $1', [runId]);
  await conn.run('INSERT INTO check_runs (run_id, n_rules) VALUES ($1, $2)', [runId, rules.length]);
  const derived = await buildDerived(conn, opts);
  const tr = performance.now();
  const results = await runRules(conn, rules, runId);
  opts.onStep?.('rules', (performance.now() - tr) / 1000, results);
  const ts = performance.now();
  await computeScores(conn, runId);
  opts.onStep?.('scores', (performance.now() - ts) / 1000);
  const byRule: Record<string, number> = {};
  for (const r of results) byRule[r.rule_id] = r.findings;
  const findings = results.reduce((a, r) => a + r.findings, 0);
  const errors = results.filter((r) => r.status === 'error');
  const seconds = (performance.now() - t0) / 1000;
  await conn.run('UPDATE check_runs SET finished_at = current_timestamp, n_findings = $2, n_errors = $3, seconds = $4 WHERE run_id = $1', [
    runId,
    findings,
    errors.length,
    seconds,
  ]);
  return { runId, findings, byRule, errors, results, clones: derived.clones, seconds };
}
