/**
 * Attachment file names: Content-Disposition (RFC 6266, with RFC 5987 `filename*=UTF-8''…`),
 * raw GBK / UTF-8 bytes in `filename="…"` (common on Chinese servers), percent-encoded names,
 * or the last segment of the URL path.
 */
import { decodeText } from '../extract/decode.ts';
import iconv from 'iconv-lite';

function unquote(v: string): string {
  const t = v.trim();
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  return t;
}

/** Header strings arrive as latin1 code units; recover the bytes and decode them properly. */
function fromLatin1Bytes(s: string): string {
  if (!/[\x80-\xff]/.test(s) || /[^\x00-\xff]/.test(s)) return s;
  return decodeText(Buffer.from(s, 'latin1')).text;
}

function tryPercentDecode(s: string, charset = 'utf-8'): string {
  if (!/%[0-9a-f]{2}/i.test(s)) return s;
  try {
    const bytes: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '%' && /^[0-9a-f]{2}$/i.test(s.slice(i + 1, i + 3))) {
        bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(...Buffer.from(s[i], 'utf8'));
    }
    const buf = Buffer.from(bytes);
    const cs = charset.toLowerCase();
    return cs === 'utf-8' || cs === 'utf8' ? decodeText(buf).text : iconv.encodingExists(cs) ? iconv.decode(buf, cs) : decodeText(buf).text;
  } catch {
    return s;
  }
}

/** The file name a Content-Disposition header gives, or null. */
export function filenameFromDisposition(header: string | null | undefined): string | null {
  if (!header) return null;
  const params = new Map<string, string>();
  // Split on ; outside quotes.
  const re = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (const m of `;${header.replace(/^[^;]*/, '')}`.matchAll(re)) params.set(m[1].toLowerCase(), m[2]);
  const star = params.get('filename*');
  if (star) {
    const m = /^([^']*)'[^']*'(.*)$/.exec(unquote(star));
    if (m) return tryPercentDecode(m[2], m[1] || 'utf-8');
  }
  const plain = params.get('filename');
  if (plain) return tryPercentDecode(fromLatin1Bytes(unquote(plain)));
  return null;
}

/** Last path segment of a URL, percent-decoded (or a `fileName=` query parameter when the path is a download endpoint). */
export function filenameFromUrl(url: string): string | null {
  try {
    const u = new URL(url);
    for (const k of ['fileName', 'filename', 'name', 'file']) {
      const v = u.searchParams.get(k);
      if (v && /\.[a-z0-9]{2,5}$/i.test(v)) return v.split('/').pop() ?? v;
    }
    const seg = u.pathname.split('/').filter(Boolean).pop();
    return seg ? tryPercentDecode(seg) : null;
  } catch {
    return null;
  }
}
