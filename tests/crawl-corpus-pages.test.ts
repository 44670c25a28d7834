/**
 * All 156 saved pages of real budget sites (tests/corpus/html, MANIFEST.tsv): the crawler's
 * discovery yields exactly the attachments each page has. "Has" is counted independently of
 * crawlers/discover.ts: every href / src whose path ends in a document extension. Where the
 * crawler finds more (download endpoints without an extension, links built by script), the page
 * is listed in tests/expected/html-attachments.tsv with the URL shape and the reason; a page
 * missing an attachment, or finding one not explained there, fails.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeHtml } from '../crawlers/crawler.ts';
import { discoverPageLinks } from '../crawlers/discover.ts';
import { CORPUS } from './helpers/paths.ts';

const HTML = join(CORPUS, 'html');
const BASE = 'https://example.gov.cn/col/index.html';
const tsv = (p: string) => readFileSync(p, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
const pages = tsv(join(HTML, 'MANIFEST.tsv'));
const explained = new Map(tsv(resolve(import.meta.dirname, 'expected', 'html-attachments.tsv')).map(([file, n, re, why]) => [file, { n: Number(n), re: new RegExp(re), why }]));

/** Independent count: href / src values whose path ends in a document extension. */
function documentHrefs(html: string): Set<string> {
  const out = new Set<string>();
  for (const m of html.matchAll(/(?:href|src)\s*=\s*["']([^"']+)["']/gi)) {
    try {
      const u = new URL(m[1].trim(), BASE);
      u.hash = '';
      if (/\.(pdf|docx?|xlsx?|wps|et|ofd|zip|rar|7z)$/i.test(decodeURIComponent(u.pathname))) out.add(u.toString());
    } catch {
      /* not a URL */
    }
  }
  return out;
}

describe('every saved page yields the attachments it has', () => {
  it('covers all 156 pages', () => {
    expect(pages.length).toBe(156);
    for (const f of explained.keys()) expect(pages.some((p) => p[0] === f), f).toBe(true);
  });

  it.each(pages.map((p) => [p[0]]))('%s', (file) => {
    const html = decodeHtml(readFileSync(join(HTML, file)), null).text;
    const found = new Set(discoverPageLinks(html, BASE, 'detail').filter((l) => l.kind === 'attachment').map((l) => l.url));
    const has = documentHrefs(html);
    expect([...has].filter((u) => !found.has(u)), 'missed').toEqual([]);
    const extra = [...found].filter((u) => !has.has(u));
    const e = explained.get(file);
    expect(extra.length, `unexplained extra attachments: ${extra.join(' ')}`).toBe(e?.n ?? 0);
    if (e) for (const u of extra) expect(new URL(u).pathname + new URL(u).search, e.why).toMatch(e.re);
  });
});
