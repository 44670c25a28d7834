/**
 * `jixiao crawl http://HOST/ --allow-private` — the entry page only, no other flag — as a new
 * user runs it, in a child process, against both test portals: portal 2 (crawlers/portal2/, a
 * front page → 政府信息公开 hub → TRS-like, Hanweb, GBK and script-filled columns) and each site
 * of portal 1 from its front page. Every attachment is fetched, with robots.txt (Disallow,
 * Crawl-delay) and the allowed host kept, judged from the servers' own access logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Portal, type SiteName } from '../crawlers/portal/server.ts';
import { Portal2 } from '../crawlers/portal2/server.ts';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '..', 'bin', 'jixiao.mjs');
const CRAWL_DELAY = 1.1; // portal 2's robots.txt: longer than the ad-hoc default of 1 s
const SITES: SiteName[] = ['trs', 'hanweb', 'js', 'gbk'];

let dir: string;
let p1: Portal;
let p2: Portal2;
const out: Record<string, string> = {};

async function crawlEntry(name: string, url: string) {
  const cwd = join(dir, name);
  mkdirSync(cwd, { recursive: true });
  const r = await run(process.execPath, [BIN, 'crawl', url, '--allow-private'], { cwd, timeout: 400_000, maxBuffer: 1 << 24, env: { ...process.env, NO_COLOR: '1' } });
  out[name] = r.stdout;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jixiao-entry-'));
  p1 = await new Portal({ crawlDelay: 0.2, faults: false }).start();
  p2 = await new Portal2({ crawlDelay: CRAWL_DELAY }).start();
  await Promise.all([crawlEntry('portal2', p2.url('/')), ...SITES.map((s) => crawlEntry(s, p1.url(s, '/')))]);
}, 420_000);

afterAll(async () => {
  await p1?.stop();
  await p2?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('portal 2 from its front page', () => {
  it('fetches every attachment of the four columns', () => {
    const want = p2.expectedAttachments();
    expect(want.length).toBe(15 + 3 + 10 + 9 + 7 + 3);
    const got = new Set(p2.log.filter((e) => e.host === 'main' && e.status === 200).map((e) => p2.url(e.path)));
    expect(want.filter((u) => !got.has(u))).toEqual([]);
  });

  it('reaches the columns by their names, says which and why', () => {
    const s = out.portal2;
    expect(s).toContain('budget columns chosen from the entry pages');
    for (const [path, why] of [
      ['/zfxxgk/index.html', 'hub: text "政府信息公开" ~ 政府信息公开'],
      ['/zfxxgk/czyjs/bmys/index.html', 'column: text "部门预算" ~ 部门预算'],
      ['/col/col3301/index.html', 'column: text "部门决算" ~ 部门决算'],
      ['/dwys/list.php?p=1', 'column: text "单位预算" ~ 单位预算'],
      ['/jxmb/', 'column: text "绩效目标" ~ 绩效目标'],
      ['/sgjf/', 'column: text "三公经费" ~ 三公经费'],
    ])
      expect(s).toMatch(new RegExp(`${p2.url(path).replace(/[.?]/g, '\\$&')}\\s.*${why.replace(/[.?()]/g, '\\$&')}`));
    // Not budget columns: procurement, the yearly report, the news.
    expect(p2.log.some((e) => /zfcg|ndbg/.test(e.path))).toBe(false);
  });

  it('reads the first Hanweb records from the inline <datastore>, the rest through dataproxy.jsp with ajaxParam', () => {
    const posts = p2.log.filter((e) => e.method === 'POST');
    expect(posts.map((e) => [e.path, e.status])).toEqual([['/module/web/jpage/dataproxy.jsp?startrecord=5&endrecord=10&perpage=4', 200]]);
    for (let n = 1; n <= 4; n++) expect(p2.log.some((e) => e.path === `/art/2025/8/${n}/art_3301_${6600 + n}.html`)).toBe(true);
  });

  it('fills a script listing from the JSON API its script names, without a browser; renders one whose API refuses the crawler', () => {
    expect(p2.log.filter((e) => e.path.startsWith('/api/articles')).map((e) => e.path).sort()).toEqual(['/api/articles?channel=jxmb&page=1', '/api/articles?channel=jxmb&page=2']);
    const rendered = p2.log.filter((e) => e.ua.includes('(rendering)'));
    expect(rendered.some((e) => e.path.startsWith('/jxmb/') || e.path.startsWith('/api/articles'))).toBe(false);
    // /api/sgjf answers only the page's own script (X-Requested-With): 403 to the crawler, then Chromium.
    const sg = p2.log.filter((e) => e.path === '/api/sgjf?page=1').map((e) => [e.status, e.ua.includes('(rendering)')]);
    expect(sg).toEqual([
      [403, false],
      [200, true],
    ]);
    expect(rendered.filter((e) => e.path === '/sgjf/').length).toBe(1);
  });

  it('keeps robots.txt (Disallow, Crawl-delay) and the allowed host', () => {
    // The HTTP client's requests (the page Chromium renders loads its own subresources, as in tests/crawl-portal.test.ts).
    const main = p2.log.filter((e) => e.host === 'main' && !e.ua.includes('(rendering)')).sort((a, b) => a.t - b.t);
    expect(main[0].path).toBe('/robots.txt');
    expect(p2.log.some((e) => e.path.startsWith('/admin/'))).toBe(false);
    expect(p2.log.filter((e) => e.host === 'foreign')).toEqual([]);
    const gaps = main.slice(1).map((e, i) => e.t - main[i].t);
    const k = gaps.indexOf(Math.min(...gaps));
    expect(gaps[k], `closest pair: ${main[k].path} → ${main[k + 1].path}`).toBeGreaterThanOrEqual(CRAWL_DELAY * 1000 - 15);
  });
});

describe('portal 1 from each site’s front page', () => {
  it.each(SITES)('%s: every attachment', (site) => {
    const want = p1.expectedAttachments(site);
    expect(want.length).toBeGreaterThan(0);
    const got = new Set(p1.log.filter((e) => e.site === site && e.status === 200).map((e) => p1.url(site, e.path)));
    expect(want.filter((u) => !got.has(u))).toEqual([]);
  });

  it('renders the script-built listing of the js site in Chromium (no endpoint to call), and no other', () => {
    const rendered = p1.log.filter((e) => e.ua.includes('(rendering)'));
    expect(rendered.some((e) => e.site === 'js' && e.path === '/list.html')).toBe(true);
    expect(rendered.every((e) => e.site === 'js')).toBe(true);
  });

  it('stays on each site and obeys its robots.txt', () => {
    expect(p1.log.filter((e) => e.site === 'foreign')).toEqual([]);
    expect(p1.log.some((e) => e.path.startsWith('/private/'))).toBe(false);
    for (const site of SITES) {
      const hits = p1.log.filter((e) => e.site === site && !e.ua.includes('(rendering)')).sort((a, b) => a.t - b.t);
      expect(hits[0].path).toBe('/robots.txt');
      const gaps = hits.slice(1).map((e, i) => e.t - hits[i].t);
      // The ad-hoc default delay (1 s) is the larger one here.
      expect(Math.min(...gaps), site).toBeGreaterThanOrEqual(1000 - 15);
    }
  });
});
