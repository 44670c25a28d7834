// Worker-thread entry of the office extractors (see thread.ts). Plain .mjs so it starts in any
// host (the CLI under tsx, vitest, a bench); it registers tsx itself to load the TypeScript.
// One worker serves many documents in turn: { id, kind, bytes, opts } in, { id, ok, … } out.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
// A library's own promise that rejects after the job was answered (pdf.js on a damaged XRef, found
// by fuzzing) has nobody left to tell: it must not end the thread, let alone the process.
process.on('unhandledRejection', () => {});
const { extractInThread } = await import('./inthread.ts');
parentPort.on('message', async ({ id, kind, bytes, opts }) => {
  try {
    const result = await extractInThread(kind, bytes, opts ?? {});
    parentPort.postMessage({ id, ok: true, result });
  } catch (e) {
    parentPort.postMessage({ id, ok: false, reason: e?.name === 'ExtractError' ? e.reason : 'corrupt', message: e?.message ?? String(e) });
  }
});
parentPort.postMessage({ ready: true });
