/**
 * Per-host politeness across processes: a crawl job holds a Redis lock on every host its source
 * may fetch from while it crawls (so however many workers run, one crawler talks to a host at a
 * time, with its one-in-flight, delay, robots Crawl-delay and Retry-After rules), and leaves the
 * host's next free slot behind for the next job on that host (`hostNext`, read as `notBefore`).
 *
 * The lock has a time to live, renewed while the crawl runs: a worker killed mid-crawl frees its
 * hosts when the TTL runs out.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from './connection.ts';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface HostLease {
  /** Per host, the earliest time of its first request (from the previous job on that host). */
  notBefore: Record<string, number>;
  /** Record each host's next free slot and free the hosts. */
  release(hostNext: Record<string, number>): Promise<void>;
}

/** Wait until every host is free, then hold them all (all or nothing, in sorted order: no deadlock). */
export async function leaseHosts(redis: Redis, hosts: string[], opts: { ttlMs?: number; pollMs?: number; signal?: AbortSignal } = {}): Promise<HostLease> {
  const ttl = opts.ttlMs ?? 30_000;
  const token = randomUUID();
  const sorted = [...new Set(hosts)].sort();
  for (;;) {
    const held: string[] = [];
    for (const h of sorted) {
      if ((await redis.set(keys.hostLock(h), token, 'PX', ttl, 'NX')) !== 'OK') break;
      held.push(h);
    }
    if (held.length === sorted.length) break;
    for (const h of held) await redis.eval(RELEASE, 1, keys.hostLock(h), token);
    if (opts.signal?.aborted) throw new Error('aborted while waiting for a host lock');
    await sleep(opts.pollMs ?? 200);
  }
  const renew = setInterval(() => {
    for (const h of sorted) void redis.eval(RENEW, 1, keys.hostLock(h), token, String(ttl)).catch(() => {});
  }, Math.max(500, ttl / 3));
  renew.unref();
  const nexts = sorted.length ? await redis.mget(...sorted.map(keys.hostNext)) : [];
  const notBefore = Object.fromEntries(sorted.map((h, i) => [h, Number(nexts[i] ?? 0)]).filter(([, v]) => (v as number) > 0));
  return {
    notBefore,
    async release(hostNext) {
      clearInterval(renew);
      for (const h of sorted) {
        const next = Math.max(hostNext[h] ?? 0, notBefore[h] ?? 0);
        if (next > 0) await redis.set(keys.hostNext(h), String(next), 'PX', 24 * 3600_000);
        await redis.eval(RELEASE, 1, keys.hostLock(h), token);
      }
    },
  };
}
