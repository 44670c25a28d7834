/**
 * Limits and safety on a tiny local server: maximum size (declared and streamed), a
 * Retry-After too long to wait for, redirects (followed within the host, refused off it), 404
 * without retries, and private addresses refused before any byte is sent unless allowed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { crawl, type CrawlResult } from '../crawlers/crawler.ts';
import { resolveSource, SourceSchema } from '../crawlers/config.ts';

let server: Server;
let port: number;
let dir: string;
const hits: string[] = [];
const BIG = Buffer.alloc(2_000_000, 0x41);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jixiao-limits-'));
  server = createServer((req, res) => {
    hits.push(req.url!);
    const links = ['big.pdf', 'chunked.pdf', 'wait.pdf', 'out.pdf', 'moved.pdf', 'missing.pdf'];
    switch (req.url) {
      case '/':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(`<html><body>${links.map((l) => `<a href="/${l}">${l}</a>`).join('')}</body></html>`);
      case '/big.pdf':
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(BIG.length) });
        return res.end(BIG);
      case '/chunked.pdf':
        res.writeHead(200, { 'content-type': 'application/pdf' }); // no Content-Length: counted while reading
        for (let i = 0; i < 20; i++) res.write(BIG.subarray(0, 100_000));
        return res.end();
      case '/wait.pdf':
        res.writeHead(503, { 'retry-after': '3600' });
        return res.end('busy');
      case '/out.pdf':
        res.writeHead(302, { location: `http://127.0.0.2:${port}/elsewhere.pdf` });
        return res.end();
      case '/moved.pdf':
        res.writeHead(301, { location: '/final/budget.pdf' });
        return res.end();
      case '/final/budget.pdf':
        res.writeHead(200, { 'content-type': 'application/pdf' });
        return res.end('%PDF-1.4 small\n%%EOF\n');
      default:
        res.writeHead(404);
        return res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const source = (over: object) =>
  resolveSource(SourceSchema.parse({ name: 's', start_urls: [`http://127.0.0.1:${port}/`], delay_seconds: 0, retries: 2, backoff_seconds: 0.01, max_bytes: 1_000_000, max_retry_after_seconds: 5, ...over }));
const rec = (r: CrawlResult, path: string) => r.records.find((x) => new URL(x.url).pathname === path)!;

it('enforces size, Retry-After, redirect and 404 rules', async () => {
  const r = await crawl({ storeDir: join(dir, 'a'), sources: [source({ allow_private_addresses: true })] });
  expect(rec(r, '/big.pdf')).toMatchObject({ outcome: 'failed', reason: 'too_large', attempts: 1 });
  expect(rec(r, '/chunked.pdf')).toMatchObject({ outcome: 'failed', reason: 'too_large' });
  expect(rec(r, '/wait.pdf')).toMatchObject({ outcome: 'failed', reason: 'retry_after_too_long', status: 503 });
  expect(rec(r, '/out.pdf')).toMatchObject({ outcome: 'failed', reason: 'redirect_host_not_allowed' });
  expect(rec(r, '/moved.pdf')).toMatchObject({ outcome: 'new', redirects: 1, final_url: `http://127.0.0.1:${port}/final/budget.pdf`, filename: 'budget.pdf' });
  expect(rec(r, '/missing.pdf')).toMatchObject({ outcome: 'failed', reason: 'http_404', attempts: 1 });
  expect(hits.filter((h) => h === '/missing.pdf').length).toBe(1);
  expect(hits.filter((h) => h === '/wait.pdf').length).toBe(1);
  expect(hits).not.toContain('/elsewhere.pdf');
});

it('refuses loopback addresses unless the source allows them — before sending anything', async () => {
  const before = hits.length;
  const literal = await crawl({ storeDir: join(dir, 'b'), sources: [source({})] });
  expect(literal.records.map((x) => [x.outcome, x.reason])).toEqual([['skipped', 'private_address']]);
  // A host name that resolves to loopback is refused at connect time.
  const named = await crawl({ storeDir: join(dir, 'c'), sources: [source({ start_urls: [`http://localhost:${port}/`] })] });
  expect(named.records.filter((x) => x.kind !== 'robots').map((x) => [x.outcome, x.reason])).toEqual([['skipped', 'private_address']]);
  expect(named.records.find((x) => x.kind === 'robots')).toMatchObject({ reason: 'private_address' });
  expect(hits.length).toBe(before);
});
