/**
 * One host's politeness and one logical fetch: the per-host gate (the larger of the source's delay
 * and Crawl-delay between two requests, Retry-After for the whole host), robots.txt (fetched once
 * per host and process, RFC 9309), and the exchange — redirects (bounded, each hop checked for
 * safety and robots) inside retries (exponential backoff with jitter). Every exchange goes to the
 * WARC. The crawler (crawler.ts) decides what to fetch; this decides how.
 */
import PQueue from 'p-queue';
import robotsParser from 'robots-parser';
import type { ResolvedSource } from './config.ts';
import { header, HttpClient, HttpError, type HttpResponse } from './http.ts';
import { baseRecord } from './record.ts';
import { checkUrl, SafetyError } from './safety.ts';
import { RawStore, sha256hex } from './store.ts';
import type { CrawlRequest, FetchRecord } from './types.ts';

export interface Host {
  origin: string;
  queue: PQueue;
  delayMs: number;
  next: number;
  robots: Promise<ReturnType<typeof robotsParser> | 'disallow-all' | null> | null;
  /** Why the whole host is off limits for this run (robots.txt unreachable, private address). */
  robotsFailure: string | null;
  cookies: Map<string, string>;
  challenges: number;
  blocked: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
export const RETRY_REASONS = new Set(['connect_timeout', 'headers_timeout', 'body_timeout', 'timeout', 'truncated', 'connection_reset', 'connection_refused', 'network']);

/** Seconds (or an HTTP date) in Retry-After → milliseconds, or null. */
export function parseRetryAfter(v: string | null, now = Date.now()): number | null {
  if (!v) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : null;
}

export interface FetcherOptions {
  store: RawStore;
  http: HttpClient;
  logger?: { warn(obj: object, msg?: string): void };
  /** Per host (`host:port`), the earliest time of its first request (a slot another process left). */
  notBefore?: Record<string, number>;
  /** The key of the fetch record of a host's robots.txt. */
  robotsKey: (origin: string) => string;
  /** Called with the fetch record of each robots.txt. */
  onRobotsRecord: (rec: FetchRecord, t0: number) => void;
}

export class Fetcher {
  readonly hosts = new Map<string, Host>();
  /** Bytes received (every exchange, redirects and retries included). */
  bytes = 0;

  constructor(private readonly opts: FetcherOptions) {}

  private get http() {
    return this.opts.http;
  }

  private get store() {
    return this.opts.store;
  }

  host(url: URL, src: ResolvedSource): Host {
    const origin = url.origin;
    let h = this.hosts.get(origin);
    if (!h) {
      h = { origin, queue: new PQueue({ concurrency: src.concurrencyPerHost }), delayMs: src.delayMs, next: this.opts.notBefore?.[url.host] ?? 0, robots: null, robotsFailure: null, cookies: new Map(), challenges: 0, blocked: false };
      this.hosts.set(origin, h);
    } else h.delayMs = Math.max(h.delayMs, src.delayMs);
    return h;
  }

  /** Wait for this host's next slot, then reserve the one after it. */
  async turn(h: Host) {
    const now = Date.now();
    const at = Math.max(now, h.next);
    h.next = at + h.delayMs;
    if (at > now) await sleep(at - now);
  }

  policy(src: ResolvedSource) {
    return { allowedHosts: src.allowedHosts, allowedSchemes: src.allowedSchemes, allowPrivateAddresses: src.allowPrivateAddresses };
  }

  /** robots.txt of a host, fetched once per process (RFC 9309: 4xx → allow all; 5xx / unreachable → disallow all). */
  robots(h: Host, src: ResolvedSource) {
    if (!h.robots)
      h.robots = (async () => {
        const url = `${h.origin}/robots.txt`;
        const req: CrawlRequest = { url, method: 'GET', kind: 'robots', depth: 0, source: src.name };
        const t0 = performance.now();
        const rec = baseRecord(req, url);
        rec.key = this.opts.robotsKey(h.origin);
        let result: ReturnType<typeof robotsParser> | 'disallow-all' | null = null;
        try {
          let { res, finalUrl, attempts } = await this.exchangeWithRetries(req, src, h, {});
          // 429 / 5xx on robots.txt: retry like any request before concluding the host is unavailable.
          for (let n = 1; RETRY_STATUS.has(res.status) && n <= src.retries; n++) {
            const ra = parseRetryAfter(header(res.headers, 'retry-after'));
            if (ra !== null && ra > src.maxRetryAfterMs) break;
            h.next = Math.max(h.next, Date.now() + Math.max(ra ?? 0, src.backoffMs * 2 ** (n - 1) * (1 + Math.random() * 0.5)));
            const again = await this.exchangeWithRetries(req, src, h, {});
            ({ res, finalUrl } = again);
            attempts += again.attempts;
          }
          rec.status = res.status;
          rec.final_url = finalUrl;
          rec.attempts = attempts;
          rec.bytes = res.body.length;
          if (res.status >= 200 && res.status < 300) {
            rec.sha256 = this.store.putObject(res.body).sha256;
            rec.content_type = header(res.headers, 'content-type');
            result = robotsParser(url, res.body.toString('utf8'));
            const cd = result.getCrawlDelay(src.userAgent);
            if (cd !== undefined) {
              h.delayMs = Math.max(h.delayMs, cd * 1000);
              // The robots.txt request itself counts: the next request waits the Crawl-delay after it.
              h.next = Math.max(h.next, Date.now() + h.delayMs);
            }
            rec.outcome = 'unchanged';
          } else if (res.status >= 500 || res.status === 429) {
            result = 'disallow-all';
            h.robotsFailure = 'robots_unavailable';
            rec.reason = `robots_http_${res.status}`;
          } else rec.outcome = 'unchanged';
          if (rec.outcome !== 'failed') rec.reason = null;
        } catch (e) {
          rec.reason = e instanceof HttpError ? e.reason : 'error';
          rec.error = (e as Error).message;
          result = 'disallow-all';
          // A failure that is the host's, not robots.txt's (private address, TLS), names the host's skips.
          h.robotsFailure = rec.reason === 'private_address' || rec.reason === 'tls' ? rec.reason : 'robots_unavailable';
        }
        this.opts.onRobotsRecord(rec, t0);
        return result;
      })();
    return h.robots;
  }

  async allowedByRobots(url: URL, src: ResolvedSource, h: Host): Promise<boolean> {
    const r = await this.robots(h, src);
    if (r === 'disallow-all') return false;
    if (!r) return true;
    return r.isAllowed(url.toString(), src.userAgent) !== false;
  }

  /**
   * One logical fetch: redirects (bounded, each hop checked for safety and robots) inside retries
   * (backoff with jitter, Retry-After). Returns the final response, or throws HttpError.
   */
  async exchangeWithRetries(
    req: CrawlRequest,
    src: ResolvedSource,
    h0: Host,
    extraHeaders: Record<string, string>,
  ): Promise<{ res: HttpResponse; finalUrl: string; attempts: number; redirects: number; host: Host }> {
    let attempt = 0;
    for (;;) {
      attempt++;
      let url = req.url;
      let method = req.method;
      let body = req.body;
      let h = h0;
      const seen = new Set<string>([`${method} ${url}`]);
      let redirects = 0;
      try {
        for (;;) {
          await this.turn(h);
          const headers: Record<string, string> = {
            'user-agent': src.userAgent,
            accept: req.kind === 'attachment' ? '*/*' : 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
            'accept-language': 'zh-CN,zh;q=0.9',
            ...(req.referer ? { referer: req.referer } : {}),
            ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } : {}),
            ...(redirects === 0 ? extraHeaders : {}),
          };
          if (h.cookies.size) headers.cookie = [...h.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
          let res: HttpResponse;
          try {
            res = await this.http.exchange(url, { method, headers, body, allowPrivate: src.allowPrivateAddresses, maxBytes: src.maxBytes });
            // Crawl-delay counts from the end of a request too, so the server never sees two closer than the delay.
            h.next = Math.max(h.next, Date.now() + h.delayMs);
          } catch (e) {
            h.next = Math.max(h.next, Date.now() + h.delayMs);
            // Record the failed exchange too (no payload).
            await this.store
              .writeExchange({ url, method, requestHeaders: headers, requestBody: body, status: 0, statusText: (e as HttpError).reason ?? 'error', responseHeaders: {}, payload: null })
              .catch(() => {});
            throw e;
          }
          this.bytes += res.body.length;
          for (const c of [res.headers['set-cookie'] ?? []].flat()) {
            const m = /^\s*([^=;\s]+)=([^;]*)/.exec(c);
            if (m) h.cookies.set(m[1], m[2]);
          }
          const digest = res.status === 200 ? sha256hex(res.body) : null;
          const known = digest != null && this.store.hasObject(digest);
          await this.store.writeExchange({
            url,
            method,
            requestHeaders: headers,
            requestBody: body,
            status: res.status,
            statusText: res.statusText,
            responseHeaders: res.headers,
            payload: res.status === 304 ? null : res.body,
            revisitOf: known ? { sha256: digest!, url } : null,
          });
          const loc = header(res.headers, 'location');
          if (res.status >= 300 && res.status < 400 && res.status !== 304 && loc) {
            redirects++;
            const next = new URL(loc, url).toString();
            if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
              method = 'GET';
              body = undefined;
            }
            if (seen.has(`${method} ${next}`)) throw new HttpError('redirect_loop', `redirect loop at ${next}`, res.status);
            if (redirects > src.maxRedirects) throw new HttpError('too_many_redirects', `more than ${src.maxRedirects} redirects`, res.status);
            seen.add(`${method} ${next}`);
            let nu: URL;
            try {
              nu = checkUrl(next, this.policy(src));
            } catch (e) {
              throw new HttpError(`redirect_${(e as SafetyError).reason ?? 'unsafe'}`, (e as Error).message, res.status);
            }
            h = this.host(nu, src);
            if (req.kind !== 'robots' && !(await this.allowedByRobots(nu, src, h))) throw new HttpError('robots_disallow', `redirect target disallowed by robots.txt: ${next}`, res.status);
            url = next;
            continue;
          }
          return { res, finalUrl: url, attempts: attempt, redirects, host: h };
        }
      } catch (e) {
        if (!(e instanceof HttpError) || !RETRY_REASONS.has(e.reason) || attempt > src.retries) {
          if (e instanceof HttpError) (e as HttpError & { attempts?: number }).attempts = attempt;
          throw e;
        }
        const wait = src.backoffMs * 2 ** (attempt - 1) * (1 + Math.random() * 0.5);
        this.opts.logger?.warn( { url: req.url, reason: e.reason, attempt, waitMs: Math.round(wait) }, 'retrying');
        h0.next = Math.max(h0.next, Date.now() + wait);
      }
    }
  }

}
