/**
 * XLSX extractor (exceljs), also the second half of the XLS path (LibreOffice converts XLS → XLSX).
 *
 * - Merged ranges become rowSpan / colSpan on their top-left cell; covered cells are omitted.
 * - A cell's text is what Excel displays: numbers through their number format (numfmt implements
 *   Excel's format codes), so `100.00` stays `100.00` and `0.5` under `0%` reads `50%`.
 * - Each visible sheet: a TextBlock with the sheet name, then its content split on fully empty rows;
 *   a run of rows that each hold at most one value is text (one TextBlock, a line per row), anything else
 *   is a table. A first row that is one cell merged across (almost) the whole width is the
 *   table's caption and becomes a TextBlock before it. An empty row whose cells are ruled (borders)
 *   like the rows around it stays inside the table.
 *
 * Before exceljs sees the package: zip-bomb limits, XML DOCTYPE / entity refusal, and a check of the
 * merged ranges' area (exceljs materialises every covered cell; `A1:XFD1048576` would never finish).
 */
import ExcelJS from 'exceljs';
import { format as formatNumber } from 'numfmt';
import type { ExtractOptions } from '../types.ts';
import { ExtractError, type Block, type Cell, type ExtractedDoc, type TableRow } from '../types.ts';
import { assertSafeXmlParts } from './xmlguard.ts';
import { readZipSafely } from './zipguard.ts';

export const XLSX_EXTRACTOR = 'office-xlsx@1';

/** Limits on what a sheet may ask exceljs to materialise. */
const MAX_MERGE_CELLS = 200_000;
const MAX_SHEET_CELLS = 2_000_000;

/** 'B3' → {row: 3, col: 2} (1-based). */
function decodeRef(ref: string): { row: number; col: number } | null {
  const m = /^\$?([A-Z]{1,3})\$?(\d{1,7})$/i.exec(ref.trim());
  if (!m) return null;
  let col = 0;
  for (const ch of m[1].toUpperCase()) col = col * 26 + (ch.charCodeAt(0) - 64);
  return { row: parseInt(m[2], 10), col };
}

export interface MergeRange {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export function decodeRange(ref: string): MergeRange | null {
  const [a, b] = ref.split(':');
  const p = decodeRef(a);
  const q = b ? decodeRef(b) : p;
  if (!p || !q) return null;
  return { top: Math.min(p.row, q.row), left: Math.min(p.col, q.col), bottom: Math.max(p.row, q.row), right: Math.max(p.col, q.col) };
}

/** Refuse sheets whose merged ranges would make exceljs allocate millions of cells. */
export function assertSaneMerges(files: Map<string, Buffer>): void {
  for (const [name, buf] of files) {
    if (!/^xl\/worksheets\/[^/]+\.xml$/i.test(name)) continue;
    const xml = buf.toString('utf8');
    let total = 0;
    for (const m of xml.matchAll(/<(?:\w+:)?mergeCell\b[^>]*\bref="([^"]+)"/g)) {
      const r = decodeRange(m[1]);
      if (!r) continue;
      const area = (r.bottom - r.top + 1) * (r.right - r.left + 1);
      total += area;
      if (area > MAX_MERGE_CELLS || total > MAX_SHEET_CELLS)
        throw new ExtractError('unsafe', `${name}: merged range ${m[1]} covers ${area} cells (limit ${MAX_MERGE_CELLS} per range, ${MAX_SHEET_CELLS} per sheet)`);
    }
  }
}

function plainDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** What Excel would display for a cell value with the given number format. */
export function displayText(value: ExcelJS.CellValue, numFmt: string | undefined): string {
  if (value == null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    try {
      return formatNumber(numFmt || 'General', value);
    } catch {
      return String(value);
    }
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) {
    if (numFmt && numFmt !== 'General') {
      try {
        // Excel serial from the JS date (exceljs converts serials to UTC dates).
        const serial = value.getTime() / 86400000 + 25569;
        return formatNumber(numFmt, serial);
      } catch {
        /* fall through */
      }
    }
    return plainDate(value);
  }
  if (typeof value === 'object') {
    const v = value as unknown as Record<string, unknown>;
    if (Array.isArray(v.richText)) return (v.richText as { text: string }[]).map((r) => r.text).join('');
    if ('result' in v || 'formula' in v || 'sharedFormula' in v) {
      // A formula whose result is an error (#VALUE!, #NAME? …) was typed as text after an `=`
      // (`=19.36 万元`): the author's text is the formula, not the error Excel shows.
      const result = v.result as { error?: unknown } | null | undefined;
      if (result && typeof result === 'object' && typeof result.error === 'string' && typeof v.formula === 'string' && v.formula.trim())
        return `=${v.formula.trim()}`;
      return displayText((v.result ?? null) as ExcelJS.CellValue, numFmt);
    }
    if (typeof v.text === 'string') return v.text;
    if (v.text && typeof v.text === 'object') return displayText(v.text as ExcelJS.CellValue, numFmt);
    if (typeof v.error === 'string') return v.error;
  }
  return String(value);
}

const clean = (s: string) =>
  s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/^\n+|\n+$/g, '');

interface SheetGrid {
  texts: string[][];
  /** Master cells' spans; covered positions are flagged. */
  span: Map<string, { rs: number; cs: number }>;
  covered: Set<string>;
  /** Rows covered by a merge that starts in an earlier row. */
  continued: Set<number>;
  /** Rows with a ruled (bordered) cell: an empty ruled row is still inside its table. */
  ruled: boolean[];
  rows: number;
  cols: number;
}

function sheetGrid(ws: ExcelJS.Worksheet, warnings: string[]): SheetGrid {
  const rows = ws.rowCount;
  const cols = ws.columnCount;
  const texts: string[][] = [];
  const span = new Map<string, { rs: number; cs: number }>();
  const covered = new Set<string>();
  const continued = new Set<number>();
  const merges = ((ws.model as unknown as { merges?: string[] }).merges ?? []).map(decodeRange).filter((r): r is MergeRange => !!r);
  for (const m of merges) {
    span.set(`${m.top},${m.left}`, { rs: m.bottom - m.top + 1, cs: m.right - m.left + 1 });
    for (let r = m.top + 1; r <= m.bottom; r++) continued.add(r);
    for (let r = m.top; r <= m.bottom; r++) for (let c = m.left; c <= m.right; c++) if (r !== m.top || c !== m.left) covered.add(`${r},${c}`);
  }
  if (rows * cols > MAX_SHEET_CELLS) {
    warnings.push(`sheet ${ws.name}: ${rows}×${cols} cells, above ${MAX_SHEET_CELLS}: skipped`);
    return { texts: [], span, covered, continued, ruled: [], rows: 0, cols: 0 };
  }
  const ruled: boolean[] = [];
  for (let r = 1; r <= rows; r++) {
    const row = ws.getRow(r);
    const line: string[] = [];
    let hasRule = false;
    for (let c = 1; c <= cols; c++) {
      if (covered.has(`${r},${c}`)) {
        line.push('');
        continue;
      }
      const cell = row.getCell(c);
      line.push(clean(displayText(cell.value, cell.numFmt)));
      const b = cell.border;
      if (b && (b.top?.style || b.bottom?.style || b.left?.style || b.right?.style)) hasRule = true;
    }
    texts.push(line);
    ruled.push(hasRule);
  }
  return { texts, span, covered, continued, ruled, rows, cols };
}

/** Split a sheet into blocks: runs of non-empty rows → a table, or text lines. */
function sheetBlocks(g: SheetGrid, nextTableNo: () => number): Block[] {
  const blocks: Block[] = [];
  const rowHasContent = (r: number) => g.texts[r - 1].some((t) => t !== '');
  // A row inside a merge that started above it belongs to the same run even if empty.
  const rowCoveredFromAbove = (r: number) => g.continued.has(r);
  let r = 1;
  while (r <= g.rows) {
    if (!rowHasContent(r)) {
      r++;
      continue;
    }
    let end = r;
    // A run continues over empty rows that are ruled like the table or covered by a merge.
    while (end + 1 <= g.rows && (rowHasContent(end + 1) || rowCoveredFromAbove(end + 1) || (g.ruled[end] && g.ruled[end - 1]))) end++;
    while (end > r && !rowHasContent(end)) end--;
    // Columns actually used by this run.
    let minC = Infinity;
    let maxC = 0;
    for (let i = r; i <= end; i++) {
      g.texts[i - 1].forEach((t, j) => {
        if (t !== '') {
          minC = Math.min(minC, j + 1);
          const s = g.span.get(`${i},${j + 1}`);
          maxC = Math.max(maxC, j + (s?.cs ?? 1));
        }
      });
    }
    const nonEmpty = (i: number) => g.texts[i - 1].filter((t) => t !== '').length;
    let start = r;
    const allText = (() => {
      for (let i = r; i <= end; i++) if (nonEmpty(i) > 1) return false;
      return true;
    })();
    if (allText) {
      const lines: string[] = [];
      for (let i = r; i <= end; i++) {
        const t = g.texts[i - 1].find((x) => x !== '');
        if (t) lines.push(t);
      }
      if (lines.length) blocks.push({ type: 'text', text: lines.join('\n'), page: null, line: r });
      r = end + 1;
      continue;
    }
    // Caption rows: one value merged across (nearly) the whole width of the run.
    while (start < end && nonEmpty(start) === 1) {
      const j = g.texts[start - 1].findIndex((x) => x !== '');
      const s = g.span.get(`${start},${j + 1}`);
      const width = maxC - minC + 1;
      if (!s || s.cs < Math.max(2, Math.ceil(width * 0.8))) break;
      blocks.push({ type: 'text', text: g.texts[start - 1][j], page: null, line: start });
      start++;
    }
    const rows: TableRow[] = [];
    for (let i = start; i <= end; i++) {
      const cells: Cell[] = [];
      for (let c = minC; c <= maxC; c++) {
        if (g.covered.has(`${i},${c}`)) continue;
        const cell: Cell = { text: g.texts[i - 1][c - 1] ?? '' };
        const s = g.span.get(`${i},${c}`);
        if (s) {
          const rs = Math.min(s.rs, end - i + 1);
          const cs = Math.min(s.cs, maxC - c + 1);
          if (rs > 1) cell.rowSpan = rs;
          if (cs > 1) cell.colSpan = cs;
        }
        cells.push(cell);
      }
      // Trailing empty cells carry nothing; keep rows as short as the sheet allows.
      while (cells.length && cells[cells.length - 1].text === '' && !cells[cells.length - 1].rowSpan && !cells[cells.length - 1].colSpan) cells.pop();
      rows.push({ cells, page: null, line: i });
    }
    blocks.push({ type: 'table', tableNo: nextTableNo(), page: null, pageEnd: null, rows, spansKnown: true });
    r = end + 1;
  }
  return blocks;
}

export async function extractXlsx(bytes: Uint8Array, _opts: ExtractOptions = {}, format: 'xlsx' | 'xls' = 'xlsx'): Promise<ExtractedDoc> {
  const { files } = await readZipSafely(bytes);
  assertSafeXmlParts(files);
  assertSaneMerges(files);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  } catch (e) {
    throw new ExtractError('corrupt', `exceljs cannot read the workbook: ${(e as Error).message}`);
  }
  const warnings: string[] = [];
  const blocks: Block[] = [];
  let tableNo = 0;
  const sheets: string[] = [];
  const hidden: string[] = [];
  for (const ws of wb.worksheets) {
    if (ws.state && ws.state !== 'visible') {
      hidden.push(ws.name);
      continue;
    }
    sheets.push(ws.name);
    const g = sheetGrid(ws, warnings);
    const sb = sheetBlocks(g, () => ++tableNo);
    if (!sb.length) continue;
    blocks.push({ type: 'text', text: ws.name, page: null });
    blocks.push(...sb);
  }
  if (hidden.length) warnings.push(`hidden sheets skipped: ${hidden.join(', ')}`);
  return {
    format,
    extractor: XLSX_EXTRACTOR,
    pages: null,
    blocks,
    warnings,
    status: tableNo ? 'ok' : 'no_tables',
    meta: { sheets, hiddenSheets: hidden, tables: tableNo },
  };
}
