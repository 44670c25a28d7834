/**
 * The office extractors (mammoth, exceljs, cheerio) run in a worker thread with a wall-clock
 * budget and a memory limit (see ../budgeted-worker.ts), so a document that makes a library spin
 * or balloon is stopped: `ExtractError('timeout')` at the budget (ExtractOptions.timeoutMs,
 * default 120 s, or JIXIAO_OFFICE_TIMEOUT_MS), `ExtractError('too_large')` past the memory limit
 * (JIXIAO_OFFICE_MEMORY_MB, default 2048). JIXIAO_OFFICE_INPROCESS=1 runs the extractors in the
 * calling thread instead (debugging).
 */
import { BudgetedWorker } from '../budgeted-worker.ts';
import type { ExtractOptions } from '../types.ts';
import type { ExtractedDoc } from '../types.ts';
import type { OfficeKind } from './inthread.ts';

type Job = { kind: OfficeKind; bytes: Uint8Array; opts: Pick<ExtractOptions, 'source' | 'contentType'> };

const thread = new BudgetedWorker<Job, ExtractedDoc>(new URL('./worker.mjs', import.meta.url));

/** Stop the office thread (tests, or a host that wants its memory back). */
export const stopOfficeThread = () => thread.stop();

export async function extractInWorker(kind: OfficeKind, bytes: Uint8Array, opts: ExtractOptions = {}): Promise<ExtractedDoc> {
  const timeoutMs = opts.timeoutMs ?? (Number(process.env.JIXIAO_OFFICE_TIMEOUT_MS) || 120_000);
  if (process.env.JIXIAO_OFFICE_INPROCESS === '1') return (await import('./inthread.ts')).extractInThread(kind, bytes, opts);
  // Only the serialisable options cross the thread boundary.
  const job: Job = { kind, bytes, opts: { source: opts.source, contentType: opts.contentType } };
  return thread.run(job, { timeoutMs: Math.max(1, timeoutMs), memoryMb: Number(process.env.JIXIAO_OFFICE_MEMORY_MB) || 2048 }, `${kind} extraction`);
}
