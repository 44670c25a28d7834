/**
 * The Redis side of the distributed run: queue names, key names, connections.
 *
 * Queues (BullMQ, prefix `jixiao`):
 *   crawl    one job per source of a run            → workers (`jixiao worker`)
 *   extract  one job per stored document (sha256)   → workers
 *   load     run start, a source's fetch records, a document's rows → the one loader (`jixiao loader`)
 *
 * Run state (plain Redis keys, see keys()): which sources still crawl, which documents still wait
 * to be loaded; the loader finishes the run (checks, snapshot, summary) when both are empty.
 */
import { Redis } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';

export const PREFIX = 'jixiao';
export const QUEUES = { crawl: 'crawl', extract: 'extract', load: 'load' } as const;

export function connectionOf(url: string): ConnectionOptions {
  if (!/^rediss?:\/\//.test(url)) throw new Error(`--queue wants a redis:// URL, got ${url}`);
  // BullMQ workers block on Redis: commands must wait for a reconnect rather than fail.
  return { url, maxRetriesPerRequest: null };
}

export function redisClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** Timing of job locks: a job whose worker died is taken again once its lock expires (JIXIAO_QUEUE_LOCK_MS, default 30 s). */
export function lockTiming() {
  const lockDuration = Number(process.env.JIXIAO_QUEUE_LOCK_MS) || 30_000;
  return { lockDuration, stalledInterval: Math.max(1000, Math.round(lockDuration / 2)), maxStalledCount: 3 };
}

export const keys = {
  /** The run being processed (one at a time: the loader is the warehouse's only writer). */
  active: `${PREFIX}:run:active`,
  /** sha256 of every document already in the warehouse (kept by the loader). */
  loaded: `${PREFIX}:loaded`,
  run: (id: string) => `${PREFIX}:run:${id}`,
  /** Sources whose crawl has not been recorded yet. */
  sourcesTodo: (id: string) => `${PREFIX}:run:${id}:sources`,
  /** Documents of the run handed to extraction and not loaded yet. */
  docsTodo: (id: string) => `${PREFIX}:run:${id}:docs`,
  /** Documents of the run (distinct sha256): candidates, the ones already loaded before, the ones loaded now. */
  candidates: (id: string) => `${PREFIX}:run:${id}:candidates`,
  already: (id: string) => `${PREFIX}:run:${id}:already`,
  loadedNow: (id: string) => `${PREFIX}:run:${id}:loaded`,
  /** Per source: the finished crawl's result (JSON), so a retried crawl job does not crawl again. */
  crawled: (id: string) => `${PREFIX}:run:${id}:crawled`,
  /** Per source: its crawl summary (JSON). */
  crawls: (id: string) => `${PREFIX}:run:${id}:crawls`,
  hostLock: (host: string) => `${PREFIX}:host:${host}:lock`,
  hostNext: (host: string) => `${PREFIX}:host:${host}:next`,
};
