// Worker-thread entry of the document pool (see pool.ts): extract + transform of one document at
// a time. Plain .mjs so it starts in any host (the CLI under tsx, vitest, a bench); it registers
// tsx itself to load the TypeScript. { id, bytes, source, opts } in, { id, ok: true, result } out
// (failures travel inside result.failure, so a transform error stays a plain error).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { processDocument } = await import('./process.ts');
// The pool's count of cores in use (see extract/cores.ts): OCR may take the idle ones.
if (workerData?.cores) (await import('../extract/cores.ts')).shareCores(workerData.cores, workerData.available);
parentPort.on('message', async ({ id, bytes, source, opts }) => {
  const result = await processDocument(bytes, source, opts ?? {});
  parentPort.postMessage({ id, ok: true, result });
});
parentPort.postMessage({ ready: true });
