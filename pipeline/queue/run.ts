/**
 * `jixiao run --queue redis://…`: enqueue a run (one crawl job per source) for the workers and
 * the loader, report its progress, and return the loader's summary — the same RunSummary as a
 * single-process run (pipeline/nightly.ts).
 */
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { ResolvedSource } from '../../crawlers/config.ts';
import type { RunSummary } from '../nightly.ts';
import { connectionOf, keys, PREFIX, QUEUES, redisClient } from './connection.ts';
import type { CrawlJob, LoadJob, RunSpec } from './jobs.ts';
import { sourceToJson } from './sources.ts';

export interface QueueRunOptions {
  queue: string;
  store: string;
  sources: ResolvedSource[];
  checks?: boolean;
  snapshot?: boolean;
  timeoutMs?: number;
  print?: (line: string) => void;
  /** Give up waiting after this long (the run goes on in the workers). Default: wait as long as it takes. */
  waitMs?: number;
  /** Progress every this often, ms (default 2000). */
  progressMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function enqueueRun(opts: QueueRunOptions): Promise<RunSummary> {
  const print = opts.print ?? (() => {});
  const connection = connectionOf(opts.queue);
  const redis = redisClient(opts.queue);
  const crawlQ = new Queue<CrawlJob>(QUEUES.crawl, { connection, prefix: PREFIX });
  const loadQ = new Queue<LoadJob>(QUEUES.load, { connection, prefix: PREFIX });
  try {
    const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 8)}`;
    // One run at a time: the loader is the warehouse's only writer, and the summary is per run.
    if ((await redis.set(keys.active, runId, 'NX')) !== 'OK') throw new Error(`run ${await redis.get(keys.active)} is still in progress on ${opts.queue}`);
    const store = /^[a-z][a-z0-9+.-]*:\/\//i.test(opts.store) ? opts.store : resolve(opts.store);
    const spec: RunSpec = {
      runId,
      store,
      sources: opts.sources.map((s) => ({ name: s.name, json: sourceToJson(s) })),
      checks: opts.checks !== false,
      snapshot: opts.snapshot !== false,
      timeoutMs: opts.timeoutMs,
      startedAt: new Date().toISOString(),
    };
    await redis.hset(keys.run(runId), 'spec', JSON.stringify(spec), 'status', 'running');
    if (spec.sources.length) await redis.sadd(keys.sourcesTodo(runId), ...spec.sources.map((s) => s.name));
    const JOB = { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 };
    await loadQ.add('start', { kind: 'start', run: spec }, { ...JOB, jobId: `${runId}.start` });
    for (const s of spec.sources)
      await crawlQ.add('crawl', { runId, store, source: s.name, sourceJson: s.json, timeoutMs: opts.timeoutMs }, { ...JOB, jobId: `${runId}.crawl.${s.name}` });
    print(`run ${runId}: ${spec.sources.length} crawl job(s) queued on ${opts.queue.replace(/\/\/[^@/]*@/, '//***@')}, store ${store}`);

    const until = opts.waitMs ? Date.now() + opts.waitMs : Infinity;
    let last = '';
    for (;;) {
      const h = await redis.hmget(keys.run(runId), 'status', 'summary', 'error');
      if (h[0] === 'done' && h[1]) return JSON.parse(h[1]) as RunSummary;
      if (h[0] === 'failed') throw new Error(`run ${runId} failed in the loader: ${h[2]}`);
      const [srcLeft, cand, already, loaded, docsLeft] = await Promise.all([
        redis.scard(keys.sourcesTodo(runId)),
        redis.scard(keys.candidates(runId)),
        redis.scard(keys.already(runId)),
        redis.scard(keys.loadedNow(runId)),
        redis.scard(keys.docsTodo(runId)),
      ]);
      const c = await crawlQ.getJobCounts('active', 'waiting', 'delayed');
      const line = `  sources ${spec.sources.length - srcLeft}/${spec.sources.length} crawled (${c.active} crawling); documents ${cand} found, ${already} already loaded, ${loaded} loaded, ${docsLeft} to go`;
      if (line !== last) print(line);
      last = line;
      if (Date.now() > until) throw new Error(`run ${runId} not finished after ${opts.waitMs} ms (it goes on in the workers)`);
      await sleep(opts.progressMs ?? 2000);
    }
  } finally {
    await crawlQ.close();
    await loadQ.close();
    redis.disconnect();
  }
}
