import type { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DB } from '../../warehouse/db.ts';
import { runIngest } from './ingest.ts';
import { exitSoon, runCommand } from './run.ts';
import { DEFAULT_STORE } from './crawl.ts';
import { writeRunResults } from '../results.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function register(program: Command) {
  program
    .command('start')
    .description('the main job on the built-in default: load the bundled seed samples, then the whole nightly job (crawl → extract → load → checks → snapshot) against the local portal on localhost, then scorecards and notebooks from its snapshot (out/)')
    .option('--db <file>', 'DuckDB warehouse file', DEFAULT_DB)
    .option('--store <dir>', 'raw store directory', DEFAULT_STORE)
    .option('--no-seeds', 'skip the bundled seed text dumps')
    .option('--out <dir>', 'where the scorecards (<dir>/scorecards) and notebooks (<dir>/notebooks) go', 'out')
    .option('-j, --jobs <n>', 'documents extracted at once in worker threads (default: the cores, or JIXIAO_JOBS)')
    .addHelpText('after', '\nExample:\n  jixiao start --db data/jixiao.duckdb --out out')
    .action(async (opts) => {
      if (opts.seeds !== false) {
        console.log('== bundled seed samples ==');
        // The text dumps at the top of samples/ (samples/portal/ is what the portal serves).
        const seeds = readdirSync(join(ROOT, 'samples'))
          .filter((f) => f.endsWith('.txt'))
          .map((f) => join(ROOT, 'samples', f));
        await runIngest(seeds, { db: opts.db, quiet: true, jobs: opts.jobs });
      }
      console.log('\n== nightly job against the local portal ==');
      const s = await runCommand({ portal: true, db: opts.db, store: opts.store, jobs: opts.jobs });
      if (s.status !== 'ok') process.exitCode = 1;
      if (s.snapshot?.path) {
        console.log('\n== scorecards and notebooks from this run ==');
        try {
          const r = await writeRunResults({ db: opts.db, out: opts.out });
          console.log(`\n${r.lines.join('\n')}`);
        } catch (e) {
          console.error(`scorecards/notebooks not written: ${(e as Error).message}`);
          process.exitCode = 1;
        }
      } else console.log(`\nno snapshot published (${s.snapshot?.error ?? s.snapshot?.skipped ?? 'run failed'}): no scorecards or notebooks written`);
      exitSoon();
    });
}
