/**
 * The contract between extractors and the transform stage.
 *
 * Every extractor (text dump, PDF, DOCX, DOC, XLS/XLSX, HTML) turns a document's bytes into an
 * `ExtractedDoc`: an ordered list of blocks, each either a table grid or a run of narrative text,
 * with enough provenance (page, source line) that every normalized row can be traced back.
 *
 * Tables use HTML semantics: a cell may span rows and columns, and positions covered by a span
 * from an earlier row are omitted from the later rows' `cells`. `denseGrid()` in `grid.ts`
 * expands that into a rectangular matrix for the transform stage.
 */

export type SourceFormat = 'text' | 'pdf' | 'docx' | 'doc' | 'xlsx' | 'xls' | 'html' | 'unknown';

export interface Cell {
  /** Cell text. Line breaks inside the cell are kept as '\n'; the transform joins them. */
  text: string;
  /** Rows this cell spans (>= 1). Only set when the extractor knows the merge (PDF rulings, DOCX vMerge, XLSX merges). */
  rowSpan?: number;
  /** Columns this cell spans (>= 1). */
  colSpan?: number;
}

export interface TableRow {
  cells: Cell[];
  /** 1-based page the row is printed on, when the format has pages. */
  page?: number | null;
  /** 1-based line in the source text where the row starts (text dumps, converted text). */
  line?: number | null;
}

export interface TableBlock {
  type: 'table';
  /** 1-based order of the table in the document. */
  tableNo: number;
  /** First and last page of the table (tables can continue over page breaks). */
  page?: number | null;
  pageEnd?: number | null;
  rows: TableRow[];
  /**
   * True when merges are explicit in `rowSpan` / `colSpan` (ruled PDF tables, Word, Excel, HTML).
   * False for text dumps, where an empty cell is usually, but not always, a merged cell.
   */
  spansKnown: boolean;
  /** Mean OCR confidence 0..1 when the rows come from OCR; absent otherwise. */
  ocrConfidence?: number | null;
}

export interface TextBlock {
  type: 'text';
  text: string;
  page?: number | null;
  line?: number | null;
}

export type Block = TableBlock | TextBlock;

/** Status an extractor can report beyond plain success. */
export type ExtractStatus = 'ok' | 'low_confidence' | 'no_tables';

export interface ExtractedDoc {
  format: SourceFormat;
  /** `name@version` of the extractor, stored with the document so re-extraction can be targeted. */
  extractor: string;
  pages?: number | null;
  blocks: Block[];
  warnings: string[];
  status?: ExtractStatus;
  /** Format-specific facts worth keeping (PDF info dictionary, sheet names, OCR engine…). */
  meta?: Record<string, unknown>;
}

/** A document that cannot be extracted raises this; `reason` becomes the documents.status. */
export class ExtractError extends Error {
  constructor(
    readonly reason:
      | 'empty'
      | 'binary'
      | 'unsupported_format'
      | 'truncated'
      | 'encrypted'
      | 'corrupt'
      | 'too_large'
      | 'timeout'
      | 'unsafe'
      | 'conversion_failed',
    message: string,
  ) {
    super(message);
    this.name = 'ExtractError';
  }
}

/** Options every extractor takes. */
export interface ExtractOptions {
  /** Where the bytes came from (path or URL), for messages only. */
  source?: string;
  /** Wall-clock budget for one document, milliseconds. */
  timeoutMs?: number;
  /** The HTTP Content-Type the document was served with (its charset is evidence for HTML decoding). */
  contentType?: string | null;
}
