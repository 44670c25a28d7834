/**
 * Extraction entry point: detect the format from the bytes and hand them to that format's
 * extractor. Each extractor returns an `ExtractedDoc` (see types.ts) or throws an ExtractError.
 */
import { detectFormat } from './detect.ts';
import { ExtractError, type ExtractedDoc, type ExtractOptions, type SourceFormat } from './types.ts';

export type { ExtractOptions };

type Extractor = (bytes: Uint8Array, opts: ExtractOptions) => Promise<ExtractedDoc>;

/** Extractors by format, loaded lazily so a text-only run never loads pdf.js or LibreOffice glue. */
const EXTRACTORS: Partial<Record<SourceFormat, () => Promise<Extractor>>> = {
  text: async () => (await import('./text.ts')).extractText,
  pdf: async () => (await import('./pdf/index.ts')).extractPdf,
  docx: async () => (await import('./office/index.ts')).extractDocxBudgeted,
  doc: async () => (await import('./office/index.ts')).extractDocBudgeted,
  xlsx: async () => (await import('./office/index.ts')).extractXlsxBudgeted,
  xls: async () => (await import('./office/index.ts')).extractXlsBudgeted,
  html: async () => (await import('./office/index.ts')).extractHtmlBudgeted,
};

export function registerExtractor(format: SourceFormat, load: () => Promise<Extractor>) {
  EXTRACTORS[format] = load;
}

export async function extractDocument(bytes: Uint8Array, opts: ExtractOptions = {}): Promise<ExtractedDoc> {
  const det = detectFormat(bytes);
  if (det.format === 'empty') throw new ExtractError('empty', 'empty file (0 bytes)');
  if (det.format === 'binary') throw new ExtractError('binary', `not a document: ${det.evidence}`);
  if (det.format === 'ole' && det.evidence.includes('EncryptedPackage')) throw new ExtractError('encrypted', `password-protected Office file: ${det.evidence}`);
  if (det.format === 'zip' || det.format === 'ole') throw new ExtractError('unsupported_format', `unsupported container: ${det.evidence}`);
  const load = EXTRACTORS[det.format];
  if (!load) throw new ExtractError('unsupported_format', `no extractor for ${det.format} (${det.evidence})`);
  const extractor = await load();
  return extractor(bytes, opts);
}
