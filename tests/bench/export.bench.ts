/**
 * Export throughput: the same tables of a synthetic warehouse (the quality bench's generator:
 * documents, projects, indicators) exported as Parquet (DuckDB's writer, hive-partitioned by year
 * and region) and as Arrow IPC files (DuckDB → Parquet → parquet-wasm → apache-arrow, no
 * per-value JavaScript), rows/s of each and their ratio (goal: Arrow ≥ 0.5× Parquet).
 * Size: BENCH_EXPORT_INDICATORS (default 1,000,000 indicators).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../../warehouse/db.ts';
import { exportWarehouse, type ExportFormat } from '../../warehouse/export.ts';
import { generate } from './quality.bench.ts';

const TABLES = ['documents', 'projects', 'indicators'];

export async function run() {
  const n = Number(process.env.BENCH_EXPORT_INDICATORS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'jixiao-xbench-'));
  const wh = await openWarehouse(join(dir, 'x.duckdb'));
  try {
    const t0 = performance.now();
    const g = await generate(wh.conn, n);
    await wh.conn.run('CHECKPOINT');
    console.log(`export: synthetic warehouse of ${g.indicators.toLocaleString()} indicators, ${g.projects.toLocaleString()} projects, ${g.documents.toLocaleString()} documents generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const rate: Partial<Record<ExportFormat, number>> = {};
    for (const format of ['parquet', 'arrow'] as ExportFormat[]) {
      const out = join(dir, format);
      const res = await exportWarehouse(wh.conn, { format, outDir: out, tables: TABLES });
      const rows = res.tables.reduce((a, t) => a + t.rows, 0);
      const bytes = res.tables.flatMap((t) => t.files).reduce((a, f) => a + statSync(join(out, f)).size, 0);
      rate[format] = rows / res.seconds;
      console.log(
        `  ${format.padEnd(7)} ${rows.toLocaleString()} rows of ${TABLES.join(', ')} in ${res.seconds.toFixed(2)} s: ${Math.round(rate[format]!).toLocaleString()} rows/s, ${(bytes / 1e6).toFixed(1)} MB in ${res.tables.reduce((a, t) => a + t.files.length, 0)} files`,
      );
      rmSync(out, { recursive: true, force: true });
    }
    console.log(`  arrow / parquet: ${(rate.arrow! / rate.parquet!).toFixed(2)}× (goal ≥ 0.5×)`);
    // Reference: DuckDB alone writing each table to one Parquet file (no partitions, no join) — the
    // floor under both exports, and the first step of the Arrow one.
    const t1 = performance.now();
    let rows = 0;
    for (const t of TABLES) {
      await wh.conn.run(`COPY (SELECT * FROM ${t}) TO '${join(dir, `${t}.parquet`)}' (FORMAT parquet, COMPRESSION zstd)`);
      rows += g[t as keyof typeof g];
    }
    const s1 = (performance.now() - t1) / 1000;
    console.log(`  reference: DuckDB COPY of the same tables to one Parquet file each: ${s1.toFixed(2)} s, ${Math.round(rows / s1).toLocaleString()} rows/s`);
  } finally {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
