/**
 * Cores shared by the threads of one process. The document pool (pipeline/pool.ts) counts the
 * cores its busy slots use in a SharedArrayBuffer that every pool thread sees; work that could
 * use more than its own core (OCR of several pages) takes an extra one only while the count is
 * below the cores available, so it fills cores the pool leaves idle (the tail of a run, a pool
 * smaller than the machine) without oversubscribing a busy one.
 *
 * Outside a pool (no counter shared) nothing extra is ever taken: one core per document.
 */
let counter: Int32Array | null = null;
let cores = 1;

/** A counter of cores in use, to share with threads (index 0). */
export const newCoreCounter = () => new SharedArrayBuffer(4);

/** Called once in a thread: the shared counter and how many cores it may count up to. */
export function shareCores(buffer: SharedArrayBuffer, available: number) {
  counter = new Int32Array(buffer);
  cores = Math.max(1, available);
}

/** Count `n` cores in use (negative to give them back); used by the pool for its slots. */
export function countCores(buffer: SharedArrayBuffer, n: number) {
  Atomics.add(new Int32Array(buffer), 0, n);
}

/** Take one more core if one is idle (then `releaseCore` it); false when all are in use. */
export function tryTakeCore(): boolean {
  if (!counter) return false;
  for (;;) {
    const used = Atomics.load(counter, 0);
    if (used >= cores) return false;
    if (Atomics.compareExchange(counter, 0, used, used + 1) === used) return true;
  }
}

/** Are more cores in use than there are (an extra one taken should then be given back)? */
export const coresOversubscribed = () => counter != null && Atomics.load(counter, 0) > cores;

export function releaseCore() {
  if (counter) Atomics.sub(counter, 0, 1);
}
