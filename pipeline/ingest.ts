/**
 * extract → transform → load for one document or many.
 *
 * Each document is keyed by the sha256 of its bytes and loaded in its own transaction; a
 * document that cannot be read is still recorded in `documents` with its status and error,
 * and never stops the others.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { extractDocument } from '../extract/index.ts';
import { detectFormat } from '../extract/detect.ts';
import { ExtractError, type ExtractedDoc } from '../extract/types.ts';
import { transformDocument, TRANSFORM_VERSION } from '../transform/index.ts';
import type { DocumentHints, NormalizedDoc } from '../transform/types.ts';
import { replaceDocument, type DocumentRecord } from '../warehouse/load.ts';
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

export interface IngestOptions {
  /** Per-document wall-clock budget, milliseconds (passed to extractors). */
  timeoutMs?: number;
  /** Extra metadata hints from the crawler (region, department) used when the text has none. */
  hints?: DocumentHints;
}

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

/** Run extract + transform on bytes without touching the warehouse. */
export async function processBytes(
  bytes: Uint8Array,
  source: string,
  opts: IngestOptions = {},
): Promise<{ extracted: ExtractedDoc; doc: NormalizedDoc }> {
  const extracted = await extractDocument(bytes, { source, timeoutMs: opts.timeoutMs });
  const doc = transformDocument(extracted, { source, hints: opts.hints });
  return { extracted, doc };
}

/** Decide the document status from what extraction and transform found. */
function statusOf(extracted: ExtractedDoc, doc: NormalizedDoc): string {
  if (extracted.status === 'low_confidence') return 'low_confidence';
  if (!doc.tables.length) return 'no_tables';
  if (doc.warnings.some((w) => w.startsWith('truncated'))) return 'partial';
  return 'ok';
}

export async function ingestBytes(
  conn: DuckDBConnection,
  bytes: Uint8Array,
  source: string,
  opts: IngestOptions = {},
): Promise<IngestResult> {
  const t0 = performance.now();
  const doc_id = sha256(bytes);
  const det = detectFormat(bytes);
  let extracted: ExtractedDoc | null = null;
  let doc: NormalizedDoc | null = null;
  let status = 'failed';
  let error: string | null = null;
  try {
    ({ extracted, doc } = await processBytes(bytes, source, opts));
    status = statusOf(extracted, doc);
  } catch (e) {
    if (e instanceof ExtractError) status = e.reason;
    error = (e as Error).message || String(e);
  }
  const warnings = [...(extracted?.warnings ?? []), ...(doc?.warnings ?? [])];
  const seconds = (performance.now() - t0) / 1000;
  const rec: DocumentRecord = {
    doc_id,
    source,
    format: extracted?.format ?? det.format,
    bytes: bytes.length,
    status,
    error,
    warnings,
    pages: extracted?.pages ?? null,
    extractor: extracted?.extractor ?? null,
    transform_version: doc ? TRANSFORM_VERSION : null,
    seconds,
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
    doc_id,
    source,
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
    seconds,
  };
}

export async function ingestFile(conn: DuckDBConnection, path: string, opts: IngestOptions = {}): Promise<IngestResult> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    // Unreadable file: record it under a digest of its path so the failure is visible.
    const doc_id = sha256(Buffer.from(`unreadable:${path}`));
    const error = (e as Error).message;
    await replaceDocument(
      conn,
      { doc_id, source: path, format: 'unknown', bytes: 0, status: 'unreadable', error, warnings: [], pages: null, extractor: null, transform_version: null, seconds: 0 },
      null,
    );
    return { doc_id, source: path, format: 'unknown', status: 'unreadable', error, pages: null, tables: 0, tablesByKind: {}, projects: 0, indicators: 0, budget_lines: 0, warnings: [], issues: null, seconds: 0 };
  }
  // The local file's name is a hint like any other (used only where the document is silent).
  return ingestBytes(conn, bytes, path, { ...opts, hints: { ...opts.hints, filename: opts.hints?.filename ?? basename(path) } });
}

/** A document counts as ingested when it produced rows or was read cleanly. */
export const isIngested = (r: IngestResult) => ['ok', 'partial', 'low_confidence', 'no_tables'].includes(r.status);
