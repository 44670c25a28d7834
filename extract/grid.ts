import type { TableBlock } from './types.ts';

/** One position of a rectangular grid expanded from a table with spans. */
export interface GridCell {
  text: string;
  /** True when this position is covered by a span whose text sits at (originRow, originCol). */
  spanned: boolean;
  originRow: number;
  originCol: number;
}

/**
 * Expand a table's rows (HTML span semantics) into a rectangular matrix.
 * Covered positions repeat the origin cell's text and are flagged `spanned`, so a consumer
 * can either carry merged text down or treat the position as empty.
 */
export function denseGrid(table: Pick<TableBlock, 'rows'>): GridCell[][] {
  const grid: GridCell[][] = [];
  for (let r = 0; r < table.rows.length; r++) {
    grid[r] ??= [];
    let c = 0;
    for (const cell of table.rows[r].cells) {
      while (grid[r][c]) c++;
      const rs = Math.max(1, cell.rowSpan ?? 1);
      const cs = Math.max(1, cell.colSpan ?? 1);
      for (let dr = 0; dr < rs && r + dr < table.rows.length; dr++) {
        grid[r + dr] ??= [];
        for (let dc = 0; dc < cs; dc++) {
          grid[r + dr][c + dc] = { text: cell.text, spanned: dr > 0 || dc > 0, originRow: r, originCol: c };
        }
      }
      c += cs;
    }
  }
  const width = Math.max(0, ...grid.map((row) => row.length));
  return grid.map((row, r) => {
    const out: GridCell[] = [];
    for (let c = 0; c < width; c++) out.push(row[c] ?? { text: '', spanned: false, originRow: r, originCol: c });
    return out;
  });
}
