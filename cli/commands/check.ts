import type { Command } from 'commander';
import { DEFAULT_DB, openWarehouse, rows } from '../../warehouse/db.ts';
import { runChecks } from '../../warehouse/quality/index.ts';
import { formatTable } from './sql.ts';

export async function runCheck(opts: { db: string; rule?: string[]; runId?: string; json?: boolean; quiet?: boolean; full?: boolean }) {
  const wh = await openWarehouse(opts.db);
  try {
    const res = await runChecks(wh.conn, {
      runId: opts.runId,
      rules: opts.rule,
      mode: opts.full ? 'full' : 'incremental',
      onStep: opts.quiet || opts.json ? undefined : (step, s) => console.error(`  ${step.padEnd(12)} ${s.toFixed(2)} s`),
    });
    if (opts.json) {
      console.log(
        JSON.stringify(
          { runId: res.runId, mode: res.mode, reason: res.reason, findings: res.findings, currentFindings: res.currentFindings, byRule: res.byRule, errors: res.errors, clones: res.clones, changes: res.changes, seconds: res.seconds },
          null,
          2,
        ),
      );
    } else {
      const summary = await rows<Record<string, unknown>>(
        wh.conn,
        `SELECT r.rule_id, r.category, r.severity, rr.status, rr.findings, round(rr.seconds, 3) AS seconds
         FROM rule_results rr JOIN rules r USING (rule_id) WHERE rr.run_id = $1 ORDER BY rr.findings DESC, r.rule_id`,
        [res.runId],
      );
      if (!opts.quiet) console.log(formatTable(Object.keys(summary[0] ?? {}), summary.map((r) => Object.values(r))));
      for (const e of res.errors) console.error(`rule ${e.rule_id} failed: ${e.error}`);
      if (res.reason) console.error(`full check: ${res.reason}`);
      if (res.changes)
        console.log(
          `\nincremental: ${res.changes.added} new, ${res.changes.changed} re-ingested, ${res.changes.removed} removed documents → ${res.changes.scope} documents re-checked by every rule, ${res.changes.cloneScope} by the clone rules, ${res.changes.findingsChanged} with changed findings, ${res.changes.keys} department-years re-scored`,
        );
      console.log(
        `\nrun ${res.runId} (${res.mode}): ${res.findings} findings from ${res.results.length} rules (${res.results.filter((r) => r.status === 'fail').length} with hits, ${res.errors.length} errors), ` +
          `${res.clones?.clusters ?? 0} clone clusters, ${res.currentFindings} current findings, ${res.seconds.toFixed(2)} s → ${opts.db}`,
      );
    }
    if (res.errors.length) process.exitCode = 1;
  } finally {
    wh.close();
  }
}

export function register(program: Command) {
  program
    .command('check')
    .description(
      'run the indicator quality rules into current_findings (also updates departments, clone clusters, year-over-year tables and scores); incremental: only documents new, re-ingested or removed since the last check and what depends on them',
    )
    .option('--db <file>', 'DuckDB warehouse file', DEFAULT_DB)
    .option('--full', 're-check the whole warehouse (a rebuild) instead of only what changed')
    .option('--rule <id...>', 'only these rules (see `jixiao rules`)')
    .option('--run-id <id>', 'run id to record the findings under (default: timestamp + random)')
    .option('--json', 'print the result as JSON')
    .option('-q, --quiet', 'only print the totals')
    .addHelpText('after', `\nExample:\n  jixiao check --db data/jixiao.duckdb\n  jixiao sql "SELECT rule_id, count(*) FROM current_findings GROUP BY 1 ORDER BY 2 DESC"\n  jixiao check --full --db data/jixiao.duckdb   # rebuild everything`)
    .action((opts) => runCheck(opts));
}
