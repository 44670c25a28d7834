import type { Command } from 'commander';
import { DEFAULT_DB, openWarehouse } from '../../warehouse/db.ts';
import { runChecks } from '../../warehouse/quality/index.ts';
import { latestRun } from '../../warehouse/scorecard/data.ts';
import { buildScorecards } from '../../warehouse/scorecard/index.ts';

export async function runScorecard(opts: { db: string; out: string; dept?: string; region?: string; year?: string; pdf: boolean; check?: boolean }) {
  const wh = await openWarehouse(opts.db);
  try {
    if (opts.check || !(await latestRun(wh.conn))) {
      const r = await runChecks(wh.conn);
      console.error(`check run ${r.runId}: ${r.findings} findings`);
    }
    const res = await buildScorecards(wh.conn, {
      out: opts.out,
      dept: opts.dept,
      region: opts.region,
      year: opts.year ? Number(opts.year) : undefined,
      pdf: opts.pdf,
    });
    const ranked = res.cards.filter((c) => c.total != null).sort((a, b) => b.total! - a.total!);
    for (const c of ranked) console.log(`${c.total!.toFixed(1).padStart(5)} ${c.grade}  ${c.department} ${c.year ?? ''}  → ${c.file}.html`);
    for (const c of res.cards.filter((x) => x.total == null)) console.log(`    — ${c.grade}  ${c.department} ${c.year ?? ''}：${c.reason}  → ${c.file}.html`);
    console.log(`\n${res.cards.length} scorecards (${res.files.length} files) from run ${res.runId} → ${res.out}/index.html`);
    if (!res.cards.length) process.exitCode = 1;
  } finally {
    wh.close();
  }
}

export function register(program: Command) {
  program
    .command('scorecard')
    .description('write quality scorecards per department-year (HTML in Chinese with SVG charts, JSON, Markdown, PDF) and an index ranking them')
    .requiredOption('--out <dir>', 'output folder')
    .option('--db <file>', 'DuckDB warehouse file', DEFAULT_DB)
    .option('--dept <id|name>', 'only departments whose id is this or whose names contain it')
    .option('--region <name>', 'only departments whose region contains this')
    .option('--year <year>', 'only this fiscal year')
    .option('--no-pdf', 'skip printing PDFs with Chromium')
    .option('--check', 'run `jixiao check` first (done automatically when the warehouse has no check run)')
    .addHelpText('after', '\nExample:\n  jixiao scorecard --db data/jixiao.duckdb --region 承德 --out out/scorecards')
    .action((opts) => runScorecard(opts));
}
