/**
 * Politeness across worker processes: three sources on one host, crawled by three `jixiao worker`
 * processes at once through Redis. The portal's own access log shows the host's Crawl-delay kept
 * between every two requests, across the jobs, with one crawl job talking to the host at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSources } from '../crawlers/config.ts';
import { resolveAll } from '../crawlers/sources.ts';
import { Portal, type AccessEntry } from '../crawlers/portal/server.ts';
import { enqueueRun } from '../pipeline/queue/run.ts';
import { redisAvailable, startRedis, type TestRedis } from './helpers/redis.ts';
import { spawnJixiao, stopProc, type Proc } from './helpers/procs.ts';

const CRAWL_DELAY = 0.2;
let dir: string;
let portal: Portal;
let redis: TestRedis;
let workers: Proc[] = [];
let log: AccessEntry[];

beforeAll(async () => {
  if (!redisAvailable()) throw new Error('redis-server is not installed: run scripts/setup-system.sh');
  dir = mkdtempSync(join(tmpdir(), 'jixiao-queue-polite-'));
  redis = await startRedis(dir);
  portal = await new Portal({ crawlDelay: CRAWL_DELAY, faults: false }).start();
  const trs = resolveAll(parseSources(portal.sourcesYaml()), ['portal-trs'])[0];
  // Three sources on the same host, each starting from another listing page.
  const sources = ['index.html', 'index_1.html', 'index_2.html'].map((page, i) => ({
    ...trs,
    name: `trs-${i}`,
    startUrls: [`http://127.0.0.1:${portal.ports.trs}/czys/${page}`],
    maxRequests: 12,
  }));
  workers = [1, 2, 3].map((i) => spawnJixiao(`worker${i}`, ['worker', '--queue', redis.url, '--only', 'crawl', '--jobs', '1', '-q']));
  await Promise.all(workers.map((w) => w.waitFor(/^worker \d+:/, 120_000)));
  // No loader: the run is not waited for, only its crawl jobs.
  void enqueueRun({ queue: redis.url, store: join(dir, 'raw'), sources, waitMs: 1 }).catch(() => {});
  const done = async () => workers.reduce((n, w) => n + w.lines.filter((l) => l.startsWith('crawl done ')).length, 0);
  for (let t = Date.now(); (await done()) < 3; ) {
    if (Date.now() - t > 300_000) throw new Error('crawl jobs did not finish');
    await new Promise((r) => setTimeout(r, 200));
  }
  log = portal.log.filter((e) => e.site === 'trs').sort((a, b) => a.t - b.t);
}, 600_000);

afterAll(async () => {
  for (const w of workers) await stopProc(w, 5000);
  await portal?.stop();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('several workers, one host', () => {
  it('took the three crawl jobs in several workers at once', () => {
    const starts = workers.flatMap((w) => w.lines.map((l, i) => ({ w, l, t: w.times[i] })).filter((x) => x.l.startsWith('crawl start ')));
    const firstDone = Math.min(...workers.flatMap((w) => w.lines.map((l, i) => (l.startsWith('crawl done ') ? w.times[i] : Infinity))));
    expect(starts.length).toBe(3);
    // At least two workers held a crawl job of this host at the same time (one waited for the host).
    expect(new Set(starts.filter((s) => s.t < firstDone).map((s) => s.w)).size).toBeGreaterThanOrEqual(2);
  });

  it('kept the Crawl-delay between every two requests to the host, across the jobs', () => {
    expect(log.filter((e) => e.path === '/robots.txt').length).toBe(3); // one per crawl job
    expect(log.length).toBeGreaterThanOrEqual(30);
    const gaps = log.slice(1).map((e, i) => e.t - log[i].t);
    const k = gaps.indexOf(Math.min(...gaps));
    expect(gaps[k], `closest pair: ${log[k].path} → ${log[k + 1].path}`).toBeGreaterThanOrEqual(CRAWL_DELAY * 1000 - 15);
  });
});
