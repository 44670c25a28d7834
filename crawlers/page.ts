/** What a response body is (an HTML page, a JSON list) and how an HTML page is decoded. */
import { decodeText } from '../extract/decode.ts';

export const isHtmlish = (ct: string | null, body: Uint8Array) => {
  if (ct && /html|xml/i.test(ct)) return true;
  if (ct && !/text\/plain|octet-stream/i.test(ct)) return false;
  const head = Buffer.from(body.subarray(0, 512)).toString('latin1').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<datastore') || head.startsWith('<?xml');
};

export const isJsonish = (ct: string | null, body: Uint8Array) =>
  (ct != null && /json|javascript/i.test(ct)) || (!ct?.includes('html') && /^\s*[[{]/.test(Buffer.from(body.subarray(0, 64)).toString('latin1')));

/** Decode an HTML page: the <meta> charset and the header's are both only claims; decode.ts checks them against the bytes. */
export function decodeHtml(body: Uint8Array, contentType: string | null): { text: string; encoding: string } {
  const head = Buffer.from(body.subarray(0, 4096)).toString('latin1');
  const meta = /<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)/i.exec(head)?.[1] ?? /encoding=["']([\w-]+)["']/i.exec(head)?.[1] ?? null;
  const hdr = contentType ? /charset\s*=\s*["']?([\w-]+)/i.exec(contentType)?.[1] ?? null : null;
  return decodeText(body, meta ?? hdr);
}
