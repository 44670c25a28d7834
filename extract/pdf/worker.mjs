// Worker-thread entry of the PDF extractor (see index.ts). Plain .mjs so it starts in any host
// (the CLI under tsx, vitest, a bench); it registers tsx itself to load the TypeScript parser.
// One worker serves many documents in turn: { id, bytes, opts } in, { id, ok, … } out.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

// pdf.js reports damaged content on the console; problems reach the caller as warnings instead.
console.log = console.info = console.warn = console.debug = () => {};
register();
// A library's own promise that rejects after the job was answered (pdf.js on a damaged XRef, found
// by fuzzing) has nobody left to tell: it must not end the thread, let alone the process.
process.on('unhandledRejection', () => {});
const { parsePdf, PdfParseError } = await import('./parse.ts');
parentPort.on('message', async ({ id, bytes, opts }) => {
  try {
    const result = await parsePdf(bytes, opts ?? {});
    parentPort.postMessage({ id, ok: true, result });
  } catch (e) {
    parentPort.postMessage({
      id,
      ok: false,
      reason: e instanceof PdfParseError ? e.reason : 'corrupt',
      message: e?.message ?? String(e),
    });
  }
});
parentPort.postMessage({ ready: true });
