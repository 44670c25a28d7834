import type { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'bench');

/** Each tests/bench/<name>.bench.ts exports `run(): Promise<void>` that prints its figures. */
export function register(program: Command) {
  program
    .command('bench')
    .description('run the benchmarks in tests/bench and print their figures')
    .argument('[names...]', 'only these benchmarks (file names without .bench.ts)')
    .addHelpText('after', '\nExample:\n  jixiao bench ingest')
    .action(async (names: string[]) => {
      const files = readdirSync(BENCH_DIR).filter((f) => f.endsWith('.bench.ts')).sort();
      for (const f of files) {
        const name = f.replace(/\.bench\.ts$/, '');
        if (names.length && !names.includes(name)) continue;
        console.log(`\n== bench: ${name} ==`);
        const mod = (await import(pathToFileURL(join(BENCH_DIR, f)).href)) as { run: () => Promise<void> };
        await mod.run();
      }
    });
}
