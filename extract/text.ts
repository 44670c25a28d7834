/**
 * Text dumps of Word / PDF disclosures → table grids + narrative text blocks.
 *
 * Two shapes are recognized from the content (never from the file name):
 * - cell-per-line: every table cell is its own line starting with a tab; a blank line ends a
 *   row; a non-tab line directly after a cell continues that cell (a line break inside the
 *   cell); a non-tab line after a blank line is narrative text and ends the table.
 * - row-per-line: every table row is one line with tab-separated cells; any line without a
 *   tab ends the table (blank lines inside a table are skipped).
 * The shape is decided per document by counting which kind of tabbed line dominates.
 * Spans are unknown in both shapes (`spansKnown: false`): an empty cell is usually a merge.
 */
import { decodeText } from './decode.ts';
import { ExtractError, type Block, type ExtractedDoc, type TableBlock, type TableRow } from './types.ts';

export const TEXT_EXTRACTOR = 'text-dump@1';

type Shape = 'cell-per-line' | 'row-per-line';

const isBlank = (s: string) => /^[\s\u3000\u00a0]*$/.test(s);

/** Word / PDF conversion debris that is not content: bookmarks, TOC field codes, LaTeX math. */
export function cleanLine(s: string): string {
  return s
    .replace(/\[bookmark:[^\]]*\]/g, '')
    .replace(/\s+TC\s+(?:\d+、)?[^\\]*\\f\s*[A-Z](?:\s*\\l\s*\d*)?\s*$/u, '')
    .replace(/\r$/, '');
}

export function detectShape(lines: string[]): Shape {
  let cellLines = 0;
  let rowLines = 0;
  for (const l of lines) {
    if (!l.includes('\t')) continue;
    const tabs = l.split('\t').length - 1;
    if (l.startsWith('\t') && tabs === 1) cellLines++;
    else rowLines++;
  }
  return cellLines >= rowLines ? 'cell-per-line' : 'row-per-line';
}

/**
 * A blank line inside a cell (an empty paragraph) is indistinguishable from a row separator in
 * cell-per-line dumps. Repair: a run of short fragments whose cell counts add up exactly to the
 * width of the rows around them is one row.
 */
function mergeSplitRows(rows: TableRow[], warnings: string[]): TableRow[] {
  const out: TableRow[] = [];
  for (let i = 0; i < rows.length; i++) {
    const prev = out[out.length - 1];
    const w = prev?.cells.length ?? 0;
    if (prev && rows[i].cells.length < w) {
      let sum = 0;
      let j = i;
      while (j < rows.length && sum < w) sum += rows[j++].cells.length;
      const next = rows[j];
      if (sum === w && j - i > 1 && (!next || next.cells.length === w)) {
        const merged: TableRow = { ...rows[i], cells: rows.slice(i, j).flatMap((r) => r.cells) };
        warnings.push(`line ${rows[i].line}: ${j - i} row fragments separated by blank lines joined into one row of ${w} cells`);
        out.push(merged);
        i = j - 1;
        continue;
      }
    }
    out.push(rows[i]);
  }
  return out;
}

export function parseTextDump(text: string): { blocks: Block[]; shape: Shape; warnings: string[] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map(cleanLine);
  const shape = detectShape(lines);
  const blocks: Block[] = [];
  const warnings: string[] = [];
  let table: TableBlock | null = null;
  let row: TableRow | null = null;
  let prevWasCell = false;
  let tableNo = 0;

  const endRow = () => {
    if (row && table && row.cells.length) table.rows.push(row);
    row = null;
  };
  const endTable = () => {
    endRow();
    if (table && table.rows.length) {
      if (shape === 'cell-per-line') table.rows = mergeSplitRows(table.rows, warnings);
      blocks.push(table);
    } else if (table) tableNo--;
    table = null;
  };
  const startTable = () => {
    table = { type: 'table', tableNo: ++tableNo, page: null, pageEnd: null, rows: [], spansKnown: false };
  };
  const pushText = (s: string, line: number) => {
    const last = blocks[blocks.length - 1];
    const t = s.trim();
    if (!t) return;
    if (last && last.type === 'text' && last.line != null && last.text.split('\n').length + last.line === line) last.text += '\n' + t;
    else blocks.push({ type: 'text', text: t, page: null, line });
  };

  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const lineNo = i + 1;
    if (shape === 'cell-per-line') {
      const isCell = l.startsWith('\t') && l.split('\t').length === 2;
      const isRowLine = !isCell && l.includes('\t');
      if (isCell) {
        if (!table) startTable();
        if (!row) row = { cells: [], page: null, line: lineNo };
        row.cells.push({ text: l.slice(1) });
        prevWasCell = true;
      } else if (isRowLine) {
        // A tab-separated line inside a cell-per-line dump (a table of contents entry, a short row).
        endRow();
        if (!table) startTable();
        table!.rows.push({ cells: l.split('\t').map((t) => ({ text: t })), page: null, line: lineNo });
        prevWasCell = false;
      } else if (prevWasCell && l !== '') {
        // Continuation of the previous cell (a line break inside it). A whitespace-only line here
        // is a trailing empty paragraph of the cell, not a row separator: it adds nothing.
        const cells = row!.cells;
        if (!isBlank(l)) cells[cells.length - 1].text += '\n' + l;
      } else if (isBlank(l)) {
        endRow();
        prevWasCell = false;
      } else {
        endTable();
        pushText(l, lineNo);
        prevWasCell = false;
      }
    } else {
      if (l.includes('\t')) {
        if (!table) startTable();
        table!.rows.push({ cells: l.split('\t').map((t) => ({ text: t })), page: null, line: lineNo });
      } else if (isBlank(l)) {
        // Blank lines inside a row-per-line table are conversion noise; keep the table open.
      } else {
        endTable();
        pushText(l, lineNo);
      }
    }
  }
  endTable();
  return { blocks, shape, warnings };
}

export async function extractText(bytes: Uint8Array): Promise<ExtractedDoc> {
  const { text, encoding } = decodeText(bytes);
  if (!text.trim()) throw new ExtractError('empty', 'the file contains only whitespace');
  if (text.includes('\uFFFD\uFFFD\uFFFD\uFFFD')) throw new ExtractError('binary', 'the file is not text in any known encoding (replacement characters)');
  const { blocks, shape, warnings } = parseTextDump(text);
  const hasTables = blocks.some((b) => b.type === 'table');
  return {
    format: 'text',
    extractor: TEXT_EXTRACTOR,
    pages: null,
    blocks,
    warnings,
    status: hasTables ? 'ok' : 'no_tables',
    meta: { shape, encoding },
  };
}
