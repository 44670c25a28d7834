import type { Command } from 'commander';
import { Cron } from 'croner';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addRunOptions } from './run.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'jixiao.mjs');

/** Rebuild the `jixiao run` arguments from the parsed options. */
function runArgs(opts: Record<string, unknown>): string[] {
  const a: string[] = ['run'];
  if (opts.config) a.push('--config', String(opts.config));
  if (Array.isArray(opts.source) && opts.source.length) a.push('--source', ...(opts.source as string[]));
  if (opts.portal) a.push('--portal');
  a.push('--db', String(opts.db), '--store', String(opts.store));
  if (opts.lock) a.push('--lock', String(opts.lock));
  if (opts.checks === false) a.push('--no-checks');
  if (opts.snapshot === false) a.push('--no-snapshot');
  if (opts.timeout) a.push('--timeout', String(opts.timeout));
  if (opts.json) a.push('--json');
  if (opts.quiet) a.push('--quiet');
  return a;
}

export function register(program: Command) {
  addRunOptions(
    program
      .command('schedule')
      .description('run the nightly job on a cron schedule (croner), for machines without systemd; each run is a child process under the run lock')
      .option('--cron <pattern>', 'cron pattern (5 or 6 fields)', '30 2 * * *')
      .option('--tz <zone>', 'time zone of the pattern', 'Asia/Shanghai')
      .option('--now', 'also run once immediately'),
  )
    .addHelpText('after', '\nExample:\n  jixiao schedule --cron "30 2 * * *" --tz Asia/Shanghai --config config/sources.yaml')
    .action(async (opts) => {
      const args = runArgs(opts);
      let running = false;
      const fire = () =>
        new Promise<void>((done) => {
          if (running) {
            console.error(`[schedule] ${new Date().toISOString()} previous run still going; skipping this tick`);
            return done();
          }
          running = true;
          console.error(`[schedule] ${new Date().toISOString()} starting: jixiao ${args.join(' ')}`);
          const child = spawn(process.execPath, [BIN, ...args], { stdio: 'inherit' });
          child.on('exit', (code, signal) => {
            running = false;
            console.error(`[schedule] ${new Date().toISOString()} run ended with ${signal ?? `exit code ${code}`}`);
            done();
          });
        });
      const job = new Cron(opts.cron, { timezone: opts.tz, protect: true }, () => fire());
      console.error(`[schedule] pattern "${opts.cron}" (${opts.tz}); next run ${job.nextRun()?.toISOString()}`);
      if (opts.now) await fire();
      const stop = () => {
        job.stop();
        process.exit(0);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
