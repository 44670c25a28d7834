/**
 * The office extractors (mammoth, exceljs, cheerio) run in a worker thread with a wall-clock
 * budget and a memory limit, so a document that makes a library spin or balloon is stopped:
 * `ExtractError('timeout')` at the budget (ExtractOptions.timeoutMs, default 120 s, or
 * JIXIAO_OFFICE_TIMEOUT_MS), `ExtractError('too_large')` past the memory limit (JIXIAO_OFFICE_MEMORY_MB,
 * default 2048). The thread is reused across documents and replaced after a timeout or crash;
 * idle, it is unref'd so it never keeps the process alive. JIXIAO_OFFICE_INPROCESS=1 runs the
 * extractors in the calling thread instead (debugging).
 */
import { Worker } from 'node:worker_threads';
import type { ExtractOptions } from '../index.ts';
import { ExtractError, type ExtractedDoc } from '../types.ts';
import type { OfficeKind } from './inthread.ts';

const WORKER_URL = new URL('./worker.mjs', import.meta.url);

type Reply = { id: number; ok: true; result: ExtractedDoc } | { id: number; ok: false; reason: ExtractError['reason']; message: string };

class OfficeThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  run(kind: OfficeKind, bytes: Uint8Array, opts: ExtractOptions, timeoutMs: number, memoryMb: number): Promise<ExtractedDoc> {
    const job = this.queue.then(() => this.send(kind, bytes, opts, timeoutMs, memoryMb));
    this.queue = job.catch(() => undefined);
    return job;
  }

  stop() {
    const w = this.worker;
    this.worker = null;
    if (w) void w.terminate();
  }

  private start(memoryMb: number): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 64 } });
    w.on('exit', () => {
      if (this.worker === w) this.worker = null;
    });
    this.worker = w;
    return w;
  }

  private send(kind: OfficeKind, bytes: Uint8Array, opts: ExtractOptions, timeoutMs: number, memoryMb: number): Promise<ExtractedDoc> {
    const w = this.start(memoryMb);
    const id = this.nextId++;
    w.ref();
    return new Promise<ExtractedDoc>((resolve, reject) => {
      let settled = false;
      const cleanup = () => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        w.unref();
      };
      const fail = (e: Error, kill: boolean) => {
        if (settled) return;
        settled = true;
        cleanup();
        if (kill && this.worker === w) this.stop();
        reject(e);
      };
      const onMessage = (m: Reply | { ready: true }) => {
        if (!('id' in m) || m.id !== id || settled) return;
        settled = true;
        cleanup();
        if (m.ok) resolve(m.result);
        else reject(new ExtractError(m.reason, m.message));
      };
      const onError = (e: Error & { code?: string }) =>
        fail(
          e.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ExtractError('too_large', `${kind} extraction exceeded its ${memoryMb} MB memory budget`)
            : new ExtractError('corrupt', `${kind} extractor failed: ${e.message}`),
          true,
        );
      const onExit = (code: number) => fail(new ExtractError('corrupt', `${kind} extractor exited (code ${code}) without a result`), false);
      const timer = setTimeout(() => fail(new ExtractError('timeout', `${kind} extraction exceeded its ${timeoutMs} ms budget`), true), timeoutMs);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      // Only the serialisable options cross the thread boundary.
      w.postMessage({ id, kind, bytes, opts: { source: opts.source, contentType: opts.contentType } });
    });
  }
}

const thread = new OfficeThread();

/** Stop the office thread (tests, or a host that wants its memory back). */
export const stopOfficeThread = () => thread.stop();

export async function extractInWorker(kind: OfficeKind, bytes: Uint8Array, opts: ExtractOptions = {}): Promise<ExtractedDoc> {
  const timeoutMs = opts.timeoutMs ?? (Number(process.env.JIXIAO_OFFICE_TIMEOUT_MS) || 120_000);
  if (process.env.JIXIAO_OFFICE_INPROCESS === '1') return (await import('./inthread.ts')).extractInThread(kind, bytes, opts);
  return thread.run(kind, bytes, opts, Math.max(1, timeoutMs), Number(process.env.JIXIAO_OFFICE_MEMORY_MB) || 2048);
}
