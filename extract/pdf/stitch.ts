/**
 * Tables continued over a page break → one table.
 *
 * Table B continues table A when
 *   - A is the last block of its page (only a short footer such as a page number follows it) and
 *     reaches the lower part of the page; B is the first block of the next page (only short
 *     running heads, or lines that also stand above A, precede it) and starts near its top;
 *   - both have the same columns (edges within COL_TOL points), or one's edges are all among the
 *     other's (the continuation adds sub-columns): cells are re-indexed onto the finer edges;
 *   - B does not open a new instance of A's form (福州: one 项目绩效目标表 per project).
 * B's leading rows that repeat A's header rows are dropped. Merged cells cut by the break are
 * folded into A (the 一级指标 / 二级指标 labels and long 绩效目标 texts carry over as on paper), and a
 * row split by the break is folded into the row it continues. See docs/pdf.md.
 */

export interface GridCell {
  r: number;
  c: number;
  rs: number;
  cs: number;
  text: string;
  /** The text's last line reaches the cell's right edge (see FilledCell.full in text.ts). */
  full?: boolean;
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
  /** Height of the table's (last) page, points. */
  pageHeight: number;
  ocrConfidence?: number;
  /**
   * A lone row at the top of a page with one text in it (the rest of a cell cut at the previous
   * page's foot: `1号` under `承市政办字【2021】3`): a table only if it folds into the last row of
   * the previous page's table; otherwise these lines are text.
   */
  rowRest?: PageLine[];
}

export interface PageLine {
  page: number;
  y0: number;
  y1: number;
  text: string;
}

export type PageBlock = { kind: 'table'; table: GridTable; y: number } | { kind: 'text'; lines: PageLine[]; y: number };

const COL_TOL = 3;
/** A continued table reaches below this share of its page's height… */
const REACHES_BOTTOM = 0.7;
/** …and its continuation starts above this share of the next page. */
const STARTS_AT_TOP = 0.35;
const isFooter = (t: string) => t.replace(/\s/g, '').length <= 12 || /^[-—\s]*(第?\s*\d+\s*页?(\s*[/共]\s*\d+\s*页?)?)[-—\s]*$/.test(t.trim());

const rowTexts = (t: GridTable, r: number) =>
  t.cells
    .filter((c) => c.r === r)
    .sort((a, b) => a.c - b.c)
    .map((c) => `${c.c}:${c.cs}:${c.text.replace(/\s/g, '')}`)
    .join('|');

/**
 * Columns of B that continue A's: the same edges, or one table's edges all found among the
 * other's (广州 部门整体申报表: the 绩效指标 part on the next page adds sub-columns). Returns the
 * union of edges, or null when neither set contains the other, or the outer frames differ.
 */
export function columnUnion(a: GridTable, b: GridTable): number[] | null {
  const has = (xs: number[], x: number) => xs.some((y) => Math.abs(x - y) <= COL_TOL);
  const aInB = a.xs.every((x) => has(b.xs, x));
  const bInA = b.xs.every((x) => has(a.xs, x));
  if (!aInB && !bInA) return null;
  const outer = Math.abs(a.xs[0] - b.xs[0]) <= COL_TOL && Math.abs(a.xs[a.xs.length - 1] - b.xs[b.xs.length - 1]) <= COL_TOL;
  if (!outer) return null;
  return aInB ? b.xs : a.xs;
}

/** Re-index a table's cells onto finer column edges `xs` (each old edge is one of them). */
export function remapColumns(t: GridTable, xs: number[]) {
  if (t.xs.length === xs.length) return;
  const at = (x: number) => {
    let best = 0;
    for (let i = 1; i < xs.length; i++) if (Math.abs(xs[i] - x) < Math.abs(xs[best] - x)) best = i;
    return best;
  };
  const idx = t.xs.map(at);
  t.cells = t.cells.map((c) => ({ ...c, c: idx[c.c], cs: idx[c.c + c.cs] - idx[c.c] }));
  t.xs = xs;
  t.nCols = xs.length - 1;
}

/** Number of B's leading rows that repeat A's header rows (whole span groups only). */
function repeatedHeaderRows(a: GridTable, b: GridTable): number {
  let drop = 0;
  while (drop < b.nRows && drop < a.nRows && rowTexts(a, drop) === rowTexts(b, drop) && rowTexts(b, drop).length) drop++;
  // A header row may carry a span over several rows: only drop whole span groups.
  while (drop > 0 && b.cells.some((c) => c.r < drop && c.r + c.rs > drop)) drop--;
  return drop;
}

const label = (t: GridTable, r: number) =>
  t.cells
    .filter((c) => c.r === r && c.text.trim())
    .sort((x, y) => x.c - y.c)[0]
    ?.text.replace(/\s/g, '') ?? '';

/**
 * `label` of every row in one pass over the cells (a table stitched over 150 pages holds tens of
 * thousands of cells: a filter per row made stitching quadratic).
 */
export function labels(t: GridTable): string[] {
  const first: (GridCell | undefined)[] = new Array(t.nRows);
  for (const c of t.cells) if (c.r < t.nRows && c.text.trim() && (!first[c.r] || c.c < first[c.r]!.c)) first[c.r] = c;
  return Array.from(first, (c) => c?.text.replace(/\s/g, '') ?? '');
}

/**
 * B opens a new instance of A's form (福州 prints one 项目绩效目标表 per project, each filling
 * its page): one of B's first rows (after a repeated header) carries the same label as one of
 * A's first rows (项目名称 …), so B is not A's continuation.
 */
export function startsNewForm(a: GridTable, b: GridTable): boolean {
  const drop = repeatedHeaderRows(a, b);
  // A form label occurs once in A; a value repeated on every row (深圳 prints the unit's name in
  // each data row) is not one.
  const count = new Map<string, number>();
  for (const l of labels(a)) count.set(l, (count.get(l) ?? 0) + 1);
  const head = new Set([0, 1, 2].map((r) => label(a, r)).filter((l) => /[\u4e00-\u9fff]/.test(l) && count.get(l) === 1));
  for (let r = drop; r < Math.min(b.nRows, drop + 2); r++) if (head.has(label(b, r))) return true;
  return false;
}

const norm = (t: string) => t.replace(/\s/g, '');
/** A cell text wrapped over several lines that does not end a sentence. */
const unfinishedParagraph = (t: string) => t.trim().includes('\n') && !/[。；;.!?！？]$/.test(t.trim());

/**
 * Merged cells cut by the page break. Candidates: the leftmost run of B's first-row cells whose
 * column holds, in A, a merged cell (rowSpan > 1) reaching A's last row. The run is a
 * continuation when at least one of them is empty in B or repeats A's text (the group goes on);
 * then each is folded into A's cell: rowSpan grows, text that continues (the rest of a long
 * 绩效目标 printed under the break) is appended. Mutates A's cells; returns B's folded cells.
 */
function continuedCells(a: GridTable, b: GridTable, first: number): { folded: Set<GridCell>; rowMerged: boolean } {
  const row = b.cells.filter((c) => c.r === first).sort((x, y) => x.c - y.c);
  const run: [GridCell, GridCell][] = [];
  let col = 0;
  for (const bc of row) {
    if (bc.c !== col) break;
    const ac = a.cells.find((c) => c.c === bc.c && c.cs === bc.cs && c.r + c.rs === a.nRows && c.rs > 1);
    if (!ac) break;
    // Different text is the rest of A's paragraph only when A's cell is a wrapped paragraph cut
    // mid-sentence; otherwise it is a new cell (长沙 repeats open labels, then 质量指标 starts).
    if (norm(bc.text) && norm(bc.text) !== norm(ac.text) && !unfinishedParagraph(ac.text)) break;
    run.push([ac, bc]);
    col += bc.cs;
  }
  const evidence = run.some(([ac, bc]) => (!norm(bc.text) && norm(ac.text)) || (norm(bc.text) && norm(bc.text) === norm(ac.text)));
  const out = new Set<GridCell>();
  if (!evidence) {
    const folded = splitRow(a, b, row);
    return { folded, rowMerged: folded.size > 0 };
  }
  // The merged cells go on; the rest of B's first row may still be the rest of A's last row, cut
  // by the break (a 资金用途 beside a merged 预算规模及资金用途 label).
  const inRun = new Set(run.map(([, bc]) => bc));
  const rest = row.filter((bc) => !inRun.has(bc));
  const restPairs = rest.length ? cutRowPairs(a, b, rest) : null;
  for (const [ac, bc] of run) {
    ac.rs += bc.rs - (restPairs ? 1 : 0);
    if (norm(bc.text) && norm(bc.text) !== norm(ac.text)) appendText(ac, bc);
    out.add(bc);
  }
  if (restPairs) for (const bc of foldPairs(restPairs)) out.add(bc);
  return { folded: out, rowMerged: !!restPairs };
}

const appendText = (ac: GridCell, bc: GridCell) => {
  ac.text = ac.text ? `${ac.text}\n${bc.text}` : bc.text;
  ac.full = bc.full;
};

/**
 * Whether A's cell text goes on in B's: `hard` for a paragraph cut mid-sentence whose last line is
 * full or long; `soft` for a last line filled to the cell's edge, when the rest is not a whole
 * cell text met elsewhere in its column; null otherwise.
 */
function continuesAcross(ac: GridCell, bc: GridCell, a: GridTable, b: GridTable): 'hard' | 'soft' | null {
  // A text goes on only from a line that is full (or long): a short last line ended its text,
  // as a wrapped label does (社会效益指 / 标 above 生态效益指 / 标 is two cells, not one).
  if (unfinishedParagraph(ac.text) && (ac.full || lastLine(ac.text).length >= LONG_LINE)) return 'hard';
  if (!ac.full || /[。；;.!?！？]$/.test(ac.text.trim())) return null;
  const t = norm(bc.text);
  const whole = (t0: GridTable) => t0.cells.some((c) => c !== bc && c.c === bc.c && norm(c.text) === t);
  return whole(a) || whole(b) ? null : 'soft';
}

/**
 * Cells of B's first row (`row`) as the rest of A's last row: each lies under a cell of A that
 * ends on A's last row, with the same columns; every non-empty one continues the text above it
 * (`continuesAcross`), and one at least is non-empty. A row whose texts only fill their lines
 * (soft) must also have a cell that ended before the break (text in A, empty in B): a row of short
 * labels in narrow columns (3月底 | 6月底 …) above a row of amounts is not one row — unless the
 * filled lines are long (running text: a 资金用途 sentence wrapped at the edge).
 * Returns the pairs, or null.
 */
function cutRowPairs(a: GridTable, b: GridTable, row: GridCell[]): [GridCell, GridCell][] | null {
  const last = a.cells.filter((c) => c.r + c.rs === a.nRows);
  const pairs: [GridCell, GridCell][] = [];
  for (const bc of row) {
    const ac = last.find((c) => c.c === bc.c && c.cs === bc.cs);
    if (!ac) return null;
    pairs.push([ac, bc]);
  }
  const filled = pairs.filter(([, bc]) => norm(bc.text));
  if (!filled.length) return null;
  const how = filled.map(([ac, bc]) => continuesAcross(ac, bc, a, b));
  if (how.some((h) => !h)) return null;
  const ended = pairs.some(([ac, bc]) => norm(ac.text) && !norm(bc.text));
  const long = filled.every(([ac], i) => how[i] === 'hard' || lastLine(ac.text).length >= LONG_LINE);
  return long || ended ? pairs : null;
}

/** A filled line this long is running text (a sentence wrapped at the edge), not a short label. */
const LONG_LINE = 10;
const lastLine = (t: string) => norm(t.trim().split('\n').pop() ?? '');

/** Fold B's cells into A's: texts appended; a B cell spanning further rows makes A's span them too. */
function foldPairs(pairs: [GridCell, GridCell][]): GridCell[] {
  for (const [ac, bc] of pairs) {
    if (norm(bc.text)) appendText(ac, bc);
    ac.rs += bc.rs - 1;
  }
  return pairs.map(([, bc]) => bc);
}

/**
 * A row a word processor split at the page break: every non-empty cell of B's first row continues
 * the text of the same column in A's last row, the others are empty (their cell may span on down:
 * a merged 一级 starting on the cut row). The row is folded into A's last row (texts appended).
 * Returns B's folded cells.
 */
function splitRow(a: GridTable, b: GridTable, row: GridCell[]): Set<GridCell> {
  const pairs = cutRowPairs(a, b, row);
  return new Set(pairs ? foldPairs(pairs) : []);
}

/** Append B's rows to A (mutates A). */
export function appendTable(a: GridTable, b: GridTable) {
  const drop = repeatedHeaderRows(a, b);
  const { folded, rowMerged } = continuedCells(a, b, drop);
  // A split row folded into A's last row disappears from B.
  const skip = drop + (rowMerged ? 1 : 0);
  const off = a.nRows - skip;
  for (const bc of b.cells) {
    if (bc.r < drop || folded.has(bc)) continue;
    a.cells.push({ ...bc, r: bc.r + off });
  }
  a.rowPages.push(...b.rowPages.slice(skip));
  a.nRows += b.nRows - skip;
  a.pageEnd = b.pageEnd;
  a.bottom = b.bottom;
  a.pageHeight = b.pageHeight;
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
    let first = blocks.findIndex((b) => b.kind === 'table');
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
          const placed = target.bottom >= target.pageHeight * REACHES_BOTTOM && b.table.top <= b.table.pageHeight * STARTS_AT_TOP;
          const union = placed && tailOk && headOk ? columnUnion(target, b.table) : null;
          if (union) {
            remapColumns(target, union);
            remapColumns(b.table, union);
          }
          const rest = b.table.rowRest ? !!cutRowPairs(target, b.table, b.table.cells.filter((c) => c.r === 0)) : true;
          if (union && rest && !startsNewForm(target, b.table)) {
            appendTable(target, b.table);
            owner.set(b.table, target);
            stitched++;
            // Text blocks before B on this page were running heads: drop them.
            while (out.length && out[out.length - 1].kind === 'text' && before.includes(out[out.length - 1])) out.pop();
            continue;
          }
        }
      }
      if (b.kind === 'table' && b.table.rowRest) {
        out.push({ kind: 'text', lines: b.table.rowRest, y: b.y });
        // Not a row's rest: the page's next table may still continue the previous page's.
        if (i === first) first = blocks.findIndex((x, j) => j > i && x.kind === 'table');
        continue;
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
