/**
 * The distributed run: a crawl of the test portal and its ingest through Redis (BullMQ) with three
 * `jixiao worker` processes and one `jixiao loader`, one worker killed with SIGKILL while it
 * extracts a document; the warehouse ends with the same documents, rows and findings as a
 * single-process run of the same sources — nothing lost, nothing loaded twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSources } from '../crawlers/config.ts';
import { resolveAll } from '../crawlers/sources.ts';
import { Portal } from '../crawlers/portal/server.ts';
import { runNightly, type RunSummary } from '../pipeline/nightly.ts';
import { enqueueRun } from '../pipeline/queue/run.ts';
import { openWarehouse, rows } from '../warehouse/db.ts';
import { redisAvailable, startRedis, type TestRedis } from './helpers/redis.ts';
import { spawnJixiao, stopProc, type Proc } from './helpers/procs.ts';

const LOCK_MS = '4000';
let dir: string;
let portal: Portal;
let redis: TestRedis;
let single: RunSummary;
let queued: RunSummary;
let loader: Proc;
let workers: Proc[] = [];
let victim: { worker: Proc; sha: string };

beforeAll(async () => {
  if (!redisAvailable()) throw new Error('redis-server is not installed: run scripts/setup-system.sh');
  dir = mkdtempSync(join(tmpdir(), 'jixiao-queue-'));
  redis = await startRedis(dir);
  portal = await new Portal({ faults: false }).start();
  const sources = resolveAll(parseSources(portal.sourcesYaml()), ['portal-hanweb', 'portal-gbk']);

  // The reference: one process, one document at a time.
  single = await runNightly({ db: join(dir, 'single.duckdb'), store: join(dir, 'single-raw'), sources, snapshot: false, jobs: 1 });

  const env = { JIXIAO_QUEUE_LOCK_MS: LOCK_MS };
  loader = spawnJixiao('loader', ['loader', '--queue', redis.url, '--db', join(dir, 'queued.duckdb'), '-q'], env);
  workers = [1, 2, 3].map((i) => spawnJixiao(`worker${i}`, ['worker', '--queue', redis.url, '--jobs', '1', '-q'], env));
  await Promise.all([loader, ...workers].map((p) => p.waitFor(/^(worker|loader) \d+:/, 120_000)));

  const run = enqueueRun({ queue: redis.url, store: join(dir, 'queued-raw'), sources, snapshot: false, progressMs: 500 });
  // Kill the first worker that starts extracting a document, in the middle of it.
  const first = await Promise.race(workers.map((w) => w.waitFor(/^extract start /).then((line) => ({ worker: w, sha: line.split(' ')[2] }))));
  first.worker.child.kill('SIGKILL');
  victim = first;
  queued = await run;
  await Promise.all([loader, ...workers].map((p) => stopProc(p)));
}, 900_000);

afterAll(async () => {
  for (const p of [loader, ...workers]) if (p) await stopProc(p, 2000);
  await portal?.stop();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function query<T>(db: string, sql: string): Promise<T[]> {
  const wh = await openWarehouse(join(dir, db), { readOnly: true });
  try {
    return await rows<T>(wh.conn, sql);
  } finally {
    wh.close();
  }
}

const both = async <T>(sql: string) => ({ single: await query<T>('single.duckdb', sql), queued: await query<T>('queued.duckdb', sql) });

describe('a run through Redis with three workers, one killed', () => {
  it('killed a worker in the middle of an extraction, and another took the job again', () => {
    expect(victim.worker.child.signalCode).toBe('SIGKILL');
    expect(victim.worker.lines.some((l) => l === `extract done ${victim.sha}`)).toBe(false);
    const others = workers.filter((w) => w !== victim.worker);
    expect(others.some((w) => w.lines.includes(`extract done ${victim.sha}`))).toBe(true);
  });

  it('reports the same summary as the single-process run', () => {
    expect(queued.status).toBe('ok');
    expect(queued.documents).toEqual(single.documents);
    expect(single.documents.ingested).toBeGreaterThanOrEqual(5);
    const pick = (s: RunSummary) => ({ requests: s.crawl!.requests, new: s.crawl!.new, failed: s.crawl!.failed, skipped: s.crawl!.skipped, attachments: s.crawl!.attachments });
    expect(pick(queued)).toEqual(pick(single));
    expect(queued.checks!.findings).toBe(single.checks!.findings);
    expect(single.checks!.findings).toBeGreaterThan(0);
  });

  it('has the same documents and fetches', async () => {
    const d = await both<object>('SELECT doc_id, status, format, pages, bytes, error FROM documents ORDER BY doc_id');
    expect(d.queued).toEqual(d.single);
    const f = await both<object>(`SELECT url, method, kind, status, outcome, sha256 FROM fetches WHERE kind <> 'robots' ORDER BY url, method, kind`);
    expect(f.queued).toEqual(f.single);
    // robots.txt: once per host and crawl job (a crawl job retried after its worker died asks again).
    const r = await both<object>(`SELECT DISTINCT url, status FROM fetches WHERE kind = 'robots' ORDER BY url`);
    expect(r.queued).toEqual(r.single);
  });

  it('has the same rows, document by document', async () => {
    for (const t of ['doc_tables', 'projects', 'goals', 'indicators', 'budget_lines']) {
      const r = await both<object>(`SELECT doc_id, count(*)::INT AS n FROM ${t} GROUP BY 1 ORDER BY 1`);
      expect(r.queued, t).toEqual(r.single);
    }
    const ind = await both<object>('SELECT doc_id, project_seq, indicator_seq, level1, level2, level3, value_raw, value_num, unit FROM indicators ORDER BY ALL');
    expect(ind.queued).toEqual(ind.single);
  });

  it('has the same findings', async () => {
    const f = await both<object>('SELECT rule_id, doc_id, project_seq, indicator_seq, page, row_no FROM findings ORDER BY ALL');
    expect(f.queued.length).toBeGreaterThan(0);
    expect(f.queued).toEqual(f.single);
  });

  it('loaded each document exactly once', () => {
    const loadedLines = loader.lines.filter((l) => l.startsWith('loaded '));
    const shas = loadedLines.map((l) => l.split(' ')[1]);
    expect(new Set(shas).size).toBe(shas.length);
    expect(shas.length).toBe(single.documents.ingested + single.documents.failed);
  });
});
