import type { Command } from 'commander';
import type { ExportFormat } from '../../warehouse/export.ts';
import { openForReading } from '../../warehouse/snapshot.ts';

const EXPORT_FORMATS: ExportFormat[] = ['parquet', 'csv', 'arrow'];

export async function runExport(opts: { format: string; out: string; db?: string; tables?: string[]; quiet?: boolean }) {
  const { exportWarehouse } = await import('../../warehouse/export.ts'); // apache-arrow loads only for exports
  const format = opts.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new Error(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  const wh = await openForReading(opts.db);
  try {
    const res = await exportWarehouse(wh.conn, { format, outDir: opts.out, tables: opts.tables, source: wh.path });
    if (!opts.quiet)
      for (const t of res.tables)
        console.log(`${t.table.padEnd(22)} ${String(t.rows).padStart(8)} rows  ${t.files.length} file${t.files.length === 1 ? '' : 's'}${t.partition_by.length ? `  partitioned by ${t.partition_by.join(', ')}` : ''}`);
    const total = res.tables.reduce((a, t) => a + t.rows, 0);
    console.log(`\n${res.tables.length} tables/views, ${total} rows → ${res.outDir} (${format}, from ${wh.path}) in ${res.seconds.toFixed(2)} s; manifest.json lists the files`);
    return res;
  } finally {
    wh.close();
  }
}

export function register(program: Command) {
  program
    .command('export')
    .description('export the warehouse (every table and view) as Parquet partitioned by year and region, CSV, or Arrow IPC files')
    .requiredOption('--format <fmt>', EXPORT_FORMATS.join(' | '))
    .requiredOption('--out <dir>', 'output folder (per-table files there are replaced)')
    .option('--db <file>', 'DuckDB file or snapshot folder (default: the current published snapshot, else the working database)')
    .option('--tables <names...>', 'only these tables or views')
    .option('-q, --quiet', 'only print the totals')
    .addHelpText(
      'after',
      `\nExamples:\n  jixiao export --format parquet --out out/parquet\n  jixiao export --format arrow --out out/arrow --tables projects indicators\n\nRead back: duckdb -c "SELECT count(*) FROM read_parquet('out/parquet/indicators/**/*.parquet', hive_partitioning=true)"\n           python -c "import pyarrow as pa; print(pa.ipc.open_file('out/arrow/indicators.arrow').read_all().num_rows)"`,
    )
    .action(async (opts) => {
      await runExport(opts);
    });
}
