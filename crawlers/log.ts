/** Logging for crawls and runs: pino JSON lines on stderr when not on a terminal; a progress line when on one. */
import pino from 'pino';
import type { CrawlLogger } from './crawler.ts';

export function makeLogger(opts: { quiet?: boolean } = {}): { logger: CrawlLogger | undefined; progress: boolean } {
  const tty = !!process.stderr.isTTY;
  if (opts.quiet) return { logger: undefined, progress: false };
  if (tty) {
    // On a terminal: a progress line, and warnings only.
    const p = pino({ level: 'warn', base: undefined }, pino.destination(2));
    return { logger: { info: () => {}, warn: (o, m) => p.warn(o, m) }, progress: true };
  }
  const p = pino({ level: process.env.JIXIAO_LOG_LEVEL ?? 'info', base: { app: 'jixiao' } }, pino.destination(2));
  return { logger: { info: (o, m) => p.info(o, m), warn: (o, m) => p.warn(o, m) }, progress: false };
}
