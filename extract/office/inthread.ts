/** What the office worker thread runs: the in-process extractors, by kind. */
import type { ExtractOptions } from '../types.ts';
import type { ExtractedDoc } from '../types.ts';
import { extractDocx } from './docx.ts';
import { extractHtml } from './html.ts';
import { extractXlsx } from './xlsx.ts';

export type OfficeKind = 'docx' | 'xlsx' | 'xls-converted' | 'html';

export function extractInThread(kind: OfficeKind, bytes: Uint8Array, opts: ExtractOptions): Promise<ExtractedDoc> {
  switch (kind) {
    case 'docx':
      return extractDocx(bytes, opts);
    case 'xlsx':
      return extractXlsx(bytes, opts, 'xlsx');
    case 'xls-converted':
      return extractXlsx(bytes, opts, 'xls');
    case 'html':
      return extractHtml(bytes, opts);
  }
}
