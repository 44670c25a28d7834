/**
 * config/sources.yaml, the catalog of real sources: it validates; every entry's start URL comes
 * from the links of the saved page it names (tests/expected/sources-pages.tsv) — a budget column
 * that page links, or the listing the page itself is; and, offline, that saved page served on
 * loopback at the entry's start URL (its links to its own host mapped there too) makes the crawler
 * request exactly the attachment links the page has (counted independently: hrefs ending in a
 * document extension). Nothing here contacts the sites.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSources, resolveSource } from '../crawlers/config.ts';
import { crawl, decodeHtml } from '../crawlers/crawler.ts';
import { DEFAULT_COLUMN_RULES, findColumns } from '../crawlers/columns.ts';
import { discoverLinks } from '../crawlers/discover.ts';
import { CORPUS } from './helpers/paths.ts';

const CATALOG = resolve(import.meta.dirname, '..', 'config', 'sources.yaml');
const file = loadSources(CATALOG);
const pages = new Map(
  readFileSync(resolve(import.meta.dirname, 'expected', 'sources-pages.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t') as [string, string]),
);
const html = (f: string) => decodeHtml(readFileSync(join(CORPUS, 'html', f)), null).text;

/** Independent count: hrefs / srcs whose path ends in a document extension, on the given origin. */
function documentHrefs(page: string, base: string): Set<string> {
  const out = new Set<string>();
  for (const m of page.matchAll(/(?:href|src)\s*=\s*["']([^"']+)["']/gi)) {
    try {
      const u = new URL(m[1].trim(), base);
      u.hash = '';
      if (u.origin === new URL(base).origin && /\.(pdf|docx?|xlsx?|wps|et|ofd|zip|rar|7z)$/i.test(decodeURIComponent(u.pathname))) out.add(u.pathname + u.search);
    } catch {
      /* not a URL */
    }
  }
  return out;
}

let server: Server;
let port = 0;
let dir: string;
/** path → page served (the saved page, its own origin mapped to loopback). */
const served = new Map<string, string>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jixiao-catalog-'));
  server = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('config/sources.yaml', () => {
  it('validates, and names a saved page for every entry', () => {
    expect(file.sources.length).toBeGreaterThanOrEqual(10);
    expect(file.sources.map((s) => s.name).sort()).toEqual([...pages.keys()].sort());
    for (const s of file.sources) expect(resolveSource(s, file.defaults).allowPrivateAddresses).toBe(false);
  });

  it.each(file.sources.map((s) => [s.name]))('%s: its start URLs are in its saved page, which served offline yields the attachments it has', async (name) => {
    const src = file.sources.find((s) => s.name === name)!;
    const page = html(pages.get(name)!);
    for (const start of src.start_urls) {
      const origin = new URL(start).origin;
      // Provenance: a budget column the page links, or the listing the page itself is (its own pagination).
      const cols = findColumns(page, `${origin}/`, DEFAULT_COLUMN_RULES, false).map((c) => c.url);
      const ownPages = discoverLinks(page, start, 'listing').filter((l) => l.kind === 'listing' && l.via === 'trs' && l.url.startsWith(start.replace(/[^/]*$/, '')));
      expect(cols.includes(start) || ownPages.length > 0, `${start} not linked from ${pages.get(name)}`).toBe(true);

      const u = new URL(start);
      const path = u.pathname + u.search;
      const loop = `http://127.0.0.1:${port}`;
      served.set(path, page.split(origin).join(loop));
      const resolved = resolveSource(
        { ...src, name: `${name}-offline`, start_urls: [`${loop}${path}`], allowed_hosts: [`127.0.0.1:${port}`], allow_private_addresses: true, max_depth: 1, delay_seconds: 0, retries: 0, columns: { discover: false } },
        {},
      );
      const r = await crawl({ storeDir: join(dir, name, String(src.start_urls.indexOf(start))), sources: [resolved] });
      const got = new Set(r.records.filter((x) => x.kind === 'attachment').map((x) => new URL(x.url).pathname + new URL(x.url).search));
      const want = documentHrefs(page.split(origin).join(loop), `${loop}${path}`);
      expect([...got].sort(), `${name} ${path}`).toEqual([...want].sort());
    }
  }, 60_000);
});
