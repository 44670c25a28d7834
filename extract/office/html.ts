/**
 * HTML extractor: tables inline in disclosure detail pages (and HTML saved by office software).
 *
 * Decoding follows the browser's order of evidence: a BOM, then the HTTP Content-Type charset,
 * then `<meta charset>` / `<meta http-equiv="Content-Type">` — each trusted only when the bytes agree
 * (GBK pages that declare UTF-8, and the reverse, are common); see `decodeText`.
 *
 * MHTML web archives (Word's "single file web page", often published with a .doc name) are
 * unpacked first: the first text/html part, decoded from quoted-printable / base64, with the
 * part's charset as the declared one.
 */
import { decodeText } from '../decode.ts';
import type { ExtractOptions } from '../types.ts';
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

/** True for a MIME web archive (MHTML: Word / IE "single file web page", often published as .doc). */
export function isMhtml(bytes: Uint8Array): boolean {
  const headers = Buffer.from(bytes.subarray(0, 4096)).toString('latin1').trimStart().split(/\r?\n\r?\n/)[0];
  return /^[\w-]+:/.test(headers) && /^content-type:\s*multipart\/related/im.test(headers);
}

/** Header block (RFC 822 style, folded lines joined) → lower-case name → value. */
function mimeHeaders(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = /^([\w-]+):\s*(.*)$/.exec(line);
    if (m) out.set(m[1].toLowerCase(), m[2].trim());
  }
  return out;
}

function decodeQuotedPrintable(body: string): Buffer {
  const s = body.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x3d && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(ch & 0xff);
  }
  return Buffer.from(out);
}

/** The first text/html part of an MHTML archive, decoded from its transfer encoding, with its charset. */
export function mhtmlHtmlPart(bytes: Uint8Array): { html: Buffer; charset: string | null } | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const split = /\r?\n\r?\n/.exec(text);
  if (!split) return null;
  const top = mimeHeaders(text.slice(0, split.index));
  const boundary = /boundary\s*=\s*"?([^";]+)"?/i.exec(top.get('content-type') ?? '')?.[1];
  if (!boundary) return null;
  for (const part of text.split(`--${boundary}`).slice(1)) {
    const sep = /\r?\n\r?\n/.exec(part);
    if (!sep) continue;
    const h = mimeHeaders(part.slice(0, sep.index).replace(/^\r?\n/, ''));
    const ct = h.get('content-type') ?? '';
    if (!/text\/html/i.test(ct)) continue;
    const body = part.slice(sep.index + sep[0].length);
    const cte = (h.get('content-transfer-encoding') ?? '').toLowerCase();
    const html = cte === 'quoted-printable' ? decodeQuotedPrintable(body) : cte === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : Buffer.from(body, 'latin1');
    return { html, charset: charsetFromContentType(ct) };
  }
  return null;
}

export function decodeHtml(bytes: Uint8Array, contentType?: string | null): { text: string; encoding: string; declared: string | null } {
  const declared = charsetFromContentType(contentType) ?? charsetFromMeta(bytes);
  const { text, encoding } = decodeText(bytes, declared);
  return { text, encoding, declared };
}

export async function extractHtml(bytes: Uint8Array, opts: HtmlExtractOptions = {}): Promise<ExtractedDoc> {
  if (!bytes.length) throw new ExtractError('empty', 'empty HTML file');
  if (bytes.length > MAX_HTML_BYTES) throw new ExtractError('too_large', `HTML of ${bytes.length} bytes is above the ${MAX_HTML_BYTES}-byte limit`);
  let contentType = opts.contentType;
  let mhtml = false;
  if (isMhtml(bytes)) {
    const part = mhtmlHtmlPart(bytes);
    if (!part) throw new ExtractError('corrupt', 'MHTML archive without a text/html part');
    bytes = part.html;
    if (part.charset) contentType = `text/html; charset=${part.charset}`;
    mhtml = true;
  }
  const { text, encoding, declared } = decodeHtml(bytes, contentType);
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
    meta: { encoding, declaredCharset: declared, title, tables, ...(mhtml ? { container: 'mhtml' } : {}) },
  };
}
