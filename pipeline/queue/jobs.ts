/** The data each queue's jobs carry (JSON in Redis). */
import type { CrawlSummary } from '../../crawlers/crawler.ts';
import type { FetchRecord } from '../../crawlers/types.ts';
import type { DocumentHints } from '../../transform/types.ts';
import type { ProcessedDocument } from '../ingest.ts';

export interface RunSpec {
  runId: string;
  /** The raw store every worker reaches (shared folder path). */
  store: string;
  /** Resolved sources, serialised by sources.ts. */
  sources: { name: string; json: string }[];
  checks: boolean;
  snapshot: boolean;
  timeoutMs?: number;
  startedAt: string;
}

export interface CrawlJob {
  runId: string;
  store: string;
  source: string;
  sourceJson: string;
  timeoutMs?: number;
}

export interface ExtractJob {
  runId: string;
  store: string;
  sha256: string;
  url: string;
  hints: DocumentHints;
  timeoutMs?: number;
}

export type LoadJob =
  | { kind: 'start'; run: RunSpec }
  | { kind: 'fetches'; runId: string; source: string; job: string; resumed: boolean; records: FetchRecord[]; summary: CrawlSummary }
  | { kind: 'document'; runId: string; processed: ProcessedDocument };
