/**
 * A pool of worker threads, each running extract + transform for one document at a time
 * (pool-worker.mjs → process.ts), so several documents are processed at once on one machine.
 *
 * Each slot is a BudgetedWorker (extract/budgeted-worker.ts): the extractors inside keep their own
 * per-document time and memory budgets (the PDF parser and the Office libraries run in a thread of
 * their own under the worker), and the slot itself is stopped past the document's whole budget
 * plus a margin, or past its heap limit, so a pathological transform cannot hang or exhaust the run
 * either. The pool is sized to the cores by default (`--jobs N`, or JIXIAO_JOBS).
 *
 * Scheduling: documents wait in one queue and a slot takes the next one only when it is free (a
 * slow document never holds others queued behind it on its slot while another slot idles), the
 * largest waiting document first (bytes: the best cost estimate before parsing; scanned pages
 * weigh most and cost most), so a long document does not start last and bound the wall time alone.
 * The slots count the cores they use in a counter every pool thread shares (extract/cores.ts):
 * OCR takes the cores left idle to read several pages at once.
 */
import { availableParallelism } from 'node:os';
import { BudgetedWorker } from '../extract/budgeted-worker.ts';
import { countCores, newCoreCounter } from '../extract/cores.ts';
import { ExtractError } from '../extract/types.ts';
import type { Processed, ProcessOptions } from './process.ts';

type Job = { bytes: Uint8Array; source: string; opts: ProcessOptions };
type Waiting = { job: Job; budgetMs: number; resolve: (p: Processed) => void; seq: number };

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

/** The waiting document a free slot takes: the largest, the earliest among equals. */
export function nextWaiting<T extends { job: { bytes: Uint8Array }; seq: number }>(waiting: T[]): number {
  let best = 0;
  for (let i = 1; i < waiting.length; i++) {
    const a = waiting[i].job.bytes.length;
    const b = waiting[best].job.bytes.length;
    if (a > b || (a === b && waiting[i].seq < waiting[best].seq)) best = i;
  }
  return best;
}

export class DocumentPool {
  private slots: { worker: BudgetedWorker<Job, Processed>; busy: boolean }[] = [];
  private waiting: Waiting[] = [];
  private seq = 0;
  /** Cores in use by this pool's busy slots and the extra work they took (extract/cores.ts). */
  private readonly cores = newCoreCounter();

  constructor(readonly size = defaultJobs()) {
    const workerData = { cores: this.cores, available: availableParallelism() };
    for (let i = 0; i < size; i++) this.slots.push({ worker: new BudgetedWorker<Job, Processed>(new URL('./pool-worker.mjs', import.meta.url), workerData), busy: false });
  }

  /** Extract + transform one document on the next free slot. Never throws: failures come back in `failure`. */
  process(bytes: Uint8Array, source: string, opts: ProcessOptions = {}): Promise<Processed> {
    // Only serialisable options cross the thread boundary.
    const job: Job = { bytes, source, opts: { timeoutMs: opts.timeoutMs, hints: opts.hints } };
    return new Promise<Processed>((resolve) => {
      this.waiting.push({ job, budgetMs: slotTimeoutMs(opts), resolve, seq: this.seq++ });
      this.dispatch();
    });
  }

  private dispatch() {
    for (const slot of this.slots) {
      if (slot.busy || !this.waiting.length) continue;
      const [w] = this.waiting.splice(nextWaiting(this.waiting), 1);
      slot.busy = true;
      countCores(this.cores, 1);
      void this.runOn(slot, w).then((p) => {
        slot.busy = false;
        countCores(this.cores, -1);
        w.resolve(p);
        this.dispatch();
      });
    }
  }

  private async runOn(slot: (typeof this.slots)[number], w: Waiting): Promise<Processed> {
    try {
      const memoryMb = Number(process.env.JIXIAO_POOL_MEMORY_MB) || 2048;
      return await slot.worker.run(w.job, { timeoutMs: w.budgetMs, memoryMb }, 'document processing');
    } catch (e) {
      // The slot itself was stopped (budget, heap, crash): the document fails with that reason.
      return { extracted: null, doc: null, failure: { reason: e instanceof ExtractError ? e.reason : null, message: (e as Error).message } };
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
