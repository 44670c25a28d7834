/**
 * A hostile server, beside the portal's ordinary faults (crawl-portal.test.ts): each route
 * misbehaves in one way a real server (or an attacker) can, and each must end as a `fetches`
 * record with its reason while the good documents linked beside it arrive intact:
 *
 *   slowloris      a body that trickles one byte every 100 ms and never ends
 *   gzip bomb      Content-Encoding: gzip, 200 KB on the wire, 200 MB decompressed
 *   huge headers   4 MB of response headers
 *   redirect chain 127.0.0.1 → localhost → 127.0.0.1 → 127.0.0.2 (not allowed); and one that stays allowed
 *   Content-Length lies: longer than the body (connection closed early: truncated), shorter than
 *                  the body (HTTP cannot tell; the PDF lacks its %%EOF: incomplete_document)
 *   soft error     200 text/html "页面不存在" where a PDF was linked
 *   TLS            an HTTPS source with a self-signed certificate
 *
 * The server speaks raw HTTP/1.1 over net (not node:http) so it can lie. Loopback only.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawl, type CrawlResult } from '../crawlers/crawler.ts';
import { resolveSource, SourceSchema } from '../crawlers/config.ts';
import { CORPUS } from './helpers/paths.ts';

let dir: string;
let server: Server;
let tls: HttpsServer;
let port: number;
let tlsPort: number;
const sockets = new Set<Socket>();
const hits: string[] = [];
let result: CrawlResult;

// Real documents, so "intact" means the same bytes as the file.
const GOOD = {
  '/good/a.pdf': readFileSync(join(CORPUS, 'pdf', readFileSync(join(CORPUS, 'pdf', 'MANIFEST.tsv'), 'utf8').split('\n')[1].split('\t')[0])),
  '/good/b.pdf': Buffer.from('%PDF-1.4\n% a small second document\n%%EOF\n'),
  '/good/gz.pdf': Buffer.from('%PDF-1.4\n% sent gzip-encoded, honestly\n%%EOF\n'),
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const BOMB = gzipSync(Buffer.alloc(200 * 1024 * 1024), { level: 9 });

const LINKS = [
  '/good/a.pdf',
  '/slowloris.pdf',
  '/bomb.pdf',
  '/bigheaders.pdf',
  '/chain/1.pdf',
  '/chainok/1.pdf',
  '/long-cl.pdf',
  '/short-cl.pdf',
  '/soft404.pdf',
  '/good/gz.pdf',
  '/good/b.pdf',
];

function send(s: Socket, status: string, headers: Record<string, string | number>, body?: Buffer | string) {
  const head = `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\nconnection: close\r\n\r\n`;
  s.write(head);
  if (body !== undefined) s.write(body);
  s.end();
}

function route(s: Socket, path: string) {
  hits.push(path);
  const good = GOOD[path as keyof typeof GOOD];
  if (path === '/good/gz.pdf') return send(s, '200 OK', { 'content-type': 'application/pdf', 'content-encoding': 'gzip', 'content-length': gzipSync(good).length }, gzipSync(good));
  if (good) return send(s, '200 OK', { 'content-type': 'application/pdf', 'content-length': good.length }, good);
  switch (path) {
    case '/robots.txt':
      return send(s, '404 Not Found', { 'content-length': 0 }, '');
    case '/':
      return send(s, '200 OK', { 'content-type': 'text/html; charset=utf-8' }, `<html><body><h1>2026年部门预算</h1>${LINKS.map((l) => `<a href="${l}">附件${l}</a>`).join('\n')}</body></html>`);
    case '/slowloris.pdf': {
      s.write('HTTP/1.1 200 OK\r\ncontent-type: application/pdf\r\nconnection: close\r\n\r\n%PDF-1.4\n');
      const t = setInterval(() => (s.destroyed ? clearInterval(t) : s.write('x')), 100);
      s.on('close', () => clearInterval(t));
      return;
    }
    case '/bomb.pdf':
      return send(s, '200 OK', { 'content-type': 'application/pdf', 'content-encoding': 'gzip', 'content-length': BOMB.length }, BOMB);
    case '/bigheaders.pdf': {
      const lines = Array.from({ length: 4096 }, (_, i) => `x-filler-${i}: ${'a'.repeat(1000)}`).join('\r\n');
      s.write(`HTTP/1.1 200 OK\r\ncontent-type: application/pdf\r\n${lines}\r\ncontent-length: 8\r\nconnection: close\r\n\r\n%PDF-1.4`);
      return s.end();
    }
    case '/chain/1.pdf':
      return send(s, '302 Found', { location: `http://localhost:${port}/chain/2.pdf`, 'content-length': 0 }, '');
    case '/chain/2.pdf':
      return send(s, '302 Found', { location: `http://127.0.0.1:${port}/chain/3.pdf`, 'content-length': 0 }, '');
    case '/chain/3.pdf':
      return send(s, '302 Found', { location: `http://127.0.0.2:${port}/chain/4.pdf`, 'content-length': 0 }, '');
    case '/chainok/1.pdf':
      return send(s, '301 Moved Permanently', { location: `http://localhost:${port}/chainok/2.pdf`, 'content-length': 0 }, '');
    case '/chainok/2.pdf':
      return send(s, '302 Found', { location: `http://127.0.0.1:${port}/good/b.pdf?via=chain`, 'content-length': 0 }, '');
    case '/long-cl.pdf':
      s.write('HTTP/1.1 200 OK\r\ncontent-type: application/pdf\r\ncontent-length: 100000\r\nconnection: close\r\n\r\n%PDF-1.4 only a little of it');
      return s.end();
    case '/short-cl.pdf':
      s.write(`HTTP/1.1 200 OK\r\ncontent-type: application/pdf\r\ncontent-length: 20\r\n\r\n%PDF-1.4 then much more than twenty bytes${'!'.repeat(5000)}`);
      return s.end();
    case '/soft404.pdf':
      return send(s, '200 OK', { 'content-type': 'text/html; charset=utf-8' }, '<!DOCTYPE html><html><head><title>错误</title></head><body><h1>页面不存在</h1><p>您访问的页面不存在或已被删除。</p></body></html>');
    default:
      return send(s, '404 Not Found', { 'content-length': 0 }, '');
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jixiao-hostile-'));
  server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let buf = '';
    s.on('data', (d) => {
      if (buf.includes('\r\n\r\n')) return;
      buf += d.toString('latin1');
      if (buf.includes('\r\n\r\n')) route(s, buf.split(' ')[1].replace(/\?.*/, ''));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;

  // A self-signed certificate made here, for 127.0.0.1.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    hits.push(`tls ${req.url}`);
    res.end('<html><a href="/x.pdf">x</a></html>');
  });
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', () => r()));
  tlsPort = (tls.address() as AddressInfo).port;

  const common = { delay_seconds: 0, retries: 1, backoff_seconds: 0.01, allow_private_addresses: true, body_timeout_seconds: 1, total_timeout_seconds: 3, max_bytes: 5_000_000 };
  const hostile = resolveSource(SourceSchema.parse({ name: 'hostile', start_urls: [`http://127.0.0.1:${port}/`], allowed_hosts: [`127.0.0.1:${port}`, `localhost:${port}`], ...common }));
  const https = resolveSource(SourceSchema.parse({ name: 'tls', start_urls: [`https://127.0.0.1:${tlsPort}/`], ...common }));
  result = await crawl({ storeDir: join(dir, 'store'), sources: [hostile, https] });
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
  tls.closeAllConnections();
  await new Promise((r) => tls.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const rec = (path: string) => {
  const r = result.records.find((x) => x.source === 'hostile' && x.kind !== 'robots' && new URL(x.url).pathname === path && !x.url.includes('?'));
  expect(r, path).toBeDefined();
  return r!;
};

describe('a hostile server', () => {
  it('slowloris: a body that never ends is cut at the total deadline', () => {
    expect(rec('/slowloris.pdf')).toMatchObject({ outcome: 'failed', reason: 'timeout' });
    expect(rec('/slowloris.pdf').elapsed_ms).toBeLessThan(15_000);
  });

  it('gzip bomb: decompression stops at max_bytes', () => {
    expect(rec('/bomb.pdf')).toMatchObject({ outcome: 'failed', reason: 'decompressed_too_large' });
  });

  it('an honest gzip body is stored decompressed', () => {
    expect(rec('/good/gz.pdf')).toMatchObject({ outcome: 'new', sha256: sha(GOOD['/good/gz.pdf']), bytes: GOOD['/good/gz.pdf'].length });
  });

  it('megabytes of headers are refused', () => {
    expect(rec('/bigheaders.pdf')).toMatchObject({ outcome: 'failed', reason: 'headers_too_large' });
  });

  it('a redirect chain through allowed hosts stops at the first host not allowed', () => {
    expect(rec('/chain/1.pdf')).toMatchObject({ outcome: 'failed', reason: 'redirect_host_not_allowed' });
    expect(hits).toContain('/chain/3.pdf');
    expect(hits).not.toContain('/chain/4.pdf');
    expect(rec('/chainok/1.pdf')).toMatchObject({ outcome: 'new', redirects: 2, sha256: sha(GOOD['/good/b.pdf']), final_url: `http://127.0.0.1:${port}/good/b.pdf?via=chain` });
  });

  it('a Content-Length that lies either way is caught', () => {
    expect(rec('/long-cl.pdf')).toMatchObject({ outcome: 'failed', reason: 'truncated' });
    expect(rec('/short-cl.pdf')).toMatchObject({ outcome: 'failed', reason: 'incomplete_document' });
  });

  it('a 200 HTML error page where a PDF was linked is not taken for the PDF', () => {
    expect(rec('/soft404.pdf')).toMatchObject({ outcome: 'failed', reason: 'html_instead_of_document', status: 200 });
  });

  it('a self-signed certificate is a TLS failure', () => {
    const r = result.records.find((x) => x.source === 'tls' && x.kind !== 'robots') ?? result.records.find((x) => x.source === 'tls')!;
    expect(r).toMatchObject({ outcome: 'skipped', reason: 'tls' });
    expect(result.records.find((x) => x.source === 'tls' && x.kind === 'robots')).toMatchObject({ outcome: 'failed', reason: 'tls' });
    expect(hits.filter((h) => h.startsWith('tls '))).toEqual([]);
  });

  it('the rest of the crawl is unharmed: the good documents arrive intact', () => {
    for (const p of ['/good/a.pdf', '/good/b.pdf'] as const) expect(rec(p)).toMatchObject({ outcome: 'new', sha256: sha(GOOD[p]), bytes: GOOD[p].length });
    expect(rec('/')).toMatchObject({ outcome: 'new', links: LINKS.length });
    // every link ended as one record with an outcome, none lost
    for (const l of LINKS) expect(['new', 'failed'], l).toContain(rec(l).outcome);
  });
});
