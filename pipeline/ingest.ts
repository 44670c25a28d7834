/**
 * extract → transform → load for one document or many.
 *
 * Each document is keyed by the sha256 of its bytes and loaded in its own transaction; a
 * document that cannot be read is still recorded in `documents` with its status and error,
 * and never stops the others. Extract + transform run in the document pool (pool.ts: worker
 * threads, several documents at once); the loading stays in the calling thread, in input order.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { detectFormat } from '../extract/detect.ts';
import { TRANSFORM_VERSION } from '../transform/index.ts';
import type { DocumentHints, NormalizedDoc } from '../transform/types.ts';
import { replaceDocument, type DocumentRecord } from '../warehouse/load.ts';
import { sharedPool, type DocumentPool } from './pool.ts';
import { processBytes, type ExtractSummary, type Processed, type ProcessOptions } from './process.ts';
import { summarizeIssues, type IssueSummary } from './issues-report.ts';

export interface IngestResult {
  doc_id: string;
  source: string;
  format: string;
  status: string;
  error: string | null;
  pages: number | null;
  tables: number;
  tablesByKind: Record<string, number>;
  projects: number;
  indicators: number;
  budget_lines: number;
  warnings: string[];
  /** What the transform did not understand (also in extraction_issues); null when nothing was read. */
  issues: IssueSummary | null;
  seconds: number;
}

export interface IngestOptions extends ProcessOptions {
  /** The pool that runs extract + transform (default: the shared pool, sized to the cores). */
  pool?: DocumentPool;
}

export { processBytes };

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Files under the given paths (folders are walked, hidden files skipped), sorted. */
export function listInputFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (!name.startsWith('.')) walk(join(p, name));
    } else if (st.isFile()) out.push(p);
  };
  for (const p of paths) walk(resolve(p));
  return out;
}

/** Decide the document status from what extraction and transform found. */
function statusOf(extracted: ExtractSummary, doc: NormalizedDoc): string {
  if (extracted.status === 'low_confidence') return 'low_confidence';
  if (!doc.tables.length) return 'no_tables';
  if (doc.warnings.some((w) => w.startsWith('truncated'))) return 'partial';
  return 'ok';
}

/** One document's bytes, processed (extract + transform) but not loaded yet. */
export interface ProcessedDocument {
  doc_id: string;
  source: string;
  bytes: number;
  /** The format detected from the bytes (used when extraction failed). */
  detected: string;
  processed: Processed;
  seconds: number;
}

/** Extract + transform one document through the pool (the warehouse is not touched). */
export async function processForLoad(bytes: Uint8Array, source: string, opts: IngestOptions = {}): Promise<ProcessedDocument> {
  const t0 = performance.now();
  const processed = await (opts.pool ?? sharedPool()).process(bytes, source, { timeoutMs: opts.timeoutMs, hints: opts.hints });
  return { doc_id: sha256(bytes), source, bytes: bytes.length, detected: detectFormat(bytes).format, processed, seconds: (performance.now() - t0) / 1000 };
}

/** Load one processed document in its own transaction; a load failure is recorded as 'load_failed'. */
export async function loadProcessed(conn: DuckDBConnection, p: ProcessedDocument): Promise<IngestResult> {
  const { extracted, failure } = p.processed;
  let doc = p.processed.doc;
  let status = 'failed';
  let error: string | null = null;
  if (failure) {
    if (failure.reason) status = failure.reason;
    error = failure.message;
  } else if (extracted && doc) status = statusOf(extracted, doc);
  const warnings = [...(extracted?.warnings ?? []), ...(doc?.warnings ?? [])];
  const rec: DocumentRecord = {
    doc_id: p.doc_id,
    source: p.source,
    format: extracted?.format ?? p.detected,
    bytes: p.bytes,
    status,
    error,
    warnings,
    pages: extracted?.pages ?? null,
    extractor: extracted?.extractor ?? null,
    transform_version: doc ? TRANSFORM_VERSION : null,
    seconds: p.seconds,
  };
  try {
    await replaceDocument(conn, rec, doc);
  } catch (e) {
    // The rows could not be loaded (a bug or a constraint): keep the document's record with the reason.
    status = 'load_failed';
    error = (e as Error).message;
    doc = null;
    await replaceDocument(conn, { ...rec, status, error }, null);
  }
  const tablesByKind: Record<string, number> = {};
  for (const t of doc?.tables ?? []) tablesByKind[t.kind] = (tablesByKind[t.kind] ?? 0) + 1;
  return {
    doc_id: p.doc_id,
    source: p.source,
    format: rec.format,
    status,
    error,
    pages: rec.pages,
    tables: doc?.tables.length ?? 0,
    tablesByKind,
    projects: doc?.projects.length ?? 0,
    indicators: doc?.indicators.length ?? 0,
    budget_lines: doc?.budget_lines.length ?? 0,
    warnings,
    issues: doc ? summarizeIssues(doc.issues) : null,
    seconds: p.seconds,
  };
}

export async function ingestBytes(conn: DuckDBConnection, bytes: Uint8Array, source: string, opts: IngestOptions = {}): Promise<IngestResult> {
  return loadProcessed(conn, await processForLoad(bytes, source, opts));
}

/** An input of ingestMany: where it came from and how to read its bytes (read lazily, in a pool slot's turn). */
export interface IngestInput {
  source: string;
  read: () => Uint8Array;
  hints?: DocumentHints;
}

/**
 * Documents read and handed to the pool ahead of the writer, at most (their bytes and results wait
 * in memory): enough that one slow document (OCR, a 300-page report) at the head of the line does
 * not leave the other slots idle while the writer waits for it, in order.
 */
export const defaultAhead = (jobs: number) => Math.max(32, 4 * jobs);

/**
 * Ingest many documents: extract + transform up to `jobs` at once in the pool, while one writer
 * loads the results in input order, one transaction per document. A document whose bytes cannot
 * be read is recorded as 'unreadable'; nothing stops the others.
 */
export async function ingestMany(
  conn: DuckDBConnection,
  inputs: IngestInput[],
  opts: IngestOptions & { jobs?: number; ahead?: number; onResult?: (r: IngestResult, input: IngestInput) => void } = {},
): Promise<IngestResult[]> {
  const pool = opts.pool ?? sharedPool(opts.jobs);
  const ahead = Math.max(1, opts.ahead ?? defaultAhead(opts.jobs ?? pool.size));
  const pending: Promise<ProcessedDocument | { unreadable: string }>[] = [];
  const start = (i: number) => {
    const input = inputs[i];
    pending[i] = (async () => {
      let bytes: Uint8Array;
      try {
        bytes = input.read();
      } catch (e) {
        return { unreadable: (e as Error).message };
      }
      return processForLoad(bytes, input.source, { ...opts, pool, hints: input.hints ?? opts.hints });
    })();
  };
  const results: IngestResult[] = [];
  let next = 0;
  for (; next < Math.min(ahead, inputs.length); next++) start(next);
  for (let i = 0; i < inputs.length; i++) {
    const p = await pending[i];
    delete pending[i];
    if (next < inputs.length) start(next++);
    let r: IngestResult;
    try {
      r = 'unreadable' in p ? await recordUnreadable(conn, inputs[i].source, p.unreadable) : await loadProcessed(conn, p);
    } catch (e) {
      // Even the failure record could not be written: report it and go on with the others.
      const doc_id = 'unreadable' in p ? sha256(Buffer.from(`unreadable:${inputs[i].source}`)) : p.doc_id;
      r = { doc_id, source: inputs[i].source, format: 'unknown', status: 'load_error', error: (e as Error).message, pages: null, tables: 0, tablesByKind: {}, projects: 0, indicators: 0, budget_lines: 0, warnings: [], issues: null, seconds: 0 };
    }
    results.push(r);
    opts.onResult?.(r, inputs[i]);
  }
  return results;
}

/** Unreadable input: record it under a digest of its path so the failure is visible. */
async function recordUnreadable(conn: DuckDBConnection, path: string, error: string): Promise<IngestResult> {
  const doc_id = sha256(Buffer.from(`unreadable:${path}`));
  await replaceDocument(
    conn,
    { doc_id, source: path, format: 'unknown', bytes: 0, status: 'unreadable', error, warnings: [], pages: null, extractor: null, transform_version: null, seconds: 0 },
    null,
  );
  return { doc_id, source: path, format: 'unknown', status: 'unreadable', error, pages: null, tables: 0, tablesByKind: {}, projects: 0, indicators: 0, budget_lines: 0, warnings: [], issues: null, seconds: 0 };
}

/**
 * Ingest files (and folders) through the pool, loading in order. The local file's name is a hint
 * like any other (used only where the document is silent).
 */
export function ingestFiles(conn: DuckDBConnection, paths: string[], opts: Parameters<typeof ingestMany>[2] = {}) {
  const input = (p: string): IngestInput => ({ source: p, read: () => readFileSync(p), hints: { ...opts.hints, filename: opts.hints?.filename ?? basename(p) } });
  return ingestMany(conn, paths.map(input), opts);
}

export async function ingestFile(conn: DuckDBConnection, path: string, opts: IngestOptions = {}): Promise<IngestResult> {
  return (await ingestFiles(conn, [path], opts))[0];
}

/** A document counts as ingested when it produced rows or was read cleanly. */
export const isIngested = (r: IngestResult) => ['ok', 'partial', 'low_confidence', 'no_tables'].includes(r.status);
