/**
 * `jixiao sql`: analysts' SQL on the warehouse, read-only.
 *
 *   jixiao sql "SELECT …" [--db FILE] [--format table|csv|json]   one query (the issue-2 contract)
 *   jixiao sql -c "SELECT …; SELECT …"                             one or more statements
 *   jixiao sql                                                    interactive REPL (or a script on stdin)
 *
 * Without --db it opens the current published snapshot (warehouse/snapshot.ts), so it never waits
 * for a running ingest; --db accepts a database file or a snapshot folder.
 */
import type { Command } from 'commander';
import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { DEFAULT_DB, plain, rows } from '../../warehouse/db.ts';
import { openForReading, type ReadSource } from '../../warehouse/snapshot.ts';
import { displayWidth } from '../../warehouse/charts.ts';

export type OutputFormat = 'table' | 'csv' | 'json';
const FORMATS: OutputFormat[] = ['table', 'csv', 'json'];

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export { displayWidth };

function truncate(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

const cellText = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/\r?\n/g, '↵').replace(/\t/g, ' ');

/**
 * Aligned text table. Widths count CJK characters as two columns; numeric columns are right-aligned;
 * in-cell line breaks show as ↵; cells wider than `maxWidth` are cut with an ellipsis.
 */
export function formatTable(columns: string[], rows: unknown[][], maxWidth = 40): string {
  const cells = rows.map((r) => r.map((v) => truncate(cellText(v), maxWidth)));
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  const widths = columns.map((c, i) => Math.max(displayWidth(c), ...cells.map((r) => displayWidth(r[i]))));
  const pad = (s: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, widths[i] - displayWidth(s)));
    return numeric[i] ? fill + s : s + fill;
  };
  const line = (r: string[]) => r.map(pad).join(' │ ').trimEnd();
  return [line(columns), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...cells.map(line), `(${rows.length} row${rows.length === 1 ? '' : 's'})`].join('\n');
}

export function formatResult(columns: string[], data: unknown[][], format: OutputFormat, maxWidth = 40): string {
  if (format === 'json') return JSON.stringify(data.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]]))), null, 2);
  if (format === 'csv') return [columns.map(csvCell).join(','), ...data.map((r) => r.map(csvCell).join(','))].join('\n');
  return formatTable(columns, data, maxWidth);
}

/** Run every statement in `sql`; returns the results of those that produce columns. */
export async function runStatements(conn: DuckDBConnection, sql: string): Promise<{ columns: string[]; rows: unknown[][] }[]> {
  const extracted = await conn.extractStatements(sql);
  const out: { columns: string[]; rows: unknown[][] }[] = [];
  for (let i = 0; i < extracted.count; i++) {
    const stmt = await extracted.prepare(i);
    const reader = await stmt.runAndReadAll();
    const columns = reader.columnNames();
    if (columns.length) out.push({ columns, rows: reader.getRows().map((r) => r.map(plain)) });
  }
  return out;
}

async function describeSource(conn: DuckDBConnection, path: string, source: ReadSource): Promise<string> {
  if (source === 'snapshot') {
    try {
      const [info] = await rows<{ name: string; published_at: string }>(conn, 'SELECT name, published_at FROM snapshot_info LIMIT 1');
      if (info) return `snapshot ${info.name} (published ${info.published_at} UTC)`;
    } catch {
      /* a snapshot folder given by hand may hold an older file */
    }
    return `snapshot ${path}`;
  }
  return source === 'working' ? `working database ${path} (nothing published yet)` : path;
}

/** Note for stderr when the working database changed after the snapshot being read. */
function staleNote(path: string, source: ReadSource): string | null {
  if (source !== 'snapshot' || !existsSync(DEFAULT_DB)) return null;
  const snap = statSync(path).mtimeMs;
  const work = Math.max(statSync(DEFAULT_DB).mtimeMs, existsSync(`${DEFAULT_DB}.wal`) ? statSync(`${DEFAULT_DB}.wal`).mtimeMs : 0);
  if (work <= snap + 1000) return null;
  return `note: reading the published snapshot; ${DEFAULT_DB} changed after it (run \`jixiao snapshot publish\` to refresh it, or pass --db ${DEFAULT_DB})`;
}

// ---------------------------------------------------------------------------------------------
// REPL

export const REPL_HELP = `Statements end with ';' and may span lines. Commands:
  .tables [pattern]     tables and views with their descriptions
  .schema [name]        columns, types and descriptions of one table (all CREATE statements without a name)
  .mode table|csv|json  output format (now: %MODE%)
  .maxwidth N           cut table cells wider than N columns (now: %WIDTH%)
  .info                 which database file this session reads
  .help                 this text
  .quit                 leave (also .exit or Ctrl-D)`;

export interface ReplOptions {
  conn: DuckDBConnection;
  input: Readable;
  output: Writable;
  /** History file (read at start, rewritten after each entry); null for none. */
  historyFile?: string | null;
  format?: OutputFormat;
  maxWidth?: number;
  /** Shown by `.info` and in the banner. */
  source?: string;
  /** Echo prompts (true on a terminal). */
  terminal?: boolean;
}

export async function tablesListing(conn: DuckDBConnection, pattern?: string) {
  return rows<{ name: string; type: string; rows: number | null; description: string | null }>(
    conn,
    `SELECT name, type, rows, description FROM (
       SELECT table_name AS name, 'table' AS type, estimated_size AS rows, comment AS description FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()
       UNION ALL
       SELECT view_name, 'view', NULL, comment FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' AND database_name = current_database())
     WHERE $1 IS NULL OR name ILIKE $1 ORDER BY type, name`,
    [pattern ? pattern.replace(/\*/g, '%') : null],
  );
}

export async function schemaOf(conn: DuckDBConnection, name?: string): Promise<string> {
  if (!name) {
    const ddl = await rows<{ sql: string }>(
      conn,
      `SELECT sql FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()
       UNION ALL SELECT sql FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' AND database_name = current_database()`,
    );
    return ddl.map((d) => d.sql.trim()).join('\n\n');
  }
  const cols = await rows<{ column: string; type: string; nullable: boolean; description: string | null }>(
    conn,
    `SELECT column_name AS "column", data_type AS type, is_nullable AS nullable, comment AS description
     FROM duckdb_columns() WHERE schema_name = 'main' AND database_name = current_database() AND table_name = $1 ORDER BY column_index`,
    [name],
  );
  if (!cols.length) throw new Error(`no table or view named ${name} (see .tables)`);
  return formatTable(['column', 'type', 'null', 'description'], cols.map((c) => [c.column, c.type, c.nullable ? 'yes' : 'no', c.description ?? '']), 70);
}

function loadHistory(file: string | null | undefined): string[] {
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse(); // readline wants newest first
}

function saveHistory(file: string | null | undefined, history: string[]) {
  if (!file) return;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, [...history].reverse().join('\n') + '\n');
  } catch {
    /* history is a convenience */
  }
}

/** Interactive loop. Resolves when input ends or on .quit. */
export async function runRepl(opts: ReplOptions): Promise<void> {
  const { conn, output } = opts;
  let format: OutputFormat = opts.format ?? 'table';
  let maxWidth = opts.maxWidth ?? 40;
  const history = loadHistory(opts.historyFile);
  const rl = createInterface({ input: opts.input, output: opts.terminal ? output : undefined, terminal: !!opts.terminal, history, historySize: 1000, removeHistoryDuplicates: true });
  const say = (s: string) => output.write(s.endsWith('\n') ? s : s + '\n');
  const prompt = (cont: boolean) => {
    if (opts.terminal) {
      rl.setPrompt(cont ? '   ...> ' : 'jixiao> ');
      rl.prompt();
    }
  };
  if (opts.terminal) say(`jixiao sql — ${opts.source ?? 'warehouse'}, read-only. .help for commands, statements end with ';'.`);

  let buffer = '';
  let bufferLines: string[] = [];
  const remember = (entry: string, lines: string[] = []) => {
    const h = (rl as unknown as { history?: string[] }).history;
    if (Array.isArray(h) && opts.terminal) {
      // readline keeps one entry per line (newest first, and it may already hold lines typed
      // after this statement): replace the statement's lines by the whole statement
      if (lines.length > 1) {
        const newestFirst = [...lines].reverse();
        const at = h.findIndex((_, i) => newestFirst.every((l, k) => h[i + k] === l));
        if (at >= 0) h.splice(at, lines.length, entry);
      }
      if (opts.historyFile) saveHistory(opts.historyFile, h.slice(0, 1000));
    } else if (opts.historyFile) {
      history.unshift(entry);
      saveHistory(opts.historyFile, history.slice(0, 1000));
    }
  };

  const dot = async (line: string): Promise<boolean> => {
    const [cmd, ...args] = line.trim().split(/\s+/);
    switch (cmd) {
      case '.quit':
      case '.exit':
        return false;
      case '.help':
        say(REPL_HELP.replace('%MODE%', format).replace('%WIDTH%', String(maxWidth)));
        break;
      case '.tables': {
        const t = await tablesListing(conn, args[0]);
        say(formatTable(['name', 'type', 'rows (est.)', 'description'], t.map((r) => [r.name, r.type, r.rows, r.description ?? '']), 70));
        break;
      }
      case '.schema':
        say(await schemaOf(conn, args[0]));
        break;
      case '.mode':
        if (!FORMATS.includes(args[0] as OutputFormat)) throw new Error(`.mode ${FORMATS.join('|')}`);
        format = args[0] as OutputFormat;
        break;
      case '.maxwidth':
        if (!(Number(args[0]) >= 4)) throw new Error('.maxwidth N (N ≥ 4)');
        maxWidth = Number(args[0]);
        break;
      case '.info':
        say(opts.source ?? '(unknown)');
        break;
      default:
        throw new Error(`unknown command ${cmd} (.help lists them)`);
    }
    return true;
  };

  prompt(false);
  for await (const line of rl) {
    try {
      if (!buffer && line.trim().startsWith('.')) {
        remember(line.trim());
        if (!(await dot(line))) break;
      } else if (buffer || line.trim()) {
        buffer += (buffer ? '\n' : '') + line;
        bufferLines.push(line);
        if (/;\s*(--[^\n]*)?$/.test(buffer.trimEnd())) {
          const sql = buffer;
          const lines = bufferLines;
          buffer = '';
          bufferLines = [];
          remember(sql.replace(/\s*\n\s*/g, ' '), lines);
          for (const r of await runStatements(conn, sql)) say(formatResult(r.columns, r.rows, format, maxWidth));
        }
      }
    } catch (e) {
      buffer = '';
      bufferLines = [];
      say(`Error: ${(e as Error).message}`);
    }
    prompt(buffer !== '');
  }
  if (buffer.trim()) {
    // input ended inside a statement without ';' (e.g. a piped script): run what is there
    try {
      for (const r of await runStatements(conn, buffer)) say(formatResult(r.columns, r.rows, format, maxWidth));
    } catch (e) {
      say(`Error: ${(e as Error).message}`);
    }
  }
  rl.close();
}

// ---------------------------------------------------------------------------------------------

export async function runSql(query: string | undefined, opts: { db?: string; format?: string; command?: string; maxWidth?: string; history?: string }) {
  const format = (opts.format ?? 'table') as OutputFormat;
  if (!FORMATS.includes(format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
  const maxWidth = opts.maxWidth ? Number(opts.maxWidth) : 40;
  const wh = await openForReading(opts.db);
  try {
    const note = staleNote(wh.path, wh.source);
    if (note) console.error(note);
    const sql = opts.command ?? query;
    if (sql !== undefined) {
      const results = await runStatements(wh.conn, sql);
      console.log(results.map((r) => formatResult(r.columns, r.rows, format, maxWidth)).join('\n\n'));
      return;
    }
    const terminal = !!process.stdin.isTTY;
    await runRepl({
      conn: wh.conn,
      input: process.stdin,
      output: process.stdout,
      terminal,
      format,
      maxWidth,
      historyFile: terminal ? (opts.history ?? process.env.JIXIAO_SQL_HISTORY ?? join(homedir(), '.jixiao_sql_history')) : null,
      source: await describeSource(wh.conn, wh.path, wh.source),
    });
  } finally {
    wh.close();
  }
}

export function register(program: Command) {
  program
    .command('sql')
    .description('query the warehouse read-only: one query, -c statements, or an interactive REPL (reads the published snapshot by default)')
    .argument('[query]', 'SQL, e.g. "SELECT * FROM projects LIMIT 5"; without it (and without -c) start the REPL')
    .option('-c, --command <sql>', 'run these statements (separated by ;) and exit')
    .option('--db <file>', `DuckDB file or snapshot folder (default: the current snapshot in data/snapshots, else ${DEFAULT_DB})`)
    .option('--format <fmt>', 'table | csv | json', 'table')
    .option('--max-width <n>', 'cut table cells wider than this many columns', '40')
    .option('--history <file>', 'REPL history file (default ~/.jixiao_sql_history or $JIXIAO_SQL_HISTORY)')
    .addHelpText(
      'after',
      `\nExamples:\n  jixiao sql "SELECT value_kind, count(*) FROM indicators GROUP BY 1" --format csv\n  jixiao sql -c "SELECT count(*) FROM documents; SELECT count(*) FROM indicators"\n  jixiao sql            # REPL: .tables, .schema indicators, .mode csv, .help`,
    )
    .action((query: string | undefined, opts) => runSql(query, opts));
}
