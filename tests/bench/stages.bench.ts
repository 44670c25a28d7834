/**
 * Where one document's time goes, stage by stage, one file at a time in this thread: pdf.js
 * parsing (rulings + text → grids, `parsePdf`), OCR of the pages without text (pdftoppm +
 * tesseract), transform, load (one transaction), next to `pdftotext -layout` on the same file.
 * The figures the document pool's speed is made of (see docs/operations.md, "Where the time goes").
 *
 *   npx jixiao bench stages              JIXIAO_BENCH_LIMIT=15 … only the first N files
 *   JIXIAO_CORPUS=DIR …                  the PDFs under DIR/pdf instead of tests/corpus/pdf
 *
 * For a CPU profile of the parsing itself: node --cpu-prof --import tsx on a script calling
 * parsePdf (see docs/operations.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { extractPdf, stopPdfThread } from '../../extract/pdf/index.ts';
import { ocrPages } from '../../extract/pdf/ocr.ts';
import { parsePdf } from '../../extract/pdf/parse.ts';
import { loadProcessed, sha256 } from '../../pipeline/ingest.ts';
import { transformDocument } from '../../transform/index.ts';
import { openWarehouse } from '../../warehouse/db.ts';
import { BENCH_CORPUS, benchPdfFiles } from './corpus.ts';

const CORPUS = BENCH_CORPUS;

const ms = (t0: number) => performance.now() - t0;
/** CPU ms of this process since `c0` (all its threads; the others idle while a stage runs here). */
const cpuMs = (c0: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / 1000;
};

export async function run(): Promise<void> {
  const files = benchPdfFiles();
  const dir = mkdtempSync(join(tmpdir(), 'jixiao-bench-stages-'));
  const wh = await openWarehouse(join(dir, 'bench.duckdb'));
  const total = { pages: 0, parse: 0, parseCpu: 0, ocr: 0, ocrPages: 0, transform: 0, load: 0, pdftotext: 0 };
  try {
    await parsePdf(readFileSync(files[0]), { pages: [1] }); // pdf.js loaded before timing
    console.log(`${files.length} PDFs from ${CORPUS}/pdf; ms per stage, one file at a time (noisy on a shared machine)`);
    console.log(['pages', 'parse', 'parse CPU', 'ocr(pages)', 'transform', 'load', 'pdftotext', '×pdftotext', 'file'].join('\t'));
    for (const f of files) {
      const bytes = readFileSync(f);
      let t = performance.now();
      const c0 = process.cpuUsage();
      const parsed = await parsePdf(bytes);
      const parse = ms(t);
      const parseCpu = cpuMs(c0);
      const todo = parsed.textlessPages.slice(0, 30);
      t = performance.now();
      if (todo.length) await ocrPages(bytes, todo, Date.now() + 300_000);
      const ocr = ms(t);
      const extracted = await extractPdf(bytes, { ocr: false }); // the blocks transform reads (not timed: parsed again)
      t = performance.now();
      const doc = transformDocument(extracted, { source: f, hints: { filename: basename(f) } });
      const transform = ms(t);
      t = performance.now();
      await loadProcessed(wh.conn, { doc_id: sha256(bytes), source: f, bytes: bytes.length, detected: 'pdf', processed: { extracted, doc, failure: null }, seconds: 0 });
      const load = ms(t);
      t = performance.now();
      try {
        execFileSync('pdftotext', ['-layout', f, '-'], { maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        /* only its time is compared */
      }
      const pt = ms(t);
      const ours = parse + ocr + transform + load;
      console.log([parsed.pages, parse.toFixed(0), parseCpu.toFixed(0), `${ocr.toFixed(0)}(${todo.length})`, transform.toFixed(0), load.toFixed(0), pt.toFixed(0), (ours / pt).toFixed(1), f.slice(CORPUS.length + 5)].join('\t'));
      total.pages += parsed.pages;
      total.parse += parse;
      total.parseCpu += parseCpu;
      total.ocr += ocr;
      total.ocrPages += todo.length;
      total.transform += transform;
      total.load += load;
      total.pdftotext += pt;
    }
    const all = total.parse + total.ocr + total.transform + total.load;
    const share = (v: number) => `${(v / 1000).toFixed(1)} s (${((100 * v) / all).toFixed(0)} %)`;
    console.log(`total ${total.pages} pages: parse ${share(total.parse)}, OCR ${share(total.ocr)} for ${total.ocrPages} pages, transform ${share(total.transform)}, load ${share(total.load)}; pdftotext ${(total.pdftotext / 1000).toFixed(1)} s`);
    console.log(`without OCR: ${((all - total.ocr) / total.pdftotext).toFixed(1)}× pdftotext's time on one core; parsing alone ${(total.pages / (total.parse / 1000)).toFixed(1)} pages/s (${(total.parseCpu / 1000).toFixed(1)} s CPU)`);
  } finally {
    stopPdfThread();
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
