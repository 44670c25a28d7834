/**
 * The raw store, on disk under one directory:
 *
 *   objects/ab/<sha256>          content-addressed bytes, written once (tmp file + rename)
 *   warc/<job>-<time>-<pid>.warc.gz
 *                                every request and response (WARC/1.1 through warcio, one gzip
 *                                member per record): headers, payload digest, and the payload
 *                                itself the first time a digest is seen (`revisit` records after)
 *   state/validators.jsonl       per URL: sha256, ETag, Last-Modified, type, file name (last line wins)
 *   state/jobs/<job>.jsonl       the frontier journal of a crawl (see frontier.ts)
 *
 * Everything is append-only or rename-on-complete, so `kill -9` at any moment leaves a store
 * that the next run can read.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WARCRecord, WARCSerializer } from 'warcio';
import type { Validators } from './types.ts';

export const sha256hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export class RawStore {
  readonly objectsDir: string;
  readonly warcDir: string;
  readonly stateDir: string;
  private validators = new Map<string, Validators>();
  private warcFile: string | null = null;

  constructor(readonly root: string) {
    this.objectsDir = join(root, 'objects');
    this.warcDir = join(root, 'warc');
    this.stateDir = join(root, 'state');
    for (const d of [this.objectsDir, this.warcDir, join(this.stateDir, 'jobs')]) mkdirSync(d, { recursive: true });
    this.loadValidators();
  }

  objectPath(sha: string) {
    return join(this.objectsDir, sha.slice(0, 2), sha);
  }

  hasObject(sha: string) {
    return existsSync(this.objectPath(sha));
  }

  readObject(sha: string): Buffer {
    return readFileSync(this.objectPath(sha));
  }

  /** Store bytes under their sha256; returns the digest and whether they were new. */
  putObject(bytes: Uint8Array): { sha256: string; stored: boolean } {
    const sha = sha256hex(bytes);
    const p = this.objectPath(sha);
    if (existsSync(p)) return { sha256: sha, stored: false };
    mkdirSync(join(this.objectsDir, sha.slice(0, 2)), { recursive: true });
    const tmp = `${p}.tmp-${process.pid}`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, p);
    return { sha256: sha, stored: true };
  }

  // ---- validators (conditional GET, change detection) ----
  private get validatorsFile() {
    return join(this.stateDir, 'validators.jsonl');
  }

  private loadValidators() {
    if (!existsSync(this.validatorsFile)) return;
    let lines = 0;
    for (const line of readFileSync(this.validatorsFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      lines++;
      try {
        const v = JSON.parse(line) as Validators;
        this.validators.set(v.key, v);
      } catch {
        /* a line cut by a crash: ignore */
      }
    }
    // One line per fetch per night adds up: rewrite the file (tmp + rename) once it is mostly history.
    if (lines > 1000 && lines > 3 * this.validators.size) {
      const tmp = `${this.validatorsFile}.tmp-${process.pid}`;
      writeFileSync(tmp, [...this.validators.values()].map((v) => JSON.stringify(v) + '\n').join(''));
      renameSync(tmp, this.validatorsFile);
    }
  }

  getValidators(key: string): Validators | undefined {
    return this.validators.get(key);
  }

  setValidators(v: Validators) {
    this.validators.set(v.key, v);
    appendFileSync(this.validatorsFile, JSON.stringify(v) + '\n');
  }

  /** Adopt validators without writing (replaying a journal whose validators line was lost in a crash). */
  adoptValidators(v: Validators) {
    const cur = this.validators.get(v.key);
    if (!cur || cur.at < v.at) this.setValidators(v);
  }

  // ---- WARC ----
  openWarc(job: string) {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    this.warcFile = join(this.warcDir, `${job.slice(0, 16)}-${stamp}-${process.pid}.warc.gz`);
    return this.warcFile;
  }

  /** Append one request/response exchange to the current WARC file. */
  async writeExchange(x: {
    url: string;
    method: string;
    requestHeaders: Record<string, string>;
    requestBody?: string;
    status: number;
    statusText?: string;
    responseHeaders: Record<string, string | string[] | undefined>;
    payload: Uint8Array | null;
    /** The payload's digest is already stored: write a revisit record without the payload. */
    revisitOf?: { sha256: string; url: string } | null;
  }) {
    if (!this.warcFile) this.openWarc('adhoc');
    const date = new Date().toISOString();
    const u = new URL(x.url);
    const reqHeaders: Record<string, string> = { Host: u.host, ...x.requestHeaders };
    const req = WARCRecord.create(
      {
        url: x.url,
        date,
        type: 'request',
        httpHeaders: reqHeaders,
        statusline: `${x.method} ${u.pathname}${u.search} HTTP/1.1`,
      },
      (async function* () {
        if (x.requestBody) yield new TextEncoder().encode(x.requestBody);
      })(),
    );
    const respHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(x.responseHeaders)) if (v !== undefined) respHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
    const statusline = `HTTP/1.1 ${x.status} ${x.statusText ?? ''}`.trimEnd();
    const revisit = x.revisitOf != null || x.payload === null;
    const resp = WARCRecord.create(
      {
        url: x.url,
        date,
        type: revisit ? 'revisit' : 'response',
        httpHeaders: respHeaders,
        statusline,
        warcHeaders: revisit
          ? {
              'WARC-Profile': 'http://netpreserve.org/warc/1.1/revisit/identical-payload-digest',
              ...(x.revisitOf ? { 'WARC-Refers-To-Target-URI': x.revisitOf.url, 'WARC-Payload-Digest': `sha256:${x.revisitOf.sha256}` } : {}),
            }
          : {},
      },
      (async function* () {
        if (!revisit && x.payload) yield x.payload;
      })(),
    );
    const a = await WARCSerializer.serialize(req, { gzip: true, digest: { algo: 'sha-256', prefix: 'sha256:', base32: false } });
    const b = await WARCSerializer.serialize(resp, { gzip: true, digest: { algo: 'sha-256', prefix: 'sha256:', base32: false } });
    appendFileSync(this.warcFile!, Buffer.concat([a, b]));
  }

  /** A WARC `resource` record, e.g. the DOM a browser rendered for link discovery. */
  async writeResource(url: string, contentType: string, body: Uint8Array) {
    if (!this.warcFile) this.openWarc('adhoc');
    const rec = WARCRecord.create(
      { url: `urn:rendered:${url}`, date: new Date().toISOString(), type: 'resource', warcHeaders: { 'Content-Type': contentType } },
      (async function* () {
        yield body;
      })(),
    );
    appendFileSync(this.warcFile!, await WARCSerializer.serialize(rec, { gzip: true, digest: { algo: 'sha-256', prefix: 'sha256:', base32: false } }));
  }
}
