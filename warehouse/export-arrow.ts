/**
 * Arrow IPC export without per-value JavaScript: DuckDB writes the query as a Parquet file (its own
 * multi-threaded, columnar writer), parquet-wasm (arrow-rs compiled to WebAssembly) decodes it row
 * group by row group into Arrow record batches, and apache-arrow writes those batches' buffers into
 * an Arrow IPC *file* (the format pyarrow `ipc.open_file`, polars `read_ipc` and R
 * `read_ipc_file` open). JavaScript only moves whole buffers; no value is converted on its own.
 *
 * Types as the export has always written them: integers and booleans as themselves, FLOAT /
 * DOUBLE / DECIMAL → Float64, DATE → Date32<DAY>, every TIMESTAMP → Timestamp<MILLISECOND> (UTC for
 * TIMESTAMPTZ), VARCHAR / ENUM / UUID → Utf8, nested values (LIST, STRUCT, MAP, ARRAY, UNION) →
 * their JSON text, anything else → its text (CAST AS VARCHAR). DuckDB casts before writing, so the
 * Parquet file already holds exactly those types.
 */
import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import { DuckDBTypeId } from '@duckdb/node-api';
import { RecordBatchFileWriter, tableFromIPC } from 'apache-arrow';
import { createWriteStream, openAsBlob, renameSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ParquetFile, type RecordBatch as WasmRecordBatch } from 'parquet-wasm';

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The SQL expression that turns a column of DuckDB type `t` into what the Arrow file holds. */
export function arrowCast(col: string, t: DuckDBType): string {
  const c = ident(col);
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.VARCHAR:
      return c;
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DECIMAL:
      return `CAST(${c} AS DOUBLE)`;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return `CAST(${c} AS TIMESTAMP_MS)`;
    case DuckDBTypeId.TIMESTAMP_TZ:
      return `CAST(timezone('UTC', ${c}) AS TIMESTAMP_MS)`;
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.UNION:
      return `CAST(to_json(${c}) AS VARCHAR)`;
    default:
      return `CAST(${c} AS VARCHAR)`;
  }
}

/** Arrow IPC stream bytes (from parquet-wasm) → apache-arrow record batches (views on the bytes). */
const batchesOf = (ipc: Uint8Array) => tableFromIPC(ipc).batches;

/**
 * Write one query's result as an Arrow IPC file, in record batches of `batchRows` rows; returns
 * the row count. The intermediate Parquet file (`<path>.tmp.parquet`) is removed afterwards.
 */
export async function writeArrowFile(conn: DuckDBConnection, sql: string, path: string, batchRows = 65536): Promise<number> {
  const probe = await conn.runAndReadAll(`SELECT * FROM (${sql}) LIMIT 0`);
  const names = probe.columnNames();
  const types = probe.columnTypes();
  const select = `SELECT ${names.map((n, i) => `${arrowCast(n, types[i])} AS ${ident(n)}`).join(', ')} FROM (${sql})`;
  const parquet = `${path}.tmp.parquet`;
  const tmp = `${path}.tmp`;
  // Uncompressed: the file lives for a moment, and decoding is the cost that counts.
  await conn.run(`COPY (${select}) TO ${sqlString(parquet)} (FORMAT parquet, COMPRESSION uncompressed)`);
  const writer = new RecordBatchFileWriter();
  const done = pipeline(writer.toNodeStream(), createWriteStream(tmp));
  let total = 0;
  let file: ParquetFile | undefined;
  try {
    file = await ParquetFile.fromFile(await openAsBlob(parquet));
    const stream = (await file.stream({ batchSize: batchRows })) as ReadableStream<WasmRecordBatch>;
    for await (const wasmBatch of stream as unknown as AsyncIterable<WasmRecordBatch>) {
      for (const b of batchesOf(wasmBatch.intoIPCStream())) {
        writer.write(b);
        total += b.numRows;
      }
    }
    // An empty result still gets its schema (an IPC file with no batches).
    if (total === 0) writer.write(tableFromIPC(file.schema().intoIPCStream()));
    writer.finish();
    await done;
    renameSync(tmp, path);
  } catch (e) {
    writer.abort();
    await done.catch(() => undefined);
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    file?.free();
    rmSync(parquet, { force: true });
  }
  return total;
}
