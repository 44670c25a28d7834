/**
 * Tables continued over a page break → one table.
 *
 * Table B continues table A when
 *   - A is the last block of its page (only a short footer such as a page number follows it),
 *   - B is the first block of the next page (only short running heads, or lines that also stand
 *     above A, precede it),
 *   - both have the same columns (same count, edges within COL_TOL points).
 * B's leading rows that repeat A's header rows are dropped. A merged cell of A that reaches A's
 * last row (rowSpan > 1) and whose column is empty in B's first row is extended into B, so the
 * 一级指标 / 二级指标 labels carry over the break as they do on paper.
 */

export interface GridCell {
  r: number;
  c: number;
  rs: number;
  cs: number;
  text: string;
}

export interface GridTable {
  page: number;
  pageEnd: number;
  nRows: number;
  nCols: number;
  /** Column edges (points) on the table's first page. */
  xs: number[];
  cells: GridCell[];
  /** Page of each row. */
  rowPages: number[];
  /** Position of the table on its first and last pages (points from the top). */
  top: number;
  bottom: number;
  ocrConfidence?: number;
}

export interface PageLine {
  page: number;
  y0: number;
  y1: number;
  text: string;
}

export type PageBlock = { kind: 'table'; table: GridTable; y: number } | { kind: 'text'; lines: PageLine[]; y: number };

const COL_TOL = 3;
const isFooter = (t: string) => t.replace(/\s/g, '').length <= 12 || /^[-—\s]*(第?\s*\d+\s*页?(\s*[/共]\s*\d+\s*页?)?)[-—\s]*$/.test(t.trim());

const rowTexts = (t: GridTable, r: number) =>
  t.cells
    .filter((c) => c.r === r)
    .sort((a, b) => a.c - b.c)
    .map((c) => `${c.c}:${c.cs}:${c.text.replace(/\s/g, '')}`)
    .join('|');

export function sameColumns(a: GridTable, b: GridTable): boolean {
  if (a.nCols !== b.nCols || a.xs.length !== b.xs.length) return false;
  return a.xs.every((x, i) => Math.abs(x - b.xs[i]) <= COL_TOL);
}

/** Append B's rows to A (mutates A). */
export function appendTable(a: GridTable, b: GridTable) {
  // Drop B's leading rows that repeat A's header rows.
  let drop = 0;
  while (drop < b.nRows && drop < a.nRows && rowTexts(a, drop) === rowTexts(b, drop) && rowTexts(b, drop).length) drop++;
  // A header row may carry a span over several rows: only drop whole span groups.
  while (drop > 0 && b.cells.some((c) => c.r < drop && c.r + c.rs > drop)) drop--;
  const off = a.nRows - drop;
  const firstRow = b.cells.filter((c) => c.r === drop);
  const extended = new Set<GridCell>();
  if (firstRow.some((c) => c.text.trim())) {
    for (const bc of firstRow) {
      if (bc.text.trim()) continue;
      const ac = a.cells.find((c) => c.c === bc.c && c.cs === bc.cs && c.r + c.rs === a.nRows && c.rs > 1 && c.text.trim());
      if (ac) {
        ac.rs += bc.rs;
        extended.add(bc);
      }
    }
  }
  for (const bc of b.cells) {
    if (bc.r < drop || extended.has(bc)) continue;
    a.cells.push({ ...bc, r: bc.r + off });
  }
  a.rowPages.push(...b.rowPages.slice(drop));
  a.nRows += b.nRows - drop;
  a.pageEnd = b.pageEnd;
  a.bottom = b.bottom;
}

/**
 * Walk the pages' blocks in order and merge continued tables. `blocks[i]` are page i+1's blocks
 * sorted top to bottom.
 */
export function stitchPages(pages: PageBlock[][]): { blocks: PageBlock[]; stitched: number } {
  const out: PageBlock[] = [];
  /** Page table → the output table it became part of. */
  const owner = new Map<GridTable, GridTable>();
  let stitched = 0;
  for (let p = 0; p < pages.length; p++) {
    const blocks = pages[p];
    const first = blocks.findIndex((b) => b.kind === 'table');
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i];
      if (b.kind === 'table' && i === first && p > 0) {
        const prevPage = pages[p - 1];
        const last = lastTableIndex(prevPage);
        const a = last >= 0 ? prevPage[last] : null;
        const target = a && a.kind === 'table' ? owner.get(a.table) : undefined;
        if (target) {
          const after = prevPage.slice(last + 1);
          const before = blocks.slice(0, i);
          const aboveA = new Set(
            prevPage.slice(0, last).flatMap((x) => (x.kind === 'text' ? x.lines.map((l) => l.text.replace(/\s/g, '')) : [])),
          );
          const tailOk = after.every((x) => x.kind === 'text' && x.lines.every((l) => isFooter(l.text)));
          const headOk = before.every(
            (x) => x.kind === 'text' && x.lines.every((l) => isFooter(l.text) || aboveA.has(l.text.replace(/\s/g, ''))),
          );
          if (tailOk && headOk && sameColumns(target, b.table)) {
            appendTable(target, b.table);
            owner.set(b.table, target);
            stitched++;
            // Text blocks before B on this page were running heads: drop them.
            while (out.length && out[out.length - 1].kind === 'text' && before.includes(out[out.length - 1])) out.pop();
            continue;
          }
        }
      }
      if (b.kind === 'table') owner.set(b.table, b.table);
      out.push(b);
    }
  }
  return { blocks: out, stitched };
}

const lastTableIndex = (blocks: PageBlock[]) => {
  for (let i = blocks.length - 1; i >= 0; i--) if (blocks[i].kind === 'table') return i;
  return -1;
};
