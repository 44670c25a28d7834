/**
 * Opening the DuckDB warehouse and keeping its schema current.
 *
 * The schema is a sequence of numbered SQL files in `warehouse/migrations/` (NNN_name.sql).
 * `openWarehouse()` applies the ones not yet recorded in `schema_migrations`, each in its own
 * transaction, so a database written by an older jixiao is upgraded in place.
 */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
export const DEFAULT_DB = 'data/jixiao.duckdb';

export interface Warehouse {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  path: string;
  close(): void;
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

export async function openWarehouse(path = DEFAULT_DB, opts: { readOnly?: boolean; migrate?: boolean } = {}): Promise<Warehouse> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(path, opts.readOnly ? { access_mode: 'READ_ONLY' } : {});
  const conn = await instance.connect();
  const wh: Warehouse = {
    instance,
    conn,
    path,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
  if (!opts.readOnly && opts.migrate !== false) await migrate(conn);
  return wh;
}

export async function migrate(conn: DuckDBConnection, dir = MIGRATIONS_DIR): Promise<number[]> {
  await conn.run(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP DEFAULT current_timestamp)`,
  );
  const done = new Set((await rows<{ version: number }>(conn, 'SELECT version FROM schema_migrations')).map((r) => r.version));
  const applied: number[] = [];
  for (const m of listMigrations(dir)) {
    if (done.has(m.version)) continue;
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(m.sql);
      await conn.run('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      await conn.run('COMMIT');
      applied.push(m.version);
    } catch (e) {
      await conn.run('ROLLBACK');
      throw new Error(`migration ${m.name} failed: ${(e as Error).message}`);
    }
  }
  return applied;
}

/** Convert DuckDB values to plain JSON-friendly JS (BigInt → number when safe, else string). */
export function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') {
    const s = String(v);
    if (s !== '[object Object]') return s; // DuckDB timestamp/decimal/... values stringify well
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** Run a query and return its rows as plain objects. */
export async function rows<T = Record<string, unknown>>(
  conn: DuckDBConnection,
  sql: string,
  params?: (string | number | boolean | null)[],
): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params as never);
  return reader.getRowObjects().map((r) => plain(r) as T);
}

/** Run a query and return its column names and rows (for the `sql` command and exports). */
export async function table(
  conn: DuckDBConnection,
  sql: string,
): Promise<{ columns: string[]; rows: unknown[][] }> {
  const reader = await conn.runAndReadAll(sql);
  return { columns: reader.columnNames(), rows: reader.getRows().map((r) => r.map(plain)) };
}
