/**
 * `jixiao worker`: takes crawl and extract jobs from Redis. Any number of these run, on any
 * machine that reaches Redis and the raw store.
 *
 * - crawl job (one per source of a run): lease the source's hosts (hostlock.ts), crawl with the
 *   same crawler as a single-process run, hand every new document to extraction (one extract job
 *   per sha256, not for documents the warehouse already has), then give the fetch records to the
 *   loader.
 * - extract job (one per document): read its bytes from the store, extract + transform in the
 *   document pool (pool.ts: worker threads, each under the document's budgets), give the result
 *   to the loader.
 *
 * A worker killed at any point loses nothing: its job's lock expires and another worker takes it
 * again; the loader never loads a document twice (its sha256 is the key).
 */
import { Queue, Worker, type Job } from 'bullmq';
import { crawl } from '../../crawlers/crawler.ts';
import type { CrawlLogger, CrawlSummary } from '../../crawlers/crawler.ts';
import { documentHints, ingestCandidates } from '../nightly.ts';
import { processForLoad } from '../ingest.ts';
import { DocumentPool } from '../pool.ts';
import { connectionOf, keys, lockTiming, PREFIX, QUEUES, redisClient } from './connection.ts';
import { leaseHosts } from './hostlock.ts';
import type { CrawlJob, ExtractJob, LoadJob } from './jobs.ts';
import { openObjectStore } from './objects.ts';
import { sourceFromJson, sourceHosts } from './sources.ts';

export interface WorkerOptions {
  queue: string;
  /** Documents extracted at once (pool size). */
  jobs: number;
  /** Which queues to take jobs from (default both). */
  only?: 'crawl' | 'extract';
  logger?: CrawlLogger;
  /** One line per job event (tests watch these). */
  print?: (line: string) => void;
}

const emptyCrawlSummary = (): CrawlSummary => ({
  job: '', resumed: false, requests: 0, new: 0, changed: 0, unchanged: 0, failed: 0, skipped: 0,
  failedByReason: {}, skippedByReason: {}, challengesByHost: {}, attachments: 0, bytesFetched: 0, seconds: 0, offsiteLinks: 0, columns: [],
});

const JOB_OPTS = { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 };

export async function startWorker(opts: WorkerOptions) {
  const connection = connectionOf(opts.queue);
  const redis = redisClient(opts.queue);
  const print = opts.print ?? (() => {});
  const extractQ = new Queue<ExtractJob>(QUEUES.extract, { connection, prefix: PREFIX });
  const loadQ = new Queue<LoadJob>(QUEUES.load, { connection, prefix: PREFIX });
  const pool = new DocumentPool(opts.jobs);
  const workers: Worker[] = [];

  if (opts.only !== 'extract')
    workers.push(
      new Worker<CrawlJob>(
        QUEUES.crawl,
        async (job: Job<CrawlJob>) => {
          const d = job.data;
          const src = sourceFromJson(d.sourceJson);
          print(`crawl start ${d.source}`);
          // A retried job (its worker killed after the crawl) reuses the crawl it finished: the
          // run records what was fetched once, not a second, conditional crawl.
          const kept = await redis.hget(keys.crawled(d.runId), d.source);
          const lease = kept ? null : await leaseHosts(redis, sourceHosts(src));
          let hostNext: Record<string, number> = {};
          try {
            const result = kept
              ? (JSON.parse(kept) as Awaited<ReturnType<typeof crawl>>)
              : await crawl({ storeDir: d.store, sources: [src], logger: opts.logger, notBefore: lease!.notBefore });
            if (!kept) await redis.hset(keys.crawled(d.runId), d.source, JSON.stringify(result));
            hostNext = result.hostNext;
            // Hand the new documents to extraction: one job per sha256 (the job id dedupes across sources and retries).
            for (const rec of ingestCandidates(result.records, [src])) {
              const sha = rec.sha256!;
              // Idempotent, as a retried job (its worker killed) passes here again.
              await redis.sadd(keys.candidates(d.runId), sha);
              if (await redis.sismember(keys.loadedNow(d.runId), sha)) continue; // loaded by this run already
              if (await redis.sismember(keys.loaded, sha)) {
                await redis.sadd(keys.already(d.runId), sha);
                continue;
              }
              await redis.sadd(keys.docsTodo(d.runId), sha);
              await extractQ.add('extract', { runId: d.runId, store: d.store, sha256: sha, url: rec.url, hints: documentHints(rec, src), timeoutMs: d.timeoutMs }, { ...JOB_OPTS, jobId: `${d.runId}.${sha}` });
            }
            await loadQ.add(
              'fetches',
              { kind: 'fetches', runId: d.runId, source: d.source, job: result.job, resumed: result.resumed, records: result.records, summary: result.summary },
              { ...JOB_OPTS, jobId: `${d.runId}.fetches.${d.source}` },
            );
            print(`crawl done ${d.source} ${result.records.length} records`);
          } finally {
            await lease?.release(hostNext);
          }
        },
        { connection, prefix: PREFIX, concurrency: 1, ...lockTiming() },
      ),
    );

  if (opts.only !== 'crawl')
    workers.push(
      new Worker<ExtractJob>(
        QUEUES.extract,
        async (job: Job<ExtractJob>) => {
          const d = job.data;
          print(`extract start ${d.sha256}`);
          let bytes: Uint8Array;
          try {
            bytes = await openObjectStore(d.store).get(d.sha256);
          } catch (e) {
            // Not in the raw store (or unreachable): the document is recorded as unreadable, with the reason.
            const failure = { reason: null, message: `raw store: ${(e as Error).message}` };
            const processed = { doc_id: d.sha256, source: d.url, bytes: 0, detected: 'unknown', processed: { extracted: null, doc: null, failure }, seconds: 0 };
            await loadQ.add('document', { kind: 'document', runId: d.runId, processed }, { ...JOB_OPTS, jobId: `${d.runId}.doc.${d.sha256}` });
            return;
          }
          const processed = await processForLoad(bytes, d.url, { pool, hints: d.hints, timeoutMs: d.timeoutMs });
          await loadQ.add('document', { kind: 'document', runId: d.runId, processed }, { ...JOB_OPTS, jobId: `${d.runId}.doc.${d.sha256}` });
          print(`extract done ${d.sha256}`);
        },
        { connection, prefix: PREFIX, concurrency: opts.jobs, ...lockTiming() },
      ),
    );

  // A job that failed for good (every attempt, or stalled too often) still reaches the loader, as
  // a failure on the record: the run finishes, and the document or source shows why.
  for (const w of workers)
    w.on('failed', (job, err) => {
      opts.logger?.warn({ queue: w.name, job: job?.id, err: err.message }, 'job failed');
      if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
      void giveUp(job as Job<CrawlJob | ExtractJob>, err.message).catch((e) => opts.logger?.warn({ job: job.id, err: String(e) }, 'could not record a failed job'));
    });

  async function giveUp(job: Job<CrawlJob | ExtractJob>, message: string) {
    if (job.queueName === QUEUES.extract) {
      const d = job.data as ExtractJob;
      const processed = { doc_id: d.sha256, source: d.url, bytes: 0, detected: 'unknown', processed: { extracted: null, doc: null, failure: { reason: null, message: `extract job failed: ${message}` } }, seconds: 0 };
      await loadQ.add('document', { kind: 'document', runId: d.runId, processed }, { ...JOB_OPTS, jobId: `${d.runId}.doc.${d.sha256}` });
    } else {
      const d = job.data as CrawlJob;
      const summary = { ...emptyCrawlSummary(), failed: 1, failedByReason: { crawl_job_failed: 1 } };
      print(`crawl failed ${d.source}: ${message}`);
      await loadQ.add('fetches', { kind: 'fetches', runId: d.runId, source: d.source, job: '', resumed: false, records: [], summary }, { ...JOB_OPTS, jobId: `${d.runId}.fetches.${d.source}` });
    }
  }
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await extractQ.close();
      await loadQ.close();
      pool.stop();
      redis.disconnect();
    },
  };
}
