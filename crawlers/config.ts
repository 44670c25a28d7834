/**
 * The sources config (YAML), validated with zod. Errors name the file, line and field:
 *   config/sources.yaml:14: sources[1].start_urls[0]: Invalid URL
 * See config/sources.example.yaml for every field.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { z } from 'zod';
import type { SourcePatterns } from './discover.ts';
import { DEFAULT_COLUMN_RULES, type ColumnRules } from './columns.ts';

const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

const url = z.string().refine(
  (s) => {
    try {
      return ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  },
  { message: 'Invalid URL (http or https)' },
);

const Politeness = {
  /** Seconds between two requests to one host (robots.txt Crawl-delay wins when larger). */
  delay_seconds: z.number().min(0).max(600).optional(),
  /** Requests in flight per host. */
  concurrency_per_host: z.number().int().min(1).max(16).optional(),
  retries: z.number().int().min(0).max(10).optional(),
  /** First retry waits this long, doubling each time (plus up to 50 % jitter). */
  backoff_seconds: z.number().min(0).max(600).optional(),
  /** Longest Retry-After honoured; a longer one fails the request with reason retry_after_too_long. */
  max_retry_after_seconds: z.number().min(0).max(86400).optional(),
  max_redirects: z.number().int().min(0).max(20).optional(),
  max_bytes: z.number().int().min(1).optional(),
  connect_timeout_seconds: z.number().positive().optional(),
  headers_timeout_seconds: z.number().positive().optional(),
  body_timeout_seconds: z.number().positive().optional(),
  total_timeout_seconds: z.number().positive().optional(),
  user_agent: z.string().min(1).optional(),
  /** Challenges on one host after which the rest of that host is skipped. */
  max_challenges_per_host: z.number().int().min(1).optional(),
};

export const SourceSchema = z
  .object({
    name: z.string().regex(/^[\w.-]+$/, 'use letters, digits, _ . -'),
    region: z.string().optional(),
    /** Department hint when the documents do not say. */
    department: z.string().optional(),
    year: z.number().int().min(1990).max(2100).optional(),
    start_urls: z.array(url).min(1),
    /** Defaults to the hosts of the start URLs. Entries: host, host:port or *.domain. */
    allowed_hosts: z.array(z.string().min(1)).optional(),
    patterns: z
      .object({
        listing: z.array(regex).optional(),
        detail: z.array(regex).optional(),
        attachment: z.array(regex).optional(),
        exclude: z.array(regex).optional(),
      })
      .strict()
      .optional(),
    /**
     * Budget columns found from the entry pages (crawlers/columns.ts): discover (default true) by the
     * vocabulary in crawlers/vocabulary.ts; pin: URL regexes always crawled as columns; exclude: URL
     * regexes never taken for columns; max_depth: deepest page searched for column links (default 3).
     */
    columns: z
      .object({
        discover: z.boolean().optional(),
        pin: z.array(regex).optional(),
        exclude: z.array(regex).optional(),
        max_depth: z.number().int().min(0).max(10).optional(),
      })
      .strict()
      .optional(),
    /** true: render every listing with the browser; or regexes of the listing URLs that need it. */
    browser: z.union([z.boolean(), z.array(regex)]).optional(),
    allow_private_addresses: z.boolean().optional(),
    allowed_schemes: z.array(z.enum(['http', 'https'])).optional(),
    /** Links followed from a start URL at most. */
    max_depth: z.number().int().min(0).max(20).optional(),
    max_requests: z.number().int().min(1).optional(),
    /** Also load detail pages (HTML) into the warehouse, not only attachments. */
    ingest_html: z.boolean().optional(),
    ...Politeness,
  })
  .strict();

export const SourcesFileSchema = z
  .object({
    defaults: z.object(Politeness).strict().optional(),
    sources: z.array(SourceSchema).min(1),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.sources.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'name'], message: `duplicate source name ${s.name}` });
      seen.add(s.name);
    });
  });

export type SourceConfig = z.infer<typeof SourceSchema>;
export type SourcesFile = z.infer<typeof SourcesFileSchema>;

export class ConfigError extends Error {}

const fmtPath = (p: PropertyKey[]) =>
  p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');

/** Parse and validate a sources file's text; errors name line and field. */
export function parseSources(text: string, file = 'sources.yaml'): SourcesFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = lc.linePos(e.pos[0]).line;
    throw new ConfigError(`${file}:${line}: YAML syntax: ${e.message.split('\n')[0]}`);
  }
  const r = SourcesFileSchema.safeParse(doc.toJS());
  if (r.success) return r.data;
  const msgs = r.error.issues.map((iss) => {
    // The deepest node that exists on the issue's path gives the line.
    let line = 1;
    for (let n = iss.path.length; n >= 0; n--) {
      const node = doc.getIn(iss.path as (string | number)[], true);
      const target = n === iss.path.length ? node : doc.getIn(iss.path.slice(0, n) as (string | number)[], true);
      if (isNode(target) && target.range) {
        line = lc.linePos(target.range[0]).line;
        break;
      }
    }
    // An unknown key: point at the key itself.
    if (iss.code === 'unrecognized_keys') {
      const keys = (iss as { keys: string[] }).keys;
      const idx = text.split('\n').findIndex((l, i) => i + 1 >= line && new RegExp(`^\\s*-?\\s*${keys[0]}\\s*:`).test(l));
      if (idx >= 0) line = idx + 1;
    }
    return `${file}:${line}: ${fmtPath(iss.path) || '(top level)'}: ${iss.message}`;
  });
  throw new ConfigError(msgs.join('\n'));
}

export function loadSources(path: string): SourcesFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return parseSources(text, path);
}

/** A source with every default filled in, ready for the crawler. */
export interface ResolvedSource {
  name: string;
  region: string | null;
  department: string | null;
  year: number | null;
  startUrls: string[];
  allowedHosts: string[];
  allowedSchemes: string[];
  allowPrivateAddresses: boolean;
  patterns: SourcePatterns;
  columns: ColumnRules;
  browser: boolean | RegExp[];
  maxDepth: number;
  maxRequests: number;
  ingestHtml: boolean;
  delayMs: number;
  concurrencyPerHost: number;
  retries: number;
  backoffMs: number;
  maxRetryAfterMs: number;
  maxRedirects: number;
  maxBytes: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  totalTimeoutMs: number;
  userAgent: string;
  maxChallengesPerHost: number;
}

export const DEFAULT_USER_AGENT = 'jixiao/0.1 (+budget-disclosure research crawler; polite, obeys robots.txt)';

export function resolveSource(s: SourceConfig, defaults: SourcesFile['defaults'] = {}): ResolvedSource {
  const d = { ...defaults, ...Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) } as SourceConfig;
  const re = (xs?: string[]) => (xs ?? []).map((x) => new RegExp(x, 'i'));
  return {
    name: s.name,
    region: s.region ?? null,
    department: s.department ?? null,
    year: s.year ?? null,
    startUrls: s.start_urls,
    allowedHosts: s.allowed_hosts ?? [...new Set(s.start_urls.map((u) => new URL(u).host))],
    allowedSchemes: s.allowed_schemes ?? ['http', 'https'],
    allowPrivateAddresses: s.allow_private_addresses ?? false,
    patterns: { listing: re(s.patterns?.listing), detail: re(s.patterns?.detail), attachment: re(s.patterns?.attachment), exclude: re(s.patterns?.exclude) },
    columns: {
      discover: s.columns?.discover ?? DEFAULT_COLUMN_RULES.discover,
      pin: re(s.columns?.pin),
      exclude: re(s.columns?.exclude),
      maxDepth: s.columns?.max_depth ?? DEFAULT_COLUMN_RULES.maxDepth,
    },
    browser: Array.isArray(s.browser) ? re(s.browser) : (s.browser ?? false),
    maxDepth: s.max_depth ?? 6,
    maxRequests: s.max_requests ?? 20_000,
    ingestHtml: s.ingest_html ?? false,
    delayMs: (d.delay_seconds ?? 1) * 1000,
    concurrencyPerHost: d.concurrency_per_host ?? 1,
    retries: d.retries ?? 3,
    backoffMs: (d.backoff_seconds ?? 2) * 1000,
    maxRetryAfterMs: (d.max_retry_after_seconds ?? 300) * 1000,
    maxRedirects: d.max_redirects ?? 5,
    maxBytes: d.max_bytes ?? 100 * 1024 * 1024,
    connectTimeoutMs: (d.connect_timeout_seconds ?? 10) * 1000,
    headersTimeoutMs: (d.headers_timeout_seconds ?? 30) * 1000,
    bodyTimeoutMs: (d.body_timeout_seconds ?? 30) * 1000,
    totalTimeoutMs: (d.total_timeout_seconds ?? 120) * 1000,
    userAgent: d.user_agent ?? DEFAULT_USER_AGENT,
    maxChallengesPerHost: d.max_challenges_per_host ?? 3,
  };
}

/** An ad-hoc source for `jixiao crawl URL…`: the URLs' hosts, no patterns. */
export function adhocSource(urls: string[], opts: Partial<SourceConfig> = {}): ResolvedSource {
  return resolveSource(SourceSchema.parse({ name: 'adhoc', start_urls: urls, ...opts }));
}
