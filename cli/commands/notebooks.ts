import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { rows } from '../../warehouse/db.ts';
import { openForReading } from '../../warehouse/snapshot.ts';
import type { NotebookReport } from '../../notebooks/render.ts';

export async function runNotebooks(names: string[], opts: { db?: string; out: string; strict?: boolean }): Promise<NotebookReport[]> {
  // vega, vega-lite and markdown-it load only when notebooks are rendered, not on every jixiao start-up
  const { listNotebooks, renderAll } = await import('../../notebooks/render.ts');
  const all = listNotebooks();
  const files = names.length
    ? names.map((n) => {
        const f = all.find((p) => p.endsWith(`/${n}.md`) || p.endsWith(`/${n}`)) ?? (existsSync(n) ? n : null);
        if (!f) throw new Error(`no notebook ${n} (have: ${all.map((p) => p.split('/').pop()).join(', ')})`);
        return f;
      })
    : all;
  const wh = await openForReading(opts.db);
  try {
    let note = `warehouse ${wh.path}`;
    if (wh.source === 'snapshot') {
      try {
        const [info] = await rows<{ name: string; published_at: string }>(wh.conn, 'SELECT name, published_at FROM snapshot_info');
        if (info) note = `snapshot ${info.name}, published ${info.published_at} UTC`;
      } catch {
        /* snapshot from before snapshot_info */
      }
    } else if (wh.source === 'working') note = `working database ${wh.path} (no snapshot published)`;
    const reports = await renderAll(wh.conn, files, { outDir: opts.out, sourceNote: note });
    let problems = 0;
    for (const r of reports) {
      const ok = r.cells.filter((c) => c.ok).length;
      console.log(`${r.notebook.padEnd(22)} ${ok}/${r.cells.length} cells → ${r.out}`);
      for (const c of r.cells.filter((c) => !c.ok)) {
        problems++;
        console.log(`    ${c.kind} ${c.name}: ${c.message ?? c.problem}`);
      }
    }
    console.log(`\n${reports.length} notebooks from ${note} → ${join(opts.out, 'index.html')}${problems ? `; ${problems} cells not rendered (listed above)` : ''}`);
    if (problems && opts.strict) process.exitCode = 1;
    return reports;
  } finally {
    wh.close();
  }
}

export function register(program: Command) {
  program
    .command('notebooks')
    .description(`render the analysts' notebooks (notebooks/*.md: SQL cells + vega-lite charts) to self-contained HTML with SVG charts`)
    .argument('[names...]', 'only these notebooks (file names without .md)')
    .option('--db <file>', 'DuckDB file or snapshot folder (default: the current published snapshot, else the working database)')
    .option('--out <dir>', 'output folder', 'out/notebooks')
    .option('--strict', 'exit with status 1 when any cell could not be rendered (missing table, SQL error, no data)')
    .addHelpText('after', '\nExample:\n  jixiao notebooks --out out/notebooks\n  jixiao notebooks placeholders clones --db data/jixiao.duckdb')
    .action(async (names: string[], opts) => {
      await runNotebooks(names, opts);
    });
}
