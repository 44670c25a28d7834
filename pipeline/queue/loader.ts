/**
 * `jixiao loader`: the one process that writes the warehouse (DuckDB allows one writer). It
 * takes the load queue's jobs one at a time, in order:
 *
 *   start     a run's crawl_runs row
 *   fetches   a source's fetch records (→ fetches), its crawl summary; the source is done
 *   document  a document's rows, one transaction (pipeline/ingest.ts loadProcessed), unless the
 *             warehouse already has that sha256 — a job retried after a crash is never loaded twice
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

  const worker = new Worker<LoadJob>(
    QUEUES.load,
    async (job: Job<LoadJob>) => {
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
    },
    { connection: connectionOf(opts.queue), prefix: PREFIX, concurrency: 1, ...lockTiming() },
  );
  worker.on('failed', (job, err) => opts.logger?.warn({ job: job?.id, err: err.message }, 'load job failed'));
  return {
    async close() {
      await worker.close();
      wh.close();
      redis.disconnect();
    },
  };
}
