/**
 * Content-Encoding of an HTTP body (gzip, deflate, br), decoded with a ceiling on the decoded
 * size: a server may send a compressed body the crawler never asked for, and a "gzip bomb"
 * (a few hundred KB that inflate to gigabytes) must stop at the source's max_bytes rather than
 * fill the memory. zlib's `maxOutputLength` makes the decoder itself stop at the limit.
 */
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw } from 'node:zlib';

const GUNZIP = promisify(gunzip);
const INFLATE = promisify(inflate);
const INFLATE_RAW = promisify(inflateRaw);
const BROTLI = promisify(brotliDecompress);

export class DecodeError extends Error {
  constructor(
    /** decompressed_too_large | bad_content_encoding | unsupported_content_encoding */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** The codings listed in a Content-Encoding header, in the order they were applied (`identity` dropped). */
export function codings(header: string | null): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
}

async function decodeOne(body: Buffer, coding: string, maxBytes: number): Promise<Buffer> {
  const opts = { maxOutputLength: maxBytes };
  try {
    switch (coding) {
      case 'gzip':
      case 'x-gzip':
        return await GUNZIP(body, opts);
      case 'deflate':
        // RFC 9110 says zlib-wrapped; some servers send raw deflate.
        return await INFLATE(body, opts).catch((e: NodeJS.ErrnoException) => (e.code === 'ERR_BUFFER_TOO_LARGE' ? Promise.reject(e) : INFLATE_RAW(body, opts)));
      case 'br':
        return await BROTLI(body, opts);
      default:
        throw new DecodeError('unsupported_content_encoding', `Content-Encoding ${coding} is not supported`);
    }
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
      throw new DecodeError('decompressed_too_large', `${coding} body of ${body.length} bytes decodes to more than the ${maxBytes} byte limit`);
    throw new DecodeError('bad_content_encoding', `${coding} body of ${body.length} bytes does not decode: ${err.message}`);
  }
}

/** Undo every coding of `header` on `body` (last applied first); throws DecodeError. */
export async function decodeContentEncoding(body: Buffer, header: string | null, maxBytes: number): Promise<Buffer> {
  let out = body;
  for (const c of codings(header).reverse()) out = await decodeOne(out, c, maxBytes);
  return out;
}
