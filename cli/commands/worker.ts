import type { Command } from 'commander';
import { makeLogger } from '../../crawlers/log.ts';
import { parseJobs } from '../../pipeline/pool.ts';
import { startWorker } from '../../pipeline/queue/worker.ts';
import { startLoader } from '../../pipeline/queue/loader.ts';
import { DEFAULT_DB } from '../../warehouse/db.ts';

/** Run until SIGTERM / SIGINT, then let the current jobs finish (BullMQ close) and exit. */
function untilSignal(close: () => Promise<void>) {
  let closing = false;
  const stop = (sig: string) => {
    if (closing) return;
    closing = true;
    console.log(`jixiao: ${sig}, finishing the current jobs`);
    void close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export function register(program: Command) {
  program
    .command('worker')
    .description('take crawl and extract jobs from the Redis queue (any number of workers, on any machine reaching Redis and the raw store)')
    .requiredOption('--queue <url>', 'Redis URL, e.g. redis://10.0.0.1:6379')
    .option('-j, --jobs <n>', 'documents extracted at once in worker threads (default: the cores, or JIXIAO_JOBS)')
    .option('--only <queue>', 'take only crawl or only extract jobs')
    .option('-q, --quiet', 'no logs')
    .addHelpText('after', '\nExample:\n  jixiao worker --queue redis://10.0.0.1:6379 --jobs 8')
    .action(async (opts: { queue: string; jobs?: string; only?: string; quiet?: boolean }) => {
      if (opts.only && opts.only !== 'crawl' && opts.only !== 'extract') throw new Error(`--only takes crawl or extract, not ${opts.only}`);
      const { logger } = makeLogger({ quiet: opts.quiet });
      const jobs = parseJobs(opts.jobs);
      const w = await startWorker({ queue: opts.queue, jobs, only: opts.only as 'crawl' | 'extract' | undefined, logger, print: (l) => console.log(l) });
      console.log(`worker ${process.pid}: ${opts.only ?? 'crawl + extract'} jobs from ${opts.queue}, ${jobs} document(s) at once`);
      untilSignal(w.close);
    });
  program
    .command('loader')
    .description('the one process that writes the warehouse from the Redis queue: fetch records, documents, then checks and the snapshot when a run is complete')
    .requiredOption('--queue <url>', 'Redis URL, e.g. redis://10.0.0.1:6379')
    .option('--db <file>', 'DuckDB warehouse file', DEFAULT_DB)
    .option('-q, --quiet', 'no logs')
    .addHelpText('after', '\nExample:\n  jixiao loader --queue redis://10.0.0.1:6379 --db /srv/jixiao/jixiao.duckdb')
    .action(async (opts: { queue: string; db: string; quiet?: boolean }) => {
      const { logger } = makeLogger({ quiet: opts.quiet });
      const l = await startLoader({ queue: opts.queue, db: opts.db, logger, print: (x) => console.log(x) });
      console.log(`loader ${process.pid}: loading ${opts.db} from ${opts.queue}`);
      untilSignal(l.close);
    });
}
