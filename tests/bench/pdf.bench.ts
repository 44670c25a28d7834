/**
 * PDF extraction over the whole corpus: pages/s of jixiao's extractor (rulings → grids with
 * spans, stitching, OCR of text-less pages) side by side with poppler's `pdftotext -layout`
 * (plain text, no table structure) on the same files in the same run.
 *
 *   npm run bench -- pdf                 (or: npx jixiao bench pdf)
 *   JIXIAO_BENCH_VERBOSE=1 … prints one line per file
 *   JIXIAO_BENCH_LIMIT=10 … only the first N files
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { extractPdf } from '../../extract/pdf/index.ts';
import { ExtractError } from '../../extract/types.ts';
import { BENCH_CORPUS, benchPdfFiles } from './corpus.ts';

const exec = promisify(execFile);
const SHARED = BENCH_CORPUS;

export async function run(): Promise<void> {
  const verbose = !!process.env.JIXIAO_BENCH_VERBOSE;
  const files = benchPdfFiles();
  let pages = 0;
  let ocrPages = 0;
  let tJx = 0;
  let tPt = 0;
  let tables = 0;
  let rows = 0;
  let stitched = 0;
  const statuses: Record<string, number> = {};
  for (const f of files) {
    const bytes = readFileSync(f);
    let t = performance.now();
    let line = '';
    try {
      const doc = await extractPdf(bytes, { source: f });
      const dt = (performance.now() - t) / 1000;
      tJx += dt;
      pages += doc.pages ?? 0;
      const ocr = (doc.meta?.ocr as { pages?: number[] } | undefined)?.pages?.length ?? 0;
      ocrPages += ocr;
      const tb = doc.blocks.filter((b) => b.type === 'table');
      const nRows = tb.reduce((a, b) => a + (b.type === 'table' ? b.rows.length : 0), 0);
      tables += tb.length;
      rows += nRows;
      stitched += Number(doc.meta?.stitchedTables ?? 0);
      statuses[doc.status ?? 'ok'] = (statuses[doc.status ?? 'ok'] ?? 0) + 1;
      line = `${doc.status}\t${doc.pages}p\t${tb.length} tables\t${nRows} rows\t${doc.meta?.stitchedTables} stitched${ocr ? `\t${ocr} OCR pages` : ''}\t${dt.toFixed(1)} s`;
    } catch (e) {
      tJx += (performance.now() - t) / 1000;
      const reason = e instanceof ExtractError ? e.reason : 'crash';
      statuses[reason] = (statuses[reason] ?? 0) + 1;
      line = `${reason}\t${(e as Error).message}`;
    }
    t = performance.now();
    try {
      await exec('pdftotext', ['-layout', f, '-'], { maxBuffer: 256 * 1024 * 1024 });
    } catch {
      /* pdftotext failures do not matter here: only its time is compared */
    }
    tPt += (performance.now() - t) / 1000;
    if (verbose) console.log(`${f.slice(SHARED.length + 1)}\t${line}`);
  }
  console.log(`files: ${files.length}, pages: ${pages} (${ocrPages} OCR'd), statuses: ${JSON.stringify(statuses)}`);
  console.log(`tables: ${tables} (${stitched} page-break continuations stitched in), rows: ${rows}`);
  console.log(`jixiao pdf extractor : ${tJx.toFixed(1)} s, ${(pages / tJx).toFixed(1)} pages/s`);
  console.log(`pdftotext -layout    : ${tPt.toFixed(1)} s, ${(pages / tPt).toFixed(1)} pages/s`);
  console.log(`ratio (pdftotext time / jixiao time): ${(tPt / tJx).toFixed(3)}  — jixiao is ${(tJx / tPt).toFixed(1)}× slower, and returns table grids with spans instead of text`);
}
