/**
 * A worker thread that runs extraction jobs one at a time under a wall-clock and a memory budget,
 * shared by the PDF and Office extractors.
 *
 * - A job past its time budget (counted from when the thread is ready, not from its start-up)
 *   gets `ExtractError('timeout')` and the thread is terminated, so a
 *   document that makes a library spin cannot hang the run; the next job starts a fresh thread.
 * - A thread past its heap limit (`resourceLimits`) gets `ExtractError('too_large')`.
 * - The thread is reused across documents (starting one costs about a second: tsx and the
 *   libraries load) and unref'd while idle so it never keeps the process alive.
 * - An error the thread throws between jobs (a library's promise rejecting after the job was
 *   answered: pdf.js on a damaged XRef, found by fuzzing) ends that thread, never the process:
 *   the next job starts a fresh one. `lateErrors` counts them.
 *
 * Protocol: the worker receives `{ id, ...payload }` and answers
 * `{ id, ok: true, result }` or `{ id, ok: false, reason, message }`.
 */
import { Worker } from 'node:worker_threads';
import { ExtractError } from './types.ts';

type Reply<Res> = { id: number; ok: true; result: Res } | { id: number; ok: false; reason: ExtractError['reason']; message: string };

/** How long a new worker thread may take to load before its job fails (not charged to the document). */
export const STARTUP_MS = 120_000;

export interface Budget {
  timeoutMs: number;
  memoryMb: number;
}

export class BudgetedWorker<Req extends object, Res> {
  private worker: Worker | null = null;
  /** Resolves when the current worker has loaded its libraries (its `{ ready: true }` message). */
  private ready: Promise<void> = Promise.resolve();
  private memoryMb = 0;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  /** Errors thrown by a thread while no job was waiting on it (the thread was replaced). */
  lateErrors = 0;

  /** `workerData` is handed to every thread this starts (e.g. a counter shared between threads). */
  constructor(
    private readonly url: URL,
    private readonly workerData?: unknown,
  ) {}

  /** Queue one job; `label` names the work in messages, e.g. "PDF parsing", "docx extraction". */
  run(payload: Req, budget: Budget, label: string): Promise<Res> {
    const job = this.queue.then(() => this.send(payload, budget, label));
    this.queue = job.catch(() => undefined);
    return job;
  }

  stop() {
    const w = this.worker;
    this.worker = null;
    if (w) void w.terminate();
  }

  private start(memoryMb: number): Worker {
    if (this.worker && this.memoryMb === memoryMb) return this.worker;
    this.stop();
    const w = new Worker(this.url, { workerData: this.workerData, resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 64 } });
    this.ready = new Promise<void>((resolve) => {
      const onReady = (m: unknown) => {
        if ((m as { ready?: boolean })?.ready) {
          w.off('message', onReady);
          resolve();
        }
      };
      w.on('message', onReady);
    });
    w.on('exit', () => {
      if (this.worker === w) this.worker = null;
    });
    // Always listened to: a Worker 'error' without a listener is an uncaught exception of the whole
    // process. A job in flight has its own listener and fails with the error; between jobs the
    // thread is dropped and the next job gets a fresh one.
    w.on('error', () => {
      if (w.listenerCount('error') > 1) return;
      this.lateErrors++;
      if (this.worker === w) this.stop();
    });
    this.worker = w;
    this.memoryMb = memoryMb;
    return w;
  }

  private send(payload: Req, { timeoutMs, memoryMb }: Budget, label: string): Promise<Res> {
    const w = this.start(memoryMb);
    const id = this.nextId++;
    w.ref();
    return new Promise<Res>((resolve, reject) => {
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
      const onMessage = (m: Reply<Res> | { ready: true }) => {
        if (!('id' in m) || m.id !== id || settled) return;
        settled = true;
        cleanup();
        if (m.ok) resolve(m.result);
        else reject(new ExtractError(m.reason, m.message));
      };
      const onError = (e: Error & { code?: string }) =>
        fail(
          e.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ExtractError('too_large', `${label} exceeded its ${memoryMb} MB memory budget`)
            : new ExtractError('corrupt', `${label} failed: ${e.message}`),
          true,
        );
      const onExit = (code: number) => fail(new ExtractError('corrupt', `${label} exited (code ${code}) without a result`), false);
      // The document's budget starts when the thread is ready: starting one (tsx and the libraries
      // load) takes seconds on a loaded machine and is not the document's doing; before, the
      // document after a timed-out one (whose thread was killed) often timed out in start-up alone.
      let timer: NodeJS.Timeout | undefined = setTimeout(
        () => fail(new ExtractError('timeout', `${label}: the worker thread did not start within ${STARTUP_MS / 1000} s`), true),
        STARTUP_MS,
      );
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      void this.ready.then(() => {
        if (settled) return;
        clearTimeout(timer);
        timer = setTimeout(() => fail(new ExtractError('timeout', `${label} exceeded its ${Math.round(timeoutMs / 100) / 10} s budget`), true), timeoutMs);
        w.postMessage({ id, ...payload });
      });
    });
  }
}
