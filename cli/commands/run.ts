import type { Command } from 'commander';
import { DEFAULT_DB } from '../../warehouse/db.ts';
import { formatRunSummary, runNightly, type RunSummary } from '../../pipeline/nightly.ts';
import { makeLogger } from '../../crawlers/log.ts';
import { DEFAULT_PORTAL_PORTS, startPortal } from '../../crawlers/portal/server.ts';
import { sourcesFromArgs } from '../../crawlers/sources.ts';
import { DEFAULT_STORE } from './crawl.ts';
import { parseJobs } from '../../pipeline/pool.ts';
import { enqueueRun } from '../../pipeline/queue/run.ts';

/**
 * A scheduled job must end: if a library left a handle open after the run finished (a worker,
 * a socket), exit anyway after a grace period rather than hold the run lock forever.
 */
export function exitSoon(graceMs = 10_000) {
  setTimeout(() => {
    console.error(`jixiao: exiting ${graceMs / 1000} s after the run ended (something left a handle open)`);
    process.exit(process.exitCode ?? 0);
  }, graceMs).unref();
}

export interface RunCliOptions {
  config?: string;
  source?: string[];
  portal?: boolean;
  db: string;
  store: string;
  lock?: string;
  checks?: boolean;
  snapshot?: boolean;
  timeout?: string;
  jobs?: string;
  queue?: string;
  json?: boolean;
  quiet?: boolean;
}

export async function runCommand(opts: RunCliOptions): Promise<RunSummary> {
  const portal = opts.portal ? await startPortal({ ports: DEFAULT_PORTAL_PORTS }) : null;
  try {
    const sources = sourcesFromArgs({ config: opts.config, source: opts.source }, portal?.sourcesYaml());
    const { logger, progress } = makeLogger({ quiet: opts.quiet });
    const summary = opts.queue
      ? await enqueueRun({
          queue: opts.queue,
          store: opts.store,
          sources,
          checks: opts.checks,
          snapshot: opts.snapshot,
          timeoutMs: opts.timeout ? Number(opts.timeout) * 1000 : undefined,
          print: opts.json ? undefined : (l) => console.log(l),
        })
      : await runNightly({
      db: opts.db,
      store: opts.store,
      sources,
      lockFile: opts.lock,
      logger,
      progress,
      checks: opts.checks,
      snapshot: opts.snapshot,
      timeoutMs: opts.timeout ? Number(opts.timeout) * 1000 : undefined,
      jobs: parseJobs(opts.jobs),
      print: opts.json ? undefined : (l) => console.log(l),
    });
    console.log(opts.json ? JSON.stringify(summary, null, 2) : formatRunSummary(summary));
    return summary;
  } finally {
    await portal?.stop();
  }
}

export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'sources config (YAML), see config/sources.example.yaml')
    .option('-s, --source <names...>', 'only these sources from the config')
    .option('--portal', 'crawl the built-in local portal (started in-process on loopback)')
    .option('--db <file>', 'DuckDB warehouse file', DEFAULT_DB)
    .option('--store <dir>', 'raw store directory', DEFAULT_STORE)
    .option('--lock <file>', 'lock file (default: <db>.run.lock)')
    .option('--no-checks', 'skip the quality checks')
    .option('--no-snapshot', 'do not publish a read-only snapshot')
    .option('--timeout <seconds>', 'time budget per document for extraction')
    .option('-j, --jobs <n>', 'documents extracted at once in worker threads (default: the cores, or JIXIAO_JOBS)')
    .option('--queue <url>', 'enqueue the run on Redis for `jixiao worker` / `jixiao loader` processes and report its progress (--db, --lock and --jobs are then theirs)')
    .option('--json', 'print the summary as JSON')
    .option('-q, --quiet', 'no progress or logs, only the summary');
}

export function register(program: Command) {
  addRunOptions(
    program
      .command('run')
      .description('the nightly job: crawl → extract → load → quality checks → snapshot, under a lock, recorded in crawl_runs / fetches'),
  )
    .addHelpText('after', '\nExample:\n  jixiao run --config config/sources.yaml --db data/jixiao.duckdb --store data/raw\n  jixiao run --portal --db /tmp/j.duckdb --store /tmp/raw\n  jixiao run --config config/sources.yaml --store /mnt/jixiao/raw --queue redis://10.0.0.1:6379')
    .action(async (opts: RunCliOptions) => {
      const s = await runCommand(opts);
      if (s.status !== 'ok') process.exitCode = 1;
      exitSoon();
    });
}
