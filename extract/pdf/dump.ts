/**
 * Debug aid: print what the PDF extractor sees on some pages.
 *   npx tsx extract/pdf/dump.ts FILE.pdf [firstPage[-lastPage]]
 */
import { readFileSync } from 'node:fs';
import { denseGrid } from '../grid.ts';
import { extractPdf } from './index.ts';

const [file, range] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx extract/pdf/dump.ts FILE.pdf [first[-last]]');
  process.exit(2);
}
const [a, b] = (range ?? '').split('-').map(Number);
const doc = await extractPdf(readFileSync(file), { source: file });
const inRange = (p?: number | null, q?: number | null) => !range || ((q ?? p ?? 0) >= a && (p ?? 0) <= (b || a));
console.log(`pages=${doc.pages} status=${doc.status} blocks=${doc.blocks.length} warnings=${JSON.stringify(doc.warnings)} meta=${JSON.stringify(doc.meta)}`);
for (const bl of doc.blocks) {
  if (bl.type === 'text') {
    if (inRange(bl.page)) console.log(`-- text p${bl.page}: ${bl.text.replace(/\n/g, ' ⏎ ').slice(0, 300)}`);
    continue;
  }
  if (!inRange(bl.page, bl.pageEnd)) continue;
  console.log(`== table ${bl.tableNo} p${bl.page}-${bl.pageEnd} rows=${bl.rows.length}${bl.ocrConfidence != null ? ` ocr=${bl.ocrConfidence}` : ''}`);
  const g = denseGrid(bl);
  g.forEach((row, r) => console.log(`  [p${bl.rows[r].page}] ` + row.map((c) => (c.spanned ? '〃' : c.text.replace(/\n/g, '⏎'))).join(' | ')));
}
