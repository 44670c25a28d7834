/**
 * The crawler: what to fetch and in what order. A persistent frontier (frontier.ts) drained into
 * one p-queue per host; each request passes safety (allowed hosts, schemes, addresses), robots.txt
 * and the per-host gate (fetcher.ts: delay and Crawl-delay, Retry-After, redirects, retries),
 * conditional GET from the validators of the last fetch, and anti-bot challenge detection. Bodies
 * go to the content-addressed store, every exchange to WARC, every final outcome to the frontier
 * journal (the fetch record, record.ts); pages give the next requests (discover.ts, columns.ts,
 * scripted.ts); summary.ts counts what happened.
 */
import { createHash } from 'node:crypto';
import { detectChallenge } from './antibot.ts';
import type { ResolvedSource } from './config.ts';
import { discoverLinks, discoverPageLinks, pageTitle } from './discover.ts';
import { filenameFromDisposition, filenameFromUrl } from './filename.ts';
import { Frontier } from './frontier.ts';
import { header, HttpClient, HttpError, type HttpResponse } from './http.ts';
import { Fetcher, parseRetryAfter, RETRY_STATUS, type Host } from './fetcher.ts';
import { decodeHtml, isHtmlish, isJsonish } from './page.ts';
import { baseRecord } from './record.ts';
import { summarize, type CrawlSummary } from './summary.ts';
import { checkAttachmentBody } from './body-check.ts';
import { checkUrl, hostAllowed, SafetyError } from './safety.ts';
import { RawStore } from './store.ts';
import { requestKey, type CrawlRequest, type FetchRecord, type LinkKind } from './types.ts';
import type { BrowserPool } from './browser.ts';
import { childContext, pageContext, type PageContext } from './context.ts';
import { findColumns, withColumns } from './columns.ts';
import { buildsDom, linksFromJson, looksScripted, scriptEndpoints } from './scripted.ts';

export interface CrawlLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface CrawlOptions {
  storeDir: string;
  sources: ResolvedSource[];
  /** Frontier identity; defaults to a digest of the sources' names and start URLs. */
  job?: string;
  logger?: CrawlLogger;
  /** Called with each final fetch record as it completes. */
  onRecord?: (rec: FetchRecord) => void;
  /** Show a progress line on stderr (TTY). */
  progress?: boolean;
  /** Start a browser only when a source needs one. Injected for tests; defaults to crawlers/browser.ts. */
  browserFactory?: () => Promise<BrowserPool>;
  /** Stop scheduling new requests when aborted (in-flight ones finish). */
  signal?: AbortSignal;
  /**
   * Per host (`host:port`), the earliest time (ms since the epoch) of its first request: the
   * politeness slot another process left when it crawled the same host before (see `hostNext`).
   */
  notBefore?: Record<string, number>;
}

export interface CrawlResult {
  job: string;
  resumed: boolean;
  records: FetchRecord[];
  summary: CrawlSummary;
  storeDir: string;
  /** Per host (`host:port`), the earliest time the next request may go (delay, Crawl-delay, Retry-After kept). */
  hostNext: Record<string, number>;
}

export function jobId(sources: ResolvedSource[]): string {
  const ident = sources.map((s) => `${s.name} ${[...s.startUrls].sort().join(' ')}`).sort().join('\n');
  return createHash('sha256').update(ident).digest('hex').slice(0, 24);
}

export class Crawler {
  readonly store: RawStore;
  readonly job: string;
  private frontier!: Frontier;
  private http: HttpClient;
  private fetcher: Fetcher;
  private sources: Map<string, ResolvedSource>;
  private perSourceAdds = new Map<string, number>();
  private inflight = 0;
  private finished!: () => void;
  private browser: Promise<BrowserPool> | null = null;
  private robotsRecords = 0;
  private offsite = 0;
  private endpointGroups = new Map<string, { pending: number; links: number }>();
  private doneThisRun = 0;
  private t0 = 0;
  private lastProgress = 0;

  constructor(readonly opts: CrawlOptions) {
    this.store = new RawStore(opts.storeDir);
    this.job = opts.job ?? jobId(opts.sources);
    this.sources = new Map(opts.sources.map((s) => [s.name, s]));
    const strictest = (f: (s: ResolvedSource) => number, pick: (...n: number[]) => number) => pick(...opts.sources.map(f));
    this.http = new HttpClient({
      connectTimeoutMs: strictest((s) => s.connectTimeoutMs, Math.max),
      headersTimeoutMs: strictest((s) => s.headersTimeoutMs, Math.max),
      bodyTimeoutMs: strictest((s) => s.bodyTimeoutMs, Math.max),
      totalTimeoutMs: strictest((s) => s.totalTimeoutMs, Math.max),
      maxBytes: strictest((s) => s.maxBytes, Math.max),
    });
    this.fetcher = new Fetcher({
      store: this.store,
      http: this.http,
      logger: opts.logger,
      notBefore: opts.notBefore,
      robotsKey: (origin) => `robots ${origin} #${this.frontier.starts}.${this.robotsRecords++}`,
      onRobotsRecord: (rec, t0) => this.finish(rec, t0),
    });
  }

  private log(level: 'info' | 'warn', obj: object, msg: string) {
    this.opts.logger?.[level](obj, msg);
  }

  async run(): Promise<CrawlResult> {
    this.t0 = Date.now();
    this.frontier = new Frontier(this.store.stateDir, this.job);
    this.store.openWarc(this.job);
    // Validators of fetches done before a crash whose validators line was lost.
    for (const r of this.frontier.doneRecords())
      if (r.sha256 && r.kind !== 'robots')
        this.store.adoptValidators({ key: r.key, sha256: r.sha256, etag: r.etag, last_modified: r.last_modified, content_type: r.content_type, filename: r.filename, at: r.fetched_at });
    for (const src of this.sources.values())
      for (const url of src.startUrls) this.enqueue({ url, method: 'GET', kind: 'listing', depth: 0, source: src.name, browser: this.needsBrowser(src, url) });
    this.log('info', { job: this.job, resumed: this.frontier.resumed, ...this.frontier.counts }, this.frontier.resumed ? 'resuming crawl' : 'starting crawl');
    const done = new Promise<void>((r) => (this.finished = r));
    this.pump();
    await done;
    const complete = !this.opts.signal?.aborted;
    if (complete) this.frontier.finish();
    if (this.browser) await (await this.browser).close().catch(() => {});
    await this.http.close();
    if (this.opts.progress) process.stderr.write('\n');
    const records = this.frontier.records();
    const hostNext = Object.fromEntries([...this.fetcher.hosts.values()].map((h) => [new URL(h.origin).host, h.next]));
    return { job: this.job, resumed: this.frontier.resumed, records, summary: summarize(records, { job: this.job, resumed: this.frontier.resumed, bytes: this.fetcher.bytes, t0: this.t0, offsite: this.offsite }), storeDir: this.opts.storeDir, hostNext };
  }

  private needsBrowser(src: ResolvedSource, url: string) {
    return src.browser === true || (Array.isArray(src.browser) && src.browser.some((r) => r.test(url)));
  }

  private enqueue(req: CrawlRequest) {
    const src = this.sources.get(req.source)!;
    const n = this.perSourceAdds.get(src.name) ?? 0;
    if (n >= src.maxRequests) return;
    if (this.frontier.add(req)) this.perSourceAdds.set(src.name, n + 1);
  }

  private pump() {
    if (this.opts.signal?.aborted) {
      if (this.inflight === 0) this.finished();
      return;
    }
    for (const req of this.frontier.drain()) {
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        continue;
      }
      const src = this.sources.get(req.source);
      if (!src) continue;
      const h = this.fetcher.host(url, src);
      this.inflight++;
      void h.queue
        .add(() => this.process(req, src, h))
        .then(() => this.renderIfEndpointsFailed(req, src))
        .catch((e) => {
          // A bug must not lose a request silently: it is recorded as failed with reason internal_error.
          this.log('warn', { url: req.url, err: String(e) }, 'unexpected crawler error');
          if (!this.frontier.isDone(requestKey(req))) {
            const rec = baseRecord(req, req.url);
            rec.reason = 'internal_error';
            rec.error = String((e as Error)?.stack ?? e).slice(0, 2000);
            try {
              this.finish(rec, performance.now());
            } catch {
              /* nothing more to do */
            }
          }
        })
        .finally(() => {
          this.inflight--;
          this.pump();
        });
    }
    if (this.inflight === 0) this.finished();
  }

  private finish(rec: FetchRecord, t0: number) {
    rec.elapsed_ms = Math.round(performance.now() - t0);
    this.frontier.markDone(rec);
    this.doneThisRun++;
    this.opts.onRecord?.(rec);
    if (this.opts.logger) this.log(rec.outcome === 'failed' ? 'warn' : 'info', { url: rec.url, kind: rec.kind, status: rec.status, outcome: rec.outcome, reason: rec.reason, bytes: rec.bytes, ms: rec.elapsed_ms }, 'fetch');
    if (this.opts.progress && Date.now() - this.lastProgress > 200) {
      this.lastProgress = Date.now();
      const c = this.frontier.counts;
      const rate = this.doneThisRun / Math.max(0.001, (Date.now() - this.t0) / 1000);
      const w = 30;
      const filled = Math.max(0, Math.min(w, Math.round((c.done / Math.max(1, c.added)) * w)));
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(w - filled)}] ${c.done}/${c.added} requests, ${rate.toFixed(1)}/s, ${(this.fetcher.bytes / 1e6).toFixed(1)} MB   `);
    }
  }

  private async process(req: CrawlRequest, src: ResolvedSource, h: Host) {
    const key = requestKey(req);
    if (this.frontier.isDone(key)) return;
    const t0 = performance.now();
    const rec = baseRecord(req, req.url);
    let url: URL;
    try {
      url = checkUrl(req.url, this.fetcher.policy(src));
    } catch (e) {
      rec.outcome = 'skipped';
      rec.reason = (e as SafetyError).reason ?? 'unsafe';
      rec.error = (e as Error).message;
      return this.finish(rec, t0);
    }
    if (h.blocked) {
      rec.outcome = 'skipped';
      rec.reason = 'antibot_host_blocked';
      return this.finish(rec, t0);
    }
    if (!(await this.fetcher.allowedByRobots(url, src, h))) {
      rec.outcome = 'skipped';
      rec.reason = h.robotsFailure ?? 'robots_disallow';
      if (h.robotsFailure) rec.error = `robots.txt of ${h.origin} could not be read (RFC 9309: treat as disallowed)`;
      return this.finish(rec, t0);
    }
    const prev = this.store.getValidators(key);
    const cond: Record<string, string> = {};
    if (prev && this.store.hasObject(prev.sha256)) {
      if (prev.etag) cond['if-none-match'] = prev.etag;
      if (prev.last_modified) cond['if-modified-since'] = prev.last_modified;
    }
    // Retry loop around statuses (the exchange loop handles network errors and redirects).
    let attempts = 0;
    let res: HttpResponse | null = null;
    let finalUrl = req.url;
    for (;;) {
      try {
        const r = await this.fetcher.exchangeWithRetries(req, src, h, cond);
        attempts += r.attempts;
        rec.redirects += r.redirects;
        res = r.res;
        finalUrl = r.finalUrl;
      } catch (e) {
        const he = e as HttpError & { attempts?: number };
        rec.attempts = attempts + (he.attempts ?? 1);
        rec.status = he.status ?? null;
        rec.reason = he instanceof HttpError ? he.reason : 'error';
        rec.error = he.message;
        return this.finish(rec, t0);
      }
      rec.status = res.status;
      const challenge = detectChallenge(res.status, res.headers, res.body);
      if (challenge) {
        h.challenges++;
        if (h.challenges >= src.maxChallengesPerHost) h.blocked = true;
        rec.attempts = attempts;
        rec.reason = challenge;
        rec.error = `anti-bot challenge (${challenge}) from ${url.host}; not bypassed`;
        this.log('warn', { host: url.host, challenge }, 'anti-bot challenge detected');
        return this.finish(rec, t0);
      }
      if (RETRY_STATUS.has(res.status) && attempts <= src.retries) {
        const ra = parseRetryAfter(header(res.headers, 'retry-after'));
        if (ra !== null && ra > src.maxRetryAfterMs) {
          rec.attempts = attempts;
          rec.reason = 'retry_after_too_long';
          rec.error = `HTTP ${res.status} with Retry-After ${Math.round(ra / 1000)} s (limit ${src.maxRetryAfterMs / 1000} s)`;
          return this.finish(rec, t0);
        }
        const backoff = src.backoffMs * 2 ** (attempts - 1) * (1 + Math.random() * 0.5);
        const wait = Math.max(ra ?? 0, backoff);
        this.log('warn', { url: req.url, status: res.status, retryAfterMs: ra, waitMs: Math.round(wait) }, 'retrying');
        // Retry-After applies to the whole host.
        h.next = Math.max(h.next, Date.now() + wait);
        continue;
      }
      break;
    }
    rec.attempts = attempts;
    rec.final_url = finalUrl;
    rec.content_type = header(res.headers, 'content-type');
    rec.etag = header(res.headers, 'etag');
    rec.last_modified = header(res.headers, 'last-modified');
    let body: Buffer;
    if (res.status === 304 && prev) {
      body = this.store.readObject(prev.sha256);
      rec.outcome = 'unchanged';
      rec.sha256 = prev.sha256;
      rec.bytes = body.length;
      rec.content_type ??= prev.content_type;
      rec.etag ??= prev.etag;
      rec.last_modified ??= prev.last_modified;
      rec.filename = prev.filename;
    } else if (res.status >= 200 && res.status < 300) {
      body = res.body;
      const bad = req.kind === 'attachment' ? checkAttachmentBody(body, finalUrl, filenameFromDisposition(header(res.headers, 'content-disposition'))) : null;
      if (bad) {
        // Not stored as the document (no validators: the next run fetches it again); the WARC keeps the bytes.
        rec.outcome = 'failed';
        rec.reason = bad.reason;
        rec.error = bad.message;
        rec.bytes = body.length;
        return this.finish(rec, t0);
      }
      const { sha256 } = this.store.putObject(body);
      rec.sha256 = sha256;
      rec.bytes = body.length;
      rec.outcome = !prev ? 'new' : prev.sha256 === sha256 ? 'unchanged' : 'changed';
      rec.filename = filenameFromDisposition(header(res.headers, 'content-disposition')) ?? filenameFromUrl(finalUrl);
    } else {
      rec.reason = `http_${res.status}`;
      rec.error = `HTTP ${res.status}`;
      return this.finish(rec, t0);
    }
    this.store.setValidators({ key, sha256: rec.sha256!, etag: rec.etag, last_modified: rec.last_modified, content_type: rec.content_type, filename: rec.filename, at: rec.fetched_at });
    if (req.kind === 'listing' && isJsonish(rec.content_type, body)) {
      // A list API named by a listing's script (crawlers/scripted.ts): its records are the listing.
      rec.encoding = 'utf-8';
      rec.links = this.follow(linksFromJson(body.toString('utf8'), finalUrl, req.referer ?? finalUrl), req, src, req.context ?? {});
    } else if (req.kind !== 'attachment' && isHtmlish(rec.content_type, body)) {
      const { text, encoding } = decodeHtml(body, rec.content_type);
      rec.encoding = encoding;
      if (!req.anchor) rec.anchor = pageTitle(text);
      const here = pageContext(req, text);
      rec.column_name = here.column ?? null;
      if (req.kind === 'detail') rec.article_title = here.articleTitle ?? null;
      rec.published_at = here.publishedAt ?? null;
      let links = discoverPageLinks(text, finalUrl, req.kind, src.patterns);
      if (req.kind === 'listing' && req.method === 'GET' && req.depth <= src.columns.maxDepth) {
        // Entry pages, hubs and columns: links to budget columns are listings (hubs only near the entry page).
        const hubs = req.depth === 0 || (!!req.column_reason?.startsWith('hub') && req.depth < 2);
        links = withColumns(links, findColumns(text, finalUrl, src.columns, hubs), finalUrl);
      }
      let render = !!req.browser;
      if (req.kind === 'listing' && !render && !req.render_retry && looksScripted(text, links)) {
        // No article link, but scripts: first the data endpoint they name, else the browser.
        const endpoints = scriptEndpoints(text, finalUrl);
        if (endpoints.length) {
          this.log('info', { url: finalUrl, endpoints: endpoints.map((e) => `${e.method} ${e.url}`) }, 'listing filled by script: fetching its data endpoint');
          links = [...links, ...endpoints.map((e) => ({ url: e.url, method: e.method, body: e.body, kind: 'listing' as const, via: `script-endpoint:${e.via}` }))];
        } else if (buildsDom(text)) {
          this.log('info', { url: finalUrl }, 'listing built by script: rendering it in Chromium');
          render = true;
        }
      }
      if (render) {
        try {
          const rendered = await this.render(finalUrl, src, h);
          links = [...links, ...discoverLinks(rendered, finalUrl, req.kind, src.patterns)];
        } catch (e) {
          this.log('warn', { url: finalUrl, err: (e as Error).message }, 'browser rendering failed');
          rec.error = `browser: ${(e as Error).message}`;
        }
      }
      rec.links = this.follow(links, req, src, here);
    }
    this.finish(rec, t0);
  }

  private follow(links: ReturnType<typeof discoverLinks>, req: CrawlRequest, src: ResolvedSource, here: PageContext = {}): number {
    let n = 0;
    for (const l of links) {
      if (req.depth + 1 > src.maxDepth) break;
      let u: URL;
      try {
        u = new URL(l.url);
      } catch {
        continue;
      }
      if (!hostAllowed(u, src.allowedHosts) || !src.allowedSchemes.includes(u.protocol.replace(':', ''))) {
        this.offsite++;
        continue;
      }
      n++;
      if (/^(column|hub):/.test(l.via) && !this.frontier.has({ url: l.url, method: 'GET' }))
        this.log('info', { source: src.name, url: l.url, name: l.anchor, reason: l.via, from: req.url }, 'budget column chosen');
      this.enqueue({
        url: l.url,
        method: l.method,
        body: l.body,
        kind: l.kind,
        depth: req.depth + 1,
        source: src.name,
        referer: req.url,
        anchor: l.anchor,
        browser: l.kind === 'listing' && this.needsBrowser(src, l.url) ? true : undefined,
        context: l.via.startsWith('column:') ? { column: l.anchor ?? null } : l.via.startsWith('hub:') ? {} : childContext(here, req.kind, l),
        column_reason: /^(column|hub):/.test(l.via) ? l.via : undefined,
        fallback_for: l.via.startsWith('script-endpoint') ? req.url : undefined,
      });
    }
    return n;
  }

  /**
   * A listing whose script named data endpoints: once every endpoint is done and none gave a link
   * (failed, or an answer without records), the listing is fetched again and rendered in Chromium.
   */
  private renderIfEndpointsFailed(req: CrawlRequest, src: ResolvedSource) {
    if (!req.fallback_for) return;
    const page = req.fallback_for;
    const g = this.endpointGroups.get(page) ?? { pending: 0, links: 0 };
    this.endpointGroups.set(page, g);
    const rec = this.frontier.get(requestKey(req));
    g.links += rec && rec.outcome !== 'failed' && rec.outcome !== 'skipped' ? rec.links : 0;
    g.pending = this.frontier.pendingFor(page);
    if (g.pending > 0 || g.links > 0) return;
    this.log('info', { url: page }, 'the data endpoints of a script-built listing gave nothing: rendering it in Chromium');
    this.enqueue({ url: page, method: 'GET', kind: 'listing', depth: Math.max(0, req.depth - 1), source: src.name, referer: req.referer, browser: true, render_retry: true, context: req.context });
  }

  private async render(url: string, src: ResolvedSource, h: Host): Promise<string> {
    if (!this.browser) this.browser = (this.opts.browserFactory ?? (async () => new (await import('./browser.ts')).BrowserPool()))();
    const pool = await this.browser;
    await this.fetcher.turn(h);
    const { html, cookies } = await pool.render(url, {
      cookies: [...h.cookies].map(([name, value]) => ({ name, value, url: h.origin })),
      allow: (u) => {
        try {
          checkUrl(u, this.fetcher.policy(src));
          return true;
        } catch {
          return false;
        }
      },
      userAgent: `${src.userAgent} (rendering)`,
    });
    for (const c of cookies) h.cookies.set(c.name, c.value);
    await this.store.writeResource(url, 'text/html; charset=utf-8', Buffer.from(html, 'utf8'));
    return html;
  }
}

export async function crawl(opts: CrawlOptions): Promise<CrawlResult> {
  return new Crawler(opts).run();
}

export type { CrawlSummary, LinkKind };
export { decodeHtml, parseRetryAfter };
