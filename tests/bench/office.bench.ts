/**
 * Office extraction throughput: documents/s per format (HTML, DOCX, XLSX, DOC, XLS) over the
 * seed fixtures in tests/fixtures/office, and the 154 saved HTML pages of the corpus.
 * Extract only (no transform); each document is read ROUNDS times, sequentially, in this process.
 * DOC and XLS include the LibreOffice conversion (one soffice process with a fresh profile per
 * document); they run only where soffice is installed.
 *
 * Environment: JIXIAO_BENCH_OFFICE_ROUNDS (default 3 for HTML/DOCX/XLSX, 1 for DOC/XLS).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectFormat } from '../../extract/detect.ts';
import { extractDocument } from '../../extract/index.ts';
import { sofficeAvailable } from '../../extract/office/libreoffice.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const FX = join(HERE, '..', 'fixtures', 'office');
/** The bundled test corpus, or a larger one of the same layout: JIXIAO_CORPUS=DIR. */
const SHARED = process.env.JIXIAO_CORPUS ?? join(HERE, '..', '..', 'corpus');

async function measure(label: string, docs: Buffer[], rounds: number) {
  let ok = 0;
  let failed = 0;
  let tables = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const b of docs) {
      try {
        const d = await extractDocument(b);
        ok++;
        if (r === 0) tables += d.blocks.filter((x) => x.type === 'table').length;
      } catch {
        failed++;
      }
    }
  }
  const s = (performance.now() - t0) / 1000;
  const n = docs.length * rounds;
  const mb = docs.reduce((a, b) => a + b.length, 0) / 1e6;
  console.log(
    `${label.padEnd(22)} ${String(docs.length).padStart(4)} docs × ${rounds}  ${(n / s).toFixed(2).padStart(7)} docs/s  ${((mb * rounds) / s).toFixed(2).padStart(6)} MB/s  ${String(tables).padStart(5)} tables  ok ${ok} failed ${failed}`,
  );
}

export async function run() {
  const rounds = Number(process.env.JIXIAO_BENCH_OFFICE_ROUNDS) || 0;
  const seedFiles = (ext: string) =>
    readdirSync(FX)
      .filter((f) => new RegExp(`^seed\\d{3}\\.${ext}$`).test(f))
      .sort()
      .map((f) => readFileSync(join(FX, f)));
  // Warm the lazy imports (mammoth, exceljs, cheerio) so the first format does not pay for them.
  await extractDocument(readFileSync(join(FX, 'gridskip.docx')));
  await measure('html (seeds, GBK)', seedFiles('html'), rounds || 3);
  await measure('docx (seeds)', seedFiles('docx'), rounds || 3);
  await measure('xlsx (seeds)', seedFiles('xlsx'), rounds || 3);
  if (sofficeAvailable()) {
    await measure('doc (seeds, soffice)', seedFiles('doc'), rounds || 1);
    await measure('xls (seeds, soffice)', seedFiles('xls'), rounds || 1);
  } else console.log('doc / xls: soffice not installed, skipped');
  try {
    const root = join(SHARED, 'html');
    const pages = readFileSync(join(root, 'MANIFEST.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => readFileSync(join(root, l.split('\t')[0])))
      .filter((b) => detectFormat(b).format === 'html');
    await measure('html (corpus pages)', pages, rounds || 1);
  } catch (e) {
    console.log(`corpus html: ${(e as Error).message}`);
  }
}
