/**
 * Scanned PDFs (MANIFEST flag SCANNED_NO_TEXT): OCR'd with tesseract chi_sim, text blocks with
 * an honest low-confidence status. Expected strings were read on the rendered pages.
 * Slow (tesseract at 200 dpi, ~5 s a page on a busy 2-core machine): one file per test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countCores, newCoreCounter, shareCores } from '../extract/cores.ts';
import { extractPdf, stopPdfThread } from '../extract/pdf/index.ts';
import { ocrPages } from '../extract/pdf/ocr.ts';
import type { ExtractedDoc } from '../extract/types.ts';
import { CORPUS } from './helpers/paths.ts';

afterAll(() => stopPdfThread());

const pageText = (d: ExtractedDoc, page: number) =>
  d.blocks
    .filter((b) => b.type === 'text' && b.page === page)
    .map((b) => (b.type === 'text' ? b.text : ''))
    .join('\n')
    .replace(/\s/g, '');

describe('PDF extractor on scanned documents', () => {
  it('长沙 scanned notice + a table scanned sideways: OCR text, low_confidence with the mean confidence', async () => {
    const doc = await extractPdf(readFileSync(join(CORPUS, 'pdf/015_长沙/文化广电旅游体育局_2026年部门预算.pdf')), { timeoutMs: 300_000 });
    expect(doc.pages).toBe(2);
    expect(doc.status).toBe('low_confidence');
    const ocr = doc.meta?.ocr as { pages: number[]; meanConfidence: number };
    expect(ocr.pages).toEqual([1, 2]);
    expect(doc.meta?.ocrConfidence).toBe(ocr.meanConfidence);
    expect(ocr.meanConfidence).toBeGreaterThan(0);
    expect(ocr.meanConfidence).toBeLessThan(1);
    expect(doc.warnings.some((w) => w.startsWith('ocr: pages 1, 2 have no text layer'))).toBe(true);
    // Page 1: the 长沙市财政局 notice, upright.
    expect(pageText(doc, 1)).toContain('关于下达2025年文化和旅游项目资金');
    // Page 2: the attached table, printed landscape on a portrait page (read with orientation detection).
    expect(pageText(doc, 2)).toContain('2025年文化和旅游项目资金安排表');
    // No table is made up from OCR.
    expect(doc.blocks.some((b) => b.type === 'table')).toBe(false);
  });

  // All 8 pages take ~2 min here; pages 1 and 5 show the same (the bench OCRs the whole file).
  it('北京 scanned 8-page disclosure (pages 1 and 5): OCR text, low_confidence', async () => {
    const doc = await extractPdf(readFileSync(join(CORPUS, 'pdf/002_北京/政务服务和数据管理局_2026年部门预算.pdf')), { pages: [1, 5], timeoutMs: 300_000 });
    expect(doc.pages).toBe(8);
    expect(doc.status).toBe('low_confidence');
    expect((doc.meta?.ocr as { pages: number[] }).pages).toEqual([1, 5]);
    // Page 1: title and table of contents (tesseract reads 北京 as 北豆 on this scan: no exact title).
    expect(pageText(doc, 1)).toContain('政务服务和数据管理局');
    expect(pageText(doc, 1)).toContain('部门预算信息公开');
    expect(pageText(doc, 1)).toContain('一般公共预算支出表');
    // Page 5: amounts keep their digits together.
    expect(pageText(doc, 5)).toContain('101,673.03万元');
  }, 300_000);

  it('reads pages at once on cores the process leaves idle, with the same words, and gives the cores back', async () => {
    const bytes = readFileSync(join(CORPUS, 'pdf/015_长沙/文化广电旅游体育局_2026年部门预算.pdf'));
    const alone = await ocrPages(bytes, [1, 2], Date.now() + 300_000);
    // As inside a pool of 2 cores with 1 busy slot (this document's): one core is idle.
    const counter = newCoreCounter();
    countCores(counter, 1);
    shareCores(counter, 2);
    const seen = new Int32Array(counter);
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, Atomics.load(seen, 0))), 20);
    try {
      const shared = await ocrPages(bytes, [1, 2], Date.now() + 300_000);
      expect(most).toBe(2); // the second page was read on the idle core
      expect(shared.pages.map((p) => p.page)).toEqual([1, 2]);
      expect(shared.pages.map((p) => p.lines.map((l) => l.text))).toEqual(alone.pages.map((p) => p.lines.map((l) => l.text)));
      expect(Atomics.load(seen, 0)).toBe(1); // given back
    } finally {
      clearInterval(watch);
    }
  }, 300_000);
});

