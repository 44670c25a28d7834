/**
 * DOC (Word 97–2003, also RTF) and XLS (Excel 97–2003): LibreOffice converts them to DOCX / XLSX,
 * then the DOCX / XLSX extractors read the result. The ExtractedDoc keeps the original format and
 * names both steps in `extractor`.
 */
import { detectFormat } from '../detect.ts';
import type { ExtractOptions } from '../index.ts';
import type { ExtractedDoc } from '../types.ts';
import { extractDocx } from './docx.ts';
import { convertWithSoffice } from './libreoffice.ts';
import { extractXlsx } from './xlsx.ts';

export const SOFFICE_STEP = 'soffice@1';

export async function extractDoc(bytes: Uint8Array, opts: ExtractOptions = {}): Promise<ExtractedDoc> {
  const rtf = detectFormat(bytes).evidence.startsWith('RTF');
  const conv = await convertWithSoffice(bytes, rtf ? 'rtf' : 'doc', 'docx', { timeoutMs: opts.timeoutMs });
  const doc = await extractDocx(conv.bytes, opts);
  return {
    ...doc,
    format: 'doc',
    extractor: `${SOFFICE_STEP}+${doc.extractor}`,
    meta: { ...doc.meta, convertedFrom: rtf ? 'rtf' : 'doc', conversionSeconds: conv.seconds },
  };
}

export async function extractXls(bytes: Uint8Array, opts: ExtractOptions = {}): Promise<ExtractedDoc> {
  const conv = await convertWithSoffice(bytes, 'xls', 'xlsx', { timeoutMs: opts.timeoutMs });
  const doc = await extractXlsx(conv.bytes, opts, 'xls');
  return {
    ...doc,
    extractor: `${SOFFICE_STEP}+${doc.extractor}`,
    meta: { ...doc.meta, convertedFrom: 'xls', conversionSeconds: conv.seconds },
  };
}
