/**
 * Entry points registered in extract/index.ts. DOCX / XLSX / HTML run in the office worker thread
 * (thread.ts: time and memory budget); DOC / XLS are converted by LibreOffice first (its own
 * process group and timeout), then read in the worker with what is left of the budget.
 */
import { detectFormat } from '../detect.ts';
import type { ExtractOptions } from '../types.ts';
import type { ExtractedDoc } from '../types.ts';
import { convertWithSoffice } from './libreoffice.ts';
import { extractInWorker } from './thread.ts';

export const SOFFICE_STEP = 'soffice@1';

const left = (opts: ExtractOptions, t0: number) => (opts.timeoutMs != null ? Math.max(1, opts.timeoutMs - (performance.now() - t0)) : undefined);

export const extractDocxBudgeted = (bytes: Uint8Array, opts: ExtractOptions = {}) => extractInWorker('docx', bytes, opts);
export const extractXlsxBudgeted = (bytes: Uint8Array, opts: ExtractOptions = {}) => extractInWorker('xlsx', bytes, opts);
export const extractHtmlBudgeted = (bytes: Uint8Array, opts: ExtractOptions = {}) => extractInWorker('html', bytes, opts);

export async function extractDocBudgeted(bytes: Uint8Array, opts: ExtractOptions = {}): Promise<ExtractedDoc> {
  const t0 = performance.now();
  const rtf = detectFormat(bytes).evidence.startsWith('RTF');
  const conv = await convertWithSoffice(bytes, rtf ? 'rtf' : 'doc', 'docx', { timeoutMs: opts.timeoutMs });
  const doc = await extractInWorker('docx', conv.bytes, { ...opts, timeoutMs: left(opts, t0) });
  return { ...doc, format: 'doc', extractor: `${SOFFICE_STEP}+${doc.extractor}`, meta: { ...doc.meta, convertedFrom: rtf ? 'rtf' : 'doc', conversionSeconds: conv.seconds } };
}

export async function extractXlsBudgeted(bytes: Uint8Array, opts: ExtractOptions = {}): Promise<ExtractedDoc> {
  const t0 = performance.now();
  const conv = await convertWithSoffice(bytes, 'xls', 'xlsx', { timeoutMs: opts.timeoutMs });
  const doc = await extractInWorker('xls-converted', conv.bytes, { ...opts, timeoutMs: left(opts, t0) });
  return { ...doc, extractor: `${SOFFICE_STEP}+${doc.extractor}`, meta: { ...doc.meta, convertedFrom: 'xls', conversionSeconds: conv.seconds } };
}
