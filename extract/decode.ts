/** Decoding text bytes whose encoding is not declared reliably (UTF-8, GBK / GB18030, UTF-16 with BOM). */
import iconv from 'iconv-lite';

export interface Decoded {
  text: string;
  encoding: string;
}

function isValidUtf8(buf: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

/** Normalize an encoding label (from a header or a meta tag) to one iconv-lite knows. */
export function normalizeEncoding(label: string | null | undefined): string | null {
  if (!label) return null;
  const l = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  if (['gb2312', 'gbk', 'gb18030', 'x-gbk', 'cp936', 'euc-cn'].includes(l)) return 'gb18030';
  if (['utf8', 'utf-8'].includes(l)) return 'utf-8';
  if (l === 'big5') return 'big5';
  return iconv.encodingExists(l) ? l : null;
}

/**
 * Decode bytes: a BOM wins; then a declared encoding is used only if the bytes agree with it
 * (a page that says UTF-8 but is GBK is common); otherwise valid UTF-8, else GB18030
 * (a superset of GBK and GB2312).
 */
export function decodeText(buf: Uint8Array, declared?: string | null): Decoded {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { text: b.subarray(3).toString('utf8'), encoding: 'utf-8' };
  if (b[0] === 0xff && b[1] === 0xfe) return { text: iconv.decode(b.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  if (b[0] === 0xfe && b[1] === 0xff) return { text: iconv.decode(b.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  const enc = normalizeEncoding(declared);
  const utf8 = isValidUtf8(b);
  if (enc === 'utf-8' && utf8) return { text: b.toString('utf8'), encoding: 'utf-8' };
  if (enc && enc !== 'utf-8' && !(utf8 && /[^\x00-\x7f]/.test(b.toString('latin1')))) return { text: iconv.decode(b, enc), encoding: enc };
  if (utf8) return { text: b.toString('utf8'), encoding: 'utf-8' };
  return { text: iconv.decode(b, 'gb18030'), encoding: 'gb18030' };
}
