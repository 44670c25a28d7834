/**
 * The whole crawler against the local portal: completeness, allowed hosts, robots Disallow and
 * Crawl-delay (from the server's own access log), each fault's reason, GBK and Chinese file names,
 * the JS listing through Chromium with the cookie handed back, then a second run that fetches
 * nothing unchanged and picks up a file changed on the server in between.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { WARCParser } from 'warcio';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crawl, type CrawlResult } from '../crawlers/crawler.ts';
import { parseSources } from '../crawlers/config.ts';
import { resolveAll } from '../crawlers/sources.ts';
import { Portal, type AccessEntry } from '../crawlers/portal/server.ts';
import type { FetchRecord } from '../crawlers/types.ts';

let portal: Portal;
let dir: string;
let first: CrawlResult;
let second: CrawlResult;
let firstLog: AccessEntry[];
let secondLog: AccessEntry[];
const CHANGED = '/czys/202602/P020260212_12313790.pdf';
const CRAWL_DELAY = 0.2;

const byUrl = (r: CrawlResult, suffix: string): FetchRecord => {
  const rec = r.records.find((x) => x.url.endsWith(suffix));
  if (!rec) throw new Error(`no record for ${suffix}`);
  return rec;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jixiao-portal-'));
  portal = await new Portal({ crawlDelay: CRAWL_DELAY, logFile: join(dir, 'access.jsonl') }).start();
  const sources = resolveAll(parseSources(portal.sourcesYaml()));
  first = await crawl({ storeDir: join(dir, 'raw'), sources });
  firstLog = readFileSync(join(dir, 'access.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  portal.change('trs', CHANGED);
  second = await crawl({ storeDir: join(dir, 'raw'), sources });
  secondLog = portal.log.slice(firstLog.length);
}, 240_000);

afterAll(async () => {
  await portal?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('first crawl of the portal', () => {
  it('fetches every attachment, byte for byte', () => {
    const expected = portal.expectedAttachments();
    expect(expected.length).toBe(38);
    const got = first.records.filter((r) => r.kind === 'attachment' && r.outcome === 'new').map((r) => r.url);
    expect([...new Set(got)].sort()).toEqual(expected);
    // Stored bytes are the served bytes (a real PDF from samples/portal).
    const rec = byUrl(first, CHANGED);
    const stored = readFileSync(join(dir, 'raw', 'objects', rec.sha256!.slice(0, 2), rec.sha256!));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(rec.sha256);
    expect(stored.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('writes every request and response to WARC, payload digests matching the store', async () => {
    const warcDir = join(dir, 'raw', 'warc');
    const files = readdirSync(warcDir).sort();
    expect(files.length).toBe(2); // one per crawl
    const types: Record<string, number> = {};
    let digestsChecked = 0;
    for await (const r of WARCParser.iterRecords(createReadStream(join(warcDir, files[0])) as never)) {
      types[r.warcType!] = (types[r.warcType!] ?? 0) + 1;
      if (r.warcType === 'response') {
        const d = r.warcHeader('WARC-Payload-Digest')!;
        expect(d).toMatch(/^sha256:[0-9a-f]{64}$/);
        // 2xx bodies are in the content-addressed store under the same digest (error pages only in the WARC).
        if (r.httpHeaders?.statusCode === 200) {
          expect(existsSync(join(dir, 'raw', 'objects', d.slice(7, 9), d.slice(7)))).toBe(true);
          digestsChecked++;
        }
      }
      await r.readFully();
    }
    // Every request the server saw from the HTTP client (not the browser's render) is in the WARC.
    expect(types.request).toBe(firstLog.filter((e) => !e.ua.includes('(rendering)')).length);
    expect(types.request).toBe((types.response ?? 0) + (types.revisit ?? 0));
    expect(digestsChecked).toBeGreaterThan(40);
    expect(types.resource).toBe(1); // the DOM Chromium rendered
  });

  it('never leaves the allowed hosts, nor follows non-http links', () => {
    expect(firstLog.filter((e) => e.site === 'foreign')).toEqual([]);
    expect(firstLog.filter((e) => e.path.includes('elsewhere'))).toEqual([]);
    expect(first.summary.offsiteLinks).toBeGreaterThanOrEqual(2);
  });

  it('obeys robots.txt Disallow and Crawl-delay (from the access log)', () => {
    expect(firstLog.filter((e) => e.path.startsWith('/private/'))).toEqual([]);
    expect(byUrl(first, '/private/secret-budget.pdf')).toMatchObject({ outcome: 'skipped', reason: 'robots_disallow' });
    const trs = firstLog.filter((e) => e.site === 'trs').sort((a, b) => a.t - b.t);
    expect(trs[0].path).toBe('/robots.txt');
    expect(trs.length).toBeGreaterThan(50);
    const gaps = trs.slice(1).map((e, i) => e.t - trs[i].t);
    const k = gaps.indexOf(Math.min(...gaps));
    // Arrival times: allow a few ms of clock / scheduling noise below the delay.
    expect(gaps[k], `closest pair: ${trs[k].path} → ${trs[k + 1].path}`).toBeGreaterThanOrEqual(CRAWL_DELAY * 1000 - 15);
  });

  it('records each fault with its reason', () => {
    const r429 = byUrl(first, '/fault/429.pdf');
    expect(r429).toMatchObject({ outcome: 'new', status: 200 });
    expect(r429.attempts).toBe(2);
    const hits = firstLog.filter((e) => e.path === '/fault/429.pdf');
    expect(hits.map((e) => e.status)).toEqual([429, 200]);
    expect(hits[1].t - hits[0].t).toBeGreaterThanOrEqual(1000); // Retry-After: 1
    expect(byUrl(first, '/fault/503.pdf')).toMatchObject({ outcome: 'failed', reason: 'http_503', attempts: 3 });
    expect(firstLog.filter((e) => e.path === '/fault/503.pdf').length).toBe(3);
    expect(byUrl(first, '/fault/slow.pdf')).toMatchObject({ outcome: 'failed', reason: 'headers_timeout' });
    expect(byUrl(first, '/fault/slowbody.pdf')).toMatchObject({ outcome: 'new', status: 200 });
    expect(byUrl(first, '/fault/loop.pdf')).toMatchObject({ outcome: 'failed', reason: 'redirect_loop' });
    expect(byUrl(first, '/fault/truncated.pdf')).toMatchObject({ outcome: 'failed', reason: 'truncated', sha256: null });
    expect(byUrl(first, '/fault/challenge.pdf')).toMatchObject({ outcome: 'failed', reason: 'antibot_ruishu', status: 412 });
    expect(first.summary.challengesByHost[`127.0.0.1:${portal.ports.trs}`]).toEqual({ antibot_ruishu: 1 });
    expect(first.summary.failedByReason).toEqual({ antibot_ruishu: 1, headers_timeout: 1, http_503: 1, redirect_loop: 1, truncated: 1 });
    // The real 长沙 listing links five units' sub-columns (/czys/zss…/): chosen as budget columns by their path.
    const units = first.records.filter((r) => /\/czys\/zss\w+\/$/.test(r.url));
    expect(units.length).toBe(5);
    expect(units.every((r) => r.kind === 'listing' && r.outcome === 'new' && /^column: path \/czys\/zss\w+\/ ~ czys$/.test(r.column_reason ?? ''))).toBe(true);
  });

  it('follows TRS createPageHTML pages, Hanweb dataproxy POSTs and ?page=N / 下一页', () => {
    for (const p of ['/czys/index_1.html', '/czys/index_2.html', '/czys/index_3.html']) expect(firstLog.some((e) => e.path === p && e.status === 200)).toBe(true);
    const posts = firstLog.filter((e) => e.method === 'POST').map((e) => e.path);
    expect(posts.sort()).toEqual(['/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3', '/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=7&perpage=3']);
    expect(firstLog.some((e) => e.site === 'gbk' && e.path === '/list?page=2')).toBe(true);
  });

  it('decodes GBK pages despite a utf-8 header, and Chinese file names', () => {
    const show = byUrl(first, '/show?id=3');
    expect(show.encoding).toBe('gb18030');
    expect(show.anchor).toBe('苏州市第3局2026年部门预算公开');
    expect(byUrl(first, '/download?id=3').filename).toBe('苏州市第3局2026年部门预算.pdf');
    expect(byUrl(first, 'filename=260215.pdf').filename).toBe('湖州市第5部门2026年部门预算.pdf');
  });

  it('renders the JS listing in Chromium and hands its cookie to the HTTP client', () => {
    const files = firstLog.filter((e) => e.site === 'js' && e.path.startsWith('/files/'));
    expect(files.map((e) => e.status)).toEqual([200, 200, 200]);
  });
});

describe('second crawl', () => {
  it('fetches nothing unchanged and picks up the changed file', () => {
    expect(second.resumed).toBe(false);
    expect(second.summary.new).toBe(0);
    expect(second.records.filter((r) => r.outcome === 'changed').map((r) => r.url)).toEqual([portal.url('trs', CHANGED)]);
    // Every attachment request was conditional, and only the changed one got a body.
    const att = secondLog.filter((e) => /\.pdf|download/.test(e.path) && e.status !== 429 && !e.path.startsWith('/fault/'));
    expect(att.length).toBe(portal.expectedAttachments().length - 2); // minus the two /fault/ files
    expect(att.every((e) => e.conditional)).toBe(true);
    expect(att.filter((e) => e.status === 200).map((e) => e.path)).toEqual([CHANGED]);
    expect(att.filter((e) => e.status === 304).length).toBe(att.length - 1);
    // GET pages with an ETag came back 304 too; their stored bytes still fed link discovery.
    // (The browser's own load of the JS listing is the one exception: a render, not a fetch.)
    expect(secondLog.filter((e) => e.method === 'GET' && /\.html$|\/list\?|\/show\?/.test(e.path) && e.status === 200 && !e.ua.includes('(rendering)'))).toEqual([]);
    expect(secondLog.filter((e) => e.ua.includes('(rendering)')).map((e) => e.path)).toEqual(['/list.html']);
    expect(second.summary.attachments).toBe(first.summary.attachments);
  });
});
