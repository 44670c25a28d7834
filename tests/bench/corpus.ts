/** The PDFs the benches read: the bundled test corpus, or a larger one of the same layout (JIXIAO_CORPUS=DIR, PDFs under DIR/pdf). */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
export const BENCH_CORPUS = process.env.JIXIAO_CORPUS ?? join(REPO, 'tests', 'corpus');

/** Every PDF under BENCH_CORPUS/pdf, sorted, the first JIXIAO_BENCH_LIMIT of them when set. */
export function benchPdfFiles(): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    for (const name of readdirSync(p).sort()) {
      const q = join(p, name);
      if (statSync(q).isDirectory()) walk(q);
      else if (name.toLowerCase().endsWith('.pdf')) out.push(q);
    }
  };
  walk(join(BENCH_CORPUS, 'pdf'));
  return out.slice(0, Number(process.env.JIXIAO_BENCH_LIMIT) || undefined);
}
