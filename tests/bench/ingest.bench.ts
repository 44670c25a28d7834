/**
 * Ingest throughput: the four seeds repeated to about 1,000 distinct documents (each copy gets a
 * trailing line so its sha256 differs), extracted, transformed and loaded into a fresh warehouse.
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../../warehouse/db.ts';
import { ingestBytes } from '../../pipeline/ingest.ts';
import { SEED } from '../helpers/paths.ts';

export async function run(target = Number(process.env.BENCH_DOCS ?? 1000)) {
  const seeds = Object.values(SEED).map((p) => readFileSync(p));
  const wh = await openWarehouse(join(mkdtempSync(join(tmpdir(), 'jixiao-bench-')), 'bench.duckdb'));
  let rows = 0;
  const t0 = performance.now();
  for (let i = 0; i < target; i++) {
    const bytes = Buffer.concat([seeds[i % seeds.length], Buffer.from(`\n副本 ${i}\n`)]);
    const r = await ingestBytes(wh.conn, bytes, `bench-${i}.txt`);
    rows += r.projects + r.indicators + r.budget_lines;
  }
  const s = (performance.now() - t0) / 1000;
  wh.close();
  const mb = seeds.reduce((a, b) => a + b.length, 0) * (target / seeds.length) / 1e6;
  console.log(`ingest: ${target} documents (${mb.toFixed(1)} MB of text dumps) in ${s.toFixed(1)} s`);
  console.log(`  ${(target / s).toFixed(1)} documents/s, ${(rows / s).toFixed(0)} rows/s (${rows} project + indicator + budget rows), ${(mb / s).toFixed(2)} MB/s`);
}
