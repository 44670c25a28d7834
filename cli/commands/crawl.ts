import type { Command } from 'commander';
import { crawl, type CrawlResult } from '../../crawlers/crawler.ts';
import { makeLogger } from '../../crawlers/log.ts';
import { DEFAULT_PORTAL_PORTS, startPortal } from '../../crawlers/portal/server.ts';
import { sourcesFromArgs } from '../../crawlers/sources.ts';

export const DEFAULT_STORE = 'data/raw';

export function formatSummary(r: CrawlResult): string {
  const s = r.summary;
  const lines = [
    `crawl ${s.job}${s.resumed ? ' (resumed)' : ''}: ${s.requests} requests in ${s.seconds.toFixed(1)} s — new ${s.new}, changed ${s.changed}, unchanged ${s.unchanged}, failed ${s.failed}, skipped ${s.skipped}; ${s.attachments} attachments, ${(s.bytesFetched / 1e6).toFixed(2)} MB fetched, ${s.offsiteLinks} off-site links ignored`,
  ];
  if (s.columns.length) {
    lines.push(`  budget columns chosen from the entry pages (${s.columns.length}):`);
    for (const c of s.columns) lines.push(`    ${c.url}  ${c.name ?? ''} — ${c.reason}${c.outcome === 'failed' || c.outcome === 'skipped' ? ` [${c.outcome}]` : ''}`);
  }
  for (const [k, v] of Object.entries(s.failedByReason).sort()) lines.push(`  failed  ${k.padEnd(24)} ${v}`);
  for (const [k, v] of Object.entries(s.skippedByReason).sort()) lines.push(`  skipped ${k.padEnd(24)} ${v}`);
  for (const [h, m] of Object.entries(s.challengesByHost)) lines.push(`  anti-bot challenge at ${h}: ${Object.entries(m).map(([k, v]) => `${k} ×${v}`).join(', ')} (not bypassed)`);
  lines.push(`  store: ${r.storeDir}`);
  return lines.join('\n');
}

export function register(program: Command) {
  program
    .command('crawl')
    .description('crawl budget-disclosure columns from a front page or a column: find the budget columns, pagination, detail pages, attachments, script-built listings; store raw bytes + WARC; resumable')
    .argument('[urls...]', 'entry pages (a front page, a 政府信息公开 index) or listing URLs to crawl ad hoc (their hosts become the allowed hosts)')
    .option('-c, --config <file>', 'sources config (YAML), see config/sources.example.yaml')
    .option('-s, --source <names...>', 'only these sources from the config')
    .option('--portal', 'crawl the built-in local portal (started in-process on loopback)')
    .option('--store <dir>', 'raw store directory', DEFAULT_STORE)
    .option('--allow-private', 'ad-hoc URLs: allow private / loopback addresses')
    .option('--delay <seconds>', 'ad-hoc URLs: seconds between requests per host')
    .option('--browser', 'ad-hoc URLs: render every listing in headless Chromium (script-built listings are detected without it)')
    .option('--json', 'print the summary and every fetch record as JSON')
    .option('-q, --quiet', 'no progress or logs, only the summary')
    .addHelpText(
      'after',
      '\nExample:\n  jixiao crawl https://jtj.changsha.gov.cn/     # the front page: budget columns found and printed\n  jixiao crawl https://czj.changsha.gov.cn/zfxxgk/czys/ --store data/raw\n  jixiao crawl --config config/sources.yaml --source changsha-jtj\n  jixiao crawl --portal --store /tmp/raw',
    )
    .action(async (urls: string[], opts) => {
      const portal = opts.portal ? await startPortal({ ports: DEFAULT_PORTAL_PORTS }) : null;
      try {
        const sources = sourcesFromArgs({ ...opts, urls }, portal?.sourcesYaml());
        const { logger, progress } = makeLogger({ quiet: opts.quiet || opts.json });
        const r = await crawl({ storeDir: opts.store, sources, logger, progress });
        if (opts.json) console.log(JSON.stringify({ summary: r.summary, records: r.records }, null, 2));
        else console.log(formatSummary(r));
      } finally {
        await portal?.stop();
      }
    });
}
