/**
 * One HTTP exchange through undici, with connect / header / body timeouts, a total deadline,
 * a maximum size, and failures turned into short machine-readable reasons. Redirects, retries,
 * politeness and storage are the crawler's job (crawler.ts); this file only talks HTTP.
 */
import { Agent, request, errors as undiciErrors } from 'undici';
import { safeLookup } from './safety.ts';
import { codings, decodeContentEncoding, DecodeError } from './decompress.ts';

export interface HttpLimits {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Whole exchange, headers to last byte. */
  totalTimeoutMs: number;
  maxBytes: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  totalTimeoutMs: 120_000,
  maxBytes: 100 * 1024 * 1024,
};

export class HttpError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export const header = (h: HttpResponse['headers'], name: string): string | null => {
  const v = h[name.toLowerCase()];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
};

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 206: 'Partial Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified', 404: 'Not Found' };

function reasonOf(e: unknown): string {
  const err = e as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code;
  if (e instanceof undiciErrors.ConnectTimeoutError || code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect_timeout';
  if (e instanceof undiciErrors.HeadersTimeoutError || code === 'UND_ERR_HEADERS_TIMEOUT') return 'headers_timeout';
  if (e instanceof undiciErrors.BodyTimeoutError || code === 'UND_ERR_BODY_TIMEOUT') return 'body_timeout';
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return 'truncated';
  if (code === 'UND_ERR_HEADERS_OVERFLOW' || code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'timeout';
  if (code === 'EPRIVATEADDR') return 'private_address';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'connection_reset';
  if (code && /CERT|SSL|TLS/.test(code)) return 'tls';
  return 'network';
}

export class HttpClient {
  private readonly strict: Agent;
  private readonly permissive: Agent;

  constructor(readonly limits: HttpLimits = DEFAULT_LIMITS) {
    const common = {
      headersTimeout: limits.headersTimeoutMs,
      bodyTimeout: limits.bodyTimeoutMs,
      keepAliveTimeout: 4_000,
      connections: 8,
    };
    // The strict agent refuses names that resolve to private addresses at connect time.
    this.strict = new Agent({ ...common, connect: { timeout: limits.connectTimeoutMs, lookup: safeLookup as never } });
    this.permissive = new Agent({ ...common, connect: { timeout: limits.connectTimeoutMs } });
  }

  async exchange(
    url: string,
    opts: { method?: string; headers?: Record<string, string>; body?: string; allowPrivate?: boolean; maxBytes?: number },
  ): Promise<HttpResponse> {
    const maxBytes = opts.maxBytes ?? this.limits.maxBytes;
    const signal = AbortSignal.timeout(this.limits.totalTimeoutMs);
    let res;
    try {
      res = await request(url, {
        method: (opts.method ?? 'GET') as 'GET',
        headers: opts.headers,
        body: opts.body,
        dispatcher: opts.allowPrivate ? this.permissive : this.strict,
        signal,
      });
    } catch (e) {
      throw new HttpError(reasonOf(e), `${reasonOf(e)}: ${(e as Error).message}`);
    }
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.body.destroy();
      throw new HttpError('too_large', `Content-Length ${declared} exceeds the ${maxBytes} byte limit`, res.statusCode);
    }
    const chunks: Buffer[] = [];
    let n = 0;
    try {
      for await (const c of res.body) {
        n += c.length;
        if (n > maxBytes) {
          res.body.destroy();
          throw new HttpError('too_large', `body exceeds the ${maxBytes} byte limit`, res.statusCode);
        }
        chunks.push(c as Buffer);
      }
    } catch (e) {
      if (e instanceof HttpError) throw e;
      let reason = reasonOf(e);
      if (Number.isFinite(declared) && n < declared && (reason === 'connection_reset' || reason === 'network')) reason = 'truncated';
      throw new HttpError(reason, `${reason} after ${n}${Number.isFinite(declared) ? ` of ${declared}` : ''} bytes: ${(e as Error).message}`, res.statusCode);
    }
    if (Number.isFinite(declared) && n !== declared && opts.method !== 'HEAD' && res.statusCode !== 304) {
      throw new HttpError('truncated', `received ${n} of ${declared} bytes`, res.statusCode);
    }
    let body: Buffer = Buffer.concat(chunks);
    let headers = res.headers;
    // A Content-Encoding the server applied (asked for or not) is undone here, under the size limit,
    // so the store and the extractors see the document itself. The headers then describe that body.
    const enc = header(res.headers, 'content-encoding');
    if (codings(enc).length && body.length) {
      try {
        body = await decodeContentEncoding(body, enc, maxBytes);
      } catch (e) {
        if (e instanceof DecodeError) throw new HttpError(e.reason, e.message, res.statusCode);
        throw e;
      }
      headers = { ...res.headers, 'x-jixiao-content-encoding': enc ?? undefined, 'x-jixiao-wire-bytes': String(n), 'content-length': String(body.length) };
      delete headers['content-encoding'];
    }
    return { status: res.statusCode, statusText: STATUS_TEXT[res.statusCode] ?? '', headers, body };
  }

  async close() {
    await Promise.all([this.strict.close(), this.permissive.close()]);
  }
}
