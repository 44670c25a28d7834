/**
 * Exports of the warehouse for analysts' own tools.
 *
 * - parquet: DuckDB's built-in writer, one folder per table or view, hive-partitioned by `year`
 *   and `region` (`<out>/indicators/year=2022/region=承德高新区/data_0.parquet`, names
 *   percent-encoded). Rows that only carry `doc_id` get the year and region of their document;
 *   rows that carry `dept_id` get the region of their department. Partition columns are also
 *   written inside the files, so a single file read on its own still has them.
 *   Read back: `SELECT * FROM read_parquet('<out>/indicators/**\/*.parquet', hive_partitioning = true)`.
 * - csv: `<out>/<table>.csv`, header line, UTF-8, exactly the table's columns.
 * - arrow: `<out>/<table>.arrow`, Arrow IPC file format: DuckDB writes Parquet, parquet-wasm decodes
 *   it into Arrow batches, apache-arrow writes the file — no value passes through JavaScript on its
 *   own (export-arrow.ts). pandas `pyarrow.ipc.open_file(...).read_all().to_pandas()`, polars
 *   `pl.read_ipc(...)`, R `arrow::read_ipc_file(...)`.
 *
 * Every export also writes `<out>/manifest.json`: the source database, and per table its row
 * count, columns, files and partition columns.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { rows } from './db.ts';
import { writeArrowFile } from './export-arrow.ts';

export { writeArrowFile } from './export-arrow.ts';

export type ExportFormat = 'parquet' | 'csv' | 'arrow';
export const EXPORT_FORMATS: ExportFormat[] = ['parquet', 'csv', 'arrow'];

/** Tables never exported: migration bookkeeping. */
const SKIP = new Set(['schema_migrations']);

export interface ExportOptions {
  format: ExportFormat;
  outDir: string;
  /** Only these tables / views (default: every table and view of the main schema). */
  tables?: string[];
  /** Rows per Arrow record batch (default 65536). */
  batchRows?: number;
  /** Shown in the manifest: the database file exported. */
  source?: string;
}

export interface ExportedTable {
  table: string;
  type: 'table' | 'view';
  rows: number;
  columns: { name: string; type: string }[];
  /** Columns added for partitioning (not in the table itself). */
  added_columns: string[];
  partition_by: string[];
  files: string[];
}

export interface ExportResult {
  format: ExportFormat;
  outDir: string;
  tables: ExportedTable[];
  seconds: number;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

interface Relation {
  name: string;
  type: 'table' | 'view';
  columns: { name: string; type: string }[];
}

export async function listRelations(conn: DuckDBConnection): Promise<Relation[]> {
  const rels = await rows<{ name: string; type: 'table' | 'view' }>(
    conn,
    `SELECT table_name AS name, 'table' AS type FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()
     UNION ALL
     SELECT view_name, 'view' FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' AND database_name = current_database()
     ORDER BY 2, 1`,
  );
  const cols = await rows<{ t: string; name: string; type: string }>(
    conn,
    `SELECT table_name AS t, column_name AS name, data_type AS type FROM duckdb_columns()
     WHERE schema_name = 'main' AND database_name = current_database() ORDER BY table_name, column_index`,
  );
  return rels.filter((r) => !SKIP.has(r.name)).map((r) => ({ ...r, columns: cols.filter((c) => c.t === r.name).map(({ name, type }) => ({ name, type })) }));
}

/**
 * The SELECT that exports one relation for Parquet, with the partition columns it can get:
 * its own year / region, else its document's (via doc_id), else its department's region (dept_id).
 */
function partitionedSelect(rel: Relation, all: Map<string, Relation>): { sql: string; added: string[]; partitionBy: string[] } {
  const has = (n: string) => rel.columns.some((c) => c.name === n);
  const hasIn = (t: string, ...ns: string[]) => !!all.get(t) && ns.every((n) => all.get(t)!.columns.some((c) => c.name === n));
  const added: string[] = [];
  const joins: string[] = [];
  const extra: string[] = [];
  for (const col of ['year', 'region']) {
    if (has(col)) continue;
    if (has('doc_id') && rel.name !== 'documents' && hasIn('documents', 'doc_id', col)) {
      if (!joins.some((j) => j.includes(' jx_doc '))) joins.push(`LEFT JOIN documents jx_doc ON jx_doc.doc_id = t.doc_id`);
      extra.push(`jx_doc.${col} AS ${col}`);
      added.push(col);
    } else if (col === 'region' && has('dept_id') && rel.name !== 'departments' && hasIn('departments', 'dept_id', 'region')) {
      joins.push(`LEFT JOIN departments jx_dept ON jx_dept.dept_id = t.dept_id`);
      extra.push(`jx_dept.region AS region`);
      added.push(col);
    }
  }
  const partitionBy = ['year', 'region'].filter((c) => has(c) || added.includes(c));
  const sql = `SELECT t.*${extra.map((e) => `, ${e}`).join('')} FROM ${ident(rel.name)} t ${joins.join(' ')}`;
  return { sql, added, partitionBy };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

/** Export every table and view (or `opts.tables`) in the chosen format. */
export async function exportWarehouse(conn: DuckDBConnection, opts: ExportOptions): Promise<ExportResult> {
  const t0 = performance.now();
  if (!EXPORT_FORMATS.includes(opts.format)) throw new Error(`unknown export format ${opts.format} (${EXPORT_FORMATS.join(', ')})`);
  const outDir = resolve(opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const rels = await listRelations(conn);
  const byName = new Map(rels.map((r) => [r.name, r]));
  const wanted = opts.tables?.length ? opts.tables : rels.map((r) => r.name);
  for (const t of wanted) if (!byName.has(t)) throw new Error(`no table or view named ${t}`);

  const tables: ExportedTable[] = [];
  for (const name of wanted) {
    const rel = byName.get(name)!;
    const [{ n }] = await rows<{ n: number }>(conn, `SELECT count(*) AS n FROM ${ident(name)}`);
    const entry: ExportedTable = { table: name, type: rel.type, rows: n, columns: rel.columns, added_columns: [], partition_by: [], files: [] };
    if (opts.format === 'parquet') {
      const dir = join(outDir, name);
      rmSync(dir, { recursive: true, force: true });
      const { sql, added, partitionBy } = partitionedSelect(rel, byName);
      entry.added_columns = added;
      if (n === 0 || !partitionBy.length) {
        // DuckDB writes no file for an empty partitioned result: keep one file so the schema travels.
        mkdirSync(dir, { recursive: true });
        await conn.run(`COPY (${sql}) TO ${sqlString(join(dir, 'data_0.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
      } else {
        entry.partition_by = partitionBy;
        await conn.run(
          `COPY (${sql}) TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${partitionBy.join(', ')}), WRITE_PARTITION_COLUMNS true)`,
        );
      }
      entry.files = filesUnder(dir).map((f) => relative(outDir, f));
    } else if (opts.format === 'csv') {
      const file = join(outDir, `${name}.csv`);
      await conn.run(`COPY (SELECT * FROM ${ident(name)}) TO ${sqlString(file)} (FORMAT csv, HEADER true)`);
      entry.files = [relative(outDir, file)];
    } else {
      const file = join(outDir, `${name}.arrow`);
      const written = await writeArrowFile(conn, `SELECT * FROM ${ident(name)}`, file, opts.batchRows);
      if (written !== n) throw new Error(`arrow export of ${name}: wrote ${written} rows, the table has ${n}`);
      entry.files = [relative(outDir, file)];
    }
    tables.push(entry);
  }
  const result: ExportResult = { format: opts.format, outDir, tables, seconds: (performance.now() - t0) / 1000 };
  writeFileSync(
    join(outDir, 'manifest.json'),
    JSON.stringify({ exported_at: new Date().toISOString(), source: opts.source ?? null, format: opts.format, tables }, null, 2) + '\n',
  );
  return result;
}
