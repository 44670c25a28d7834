/**
 * The loader's give-up path: a load job that keeps failing (here: malformed job data, as a bug in
 * a worker would send) ends recorded with its reason after its attempts — the document as
 * 'load_failed', a source's fetch records as not recorded in its crawl summary — and the run
 * still finishes with its summary instead of waiting for them forever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CrawlSummary } from '../crawlers/crawler.ts';
import { connectionOf, keys, PREFIX, QUEUES, redisClient } from '../pipeline/queue/connection.ts';
import type { LoadJob, RunSpec } from '../pipeline/queue/jobs.ts';
import { startLoader } from '../pipeline/queue/loader.ts';
import type { RunSummary } from '../pipeline/nightly.ts';
import { openWarehouse, rows } from '../warehouse/db.ts';
import { redisAvailable, startRedis, type TestRedis } from './helpers/redis.ts';

let dir: string;
let redis: TestRedis;
let summary: RunSummary;
const lines: string[] = [];
const runId = 'giveup-run';

const crawlSummary = (): CrawlSummary => ({
  job: 'j', resumed: false, requests: 3, new: 1, changed: 0, unchanged: 0, failed: 0, skipped: 0,
  failedByReason: {}, skippedByReason: {}, challengesByHost: {}, attachments: 1, bytesFetched: 100, seconds: 1, offsiteLinks: 0, columns: [],
});

beforeAll(async () => {
  if (!redisAvailable()) throw new Error('redis-server is not installed: run scripts/setup-system.sh');
  dir = mkdtempSync(join(tmpdir(), 'jixiao-giveup-'));
  redis = await startRedis(dir);
  const db = join(dir, 'w.duckdb');
  const loader = await startLoader({ queue: redis.url, db, print: (l) => lines.push(l) });
  const r = redisClient(redis.url);
  const loadQ = new Queue<LoadJob>(QUEUES.load, { connection: connectionOf(redis.url), prefix: PREFIX });
  try {
    // A run as `jixiao run --queue` enqueues it: two sources crawled, one document to load.
    const spec: RunSpec = { runId, store: join(dir, 'raw'), sources: [{ name: 'good', json: '{}' }, { name: 'bad', json: '{}' }], checks: false, snapshot: false, startedAt: new Date().toISOString() };
    await r.set(keys.active, runId);
    await r.hset(keys.run(runId), 'spec', JSON.stringify(spec), 'status', 'running');
    await r.sadd(keys.sourcesTodo(runId), 'good', 'bad');
    await r.sadd(keys.docsTodo(runId), 'd0c');
    await r.sadd(keys.candidates(runId), 'd0c');
    const JOB = { attempts: 2, backoff: { type: 'fixed', delay: 100 }, removeOnComplete: true, removeOnFail: 1000 };
    await loadQ.add('start', { kind: 'start', run: spec }, { ...JOB, jobId: `${runId}.start` });
    await loadQ.add('fetches', { kind: 'fetches', runId, source: 'good', job: 'j', resumed: false, records: [], summary: crawlSummary() }, JOB);
    // Malformed: no records (recordFetches cannot iterate them), no processed result.
    await loadQ.add('fetches', { kind: 'fetches', runId, source: 'bad', job: 'j', resumed: false, records: null as never, summary: crawlSummary() }, JOB);
    await loadQ.add('document', { kind: 'document', runId, processed: { doc_id: 'd0c', source: 'http://example.test/a.pdf', bytes: 10, detected: 'pdf', processed: null as never, seconds: 0 } }, JOB);
    const until = Date.now() + 120_000;
    for (;;) {
      const [status, s] = await r.hmget(keys.run(runId), 'status', 'summary');
      if (status === 'done' && s) {
        summary = JSON.parse(s) as RunSummary;
        break;
      }
      if (Date.now() > until) throw new Error(`run not finished: ${status}; loader said: ${lines.join(' / ')}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  } finally {
    await loadQ.close();
    r.disconnect();
    await loader.close();
  }
}, 180_000);

afterAll(async () => {
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the loader gives up on a load job that keeps failing', () => {
  it('finishes the run, with the source whose fetches could not be recorded counted as failed', () => {
    expect(summary.crawl?.failedByReason).toEqual({ fetches_not_recorded: 1 });
    expect(summary.crawl?.failed).toBe(1);
    expect(summary.crawl?.requests).toBe(6); // both sources' crawls are in the summary
    expect(lines.some((l) => l.startsWith('fetches bad not recorded: load job failed after 2 attempt(s)'))).toBe(true);
  });

  it('records the document as load_failed with the reason, once', async () => {
    expect(summary.documents.byStatus).toEqual({ load_failed: 1 });
    const wh = await openWarehouse(join(dir, 'w.duckdb'), { readOnly: true });
    try {
      const docs = await rows<{ doc_id: string; status: string; error: string; source: string }>(wh.conn, 'SELECT doc_id, status, error, source FROM documents');
      expect(docs).toHaveLength(1);
      expect(docs[0]).toMatchObject({ doc_id: 'd0c', status: 'load_failed', source: 'http://example.test/a.pdf' });
      expect(docs[0].error).toMatch(/^load job failed after 2 attempt\(s\): /);
      const run = await rows<{ status: string }>(wh.conn, 'SELECT status FROM crawl_runs WHERE run_id = $1', [runId]);
      expect(run).toHaveLength(1);
    } finally {
      wh.close();
    }
  });
});
