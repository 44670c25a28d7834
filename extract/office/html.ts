/**
 * HTML extractor: tables inline in disclosure detail pages (and HTML saved by office software).
 *
 * Decoding follows the browser's order of evidence: a BOM, then the HTTP Content-Type charset,
 * then `<meta charset>` / `<meta http-equiv="Content-Type">` — each trusted only when the bytes agree
 * (GBK pages that declare UTF-8, and the reverse, are common); see `decodeText`.
 */
import { decodeText } from '../decode.ts';
import type { ExtractOptions } from '../index.ts';
import { ExtractError, type ExtractedDoc } from '../types.ts';
import { htmlToBlocks } from './htmlblocks.ts';

export const HTML_EXTRACTOR = 'office-html@1';

/** `contentType` (ExtractOptions): the response's Content-Type header, whose charset is evidence. */
export type HtmlExtractOptions = ExtractOptions;

/** Largest HTML page we parse (a detail page is rarely above a few MB). */
const MAX_HTML_BYTES = 50 * 1024 * 1024;

/** Charset declared in a Content-Type header value. */
export function charsetFromContentType(ct: string | null | undefined): string | null {
  const m = ct ? /charset\s*=\s*["']?([\w.:-]+)/i.exec(ct) : null;
  return m ? m[1] : null;
}

/** Charset declared by a <meta> tag within the first 4 KiB (the HTML prescan window is 1 KiB; pages overrun it). */
export function charsetFromMeta(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  const m1 = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  return m1 ? m1[1] : null;
}

export function decodeHtml(bytes: Uint8Array, contentType?: string | null): { text: string; encoding: string; declared: string | null } {
  const declared = charsetFromContentType(contentType) ?? charsetFromMeta(bytes);
  const { text, encoding } = decodeText(bytes, declared);
  return { text, encoding, declared };
}

export async function extractHtml(bytes: Uint8Array, opts: HtmlExtractOptions = {}): Promise<ExtractedDoc> {
  if (!bytes.length) throw new ExtractError('empty', 'empty HTML file');
  if (bytes.length > MAX_HTML_BYTES) throw new ExtractError('too_large', `HTML of ${bytes.length} bytes is above the ${MAX_HTML_BYTES}-byte limit`);
  const { text, encoding, declared } = decodeHtml(bytes, opts.contentType);
  // Rows stay as published (a short row is short): no padding, no trimming.
  const { blocks, warnings, title } = htmlToBlocks(text);
  if (declared && !encoding.startsWith(declared.toLowerCase().replace(/^(gb2312|gbk|x-gbk|cp936)$/, 'gb18030')))
    warnings.push(`declared charset ${declared} disagrees with the bytes; decoded as ${encoding}`);
  const tables = blocks.filter((b) => b.type === 'table').length;
  return {
    format: 'html',
    extractor: HTML_EXTRACTOR,
    pages: null,
    blocks,
    warnings,
    status: tables ? 'ok' : 'no_tables',
    meta: { encoding, declaredCharset: declared, title, tables },
  };
}
