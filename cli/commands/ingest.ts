import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { DEFAULT_DB, openWarehouse } from '../../warehouse/db.ts';
import { ingestFiles, isIngested, listInputFiles, type IngestResult } from '../../pipeline/ingest.ts';
import { formatIssues, formatTotals, issueTotals } from '../../pipeline/issues-report.ts';
import { parseJobs } from '../../pipeline/pool.ts';

export function formatResult(r: IngestResult): string {
  const name = r.source.split('/').slice(-2).join('/');
  const kinds = Object.entries(r.tablesByKind).map(([k, n]) => `${k}=${n}`).join(' ');
  const head = `${r.status.padEnd(14)} ${name}`;
  if (r.error) return `${head}\n    ${r.error}`;
  const w = r.warnings.length ? `, ${r.warnings.length} warnings` : '';
  return `${head}\n    ${r.format}${r.pages ? `, ${r.pages} pages` : ''}, tables ${r.tables}${kinds ? ` (${kinds})` : ''}, projects ${r.projects}, indicators ${r.indicators}, budget lines ${r.budget_lines}${w}, ${r.seconds.toFixed(2)} s`;
}

export async function runIngest(paths: string[], opts: { db: string; report?: string; quiet?: boolean; timeout?: string; jobs?: string }) {
  const files = listInputFiles(paths);
  if (!files.length) throw new Error(`no files under ${paths.join(', ')}`);
  const wh = await openWarehouse(opts.db);
  let results: IngestResult[] = [];
  try {
    results = await ingestFiles(wh.conn, files, {
      jobs: parseJobs(opts.jobs),
      timeoutMs: opts.timeout ? Number(opts.timeout) * 1000 : undefined,
      onResult: (r) => {
        if (!opts.quiet) console.log(formatResult(r));
      },
    });
  } finally {
    wh.close();
  }
  const ok = results.filter(isIngested).length;
  const sum = (k: 'projects' | 'indicators' | 'budget_lines') => results.reduce((a, r) => a + r[k], 0);
  console.log(
    `\n${results.length} documents: ${ok} ingested, ${results.length - ok} failed; ${sum('projects')} projects, ${sum('indicators')} indicators, ${sum('budget_lines')} budget lines → ${opts.db}`,
  );
  if (opts.report) {
    // What was not understood, per document: the next layout to teach the header dictionaries.
    const lines = results.flatMap((r) => formatIssues(r.source.split('/').slice(-2).join('/'), r.issues));
    console.log(`\n${formatTotals(issueTotals(results.map((r) => r.issues)))}`);
    if (lines.length) console.log(lines.join('\n'));
    writeFileSync(opts.report, JSON.stringify(results, null, 2));
    console.log(`report written to ${opts.report}`);
  }
  if (ok === 0) process.exitCode = 1;
  return results;
}

export function register(program: Command) {
  program
    .command('ingest')
    .description('extract, transform and load documents (files or folders) into the warehouse')
    .argument('<paths...>', 'files or folders of PDF, DOC(X), XLS(X), HTML or text dumps')
    .option('--db <file>', 'DuckDB warehouse file', DEFAULT_DB)
    .option('--report <file>', 'write a JSON report per file (pages, tables by kind, projects, indicators, warnings, what was not understood, seconds) and print what was not understood: tables of kind other with indicator-like content, rows dropped and why, fields left empty')
    .option('--timeout <seconds>', 'time budget per document')
    .option('-j, --jobs <n>', 'documents extracted at once in worker threads (default: the cores, or JIXIAO_JOBS)')
    .option('-q, --quiet', 'only print the totals')
    .addHelpText('after', '\nExample:\n  jixiao ingest samples/ --db data/jixiao.duckdb --report out/ingest.json')
    .action(async (paths: string[], opts) => {
      await runIngest(paths, opts);
    });
}
