/**
 * The nightly job: crawl → extract → load → quality checks → read-only snapshot, under a lock,
 * recorded in `crawl_runs` / `fetches`, with a summary at the end (new, changed, unchanged,
 * failed by reason; documents by status; findings). One bad document never stops the run:
 * ingestMany records its failure. Extract + transform run in the document pool (pool.ts, `jobs`
 * documents at once); the loading stays here, in order. The same stages run as queue jobs in queue/.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openWarehouse, rows } from '../warehouse/db.ts';
import { ingestMany, isIngested, type IngestResult } from './ingest.ts';
import { formatIssues, formatTotals, hasIssues, issueTotals, type IssueSummary } from './issues-report.ts';
import type { ResolvedSource } from '../crawlers/config.ts';
import { crawl, type CrawlLogger, type CrawlResult } from '../crawlers/crawler.ts';
import { RawStore } from '../crawlers/store.ts';
import { runChecks } from '../warehouse/quality/index.ts';
import { publishSnapshot } from '../warehouse/snapshot.ts';
import { acquireLock } from './lock.ts';
import type { FetchRecord } from '../crawlers/types.ts';
import type { DocumentHints } from '../transform/types.ts';

export interface RunOptions {
  db: string;
  store: string;
  sources: ResolvedSource[];
  /** Lock file (default: beside the warehouse, `<db>.run.lock`). */
  lockFile?: string;
  logger?: CrawlLogger;
  progress?: boolean;
  checks?: boolean;
  snapshot?: boolean;
  /** Per-document extraction budget, ms. */
  timeoutMs?: number;
  /** Documents extracted + transformed at once (default: the cores). */
  jobs?: number;
  /** Print step lines (start, counts) to stdout. */
  print?: (line: string) => void;
}

export interface RunSummary {
  runId: string;
  status: 'ok' | 'failed';
  crawl: CrawlResult['summary'] | null;
  documents: { candidates: number; ingested: number; failed: number; alreadyLoaded: number; byStatus: Record<string, number> };
  /** What the transform did not understand, per document loaded in this run (URL → summary). */
  issues: { url: string; summary: IssueSummary }[];
  checks: { findings: number; skipped?: string; error?: string } | null;
  snapshot: { path: string; skipped?: string; error?: string } | null;
  steps: Record<string, number>;
  error: string | null;
}

const FETCH_COLUMNS = [
  'run_id', 'request_key', 'url', 'method', 'final_url', 'kind', 'source', 'host', 'depth', 'referer', 'anchor', 'status', 'outcome', 'reason', 'error',
  'bytes', 'sha256', 'content_type', 'etag', 'last_modified', 'filename', 'encoding', 'attempts', 'redirects', 'elapsed_ms', 'fetched_at', 'links',
  'article_title', 'column_name', 'published_at', 'column_reason',
];

/** Insert fetch records in one statement through a temporary JSON file (typed by read_json's column spec). */
export async function recordFetches(conn: DuckDBConnection, runId: string, records: FetchRecord[]) {
  if (!records.length) return;
  const dir = join(tmpdir(), `jixiao-fetches-${process.pid}-${randomUUID().slice(0, 8)}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'fetches.jsonl');
  try {
    writeFileSync(file, records.map((r) => JSON.stringify({ ...r, run_id: runId, request_key: r.key })).join('\n'));
    const types: Record<string, string> = {
      published_at: 'DATE',
      depth: 'INTEGER', status: 'INTEGER', bytes: 'BIGINT', attempts: 'INTEGER', redirects: 'INTEGER', elapsed_ms: 'INTEGER', links: 'INTEGER', fetched_at: 'TIMESTAMP',
    };
    const spec = FETCH_COLUMNS.map((c) => `'${c}': '${types[c] ?? 'VARCHAR'}'`).join(', ');
    await conn.run(
      `INSERT INTO fetches (${FETCH_COLUMNS.join(', ')}) SELECT ${FETCH_COLUMNS.join(', ')} FROM read_json('${file.replace(/'/g, "''")}', format = 'newline_delimited', columns = {${spec}})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the crawl knows about a fetched file, for the transform (transform/meta.ts decides what to use). */
export function documentHints(rec: FetchRecord, src: ResolvedSource | undefined): DocumentHints {
  return {
    region: src?.region ?? null,
    department: src?.department ?? null,
    year: src?.year ?? null,
    linkText: rec.anchor ?? null,
    articleTitle: rec.article_title ?? null,
    column: rec.column_name ?? null,
    publishedAt: rec.published_at ?? null,
    filename: rec.filename ?? null,
  };
}

/** Which fetched files go to extraction: attachments, anything not HTML, and detail pages when the source asks. */
export function ingestCandidates(records: FetchRecord[], sources: ResolvedSource[]): FetchRecord[] {
  const byName = new Map(sources.map((s) => [s.name, s]));
  const seen = new Set<string>();
  const out: FetchRecord[] = [];
  for (const r of records) {
    if (!r.sha256 || r.kind === 'robots' || r.outcome === 'failed' || r.outcome === 'skipped') continue;
    const html = /html|xml/i.test(r.content_type ?? '');
    const want = r.kind === 'attachment' || (!html && r.kind !== 'listing') || (r.kind === 'detail' && byName.get(r.source)?.ingestHtml);
    if (!want || seen.has(r.sha256)) continue;
    seen.add(r.sha256);
    out.push(r);
  }
  return out;
}

export async function runNightly(opts: RunOptions): Promise<RunSummary> {
  const print = opts.print ?? (() => {});
  const lock = acquireLock(opts.lockFile ?? `${resolve(opts.db)}.run.lock`);
  const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 8)}`;
  const steps: Record<string, number> = {};
  const summary: RunSummary = {
    runId,
    status: 'ok',
    crawl: null,
    documents: { candidates: 0, ingested: 0, failed: 0, alreadyLoaded: 0, byStatus: {} },
    issues: [],
    checks: null,
    snapshot: null,
    steps,
    error: null,
  };
  const wh = await openWarehouse(opts.db);
  const conn = wh.conn;
  try {
    // Runs left 'running' by a process that died are marked as such (the lock guarantees none is alive).
    await conn.run(`UPDATE crawl_runs SET status = 'interrupted' WHERE status = 'running'`);
    await conn.run(`INSERT INTO crawl_runs (run_id, started_at, status, sources, store, machine, pid) VALUES ($1, now()::TIMESTAMP, 'running', $2, $3, $4, $5)`, [
      runId,
      JSON.stringify(opts.sources.map((s) => s.name)),
      resolve(opts.store),
      hostname(),
      process.pid,
    ]);
    print(`run ${runId}: crawling ${opts.sources.length} source(s) into ${opts.store}`);
    let t = performance.now();
    const result = await crawl({ storeDir: opts.store, sources: opts.sources, logger: opts.logger, progress: opts.progress });
    steps.crawl = (performance.now() - t) / 1000;
    summary.crawl = result.summary;
    await recordFetches(conn, runId, result.records);
    await conn.run(`UPDATE crawl_runs SET job = $2, resumed = $3 WHERE run_id = $1`, [runId, result.job, result.resumed]);

    // Extract + load every fetched document not yet in the warehouse.
    t = performance.now();
    const candidates = ingestCandidates(result.records, opts.sources);
    summary.documents.candidates = candidates.length;
    const loaded = new Set((await rows<{ doc_id: string }>(conn, 'SELECT doc_id FROM documents')).map((r) => r.doc_id));
    const byName = new Map(opts.sources.map((s) => [s.name, s]));
    const store = new RawStore(opts.store);
    const todo = candidates.filter((rec) => !loaded.has(rec.sha256!));
    summary.documents.alreadyLoaded = candidates.length - todo.length;
    await ingestMany(
      conn,
      todo.map((rec) => {
        const src = byName.get(rec.source);
        return { source: rec.url, read: () => store.readObject(rec.sha256!), hints: documentHints(rec, src) };
      }),
      {
        jobs: opts.jobs,
        timeoutMs: opts.timeoutMs,
        onResult: (r) => {
          countDocument(summary, r);
          if (hasIssues(r.issues)) summary.issues.push({ url: r.source, summary: r.issues! });
          opts.logger?.info({ url: r.source, doc_id: r.doc_id, status: r.status, projects: r.projects, indicators: r.indicators }, 'document');
        },
      },
    );
    steps.ingest = (performance.now() - t) / 1000;

    // Quality checks.
    t = performance.now();
    if (opts.checks === false) summary.checks = { findings: 0, skipped: 'disabled (--no-checks)' };
    else
      try {
        const c = await runChecks(conn, { runId, mode: 'incremental' });
        summary.checks = { findings: c.findings };
      } catch (e) {
        summary.checks = { findings: 0, error: (e as Error).message };
      }
    steps.checks = (performance.now() - t) / 1000;
    await finishRow(conn, runId, summary);

    // Publish a read-only snapshot.
    t = performance.now();
    if (opts.snapshot === false) summary.snapshot = { path: '', skipped: 'disabled (--no-snapshot)' };
    else if (opts.db === ':memory:') summary.snapshot = { path: '', skipped: 'in-memory warehouse' };
    else
      try {
        const p = await publishSnapshot(opts.db, { conn });
        summary.snapshot = { path: p.path };
      } catch (e) {
        summary.snapshot = { path: '', error: (e as Error).message };
      }
    steps.snapshot = (performance.now() - t) / 1000;
    await finishRow(conn, runId, summary);
    return summary;
  } catch (e) {
    summary.status = 'failed';
    summary.error = (e as Error).message;
    await finishRow(conn, runId, summary).catch(() => {});
    throw Object.assign(e as Error, { summary });
  } finally {
    wh.close();
    lock.release();
  }
}

/** Count one loaded document into the run summary. */
export function countDocument(summary: RunSummary, r: IngestResult) {
  summary.documents.byStatus[r.status] = (summary.documents.byStatus[r.status] ?? 0) + 1;
  if (isIngested(r)) summary.documents.ingested++;
  else summary.documents.failed++;
}

export async function finishRow(conn: DuckDBConnection, runId: string, s: RunSummary) {
  const c = s.crawl;
  await conn.run(
    `UPDATE crawl_runs SET finished_at = now()::TIMESTAMP, status = $2, requests = $3, n_new = $4, n_changed = $5, n_unchanged = $6, n_failed = $7, n_skipped = $8,
       failed_by_reason = $9, challenges = $10, docs_ingested = $11, docs_failed = $12, docs_by_status = $13, findings = $14, snapshot = $15, summary = $16, error = $17
     WHERE run_id = $1`,
    [
      runId,
      s.status,
      c?.requests ?? null,
      c?.new ?? null,
      c?.changed ?? null,
      c?.unchanged ?? null,
      c?.failed ?? null,
      c?.skipped ?? null,
      JSON.stringify(c?.failedByReason ?? {}),
      JSON.stringify(c?.challengesByHost ?? {}),
      s.documents.ingested,
      s.documents.failed,
      JSON.stringify(s.documents.byStatus),
      s.checks?.findings ?? null,
      s.snapshot?.path || null,
      JSON.stringify(s),
      s.error,
    ],
  );
}

export function formatRunSummary(s: RunSummary): string {
  const c = s.crawl;
  const lines: string[] = [`\nrun ${s.runId}: ${s.status}`];
  if (c) {
    lines.push(`  fetched   ${c.requests} requests in ${c.seconds.toFixed(1)} s${c.resumed ? ' (resumed an interrupted crawl)' : ''}: new ${c.new}, changed ${c.changed}, unchanged ${c.unchanged}, failed ${c.failed}, skipped ${c.skipped}`);
    for (const [k, v] of Object.entries(c.failedByReason).sort()) lines.push(`    failed  ${k.padEnd(26)} ${v}`);
    for (const [k, v] of Object.entries(c.skippedByReason).sort()) lines.push(`    skipped ${k.padEnd(26)} ${v}`);
    for (const [h, m] of Object.entries(c.challengesByHost)) lines.push(`    anti-bot challenge at ${h}: ${Object.entries(m).map(([k, v]) => `${k} ×${v}`).join(', ')} — not bypassed`);
  }
  const d = s.documents;
  lines.push(`  documents ${d.candidates} fetched documents: ${d.ingested} loaded, ${d.failed} failed, ${d.alreadyLoaded} already in the warehouse${Object.keys(d.byStatus).length ? ` (${Object.entries(d.byStatus).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`);
  if (s.issues?.length) {
    lines.push(`  ${formatTotals(issueTotals(s.issues.map((i) => i.summary)))}`);
    const shown = s.issues.filter((i) => i.summary.unrecognized.length || i.summary.counts.row_dropped).slice(0, 20);
    for (const i of shown) lines.push(...formatIssues(i.url, i.summary).map((l) => `    ${l}`));
    const more = s.issues.filter((i) => i.summary.unrecognized.length || i.summary.counts.row_dropped).length - shown.length;
    if (more > 0) lines.push(`    … and ${more} more document(s)`);
  }
  if (s.checks) lines.push(`  checks    ${s.checks.skipped ? `skipped: ${s.checks.skipped}` : s.checks.error ? `error: ${s.checks.error}` : `${s.checks.findings} findings`}`);
  if (s.snapshot) lines.push(`  snapshot  ${s.snapshot.skipped ? `skipped: ${s.snapshot.skipped}` : s.snapshot.error ? `error: ${s.snapshot.error}` : s.snapshot.path}`);
  if (s.error) lines.push(`  error     ${s.error}`);
  lines.push(`  steps     ${Object.entries(s.steps).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}`);
  return lines.join('\n');
}

export const storeExists = (p: string) => existsSync(join(p, 'objects'));
