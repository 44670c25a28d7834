/**
 * The real files the fuzzer mutates, by format: the Office fixtures (tests/fixtures/office), the
 * bundled corpus (tests/corpus: PDFs and saved pages), the seed text dumps and the portal's files
 * (samples/). `small` keeps the cheaper ones (the default run inside `npm test`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { ROOT } from '../helpers/paths.ts';

export type SeedFormat = 'pdf' | 'docx' | 'doc' | 'xlsx' | 'xls' | 'html' | 'text';
export const FORMATS: SeedFormat[] = ['pdf', 'docx', 'doc', 'xlsx', 'xls', 'html', 'text'];

export interface Seed {
  name: string;
  format: SeedFormat;
  bytes: Uint8Array;
}

const EXT: Record<string, SeedFormat> = { '.pdf': 'pdf', '.docx': 'docx', '.doc': 'doc', '.xlsx': 'xlsx', '.xls': 'xls', '.html': 'html', '.htm': 'html', '.txt': 'text' };

function walk(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/**
 * Seeds by format. Fixtures built to attack the extractors (bombs, encrypted, XXE) are included:
 * mutating them is exactly what a fuzzer is for. `maxBytes` drops the larger files.
 */
export function loadSeeds(opts: { maxBytes?: number } = {}): Seed[] {
  const files = [
    ...walk(join(ROOT, 'tests', 'fixtures', 'office')),
    ...walk(join(ROOT, 'tests', 'fixtures', 'pdf')),
    ...walk(join(ROOT, 'tests', 'corpus', 'pdf')),
    ...walk(join(ROOT, 'tests', 'corpus', 'html')),
    ...walk(join(ROOT, 'samples')),
  ];
  const seeds: Seed[] = [];
  for (const f of files) {
    const format = EXT[extname(f).toLowerCase()];
    if (!format) continue;
    const size = statSync(f).size;
    if (size === 0 || (opts.maxBytes && size > opts.maxBytes)) continue;
    // renamed-pdf.docx and the like: the extension lies on purpose; keep the seed under its name's format.
    seeds.push({ name: relative(ROOT, f), format, bytes: readFileSync(f) });
  }
  return seeds;
}
