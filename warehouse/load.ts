/**
 * Loading one document's normalized rows into the warehouse.
 *
 * A document is keyed by the sha256 of its bytes. Loading it again replaces that document's rows
 * and nothing else, in one transaction, through DuckDB appenders.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { NormalizedDoc } from '../transform/types.ts';
import { rows } from './db.ts';

/** Tables whose rows belong to one document (doc_id column); cleared when the document is reloaded. */
export const DOC_TABLES = ['doc_tables', 'projects', 'goals', 'indicators', 'budget_lines', 'duties', 'duty_indicators', 'extraction_issues'] as const;

export interface DocumentRecord {
  doc_id: string;
  source: string;
  format: string;
  bytes: number;
  status: string;
  error: string | null;
  warnings: string[];
  pages: number | null;
  extractor: string | null;
  transform_version: string | null;
  seconds: number | null;
}

type ColumnInfo = { name: string; type: string };
const columnCache = new WeakMap<DuckDBConnection, Map<string, ColumnInfo[]>>();

async function columnsOf(conn: DuckDBConnection, tableName: string): Promise<ColumnInfo[]> {
  let byTable = columnCache.get(conn);
  if (!byTable) columnCache.set(conn, (byTable = new Map()));
  let cols = byTable.get(tableName);
  if (!cols) {
    cols = await rows<ColumnInfo>(
      conn,
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns
       WHERE table_name = $1 AND table_schema = 'main' ORDER BY ordinal_position`,
      [tableName],
    );
    if (!cols.length) throw new Error(`unknown table ${tableName}`);
    byTable.set(tableName, cols);
  }
  return cols;
}

/** Append plain objects to a table; keys missing from a row take the column default. */
export async function appendRows(conn: DuckDBConnection, tableName: string, data: object[], fixed: Record<string, unknown> = {}) {
  if (!data.length) return;
  const cols = await columnsOf(conn, tableName);
  const appender = await conn.createAppender(tableName);
  let failed = false;
  try {
    for (const obj of data) {
      const row = obj as Record<string, unknown>;
      for (const col of cols) {
        const v = col.name in fixed ? fixed[col.name] : row[col.name];
        if (v === undefined) appender.appendDefault();
        else if (v === null || (typeof v === 'number' && !Number.isFinite(v))) appender.appendNull();
        else if (typeof v === 'boolean') appender.appendBoolean(v);
        else if (typeof v === 'number') {
          if (col.type === 'INTEGER') appender.appendInteger(v);
          else if (col.type === 'BIGINT') appender.appendBigInt(BigInt(Math.trunc(v)));
          else if (col.type === 'DOUBLE') appender.appendDouble(v);
          else appender.appendVarchar(String(v));
        } else if (typeof v === 'string') appender.appendVarchar(v);
        else appender.appendVarchar(JSON.stringify(v));
      }
      appender.endRow();
    }
    appender.flushSync();
  } catch (e) {
    failed = true;
    throw new Error(`loading ${tableName}: ${(e as Error).message}`);
  } finally {
    // Closing flushes; after a failure that would only mask the original error.
    try {
      appender.closeSync();
    } catch (e) {
      if (!failed) throw e;
    }
  }
}

/** Remove a document and every row extracted from it (the next check drops its findings). */
export async function removeDocument(conn: DuckDBConnection, docId: string): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const t of DOC_TABLES) await conn.run(`DELETE FROM ${t} WHERE doc_id = $1`, [docId]);
    await conn.run('DELETE FROM documents WHERE doc_id = $1', [docId]);
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK');
    throw e;
  }
}

/**
 * Replace everything the warehouse holds about one document with `doc` (may be null for a
 * document that failed: then only its `documents` row is written, with status and error).
 */
export async function replaceDocument(conn: DuckDBConnection, rec: DocumentRecord, doc: NormalizedDoc | null): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const t of DOC_TABLES) await conn.run(`DELETE FROM ${t} WHERE doc_id = $1`, [rec.doc_id]);
    await conn.run('DELETE FROM documents WHERE doc_id = $1', [rec.doc_id]);
    const meta = doc?.meta;
    await appendRows(conn, 'documents', [
      {
        ...rec,
        warnings: JSON.stringify(rec.warnings),
        title: meta?.title ?? null,
        region: meta?.region ?? null,
        department: meta?.department ?? null,
        dept_code: meta?.dept_code ?? null,
        year: meta?.year ?? null,
        kind: meta?.kind ?? null,
        year_source: meta?.year_source ?? null,
        department_source: meta?.department_source ?? null,
        region_source: meta?.region_source ?? null,
        kind_source: meta?.kind_source ?? null,
        n_tables: doc?.tables.length ?? 0,
        n_projects: doc?.projects.length ?? 0,
        n_indicators: doc?.indicators.length ?? 0,
      },
    ]);
    if (doc) {
      const fixed = { doc_id: rec.doc_id };
      await appendRows(conn, 'doc_tables', doc.tables, fixed);
      await appendRows(conn, 'projects', doc.projects, fixed);
      await appendRows(conn, 'goals', doc.goals, fixed);
      await appendRows(conn, 'indicators', doc.indicators, fixed);
      await appendRows(conn, 'budget_lines', doc.budget_lines, fixed);
      await appendRows(conn, 'duties', doc.duties, fixed);
      await appendRows(conn, 'duty_indicators', doc.duty_indicators, fixed);
      await appendRows(conn, 'extraction_issues', doc.issues ?? [], fixed);
    }
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK');
    throw e;
  }
}
