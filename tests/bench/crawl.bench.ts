/**
 * Crawl throughput and memory against a local farm of many hosts (loopback only: 127.0.0.10 …
 * 127.0.0.N, one node:http server each), jixiao's crawler side by side with Crawlee's
 * CheerioCrawler (@crawlee/cheerio, a devDependency) at the same per-host limits: one request
 * in flight per host and the same delay between requests to a host (Crawlee: sameDomainDelaySecs,
 * maxConcurrency = hosts). Each crawler runs in its own child process, which samples its own RSS.
 *
 * Each host: 5 listing pages (下一页 chain), 10 article pages per listing, one PDF-like
 * attachment per article (30 KB) — 105 URLs per host. jixiao also fetches robots.txt per host,
 * stores every body content-addressed, writes WARC records and its frontier journal; Crawlee
 * keeps its queue in memory (persistStorage false) and stores nothing.
 *
 * Environment: JIXIAO_BENCH_HOSTS (default 20), JIXIAO_BENCH_DELAY (seconds, default 0.05).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

const LISTINGS = 5;
const PER_LISTING = 10;
const FILE_BYTES = 30_000;

function fileBody(path: string): Buffer {
  const b = Buffer.alloc(FILE_BYTES, 0x20);
  b.write('%PDF-1.4\n', 0);
  b.write(path.repeat(Math.ceil(FILE_BYTES / path.length / 2)).slice(0, FILE_BYTES / 2), 16);
  return b;
}

async function startFarm(hosts: number): Promise<{ origins: string[]; servers: Server[]; hits: () => number }> {
  let hits = 0;
  const servers: Server[] = [];
  const origins: string[] = [];
  let port = 0;
  for (let i = 0; i < hosts; i++) {
    const ip = `127.0.0.${10 + i}`;
    const server = createServer((req, res) => {
      hits++;
      const u = new URL(req.url ?? '/', 'http://x');
      const list = /^\/list\/(\d+)\.html$/.exec(u.pathname);
      const art = /^\/art\/(\d+)-(\d+)\.html$/.exec(u.pathname);
      const file = /^\/files\/(\d+)-(\d+)\.pdf$/.exec(u.pathname);
      const html = (s: string) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>预算公开</title></head><body>${s}</body></html>`);
      };
      if (list) {
        const p = Number(list[1]);
        if (p < 1 || p > LISTINGS) return res.writeHead(404).end();
        const items = Array.from({ length: PER_LISTING }, (_, k) => `<li><a href="/art/${p}-${k}.html">第${p}-${k}号单位2026年部门预算公开</a></li>`).join('');
        return html(`<ul>${items}</ul>${p < LISTINGS ? `<a href="/list/${p + 1}.html">下一页</a>` : ''}`);
      }
      if (art) return html(`<h1>部门预算</h1><a href="/files/${art[1]}-${art[2]}.pdf">附件下载.pdf</a>`);
      if (file) {
        res.writeHead(200, { 'content-type': 'application/pdf' });
        return res.end(fileBody(`${ip}${u.pathname}`));
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    });
    await new Promise<void>((r, j) => {
      server.once('error', j);
      server.listen(port, ip, () => r());
    });
    port = (server.address() as AddressInfo).port; // same port on every address
    servers.push(server);
    origins.push(`http://${ip}:${port}`);
  }
  return { origins, servers, hits: () => hits };
}

interface WorkerResult {
  crawler: string;
  requests: number;
  seconds: number;
  peakRssMb: number;
  failed: number;
}

/** Runs inside the child process. */
async function worker(which: string, origins: string[], delay: number): Promise<WorkerResult> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const t0 = performance.now();
  let requests = 0;
  let failed = 0;
  if (which === 'jixiao') {
    const { crawl } = await import('../../crawlers/crawler.ts');
    const { resolveSource, SourceSchema } = await import('../../crawlers/config.ts');
    const dir = mkdtempSync(join(tmpdir(), 'jixiao-bench-'));
    try {
      const src = resolveSource(
        SourceSchema.parse({
          name: 'farm',
          start_urls: origins.map((o) => `${o}/list/1.html`),
          allowed_hosts: origins.map((o) => new URL(o).host),
          allow_private_addresses: true,
          delay_seconds: delay,
          concurrency_per_host: 1,
          retries: 1,
        }),
      );
      const r = await crawl({ storeDir: dir, sources: [src] });
      requests = r.records.length; // including robots.txt
      failed = r.summary.failed;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    const { CheerioCrawler, Configuration } = await import('@crawlee/cheerio');
    const config = new Configuration({ persistStorage: false, purgeOnStart: true });
    const crawler = new CheerioCrawler(
      {
        maxConcurrency: origins.length,
        sameDomainDelaySecs: delay,
        maxRequestRetries: 1,
        additionalMimeTypes: ['application/pdf'],
        respectRobotsTxtFile: true,
        async requestHandler({ enqueueLinks, body, contentType }) {
          requests++;
          void body;
          if (/html/.test(contentType.type)) await enqueueLinks({ strategy: 'same-hostname' });
        },
        failedRequestHandler() {
          failed++;
        },
      },
      config,
    );
    await crawler.run(origins.map((o) => `${o}/list/1.html`));
  }
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { crawler: which, requests, seconds: (performance.now() - t0) / 1000, peakRssMb: peak / 2 ** 20, failed };
}

function runChild(which: string, origins: string[], delay: number): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', which, JSON.stringify(origins), String(delay)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CRAWLEE_LOG_LEVEL: 'ERROR', CRAWLEE_PERSIST_STORAGE: 'false', CRAWLEE_STORAGE_DIR: mkdtempSync(join(tmpdir(), 'crawlee-bench-')) },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)));
      else reject(new Error(`${which} worker failed (exit ${code}): ${err.slice(-2000)}`));
    });
  });
}

export async function run() {
  const hosts = Number(process.env.JIXIAO_BENCH_HOSTS ?? 20);
  const delay = Number(process.env.JIXIAO_BENCH_DELAY ?? 0.05);
  const farm = await startFarm(hosts);
  try {
    const urls = hosts * (LISTINGS + LISTINGS * PER_LISTING * 2);
    console.log(`farm: ${hosts} hosts on 127.0.0.10–127.0.0.${9 + hosts}, ${urls} URLs (${LISTINGS} listings, ${LISTINGS * PER_LISTING} articles, ${LISTINGS * PER_LISTING} files of ${FILE_BYTES / 1000} KB per host); per host: 1 in flight, ${delay} s between requests`);
    const results: WorkerResult[] = [];
    for (const which of ['jixiao', 'crawlee']) {
      const before = farm.hits();
      try {
        const r = await runChild(which, farm.origins, delay);
        results.push(r);
        console.log(
          `${which.padEnd(8)} ${String(r.requests).padStart(5)} requests (${farm.hits() - before} served) in ${r.seconds.toFixed(1).padStart(5)} s = ${(r.requests / r.seconds).toFixed(1).padStart(6)} pages/s, peak RSS ${r.peakRssMb.toFixed(0)} MB, ${r.failed} failed`,
        );
      } catch (e) {
        console.log(`${which.padEnd(8)} could not run: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    const [j, c] = [results.find((r) => r.crawler === 'jixiao'), results.find((r) => r.crawler === 'crawlee')];
    if (j && c)
      console.log(
        `ratio jixiao / Crawlee CheerioCrawler: throughput ×${(j.requests / j.seconds / (c.requests / c.seconds)).toFixed(2)}, peak memory ×${(j.peakRssMb / c.peakRssMb).toFixed(2)}`,
      );
  } finally {
    await Promise.all(farm.servers.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
  }
}

if (process.argv[2] === '--worker') {
  const r = await worker(process.argv[3], JSON.parse(process.argv[4]), Number(process.argv[5]));
  console.log(`RESULT ${JSON.stringify(r)}`);
  process.exit(0);
}
