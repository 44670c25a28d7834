// Worker-thread entry of the PDF extractor (see index.ts). Plain .mjs so it starts in any host
// (the CLI under tsx, vitest, a bench); it registers tsx itself to load the TypeScript parser.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { parsePdf, PdfParseError } = await import('./parse.ts');
try {
  const result = await parsePdf(workerData.bytes, workerData.opts ?? {});
  parentPort.postMessage({ ok: true, result });
} catch (e) {
  parentPort.postMessage({
    ok: false,
    reason: e instanceof PdfParseError ? e.reason : 'corrupt',
    message: e?.message ?? String(e),
  });
}
