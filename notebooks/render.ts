/**
 * Headless renderer of the analysts' notebooks (`npm run notebooks`).
 *
 * A notebook is a Markdown file in notebooks/ that reads fine on its own. Fenced cells make it
 * executable:
 *
 *   ```sql name=by_year            a query, run read-only on the warehouse; its result is shown as a
 *   SELECT …                       table (first `show=N` rows, default 20; `show=0` hides it) and is
 *   ```                            available to charts and to {{by_year.column}} in the prose
 *
 *   ```vega-lite data=by_year      a vega-lite spec (JSON) drawn with that result as its data
 *   { "mark": "bar", … }           (default: the previous sql cell), rendered to inline SVG by
 *   ```                            vega in Node — no script, no CDN, the HTML works offline
 *
 * A cell that needs a table this warehouse does not have (e.g. the quality tables before
 * `jixiao check` exists) is reported as such, in the page and on the console, and the notebook
 * is still rendered.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import MarkdownIt from 'markdown-it';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chartSvg, displayWidth } from '../warehouse/charts.ts';

export const NOTEBOOK_DIR = dirname(fileURLToPath(import.meta.url));

export interface CellReport {
  kind: 'sql' | 'chart';
  name: string;
  ok: boolean;
  rows?: number;
  /** 'missing-table' when the cell needs a table or view the warehouse lacks. */
  problem?: 'missing-table' | 'error' | 'no-data';
  message?: string;
  seconds: number;
}

export interface NotebookReport {
  notebook: string;
  title: string;
  out: string;
  cells: CellReport[];
}

interface SqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

/** Parse `sql name=x show=5` into the language and its key=value options. */
export function parseInfo(info: string): { lang: string; opts: Record<string, string> } {
  const [lang = '', ...rest] = info.trim().split(/\s+/);
  const opts: Record<string, string> = {};
  for (const r of rest) {
    const m = /^([\w-]+)=(.*)$/.exec(r);
    if (m) opts[m[1]] = m[2];
    else opts[r] = 'true';
  }
  return { lang: lang.toLowerCase(), opts };
}

/** Explain a DuckDB error about a missing relation, or null when it is another error. */
export function missingTable(message: string): string | null {
  const m = /(?:Table|View|Table Function)(?: with name)? "?([\w.]+)"? does not exist/i.exec(message);
  return m ? m[1] : null;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function fmt(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A table cell; text longer than 160 characters is cut, the whole text stays in the tooltip. */
function cellHtml(text: string, attrs: string): string {
  const chars = [...text];
  if (chars.length <= 160) return `<td${attrs}>${esc(text)}</td>`;
  return `<td${attrs} title="${esc(text)}">${esc(chars.slice(0, 160).join(''))}…</td>`;
}

function htmlTable(res: SqlResult, show: number): string {
  const shown = res.rows.slice(0, show);
  const numeric = res.columns.map((c) => shown.length > 0 && shown.every((r) => r[c] === null || typeof r[c] === 'number'));
  const head = res.columns.map((c, i) => `<th${numeric[i] ? ' class="n"' : ''}>${esc(c)}</th>`).join('');
  const cls = (i: number, text: string) => (numeric[i] ? ' class="n"' : displayWidth(text) <= 24 ? ' class="s"' : ' class="l"');
  const body = shown
    .map((r) => `<tr>${res.columns.map((c, i) => cellHtml(fmt(r[c]), cls(i, fmt(r[c])))).join('')}</tr>`)
    .join('\n');
  const note = res.rows.length > show ? `${res.rows.length} rows, first ${show} shown` : `${res.rows.length} row${res.rows.length === 1 ? '' : 's'}`;
  return `<table class="result"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table><p class="rows">${note}</p>`;
}

const CSS = `
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.55;color:#222}
h1,h2,h3{line-height:1.25} code{background:#f3f3f3;padding:0 .2em;border-radius:3px}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;border-radius:4px;font-size:.85em}
details.cell>summary{cursor:pointer;color:#555;font-size:.85em}
table.result{border-collapse:collapse;font-size:.85em;margin:.4rem 0;display:block;overflow-x:auto}
table.result th,table.result td{border:1px solid #ddd;padding:.2rem .45rem;vertical-align:top;max-width:28rem}
table.result th{background:#f0f0f0} td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap} td.s{white-space:nowrap} td.l{min-width:14em}
p.rows{color:#777;font-size:.8em;margin:0 0 1rem}
.chart{margin:.6rem 0 1.2rem;overflow-x:auto}
.problem{border-left:4px solid #d9822b;background:#fff6ec;padding:.4rem .7rem;margin:.6rem 0}
.meta{color:#666;font-size:.85em;border-bottom:1px solid #eee;padding-bottom:.6rem}
`;

function page(title: string, body: string, meta: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><p class="meta">${meta}</p>
${body}
</body></html>
`;
}

export interface RenderOptions {
  /** Folder the HTML files go to. */
  outDir: string;
  /** Line shown at the top of every page (which warehouse, when). */
  sourceNote?: string;
}

/** Execute one notebook's cells on `conn` and write `<outDir>/<name>.html`. */
export async function renderNotebook(conn: DuckDBConnection, file: string, opts: RenderOptions): Promise<NotebookReport> {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
  const src = readFileSync(file, 'utf8');
  const tokens = md.parse(src, {});
  const name = basename(file).replace(/\.md$/, '');
  const title = (() => {
    const i = tokens.findIndex((t) => t.type === 'heading_open' && t.tag === 'h1');
    return i >= 0 ? tokens[i + 1].content : name;
  })();
  const results = new Map<string, SqlResult | null>();
  const html = new Map<number, string>();
  const cells: CellReport[] = [];
  let lastSql: string | null = null;
  let n = 0;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== 'fence') continue;
    const { lang, opts: o } = parseInfo(t.info);
    const t0 = performance.now();
    if (lang === 'sql') {
      const cellName = o.name ?? `cell${++n}`;
      lastSql = cellName;
      const show = o.show !== undefined ? Number(o.show) : 20;
      const code = `<details class="cell"><summary>SQL <code>${esc(cellName)}</code></summary><pre><code class="language-sql">${esc(t.content)}</code></pre></details>`;
      try {
        const reader = await conn.runAndReadAll(t.content);
        const columns = reader.columnNames();
        const data = reader.getRowObjects().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plainValue(v)])));
        results.set(cellName, { columns, rows: data });
        html.set(i, code + (show > 0 ? htmlTable({ columns, rows: data }, show) : ''));
        cells.push({ kind: 'sql', name: cellName, ok: true, rows: data.length, seconds: (performance.now() - t0) / 1000 });
      } catch (e) {
        const msg = (e as Error).message;
        const missing = missingTable(msg);
        const text = missing
          ? `This cell needs <code>${esc(missing)}</code>, which this warehouse does not have yet (the quality tables and views are filled by <code>jixiao check</code>; older warehouses may lack newer migrations).`
          : `This cell failed: <code>${esc(msg.split('\n')[0])}</code>`;
        results.set(cellName, null);
        html.set(i, `${code}<div class="problem">${text}</div>`);
        cells.push({ kind: 'sql', name: cellName, ok: false, problem: missing ? 'missing-table' : 'error', message: missing ? `missing table ${missing}` : msg.split('\n')[0], seconds: (performance.now() - t0) / 1000 });
      }
    } else if (lang === 'vega-lite' || lang === 'vegalite') {
      const dataName = o.data ?? lastSql;
      const cellName = `chart:${dataName ?? '?'}`;
      const res = dataName ? results.get(dataName) : undefined;
      if (!res) {
        const why = res === null ? `its data cell <code>${esc(dataName!)}</code> did not run` : `no sql cell named <code>${esc(String(dataName))}</code> before it`;
        html.set(i, `<div class="problem">Chart skipped: ${why}.</div>`);
        cells.push({ kind: 'chart', name: cellName, ok: false, problem: res === null ? 'no-data' : 'error', message: `chart skipped: ${why.replace(/<[^>]+>/g, '')}`, seconds: 0 });
        continue;
      }
      try {
        const spec = JSON.parse(t.content) as Record<string, unknown>;
        const svg = res.rows.length ? await chartSvg(spec, res.rows) : null;
        html.set(i, svg ? `<div class="chart">${svg}</div>` : `<div class="problem">Chart skipped: <code>${esc(dataName!)}</code> returned no rows in this warehouse.</div>`);
        cells.push({ kind: 'chart', name: cellName, ok: !!svg, problem: svg ? undefined : 'no-data', rows: res.rows.length, seconds: (performance.now() - t0) / 1000 });
      } catch (e) {
        const msg = (e as Error).message.split('\n')[0];
        html.set(i, `<div class="problem">Chart failed: <code>${esc(msg)}</code></div>`);
        cells.push({ kind: 'chart', name: cellName, ok: false, problem: 'error', message: msg, seconds: (performance.now() - t0) / 1000 });
      }
    }
  }

  const defaultFence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (toks, idx, options, env, self) => html.get(idx) ?? defaultFence(toks, idx, options, env, self);
  let body = md.renderer.render(tokens, md.options, {});
  // {{cell.column}} in the prose: the value of that column in the cell's first row.
  body = body.replace(/\{\{\s*([\w]+)\.([\w]+)\s*\}\}/g, (_m, cell: string, col: string) => {
    const r = results.get(cell);
    if (!r || !r.rows.length || !(col in r.rows[0])) return '<span class="problem">n/a</span>';
    return `<strong>${esc(fmt(r.rows[0][col]))}</strong>`;
  });
  mkdirSync(opts.outDir, { recursive: true });
  const out = join(opts.outDir, `${name}.html`);
  writeFileSync(out, page(title, body, `${esc(opts.sourceNote ?? '')} · rendered ${new Date().toISOString().slice(0, 19)}Z from <code>notebooks/${esc(basename(file))}</code>`));
  return { notebook: name, title, out, cells };
}

/** DuckDB values → what vega and the HTML want: numbers for numbers (BigInt included), strings for the rest. */
function plainValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') {
    const s = String(v);
    if (s !== '[object Object]') {
      // DECIMAL values stringify to their digits: chart them as numbers
      return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s;
    }
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x));
  }
  return v;
}

/** Notebook files (notebooks/*.md except README.md), sorted. */
export function listNotebooks(dir = NOTEBOOK_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md')
    .sort()
    .map((f) => join(dir, f));
}

/** Render several notebooks and an index.html linking them. */
export async function renderAll(conn: DuckDBConnection, files: string[], opts: RenderOptions): Promise<NotebookReport[]> {
  const reports: NotebookReport[] = [];
  for (const f of files) reports.push(await renderNotebook(conn, f, opts));
  const items = reports
    .map((r) => {
      const bad = r.cells.filter((c) => !c.ok).length;
      return `<li><a href="${esc(basename(r.out))}">${esc(r.title)}</a> — ${r.cells.length} cells${bad ? `, <span class="problem">${bad} not rendered</span>` : ''}</li>`;
    })
    .join('\n');
  writeFileSync(join(opts.outDir, 'index.html'), page('jixiao notebooks', `<h1>jixiao notebooks</h1>\n<ul>\n${items}\n</ul>`, esc(opts.sourceNote ?? '')));
  return reports;
}
