import type { Block } from '../types.ts';

/**
 * Drop empty cells at the end of a row that carry nothing but a span. Word and LibreOffice pad a
 * short row with one empty cell spanning the remaining grid columns; as HTML span semantics that
 * reads as "these positions continue a merged cell", which is noise. Dropping them gives the same
 * dense grid (denseGrid pads rows) without false span flags. Cells spanning rows are kept.
 */
export function dropTrailingEmptyCells(blocks: Block[]): void {
  for (const b of blocks) {
    if (b.type !== 'table') continue;
    for (const row of b.rows) {
      const cells = row.cells;
      while (cells.length && cells[cells.length - 1].text === '' && (cells[cells.length - 1].rowSpan ?? 1) === 1) cells.pop();
    }
  }
}
