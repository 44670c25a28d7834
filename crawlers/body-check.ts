/**
 * Is the body of an attachment the document the link promised? Two checks on the bytes, both
 * from content, not from what the server claims:
 *
 * - html_instead_of_document: the link or file name says a document format (.pdf, .doc, .xlsx…)
 *   but the body is an HTML page — the soft error page many portals answer with a 200
 *   ("页面不存在", a login page, a WAF notice).
 * - incomplete_document: the body starts like a PDF or a ZIP (DOCX/XLSX) but lacks the format's
 *   end marker (`%%EOF` in the last 2 KB; the ZIP end-of-central-directory record in the last
 *   64 KB) — a download cut short, e.g. by a Content-Length smaller than the file. Every PDF of the
 *   development corpus (92) has its `%%EOF` within the last 2 KB.
 */

const DOC_EXT = /\.(pdf|docx?|xlsx?|wps|et|zip|rar|7z|ofd|ceb)$/i;

/** The document extension a URL path or file name names, lower-case, or null. */
export function expectedExtension(...names: (string | null | undefined)[]): string | null {
  for (const n of names) {
    if (!n) continue;
    let p = n;
    try {
      p = decodeURIComponent(new URL(n).pathname);
    } catch {
      /* a file name, not a URL */
    }
    const m = DOC_EXT.exec(p);
    if (m) return m[1].toLowerCase();
  }
  return null;
}

/** Does the body start like an HTML page (after a BOM and white space)? */
export function looksLikeHtml(body: Uint8Array): boolean {
  let head = Buffer.from(body.subarray(0, 1024)).toString('latin1');
  head = head.replace(/^(\xef\xbb\xbf|\xff\xfe|\xfe\xff)/, '').trimStart().toLowerCase();
  return /^(<!doctype html|<html|<head|<body|<meta|<title|<script|<!--)/.test(head);
}

const startsWith = (b: Uint8Array, magic: number[]) => magic.every((x, i) => b[i] === x);
const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const ZIP = [0x50, 0x4b, 0x03, 0x04]; // PK\3\4

/** A reason the body is not the promised document, or null when it is (or nothing was promised). */
export function checkAttachmentBody(body: Uint8Array, url: string, filename: string | null): { reason: string; message: string } | null {
  const ext = expectedExtension(filename, url);
  if (ext && !startsWith(body, PDF) && !startsWith(body, ZIP) && looksLikeHtml(body))
    return { reason: 'html_instead_of_document', message: `an HTML page (${body.length} bytes) where a .${ext} document was linked` };
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (startsWith(body, PDF) && buf.lastIndexOf('%%EOF') < Math.max(0, buf.length - 2048))
    return { reason: 'incomplete_document', message: `a PDF of ${body.length} bytes without %%EOF in its last 2 KB (cut short?)` };
  if (startsWith(body, ZIP) && buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) < Math.max(0, buf.length - 65_557))
    return { reason: 'incomplete_document', message: `a ZIP (DOCX/XLSX) of ${body.length} bytes without its end-of-central-directory record (cut short?)` };
  return null;
}
