/** What a crawl did, counted from its fetch records: the summary the CLI, the nightly job and the queue print. */
import type { FetchRecord } from './types.ts';

export interface CrawlSummary {
  job: string;
  resumed: boolean;
  requests: number;
  new: number;
  changed: number;
  unchanged: number;
  failed: number;
  skipped: number;
  failedByReason: Record<string, number>;
  skippedByReason: Record<string, number>;
  /** Anti-bot challenges per host, by kind. */
  challengesByHost: Record<string, Record<string, number>>;
  attachments: number;
  bytesFetched: number;
  seconds: number;
  /** Links seen pointing outside the allowed hosts (never fetched). */
  offsiteLinks: number;
  /** Budget columns and hubs chosen from entry pages, with why (crawlers/columns.ts). */
  columns: { source: string; url: string; name: string | null; reason: string; outcome: string }[];
}

export function summarize(records: FetchRecord[], run: { job: string; resumed: boolean; bytes: number; t0: number; offsite: number }): CrawlSummary {
  const s: CrawlSummary = {
    job: run.job,
    resumed: run.resumed,
    requests: 0,
    new: 0,
    changed: 0,
    unchanged: 0,
    failed: 0,
    skipped: 0,
    failedByReason: {},
    skippedByReason: {},
    challengesByHost: {},
    attachments: 0,
    bytesFetched: run.bytes,
    seconds: (Date.now() - run.t0) / 1000,
    offsiteLinks: run.offsite,
    columns: [],
  };
  for (const r of records) {
    if (r.kind === 'robots') {
      if (r.outcome === 'failed') s.failedByReason[`robots:${r.reason}`] = (s.failedByReason[`robots:${r.reason}`] ?? 0) + 1;
      continue;
    }
    s.requests++;
    s[r.outcome]++;
    if (r.column_reason) s.columns.push({ source: r.source, url: r.url, name: r.anchor, reason: r.column_reason, outcome: r.outcome });
    if (r.kind === 'attachment' && r.sha256) s.attachments++;
    if (r.outcome === 'failed') s.failedByReason[r.reason ?? 'unknown'] = (s.failedByReason[r.reason ?? 'unknown'] ?? 0) + 1;
    if (r.outcome === 'skipped') s.skippedByReason[r.reason ?? 'unknown'] = (s.skippedByReason[r.reason ?? 'unknown'] ?? 0) + 1;
    if (r.reason?.startsWith('antibot_')) {
      const m = (s.challengesByHost[r.host] ??= {});
      m[r.reason] = (m[r.reason] ?? 0) + 1;
    }
  }
  return s;
}
