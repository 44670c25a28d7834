import type { PageContext } from './context.ts';

/**
 * Shared crawler types: what the frontier holds (CrawlRequest) and what every fetch leaves
 * behind (FetchRecord — one row of the `fetches` table, one `done` event in the frontier journal).
 */

/** Why a URL is fetched: a listing (column page, pagination), a detail (article) page, an attachment (the documents). */
export type LinkKind = 'listing' | 'detail' | 'attachment' | 'robots';

export interface CrawlRequest {
  url: string;
  method: 'GET' | 'POST';
  /** Form body for POST paging (Hanweb dataproxy.jsp). */
  body?: string;
  kind: LinkKind;
  /** Links followed from a start URL (start URLs are 0). */
  depth: number;
  /** Name of the configured source this request belongs to. */
  source: string;
  referer?: string;
  /** Anchor text of the link that led here (a document title, often). */
  anchor?: string;
  /** Render this page in the browser for link discovery (a listing built by JavaScript). */
  browser?: boolean;
  /** What the pages before said about this one: its column, the article it is attached to, the date printed beside it. */
  context?: PageContext;
  /** Why a listing was chosen as a budget column (entry-page discovery, crawlers/columns.ts). */
  column_reason?: string;
  /** A data endpoint named by a listing's script: the listing to render in Chromium if the endpoints give nothing. */
  fallback_for?: string;
  /** Fetch and render a script-built listing whose data endpoints gave nothing (its own frontier key). */
  render_retry?: boolean;
}

/** Frontier identity of a request: the URL for GET, method + URL + body for POST. */
export const requestKey = (r: Pick<CrawlRequest, 'url' | 'method' | 'body' | 'render_retry'>) =>
  r.method === 'POST' ? `POST ${r.url} ${r.body ?? ''}` : r.render_retry ? `RENDER ${r.url}` : r.url;

/**
 * new: content never seen at this URL; changed: different bytes than last time; unchanged: 304 or
 * same sha256; failed: no usable response (see reason); skipped: not fetched on purpose (robots,
 * host not allowed, blocked host).
 */
export type FetchOutcome = 'new' | 'changed' | 'unchanged' | 'failed' | 'skipped';

export interface FetchRecord {
  key: string;
  url: string;
  method: string;
  final_url: string | null;
  kind: LinkKind;
  source: string;
  host: string;
  depth: number;
  referer: string | null;
  anchor: string | null;
  /** Last HTTP status seen (null when no response arrived). */
  status: number | null;
  outcome: FetchOutcome;
  /** Machine-readable reason for failed / skipped (http_503, timeout, redirect_loop, truncated, antibot_ruishu, robots_disallow, …). */
  reason: string | null;
  error: string | null;
  bytes: number | null;
  sha256: string | null;
  content_type: string | null;
  etag: string | null;
  last_modified: string | null;
  /** File name from Content-Disposition (RFC 6266 / 5987) or the URL path. */
  filename: string | null;
  /** Text encoding an HTML page was decoded with. */
  encoding: string | null;
  attempts: number;
  redirects: number;
  elapsed_ms: number;
  fetched_at: string;
  /** Links discovered on this page (HTML only). */
  links: number;
  /** Title of the article page the link was found on (attachments), or this article's own title (details). */
  article_title?: string | null;
  /** Name of the listing column it was found under. */
  column_name?: string | null;
  /** Publication date printed beside the link or on its article, yyyy-mm-dd. */
  published_at?: string | null;
  /** Listings chosen from an entry page: why (`column: text "部门预算" ~ 部门预算`, `hub: path … ~ xxgk`). */
  column_reason?: string | null;
}

/** What the crawler remembers about a URL between runs (for conditional GET and change detection). */
export interface Validators {
  key: string;
  sha256: string;
  etag: string | null;
  last_modified: string | null;
  content_type: string | null;
  filename: string | null;
  at: string;
}
