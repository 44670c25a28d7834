/**
 * `jixiao loader`: the one process that writes the warehouse (DuckDB allows one writer). It
 * takes the load queue's jobs one at a time, in order:
 *
 *   start     a run's crawl_runs row
 *   fetches   a source's fetch records (→ fetches), its crawl summary; the source is done
 *   document  a document's rows, one transaction (pipeline/ingest.ts loadProcessed), unless the
 *             warehouse already has that sha256 — a job retried after a crash is never loaded twice
 *
 * A load job that fails for good (every attempt) is recorded with its reason instead — the
 * document as 'load_failed', the source's fetches as `fetches_not_recorded` in its crawl summary,
 * an unwritable run start as a failed run — so a run never waits for it forever.
 *
 * When a run has no source left crawling and no document left to load, the loader runs the
 * quality checks, publishes the snapshot and writes the run summary (the same RunSummary as a
 * single-process run) to crawl_runs and to Redis, where `jixiao run --queue` reads it.
 */
import { Worker, type Job } from 'bullmq';
import type { DuckDBConnection } from '@duckdb/node-api';
import { hostname } from 'node:os';
import type { CrawlSummary } from '../../crawlers/crawler.ts';
import type { CrawlLogger } from '../../crawlers/crawler.ts';
import { openWarehouse, rows } from '../../warehouse/db.ts';
import { runChecks } from '../../warehouse/quality/index.ts';
import { publishSnapshot } from '../../warehouse/snapshot.ts';
import { replaceDocument } from '../../warehouse/load.ts';
import { loadProcessed } from '../ingest.ts';
import { countDocument, finishRow, recordFetches, type RunSummary } from '../nightly.ts';
import { connectionOf, keys, lockTiming, PREFIX, QUEUES, redisClient } from './connection.ts';
import type { LoadJob, RunSpec } from './jobs.ts';
import type { Redis } from 'ioredis';

export interface LoaderOptions {
  queue: string;
  db: string;
  logger?: CrawlLogger;
  print?: (line: string) => void;
}

const emptySummary = (): CrawlSummary => ({
  job: '', resumed: false, requests: 0, new: 0, changed: 0, unchanged: 0, failed: 0, skipped: 0,
  failedByReason: {}, skippedByReason: {}, challengesByHost: {}, attachments: 0, bytesFetched: 0, seconds: 0, offsiteLinks: 0, columns: [],
});

/** Sum per-source crawl summaries into one, as a single crawl of all sources reports it. */
export function mergeCrawlSummaries(list: CrawlSummary[]): CrawlSummary | null {
  if (!list.length) return null;
  const addMap = (a: Record<string, number>, b: Record<string, number>) => {
    for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
    return a;
  };
  const out: CrawlSummary = { ...list[0], failedByReason: { ...list[0].failedByReason }, skippedByReason: { ...list[0].skippedByReason }, challengesByHost: {}, columns: [...(list[0].columns ?? [])] };
  for (const [h, m] of Object.entries(list[0].challengesByHost)) out.challengesByHost[h] = { ...m };
  for (const s of list.slice(1)) {
    for (const k of ['requests', 'new', 'changed', 'unchanged', 'failed', 'skipped', 'attachments', 'bytesFetched', 'offsiteLinks'] as const) out[k] += s[k];
    out.seconds = Math.max(out.seconds, s.seconds);
    out.resumed ||= s.resumed;
    out.job = `${out.job},${s.job}`;
    out.columns.push(...(s.columns ?? []));
    addMap(out.failedByReason, s.failedByReason);
    addMap(out.skippedByReason, s.skippedByReason);
    for (const [h, m] of Object.entries(s.challengesByHost)) out.challengesByHost[h] = addMap(out.challengesByHost[h] ?? {}, m);
  }
  return out;
}

async function fillLoadedSet(redis: Redis, conn: DuckDBConnection) {
  const ids = (await rows<{ doc_id: string }>(conn, 'SELECT doc_id FROM documents')).map((r) => r.doc_id);
  await redis.del(keys.loaded);
  for (let i = 0; i < ids.length; i += 5000) await redis.sadd(keys.loaded, ...ids.slice(i, i + 5000));
}

export async function startLoader(opts: LoaderOptions) {
  const redis = redisClient(opts.queue);
  const print = opts.print ?? (() => {});
  const wh = await openWarehouse(opts.db);
  const conn = wh.conn;
  await fillLoadedSet(redis, conn);
  const t0: Record<string, number> = {};

  const spec = async (runId: string): Promise<RunSpec | null> => {
    const s = await redis.hget(keys.run(runId), 'spec');
    return s ? (JSON.parse(s) as RunSpec) : null;
  };

  async function finishIfDone(runId: string) {
    const status = await redis.hget(keys.run(runId), 'status');
    if (status !== 'running') return;
    if ((await redis.scard(keys.sourcesTodo(runId))) || (await redis.scard(keys.docsTodo(runId)))) return;
    const run = (await spec(runId))!;
    const crawls = Object.values(await redis.hgetall(keys.crawls(runId))).map((s) => JSON.parse(s) as CrawlSummary);
    const loadedNow = await redis.smembers(keys.loadedNow(runId));
    const summary: RunSummary = {
      runId,
      status: 'ok',
      crawl: mergeCrawlSummaries(crawls),
      documents: { candidates: await redis.scard(keys.candidates(runId)), ingested: 0, failed: 0, alreadyLoaded: await redis.scard(keys.already(runId)), byStatus: {} },
      checks: null,
      snapshot: null,
      steps: {},
      issues: [],
      error: null,
    };
    // Document counts from the warehouse itself: exact whatever was retried.
    for (let i = 0; i < loadedNow.length; i += 1000) {
      const ids = loadedNow.slice(i, i + 1000);
      const got = await rows<{ status: string }>(conn, `SELECT status FROM documents WHERE doc_id IN (${ids.map((_, k) => `$${k + 1}`).join(', ')})`, ids);
      for (const g of got) countDocument(summary, { status: g.status } as never);
    }
    summary.steps.crawl = summary.crawl?.seconds ?? 0;
    summary.steps.ingest = (Date.now() - Date.parse(run.startedAt)) / 1000 - summary.steps.crawl;
    let t = performance.now();
    if (!run.checks) summary.checks = { findings: 0, skipped: 'disabled (--no-checks)' };
    else
      try {
        summary.checks = { findings: (await runChecks(conn, { runId })).findings };
      } catch (e) {
        summary.checks = { findings: 0, error: (e as Error).message };
      }
    summary.steps.checks = (performance.now() - t) / 1000;
    await finishRow(conn, runId, summary);
    t = performance.now();
    if (!run.snapshot) summary.snapshot = { path: '', skipped: 'disabled (--no-snapshot)' };
    else if (opts.db === ':memory:') summary.snapshot = { path: '', skipped: 'in-memory warehouse' };
    else
      try {
        summary.snapshot = { path: (await publishSnapshot(opts.db, { conn })).path };
      } catch (e) {
        summary.snapshot = { path: '', error: (e as Error).message };
      }
    summary.steps.snapshot = (performance.now() - t) / 1000;
    await finishRow(conn, runId, summary);
    await redis.hset(keys.run(runId), 'summary', JSON.stringify(summary), 'status', 'done');
    await redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`, 1, keys.active, runId);
    print(`run ${runId} done`);
  }

  // Every warehouse write of this process, one after another: a job and the give-up of a failed
  // one must not interleave their statements inside each other's transaction.
  let writes: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = writes.then(fn, fn);
    writes = next.catch(() => undefined);
    return next;
  };

  /**
   * A load job that failed for good (every attempt, or stalled too often) ends recorded, with its
   * reason, so the run still finishes: a document as 'load_failed', a source's fetch records as
   * not recorded (in its crawl summary), a run whose start could not be written as failed.
   */
  async function giveUp(job: Job<LoadJob>, message: string) {
    const d = job.data;
    const why = `load job failed after ${job.attemptsMade} attempt(s): ${message}`;
    if (d.kind === 'start') {
      await redis.hset(keys.run(d.run.runId), 'status', 'failed', 'error', why);
      await redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`, 1, keys.active, d.run.runId);
      print(`run ${d.run.runId} failed: ${why}`);
      return;
    }
    if (d.kind === 'fetches') {
      const s = d.summary ?? emptySummary();
      const summary: CrawlSummary = { ...s, failed: s.failed + 1, failedByReason: { ...s.failedByReason, fetches_not_recorded: (s.failedByReason.fetches_not_recorded ?? 0) + 1 } };
      await redis.hset(keys.crawls(d.runId), d.source, JSON.stringify(summary));
      await redis.srem(keys.sourcesTodo(d.runId), d.source);
      print(`fetches ${d.source} not recorded: ${why}`);
    } else {
      const p = d.processed;
      if (!p?.doc_id) throw new Error(`a document load job without a doc_id cannot be recorded (${why})`);
      const format = p.processed?.extracted?.format ?? p.detected ?? 'unknown';
      await replaceDocument(conn, { doc_id: p.doc_id, source: p.source ?? '', format, bytes: p.bytes ?? 0, status: 'load_failed', error: why, warnings: [], pages: null, extractor: null, transform_version: null, seconds: p.seconds ?? 0 }, null);
      await redis.sadd(keys.loaded, p.doc_id);
      await redis.sadd(keys.loadedNow(d.runId), p.doc_id);
      await redis.srem(keys.docsTodo(d.runId), p.doc_id);
      print(`load_failed ${p.doc_id}: ${why}`);
    }
    await finishIfDone(d.runId);
  }

  const worker = new Worker<LoadJob>(
    QUEUES.load,
    (job: Job<LoadJob>) => exclusive(() => loadJob(job)),
    { connection: connectionOf(opts.queue), prefix: PREFIX, concurrency: 1, ...lockTiming() },
  );
  worker.on('failed', (job, err) => {
    opts.logger?.warn({ job: job?.id, err: err.message }, 'load job failed');
    if (!job) return;
    void (async () => {
      // Failed for good, not waiting for another attempt.
      if ((await job.getState()) !== 'failed') return;
      await exclusive(() => giveUp(job, err.message));
    })().catch((e) => opts.logger?.warn({ job: job.id, err: String(e) }, 'could not record a failed load job'));
  });

  async function loadJob(job: Job<LoadJob>) {
    const d = job.data;
    if (d.kind === 'start') {
      const r = d.run;
      t0[r.runId] = Date.now();
      await conn.run(`UPDATE crawl_runs SET status = 'interrupted' WHERE status = 'running' AND run_id <> $1`, [r.runId]);
      const exists = await rows(conn, 'SELECT 1 FROM crawl_runs WHERE run_id = $1', [r.runId]);
      if (!exists.length)
        await conn.run(`INSERT INTO crawl_runs (run_id, started_at, status, sources, store, machine, pid) VALUES ($1, $2::TIMESTAMP, 'running', $3, $4, $5, $6)`, [
          r.runId,
          r.startedAt.replace('Z', ''),
          JSON.stringify(r.sources.map((s) => s.name)),
          r.store,
          `${hostname()} (loader)`,
          process.pid,
        ]);
      print(`run ${r.runId} started`);
    } else if (d.kind === 'fetches') {
      // A retried job must not record the fetches twice.
      const done = await redis.hexists(keys.crawls(d.runId), d.source);
      if (!done) {
        await conn.run('BEGIN TRANSACTION');
        try {
          await conn.run('DELETE FROM fetches WHERE run_id = $1 AND source = $2', [d.runId, d.source]);
          await recordFetches(conn, d.runId, d.records);
          await conn.run('COMMIT');
        } catch (e) {
          await conn.run('ROLLBACK').catch(() => {});
          throw e;
        }
        await conn.run(`UPDATE crawl_runs SET job = $2, resumed = $3 WHERE run_id = $1`, [d.runId, d.job, d.resumed]);
        await redis.hset(keys.crawls(d.runId), d.source, JSON.stringify(d.summary));
      }
      await redis.srem(keys.sourcesTodo(d.runId), d.source);
      print(`fetches ${d.source} ${d.records.length}`);
    } else {
      const p = d.processed;
      const have = await rows(conn, 'SELECT 1 FROM documents WHERE doc_id = $1', [p.doc_id]);
      if (!have.length) {
        const r = await loadProcessed(conn, p);
        opts.logger?.info({ url: r.source, doc_id: r.doc_id, status: r.status, projects: r.projects, indicators: r.indicators }, 'document');
        print(`loaded ${p.doc_id} ${r.status}`);
      } else print(`skipped ${p.doc_id} (already in the warehouse)`);
      await redis.sadd(keys.loaded, p.doc_id);
      await redis.sadd(keys.loadedNow(d.runId), p.doc_id);
      await redis.srem(keys.docsTodo(d.runId), p.doc_id);
    }
    await finishIfDone(d.kind === 'start' ? d.run.runId : d.runId);
  }
  return {
    async close() {
      await worker.close();
      await writes; // a give-up still recording
      wh.close();
      redis.disconnect();
    },
  };
}
