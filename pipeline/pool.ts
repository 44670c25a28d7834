/**
 * A pool of worker threads, each running extract + transform for one document at a time
 * (pool-worker.mjs → process.ts), so several documents are processed at once on one machine.
 *
 * Each slot is a BudgetedWorker (extract/budgeted-worker.ts): the extractors inside keep their own
 * per-document time and memory budgets (the PDF parser and the Office libraries run in a thread of
 * their own under the worker), and the slot itself is stopped past the document's whole budget
 * plus a margin, or past its heap limit, so a pathological transform cannot hang or exhaust the run
 * either. The pool is sized to the cores by default (`--jobs N`, or JIXIAO_JOBS).
 */
import { availableParallelism } from 'node:os';
import { BudgetedWorker } from '../extract/budgeted-worker.ts';
import { ExtractError } from '../extract/types.ts';
import type { Processed, ProcessOptions } from './process.ts';

type Job = { bytes: Uint8Array; source: string; opts: ProcessOptions };

/** Documents processed at once by default: JIXIAO_JOBS, else the number of cores. */
export function defaultJobs(): number {
  const env = Number(process.env.JIXIAO_JOBS);
  return Number.isInteger(env) && env > 0 ? env : Math.max(1, availableParallelism());
}

/** Parse a `--jobs` value: a positive integer. */
export function parseJobs(v: string | number | undefined): number {
  if (v === undefined) return defaultJobs();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--jobs must be a positive integer, got ${v}`);
  return n;
}

/**
 * The whole-document budget a slot is held to: the extractors' own budgets (PDF: 120 s parsing +
 * up to 300 s OCR by default; Office: 120 s) plus a margin for transform.
 */
const slotTimeoutMs = (opts: ProcessOptions) => (opts.timeoutMs ?? 420_000) + 60_000;

export class DocumentPool {
  private slots: { worker: BudgetedWorker<Job, Processed>; pending: number }[] = [];

  constructor(readonly size = defaultJobs()) {
    for (let i = 0; i < size; i++) this.slots.push({ worker: new BudgetedWorker<Job, Processed>(new URL('./pool-worker.mjs', import.meta.url)), pending: 0 });
  }

  /** Extract + transform one document on the least busy slot. Never throws: failures come back in `failure`. */
  async process(bytes: Uint8Array, source: string, opts: ProcessOptions = {}): Promise<Processed> {
    const slot = this.slots.reduce((a, b) => (b.pending < a.pending ? b : a));
    slot.pending++;
    try {
      const memoryMb = Number(process.env.JIXIAO_POOL_MEMORY_MB) || 2048;
      // Only serialisable options cross the thread boundary.
      const job: Job = { bytes, source, opts: { timeoutMs: opts.timeoutMs, hints: opts.hints } };
      return await slot.worker.run(job, { timeoutMs: slotTimeoutMs(opts), memoryMb }, 'document processing');
    } catch (e) {
      // The slot itself was stopped (budget, heap, crash): the document fails with that reason.
      return { extracted: null, doc: null, failure: { reason: e instanceof ExtractError ? e.reason : null, message: (e as Error).message } };
    } finally {
      slot.pending--;
    }
  }

  stop() {
    for (const s of this.slots) s.worker.stop();
  }
}

let shared: DocumentPool | null = null;

/** The process-wide pool, created on first use; asking for another size replaces it. */
export function sharedPool(size?: number): DocumentPool {
  const want = size ?? shared?.size ?? defaultJobs();
  if (!shared || shared.size !== want) {
    shared?.stop();
    shared = new DocumentPool(want);
  }
  return shared;
}

/** Stop the shared pool's threads (tests, or a host that wants its memory back). */
export function stopSharedPool() {
  shared?.stop();
  shared = null;
}
