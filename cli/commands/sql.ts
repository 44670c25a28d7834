import type { Command } from 'commander';
import { DEFAULT_DB, openWarehouse, table } from '../../warehouse/db.ts';

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Display width of a string in a terminal: CJK and full-width characters take two columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd) ? 2 : 1;
  }
  return w;
}

function truncate(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (displayWidth(out + ch) > max - 1) break;
    out += ch;
  }
  return out + '…';
}

export function formatTable(columns: string[], rows: unknown[][], maxWidth = 40): string {
  const cells = rows.map((r) => r.map((v) => truncate(v === null ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v), maxWidth)));
  const widths = columns.map((c, i) => Math.max(displayWidth(c), ...cells.map((r) => displayWidth(r[i]))));
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - displayWidth(s)));
  const line = (r: string[]) => r.map((s, i) => pad(s, widths[i])).join(' │ ');
  return [line(columns), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...cells.map(line), `(${rows.length} rows)`].join('\n');
}

export async function runSql(query: string, opts: { db: string; format: string }) {
  const wh = await openWarehouse(opts.db, { readOnly: true });
  try {
    const { columns, rows } = await table(wh.conn, query);
    if (opts.format === 'json') console.log(JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]]))), null, 2));
    else if (opts.format === 'csv') console.log([columns.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n'));
    else console.log(formatTable(columns, rows));
  } finally {
    wh.close();
  }
}

export function register(program: Command) {
  program
    .command('sql')
    .description('run a SQL query against the warehouse (read-only)')
    .argument('<query>', 'SQL, e.g. "SELECT * FROM projects LIMIT 5"')
    .option('--db <file>', 'DuckDB warehouse file', DEFAULT_DB)
    .option('--format <fmt>', 'table | csv | json', 'table')
    .addHelpText('after', `\nExample:\n  jixiao sql "SELECT value_kind, count(*) FROM indicators GROUP BY 1" --format csv`)
    .action((query: string, opts) => runSql(query, opts));
}
