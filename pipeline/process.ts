/**
 * extract → transform for one document, in the calling thread, without touching the warehouse.
 * This is what a pool worker (pool-worker.mjs) runs; `processBytes` is also the library call
 * tests and tools use directly. The PDF and Office extractors still run inside their own
 * budgeted thread (extract/budgeted-worker.ts), so the per-document time and memory budgets are
 * the same whichever thread calls this.
 */
import { extractDocument } from '../extract/index.ts';
import { ExtractError, type ExtractedDoc } from '../extract/types.ts';
import { transformDocument } from '../transform/index.ts';
import type { DocumentHints, NormalizedDoc } from '../transform/types.ts';

export interface ProcessOptions {
  /** Per-document wall-clock budget, milliseconds (passed to extractors). */
  timeoutMs?: number;
  /** Extra metadata hints from the crawler (region, department) used when the text has none. */
  hints?: DocumentHints;
}

/** What the warehouse needs of an extraction (the blocks stay behind: the rows carry them). */
export type ExtractSummary = Pick<ExtractedDoc, 'format' | 'extractor' | 'pages' | 'warnings' | 'status'>;

/** The outcome of extract + transform for one document; never an exception. */
export interface Processed {
  extracted: ExtractSummary | null;
  doc: NormalizedDoc | null;
  /** Set when extract or transform failed: the ExtractError reason (null for any other error) and message. */
  failure: { reason: ExtractError['reason'] | null; message: string } | null;
}

/** Run extract + transform on bytes without touching the warehouse. */
export async function processBytes(
  bytes: Uint8Array,
  source: string,
  opts: ProcessOptions = {},
): Promise<{ extracted: ExtractedDoc; doc: NormalizedDoc }> {
  const extracted = await extractDocument(bytes, { source, timeoutMs: opts.timeoutMs });
  const doc = transformDocument(extracted, { source, hints: opts.hints });
  return { extracted, doc };
}

/** processBytes, with any failure captured as data (so it can cross a thread or a queue). */
export async function processDocument(bytes: Uint8Array, source: string, opts: ProcessOptions = {}): Promise<Processed> {
  try {
    const { extracted, doc } = await processBytes(bytes, source, opts);
    const { format, extractor, pages, warnings, status } = extracted;
    return { extracted: { format, extractor, pages, warnings, status }, doc, failure: null };
  } catch (e) {
    return { extracted: null, doc: null, failure: { reason: e instanceof ExtractError ? e.reason : null, message: (e as Error)?.message || String(e) } };
  }
}
