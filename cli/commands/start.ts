import type { Command } from 'commander';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DB } from '../../warehouse/db.ts';
import { runIngest } from './ingest.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function register(program: Command) {
  program
    .command('start')
    .description('the main job on the built-in default: ingest the bundled samples into the warehouse and summarize')
    .option('--db <file>', 'DuckDB warehouse file', DEFAULT_DB)
    .addHelpText('after', '\nExample:\n  jixiao start --db data/jixiao.duckdb')
    .action(async (opts) => {
      await runIngest([join(ROOT, 'samples')], { db: opts.db });
    });
}
