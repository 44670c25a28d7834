/**
 * The PDF extractor: bytes → `ExtractedDoc` (see ../types.ts).
 *
 * pdf.js runs in a worker thread (`worker.mjs` → `parse.ts`) with a memory limit, and is
 * terminated when the document's time budget runs out, so one hostile or pathological file can
 * neither hang nor exhaust the run. Pages without a text layer are then OCR'd (`ocr.ts`) in
 * child processes within the remaining budget.
 */
import { Worker } from 'node:worker_threads';
import { ExtractError, type Block, type ExtractedDoc, type TableBlock, type TableRow } from '../types.ts';
import { ocrPages, type OcrPage } from './ocr.ts';
import type { ParsedPdf, ParseOptions } from './parse.ts';
import type { GridTable, PageBlock } from './stitch.ts';

export const PDF_EXTRACTOR_VERSION = '1.0.0';

export interface PdfExtractOptions {
  source?: string;
  /**
   * Wall-clock budget for the whole document, ms. Default: 120 s for parsing, then up to
   * `ocrTimeoutMs` for OCR of pages without text.
   */
  timeoutMs?: number;
  /** OCR budget when `timeoutMs` is not given (default 300 s). */
  ocrTimeoutMs?: number;
  /** Heap limit of the parsing thread, MB (default 2048). */
  memoryMb?: number;
  /** OCR pages without a text layer (default true). */
  ocr?: boolean;
  /** At most this many pages are OCR'd per document (default 30). */
  maxOcrPages?: number;
  /** Only these pages (tools and tests). */
  pages?: number[];
}

const WORKER_URL = new URL('./worker.mjs', import.meta.url);

type WorkerReply =
  | { id: number; ok: true; result: ParsedPdf }
  | { id: number; ok: false; reason: 'encrypted' | 'corrupt' | 'truncated' | 'empty'; message: string };

/**
 * One parsing thread, reused across documents (starting one costs ~1 s: tsx and pdf.js load).
 * Documents are parsed one at a time; a document that times out, crashes the thread or exceeds
 * the memory limit gets the thread terminated, and the next document starts a fresh one.
 * Idle, the thread is unref'd so it never keeps the process alive.
 */
class ParserThread {
  private worker: Worker | null = null;
  private memoryMb = 0;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  parse(bytes: Uint8Array, opts: ParseOptions, timeoutMs: number, memoryMb: number): Promise<ParsedPdf> {
    const job = this.queue.then(() => this.run(bytes, opts, timeoutMs, memoryMb));
    this.queue = job.catch(() => undefined);
    return job;
  }

  private start(memoryMb: number): Worker {
    if (this.worker && this.memoryMb === memoryMb) return this.worker;
    this.stop();
    const w = new Worker(WORKER_URL, {
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 64 },
    });
    w.on('exit', () => {
      if (this.worker === w) this.worker = null;
    });
    this.worker = w;
    this.memoryMb = memoryMb;
    return w;
  }

  stop() {
    const w = this.worker;
    this.worker = null;
    if (w) void w.terminate();
  }

  private run(bytes: Uint8Array, opts: ParseOptions, timeoutMs: number, memoryMb: number): Promise<ParsedPdf> {
    const w = this.start(memoryMb);
    const id = this.nextId++;
    w.ref();
    return new Promise<ParsedPdf>((resolve, reject) => {
      let settled = false;
      const cleanup = () => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        w.unref();
      };
      const fail = (e: Error, kill: boolean) => {
        if (settled) return;
        settled = true;
        cleanup();
        if (kill && this.worker === w) this.stop();
        reject(e);
      };
      const onMessage = (m: WorkerReply | { ready: true }) => {
        if (!('id' in m) || m.id !== id || settled) return;
        settled = true;
        cleanup();
        if (m.ok) resolve(m.result);
        else reject(new ExtractError(m.reason, m.message));
      };
      const onError = (e: Error & { code?: string }) =>
        fail(
          e.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ExtractError('too_large', `PDF parsing exceeded its ${memoryMb} MB memory budget`)
            : new ExtractError('corrupt', `PDF parser failed: ${e.message}`),
          true,
        );
      const onExit = (code: number) => fail(new ExtractError('corrupt', `PDF parser exited (code ${code}) without a result`), false);
      const timer = setTimeout(
        () => fail(new ExtractError('timeout', `PDF parsing exceeded its ${Math.round(timeoutMs / 1000)} s budget`), true),
        timeoutMs,
      );
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ id, bytes, opts });
    });
  }
}

const thread = new ParserThread();

/** Stop the parsing thread (tests, or a host that wants to free its memory). */
export const stopPdfThread = () => thread.stop();

/** Internal grid → contract rows (HTML span semantics: covered positions omitted). */
export function toTableBlock(t: GridTable, tableNo: number): TableBlock {
  const rows: TableRow[] = [];
  for (let r = 0; r < t.nRows; r++) {
    const cells = t.cells
      .filter((c) => c.r === r)
      .sort((a, b) => a.c - b.c)
      .map((c) => ({ text: c.text, ...(c.rs > 1 ? { rowSpan: c.rs } : {}), ...(c.cs > 1 ? { colSpan: c.cs } : {}) }));
    rows.push({ cells, page: t.rowPages[r] });
  }
  return {
    type: 'table',
    tableNo,
    page: t.page,
    pageEnd: t.pageEnd,
    rows,
    spansKnown: true,
    ...(t.ocrConfidence != null ? { ocrConfidence: t.ocrConfidence } : {}),
  };
}

function toBlocks(blocks: PageBlock[]): Block[] {
  const out: Block[] = [];
  let tableNo = 0;
  for (const b of blocks) {
    if (b.kind === 'table') out.push(toTableBlock(b.table, ++tableNo));
    else out.push({ type: 'text', text: b.lines.map((l) => l.text).join('\n'), page: b.lines[0]?.page ?? null });
  }
  return out;
}

export async function extractPdf(bytes: Uint8Array, opts: PdfExtractOptions = {}): Promise<ExtractedDoc> {
  if (!bytes.length) throw new ExtractError('empty', 'empty file (0 bytes)');
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  const parsed = await thread.parse(bytes, { pages: opts.pages }, timeoutMs, opts.memoryMb ?? 2048);
  const warnings = [...parsed.warnings];
  const blocks = toBlocks(parsed.blocks);
  const meta: Record<string, unknown> = { ...parsed.meta, stitchedTables: parsed.stitched };
  let status: ExtractedDoc['status'] = blocks.some((b) => b.type === 'table') ? 'ok' : 'no_tables';

  const textless = parsed.textlessPages;
  if (textless.length && opts.ocr !== false) {
    const max = opts.maxOcrPages ?? 30;
    const todo = textless.slice(0, max);
    if (textless.length > max) warnings.push(`ocr: only the first ${max} of ${textless.length} pages without text were OCR'd`);
    const ocrDeadline = opts.timeoutMs != null ? deadline : Date.now() + (opts.ocrTimeoutMs ?? 300_000);
    let ocr: OcrPage[] = [];
    try {
      const res = await ocrPages(bytes, todo, ocrDeadline);
      ocr = res.pages;
      if (res.skipped.length) warnings.push(`ocr: time budget ran out; pages ${res.skipped.join(', ')} not OCR'd`);
      for (const f of res.failed) warnings.push(`ocr failed on page ${f.page}: ${f.error}`);
    } catch (e) {
      warnings.push(`ocr failed: ${(e as Error).message.split('\n')[0]}`);
    }
    const read = ocr.filter((p) => p.lines.length);
    const words = read.reduce((a, p) => a + p.words, 0);
    const conf = words ? read.reduce((a, p) => a + (p.conf ?? 0) * p.words, 0) / words : null;
    meta.ocr = {
      engine: 'tesseract chi_sim',
      pages: read.map((p) => p.page),
      meanConfidence: conf == null ? null : Number(conf.toFixed(3)),
      words,
    };
    meta.ocrConfidence = conf == null ? null : Number(conf.toFixed(3));
    // Insert OCR text in page order.
    for (const p of read) {
      const block: Block = { type: 'text', text: p.lines.map((l) => l.text).join('\n'), page: p.page };
      const at = blocks.findIndex((b) => (b.page ?? 0) > p.page);
      if (at < 0) blocks.push(block);
      else blocks.splice(at, 0, block);
    }
    if (read.length)
      warnings.push(
        `ocr: pages ${read.map((p) => p.page).join(', ')} have no text layer; text from OCR (mean confidence ${conf!.toFixed(2)}), tables not rebuilt`,
      );
  }
  if (textless.length) {
    const unread = textless.filter((p) => !((meta.ocr as { pages?: number[] } | undefined)?.pages ?? []).includes(p));
    if (unread.length) warnings.push(`pages ${unread.join(', ')} have no text layer and were not read`);
    // Mostly image pages: the content is only as good as OCR (or unknown) — never a plain no_tables.
    if (textless.length * 2 >= parsed.parsedPages) status = 'low_confidence';
  }
  return {
    format: 'pdf',
    extractor: `jixiao-pdf@${PDF_EXTRACTOR_VERSION} (pdfjs-dist ${parsed.meta.pdfjs})`,
    pages: parsed.pages,
    blocks,
    warnings,
    status,
    meta,
  };
}
