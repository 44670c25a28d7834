/** The fetch record a request starts with, before its outcome is known (a failure until proven otherwise). */
import { requestKey, type CrawlRequest, type FetchRecord } from './types.ts';

export function baseRecord(req: CrawlRequest, url: string): FetchRecord {
  let host = '';
  try {
    host = new URL(url).host;
  } catch {
    /* ignore */
  }
  return {
    key: requestKey(req),
    url: req.url,
    method: req.method,
    final_url: null,
    kind: req.kind,
    source: req.source,
    host,
    depth: req.depth,
    referer: req.referer ?? null,
    anchor: req.anchor ?? null,
    status: null,
    outcome: 'failed',
    reason: null,
    error: null,
    bytes: null,
    sha256: null,
    content_type: null,
    etag: null,
    last_modified: null,
    filename: null,
    encoding: null,
    attempts: 0,
    redirects: 0,
    elapsed_ms: 0,
    fetched_at: new Date().toISOString(),
    links: 0,
    article_title: req.context?.articleTitle ?? null,
    column_name: req.context?.column ?? null,
    published_at: req.context?.publishedAt ?? null,
    column_reason: req.column_reason ?? null,
  };
}
