import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { processBytes } from '/work/main/pipeline/ingest.ts';
const files = process.argv.slice(2);
for (const f of files) {
  const { doc } = await processBytes(readFileSync(join('/work/main/tests/corpus/pdf', f)), f, { timeoutMs: 300_000, hints: { filename: basename(f) } });
  console.log([f, doc.meta.year, doc.meta.year_source, doc.meta.region, doc.meta.region_source, doc.meta.department].join('\t'));
}
process.exit(0);
