/**
 * Format detection from the bytes themselves (magic numbers, zip entries, OLE stream names,
 * text sniffing) — never from a file name or a Content-Type, which are often wrong.
 */
import type { SourceFormat } from './types.ts';

export interface Detection {
  format: SourceFormat | 'zip' | 'ole' | 'binary' | 'empty';
  /** Why: which signature matched. */
  evidence: string;
}

const has = (buf: Uint8Array, sig: number[], at = 0) => sig.every((b, i) => buf[at + i] === b);

/** Names of the entries in a zip's central directory, read without inflating anything. */
export function zipEntryNames(buf: Uint8Array, limit = 5000): string[] {
  const names: string[] = [];
  // End of central directory record: scan back from the end (comment up to 64 KiB).
  const min = Math.max(0, buf.length - 65557);
  let eocd = -1;
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf[i] === 0x50 && buf[i + 1] === 0x4b && buf[i + 2] === 0x05 && buf[i + 3] === 0x06) {
      eocd = i;
      break;
    }
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (eocd < 0) {
    // No central directory (truncated zip): fall back to local file headers.
    for (let i = 0; i + 30 < buf.length && names.length < limit; ) {
      if (!(buf[i] === 0x50 && buf[i + 1] === 0x4b && buf[i + 2] === 0x03 && buf[i + 3] === 0x04)) break;
      const n = dv.getUint16(i + 26, true);
      const x = dv.getUint16(i + 28, true);
      const csize = dv.getUint32(i + 18, true);
      names.push(Buffer.from(buf.subarray(i + 30, i + 30 + n)).toString('utf8'));
      i += 30 + n + x + csize;
    }
    return names;
  }
  let p = dv.getUint32(eocd + 16, true);
  const count = dv.getUint16(eocd + 10, true);
  for (let k = 0; k < count && k < limit && p + 46 <= buf.length; k++) {
    if (dv.getUint32(p, true) !== 0x02014b50) break;
    const n = dv.getUint16(p + 28, true);
    const x = dv.getUint16(p + 30, true);
    const c = dv.getUint16(p + 32, true);
    names.push(Buffer.from(buf.subarray(p + 46, p + 46 + n)).toString('utf8'));
    p += 46 + n + x + c;
  }
  return names;
}

function utf16Contains(buf: Uint8Array, s: string): boolean {
  return Buffer.from(buf).includes(Buffer.from(s, 'utf16le'));
}

/** Share of bytes that are control characters other than tab / CR / LF / FF (binary sniffing). */
export function controlRatio(buf: Uint8Array, n = 8192): number {
  const end = Math.min(buf.length, n);
  if (!end) return 0;
  let bad = 0;
  for (let i = 0; i < end; i++) {
    const b = buf[i];
    if (b === 0 || (b < 0x20 && b !== 9 && b !== 10 && b !== 13 && b !== 12 && b !== 27)) bad++;
  }
  return bad / end;
}

export function detectFormat(buf: Uint8Array): Detection {
  if (buf.length === 0) return { format: 'empty', evidence: '0 bytes' };
  // %PDF may be preceded by junk (up to 1 KiB is tolerated by readers).
  const head = Buffer.from(buf.subarray(0, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return { format: 'pdf', evidence: '%PDF- header' };
  if (has(buf, [0x50, 0x4b, 0x03, 0x04]) || has(buf, [0x50, 0x4b, 0x05, 0x06])) {
    const names = zipEntryNames(buf);
    if (names.some((n) => n === 'word/document.xml' || /^word\/document\d*\.xml$/.test(n))) return { format: 'docx', evidence: 'zip with word/document.xml' };
    if (names.some((n) => n === 'xl/workbook.xml' || n === 'xl/workbook.bin')) return { format: 'xlsx', evidence: 'zip with xl/workbook.xml' };
    return { format: 'zip', evidence: `zip without a known document part (${names.slice(0, 5).join(', ')})` };
  }
  if (has(buf, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    if (utf16Contains(buf, 'WordDocument')) return { format: 'doc', evidence: 'OLE compound file with a WordDocument stream' };
    if (utf16Contains(buf, 'Workbook') || utf16Contains(buf, 'Book')) return { format: 'xls', evidence: 'OLE compound file with a Workbook stream' };
    if (utf16Contains(buf, 'EncryptedPackage')) return { format: 'ole', evidence: 'OLE compound file with an EncryptedPackage (password-protected Office file)' };
    return { format: 'ole', evidence: 'OLE compound file of unknown kind' };
  }
  if (has(buf, [0x7b, 0x5c, 0x72, 0x74, 0x66])) return { format: 'doc', evidence: 'RTF ({\\rtf), converted like .doc' };
  if (controlRatio(buf) > 0.02) return { format: 'binary', evidence: 'control bytes in the first 8 KiB' };
  // MHTML (a "single file web page", often published as .doc): mail-style headers, multipart/related.
  const headers = head.trimStart().split(/\r?\n\r?\n/)[0];
  if (/^[\w-]+:/.test(headers) && /^content-type:\s*multipart\/related/im.test(headers)) return { format: 'html', evidence: 'MHTML web archive (multipart/related)' };
  const text = Buffer.from(buf.subarray(0, 4096)).toString('latin1').toLowerCase();
  if (/<(!doctype html|html|table|body|meta)[\s>]/.test(text)) return { format: 'html', evidence: 'HTML tags' };
  return { format: 'text', evidence: 'text without control bytes' };
}
