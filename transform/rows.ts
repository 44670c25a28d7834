/** A uniform view of table rows for the transform: dense grids when spans are known, jagged rows otherwise. */
import { denseGrid } from '../extract/grid.ts';
import type { TableBlock } from '../extract/types.ts';
import { cellText, key } from './text.ts';

export interface ViewCell {
  /** Cell text with in-cell line breaks kept (for splitting numbered goals). */
  raw: string;
  /** Normalized text (lines joined, trimmed); '' when empty. */
  text: string;
  key: string;
  /** Covered by a span from the row above (vertical merge). */
  spannedDown: boolean;
  /** Covered by a span from the cell to the left (horizontal duplicate). */
  spannedRight: boolean;
}

export interface RowView {
  cells: ViewCell[];
  tableNo: number;
  /** 1-based row number within its table. */
  rowNo: number;
  page: number | null;
  line: number | null;
  ocr: number | null;
}

export function rowViews(table: TableBlock): RowView[] {
  const mk = (raw: string, spannedDown: boolean, spannedRight: boolean): ViewCell => {
    const text = cellText(raw) ?? '';
    return { raw, text, key: key(text), spannedDown, spannedRight };
  };
  const base = (r: number) => ({
    tableNo: table.tableNo,
    rowNo: r + 1,
    page: table.rows[r].page ?? table.page ?? null,
    line: table.rows[r].line ?? null,
    ocr: table.ocrConfidence ?? null,
  });
  const hasSpans = table.rows.some((r) => r.cells.some((c) => (c.rowSpan ?? 1) > 1 || (c.colSpan ?? 1) > 1));
  if (!hasSpans) return table.rows.map((row, r) => ({ ...base(r), cells: row.cells.map((c) => mk(c.text, false, false)) }));
  const grid = denseGrid(table);
  return grid.map((row, r) => ({
    ...base(r),
    cells: row.map((g) => mk(g.text, g.spanned && g.originRow < r, g.spanned && g.originRow === r)),
  }));
}

/** Cells a reader sees as distinct (horizontal span duplicates removed). */
export const logical = (row: RowView) => row.cells.filter((c) => !c.spannedRight);
export const nonEmpty = (row: RowView) => logical(row).filter((c) => c.text && !c.spannedDown);
