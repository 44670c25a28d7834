/**
 * The PDF extractor: bytes → `ExtractedDoc` (see ../types.ts).
 *
 * pdf.js runs in a worker thread (`worker.mjs` → `parse.ts`) with a memory limit, and is
 * terminated when the document's time budget runs out, so one hostile or pathological file can
 * neither hang nor exhaust the run. Pages without a text layer are then OCR'd (`ocr.ts`) in
 * child processes within the remaining budget.
 */
import { BudgetedWorker } from '../budgeted-worker.ts';
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

/**
 * One parsing thread, reused across documents (starting one costs ~1 s: tsx and pdf.js load),
 * with the document's time budget and a heap limit; see ../budgeted-worker.ts.
 */
const thread = new BudgetedWorker<{ bytes: Uint8Array; opts: ParseOptions }, ParsedPdf>(new URL('./worker.mjs', import.meta.url));


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
  const parsed = await thread.run({ bytes, opts: { pages: opts.pages } }, { timeoutMs, memoryMb: opts.memoryMb ?? 2048 }, 'PDF parsing');
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
